package graph

import (
	"context"
	"errors"
	"testing"

	"gqlauth/auth"
)

func TestRequiresScopes(t *testing.T) {
	t.Parallel()
	next := func(context.Context) (any, error) { return "resolved", nil }
	either := [][]string{{"a", "b"}, {"c"}} // (a AND b) OR c
	tests := []struct {
		name     string
		viewer   *auth.Viewer // nil: anonymous
		required [][]string
		wantErr  error
	}{
		{"anonymous", nil, [][]string{{"a"}}, auth.ErrNoToken},
		{"missing", &auth.Viewer{Scopes: []string{"x"}}, [][]string{{"a"}}, auth.ErrForbidden},
		{"partial AND", &auth.Viewer{Scopes: []string{"a"}}, either, auth.ErrForbidden},
		{"full AND", &auth.Viewer{Scopes: []string{"b", "a"}}, either, nil},
		{"OR alternative", &auth.Viewer{Scopes: []string{"c"}}, either, nil},
		{"no scopes", &auth.Viewer{}, either, auth.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			if tt.viewer != nil {
				ctx = auth.WithViewer(ctx, tt.viewer)
			}
			got, err := requiresScopes(ctx, nil, next, tt.required)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (got == "resolved") {
				t.Fatalf("requiresScopes = %v, %v; want error %v", got, err, tt.wantErr)
			}
			var se *auth.ScopeError
			if errors.As(err, &se) && len(se.Required) != len(tt.required) {
				t.Errorf("ScopeError.Required = %v, want %v", se.Required, tt.required)
			}
		})
	}
}

func TestAuthenticated(t *testing.T) {
	t.Parallel()
	next := func(context.Context) (any, error) { return "resolved", nil }
	if _, err := authenticated(context.Background(), nil, next); !errors.Is(err, auth.ErrNoToken) {
		t.Errorf("anonymous: err = %v, want ErrNoToken", err)
	}
	ctx := auth.WithViewer(context.Background(), &auth.Viewer{})
	if got, err := authenticated(ctx, nil, next); err != nil || got != "resolved" {
		t.Errorf("with a viewer holding no scopes: %v, %v; want resolved", got, err)
	}
}
