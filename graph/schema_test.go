package graph_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"gqlauth/graph"
)

// contractPath is the public schema, in shared/ beside the repository.
const contractPath = "../../shared/contract/schema.graphql"

// The served schema has every type, field, argument and directive use that
// the contract names, with the same types and nullability.
func TestSchemaMatchesContract(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(contractPath)
	if err != nil {
		abs, _ := filepath.Abs(contractPath)
		t.Skipf("contract not found at %s (shared/ must sit beside the repository): %v", abs, err)
	}
	contract, gerr := gqlparser.LoadSchema(&ast.Source{Name: "contract", Input: string(src)})
	if gerr != nil {
		t.Fatalf("parse contract: %v", gerr)
	}
	served := graph.NewSchema(nil, nil).Schema()

	for name, want := range contract.Types {
		if strings.HasPrefix(name, "__") || want.BuiltIn {
			continue
		}
		got := served.Types[name]
		if got == nil {
			t.Errorf("type %s is missing", name)
			continue
		}
		if got.Kind != want.Kind {
			t.Errorf("type %s is %s, want %s", name, got.Kind, want.Kind)
		}
		for _, iface := range want.Interfaces {
			if !slices.Contains(got.Interfaces, iface) {
				t.Errorf("type %s does not implement %s", name, iface)
			}
		}
		for _, wf := range want.Fields {
			key := name + "." + wf.Name
			gf := got.Fields.ForName(wf.Name)
			if gf == nil {
				t.Errorf("field %s is missing", key)
				continue
			}
			if g, w := gf.Type.String(), wf.Type.String(); g != w {
				t.Errorf("field %s: type %s, want %s", key, g, w)
			}
			for _, wa := range wf.Arguments {
				ga := gf.Arguments.ForName(wa.Name)
				if ga == nil {
					t.Errorf("argument %s(%s) is missing", key, wa.Name)
				} else if g, w := ga.Type.String(), wa.Type.String(); g != w {
					t.Errorf("argument %s(%s): type %s, want %s", key, wa.Name, g, w)
				}
			}
			for _, wd := range wf.Directives {
				gd := gf.Directives.ForName(wd.Name)
				if gd == nil {
					t.Errorf("field %s lacks @%s", key, wd.Name)
				} else if g, w := directiveString(gd), directiveString(wd); g != w {
					t.Errorf("field %s: %s, want %s", key, g, w)
				}
			}
		}
	}
	for name, want := range contract.Directives {
		if want.Position == nil || want.Position.Src.BuiltIn {
			continue
		}
		got := served.Directives[name]
		if got == nil {
			t.Errorf("directive @%s is not declared", name)
			continue
		}
		if g, w := directiveDefString(got), directiveDefString(want); g != w {
			t.Errorf("directive declaration\n got %s\nwant %s", g, w)
		}
	}
}

func directiveString(d *ast.Directive) string {
	var b strings.Builder
	b.WriteString("@" + d.Name)
	for _, a := range d.Arguments {
		b.WriteString(" " + a.Name + ": " + a.Value.String())
	}
	return b.String()
}

func directiveDefString(d *ast.DirectiveDefinition) string {
	var b strings.Builder
	b.WriteString("@" + d.Name + "(")
	for _, a := range d.Arguments {
		b.WriteString(a.Name + ": " + a.Type.String())
	}
	b.WriteString(") on")
	for _, l := range d.Locations {
		b.WriteString(" " + string(l))
	}
	return b.String()
}
