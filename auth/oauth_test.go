package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gqlauth/auth"
	"gqlauth/store/storetest"
)

// lockedBuffer is a log destination safe for parallel subtests.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tokenEnv is a session env with the token endpoint in front of it.
type tokenEnv struct {
	*env
	handler http.Handler
	logs    *lockedBuffer
	// secrets are every password and token the test handled: none may be logged.
	mu      sync.Mutex
	secrets []string
}

func newTokenEnv(t *testing.T) *tokenEnv {
	t.Helper()
	e := &tokenEnv{env: newSessionEnv(t, storetest.URL(t), graceful), logs: new(lockedBuffer)}
	e.handler = auth.TokenHandler(e.svc, slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	e.secret(alicePassword)
	t.Cleanup(func() {
		logs := e.logs.String()
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, s := range e.secrets {
			if strings.Contains(logs, s) {
				t.Errorf("token endpoint log holds a secret %q:\n%s", s, logs)
			}
		}
	})
	return e
}

// secret records s as something the log must never hold.
func (e *tokenEnv) secret(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.secrets = append(e.secrets, s)
}

// tokenResponse is a decoded answer of the token endpoint.
type tokenResponse struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// str returns the string member key of the body.
func (r *tokenResponse) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// serve sends req to the token endpoint and decodes the JSON answer.
func (e *tokenEnv) serve(t *testing.T, req *http.Request) *tokenResponse {
	t.Helper()
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Body)
	r := &tokenResponse{status: rec.Code, header: rec.Header(), raw: string(raw)}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		t.Fatalf("%s %s: body %q is not JSON: %v", req.Method, req.URL, raw, err)
	}
	if got := r.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("%s %s: Content-Type = %q, want application/json", req.Method, req.URL, got)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("%s %s: Cache-Control = %q, want no-store", req.Method, req.URL, got)
	}
	if r.status == http.StatusOK {
		e.secret(r.str("access_token"))
		e.secret(r.str("refresh_token"))
	}
	return r
}

// formRequest is a POST /token with form as its urlencoded body.
func formRequest(form url.Values) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// post sends form to the token endpoint.
func (e *tokenEnv) post(t *testing.T, form url.Values) *tokenResponse {
	t.Helper()
	return e.serve(t, formRequest(form))
}

// wantGrant fails unless r is a successful token response carrying scope,
// and returns its refresh token.
func (e *tokenEnv) wantGrant(t *testing.T, r *tokenResponse, scope string) string {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, want 200: %s", r.status, r.raw)
	}
	keys := slices.Sorted(maps.Keys(r.body))
	if want := []string{"access_token", "expires_in", "refresh_token", "scope", "token_type"}; !slices.Equal(keys, want) {
		t.Errorf("response members = %q, want %q", keys, want)
	}
	if got := r.str("token_type"); got != "Bearer" {
		t.Errorf("token_type = %q, want Bearer", got)
	}
	if got, want := r.body["expires_in"], (15 * time.Minute).Seconds(); got != want {
		t.Errorf("expires_in = %v, want %v", got, want)
	}
	if got := r.str("scope"); got != scope {
		t.Errorf("scope = %q, want %q", got, scope)
	}
	if c := e.claims(t, r.str("access_token")); c.Scope != scope {
		t.Errorf("access token scope claim = %q, want %q", c.Scope, scope)
	}
	refresh := r.str("refresh_token")
	if len(refresh) < 43 {
		t.Errorf("refresh_token = %q, want at least 43 chars (256 bits)", refresh)
	}
	return refresh
}

// wantOAuthError fails unless r is an RFC 6749 §5.2 error with status,
// code and description.
func wantOAuthError(t *testing.T, r *tokenResponse, status int, code, description string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d, want %d: %s", r.status, status, r.raw)
	}
	if got := r.str("error"); got != code {
		t.Errorf("error = %q, want %q", got, code)
	}
	if got := r.str("error_description"); got != description {
		t.Errorf("error_description = %q, want %q", got, description)
	}
	for _, k := range []string{"access_token", "refresh_token"} {
		if _, ok := r.body[k]; ok {
			t.Errorf("error response holds %s: %s", k, r.raw)
		}
	}
}

func TestTokenPasswordGrant(t *testing.T) {
	t.Parallel()
	e := newTokenEnv(t)
	e.createUser(t, "alice", alicePassword, "me", "items")
	tests := []struct {
		name        string
		scope       *string // nil: no scope parameter
		contentType string
		want        string
	}{
		{"no scope: all granted", nil, "", "me items"},
		{"empty scope: all granted", ptr(""), "", "me items"},
		{"me items", ptr("me items"), "", "me items"},
		{"items me", ptr("items me"), "", "items me"},
		{"me", ptr("me"), "", "me"},
		{"extra spaces", ptr("  me   items "), "", "me items"},
		{"content type with charset", ptr("me"), "application/x-www-form-urlencoded; charset=utf-8", "me"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			form := url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {alicePassword}}
			if tt.scope != nil {
				form.Set("scope", *tt.scope)
			}
			req := formRequest(form)
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			r := e.serve(t, req)
			if got := r.header.Get("Pragma"); got != "no-cache" {
				t.Errorf("Pragma = %q, want no-cache", got)
			}
			refresh := e.wantGrant(t, r, tt.want)
			// The refresh token is a live one.
			if g, err := e.svc.Refresh(context.Background(), refresh); err != nil {
				t.Errorf("Refresh(refresh_token) = %v, want nil", err)
			} else if got := strings.Join(g.Scopes, " "); got != tt.want {
				t.Errorf("Refresh(refresh_token).Scopes = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTokenRefreshGrant(t *testing.T) {
	t.Parallel()
	e := newTokenEnv(t)
	e.createUser(t, "alice", alicePassword, "me", "items")
	login := e.post(t, url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {alicePassword}, "scope": {"me"}})
	r1 := e.wantGrant(t, login, "me")

	refreshed := e.post(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r1}})
	r2 := e.wantGrant(t, refreshed, "me") // the login's scopes, not all the user holds
	if r2 == r1 {
		t.Error("refresh grant returned the refresh token it was given")
	}
	if refreshed.str("access_token") == login.str("access_token") {
		t.Error("refresh grant returned the old access token")
	}
	if a, b := e.claims(t, login.str("access_token")), e.claims(t, refreshed.str("access_token")); a.SessionID != b.SessionID {
		t.Errorf("refreshed sid = %d, want %d", b.SessionID, a.SessionID)
	}

	// The old token is spent.
	old := e.post(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r1}})
	wantOAuthError(t, old, http.StatusBadRequest, "invalid_grant", msgRotated)

	r3 := e.wantGrant(t, e.post(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r2}}), "me")
	if r3 == r2 || r3 == r1 {
		t.Error("second refresh returned an old refresh token")
	}
}

func TestTokenRefreshReuseRevokes(t *testing.T) {
	t.Parallel()
	e := newTokenEnv(t)
	e.createUser(t, "alice", alicePassword, "me")
	refresh := func(raw string) *tokenResponse {
		return e.post(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {raw}})
	}
	r1 := e.wantGrant(t, e.post(t, url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {alicePassword}}), "me")
	r2 := e.wantGrant(t, refresh(r1), "me")
	r3 := e.wantGrant(t, refresh(r2), "me")

	wantOAuthError(t, refresh(r1), http.StatusBadRequest, "invalid_grant", msgReused)
	wantOAuthError(t, refresh(r3), http.StatusBadRequest, "invalid_grant", msgRevoked)
	wantOAuthError(t, refresh(r2), http.StatusBadRequest, "invalid_grant", msgRevoked)
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	e := newTokenEnv(t)
	e.createUser(t, "alice", alicePassword, "me", "items")
	e.createUser(t, "carol", "carol-password", "me")
	e.secret("carol-password")
	ctx := context.Background()

	// Refresh tokens in each dead state.
	revoked := e.login(t, "alice", alicePassword, nil).RefreshToken
	if err := e.svc.Logout(ctx, revoked); err != nil {
		t.Fatalf("Logout() = %v", err)
	}
	carol := e.login(t, "carol", "carol-password", nil).RefreshToken
	if err := e.svc.SetDisabled(ctx, "carol", true); err != nil {
		t.Fatalf("SetDisabled(carol) = %v", err)
	}
	for _, s := range []string{revoked, carol} {
		e.secret(s)
	}

	const (
		badRequest = http.StatusBadRequest
		formType   = "application/x-www-form-urlencoded"
	)
	password := "grant_type=password&username=alice&password=" + alicePassword
	tests := []struct {
		name        string
		method      string
		target      string
		contentType string
		body        string
		wantStatus  int
		wantCode    string
		wantDesc    string
	}{
		// The request itself.
		{"GET", http.MethodGet, "/token?" + password, "", "", http.StatusMethodNotAllowed, "invalid_request", "use POST"},
		{"PUT", http.MethodPut, "/token", formType, password, http.StatusMethodNotAllowed, "invalid_request", "use POST"},
		{"no content type", http.MethodPost, "/token", "", password, badRequest, "invalid_request", "the body must be application/x-www-form-urlencoded"},
		{"JSON body", http.MethodPost, "/token", "application/json", `{"grant_type":"password","username":"alice","password":"` + alicePassword + `"}`, badRequest, "invalid_request", "the body must be application/x-www-form-urlencoded"},
		{"multipart body", http.MethodPost, "/token", "multipart/form-data; boundary=x", "--x--", badRequest, "invalid_request", "the body must be application/x-www-form-urlencoded"},
		{"body over 64 KiB", http.MethodPost, "/token", formType, password + "&pad=" + strings.Repeat("x", 64<<10), badRequest, "invalid_request", "the body is not a valid form"},
		{"malformed form", http.MethodPost, "/token", formType, "grant_type=password&username=%zz", badRequest, "invalid_request", "the body is not a valid form"},
		{"empty body", http.MethodPost, "/token", formType, "", badRequest, "invalid_request", "grant_type is required"},
		{"parameters in the URL query", http.MethodPost, "/token?" + password, formType, "", badRequest, "invalid_request", "grant_type is required"},
		{"credentials in the URL query", http.MethodPost, "/token?username=alice&password=" + alicePassword, formType, "grant_type=password", badRequest, "invalid_request", "username is required"},
		{"repeated in query and body", http.MethodPost, "/token?grant_type=password", formType, password, http.StatusOK, "", ""},
		// Parameters.
		{"repeated grant_type", http.MethodPost, "/token", formType, password + "&grant_type=password", badRequest, "invalid_request", "parameter grant_type is repeated"},
		{"repeated username", http.MethodPost, "/token", formType, password + "&username=bob", badRequest, "invalid_request", "parameter username is repeated"},
		{"repeated password", http.MethodPost, "/token", formType, password + "&password=x", badRequest, "invalid_request", "parameter password is repeated"},
		{"repeated refresh_token", http.MethodPost, "/token", formType, "grant_type=refresh_token&refresh_token=a&refresh_token=b", badRequest, "invalid_request", "parameter refresh_token is repeated"},
		{"missing username", http.MethodPost, "/token", formType, "grant_type=password&password=" + alicePassword, badRequest, "invalid_request", "username is required"},
		{"empty username", http.MethodPost, "/token", formType, "grant_type=password&username=&password=" + alicePassword, badRequest, "invalid_request", "username is required"},
		{"missing password", http.MethodPost, "/token", formType, "grant_type=password&username=alice", badRequest, "invalid_request", "password is required"},
		{"missing refresh_token", http.MethodPost, "/token", formType, "grant_type=refresh_token", badRequest, "invalid_request", "refresh_token is required"},
		{"scope on refresh", http.MethodPost, "/token", formType, "grant_type=refresh_token&refresh_token=x&scope=me", badRequest, "invalid_request", "scope cannot be changed on refresh: the session keeps the scopes of its login"},
		{"client_credentials", http.MethodPost, "/token", formType, "grant_type=client_credentials", badRequest, "unsupported_grant_type", "grant_type client_credentials is not supported (use password or refresh_token)"},
		{"authorization_code", http.MethodPost, "/token", formType, "grant_type=authorization_code&code=x", badRequest, "unsupported_grant_type", "grant_type authorization_code is not supported (use password or refresh_token)"},
		{"grant_type case", http.MethodPost, "/token", formType, "grant_type=Password&username=alice&password=" + alicePassword, badRequest, "unsupported_grant_type", "grant_type Password is not supported (use password or refresh_token)"},
		// Grants.
		{"wrong password", http.MethodPost, "/token", formType, "grant_type=password&username=alice&password=wrong-password", badRequest, "invalid_grant", "incorrect username or password"},
		{"unknown user", http.MethodPost, "/token", formType, "grant_type=password&username=nobody&password=" + alicePassword, badRequest, "invalid_grant", "incorrect username or password"},
		{"disabled user", http.MethodPost, "/token", formType, "grant_type=password&username=carol&password=carol-password", badRequest, "invalid_grant", "user is disabled"},
		{"unknown scope", http.MethodPost, "/token", formType, password + "&scope=me+admin", badRequest, "invalid_scope", `unknown scope "admin" (known: [me items items:write users:read users:write])`},
		{"ungranted scope", http.MethodPost, "/token", formType, password + "&scope=me+users:write", badRequest, "invalid_scope", `scope "users:write" is not granted to this user`},
		{"garbage refresh token", http.MethodPost, "/token", formType, "grant_type=refresh_token&refresh_token=garbage", badRequest, "invalid_grant", msgInvalid},
		{"revoked refresh token", http.MethodPost, "/token", formType, "grant_type=refresh_token&refresh_token=" + revoked, badRequest, "invalid_grant", msgRevoked},
		{"refresh token of a disabled user", http.MethodPost, "/token", formType, "grant_type=refresh_token&refresh_token=" + carol, badRequest, "invalid_grant", "user is disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			r := e.serve(t, req)
			if tt.wantStatus == http.StatusOK {
				e.wantGrant(t, r, "me items")
				return
			}
			wantOAuthError(t, r, tt.wantStatus, tt.wantCode, tt.wantDesc)
			if allow := r.header.Get("Allow"); tt.wantStatus == http.StatusMethodNotAllowed && allow != http.MethodPost {
				t.Errorf("Allow = %q, want POST", allow)
			}
		})
	}
}

func TestTokenServerError(t *testing.T) {
	t.Parallel()
	e := newTokenEnv(t)
	e.createUser(t, "alice", alicePassword, "me")
	refresh := e.login(t, "alice", alicePassword, nil).RefreshToken
	e.secret(refresh)
	e.db.Close() // every query fails from now on

	for _, form := range []url.Values{
		{"grant_type": {"password"}, "username": {"alice"}, "password": {alicePassword}},
		{"grant_type": {"refresh_token"}, "refresh_token": {refresh}},
	} {
		r := e.post(t, form)
		wantOAuthError(t, r, http.StatusInternalServerError, "server_error", "internal server error")
	}
	// The failure is logged (the cleanup checks it holds no secret).
	if logs := e.logs.String(); strings.Count(logs, "token endpoint") != 2 {
		t.Errorf("log = %q, want two \"token endpoint\" lines", logs)
	}
}
