package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gqlauth/auth"
	"gqlauth/ent/item"
)

// Run with: go test ./graph -run '^$' -bench . -benchmem -cpu 1
//
// BenchmarkMe* send a query through the whole /graphql handler (middleware,
// gqlgen, directives, ent). BenchmarkBaseline* are bare net/http handlers
// that do only the same token verification and user lookup (and, for
// items, the same items query) and write the same JSON: the floor that
// GraphQL's overhead is measured against.

func BenchmarkMe(b *testing.B) {
	benchHandler(b, 0, `{ me { username } }`, false)
}

func BenchmarkBaselineMe(b *testing.B) {
	benchHandler(b, 0, `{ me { username } }`, true)
}

func BenchmarkMeItems(b *testing.B) {
	benchHandler(b, 20, `{ me { username items { title } } }`, false)
}

func BenchmarkBaselineMeItems(b *testing.B) {
	benchHandler(b, 20, `{ me { username items { title } } }`, true)
}

func benchHandler(b *testing.B, items int, query string, bare bool) {
	e := newEnv(b)
	ann := e.user(b, "ann", "me", "items")
	for i := range items {
		e.item(b, ann, fmt.Sprintf("item %d", i))
	}
	tok := e.token(b, "ann", nil)
	full, base := e.handler, baseline(e, items > 0)
	body, _ := json.Marshal(map[string]any{"query": query})
	serve := func(h http.Handler) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	// Both handlers must answer the same thing, or the comparison is void.
	if got, want := fmt.Sprint(decode(b, serve(base))), fmt.Sprint(decode(b, serve(full))); got != want {
		b.Fatalf("answers differ:\nbaseline %s\n graphql %s", got, want)
	}
	h := full
	if bare {
		h = base
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if rec := serve(h); rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

func decode(b *testing.B, rec *httptest.ResponseRecorder) map[string]any {
	b.Helper()
	var v map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || v["errors"] != nil {
		b.Fatalf("bad answer %s: %v", rec.Body, err)
	}
	return v
}

type meJSON struct {
	Username string      `json:"username"`
	Items    []titleJSON `json:"items,omitempty"`
}

type titleJSON struct {
	Title string `json:"title"`
}

// baseline is the bare handler: verify the token, load the user (and their
// items), write {"data":{"me":...}}.
func baseline(e *env, withItems bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		v, err := e.svc.Authenticate(r.Context(), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		me := meJSON{Username: v.User.Username}
		if withItems {
			ctx := auth.WithViewer(r.Context(), v)
			its, err := e.client.Item.Query().Where(item.OwnerID(v.User.ID)).All(ctx)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			me.Items = make([]titleJSON, len(its))
			for i, it := range its {
				me.Items[i].Title = it.Title
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"me": me}})
	})
}
