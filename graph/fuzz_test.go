package graph_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzGraphQLRequest sends arbitrary bodies to /graphql through the real
// middleware, with and without a valid token: the server never panics and
// never answers 5xx.
func FuzzGraphQLRequest(f *testing.F) {
	for _, seed := range []string{
		`{"query":"{ me { username items { title } } }"}`,
		`{"query":"mutation { login(username: \"ann\", password: \"a-good-password\") { accessToken } }"}`,
		`{"query":"query($id: ID!) { node(id: $id) { id } }","variables":{"id":"abc"}}`,
		`{"query":"{ nodes(ids: [\"1\", \"-1\", \"99999999999999999999\"]) { id } }"}`,
		`{"query":"mutation { createItem(input: {title: \"\"}) { id } }"}`,
		`{"query":"{ __schema { types { name } } }"}`,
		`{"query":"{ me { ...F } } fragment F on User { ...F }"}`,
		`{"query":`, `[]`, `null`, `{"query": 1}`, `{"variables": "x"}`,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	e := newEnv(f)
	e.item(f, e.user(f, "ann", "me", "items", "items:write"), "first")
	token := e.token(f, "ann", nil)
	f.Fuzz(func(t *testing.T, body []byte, withToken bool) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if withToken {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Errorf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		if bytes.Contains(rec.Body.Bytes(), []byte("INTERNAL_SERVER_ERROR")) {
			t.Errorf("internal error for %q: %s", body, rec.Body)
		}
	})
}
