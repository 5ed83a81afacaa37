package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"gqlauth/auth"
)

// authenticated implements @authenticated: the field resolves only for a
// request with a valid access token. With none, it answers why: the
// token's own failure (expired, bad signature, ...) or ErrNoToken.
func authenticated(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	if _, err := auth.Authenticated(ctx); err != nil {
		return nil, err
	}
	return next(ctx)
}

// requiresScopes implements @requiresScopes with Apollo Federation's
// semantics: the token must carry every scope of at least one inner list.
func requiresScopes(ctx context.Context, _ any, next graphql.Resolver, scopes [][]string) (any, error) {
	v, err := auth.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if !auth.HasScopes(v.Scopes, scopes) {
		return nil, &auth.ScopeError{Required: scopes}
	}
	return next(ctx)
}
