package graph_test

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"gqlauth/auth"
)

func TestFieldAuthorization(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "ann", auth.Scopes...)
	e.item(t, e.user(t, "bob", "me"), "bob's")
	none := e.token(t, "ann", []string{})
	me := e.token(t, "ann", []string{"me"})
	meItems := e.token(t, "ann", []string{"me", "items"})
	writer := e.token(t, "ann", []string{"items:write"})

	tests := []struct {
		name, token, query string
		wantCode           string     // "" for success
		wantRequired       [][]string // extensions.requiredScopes of a FORBIDDEN
		wantMsg            string     // substring of the error message
	}{
		{name: "me without token", query: `{ me { username } }`, wantCode: "UNAUTHENTICATED", wantMsg: "authentication required"},
		{name: "tokenInfo without token", query: `{ tokenInfo { subject } }`, wantCode: "UNAUTHENTICATED"},
		{name: "tokenInfo with no scopes", token: none, query: `{ tokenInfo { scopes } }`},
		{name: "me missing scope", token: none, query: `{ me { username } }`, wantCode: "FORBIDDEN", wantRequired: [][]string{{"me"}}, wantMsg: "needs me"},
		{name: "me with scope", token: me, query: `{ me { username } }`},
		{name: "items missing scope", token: me, query: `{ me { items { title } } }`, wantCode: "FORBIDDEN", wantRequired: [][]string{{"items"}}},
		{name: "items with scope", token: meItems, query: `{ me { items { title } } }`},
		{name: "createItem missing scope", token: meItems, query: `mutation { createItem(input: {title: "x"}) { id } }`, wantCode: "FORBIDDEN", wantRequired: [][]string{{"items:write"}}},
		{name: "createItem with scope", token: writer, query: `mutation { createItem(input: {title: "x"}) { title } }`},
		{name: "createUser missing scope", token: writer, query: `mutation { createUser(input: {username: "carl", password: "long-enough"}) { id } }`, wantCode: "FORBIDDEN", wantRequired: [][]string{{"users:write"}}},
		{name: "createUser anonymous", query: `mutation { createUser(input: {username: "carl", password: "long-enough"}) { id } }`, wantCode: "UNAUTHENTICATED"},
		{name: "login is public", query: `mutation { login(username: "ann", password: "` + password + `") { tokenType } }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, tt.token, tt.query, nil)
			if tt.wantCode == "" {
				if len(r.Errors) != 0 {
					t.Fatalf("errors: %s", r.rawBody)
				}
				return
			}
			if got := r.code(t); got != tt.wantCode {
				t.Fatalf("code = %q, want %q: %s", got, tt.wantCode, r.rawBody)
			}
			if !strings.Contains(r.Errors[0].Message, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", r.Errors[0].Message, tt.wantMsg)
			}
			if tt.wantRequired != nil {
				want := fmt.Sprint(tt.wantRequired)
				if got := fmt.Sprint(r.Errors[0].Extensions["requiredScopes"]); got != want {
					t.Errorf("requiredScopes = %s, want %s", got, want)
				}
			}
		})
	}
}

// A denied field is null with its error; the rest of the query executes.
func TestPartialResults(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ann := e.user(t, "ann", "me", "items")
	e.item(t, ann, "first")
	tok := e.token(t, "ann", []string{"me"})
	r := e.do(t, tok, `{ me { username items { title } } tokenInfo { scopes } }`, nil)
	if got := r.code(t); got != "FORBIDDEN" {
		t.Fatalf("code = %q, want FORBIDDEN", got)
	}
	if got := fmt.Sprint(r.Errors[0].Path); got != "[me items]" {
		t.Errorf("error path = %s, want [me items]", got)
	}
	if got := get(r.Data, "me", "username"); got != "ann" {
		t.Errorf("me.username = %v, want ann", got)
	}
	if items, ok := r.Data["me"].(map[string]any)["items"]; !ok || items != nil {
		t.Errorf("me.items = %v (present %v), want null", items, ok)
	}
	if got := fmt.Sprint(get(r.Data, "tokenInfo", "scopes")); got != "[me]" {
		t.Errorf("tokenInfo.scopes = %s, want [me]", got)
	}
}

func TestTokenInfo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ann := e.user(t, "ann", "me", "items")
	tok := e.token(t, "ann", nil)
	r := e.do(t, tok, `{ tokenInfo { subject scopes issuedAt expiresAt } }`, nil)
	if len(r.Errors) > 0 {
		t.Fatal(r.rawBody)
	}
	claims, err := e.issuer.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"subject":   strconv.Itoa(ann.ID),
		"scopes":    []any{"me", "items"},
		"issuedAt":  claims.IssuedAt.UTC().Format("2006-01-02T15:04:05Z"),
		"expiresAt": claims.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z"),
	}
	if got := r.Data["tokenInfo"]; !reflect.DeepEqual(got, want) {
		t.Errorf("tokenInfo = %v, want %v", got, want)
	}
}

// A refused token fails protected fields with the reason, sets
// WWW-Authenticate, and leaves public fields working.
func TestRefusedToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "ann", "me")
	good := e.token(t, "ann", nil)
	other := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "1", "exp": 4102444800, "iss": "gqlauth", "aud": "gqlauth"})
	other.Header["typ"] = "at+jwt"
	forged, _ := other.SignedString([]byte("some-other-secret-0123456789abcdef"))
	disabled := e.token(t, "ann", nil)

	tests := []struct{ name, token, wantMsg string }{
		{"tampered", good[:len(good)-3] + "abc", "access token signature is invalid"},
		{"garbage", "not-a-jwt", "access token is malformed"},
		{"other key", forged, "access token signature is invalid"},
		{"disabled user", disabled, "user is disabled"},
	}
	if err := e.svc.SetDisabled(context.Background(), "ann", true); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, tt.token, `{ me { username } }`, nil)
			if got := r.code(t); got != "UNAUTHENTICATED" || r.Errors[0].Message != tt.wantMsg {
				t.Errorf("error = %s %q, want UNAUTHENTICATED %q", got, r.Errors[0].Message, tt.wantMsg)
			}
			if got := r.header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
				t.Errorf("WWW-Authenticate = %q", got)
			}
			r = e.do(t, tt.token, `mutation { login(username: "nobody", password: "whatever-pw") { tokenType } }`, nil)
			if got := r.code(t); got != "UNAUTHENTICATED" || r.Errors[0].Message != "incorrect username or password" {
				t.Errorf("login on a refused-token request = %s %q, want the login's own answer", got, r.Errors[0].Message)
			}
		})
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "ann", "me", "items")
	e.user(t, "dora", "me")
	if err := e.svc.SetDisabled(context.Background(), "dora", true); err != nil {
		t.Fatal(err)
	}
	const q = `mutation($u: String!, $p: String!, $s: [String!]) {
		login(username: $u, password: $p, scopes: $s) { accessToken tokenType expiresIn refreshToken scopes user { username } } }`
	tests := []struct {
		name       string
		vars       map[string]any
		wantCode   string
		wantMsg    string
		wantScopes string
	}{
		{name: "all granted scopes", vars: map[string]any{"u": "ann", "p": password}, wantScopes: "[me items]"},
		{name: "null scopes", vars: map[string]any{"u": "ann", "p": password, "s": nil}, wantScopes: "[me items]"},
		{name: "empty scopes", vars: map[string]any{"u": "ann", "p": password, "s": []string{}}, wantScopes: "[]"},
		{name: "subset", vars: map[string]any{"u": "ann", "p": password, "s": []string{"items"}}, wantScopes: "[items]"},
		{name: "wrong password", vars: map[string]any{"u": "ann", "p": "wrong-password"}, wantCode: "UNAUTHENTICATED", wantMsg: "incorrect username or password"},
		{name: "unknown user", vars: map[string]any{"u": "zed", "p": password}, wantCode: "UNAUTHENTICATED", wantMsg: "incorrect username or password"},
		{name: "disabled user", vars: map[string]any{"u": "dora", "p": password}, wantCode: "UNAUTHENTICATED", wantMsg: "user is disabled"},
		{name: "ungranted scope", vars: map[string]any{"u": "ann", "p": password, "s": []string{"me", "users:write"}}, wantCode: "BAD_USER_INPUT", wantMsg: `scope "users:write" is not granted to this user`},
		{name: "unknown scope", vars: map[string]any{"u": "ann", "p": password, "s": []string{"root"}}, wantCode: "BAD_USER_INPUT", wantMsg: `unknown scope "root"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(t, "", q, tt.vars)
			if tt.wantCode != "" {
				if got := r.code(t); got != tt.wantCode || !strings.Contains(r.Errors[0].Message, tt.wantMsg) {
					t.Errorf("error = %s %q, want %s %q", got, r.Errors[0].Message, tt.wantCode, tt.wantMsg)
				}
				if r.Data != nil {
					t.Errorf("data = %v, want null", r.Data)
				}
				return
			}
			if len(r.Errors) > 0 {
				t.Fatal(r.rawBody)
			}
			login := r.Data["login"].(map[string]any)
			if login["tokenType"] != "Bearer" || login["expiresIn"] != float64(900) || get(login, "user", "username") != "ann" || login["refreshToken"] == "" {
				t.Errorf("login = %v", login)
			}
			if got := fmt.Sprint(login["scopes"]); got != tt.wantScopes {
				t.Errorf("scopes = %s, want %s", got, tt.wantScopes)
			}
			claims, err := e.issuer.Verify(login["accessToken"].(string))
			if err != nil {
				t.Fatalf("issued token does not verify: %v", err)
			}
			if got := fmt.Sprint(claims.Scopes()); got != tt.wantScopes {
				t.Errorf("token scope = %s, want %s", got, tt.wantScopes)
			}
		})
	}
}
