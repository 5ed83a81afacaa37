package graph

import (
	"context"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"gqlauth/graph/generated"
)

// Limits bound what one GraphQL operation may ask for. A zero field takes
// its default.
type Limits struct {
	MaxDepth      int // nesting of selections (default 15)
	MaxComplexity int // gqlgen complexity, lists weighted (default 500)
	MaxAliases    int // aliased fields (default 30)
	MaxRootFields int // fields at the operation's top level (default 20)
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxDepth, 15)
	def(&l.MaxComplexity, 500)
	def(&l.MaxAliases, 30)
	def(&l.MaxRootFields, 20)
	return l
}

// listWeight is how many elements an unpaginated list field is assumed to
// hold when weighing an operation's complexity.
const listWeight = 10

// setComplexity weighs list fields by how many elements they may return.
func setComplexity(c *generated.ComplexityRoot) {
	c.User.Items = func(child int) int { return 1 + listWeight*child }
	c.Query.Nodes = func(child int, ids []int) int { return 1 + len(ids)*child }
}

// limitExtension refuses operations past Limits, and introspection when it
// is off, before they execute, each refusal a BAD_USER_INPUT naming the
// limit.
type limitExtension struct {
	limits        Limits
	introspection bool
	schema        graphql.ExecutableSchema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*limitExtension)(nil)

func (*limitExtension) ExtensionName() string { return "QueryLimits" }

func (e *limitExtension) Validate(schema graphql.ExecutableSchema) error {
	e.schema = schema
	return nil
}

func (e *limitExtension) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	op := oc.Doc.Operations.ForName(oc.OperationName)
	if op == nil {
		return nil // gqlgen reports the missing operation itself
	}
	w := walker{fragments: oc.Doc.Fragments}
	w.walk(op.SelectionSet, 1, true)
	l := e.limits
	switch {
	case w.introspects && !e.introspection:
		return limitError("introspection is disabled on this server (GQLAUTH_INTROSPECTION=false)")
	case w.depth > l.MaxDepth:
		return limitError("query depth %d exceeds the limit of %d", w.depth, l.MaxDepth)
	case w.aliases > l.MaxAliases:
		return limitError("query has %d aliased fields, more than the limit of %d", w.aliases, l.MaxAliases)
	case w.roots > l.MaxRootFields:
		return limitError("query has %d top-level fields, more than the limit of %d", w.roots, l.MaxRootFields)
	}
	if c := complexity.Calculate(ctx, e.schema, op, oc.Variables); c > l.MaxComplexity {
		return limitError("query complexity %d exceeds the limit of %d", c, l.MaxComplexity)
	}
	return nil
}

func limitError(format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, codeBadUserInput)
	return err
}

// walker measures a selection set: its depth, aliased fields, top-level
// fields and whether it introspects, following fragment spreads (validation has already refused
// fragment cycles).
type walker struct {
	fragments             ast.FragmentDefinitionList
	depth, aliases, roots int
	introspects           bool // selects __schema or __type
}

func (w *walker) walk(set ast.SelectionSet, depth int, root bool) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			w.depth = max(w.depth, depth)
			if s.Alias != "" && s.Alias != s.Name {
				w.aliases++
			}
			if root {
				w.roots++
				w.introspects = w.introspects || s.Name == "__schema" || s.Name == "__type"
			}
			w.walk(s.SelectionSet, depth+1, false)
		case *ast.InlineFragment:
			w.walk(s.SelectionSet, depth, root)
		case *ast.FragmentSpread:
			if f := w.fragments.ForName(s.Name); f != nil {
				w.walk(f.SelectionSet, depth, root)
			}
		}
	}
}
