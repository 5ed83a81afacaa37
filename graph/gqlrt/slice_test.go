package gqlrt

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestMarshalSlice(t *testing.T) {
	t.Parallel()
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter,
		func(context.Context, any) error { return errors.New("internal server error") })
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "items"}}})

	var paths []string
	ret := MarshalSlice(ctx, 3, func(ctx context.Context, i int) graphql.Marshaler {
		paths = append(paths, graphql.GetPath(ctx).String())
		if i == 1 {
			panic("boom")
		}
		return graphql.MarshalInt(i * 10)
	})
	if got := fmt.Sprint(paths); got != "[items[0] items[1] items[2]]" {
		t.Errorf("element paths = %s, want items[0..2] in order", got)
	}
	if len(ret) != 3 || ret[1] != graphql.Null || ret[0] == graphql.Null || ret[2] == graphql.Null {
		t.Fatalf("ret = %v, want values around a null for the panicking element", ret)
	}
	errs := graphql.GetErrors(ctx)
	if len(errs) != 1 || errs[0].Path.String() != "items[1]" || errs[0].Message != "internal server error" {
		t.Errorf("errors = %v, want one at items[1] with the recover func's message", errs)
	}
}
