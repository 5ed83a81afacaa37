package auth_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"gqlauth/auth"
)

// BenchmarkRefresh measures one refresh (find the token, rotate it, store
// its successor, sign an access token) on a SQLite file with the settings
// gqlauth runs with: WAL and synchronous=FULL, so each refresh waits for
// the disk. Each iteration presents the token the previous one returned.
func BenchmarkRefresh(b *testing.B) {
	benchmarkRefresh(b, "sqlite://"+filepath.Join(b.TempDir(), "bench.sqlite"))
}

// BenchmarkRefreshMemory is BenchmarkRefresh without the disk.
func BenchmarkRefreshMemory(b *testing.B) {
	benchmarkRefresh(b, "sqlite://:memory:")
}

func benchmarkRefresh(b *testing.B, url string) {
	ctx := context.Background()
	e := openStore(b, url)
	svc := withService(b, e.client, sessionIssuer(b), auth.SessionConfig{TTL: time.Hour, ReuseGrace: 10 * time.Second})
	if _, err := svc.CreateUser(auth.AsSystem(ctx), auth.NewUser{Username: "alice", Password: alicePassword, Scopes: []string{"me", "items"}}); err != nil {
		b.Fatalf("CreateUser() = %v", err)
	}
	g, err := svc.Login(ctx, "alice", alicePassword, nil)
	if err != nil {
		b.Fatalf("Login() = %v", err)
	}
	raw := g.RefreshToken
	b.ReportAllocs()
	for b.Loop() {
		g, err := svc.Refresh(ctx, raw)
		if err != nil {
			b.Fatalf("Refresh() = %v", err)
		}
		raw = g.RefreshToken
	}
}
