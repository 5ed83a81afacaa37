//go:build tools

// Package tools pins the code generators run by `go generate ./...`.
package tools

import (
	_ "entgo.io/ent/cmd/ent"
	_ "github.com/99designs/gqlgen"
)
