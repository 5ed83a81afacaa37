package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"gqlauth/auth"
	"gqlauth/ent"
	"gqlauth/graph/gqlrt"
)

// The extensions.code values of the contract.
const (
	codeUnauthenticated = "UNAUTHENTICATED"
	codeForbidden       = "FORBIDDEN"
	codeBadUserInput    = "BAD_USER_INPUT"
	codeRateLimited     = "RATE_LIMITED"
	codeTimeout         = "TIMEOUT"
	codeInternal        = "INTERNAL_SERVER_ERROR"
)

// presentError is the one place where errors become GraphQL errors with an
// extensions.code. Errors of a known kind keep their message (written to
// be shown); anything else is logged and answered with a generic message,
// so no SQL, hash or stack ever reaches the client.
func presentError(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if gqlErr.Extensions["code"] != nil {
			return gqlErr // already classified (gqlgen, entgql's NOT_FOUND)
		}
		if own, ok := err.(*gqlerror.Error); ok && own.Err == nil {
			// gqlgen's own refusal of the request itself (a body that is not a
			// GraphQL request, say): the client's fault. Its message quotes the
			// body, which may hold a password, so it is replaced, not logged.
			gqlErr.Message = requestErrorMessage(own.Message)
			gqlErr.Extensions = map[string]any{"code": codeBadUserInput}
			return gqlErr
		}
		var (
			authErr   *auth.Error
			scopeErr  *auth.ScopeError
			rateErr   *auth.RateLimitError
			validErr  *ent.ValidationError
			code, msg string
		)
		switch {
		case errors.As(err, &rateErr):
			code, msg = codeRateLimited, rateErr.Error()
			gqlErr.Extensions = map[string]any{"retryAfterSeconds": rateErr.RetryAfterSeconds()}
		case errors.As(err, &scopeErr):
			code, msg = codeForbidden, scopeErr.Error()
			gqlErr.Extensions = map[string]any{"requiredScopes": scopeErr.Required}
		case errors.As(err, &authErr) && errors.Is(err, auth.ErrUnauthenticated):
			code, msg = codeUnauthenticated, authErr.Error()
		case errors.As(err, &authErr) && errors.Is(err, auth.ErrForbidden):
			code, msg = codeForbidden, authErr.Error()
		case errors.As(err, &authErr) && errors.Is(err, auth.ErrInvalidInput):
			code, msg = codeBadUserInput, authErr.Error()
		case errors.Is(err, context.DeadlineExceeded):
			code, msg = codeTimeout, errDeadline
		case errors.Is(err, gqlrt.ErrMalformedID):
			code, msg = codeBadUserInput, gqlErr.Message
		case errors.As(err, &validErr):
			code, msg = codeBadUserInput, fmt.Sprintf("invalid %s: %v", validErr.Name, validErr.Unwrap())
		default:
			logger.ErrorContext(ctx, "internal error", "path", gqlErr.Path.String(), "err", err)
			code, msg = codeInternal, "internal server error"
		}
		gqlErr.Message = msg
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		gqlErr.Extensions["code"] = code
		return gqlErr
	}
}

// errDeadline is the message of a request that ran past its deadline.
const errDeadline = "the request ran past its deadline (GQLAUTH_REQUEST_TIMEOUT): try again"

// deadlineGuard answers TIMEOUT for a request whose deadline has already
// passed (spent, say, in the middleware's database lookup): gqlgen would
// answer such a request with a bare null.
func deadlineGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Context().Err() == nil {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(graphql.Response{Errors: gqlerror.List{{
			Message:    errDeadline,
			Extensions: map[string]any{"code": codeTimeout},
		}}})
	})
}

// requestErrorMessage rewrites gqlgen's messages about unreadable
// requests without the request body they quote.
func requestErrorMessage(msg string) string {
	if strings.HasPrefix(msg, "json request body could not be decoded") {
		return `request body is not a GraphQL request: want JSON {"query": "...", "variables": {...}, "operationName": "..."}`
	}
	if strings.HasPrefix(msg, "could not read request body") {
		return "could not read the request body"
	}
	return msg
}

// recoverPanic turns a resolver panic into an internal error, logged with
// its value but never shown.
func recoverPanic(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		logger.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(v))
		return errors.New("internal server error")
	}
}
