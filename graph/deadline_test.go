package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A request past its deadline answers TIMEOUT, not an internal error.
func TestDeadlineExceeded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "ann", "me")
	tok := e.token(t, "ann", nil)
	for _, query := range []string{
		`{ me { username } }`,
		`mutation { login(username: "ann", password: "` + password + `") { accessToken } }`,
	} {
		body, _ := json.Marshal(map[string]any{"query": query})
		ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
		time.Sleep(time.Millisecond)
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		cancel()
		var r response
		json.Unmarshal(rec.Body.Bytes(), &r)
		if rec.Code != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "TIMEOUT" {
			t.Errorf("%s: %d %s, want 200 with one TIMEOUT error", query, rec.Code, rec.Body)
		}
	}
}
