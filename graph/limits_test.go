package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"gqlauth/graph"
)

// Each query limit at its edge and one past it.
func TestQueryLimits(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, graph.Options{Limits: graph.Limits{MaxDepth: 4, MaxAliases: 2, MaxRootFields: 3, MaxComplexity: 50}})
	e.user(t, "ann", "me", "items", "users:read")
	tok := e.token(t, "ann", nil)
	ids := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%q ", strconv.Itoa(i+1))
		}
		return b.String()
	}
	tests := []struct {
		name, query string
		wantMsg     string // "" when the query must pass the limits
	}{
		{"depth at the limit", `{ me { items { owner { username } } } }`, ""},
		{"depth past the limit", `{ me { items { owner { items { title } } } } }`, "query depth 5 exceeds the limit of 4"},
		{"depth through a fragment", `{ me { ...F } } fragment F on User { items { owner { items { title } } } }`, "query depth 5 exceeds the limit of 4"},
		{"depth through an inline fragment", `{ node(id: "1") { ... on User { items { owner { items { title } } } } } }`, "query depth 5 exceeds the limit of 4"},
		{"aliases at the limit", `{ a: me { username } b: tokenInfo { scopes } }`, ""},
		{"aliases past the limit", `{ a: me { username } b: tokenInfo { scopes } c: me { id } }`, "query has 3 aliased fields, more than the limit of 2"},
		{"root fields at the limit", `{ me { id } tokenInfo { scopes } node(id: "1") { id } }`, ""},
		{"root fields past the limit", `{ me { id } tokenInfo { scopes } node(id: "1") { id } nodes(ids: []) { id } }`, "query has 4 top-level fields, more than the limit of 3"},
		{"complexity within the limit", `{ nodes(ids: [` + ids(48) + `]) { id } }`, ""},
		{"complexity past the limit", `{ nodes(ids: [` + ids(60) + `]) { id } }`, "query complexity 61 exceeds the limit of 50"},
		{"unpaginated lists weigh ten", `{ me { items { title description owner { username email } } } }`, "query complexity 52 exceeds the limit of 50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, tok, tt.query, nil)
			for _, err := range r.Errors {
				if code := err.Extensions["code"]; code == "BAD_USER_INPUT" && tt.wantMsg == "" {
					t.Fatalf("refused: %s", err.Message)
				}
			}
			if tt.wantMsg == "" {
				return
			}
			if got := r.code(t); got != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, tt.wantMsg) {
				t.Errorf("error = %s %q, want BAD_USER_INPUT %q", got, r.Errors[0].Message, tt.wantMsg)
			}
			if r.Data != nil {
				t.Errorf("a refused query ran: data = %v", r.Data)
			}
		})
	}
}

// The default limits let the playground's own introspection query through.
func TestDefaultLimitsAllowIntrospection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do(t, "", introspectionQuery, nil)
	if len(r.Errors) > 0 || get(r.Data, "__schema", "queryType", "name") != "Query" {
		t.Fatalf("introspection: %.300s", r.rawBody)
	}
}

func TestIntrospectionSwitch(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, graph.Options{Introspection: false})
	r := e.do(t, "", `{ __schema { queryType { name } } }`, nil)
	if r.code(t) != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "introspection is disabled") {
		t.Fatalf("introspection off answered %s", r.rawBody)
	}
	if r := e.do(t, "", `{ __type(name: "User") { name } }`, nil); r.code(t) != "BAD_USER_INPUT" {
		t.Errorf("__type with introspection off: %s", r.rawBody)
	}
	// Ordinary queries, __typename included, are unaffected.
	if r := e.do(t, "", `{ __typename }`, nil); len(r.Errors) > 0 {
		t.Fatalf("__typename: %s", r.rawBody)
	}
	if r := e.do(t, "", `mutation { logout(refreshToken: "x") }`, nil); len(r.Errors) > 0 {
		t.Fatalf("logout: %s", r.rawBody)
	}
}

// Apollo's automatic persisted queries: a hash alone misses until the query
// has been sent once with it; then the hash alone runs it.
func TestPersistedQueries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "ann", "me")
	tok := e.token(t, "ann", nil)
	const query = `{ me { username } }`
	sum := sha256.Sum256([]byte(query))
	hash := hex.EncodeToString(sum[:])
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}

	r := e.doExt(t, tok, "", ext)
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "PERSISTED_QUERY_NOT_FOUND" {
		t.Fatalf("miss: %s, want PERSISTED_QUERY_NOT_FOUND", r.rawBody)
	}
	if r := e.doExt(t, tok, query, ext); get(r.Data, "me", "username") != "ann" {
		t.Fatalf("register: %s", r.rawBody)
	}
	if r := e.doExt(t, tok, "", ext); get(r.Data, "me", "username") != "ann" {
		t.Fatalf("hit: %s", r.rawBody)
	}
	wrong := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": strings.Repeat("0", 64)}}
	if r := e.doExt(t, tok, query, wrong); len(r.Errors) == 0 || r.Data != nil {
		t.Fatalf("mismatched hash accepted: %s", r.rawBody)
	}
}

const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`
