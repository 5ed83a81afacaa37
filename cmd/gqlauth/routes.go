package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql/playground"

	"gqlauth/auth"
	"gqlauth/ent"
	"gqlauth/graph"
)

// site is what the HTTP surface is built from.
type site struct {
	db             *sql.DB
	client         *ent.Client
	svc            *auth.Service
	issuer         *auth.Issuer
	logger         *slog.Logger
	graphql        graph.Options
	publicURL      string // base of the metadata URLs ("": the request's host)
	corsOrigins    []string
	trustedProxies []netip.Prefix
	maxBodyBytes   int64
	requestTimeout time.Duration
}

// newHandler maps gqlauth's whole HTTP surface.
func newHandler(s site) http.Handler {
	// api guards the endpoints that take credentials: CORS for the
	// configured origins, the client IP that login throttling counts, a
	// body limit and a deadline for the request and its database work.
	api := func(h http.Handler) http.Handler {
		h = deadline(s.requestTimeout)(h)
		h = limitBody(s.maxBodyBytes)(h)
		h = auth.ClientIP(s.trustedProxies)(h)
		return cors(s.corsOrigins)(h)
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", api(auth.Middleware(s.svc)(graph.NewHandler(s.client, s.svc, s.logger, s.graphql))))
	mux.Handle("/token", api(auth.TokenHandler(s.svc, s.logger)))
	mux.Handle("GET /.well-known/jwks.json", auth.JWKSHandler(s.issuer))
	mux.Handle("GET /.well-known/oauth-authorization-server", auth.MetadataHandler(s.issuer, s.publicURL))
	mux.Handle("GET /healthz", healthz(s.db))
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

// limitBody answers 413 to a body over max bytes, before any handler reads
// it; a body within the limit is passed on in memory.
func limitBody(max int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tooLarge := "request body larger than the limit of " + byteSize(max) + " (GQLAUTH_MAX_BODY_BYTES)"
			if r.ContentLength > max {
				bodyError(w, r, http.StatusRequestEntityTooLarge, tooLarge)
				return
			}
			body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
			if int64(len(body)) > max {
				bodyError(w, r, http.StatusRequestEntityTooLarge, tooLarge)
				return
			}
			if err != nil {
				bodyError(w, r, http.StatusBadRequest, "could not read the request body")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
		})
	}
}

// bodyError refuses a request body in the shape the endpoint's clients
// parse: an OAuth error on /token, a GraphQL error elsewhere. The
// connection is closed: the rest of the body is not read.
func bodyError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	var body any = map[string]any{"errors": []any{map[string]any{"message": msg, "extensions": map[string]any{"code": "BAD_USER_INPUT"}}}, "data": nil}
	if r.URL.Path == "/token" {
		body = map[string]string{"error": "invalid_request", "error_description": msg}
	}
	w.Header().Set("Connection", "close")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// byteSize writes n bytes for people.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// deadline gives each request, and the database work it does, at most d.
func deadline(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if d <= 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}
