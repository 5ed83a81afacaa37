package graph_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestInputValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "admin", "me", "items", "items:write", "users:write")
	admin := e.token(t, "admin", nil)
	narrow := e.token(t, "admin", []string{"users:write"})
	const createUser = `mutation($in: CreateUserInput!) { createUser(input: $in) { username email fullName disabled scopes } }`
	in := func(fields ...any) map[string]any {
		m := map[string]any{"username": "newbie", "password": "long-enough-pw"}
		for i := 0; i < len(fields); i += 2 {
			m[fields[i].(string)] = fields[i+1]
		}
		return map[string]any{"in": m}
	}
	tests := []struct {
		name, token, query string
		vars               map[string]any
		wantMsg            string // BAD_USER_INPUT message substring; "" for success
	}{
		{name: "create user", token: admin, query: createUser, vars: in("username", "carol", "email", "carol@example.com", "fullName", "Carol C", "scopes", []string{"me", "items"})},
		{name: "duplicate username", token: admin, query: createUser, vars: in("username", "admin"), wantMsg: `username "admin" is already taken`},
		{name: "short password", token: admin, query: createUser, vars: in("password", "7-bytes"), wantMsg: "at least 8 bytes"},
		{name: "password over 72 bytes", token: admin, query: createUser, vars: in("password", strings.Repeat("p", 73)), wantMsg: "at most 72 bytes"},
		{name: "bad username", token: admin, query: createUser, vars: in("username", "a b"), wantMsg: "username must be"},
		{name: "bad email", token: admin, query: createUser, vars: in("email", "not-an-email"), wantMsg: "not a valid address"},
		{name: "unknown scope", token: admin, query: createUser, vars: in("scopes", []string{"root"}), wantMsg: `unknown scope "root"`},
		{name: "scope the caller's token lacks", token: narrow, query: createUser, vars: in("scopes", []string{"me"}), wantMsg: `cannot grant scope "me"`},
		{name: "malformed ID literal", token: admin, query: `{ node(id: "abc") { id } }`, wantMsg: "malformed ID"},
		{name: "malformed ID variable", token: admin, query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, vars: map[string]any{"ids": []string{"1", "-5"}}, wantMsg: "malformed ID"},
		{name: "empty item title", token: admin, query: `mutation { createItem(input: {title: ""}) { id } }`, wantMsg: "invalid title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, tt.token, tt.query, tt.vars)
			if tt.wantMsg == "" {
				if len(r.Errors) > 0 {
					t.Fatal(r.rawBody)
				}
				return
			}
			if got := r.code(t); got != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, tt.wantMsg) {
				t.Errorf("error = %s %q, want BAD_USER_INPUT containing %q", got, r.Errors[0].Message, tt.wantMsg)
			}
		})
	}
}

// Unexpected failures answer with a generic message and code; the cause is
// logged, never shown.
func TestInternalErrorsAreHidden(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "ann", "me")
	tok := e.token(t, "ann", nil)
	if err := e.closeDB(); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`{ me { username } }`,
		`mutation { login(username: "ann", password: "` + password + `") { accessToken } }`,
	} {
		r := e.do(t, tok, q, nil)
		if got := r.code(t); got != "INTERNAL_SERVER_ERROR" || r.Errors[0].Message != "internal server error" {
			t.Errorf("%s: error = %s %q, want INTERNAL_SERVER_ERROR \"internal server error\"", q, got, r.Errors[0].Message)
		}
		if strings.Contains(strings.ToLower(r.rawBody), "sql") {
			t.Errorf("%s: response mentions SQL: %s", q, r.rawBody)
		}
		if r.header.Get("WWW-Authenticate") != "" {
			t.Errorf("%s: a database failure is not an invalid token", q)
		}
	}
	if logs := e.logs.String(); !strings.Contains(logs, "database is closed") {
		t.Errorf("cause not logged: %s", logs)
	}
	if logs := e.logs.String(); strings.Contains(logs, tok) || strings.Contains(logs, password) {
		t.Error("logs contain a token or password")
	}
}

// A body that is not a GraphQL request is the client's fault: 400 with
// BAD_USER_INPUT, and neither the answer nor the log quotes the body (it
// may hold a password).
func TestMalformedRequestBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, body := range []string{
		`{"query": "mutation { login(username: \"ann\", password: \"hunter2-secret\"`,
		`["hunter2-secret"]`,
		`{"query": 1, "password": "hunter2-secret"}`,
		`{"variables": "hunter2-secret"}`,
	} {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"code":"BAD_USER_INPUT"`) {
			t.Errorf("%s: %d %s, want 400 BAD_USER_INPUT", body, rec.Code, rec.Body)
		}
		if strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(e.logs.String(), "hunter2") {
			t.Errorf("%s: the body leaked into the answer or the log", body)
		}
	}
}
