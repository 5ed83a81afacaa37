package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"gqlauth/auth"
)

// seen is what the next handler found in its request context.
type seen struct {
	called   bool
	viewer   *auth.Viewer
	tokenErr error
	authV    *auth.Viewer
	authErr  error
}

// serve sends one GET through auth.Middleware with the given Authorization
// header values, to a next handler that records its context and answers 418
// (so a status that is not the next handler's stands out).
func serve(t *testing.T, svc *auth.Service, authorization ...string) (*httptest.ResponseRecorder, seen) {
	t.Helper()
	var got seen
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		got.called = true
		got.viewer = auth.ViewerFromContext(ctx)
		got.tokenErr = auth.TokenError(ctx)
		got.authV, got.authErr = auth.Authenticated(ctx)
		w.WriteHeader(http.StatusTeapot)
	})
	req := httptest.NewRequest(http.MethodGet, "/graphql", nil)
	for _, h := range authorization {
		req.Header.Add("Authorization", h)
	}
	rec := httptest.NewRecorder()
	auth.Middleware(svc)(next).ServeHTTP(rec, req)
	if !got.called {
		t.Fatalf("Authorization %q: next handler not called", authorization)
	}
	if rec.Code != http.StatusTeapot {
		t.Errorf("Authorization %q: status = %d, want the next handler's %d", authorization, rec.Code, http.StatusTeapot)
	}
	return rec, got
}

func TestMiddlewareNoHeader(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rec, got := serve(t, e.svc)
	if got.viewer != nil {
		t.Errorf("ViewerFromContext() = %+v, want nil (anonymous)", got.viewer)
	}
	if got.tokenErr != nil {
		t.Errorf("TokenError() = %v, want nil", got.tokenErr)
	}
	if h := rec.Header().Values("WWW-Authenticate"); len(h) != 0 {
		t.Errorf("WWW-Authenticate = %q, want none", h)
	}
	if got.authV != nil || got.authErr != auth.ErrNoToken {
		t.Errorf("Authenticated() = %v, %v, want nil, %v", got.authV, got.authErr, auth.ErrNoToken)
	}
}

func TestMiddlewareValidToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.createUser(t, "alice", alicePassword, "me", "items")
	g := e.login(t, "alice", alicePassword, []string{"me"})
	tests := []struct {
		name   string
		header string
	}{
		{"Bearer", "Bearer " + g.AccessToken},
		{"bearer lower case", "bearer " + g.AccessToken},
		{"BEARER upper case", "BEARER " + g.AccessToken},
		{"trailing space", "Bearer " + g.AccessToken + " "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, got := serve(t, e.svc, tt.header)
			if got.viewer == nil {
				t.Fatalf("Authorization %q: ViewerFromContext() = nil, want alice (TokenError: %v)", tt.header, got.tokenErr)
			}
			if got.viewer.User == nil || got.viewer.User.ID != alice.ID {
				t.Errorf("Viewer.User = %v, want alice (ID %d)", got.viewer.User, alice.ID)
			}
			if len(got.viewer.Scopes) != 1 || got.viewer.Scopes[0] != "me" {
				t.Errorf("Viewer.Scopes = %q, want [me]", got.viewer.Scopes)
			}
			if got.tokenErr != nil {
				t.Errorf("TokenError() = %v, want nil", got.tokenErr)
			}
			if got.authV != got.viewer || got.authErr != nil {
				t.Errorf("Authenticated() = %v, %v, want the viewer, nil", got.authV, got.authErr)
			}
			if h := rec.Header().Values("WWW-Authenticate"); len(h) != 0 {
				t.Errorf("WWW-Authenticate = %q, want none", h)
			}
		})
	}
}

func TestMiddlewareRefusedToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.createUser(t, "alice", alicePassword, "me")
	g := e.login(t, "alice", alicePassword, nil)

	expiredClaims := validClaims(strconv.Itoa(alice.ID))
	expiredClaims["iat"] = time.Now().Add(-2 * time.Hour).Unix()
	expiredClaims["exp"] = time.Now().Add(-time.Hour).Unix()
	expired := signToken(t, jwt.SigningMethodHS256, testSecret, "at+jwt", expiredClaims)

	const badHeader = `malformed Authorization header: want "Bearer <access token>"`
	tests := []struct {
		name    string
		headers []string
		wantMsg string
	}{
		{"Basic", []string{"Basic xyz"}, badHeader},
		{"Basic with valid token", []string{"Basic " + g.AccessToken}, badHeader},
		{"Bearer alone", []string{"Bearer"}, badHeader},
		{"Bearer and spaces", []string{"Bearer  "}, badHeader},
		{"token with a space", []string{"Bearer a b"}, badHeader},
		{"token without scheme", []string{g.AccessToken}, badHeader},
		{"empty header", []string{""}, badHeader},
		{"Bearer tab token", []string{"Bearer\t" + g.AccessToken}, badHeader},
		{"two headers", []string{"Bearer " + g.AccessToken, "Bearer " + g.AccessToken}, badHeader},
		{"expired", []string{"Bearer " + expired}, "access token has expired"},
		{"garbage", []string{"Bearer garbage"}, "access token is malformed"},
		{"tampered", []string{"Bearer " + g.AccessToken + "x"}, "access token signature is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, got := serve(t, e.svc, tt.headers...)
			if got.viewer != nil {
				t.Errorf("Authorization %q: ViewerFromContext() = %+v, want nil", tt.headers, got.viewer)
			}
			if got.tokenErr == nil {
				t.Fatalf("Authorization %q: TokenError() = nil, want %q", tt.headers, tt.wantMsg)
			}
			if !errors.Is(got.tokenErr, auth.ErrUnauthenticated) {
				t.Errorf("Authorization %q: TokenError() = %v, want errors.Is(err, ErrUnauthenticated)", tt.headers, got.tokenErr)
			}
			if got.tokenErr.Error() != tt.wantMsg {
				t.Errorf("Authorization %q: TokenError() = %q, want %q", tt.headers, got.tokenErr, tt.wantMsg)
			}
			if got.authV != nil || got.authErr != got.tokenErr {
				t.Errorf("Authenticated() = %v, %v, want nil, the token error %v", got.authV, got.authErr, got.tokenErr)
			}
			if h := rec.Header().Values("WWW-Authenticate"); len(h) != 1 || h[0] != `Bearer error="invalid_token"` {
				t.Errorf("WWW-Authenticate = %q, want [%q]", h, `Bearer error="invalid_token"`)
			}
		})
	}
}

func TestMiddlewareUserGoneOrDisabled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser(t, "alice", alicePassword, "me")
	g := e.login(t, "alice", alicePassword, nil)
	if err := e.svc.SetDisabled(context.Background(), "alice", true); err != nil {
		t.Fatalf("SetDisabled(alice, true) = %v", err)
	}
	rec, got := serve(t, e.svc, "Bearer "+g.AccessToken)
	if got.viewer != nil {
		t.Errorf("ViewerFromContext() = %+v, want nil for a disabled user", got.viewer)
	}
	if !errors.Is(got.tokenErr, auth.ErrUserDisabled) {
		t.Errorf("TokenError() = %v, want %v", got.tokenErr, auth.ErrUserDisabled)
	}
	if h := rec.Header().Get("WWW-Authenticate"); h != `Bearer error="invalid_token"` {
		t.Errorf("WWW-Authenticate = %q, want %q", h, `Bearer error="invalid_token"`)
	}
}

func TestAuthenticatedContext(t *testing.T) {
	t.Parallel()
	v := &auth.Viewer{Scopes: []string{"me"}}
	tests := []struct {
		name       string
		ctx        context.Context
		wantViewer *auth.Viewer
		wantErr    error
	}{
		{"nothing", context.Background(), nil, auth.ErrNoToken},
		{"viewer", auth.WithViewer(context.Background(), v), v, nil},
		{"nil viewer", auth.WithViewer(context.Background(), nil), nil, auth.ErrNoToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := auth.Authenticated(tt.ctx)
			if got != tt.wantViewer || err != tt.wantErr {
				t.Errorf("Authenticated() = %v, %v, want %v, %v", got, err, tt.wantViewer, tt.wantErr)
			}
			if tt.wantErr != nil && !errors.Is(err, auth.ErrUnauthenticated) {
				t.Errorf("Authenticated() = %v, want errors.Is(err, ErrUnauthenticated)", err)
			}
			if got := auth.TokenError(tt.ctx); got != nil {
				t.Errorf("TokenError() = %v, want nil", got)
			}
		})
	}
}
