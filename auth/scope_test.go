package auth_test

import (
	"testing"

	"gqlauth/auth"
)

func TestHasScopes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		granted  []string
		required [][]string
		want     bool
	}{
		{"single held", []string{"me"}, [][]string{{"me"}}, true},
		{"single missing", []string{"items"}, [][]string{{"me"}}, false},
		{"nothing granted", []string{}, [][]string{{"me"}}, false},
		{"nil granted", nil, [][]string{{"me"}}, false},
		{"nil granted, empty inner", nil, [][]string{{}}, false},
		{"AND satisfied", []string{"items", "items:write", "me"}, [][]string{{"items", "items:write"}}, true},
		{"AND with one missing", []string{"items"}, [][]string{{"items", "items:write"}}, false},
		{"AND with the other missing", []string{"items:write"}, [][]string{{"items", "items:write"}}, false},
		{"OR first alternative", []string{"users:read"}, [][]string{{"users:read"}, {"users:write"}}, true},
		{"OR second alternative", []string{"users:write"}, [][]string{{"users:read"}, {"users:write"}}, true},
		{"OR neither", []string{"me", "items"}, [][]string{{"users:read"}, {"users:write"}}, false},
		{"OR of ANDs, second satisfied", []string{"me", "items"}, [][]string{{"users:read", "items"}, {"me", "items"}}, true},
		{"OR of ANDs, each partial", []string{"me", "users:read"}, [][]string{{"users:read", "items"}, {"me", "items"}}, false},
		{"empty outer list denies", []string{"me", "items", "users:write"}, [][]string{}, false},
		{"nil outer list denies", []string{"me"}, nil, false},
		{"empty inner list denies", []string{"me"}, [][]string{{}}, false},
		{"empty inner list then held", []string{"me"}, [][]string{{}, {"me"}}, true},
		{"empty inner list then missing", []string{"me"}, [][]string{{}, {"items"}}, false},
		{"case sensitive", []string{"ME"}, [][]string{{"me"}}, false},
		{"prefix is not the scope", []string{"items"}, [][]string{{"items:write"}}, false},
		{"longer is not the scope", []string{"items:write"}, [][]string{{"items"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := auth.HasScopes(tt.granted, tt.required); got != tt.want {
				t.Errorf("HasScopes(%q, %q) = %v, want %v", tt.granted, tt.required, got, tt.want)
			}
		})
	}
}

func TestViewerHasScope(t *testing.T) {
	t.Parallel()
	v := &auth.Viewer{Scopes: []string{"me", "items"}}
	tests := []struct {
		scope string
		want  bool
	}{
		{"me", true},
		{"items", true},
		{"items:write", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := v.HasScope(tt.scope); got != tt.want {
			t.Errorf("Viewer{Scopes: %q}.HasScope(%q) = %v, want %v", v.Scopes, tt.scope, got, tt.want)
		}
	}
}
