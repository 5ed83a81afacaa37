package graph_test

import (
	"slices"
	"testing"
)

const (
	loginMutation = `mutation($u: String!, $p: String!) {
		login(username: $u, password: $p) { accessToken refreshToken } }`
	refreshMutation = `mutation($r: String!) {
		refreshToken(refreshToken: $r) { accessToken tokenType expiresIn refreshToken scopes user { username } } }`
	logoutMutation         = `mutation($r: String!) { logout(refreshToken: $r) }`
	logoutAllMutation      = `mutation { logoutAll }`
	changePasswordMutation = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`
	meQuery                = `{ me { username } }`
)

// tokens is one login's pair of tokens.
type tokens struct{ access, refresh string }

// login logs name in through the login mutation, with every scope it holds.
func (e *env) login(t *testing.T, name, pass string) tokens {
	t.Helper()
	r := e.do(t, "", loginMutation, map[string]any{"u": name, "p": pass})
	if len(r.Errors) != 0 {
		t.Fatalf("login(%s) errors: %s", name, r.rawBody)
	}
	access, _ := get(r.Data, "login", "accessToken").(string)
	refresh, _ := get(r.Data, "login", "refreshToken").(string)
	if access == "" || refresh == "" {
		t.Fatalf("login(%s) = %s, want both tokens", name, r.rawBody)
	}
	return tokens{access, refresh}
}

// refresh runs the refreshToken mutation, failing the test on error.
func (e *env) refresh(t *testing.T, raw string) tokens {
	t.Helper()
	r := e.do(t, "", refreshMutation, map[string]any{"r": raw})
	if len(r.Errors) != 0 {
		t.Fatalf("refreshToken errors: %s", r.rawBody)
	}
	access, _ := get(r.Data, "refreshToken", "accessToken").(string)
	refresh, _ := get(r.Data, "refreshToken", "refreshToken").(string)
	return tokens{access, refresh}
}

// wantError fails unless r has exactly one error, with code and message,
// and field resolved to null.
func wantError(t *testing.T, r *response, field, code, msg string) {
	t.Helper()
	if got := r.code(t); got != code {
		t.Errorf("%s: code = %q, want %q", field, got, code)
	}
	if got := r.Errors[0].Message; got != msg {
		t.Errorf("%s: message = %q, want %q", field, got, msg)
	}
	if r.Data != nil && r.Data[field] != nil {
		t.Errorf("%s = %v with an error, want null", field, r.Data[field])
	}
}

// refreshFails fails unless refreshToken(raw) is UNAUTHENTICATED with msg.
func (e *env) refreshFails(t *testing.T, raw, msg string) {
	t.Helper()
	wantError(t, e.do(t, "", refreshMutation, map[string]any{"r": raw}), "refreshToken", "UNAUTHENTICATED", msg)
}

// wantMe fails unless access reads me as name.
func (e *env) wantMe(t *testing.T, access, name string) {
	t.Helper()
	r := e.do(t, access, meQuery, nil)
	if len(r.Errors) != 0 || get(r.Data, "me", "username") != name {
		t.Errorf("{ me } = %s, want %s", r.rawBody, name)
	}
}

func TestRefreshTokenMutation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "alice", "me")
	first := e.login(t, "alice", password)

	r := e.do(t, "", refreshMutation, map[string]any{"r": first.refresh})
	if len(r.Errors) != 0 {
		t.Fatalf("refreshToken errors: %s", r.rawBody)
	}
	p, _ := r.Data["refreshToken"].(map[string]any)
	if p["tokenType"] != "Bearer" {
		t.Errorf("tokenType = %v, want Bearer", p["tokenType"])
	}
	if p["expiresIn"] != float64(15*60) {
		t.Errorf("expiresIn = %v, want 900", p["expiresIn"])
	}
	if scopes, _ := p["scopes"].([]any); !slices.Equal(scopes, []any{"me"}) {
		t.Errorf("scopes = %v, want [me]", p["scopes"])
	}
	if get(p, "user", "username") != "alice" {
		t.Errorf("user = %v, want alice", p["user"])
	}
	second := tokens{p["accessToken"].(string), p["refreshToken"].(string)}
	if second.refresh == first.refresh || second.refresh == "" {
		t.Errorf("refreshToken = %q, want a new one", second.refresh)
	}
	if second.access == first.access {
		t.Error("accessToken is the old one")
	}
	e.wantMe(t, second.access, "alice")

	// The parent of the current token, again within the grace window: refused,
	// the session lives on.
	e.refreshFails(t, first.refresh, "refresh token was already rotated: use the newest one")
	third := e.refresh(t, second.refresh)
	e.wantMe(t, third.access, "alice")

	// An older token: the whole session ends.
	e.refreshFails(t, first.refresh, "refresh token was reused: the session has been revoked")
	e.refreshFails(t, third.refresh, "refresh token has been revoked")
}

func TestLogoutMutation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "alice", "me")
	session := e.login(t, "alice", password)
	other := e.login(t, "alice", password)

	for _, tt := range []struct{ name, token string }{
		{"live token", session.refresh},
		{"same token again", session.refresh},
		{"garbage", "garbage"},
		{"empty", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, "", logoutMutation, map[string]any{"r": tt.token})
			if len(r.Errors) != 0 || r.Data["logout"] != true {
				t.Errorf("logout(%q) = %s, want true", tt.token, r.rawBody)
			}
		})
	}
	e.refreshFails(t, session.refresh, "refresh token has been revoked")
	e.refresh(t, other.refresh)
}

func TestLogoutAllMutation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "alice", "me")
	e.user(t, "bob", "me")
	var sessions []tokens
	for range 3 {
		sessions = append(sessions, e.login(t, "alice", password))
	}
	bob := e.login(t, "bob", password)

	r := e.do(t, "", logoutAllMutation, nil)
	wantError(t, r, "logoutAll", "UNAUTHENTICATED", "authentication required: send Authorization: Bearer <access token>")
	bob = e.refresh(t, bob.refresh) // nothing was revoked

	r = e.do(t, sessions[0].access, logoutAllMutation, nil)
	if len(r.Errors) != 0 || r.Data["logoutAll"] != float64(3) {
		t.Fatalf("logoutAll = %s, want 3", r.rawBody)
	}
	for _, s := range sessions {
		e.refreshFails(t, s.refresh, "refresh token has been revoked")
	}
	// Access tokens live until they expire, as the schema says.
	e.wantMe(t, sessions[1].access, "alice")
	e.refresh(t, bob.refresh)

	r = e.do(t, sessions[0].access, logoutAllMutation, nil)
	if len(r.Errors) != 0 || r.Data["logoutAll"] != float64(0) {
		t.Errorf("second logoutAll = %s, want 0", r.rawBody)
	}
}

func TestChangePasswordMutation(t *testing.T) {
	t.Parallel()
	const newPassword = "a-better-password"
	e := newEnv(t)
	e.user(t, "alice", "me")
	mine := e.login(t, "alice", password)
	others := []tokens{e.login(t, "alice", password), e.login(t, "alice", password)}

	tests := []struct {
		name    string
		token   string
		current string
		next    string
		code    string
		msg     string
	}{
		{"no token", "", password, newPassword, "UNAUTHENTICATED", "authentication required: send Authorization: Bearer <access token>"},
		{"bad token", "garbage", password, newPassword, "UNAUTHENTICATED", "access token is malformed"},
		{"wrong current password", mine.access, "wrong-password", newPassword, "BAD_USER_INPUT", "current password is incorrect"},
		{"weak new password", mine.access, password, "short", "BAD_USER_INPUT", "password must be at least 8 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the successful change below runs after the rows.
			r := e.do(t, tt.token, changePasswordMutation, map[string]any{"c": tt.current, "n": tt.next})
			wantError(t, r, "changePassword", tt.code, tt.msg)
		})
	}
	e.login(t, "alice", password) // still the password: a fourth session
	r := e.do(t, mine.access, changePasswordMutation, map[string]any{"c": password, "n": newPassword})
	if len(r.Errors) != 0 || r.Data["changePassword"] != float64(3) {
		t.Fatalf("changePassword = %s, want 3 (every other session)", r.rawBody)
	}

	r = e.do(t, "", loginMutation, map[string]any{"u": "alice", "p": password})
	wantError(t, r, "login", "UNAUTHENTICATED", "incorrect username or password")
	e.login(t, "alice", newPassword)

	e.refresh(t, mine.refresh)
	for _, s := range others {
		e.refreshFails(t, s.refresh, "refresh token has been revoked")
	}
}
