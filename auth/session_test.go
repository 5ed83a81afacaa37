package auth_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"gqlauth/auth"
	"gqlauth/ent"
	"gqlauth/ent/refreshtoken"
	"gqlauth/ent/session"
	"gqlauth/store"
	"gqlauth/store/storetest"
)

// sessionSecret signs the access tokens of the session tests.
var sessionSecret = []byte("session-tests-secret-0123456789abcdef")

// Messages of the refresh token failures, as the contract's clients see them.
const (
	msgRotated = "refresh token was already rotated: use the newest one"
	msgReused  = "refresh token was reused: the session has been revoked"
	msgRevoked = "refresh token has been revoked"
	msgExpired = "refresh token has expired"
	msgInvalid = "refresh token is invalid"
)

// sessionIssuer returns the issuer every session test service shares: two
// services built on it are two server instances with one secret.
func sessionIssuer(t testing.TB) *auth.Issuer {
	t.Helper()
	iss, err := auth.NewIssuer(auth.TokenConfig{Secret: sessionSecret, Issuer: "gqlauth", Audience: "gqlauth", TTL: 15 * time.Minute})
	if err != nil {
		t.Fatalf("NewIssuer() = %v", err)
	}
	return iss
}

// openStore opens url (migrated) and closes it when the test ends.
func openStore(t testing.TB, url string) *env {
	t.Helper()
	client, db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("store.Open(%q) = %v", url, err)
	}
	t.Cleanup(func() { db.Close() })
	return &env{client: client, db: db}
}

// newSessionEnv is newEnv with a database URL and session settings of the
// test's choosing.
func newSessionEnv(t testing.TB, url string, cfg auth.SessionConfig) *env {
	t.Helper()
	e := openStore(t, url)
	e.issuer = sessionIssuer(t)
	e.svc = withService(t, e.client, e.issuer, cfg)
	return e
}

// withService builds a Service on client at bcrypt's minimum cost.
func withService(t testing.TB, client *ent.Client, iss *auth.Issuer, cfg auth.SessionConfig) *auth.Service {
	t.Helper()
	pw, err := auth.NewPasswords(bcrypt.MinCost)
	if err != nil {
		t.Fatalf("NewPasswords(%d) = %v", bcrypt.MinCost, err)
	}
	return auth.NewService(client, pw, iss, cfg)
}

// graceful is the default for tests that do not probe the grace window.
var graceful = auth.SessionConfig{TTL: time.Hour, ReuseGrace: time.Hour}

// refresh calls Refresh, failing the test on error.
func (e *env) refresh(t *testing.T, raw string) *auth.Grant {
	t.Helper()
	g, err := e.svc.Refresh(context.Background(), raw)
	if err != nil {
		t.Fatalf("Refresh() = %v, want nil", err)
	}
	return g
}

// refreshFails fails unless Refresh(raw) is an ErrUnauthenticated with
// message msg and no grant.
func (e *env) refreshFails(t *testing.T, raw, msg string) {
	t.Helper()
	g, err := e.svc.Refresh(context.Background(), raw)
	if g != nil {
		t.Errorf("Refresh() = %+v, want nil", g)
	}
	wantErr(t, "Refresh()", err, auth.ErrUnauthenticated, msg)
}

// sessionOf returns the stored session a refresh token belongs to.
func (e *env) sessionOf(t *testing.T, raw string) *ent.Session {
	t.Helper()
	h := sha256.Sum256([]byte(raw))
	s, err := e.client.RefreshToken.Query().
		Where(refreshtoken.TokenHash(h[:])).
		QuerySession().
		Only(auth.AsSystem(context.Background()))
	if err != nil {
		t.Fatalf("session of refresh token: %v", err)
	}
	return s
}

// currentTokens counts the tokens of session id that were never rotated.
func (e *env) currentTokens(t *testing.T, id int) int {
	t.Helper()
	n, err := e.client.RefreshToken.Query().
		Where(refreshtoken.SessionID(id), refreshtoken.RotatedAtIsNil()).
		Count(auth.AsSystem(context.Background()))
	if err != nil {
		t.Fatalf("count current tokens: %v", err)
	}
	return n
}

// claims authenticates an access token and returns its claims.
func (e *env) claims(t *testing.T, access string) *auth.Claims {
	t.Helper()
	v, err := e.svc.Authenticate(context.Background(), access)
	if err != nil {
		t.Fatalf("Authenticate(access token) = %v, want nil", err)
	}
	return v.Claims
}

// viewer authenticates an access token.
func (e *env) viewer(t *testing.T, access string) *auth.Viewer {
	t.Helper()
	v, err := e.svc.Authenticate(context.Background(), access)
	if err != nil {
		t.Fatalf("Authenticate(access token) = %v, want nil", err)
	}
	return v
}

// counts returns how many sessions and refresh tokens are stored.
func (e *env) counts(t *testing.T) (sessions, tokens int) {
	t.Helper()
	ctx := auth.AsSystem(context.Background())
	sessions, err := e.client.Session.Query().Count(ctx)
	if err != nil {
		t.Fatalf("count sessions: %v", err)
	}
	tokens, err = e.client.RefreshToken.Query().Count(ctx)
	if err != nil {
		t.Fatalf("count refresh tokens: %v", err)
	}
	return sessions, tokens
}

func TestRefreshRotates(t *testing.T) {
	t.Parallel()
	e := newSessionEnv(t, storetest.URL(t), graceful)
	alice := e.createUser(t, "alice", alicePassword, "me", "items")
	g1 := e.login(t, "alice", alicePassword, nil)
	sess := e.sessionOf(t, g1.RefreshToken)
	sid := e.claims(t, g1.AccessToken).SessionID
	if sid == 0 || sid != sess.ID {
		t.Fatalf("login access token sid = %d, want the session ID %d", sid, sess.ID)
	}

	before := time.Now()
	g2 := e.refresh(t, g1.RefreshToken)
	if g2.RefreshToken == g1.RefreshToken || g2.AccessToken == g1.AccessToken {
		t.Error("Refresh() returned the tokens it was given")
	}
	if len(g2.RefreshToken) < 43 {
		t.Errorf("Refresh().RefreshToken has %d chars, want at least 43 (256 bits)", len(g2.RefreshToken))
	}
	if g2.TokenType() != "Bearer" {
		t.Errorf("Refresh().TokenType() = %q, want Bearer", g2.TokenType())
	}
	if want := int((15 * time.Minute).Seconds()); g2.ExpiresIn != want {
		t.Errorf("Refresh().ExpiresIn = %d, want %d", g2.ExpiresIn, want)
	}
	if !slices.Equal(g2.Scopes, []string{"me", "items"}) {
		t.Errorf("Refresh().Scopes = %q, want [me items]", g2.Scopes)
	}
	if g2.User == nil || g2.User.ID != alice.ID {
		t.Errorf("Refresh().User = %v, want alice (ID %d)", g2.User, alice.ID)
	}
	c2 := e.claims(t, g2.AccessToken)
	if c2.Scope != "me items" {
		t.Errorf("refreshed access token scope = %q, want \"me items\"", c2.Scope)
	}
	if c2.SessionID != sid {
		t.Errorf("refreshed access token sid = %d, want %d (the login's)", c2.SessionID, sid)
	}
	if got := e.sessionOf(t, g2.RefreshToken); got.ID != sess.ID {
		t.Errorf("new refresh token belongs to session %d, want %d", got.ID, sess.ID)
	} else if got.LastUsedAt.Before(before) {
		t.Errorf("session LastUsedAt = %v, want at least %v (the refresh)", got.LastUsedAt, before)
	}

	// The old token no longer works; within the grace window that does not
	// end the session.
	e.refreshFails(t, g1.RefreshToken, msgRotated)

	g3 := e.refresh(t, g2.RefreshToken)
	if c3 := e.claims(t, g3.AccessToken); c3.SessionID != sid {
		t.Errorf("second refresh sid = %d, want %d", c3.SessionID, sid)
	}
	if n := e.currentTokens(t, sess.ID); n != 1 {
		t.Errorf("current tokens of the session = %d, want 1", n)
	}
	if _, tokens := e.counts(t); tokens != 3 {
		t.Errorf("refresh tokens stored = %d, want 3 (two rotated, one current)", tokens)
	}
}

func TestRefreshReuse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		grace time.Duration
		// rotations before a token is presented again: 1 presents the
		// parent of the current token, 2 its grandparent.
		rotations int
		wait      time.Duration // between the last rotation and the reuse
		wantMsg   string
		revoked   bool
	}{
		{"parent within grace", time.Hour, 1, 0, msgRotated, false},
		{"parent with zero grace", 0, 1, time.Millisecond, msgReused, true},
		{"parent after the grace window", 100 * time.Millisecond, 1, 150 * time.Millisecond, msgReused, true},
		{"grandparent within grace", time.Hour, 2, 0, msgReused, true},
		{"grandparent with zero grace", 0, 2, time.Millisecond, msgReused, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newSessionEnv(t, storetest.URL(t), auth.SessionConfig{TTL: time.Hour, ReuseGrace: tt.grace})
			e.createUser(t, "alice", alicePassword, "me")
			first := e.login(t, "alice", alicePassword, nil)
			chain := []*auth.Grant{first}
			for range tt.rotations {
				chain = append(chain, e.refresh(t, chain[len(chain)-1].RefreshToken))
			}
			current := chain[len(chain)-1]
			time.Sleep(tt.wait)

			e.refreshFails(t, first.RefreshToken, tt.wantMsg)

			sess := e.sessionOf(t, current.RefreshToken)
			if got := sess.RevokedAt != nil; got != tt.revoked {
				t.Errorf("session revoked = %v, want %v", got, tt.revoked)
			}
			if !tt.revoked {
				// The session lives on: the current token still works.
				e.refresh(t, current.RefreshToken)
				return
			}
			// Every token of the session, the current one included, is dead.
			for i, g := range chain {
				e.refreshFails(t, g.RefreshToken, msgRevoked)
				if t.Failed() {
					t.Fatalf("token %d of the chain still worked", i)
				}
			}
			// Another login of the same user is untouched.
			other := e.login(t, "alice", alicePassword, nil)
			e.refresh(t, other.RefreshToken)
		})
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	e := newSessionEnv(t, storetest.URL(t), graceful)
	e.createUser(t, "alice", alicePassword, "me")
	g := e.login(t, "alice", alicePassword, nil)
	other := e.login(t, "alice", alicePassword, nil)
	ctx := context.Background()

	if err := e.svc.Logout(ctx, g.RefreshToken); err != nil {
		t.Fatalf("Logout() = %v, want nil", err)
	}
	e.refreshFails(t, g.RefreshToken, msgRevoked)
	if s := e.sessionOf(t, g.RefreshToken); s.RevokedAt == nil {
		t.Error("session RevokedAt = nil after Logout, want set")
	}
	// Only that session ended.
	e.refresh(t, other.RefreshToken)

	for _, raw := range []string{g.RefreshToken, "garbage", ""} {
		if err := e.svc.Logout(ctx, raw); err != nil {
			t.Errorf("Logout(%q) = %v, want nil", raw, err)
		}
	}
}

func TestLogoutAll(t *testing.T) {
	t.Parallel()
	e := newSessionEnv(t, storetest.URL(t), graceful)
	e.createUser(t, "alice", alicePassword, "me")
	e.createUser(t, "bob", "bob-password-1", "me")
	var grants []*auth.Grant
	for range 3 {
		grants = append(grants, e.login(t, "alice", alicePassword, nil))
	}
	bob := e.login(t, "bob", "bob-password-1", nil)
	v := e.viewer(t, grants[0].AccessToken)
	ctx := context.Background()

	n, err := e.svc.LogoutAll(ctx, v)
	if err != nil || n != 3 {
		t.Fatalf("LogoutAll() = %d, %v, want 3, nil", n, err)
	}
	for _, g := range grants {
		e.refreshFails(t, g.RefreshToken, msgRevoked)
	}
	e.refresh(t, bob.RefreshToken)

	// Nothing left to revoke.
	if n, err := e.svc.LogoutAll(ctx, v); err != nil || n != 0 {
		t.Errorf("second LogoutAll() = %d, %v, want 0, nil", n, err)
	}
}

func TestChangePasswordRefused(t *testing.T) {
	t.Parallel()
	const newPassword = "alice-new-password"
	tests := []struct {
		name    string
		current string
		next    string
		wantMsg string
	}{
		{"wrong current", "wrong-password", newPassword, "current password is incorrect"},
		{"empty current", "", newPassword, "current password is incorrect"},
		{"wrong current and weak new", "wrong-password", "short", "current password is incorrect"},
		{"new too short", alicePassword, "1234567", "password must be at least 8 bytes"},
		{"new empty", alicePassword, "", "password must be at least 8 bytes"},
		{"new too long", alicePassword, strings.Repeat("p", 73), "password must be at most 72 bytes (bcrypt ignores the rest)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newSessionEnv(t, storetest.URL(t), graceful)
			e.createUser(t, "alice", alicePassword, "me")
			g := e.login(t, "alice", alicePassword, nil)
			other := e.login(t, "alice", alicePassword, nil)
			v := e.viewer(t, g.AccessToken)

			n, err := e.svc.ChangePassword(context.Background(), v, tt.current, tt.next)
			if n != 0 {
				t.Errorf("ChangePassword() = %d, want 0", n)
			}
			wantErr(t, "ChangePassword()", err, auth.ErrInvalidInput, tt.wantMsg)

			// Nothing changed: the old password works, no session ended.
			e.login(t, "alice", alicePassword, nil)
			if _, err := e.svc.Login(context.Background(), "alice", tt.next, nil); err == nil {
				t.Errorf("Login(new password) = nil error after a refused change, want %v", auth.ErrInvalidCredentials)
			}
			e.refresh(t, g.RefreshToken)
			e.refresh(t, other.RefreshToken)
		})
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	const newPassword = "alice-new-password"
	e := newSessionEnv(t, storetest.URL(t), graceful)
	e.createUser(t, "alice", alicePassword, "me")
	e.createUser(t, "bob", "bob-password-1", "me")
	mine := e.login(t, "alice", alicePassword, nil)
	others := []*auth.Grant{e.login(t, "alice", alicePassword, nil), e.login(t, "alice", alicePassword, nil)}
	loggedOut := e.login(t, "alice", alicePassword, nil)
	bob := e.login(t, "bob", "bob-password-1", nil)
	ctx := context.Background()
	if err := e.svc.Logout(ctx, loggedOut.RefreshToken); err != nil {
		t.Fatalf("Logout() = %v", err)
	}
	// The viewer's token comes from a refresh: sid survives rotation.
	mine = e.refresh(t, mine.RefreshToken)
	v := e.viewer(t, mine.AccessToken)

	n, err := e.svc.ChangePassword(ctx, v, alicePassword, newPassword)
	if err != nil || n != 2 {
		t.Fatalf("ChangePassword() = %d, %v, want 2, nil (the live sessions but the viewer's)", n, err)
	}

	_, err = e.svc.Login(ctx, "alice", alicePassword, nil)
	wantErr(t, "Login(old password)", err, auth.ErrUnauthenticated, "incorrect username or password")
	e.login(t, "alice", newPassword, nil)

	e.refresh(t, mine.RefreshToken)
	for _, g := range others {
		e.refreshFails(t, g.RefreshToken, msgRevoked)
	}
	e.refresh(t, bob.RefreshToken)
}

func TestRefreshUserGone(t *testing.T) {
	t.Parallel()
	t.Run("disabled", func(t *testing.T) {
		t.Parallel()
		e := newSessionEnv(t, storetest.URL(t), graceful)
		e.createUser(t, "alice", alicePassword, "me")
		g := e.login(t, "alice", alicePassword, nil)
		ctx := context.Background()
		if err := e.svc.SetDisabled(ctx, "alice", true); err != nil {
			t.Fatalf("SetDisabled(alice, true) = %v", err)
		}
		e.refreshFails(t, g.RefreshToken, "user is disabled")
		e.refreshFails(t, g.RefreshToken, "user is disabled")

		// The refused refresh did not consume the token.
		if err := e.svc.SetDisabled(ctx, "alice", false); err != nil {
			t.Fatalf("SetDisabled(alice, false) = %v", err)
		}
		e.refresh(t, g.RefreshToken)
	})
	t.Run("deleted", func(t *testing.T) {
		t.Parallel()
		e := newSessionEnv(t, storetest.URL(t), graceful)
		alice := e.createUser(t, "alice", alicePassword, "me")
		g := e.login(t, "alice", alicePassword, nil)
		g = e.refresh(t, g.RefreshToken)
		if err := e.client.User.DeleteOneID(alice.ID).Exec(auth.AsSystem(context.Background())); err != nil {
			t.Fatalf("DeleteOneID(alice) = %v", err)
		}
		e.refreshFails(t, g.RefreshToken, msgInvalid)
		if sessions, tokens := e.counts(t); sessions != 0 || tokens != 0 {
			t.Errorf("after deleting the user: %d sessions, %d refresh tokens, want 0, 0", sessions, tokens)
		}
	})
}

func TestRefreshScopes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		login   []string // nil: all granted
		revoke  []string // user's scopes after login; nil: unchanged
		want    []string
		wantTok string
	}{
		{"all granted", nil, nil, []string{"me", "items", "items:write"}, "me items items:write"},
		{"narrowed at login", []string{"me"}, nil, []string{"me"}, "me"},
		{"none", []string{}, nil, []string{}, ""},
		{"scope removed from the user", nil, []string{"me", "items:write"}, []string{"me", "items:write"}, "me items:write"},
		{"narrowed, then removed", []string{"me", "items"}, []string{"items", "items:write"}, []string{"items"}, "items"},
		{"all removed", []string{"me"}, []string{}, []string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newSessionEnv(t, storetest.URL(t), graceful)
			alice := e.createUser(t, "alice", alicePassword, "me", "items", "items:write")
			g := e.login(t, "alice", alicePassword, tt.login)
			if tt.revoke != nil {
				err := e.client.User.UpdateOneID(alice.ID).SetScopes(tt.revoke).Exec(auth.AsSystem(context.Background()))
				if err != nil {
					t.Fatalf("update scopes: %v", err)
				}
			}
			for i := range 2 { // the second refresh must not bring anything back
				g = e.refresh(t, g.RefreshToken)
				if !slices.Equal(g.Scopes, tt.want) {
					t.Errorf("refresh %d: Scopes = %q, want %q", i+1, g.Scopes, tt.want)
				}
				if c := e.claims(t, g.AccessToken); c.Scope != tt.wantTok {
					t.Errorf("refresh %d: access token scope = %q, want %q", i+1, c.Scope, tt.wantTok)
				}
			}
		})
	}
}

func TestRefreshExpired(t *testing.T) {
	t.Parallel()
	const ttl = 300 * time.Millisecond
	e := newSessionEnv(t, storetest.URL(t), auth.SessionConfig{TTL: ttl, ReuseGrace: time.Hour})
	e.createUser(t, "alice", alicePassword, "me")
	start := time.Now()
	g := e.login(t, "alice", alicePassword, nil)
	rotated := g.RefreshToken
	g = e.refresh(t, g.RefreshToken) // alive before the TTL
	time.Sleep(time.Until(start.Add(ttl + 50*time.Millisecond)))

	e.refreshFails(t, g.RefreshToken, msgExpired)
	e.refreshFails(t, rotated, msgExpired)
	if s := e.sessionOf(t, g.RefreshToken); s.RevokedAt != nil {
		t.Errorf("expired session RevokedAt = %v, want nil (expiry is not reuse)", s.RevokedAt)
	}
}

func TestPurgeSessions(t *testing.T) {
	t.Parallel()
	e := newSessionEnv(t, storetest.URL(t), graceful)
	short := withService(t, e.client, e.issuer, auth.SessionConfig{TTL: time.Millisecond, ReuseGrace: time.Hour})
	e.createUser(t, "alice", alicePassword, "me")
	ctx := context.Background()

	// Live: one session rotated once (2 tokens), one fresh (1 token).
	live1 := e.refresh(t, e.login(t, "alice", alicePassword, nil).RefreshToken)
	live2 := e.login(t, "alice", alicePassword, nil)
	// Revoked by logout (1 token).
	out := e.login(t, "alice", alicePassword, nil)
	if err := e.svc.Logout(ctx, out.RefreshToken); err != nil {
		t.Fatalf("Logout() = %v", err)
	}
	// Revoked by reuse (3 tokens).
	r1 := e.login(t, "alice", alicePassword, nil)
	e.refresh(t, e.refresh(t, r1.RefreshToken).RefreshToken)
	e.refreshFails(t, r1.RefreshToken, msgReused)
	// Expired (1 token).
	if _, err := short.Login(ctx, "alice", alicePassword, nil); err != nil {
		t.Fatalf("Login() = %v", err)
	}
	time.Sleep(5 * time.Millisecond)

	if sessions, tokens := e.counts(t); sessions != 5 || tokens != 8 {
		t.Fatalf("before purge: %d sessions, %d tokens, want 5, 8", sessions, tokens)
	}
	n, err := e.svc.PurgeSessions(ctx)
	if err != nil || n != 3 {
		t.Fatalf("PurgeSessions() = %d, %v, want 3, nil", n, err)
	}
	if sessions, tokens := e.counts(t); sessions != 2 || tokens != 3 {
		t.Errorf("after purge: %d sessions, %d tokens, want 2, 3", sessions, tokens)
	}
	e.refresh(t, live1.RefreshToken)
	e.refresh(t, live2.RefreshToken)
	// A purged token is unknown now.
	e.refreshFails(t, out.RefreshToken, msgInvalid)

	if n, err := e.svc.PurgeSessions(ctx); err != nil || n != 0 {
		t.Errorf("second PurgeSessions() = %d, %v, want 0, nil", n, err)
	}
}

func TestRevokeUserSessions(t *testing.T) {
	t.Parallel()
	e := newSessionEnv(t, storetest.URL(t), graceful)
	e.createUser(t, "alice", alicePassword, "me")
	e.createUser(t, "bob", "bob-password-1", "me")
	alice := []*auth.Grant{e.login(t, "alice", alicePassword, nil), e.login(t, "alice", alicePassword, nil)}
	bob := e.login(t, "bob", "bob-password-1", nil)
	ctx := context.Background()

	n, err := e.svc.RevokeUserSessions(ctx, "alice")
	if err != nil || n != 2 {
		t.Fatalf("RevokeUserSessions(alice) = %d, %v, want 2, nil", n, err)
	}
	for _, g := range alice {
		e.refreshFails(t, g.RefreshToken, msgRevoked)
	}
	e.refresh(t, bob.RefreshToken)
	if n, err := e.svc.RevokeUserSessions(ctx, "alice"); err != nil || n != 0 {
		t.Errorf("second RevokeUserSessions(alice) = %d, %v, want 0, nil", n, err)
	}
	n, err = e.svc.RevokeUserSessions(ctx, "nobody")
	if n != 0 {
		t.Errorf("RevokeUserSessions(nobody) = %d, want 0", n)
	}
	wantErr(t, "RevokeUserSessions(nobody)", err, auth.ErrInvalidInput, `no user named "nobody"`)
}

// TestRevokeCountsLiveSessions: the revoking operations count (and touch)
// live sessions only, as their doc comments say; an expired session that
// the purge has not reached yet, or one already revoked, is not counted, so
// the answer does not depend on when the purge last ran.
func TestRevokeCountsLiveSessions(t *testing.T) {
	t.Parallel()
	const newPassword = "alice-new-password"
	tests := []struct {
		name   string
		revoke func(e *env, v *auth.Viewer) (int, error)
		want   int
	}{
		{"LogoutAll", func(e *env, v *auth.Viewer) (int, error) {
			return e.svc.LogoutAll(context.Background(), v)
		}, 2},
		{"ChangePassword", func(e *env, v *auth.Viewer) (int, error) {
			return e.svc.ChangePassword(context.Background(), v, alicePassword, newPassword)
		}, 1},
		{"RevokeUserSessions", func(e *env, v *auth.Viewer) (int, error) {
			return e.svc.RevokeUserSessions(context.Background(), "alice")
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newSessionEnv(t, storetest.URL(t), graceful)
			short := withService(t, e.client, e.issuer, auth.SessionConfig{TTL: time.Millisecond, ReuseGrace: time.Hour})
			e.createUser(t, "alice", alicePassword, "me")
			ctx := context.Background()
			mine := e.login(t, "alice", alicePassword, nil)
			e.login(t, "alice", alicePassword, nil) // another live session
			out := e.login(t, "alice", alicePassword, nil)
			if err := e.svc.Logout(ctx, out.RefreshToken); err != nil {
				t.Fatalf("Logout() = %v", err)
			}
			if _, err := short.Login(ctx, "alice", alicePassword, nil); err != nil {
				t.Fatalf("Login() = %v", err)
			}
			time.Sleep(5 * time.Millisecond) // the short session expires

			n, err := tt.revoke(e, e.viewer(t, mine.AccessToken))
			if err != nil || n != tt.want {
				t.Errorf("%s() = %d, %v, want %d, nil (live sessions only)", tt.name, n, err, tt.want)
			}
		})
	}
}

// raceRefresh presents raw to every service of svcs from perService
// goroutines each, all at once, and returns the grants and errors.
func raceRefresh(raw string, perService int, svcs ...*auth.Service) ([]*auth.Grant, []error) {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		grants []*auth.Grant
		errs   []error
		start  = make(chan struct{})
	)
	for _, svc := range svcs {
		for range perService {
			wg.Go(func() {
				<-start
				g, err := svc.Refresh(context.Background(), raw)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				} else {
					grants = append(grants, g)
				}
			})
		}
	}
	close(start)
	wg.Wait()
	return grants, errs
}

// checkRace checks the outcome of raceRefresh: exactly one successor, every
// other attempt refused as a rotated token (not as reuse, not as a locked
// database), and a session with exactly one current token.
func checkRace(t *testing.T, e *env, sessionID int, grants []*auth.Grant, errs []error) {
	t.Helper()
	if len(grants) != 1 {
		t.Fatalf("concurrent refreshes: %d succeeded, want exactly 1 (errors: %v)", len(grants), errs)
	}
	for _, err := range errs {
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
			t.Errorf("concurrent Refresh() = %v, want no locking error", err)
		} else if !errors.Is(err, auth.ErrUnauthenticated) || err.Error() != msgRotated {
			t.Errorf("concurrent Refresh() = %v, want ErrUnauthenticated %q", err, msgRotated)
		}
	}
	if n := e.currentTokens(t, sessionID); n != 1 {
		t.Errorf("current tokens of the session after the race = %d, want 1", n)
	}
	if n, err := e.client.RefreshToken.Query().Where(refreshtoken.SessionID(sessionID)).Count(auth.AsSystem(context.Background())); err != nil || n != 2 {
		t.Errorf("tokens of the session after the race = %d, %v, want 2 (the raced one and its successor)", n, err)
	}
	if s := e.sessionOf(t, grants[0].RefreshToken); s.ID != sessionID || s.RevokedAt != nil {
		t.Errorf("successor's session = %d revoked at %v, want live session %d", s.ID, s.RevokedAt, sessionID)
	}
}

func TestRefreshConcurrent(t *testing.T) {
	t.Parallel()
	e := newSessionEnv(t, storetest.FileURL(t), graceful)
	e.createUser(t, "alice", alicePassword, "me")
	g := e.login(t, "alice", alicePassword, nil)
	sid := e.sessionOf(t, g.RefreshToken).ID

	grants, errs := raceRefresh(g.RefreshToken, 20, e.svc)
	checkRace(t, e, sid, grants, errs)
	if t.Failed() {
		return
	}
	e.refresh(t, grants[0].RefreshToken)
}

func TestRefreshConcurrentTwoServers(t *testing.T) {
	t.Parallel()
	url := storetest.FileURL(t)
	a := newSessionEnv(t, url, graceful)
	b := newSessionEnv(t, url, graceful) // a second process: its own pool, same file
	a.createUser(t, "alice", alicePassword, "me")
	g := a.login(t, "alice", alicePassword, nil)
	sid := b.sessionOf(t, g.RefreshToken).ID

	grants, errs := raceRefresh(g.RefreshToken, 10, a.svc, b.svc)
	checkRace(t, a, sid, grants, errs)
	if t.Failed() {
		return
	}
	// Either instance continues the session.
	next := b.refresh(t, grants[0].RefreshToken)
	a.refresh(t, next.RefreshToken)
}

// TestPurgeSessionsComparesInstants stores session expiries written with
// other UTC offsets than the purging process's, as a server in another time
// zone, or this one before a daylight saving change, writes them: purge
// must compare instants, not the text of local times.
func TestPurgeSessionsComparesInstants(t *testing.T) {
	t.Parallel()
	e := newSessionEnv(t, storetest.URL(t), graceful)
	alice := e.createUser(t, "alice", alicePassword, "me")
	ctx := auth.AsSystem(context.Background())
	now := time.Now()
	tests := []struct {
		name    string
		expires time.Time
		live    bool
	}{
		{"live, written at UTC-05:00", now.Add(time.Hour).In(time.FixedZone("UTC-5", -5*3600)), true},
		{"live, written at UTC+05:00", now.Add(time.Hour).In(time.FixedZone("UTC+5", 5*3600)), true},
		{"expired, written at UTC+05:00", now.Add(-time.Hour).In(time.FixedZone("UTC+5", 5*3600)), false},
		{"expired, written at UTC-05:00", now.Add(-time.Hour).In(time.FixedZone("UTC-5", -5*3600)), false},
	}
	ids := make([]int, len(tests))
	for i, tt := range tests {
		s, err := e.client.Session.Create().SetUserID(alice.ID).SetExpiresAt(tt.expires).Save(ctx)
		if err != nil {
			t.Fatalf("create session %q: %v", tt.name, err)
		}
		ids[i] = s.ID
	}
	if _, err := e.svc.PurgeSessions(context.Background()); err != nil {
		t.Fatalf("PurgeSessions() = %v", err)
	}
	for i, tt := range tests {
		exists, err := e.client.Session.Query().Where(session.ID(ids[i])).Exist(ctx)
		if err != nil {
			t.Fatalf("query session: %v", err)
		}
		if exists != tt.live {
			t.Errorf("%s (expires %v): kept = %v after PurgeSessions(), want %v", tt.name, tt.expires, exists, tt.live)
		}
	}
}
