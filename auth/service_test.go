package auth_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/privacy"

	"gqlauth/auth"
	"gqlauth/ent"
	"gqlauth/ent/user"
	"gqlauth/store"
	"gqlauth/store/storetest"
)

// env is one test's service over its own in-memory database.
type env struct {
	svc    *auth.Service
	client *ent.Client
	db     *sql.DB
	issuer *auth.Issuer
}

// newEnv opens a private in-memory store and builds a Service on it.
func newEnv(t *testing.T) *env {
	t.Helper()
	client, db, err := store.Open(context.Background(), storetest.URL(t))
	if err != nil {
		t.Fatalf("store.Open = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	iss := newIssuer(t, time.Hour)
	return &env{
		svc:    auth.NewService(client, newPasswords(t), iss, auth.SessionConfig{TTL: time.Hour, ReuseGrace: 10 * time.Second}),
		client: client,
		db:     db,
		issuer: iss,
	}
}

// createUser stores a user as the system, failing the test on error.
func (e *env) createUser(t *testing.T, username, password string, scopes ...string) *ent.User {
	t.Helper()
	u, err := e.svc.CreateUser(auth.AsSystem(context.Background()), auth.NewUser{
		Username: username,
		Password: password,
		Scopes:   scopes,
	})
	if err != nil {
		t.Fatalf("CreateUser(%q) = %v", username, err)
	}
	return u
}

// login logs in, failing the test on error.
func (e *env) login(t *testing.T, username, password string, scopes []string) *auth.Grant {
	t.Helper()
	g, err := e.svc.Login(context.Background(), username, password, scopes)
	if err != nil {
		t.Fatalf("Login(%q, %q) = %v", username, scopes, err)
	}
	return g
}

// wantErr fails unless err is kind with exactly message msg.
func wantErr(t *testing.T, call string, err, kind error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s = nil error, want %v %q", call, kind, msg)
	}
	if !errors.Is(err, kind) {
		t.Errorf("%s = %v, want errors.Is(err, %v)", call, err, kind)
	}
	if err.Error() != msg {
		t.Errorf("%s = %q, want %q", call, err.Error(), msg)
	}
}

const alicePassword = "alice-password-1"

func TestLoginSuccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.createUser(t, "alice", alicePassword, "me", "items")

	g := e.login(t, "alice", alicePassword, nil)
	if g.TokenType() != "Bearer" {
		t.Errorf("TokenType() = %q, want Bearer", g.TokenType())
	}
	if want := int(time.Hour / time.Second); g.ExpiresIn != want {
		t.Errorf("ExpiresIn = %d, want %d", g.ExpiresIn, want)
	}
	if len(g.RefreshToken) < 43 {
		t.Errorf("RefreshToken = %q (%d chars), want at least 43 (256 bits)", g.RefreshToken, len(g.RefreshToken))
	}
	if g.RefreshToken == g.AccessToken {
		t.Error("RefreshToken equals AccessToken")
	}
	if !slices.Equal(g.Scopes, []string{"me", "items"}) {
		t.Errorf("Scopes = %q, want [me items]", g.Scopes)
	}
	if g.User == nil || g.User.ID != alice.ID || g.User.Username != "alice" {
		t.Errorf("User = %v, want alice (ID %d)", g.User, alice.ID)
	}

	c, err := e.issuer.Verify(g.AccessToken)
	if err != nil {
		t.Fatalf("Verify(AccessToken) = %v, want nil", err)
	}
	if want := strconv.Itoa(alice.ID); c.Subject != want {
		t.Errorf("sub = %q, want %q (the user ID, not the username)", c.Subject, want)
	}
	if c.Scope != "me items" {
		t.Errorf("scope claim = %q, want \"me items\"", c.Scope)
	}
	if got := c.ExpiresAt.Sub(c.IssuedAt.Time); got != time.Hour {
		t.Errorf("exp - iat = %v, want %v", got, time.Hour)
	}

	// Each login is a new session with its own tokens.
	g2 := e.login(t, "alice", alicePassword, nil)
	if g2.RefreshToken == g.RefreshToken || g2.AccessToken == g.AccessToken {
		t.Error("two logins returned the same tokens")
	}
}

func TestLoginScopes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser(t, "alice", alicePassword, "me", "items", "items:write")
	tests := []struct {
		name    string
		scopes  []string
		want    []string
		wantMsg string // non-empty: an ErrInvalidInput with this message
	}{
		{"nil is all granted", nil, []string{"me", "items", "items:write"}, ""},
		{"empty is none", []string{}, []string{}, ""},
		{"subset", []string{"items"}, []string{"items"}, ""},
		{"subset reordered", []string{"items:write", "me"}, []string{"items:write", "me"}, ""},
		{"duplicates dropped", []string{"me", "me"}, []string{"me"}, ""},
		{"ungranted", []string{"me", "users:write"}, nil, `scope "users:write" is not granted to this user`},
		{"unknown", []string{"me", "admin"}, nil, `unknown scope "admin" (known: [me items items:write users:read users:write])`},
		{"empty string scope", []string{""}, nil, `unknown scope "" (known: [me items items:write users:read users:write])`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, err := e.svc.Login(context.Background(), "alice", alicePassword, tt.scopes)
			if tt.wantMsg != "" {
				if g != nil {
					t.Errorf("Login(%q) = %+v, want nil", tt.scopes, g)
				}
				wantErr(t, fmt.Sprintf("Login(%q)", tt.scopes), err, auth.ErrInvalidInput, tt.wantMsg)
				return
			}
			if err != nil {
				t.Fatalf("Login(%q) = %v, want nil", tt.scopes, err)
			}
			if !slices.Equal(g.Scopes, tt.want) {
				t.Errorf("Login(%q).Scopes = %q, want %q", tt.scopes, g.Scopes, tt.want)
			}
			c, err := e.issuer.Verify(g.AccessToken)
			if err != nil {
				t.Fatalf("Verify(AccessToken) = %v", err)
			}
			if want := strings.Join(tt.want, " "); c.Scope != want {
				t.Errorf("Login(%q) token scope = %q, want %q", tt.scopes, c.Scope, want)
			}
		})
	}
}

func TestLoginFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser(t, "alice", alicePassword, "me")
	ctx := auth.AsSystem(context.Background())
	if _, err := e.svc.CreateUser(ctx, auth.NewUser{Username: "bob", Password: "bob-password-1", Scopes: []string{"me"}, Disabled: true}); err != nil {
		t.Fatalf("CreateUser(bob) = %v", err)
	}
	const badCreds = "incorrect username or password"
	tests := []struct {
		name     string
		username string
		password string
		wantMsg  string
	}{
		{"wrong password", "alice", "wrong-password", badCreds},
		{"empty password", "alice", "", badCreds},
		{"password with a trailing byte", "alice", alicePassword + " ", badCreds},
		{"unknown user", "nobody", alicePassword, badCreds},
		{"username case differs", "Alice", alicePassword, badCreds},
		{"empty username", "", alicePassword, badCreds},
		{"disabled user", "bob", "bob-password-1", "user is disabled"},
		// A wrong password does not reveal that the account is disabled.
		{"disabled user, wrong password", "bob", "wrong-password", badCreds},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the session count below runs after the rows.
			g, err := e.svc.Login(context.Background(), tt.username, tt.password, nil)
			if g != nil {
				t.Errorf("Login(%q, %q) = %+v, want nil", tt.username, tt.password, g)
			}
			wantErr(t, fmt.Sprintf("Login(%q, %q)", tt.username, tt.password), err, auth.ErrUnauthenticated, tt.wantMsg)
		})
	}

	// No failed login leaves a session behind.
	n, err := e.client.Session.Query().Count(ctx)
	if err != nil {
		t.Fatalf("count sessions: %v", err)
	}
	if n != 0 {
		t.Errorf("sessions after failed logins = %d, want 0", n)
	}
}

func TestRefreshTokenStoredHashed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.createUser(t, "alice", alicePassword, "me", "items")
	g := e.login(t, "alice", alicePassword, []string{"me"})

	ctx := auth.AsSystem(context.Background())
	sessions, err := e.client.Session.Query().All(ctx)
	if err != nil {
		t.Fatalf("Session.Query().All() = %v", err)
	}
	if len(sessions) != 1 {
		t.Fatalf("sessions = %d, want 1", len(sessions))
	}
	s := sessions[0]
	tokens, err := e.client.RefreshToken.Query().All(ctx)
	if err != nil || len(tokens) != 1 {
		t.Fatalf("RefreshToken.Query().All() = %d tokens, %v; want 1", len(tokens), err)
	}
	want := sha256.Sum256([]byte(g.RefreshToken))
	if !bytes.Equal(tokens[0].TokenHash, want[:]) || tokens[0].SessionID != s.ID {
		t.Errorf("token = hash %x of session %d, want sha256(refresh token) = %x of session %d", tokens[0].TokenHash, tokens[0].SessionID, want, s.ID)
	}
	if s.UserID != alice.ID {
		t.Errorf("session UserID = %d, want %d", s.UserID, alice.ID)
	}
	if !slices.Equal(s.Scopes, []string{"me"}) {
		t.Errorf("session Scopes = %q, want [me]", s.Scopes)
	}
	if got := s.ExpiresAt.Sub(s.CreatedAt); got != time.Hour {
		t.Errorf("session lifetime = %v, want %v", got, time.Hour)
	}
	if s.RevokedAt != nil {
		t.Errorf("session RevokedAt = %v, want nil", s.RevokedAt)
	}

	// No column of any session or token row holds the plaintext token.
	for _, table := range []string{"sessions", "refresh_tokens"} {
		assertNoPlaintext(t, e, table, g.RefreshToken)
	}
}

func assertNoPlaintext(t *testing.T, e *env, table, refresh string) {
	t.Helper()
	rows, err := e.db.QueryContext(context.Background(), "SELECT * FROM "+table)
	if err != nil {
		t.Fatalf("select sessions: %v", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	nrows := 0
	for rows.Next() {
		nrows++
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			var text string
			switch v := v.(type) {
			case string:
				text = v
			case []byte:
				text = string(v)
			default:
				text = fmt.Sprint(v)
			}
			if strings.Contains(text, refresh) {
				t.Errorf("%s.%s holds the plaintext refresh token", table, cols[i])
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if nrows != 1 {
		t.Errorf("SELECT * FROM %s returned %d rows, want 1", table, nrows)
	}
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.createUser(t, "alice", alicePassword, "me", "items")
	g := e.login(t, "alice", alicePassword, nil)

	v, err := e.svc.Authenticate(context.Background(), g.AccessToken)
	if err != nil {
		t.Fatalf("Authenticate(access token) = %v, want nil", err)
	}
	if v.User == nil || v.User.ID != alice.ID || v.User.Username != "alice" {
		t.Errorf("Viewer.User = %v, want alice (ID %d)", v.User, alice.ID)
	}
	if !slices.Equal(v.Scopes, []string{"me", "items"}) {
		t.Errorf("Viewer.Scopes = %q, want [me items]", v.Scopes)
	}
	if v.Claims == nil || v.Claims.Subject != strconv.Itoa(alice.ID) {
		t.Errorf("Viewer.Claims = %+v, want sub %d", v.Claims, alice.ID)
	}

	// A narrower token gives a narrower viewer.
	narrow := e.login(t, "alice", alicePassword, []string{"items"})
	v, err = e.svc.Authenticate(context.Background(), narrow.AccessToken)
	if err != nil {
		t.Fatalf("Authenticate(narrow token) = %v", err)
	}
	if !slices.Equal(v.Scopes, []string{"items"}) {
		t.Errorf("Viewer.Scopes = %q, want [items]", v.Scopes)
	}
	if v.HasScope("me") {
		t.Error(`Viewer.HasScope("me") = true for a token without it`)
	}
}

func TestAuthenticateRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		token   func(t *testing.T, e *env) string
		wantMsg string
	}{
		{"garbage", func(*testing.T, *env) string { return "garbage" }, "access token is malformed"},
		{"empty", func(*testing.T, *env) string { return "" }, "access token is malformed"},
		{"user deleted", func(t *testing.T, e *env) string {
			u := e.createUser(t, "carol", "carol-password", "me")
			g := e.login(t, "carol", "carol-password", nil)
			ctx := auth.AsSystem(context.Background())
			// Deleting a user deletes their sessions (ON DELETE CASCADE).
			if err := e.client.User.DeleteOneID(u.ID).Exec(ctx); err != nil {
				t.Fatalf("DeleteOneID(%d) = %v", u.ID, err)
			}
			return g.AccessToken
		}, "access token user no longer exists"},
		{"user never existed", func(t *testing.T, e *env) string {
			raw, _, err := e.issuer.Sign(999999, 0, []string{"me"})
			if err != nil {
				t.Fatal(err)
			}
			return raw
		}, "access token user no longer exists"},
		{"user disabled after issue", func(t *testing.T, e *env) string {
			e.createUser(t, "dave", "dave-password", "me")
			g := e.login(t, "dave", "dave-password", nil)
			if err := e.svc.SetDisabled(context.Background(), "dave", true); err != nil {
				t.Fatalf("SetDisabled(dave, true) = %v", err)
			}
			return g.AccessToken
		}, "user is disabled"},
		{"signed by another secret", func(t *testing.T, e *env) string {
			u := e.createUser(t, "erin", "erin-password", "me")
			other, err := auth.NewIssuer(auth.TokenConfig{Secret: []byte(strings.Repeat("z", 32)), Issuer: testIssuer, Audience: testAudience, TTL: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			raw, _, err := other.Sign(u.ID, 0, []string{"me"})
			if err != nil {
				t.Fatal(err)
			}
			return raw
		}, "access token key is unknown"}, // its kid names the other secret
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			raw := tt.token(t, e)
			v, err := e.svc.Authenticate(context.Background(), raw)
			if v != nil {
				t.Errorf("Authenticate() = %+v, want nil", v)
			}
			wantErr(t, "Authenticate()", err, auth.ErrUnauthenticated, tt.wantMsg)
		})
	}
}

func TestAuthenticateReenabledUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser(t, "alice", alicePassword, "me")
	g := e.login(t, "alice", alicePassword, nil)
	ctx := context.Background()
	if err := e.svc.SetDisabled(ctx, "alice", true); err != nil {
		t.Fatalf("SetDisabled(alice, true) = %v", err)
	}
	if _, err := e.svc.Login(ctx, "alice", alicePassword, nil); !errors.Is(err, auth.ErrUserDisabled) {
		t.Errorf("Login(disabled alice) = %v, want %v", err, auth.ErrUserDisabled)
	}
	if err := e.svc.SetDisabled(ctx, "alice", false); err != nil {
		t.Fatalf("SetDisabled(alice, false) = %v", err)
	}
	if _, err := e.svc.Authenticate(ctx, g.AccessToken); err != nil {
		t.Errorf("Authenticate(token of re-enabled user) = %v, want nil", err)
	}
	if _, err := e.svc.Login(ctx, "alice", alicePassword, nil); err != nil {
		t.Errorf("Login(re-enabled alice) = %v, want nil", err)
	}
}

func TestAuthenticateScopeRevoked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.createUser(t, "alice", alicePassword, "me", "items", "items:write")
	g := e.login(t, "alice", alicePassword, nil)

	ctx := auth.AsSystem(context.Background())
	if err := e.client.User.UpdateOneID(alice.ID).SetScopes([]string{"me", "items:write"}).Exec(ctx); err != nil {
		t.Fatalf("update scopes: %v", err)
	}
	v, err := e.svc.Authenticate(context.Background(), g.AccessToken)
	if err != nil {
		t.Fatalf("Authenticate() = %v, want nil", err)
	}
	if !slices.Equal(v.Scopes, []string{"me", "items:write"}) {
		t.Errorf("Viewer.Scopes after items was removed = %q, want [me items:write]", v.Scopes)
	}
	if v.HasScope("items") {
		t.Error(`Viewer.HasScope("items") = true after the scope was removed from the user`)
	}

	// Granting a scope later does not widen an old token.
	if err := e.client.User.UpdateOneID(alice.ID).SetScopes(auth.Scopes).Exec(ctx); err != nil {
		t.Fatalf("update scopes: %v", err)
	}
	v, err = e.svc.Authenticate(context.Background(), g.AccessToken)
	if err != nil {
		t.Fatalf("Authenticate() = %v, want nil", err)
	}
	if !slices.Equal(v.Scopes, []string{"me", "items", "items:write"}) {
		t.Errorf("Viewer.Scopes after users:* were granted = %q, want the token's [me items items:write]", v.Scopes)
	}
}

func ptr(s string) *string { return &s }

func TestCreateUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := auth.AsSystem(context.Background())
	u, err := e.svc.CreateUser(ctx, auth.NewUser{
		Username: "alice.smith@example",
		Password: alicePassword,
		Email:    ptr("alice@example.com"),
		FullName: ptr("Alice Smith"),
		Scopes:   []string{"me", "items", "me"},
	})
	if err != nil {
		t.Fatalf("CreateUser() = %v, want nil", err)
	}
	if u.Username != "alice.smith@example" {
		t.Errorf("Username = %q, want alice.smith@example", u.Username)
	}
	if u.Email == nil || *u.Email != "alice@example.com" {
		t.Errorf("Email = %v, want alice@example.com", u.Email)
	}
	if u.FullName == nil || *u.FullName != "Alice Smith" {
		t.Errorf("FullName = %v, want Alice Smith", u.FullName)
	}
	if !slices.Equal(u.Scopes, []string{"me", "items"}) {
		t.Errorf("Scopes = %q, want [me items] (duplicates dropped)", u.Scopes)
	}
	if u.Disabled {
		t.Error("Disabled = true, want false")
	}
	if u.PasswordHash == alicePassword || !strings.HasPrefix(u.PasswordHash, "$2") {
		t.Errorf("PasswordHash = %q, want a bcrypt hash", u.PasswordHash)
	}

	stored, err := e.client.User.Query().Where(user.Username("alice.smith@example")).Only(ctx)
	if err != nil {
		t.Fatalf("query created user: %v", err)
	}
	if stored.ID != u.ID || stored.PasswordHash != u.PasswordHash {
		t.Errorf("stored user = %v, want %v", stored, u)
	}
	if _, err := e.svc.Login(context.Background(), "alice.smith@example", alicePassword, nil); err != nil {
		t.Errorf("Login(new user) = %v, want nil", err)
	}

	// Nil scopes: none.
	none, err := e.svc.CreateUser(ctx, auth.NewUser{Username: "nobody", Password: alicePassword})
	if err != nil {
		t.Fatalf("CreateUser(no scopes) = %v", err)
	}
	if len(none.Scopes) != 0 {
		t.Errorf("Scopes = %q, want none", none.Scopes)
	}
}

func TestCreateUserInvalid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser(t, "taken", alicePassword, "me")
	const badName = "username must be 3 to 64 letters, digits or . _ @ -, starting with a letter or digit"
	valid := func(edit func(*auth.NewUser)) auth.NewUser {
		u := auth.NewUser{Username: "newuser", Password: alicePassword, Scopes: []string{"me"}}
		edit(&u)
		return u
	}
	tests := []struct {
		name     string
		user     auth.NewUser
		wantMsg  string // exact message, or
		contains string // a part of it
	}{
		{"empty username", valid(func(u *auth.NewUser) { u.Username = "" }), badName, ""},
		{"username 2 chars", valid(func(u *auth.NewUser) { u.Username = "ab" }), badName, ""},
		{"username 65 chars", valid(func(u *auth.NewUser) { u.Username = strings.Repeat("a", 65) }), badName, ""},
		{"username starts with dash", valid(func(u *auth.NewUser) { u.Username = "-alice" }), badName, ""},
		{"username starts with dot", valid(func(u *auth.NewUser) { u.Username = ".alice" }), badName, ""},
		{"username with space", valid(func(u *auth.NewUser) { u.Username = "alice smith" }), badName, ""},
		{"username with newline", valid(func(u *auth.NewUser) { u.Username = "alice\n" }), badName, ""},
		{"username non-ASCII", valid(func(u *auth.NewUser) { u.Username = "ålice" }), badName, ""},
		{"username with slash", valid(func(u *auth.NewUser) { u.Username = "alice/bob" }), badName, ""},
		{"password 7 bytes", valid(func(u *auth.NewUser) { u.Password = "1234567" }), "password must be at least 8 bytes", ""},
		{"password empty", valid(func(u *auth.NewUser) { u.Password = "" }), "password must be at least 8 bytes", ""},
		{"password 73 bytes", valid(func(u *auth.NewUser) { u.Password = strings.Repeat("p", 73) }), "password must be at most 72 bytes (bcrypt ignores the rest)", ""},
		{"unknown scope", valid(func(u *auth.NewUser) { u.Scopes = []string{"me", "root"} }), `unknown scope "root" (known: [me items items:write users:read users:write])`, ""},
		{"email without @", valid(func(u *auth.NewUser) { u.Email = ptr("not-an-email") }), `email "not-an-email" is not a valid address`, ""},
		{"email empty", valid(func(u *auth.NewUser) { u.Email = ptr("") }), `email "" is not a valid address`, ""},
		{"email with display name", valid(func(u *auth.NewUser) { u.Email = ptr("Alice <alice@example.com>") }), `email "Alice <alice@example.com>" is not a valid address`, ""},
		{"email with trailing space", valid(func(u *auth.NewUser) { u.Email = ptr("alice@example.com ") }), `email "alice@example.com " is not a valid address`, ""},
		{"email too long", valid(func(u *auth.NewUser) {
			u.Email = ptr(strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com")
		}), "", "is not a valid address"},
		{"full name too long", valid(func(u *auth.NewUser) { u.FullName = ptr(strings.Repeat("n", 201)) }), "full name must be at most 200 bytes", ""},
		{"duplicate username", valid(func(u *auth.NewUser) { u.Username = "taken" }), `username "taken" is already taken`, "already taken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the user count below runs after the rows.
			u, err := e.svc.CreateUser(auth.AsSystem(context.Background()), tt.user)
			if err == nil {
				t.Fatalf("CreateUser(%+v) = %v, nil, want ErrInvalidInput", tt.user, u)
			}
			if u != nil {
				t.Errorf("CreateUser() = %v with an error, want nil", u)
			}
			if !errors.Is(err, auth.ErrInvalidInput) {
				t.Errorf("CreateUser(%q) = %v, want errors.Is(err, ErrInvalidInput)", tt.user.Username, err)
			}
			if tt.wantMsg != "" && err.Error() != tt.wantMsg {
				t.Errorf("CreateUser(%q) = %q, want %q", tt.user.Username, err.Error(), tt.wantMsg)
			}
			if tt.contains != "" && !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("CreateUser(%q) = %q, want it to mention %q", tt.user.Username, err.Error(), tt.contains)
			}
		})
	}

	// Only "taken" exists: no refused user was stored.
	n, err := e.client.User.Query().Count(auth.AsSystem(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("users after refused creations = %d, want 1", n)
	}
}

func TestCreateUserAcceptsBoundaries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name string
		user auth.NewUser
	}{
		{"username 3 chars", auth.NewUser{Username: "abc", Password: alicePassword}},
		{"username 64 chars", auth.NewUser{Username: strings.Repeat("u", 64), Password: alicePassword}},
		{"username with . _ @ -", auth.NewUser{Username: "a.b_c@d-e", Password: alicePassword}},
		{"password 8 bytes", auth.NewUser{Username: "eight", Password: "12345678"}},
		{"password 72 bytes", auth.NewUser{Username: "seventytwo", Password: strings.Repeat("p", 72)}},
		{"full name 200 bytes", auth.NewUser{Username: "longname", Password: alicePassword, FullName: ptr(strings.Repeat("n", 200))}},
		{"every scope", auth.NewUser{Username: "admin", Password: alicePassword, Scopes: auth.Scopes}},
		{"disabled", auth.NewUser{Username: "off", Password: alicePassword, Disabled: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := e.svc.CreateUser(auth.AsSystem(context.Background()), tt.user)
			if err != nil {
				t.Fatalf("CreateUser(%q) = %v, want nil", tt.user.Username, err)
			}
			if u.Username != tt.user.Username || u.Disabled != tt.user.Disabled {
				t.Errorf("CreateUser() = %v, want username %q disabled %v", u, tt.user.Username, tt.user.Disabled)
			}
		})
	}
}

func TestCreateUserAsViewer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.createUser(t, "admin", alicePassword, auth.Scopes...)
	asAdmin := auth.WithViewer(context.Background(), &auth.Viewer{User: admin, Scopes: []string{"users:write", "me"}})

	tests := []struct {
		name    string
		scopes  []string
		wantMsg string
	}{
		{"grant me", []string{"me"}, ""},
		{"grant users:write and me", []string{"users:write", "me"}, ""},
		{"grant nothing", nil, ""},
		// The admin user holds items, but the token does not carry it.
		{"grant items", []string{"items"}, `cannot grant scope "items": your token does not carry it`},
		{"grant me and users:read", []string{"me", "users:read"}, `cannot grant scope "users:read": your token does not carry it`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name := fmt.Sprintf("user%d", i)
			u, err := e.svc.CreateUser(asAdmin, auth.NewUser{Username: name, Password: alicePassword, Scopes: tt.scopes})
			if tt.wantMsg != "" {
				wantErr(t, fmt.Sprintf("CreateUser(scopes %q) as viewer", tt.scopes), err, auth.ErrInvalidInput, tt.wantMsg)
				exists, err := e.client.User.Query().Where(user.Username(name)).Exist(auth.AsSystem(context.Background()))
				if err != nil || exists {
					t.Errorf("user %s exists = %v, %v, want false", name, exists, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("CreateUser(scopes %q) as viewer = %v, want nil", tt.scopes, err)
			}
			if !slices.Equal(u.Scopes, tt.scopes) && !(len(u.Scopes) == 0 && len(tt.scopes) == 0) {
				t.Errorf("Scopes = %q, want %q", u.Scopes, tt.scopes)
			}
		})
	}
}

func TestCreateUserDeniedWithoutAuthority(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	bob := e.createUser(t, "bob", alicePassword, "me")
	tests := []struct {
		name string
		ctx  context.Context
	}{
		{"no viewer, not system", context.Background()},
		{"viewer without users:write", auth.WithViewer(context.Background(), &auth.Viewer{User: bob, Scopes: []string{"me"}})},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name := fmt.Sprintf("sneaky%d", i)
			u, err := e.svc.CreateUser(tt.ctx, auth.NewUser{Username: name, Password: alicePassword})
			if err == nil {
				t.Fatalf("CreateUser() = %v, nil, want a privacy denial", u)
			}
			if !errors.Is(err, privacy.Deny) {
				t.Errorf("CreateUser() = %v, want errors.Is(err, privacy.Deny)", err)
			}
			exists, err := e.client.User.Query().Where(user.Username(name)).Exist(auth.AsSystem(context.Background()))
			if err != nil || exists {
				t.Errorf("user %s exists = %v, %v, want false", name, exists, err)
			}
		})
	}
}

func TestSetDisabledUnknownUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser(t, "alice", alicePassword, "me")
	for _, disabled := range []bool{true, false} {
		err := e.svc.SetDisabled(context.Background(), "nobody", disabled)
		wantErr(t, fmt.Sprintf("SetDisabled(nobody, %v)", disabled), err, auth.ErrInvalidInput, `no user named "nobody"`)
	}
	// alice is untouched.
	if _, err := e.svc.Login(context.Background(), "alice", alicePassword, nil); err != nil {
		t.Errorf("Login(alice) = %v, want nil", err)
	}
}
