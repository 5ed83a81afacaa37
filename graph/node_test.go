package graph_test

import (
	"fmt"
	"strconv"
	"testing"
)

// node and nodes never return a row the viewer may not see: type
// directives do not guard them, ent privacy does.
func TestNodeDoesNotLeak(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ann := e.user(t, "ann", "me", "items")
	bob := e.user(t, "bob", "me", "items")
	e.user(t, "root", "me", "items", "users:read")
	annItem := e.item(t, ann, "ann's")
	bobItem := e.item(t, bob, "bob's")
	annTok := e.token(t, "ann", nil)
	rootTok := e.token(t, "root", nil)
	id := strconv.Itoa

	const q = `query($id: ID!) { node(id: $id) { id ... on Item { title owner { username } } ... on User { username } } }`
	tests := []struct {
		name, token string
		id          int
		want        string // fmt of data.node; "<nil>" for none
	}{
		{"own item", annTok, annItem.ID, "map[id:" + id(annItem.ID) + " owner:map[username:ann] title:ann's]"},
		{"own user", annTok, ann.ID, "map[id:" + id(ann.ID) + " username:ann]"},
		{"other's item", annTok, bobItem.ID, "<nil>"},
		{"other user", annTok, bob.ID, "<nil>"},
		{"anonymous, item", "", annItem.ID, "<nil>"},
		{"anonymous, user", "", ann.ID, "<nil>"},
		{"absent id", annTok, 999999, "<nil>"},
		{"users:read sees other user", rootTok, bob.ID, "map[id:" + id(bob.ID) + " username:bob]"},
		{"users:read sees other's item", rootTok, bobItem.ID, "map[id:" + id(bobItem.ID) + " owner:map[username:bob] title:bob's]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, tt.token, q, map[string]any{"id": id(tt.id)})
			if got := fmt.Sprint(r.Data["node"]); got != tt.want {
				t.Fatalf("node = %s, want %s", got, tt.want)
			}
			if tt.want == "<nil>" {
				// Unseen and absent answer alike: no hint that the row exists.
				want := "Could not resolve to a node with the global id of '" + id(tt.id) + "'"
				if r.code(t) != "NOT_FOUND" || r.Errors[0].Message != want {
					t.Errorf("error = %+v, want NOT_FOUND %q", r.Errors[0], want)
				}
			}
		})
	}

	t.Run("nodes", func(t *testing.T) {
		t.Parallel()
		ids := []string{id(annItem.ID), id(bobItem.ID), id(ann.ID), id(bob.ID)}
		r := e.do(t, annTok, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids})
		want := fmt.Sprintf("[map[id:%d] <nil> map[id:%d] <nil>]", annItem.ID, ann.ID)
		if got := fmt.Sprint(r.Data["nodes"]); got != want {
			t.Errorf("nodes = %s, want %s", got, want)
		}
		if len(r.Errors) != 2 {
			t.Errorf("got %d errors, want 2 (one per unseen id): %s", len(r.Errors), r.rawBody)
		}
	})
	t.Run("items edge of other user through users:read needs items", func(t *testing.T) {
		t.Parallel()
		r := e.do(t, rootTok, `query($id: ID!) { node(id: $id) { ... on User { items { title } } } }`, map[string]any{"id": id(bob.ID)})
		if got := fmt.Sprint(r.Data["node"]); got != "map[items:[map[title:bob's]]]" {
			t.Errorf("node = %s: %s", got, r.rawBody)
		}
	})
	t.Run("me.items lists only own items", func(t *testing.T) {
		t.Parallel()
		r := e.do(t, annTok, `{ me { items { title } } }`, nil)
		if got := fmt.Sprint(get(r.Data, "me", "items")); got != "[map[title:ann's]]" {
			t.Errorf("me.items = %s", got)
		}
	})
}
