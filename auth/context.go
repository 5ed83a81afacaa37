package auth

import (
	"context"
	"slices"

	"gqlauth/ent"
)

// Viewer is who a request acts for: the user behind a verified access
// token, and the scopes that token may use.
type Viewer struct {
	User   *ent.User
	Claims *Claims
	// Scopes are the token's scopes that the user still holds: a scope taken
	// from a user stops working at once, not when their token expires.
	Scopes []string
}

// HasScope reports whether the viewer's token may use scope.
func (v *Viewer) HasScope(scope string) bool {
	return slices.Contains(v.Scopes, scope)
}

type viewerKey struct{}

type tokenErrorKey struct{}

// WithViewer returns a context carrying v.
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFromContext returns the viewer of the request, or nil for an
// anonymous one.
func ViewerFromContext(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey{}).(*Viewer)
	return v
}

// withTokenError records why the request's token was refused.
func withTokenError(ctx context.Context, err error) context.Context {
	return context.WithValue(ctx, tokenErrorKey{}, err)
}

// TokenError returns why the request's access token was refused, or nil
// when it sent none (or a valid one).
func TokenError(ctx context.Context) error {
	err, _ := ctx.Value(tokenErrorKey{}).(error)
	return err
}

// Authenticated returns the viewer, or the error a protected field answers
// with: the token's own failure, or ErrNoToken.
func Authenticated(ctx context.Context) (*Viewer, error) {
	if v := ViewerFromContext(ctx); v != nil {
		return v, nil
	}
	if err := TokenError(ctx); err != nil {
		return nil, err
	}
	return nil, ErrNoToken
}
