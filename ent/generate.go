// Package ent holds the ent schema (schema/) and the code generated from it.
// Everything here except schema/, entc.go and generate.go is generated.
package ent

// Order matters: entc writes ent/ and ../graph/ent.graphqls, then
// graph/gqlgen.go runs gqlgen, which reads every .graphqls under graph/ and
// writes the executor.
//go:generate go run -mod=mod entc.go
//go:generate sh -c "cd .. && go run -mod=mod graph/gqlgen.go"
