// Package gqlrt holds the hand-written code that the generated GraphQL
// executor calls: the ID scalar, and in-order list marshalling.
package gqlrt

import (
	"errors"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
)

// ErrMalformedID is wrapped by the error of an ID argument that is not a
// gqlauth ID, so that graph/errors.go answers it with BAD_USER_INPUT.
var ErrMalformedID = errors.New("malformed ID")

// MarshalID writes an ent ID as a GraphQL ID (a string).
func MarshalID(id int) graphql.Marshaler {
	return graphql.MarshalIntID(id)
}

// UnmarshalID reads a GraphQL ID into an ent ID.
func UnmarshalID(v any) (int, error) {
	id, err := graphql.UnmarshalIntID(v)
	if err != nil || id < 0 {
		return 0, fmt.Errorf("%w: %q is not an ID", ErrMalformedID, fmt.Sprint(v))
	}
	return id, nil
}
