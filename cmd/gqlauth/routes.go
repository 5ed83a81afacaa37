package main

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/playground"

	"gqlauth/auth"
	"gqlauth/ent"
	"gqlauth/graph"
)

// newHandler maps gqlauth's whole HTTP surface. publicURL is the base of
// the URLs in the metadata document ("": the request's host).
func newHandler(db *sql.DB, client *ent.Client, svc *auth.Service, issuer *auth.Issuer, publicURL string, logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", auth.Middleware(svc)(graph.NewHandler(client, svc, logger)))
	mux.Handle("/token", auth.TokenHandler(svc, logger))
	mux.Handle("GET /.well-known/jwks.json", auth.JWKSHandler(issuer))
	mux.Handle("GET /.well-known/oauth-authorization-server", auth.MetadataHandler(issuer, publicURL))
	mux.Handle("GET /healthz", healthz(db))
	mux.Handle("GET /{$}", playground.Handler("gqlauth", "/graphql"))
	return securityHeaders(mux)
}

// healthz answers 200 when the database answers within two seconds.
func healthz(db *sql.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.PingContext(ctx); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok\n"))
	}
}

// securityHeaders sets the headers every response of an auth server wants.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if r.URL.Path == "/graphql" {
			h.Set("Cache-Control", "no-store") // responses carry tokens
		}
		next.ServeHTTP(w, r)
	})
}
