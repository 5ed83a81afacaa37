package auth

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// TokenHandler serves the OAuth 2.0 token endpoint, POST /token, for
// clients that speak the password grant (RFC 6749 §4.3) and refresh
// (§6). It is a front door to the same Login and Refresh as the GraphQL
// mutations. Errors are §5.2's: 400 with invalid_request, invalid_grant,
// invalid_scope or unsupported_grant_type.
func TokenHandler(s *Service, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
		form, oerr := tokenForm(w, r)
		if oerr != nil {
			writeOAuthError(w, oerr)
			return
		}
		var (
			g   *Grant
			err error
		)
		switch form.Get("grant_type") {
		case "password":
			var scopes []string // omitted or blank: every granted scope
			if sc := strings.Fields(form.Get("scope")); len(sc) > 0 {
				scopes = sc
			}
			g, err = s.Login(r.Context(), form.Get("username"), form.Get("password"), scopes)
		case "refresh_token":
			g, err = s.Refresh(r.Context(), form.Get("refresh_token"))
		}
		var rateErr *RateLimitError
		switch {
		case errors.As(err, &rateErr):
			w.Header().Set("Retry-After", strconv.Itoa(rateErr.RetryAfterSeconds()))
			writeOAuthError(w, &oauthError{"temporarily_unavailable", err.Error(), http.StatusTooManyRequests})
		case err == nil:
			writeJSON(w, http.StatusOK, map[string]any{
				"access_token":  g.AccessToken,
				"token_type":    g.TokenType(),
				"expires_in":    g.ExpiresIn,
				"refresh_token": g.RefreshToken,
				"scope":         strings.Join(g.Scopes, " "),
			})
		case errors.Is(err, ErrUnauthenticated):
			writeOAuthError(w, &oauthError{"invalid_grant", err.Error(), http.StatusBadRequest})
		case errors.Is(err, ErrInvalidInput):
			writeOAuthError(w, &oauthError{"invalid_scope", err.Error(), http.StatusBadRequest})
		case errors.Is(err, context.DeadlineExceeded):
			w.Header().Set("Retry-After", "1")
			writeOAuthError(w, &oauthError{"temporarily_unavailable", "the request ran past its deadline: try again", http.StatusServiceUnavailable})
		default:
			logger.ErrorContext(r.Context(), "token endpoint", "err", err)
			writeOAuthError(w, &oauthError{"server_error", "internal server error", http.StatusInternalServerError})
		}
	})
}

// oauthError is an RFC 6749 §5.2 error response.
type oauthError struct {
	code, description string
	status            int
}

func invalidRequest(description string) *oauthError {
	return &oauthError{"invalid_request", description, http.StatusBadRequest}
}

// tokenForm reads and checks a token request's form: POST,
// application/x-www-form-urlencoded, each parameter at most once, and the
// parameters its grant type requires.
func tokenForm(w http.ResponseWriter, r *http.Request) (url.Values, *oauthError) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return nil, &oauthError{"invalid_request", "use POST", http.StatusMethodNotAllowed}
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return nil, invalidRequest("the body must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return nil, invalidRequest("the body is not a valid form")
	}
	form := r.PostForm // never the URL query: credentials do not belong in URLs
	for name, values := range form {
		if len(values) > 1 {
			return nil, invalidRequest("parameter " + name + " is repeated")
		}
	}
	var required []string
	switch gt := form.Get("grant_type"); gt {
	case "":
		return nil, invalidRequest("grant_type is required")
	case "password":
		required = []string{"username", "password"}
	case "refresh_token":
		required = []string{"refresh_token"}
		if form.Has("scope") {
			return nil, invalidRequest("scope cannot be changed on refresh: the session keeps the scopes of its login")
		}
	default:
		return nil, &oauthError{"unsupported_grant_type", "grant_type " + gt + " is not supported (use password or refresh_token)", http.StatusBadRequest}
	}
	for _, p := range required {
		if form.Get(p) == "" {
			return nil, invalidRequest(p + " is required")
		}
	}
	return form, nil
}

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
