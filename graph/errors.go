package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"gqlauth/auth"
	"gqlauth/ent"
	"gqlauth/graph/scalar"
)

// The extensions.code values of the contract.
const (
	codeUnauthenticated = "UNAUTHENTICATED"
	codeForbidden       = "FORBIDDEN"
	codeBadUserInput    = "BAD_USER_INPUT"
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
		var (
			authErr   *auth.Error
			scopeErr  *auth.ScopeError
			validErr  *ent.ValidationError
			code, msg string
		)
		switch {
		case errors.As(err, &scopeErr):
			code, msg = codeForbidden, scopeErr.Error()
			gqlErr.Extensions = map[string]any{"requiredScopes": scopeErr.Required}
		case errors.As(err, &authErr) && errors.Is(err, auth.ErrUnauthenticated):
			code, msg = codeUnauthenticated, authErr.Error()
		case errors.As(err, &authErr) && errors.Is(err, auth.ErrForbidden):
			code, msg = codeForbidden, authErr.Error()
		case errors.As(err, &authErr) && errors.Is(err, auth.ErrInvalidInput):
			code, msg = codeBadUserInput, authErr.Error()
		case errors.Is(err, scalar.ErrMalformedID):
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

// recoverPanic turns a resolver panic into an internal error, logged with
// its value but never shown.
func recoverPanic(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		logger.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(v))
		return errors.New("internal server error")
	}
}
