package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"gqlauth/auth"
	"gqlauth/store"
)

// /healthz answers 200 while the database answers, and 503 once it does not.
func TestHealthz(t *testing.T) {
	t.Parallel()
	client, db, err := store.Open(context.Background(), "sqlite://:memory:")
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := auth.NewPasswords(bcrypt.MinCost)
	iss, err := auth.NewIssuer(auth.TokenConfig{Secret: []byte(testSecret), Issuer: "gqlauth", Audience: "gqlauth", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(site{
		db: db, client: client, issuer: iss, logger: slog.New(slog.DiscardHandler),
		svc:          auth.NewService(client, pw, iss, auth.SessionConfig{TTL: time.Hour}),
		maxBodyBytes: 1 << 20,
	})
	get := func() int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		return rec.Code
	}
	if got := get(); got != http.StatusOK {
		t.Errorf("healthz = %d, want 200", got)
	}
	db.Close()
	if got := get(); got != http.StatusServiceUnavailable {
		t.Errorf("healthz with the database closed = %d, want 503", got)
	}
}
