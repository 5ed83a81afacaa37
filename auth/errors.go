package auth

import (
	"errors"
	"fmt"
	"strings"
)

// The kinds of failure a client may be told about. Each error this package
// returns to a caller wraps exactly one of them; graph/errors.go maps each
// kind to its GraphQL code and is the only place that does.
var (
	// ErrUnauthenticated: no valid token, bad credentials, disabled user.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden: a valid token without the scopes a field needs.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalidInput: the request asked for something that cannot be.
	ErrInvalidInput = errors.New("invalid input")
)

// Error is a failure whose message is safe to show the client.
type Error struct {
	kind error
	msg  string
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the kind, so errors.Is(err, ErrUnauthenticated) works.
func (e *Error) Unwrap() error { return e.kind }

func unauthenticated(format string, args ...any) error {
	return &Error{kind: ErrUnauthenticated, msg: fmt.Sprintf(format, args...)}
}

func invalidInput(format string, args ...any) error {
	return &Error{kind: ErrInvalidInput, msg: fmt.Sprintf(format, args...)}
}

// Errors a client sees often enough to compare against.
var (
	// ErrInvalidCredentials is the one answer to a failed login, whether the
	// username is unknown or the password wrong.
	ErrInvalidCredentials = unauthenticated("incorrect username or password")
	// ErrNoToken answers a protected field on a request without a token.
	ErrNoToken = unauthenticated("authentication required: send Authorization: Bearer <access token>")
	// ErrTokenExpired answers a protected field whose token has expired.
	ErrTokenExpired = unauthenticated("access token has expired")
	// ErrUserDisabled answers a login or token of a disabled user.
	ErrUserDisabled = unauthenticated("user is disabled")
)

// ScopeError is a denial for missing scopes. Required holds the directive's
// alternatives: at least one inner list must be held in full.
type ScopeError struct {
	Required [][]string
}

func (e *ScopeError) Error() string {
	alts := make([]string, len(e.Required))
	for i, all := range e.Required {
		alts[i] = strings.Join(all, " and ")
	}
	return "insufficient scope: this field needs " + strings.Join(alts, ", or ")
}

// Unwrap returns ErrForbidden.
func (e *ScopeError) Unwrap() error { return ErrForbidden }
