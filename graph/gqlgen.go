//go:build ignore

// gqlgen.go runs gqlgen with ../gqlgen.yml, then points the generated
// executor's list marshalling at gqlrt.MarshalSlice (in order, no goroutine
// per element: see its comment for the measurement). It is run by
// `go generate ./...` (ent/generate.go) from the repository root, where its
// relative paths resolve.
package main

import (
	"bytes"
	"log"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"
)

const executor = "graph/generated/generated.go"

func main() {
	cfg, err := config.LoadConfig("gqlgen.yml")
	if err != nil {
		log.Fatalf("load gqlgen.yml: %v", err)
	}
	if err := api.Generate(cfg); err != nil {
		log.Fatalf("gqlgen: %v", err)
	}
	src, err := os.ReadFile(executor)
	if err != nil {
		log.Fatal(err)
	}
	// The generated executor already imports gqlrt (for the ID scalar).
	from := []byte("graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(")
	to := []byte("gqlrt.MarshalSlice(ctx, len(v), func(")
	n := bytes.Count(src, from)
	if n == 0 || !bytes.Contains(src, []byte(`"gqlauth/graph/gqlrt"`)) {
		log.Fatalf("%s: gqlgen's list marshalling changed shape (found %d calls): update graph/gqlgen.go", executor, n)
	}
	if err := os.WriteFile(executor, bytes.ReplaceAll(src, from, to), 0o644); err != nil {
		log.Fatal(err)
	}
}
