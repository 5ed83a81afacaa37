package main

import (
	"net/http"
	"slices"
	"strings"
)

// cors lets the single-page apps at origins call the API from a browser:
// credentials and the Authorization header are allowed for those origins
// only, and preflights are cached for ten minutes. Requests from any other
// origin get no CORS headers (the browser then withholds the answer), and
// their preflights are refused. With no origins configured it does nothing.
func cors(origins []string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if len(origins) == 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			if origin == "" {
				next.ServeHTTP(w, r)
				return
			}
			h := w.Header()
			h.Add("Vary", "Origin")
			preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
			if !slices.Contains(origins, origin) {
				if preflight {
					http.Error(w, "origin not allowed", http.StatusForbidden)
					return
				}
				next.ServeHTTP(w, r)
				return
			}
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
			if !preflight {
				h.Set("Access-Control-Expose-Headers", "WWW-Authenticate, Retry-After")
				next.ServeHTTP(w, r)
				return
			}
			h.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", strings.Join(corsHeaders, ", "))
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
		})
	}
}

// corsHeaders are the request headers browsers may send: the token, JSON,
// and what Apollo Client adds.
var corsHeaders = []string{"Authorization", "Content-Type", "Apollo-Require-Preflight", "Apollographql-Client-Name", "Apollographql-Client-Version"}
