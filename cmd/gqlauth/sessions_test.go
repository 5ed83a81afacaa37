package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"gqlauth/auth"
	"gqlauth/store"
)

// refreshMutation rotates a refresh token.
const refreshMutation = `mutation($t: String!) { refreshToken(refreshToken: $t) { refreshToken } }`

// TestSessionsRevokeCommand: `gqlauth sessions revoke --user U`, run beside
// a live server on the same database, ends the user's sessions.
func TestSessionsRevokeCommand(t *testing.T) {
	env := testEnv(t)
	s := startServer(t, env, "--demo")
	var refresh [2]string
	for i := range refresh {
		r, _ := postGraphQL(t, s.url, "", `mutation { login(username: "johndoe", password: "johndoe-secret") { refreshToken } }`, nil)
		var d struct {
			Login struct{ RefreshToken string } `json:"login"`
		}
		r.decodeData(t, &d)
		refresh[i] = d.Login.RefreshToken
	}
	out, err := runCLI(t, env, "", "sessions", "revoke", "--user", "johndoe")
	if err != nil || !strings.Contains(out, "revoked 2 sessions of user johndoe") {
		t.Fatalf("sessions revoke = %q, %v; want 2 revoked", out, err)
	}
	for _, tok := range refresh {
		r, _ := postGraphQL(t, s.url, "", refreshMutation, map[string]any{"t": tok})
		wantError(t, "refresh after sessions revoke", r, "UNAUTHENTICATED", "refresh token has been revoked")
	}
	for _, args := range [][]string{
		{"sessions", "revoke"},
		{"sessions", "revoke", "--user", "nobody"},
		{"sessions"},
		{"sessions", "list"},
	} {
		if _, err := runCLI(t, env, "", args...); err == nil {
			t.Errorf("%q succeeded, want an error", args)
		}
	}
}

// TestPurgeLoop: the background purge runs at once and then every period,
// and stops with its context.
func TestPurgeLoop(t *testing.T) {
	ctx := context.Background()
	client, db, err := store.Open(ctx, "sqlite://:memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pw, _ := auth.NewPasswords(bcrypt.MinCost)
	iss, _ := auth.NewIssuer(auth.TokenConfig{Secret: []byte(testSecret), Issuer: "gqlauth", Audience: "gqlauth", TTL: time.Minute})
	svc := auth.NewService(client, pw, iss, auth.SessionConfig{TTL: 50 * time.Millisecond})
	sys := auth.AsSystem(ctx)
	u, err := svc.CreateUser(sys, auth.NewUser{Username: "ann", Password: "long-enough"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Login(ctx, "ann", "long-enough", nil); err != nil {
		t.Fatal(err)
	}
	loopCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		purgeSessions(loopCtx, svc, slog.New(slog.DiscardHandler), 20*time.Millisecond)
		close(done)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := client.Session.Query().Count(sys)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("expired session of user %d still there after 5 s", u.ID)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("purge loop did not stop with its context")
	}
}
