package auth

import (
	"errors"
	"net/http"
	"strings"
)

// Middleware authenticates requests that send Authorization: Bearer. A
// valid token puts its Viewer in the request context. A refused one never
// fails the request: the context records why (protected fields answer with
// it), the response carries WWW-Authenticate (RFC 6750 §3), and public
// fields such as login still work. No header: anonymous.
func Middleware(s *Service) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			header := r.Header.Values("Authorization")
			if len(header) == 0 {
				next.ServeHTTP(w, r)
				return
			}
			ctx := r.Context()
			raw, err := bearerToken(header)
			var v *Viewer
			if err == nil {
				v, err = s.Authenticate(ctx, raw)
			}
			if err != nil {
				if errors.Is(err, ErrUnauthenticated) {
					w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
				}
				next.ServeHTTP(w, r.WithContext(withTokenError(ctx, err)))
				return
			}
			next.ServeHTTP(w, r.WithContext(WithViewer(ctx, v)))
		})
	}
}

// errBadHeader answers any Authorization header that is not one
// "Bearer <token>".
var errBadHeader = unauthenticated(`malformed Authorization header: want "Bearer <access token>"`)

// bearerToken extracts the token of an Authorization header (RFC 6750 §2.1:
// the scheme is case-insensitive, and exactly one header is allowed).
func bearerToken(header []string) (string, error) {
	if len(header) != 1 {
		return "", errBadHeader
	}
	scheme, token, ok := strings.Cut(header[0], " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", errBadHeader
	}
	return token, nil
}
