package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"
	"github.com/vektah/gqlparser/v2/ast"

	"gqlauth/auth"
	gen "gqlauth/ent"
	"gqlauth/ent/item"
	"gqlauth/ent/privacy"
	"gqlauth/ent/user"
)

// Row-level rules. Type directives are not enforced on node/nodes (gqlgen
// copies them onto fields only), so these policies, which run inside every
// ent query, are what keeps those lookups from leaking:
//
//   - a viewer sees their own user and their own items;
//   - with users:read, every user and item;
//   - an anonymous caller, no row at all.
//
// Rows a viewer may not see are filtered out rather than denied, so an
// unseen row and an absent one look alike. The auth service reads and writes
// as the system (auth.AsSystem), which skips these rules.

// visibleRows tells a query rule what to filter: own is the viewer's user
// ID, all reports users:read, and ok is false for an anonymous caller.
func visibleRows(ctx context.Context) (own int, all, ok bool) {
	v := auth.ViewerFromContext(ctx)
	if v == nil {
		return 0, false, false
	}
	return v.User.ID, v.HasScope(auth.ScopeUsersRead), true
}

// none matches no row.
func none(s *sql.Selector) { s.Where(sql.False()) }

var userQueryRule = privacy.UserQueryRuleFunc(func(ctx context.Context, q *gen.UserQuery) error {
	switch own, all, ok := visibleRows(ctx); {
	case !ok:
		q.Where(none)
	case !all:
		q.Where(user.ID(own))
	}
	return privacy.Allow
})

var itemQueryRule = privacy.ItemQueryRuleFunc(func(ctx context.Context, q *gen.ItemQuery) error {
	switch own, all, ok := visibleRows(ctx); {
	case !ok:
		q.Where(none)
	case !all:
		q.Where(item.OwnerID(own))
	}
	return privacy.Allow
})

// Writes need a viewer. Users are written only with users:write; items are
// created by their owner (or with users:write).
var userMutationRule = privacy.UserMutationRuleFunc(func(ctx context.Context, m *gen.UserMutation) error {
	if v := auth.ViewerFromContext(ctx); v != nil && v.HasScope(auth.ScopeUsersWrite) {
		return privacy.Allow
	}
	return privacy.Denyf("writing users needs users:write")
})

var itemMutationRule = privacy.ItemMutationRuleFunc(func(ctx context.Context, m *gen.ItemMutation) error {
	v := auth.ViewerFromContext(ctx)
	switch owner, _ := m.OwnerID(); {
	case v == nil:
		return privacy.Denyf("writing items needs a viewer")
	case v.HasScope(auth.ScopeUsersWrite), m.Op().Is(ent.OpCreate) && owner == v.User.ID:
		return privacy.Allow
	}
	return privacy.Denyf("items may only be created by their owner")
})

// requiresScopes is the @requiresScopes(scopes: ...) directive for ent
// annotations: entgql.Directives(requiresScopes([][]string{{"items"}})).
func requiresScopes(scopes [][]string) entgql.Directive {
	outer := &ast.Value{Kind: ast.ListValue}
	for _, all := range scopes {
		inner := &ast.Value{Kind: ast.ListValue}
		for _, s := range all {
			inner.Children = append(inner.Children, &ast.ChildValue{Value: &ast.Value{Kind: ast.StringValue, Raw: s}})
		}
		outer.Children = append(outer.Children, &ast.ChildValue{Value: inner})
	}
	return entgql.NewDirective("requiresScopes", &ast.Argument{Name: "scopes", Value: outer})
}
