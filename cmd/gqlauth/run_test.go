package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gqlauth/store/storetest"
)

// testSecret is a GQLAUTH_JWT_SECRET long enough for the issuer.
const testSecret = "test-secret-0123456789abcdefghijklmnopqrstuvwxyz"

// syncBuffer is a bytes.Buffer that run may write to while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freeAddr returns a loopback address with a port nobody listened on a
// moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("net.Listen: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return "127.0.0.1:" + strconv.Itoa(port)
}

// testEnv returns the configuration of a fast test server on its own
// database (a SQLite file, or a PostgreSQL schema: see storetest) and
// loopback port.
func testEnv(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{
		"GQLAUTH_ADDR":         freeAddr(t),
		"GQLAUTH_DATABASE_URL": storetest.FileURL(t),
		"GQLAUTH_BCRYPT_COST":  "4",
		"GQLAUTH_JWT_SECRET":   testSecret,
	}
}

// getenv is a fake os.Getenv reading env.
func getenv(env map[string]string) func(string) string {
	return func(key string) string { return env[key] }
}

// server is a run("serve") in progress.
type server struct {
	url            string // http://host:port, without a trailing slash
	stdout, stderr *syncBuffer

	cancel context.CancelFunc
	done   chan error // receives run's result once
	once   sync.Once
	err    error
}

// stop cancels run's context, as SIGTERM does, and returns what run
// returned. It may be called more than once.
func (s *server) stop(t *testing.T) error {
	t.Helper()
	s.once.Do(func() {
		s.cancel()
		select {
		case s.err = <-s.done:
		case <-time.After(15 * time.Second):
			s.err = errors.New("run did not return within 15s of cancel")
		}
	})
	return s.err
}

// startServer runs `gqlauth serve args...` with env until /healthz answers
// 200. At cleanup it cancels the context and checks that run returned nil:
// a graceful shutdown is exit status 0.
func startServer(t *testing.T, env map[string]string, args ...string) *server {
	t.Helper()
	addr := env["GQLAUTH_ADDR"]
	for i, a := range args { // a flag wins over the environment
		if a == "--addr" && i+1 < len(args) {
			addr = args[i+1]
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{
		url:    "http://" + addr,
		stdout: &syncBuffer{},
		stderr: &syncBuffer{},
		cancel: cancel,
		done:   make(chan error, 1),
	}
	argv := append([]string{"gqlauth", "serve"}, args...)
	go func() {
		s.done <- run(ctx, argv, getenv(env), strings.NewReader(""), s.stdout, s.stderr)
	}()
	t.Cleanup(func() {
		if err := s.stop(t); err != nil {
			t.Errorf("run(serve) = %v, want nil after cancel; stderr:\n%s", err, s.stderr)
		}
	})

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-s.done:
			s.once.Do(func() { s.err = err })
			t.Fatalf("run(%q) returned before serving: %v; stderr:\n%s", argv, err, s.stderr)
		default:
		}
		resp, err := client.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /healthz did not answer 200 within 10s (last: %v); stderr:\n%s", err, s.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runCLI runs gqlauth args... to completion with env and stdin, and returns
// its standard output.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var stdout, stderr syncBuffer
	err := run(ctx, append([]string{"gqlauth"}, args...), getenv(env), strings.NewReader(stdin), &stdout, &stderr)
	return stdout.String(), err
}

// gqlResponse is a GraphQL response body.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// code is the error's extensions.code, or "".
func (e gqlError) code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

// decodeData unmarshals the response's data into v.
func (r *gqlResponse) decodeData(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode data %s: %v", r.Data, err)
	}
}

// postGraphQL POSTs query with vars to base/graphql, with Authorization:
// Bearer token unless token is "", and returns the decoded body and the
// response (whose body is already closed).
func postGraphQL(t *testing.T, base, token, query string, vars map[string]any) (*gqlResponse, *http.Response) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return doGraphQL(t, req)
}

func doGraphQL(t *testing.T, req *http.Request) (*gqlResponse, *http.Response) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: status %d, want 200; body: %s", req.Method, req.URL, resp.StatusCode, raw)
	}
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("%s %s: decode %s: %v", req.Method, req.URL, raw, err)
	}
	return &r, resp
}

const loginMutation = `mutation($u: String!, $p: String!, $s: [String!]) {
  login(username: $u, password: $p, scopes: $s) { accessToken tokenType scopes user { username } }
}`

type loginData struct {
	Login *struct {
		AccessToken string   `json:"accessToken"`
		TokenType   string   `json:"tokenType"`
		Scopes      []string `json:"scopes"`
		User        struct {
			Username string `json:"username"`
		} `json:"user"`
	} `json:"login"`
}

// loginVars are login's variables; nil scopes asks for every scope held.
func loginVars(username, password string, scopes []string) map[string]any {
	vars := map[string]any{"u": username, "p": password}
	if scopes != nil {
		vars["s"] = scopes
	}
	return vars
}

// login logs username in and returns the access token and its scopes.
func login(t *testing.T, base, username, password string, scopes []string) (string, []string) {
	t.Helper()
	r, _ := postGraphQL(t, base, "", loginMutation, loginVars(username, password, scopes))
	if len(r.Errors) > 0 {
		t.Fatalf("login(%q) errors: %+v", username, r.Errors)
	}
	var d loginData
	r.decodeData(t, &d)
	if d.Login == nil || d.Login.AccessToken == "" {
		t.Fatalf("login(%q) data = %s, want an accessToken", username, r.Data)
	}
	if d.Login.TokenType != "Bearer" || d.Login.User.Username != username {
		t.Errorf("login(%q): tokenType %q, user %q; want Bearer, %q", username, d.Login.TokenType, d.Login.User.Username, username)
	}
	return d.Login.AccessToken, d.Login.Scopes
}

// wantError checks that r failed with one error of code whose message
// contains msg, and that data is null.
func wantError(t *testing.T, what string, r *gqlResponse, code, msg string) {
	t.Helper()
	if len(r.Errors) != 1 {
		t.Fatalf("%s: errors = %+v, want one %s", what, r.Errors, code)
	}
	if got := r.Errors[0]; got.code() != code || !strings.Contains(got.Message, msg) {
		t.Errorf("%s: error = %q (code %q), want code %s and a message containing %q", what, got.Message, got.code(), code, msg)
	}
	if d := string(r.Data); d != "" && d != "null" {
		t.Errorf("%s: data = %s, want null", what, d)
	}
}

const meQuery = `{ me { username } }`

// meUsername returns data.me.username of a successful me query.
func meUsername(t *testing.T, base, token string) string {
	t.Helper()
	r, _ := postGraphQL(t, base, token, meQuery, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("%s errors: %+v", meQuery, r.Errors)
	}
	var d struct {
		Me struct {
			Username string `json:"username"`
		} `json:"me"`
	}
	r.decodeData(t, &d)
	return d.Me.Username
}

func TestServeDemo(t *testing.T) {
	s := startServer(t, testEnv(t), "--demo")

	if out := s.stdout.String(); !strings.Contains(out, "johndoe / johndoe-secret") || !strings.Contains(out, "Authorization: Bearer") {
		t.Errorf("serve --demo stdout = %q, want the demo users and how to send a token", out)
	}

	token, scopes := login(t, s.url, "johndoe", "johndoe-secret", nil)
	if want := []string{"me", "items", "items:write"}; !slices.Equal(scopes, want) {
		t.Errorf("login(johndoe) scopes = %q, want %q", scopes, want)
	}

	t.Run("me with token", func(t *testing.T) {
		if got := meUsername(t, s.url, token); got != "johndoe" {
			t.Errorf("me.username = %q, want johndoe", got)
		}
	})

	t.Run("me without token", func(t *testing.T) {
		r, resp := postGraphQL(t, s.url, "", meQuery, nil)
		wantError(t, "me without token", r, "UNAUTHENTICATED", "")
		if h := resp.Header.Get("WWW-Authenticate"); h != "" {
			t.Errorf("WWW-Authenticate = %q without a token, want none", h)
		}
	})

	t.Run("field denied for scopes", func(t *testing.T) {
		meOnly, _ := login(t, s.url, "johndoe", "johndoe-secret", []string{"me"})
		r, _ := postGraphQL(t, s.url, meOnly, `{ me { username items { title } } }`, nil)
		var d struct {
			Me *struct {
				Username string          `json:"username"`
				Items    json.RawMessage `json:"items"`
			} `json:"me"`
		}
		r.decodeData(t, &d)
		if d.Me == nil || d.Me.Username != "johndoe" || string(d.Me.Items) != "null" {
			t.Errorf("data = %s, want me.username johndoe and me.items null", r.Data)
		}
		if len(r.Errors) != 1 {
			t.Fatalf("errors = %+v, want one FORBIDDEN", r.Errors)
		}
		e := r.Errors[0]
		if e.code() != "FORBIDDEN" {
			t.Errorf("error code = %q (%q), want FORBIDDEN", e.code(), e.Message)
		}
		if got, want := fmt.Sprint(e.Extensions["requiredScopes"]), "[[items]]"; got != want {
			t.Errorf("extensions.requiredScopes = %s, want %s", got, want)
		}
		if got, want := fmt.Sprint(e.Path), "[me items]"; got != want {
			t.Errorf("error path = %s, want %s", got, want)
		}
	})

	t.Run("disabled user", func(t *testing.T) {
		r, _ := postGraphQL(t, s.url, "", loginMutation, loginVars("alice", "alice-secret", nil))
		wantError(t, "login(alice)", r, "UNAUTHENTICATED", "user is disabled")
	})

	t.Run("wrong password", func(t *testing.T) {
		r, _ := postGraphQL(t, s.url, "", loginMutation, loginVars("johndoe", "wrong-password", nil))
		wantError(t, "login(johndoe, wrong password)", r, "UNAUTHENTICATED", "incorrect username or password")
	})

	t.Run("playground", func(t *testing.T) {
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(s.url + "/")
		if err != nil {
			t.Fatalf("GET /: %v", err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(strings.ToLower(string(body)), "<html") {
			t.Errorf("GET / = %d, Content-Type %q, body %.80q; want 200 HTML", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	})

	t.Run("GET graphql", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodGet, s.url+"/graphql?query="+url.QueryEscape("{ __typename }"), nil)
		if err != nil {
			t.Fatal(err)
		}
		r, resp := doGraphQL(t, req)
		if string(r.Data) != `{"__typename":"Query"}` || len(r.Errors) > 0 {
			t.Errorf("GET /graphql?query={__typename} = data %s, errors %+v; want {\"__typename\":\"Query\"}", r.Data, r.Errors)
		}
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", got)
		}
	})

	t.Run("bad token", func(t *testing.T) {
		const bad = "not.a.jwt"
		const wantHeader = `Bearer error="invalid_token"`
		r, resp := postGraphQL(t, s.url, bad, meQuery, nil)
		wantError(t, "me with a bad token", r, "UNAUTHENTICATED", "")
		if got := resp.Header.Get("WWW-Authenticate"); got != wantHeader {
			t.Errorf("me with a bad token: WWW-Authenticate = %q, want %q", got, wantHeader)
		}

		r, resp = postGraphQL(t, s.url, bad, loginMutation, loginVars("johndoe", "johndoe-secret", nil))
		if got := resp.Header.Get("WWW-Authenticate"); got != wantHeader {
			t.Errorf("login with a bad token: WWW-Authenticate = %q, want %q", got, wantHeader)
		}
		var d loginData
		r.decodeData(t, &d)
		if len(r.Errors) > 0 || d.Login == nil || d.Login.AccessToken == "" {
			t.Errorf("login with a bad token = data %s, errors %+v; want an accessToken", r.Data, r.Errors)
		}
	})
}

// TestServeDrainsInFlightRequests cancels run's context while a login is
// being handled: the login must still get its whole response, and run must
// return nil.
func TestServeDrainsInFlightRequests(t *testing.T) {
	s := startServer(t, testEnv(t), "--demo")
	addr := strings.TrimPrefix(s.url, "http://")

	body, err := json.Marshal(map[string]any{"query": loginMutation, "variables": loginVars("johndoe", "johndoe-secret", nil)})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(15 * time.Second))

	// Expect: 100-continue makes the request observably in flight: the
	// server answers 100 only once the handler reads the body, so the
	// connection is accepted and active before the context is cancelled.
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", addr, len(body))
	br := bufio.NewReader(conn)
	req, _ := http.NewRequest(http.MethodPost, s.url+"/graphql", nil)
	cont, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatalf("read 100 Continue: %v", err)
	}
	if cont.StatusCode != http.StatusContinue {
		t.Fatalf("status %d, want 100 Continue", cont.StatusCode)
	}

	stopped := make(chan error, 1)
	go func() { stopped <- s.stop(t) }()
	// Give Shutdown a moment to close the listener and start draining.
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-stopped:
		t.Fatalf("run(serve) = %v with a request in flight, want it to wait for the request", err)
	default:
	}

	if _, err := conn.Write(body); err != nil {
		t.Fatalf("write body after cancel: %v", err)
	}
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatalf("read response of the in-flight login: %v", err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("read body of the in-flight login: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("in-flight login: status %d, want 200; body %s", resp.StatusCode, raw)
	}
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("in-flight login: decode %s: %v", raw, err)
	}
	var d loginData
	r.decodeData(t, &d)
	if len(r.Errors) > 0 || d.Login == nil || d.Login.AccessToken == "" {
		t.Errorf("in-flight login = %s, want an accessToken", raw)
	}

	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("run(serve) = %v after cancel, want nil", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run(serve) did not return after cancel")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("dial %s after shutdown succeeded, want the listener closed", addr)
	}
}

func TestUserCommands(t *testing.T) {
	env := testEnv(t)

	out, err := runCLI(t, env, "bobpassword\n",
		"user", "create", "--username", "bob", "--email", "bob@example.com", "--full-name", "Bob", "--scopes", "me,items")
	if err != nil {
		t.Fatalf("user create bob: %v", err)
	}
	if !strings.Contains(out, "created user bob") {
		t.Errorf("user create bob: stdout = %q, want it to contain %q", out, "created user bob")
	}

	// The server and the CLI share the SQLite file, as an operator would.
	s := startServer(t, env)
	token, scopes := login(t, s.url, "bob", "bobpassword", nil)
	if want := []string{"me", "items"}; !slices.Equal(scopes, want) {
		t.Errorf("login(bob) scopes = %q, want %q", scopes, want)
	}
	if got := meUsername(t, s.url, token); got != "bob" {
		t.Errorf("me.username = %q, want bob", got)
	}
	r, _ := postGraphQL(t, s.url, token, `{ me { email fullName disabled } }`, nil)
	if want := `{"me":{"email":"bob@example.com","fullName":"Bob","disabled":false}}`; string(r.Data) != want || len(r.Errors) > 0 {
		t.Errorf("bob's profile = data %s, errors %+v; want %s", r.Data, r.Errors, want)
	}

	out, err = runCLI(t, env, "", "user", "disable", "--username", "bob")
	if err != nil {
		t.Fatalf("user disable bob: %v", err)
	}
	if !strings.Contains(out, "disabled user bob") {
		t.Errorf("user disable bob: stdout = %q, want %q", out, "disabled user bob")
	}
	r, _ = postGraphQL(t, s.url, "", loginMutation, loginVars("bob", "bobpassword", nil))
	wantError(t, "login(bob) after disable", r, "UNAUTHENTICATED", "user is disabled")
	r, resp := postGraphQL(t, s.url, token, meQuery, nil)
	wantError(t, "me with a token issued before disable", r, "UNAUTHENTICATED", "")
	if got, want := resp.Header.Get("WWW-Authenticate"), `Bearer error="invalid_token"`; got != want {
		t.Errorf("me with a disabled user's token: WWW-Authenticate = %q, want %q", got, want)
	}

	out, err = runCLI(t, env, "", "user", "enable", "--username", "bob")
	if err != nil {
		t.Fatalf("user enable bob: %v", err)
	}
	if !strings.Contains(out, "enabled user bob") {
		t.Errorf("user enable bob: stdout = %q, want %q", out, "enabled user bob")
	}
	token, _ = login(t, s.url, "bob", "bobpassword", nil)
	if got := meUsername(t, s.url, token); got != "bob" {
		t.Errorf("me.username after enable = %q, want bob", got)
	}

	t.Run("created disabled", func(t *testing.T) {
		if _, err := runCLI(t, env, "carolpassword", "user", "create", "--username", "carol", "--disabled"); err != nil {
			t.Fatalf("user create carol --disabled: %v", err)
		}
		r, _ := postGraphQL(t, s.url, "", loginMutation, loginVars("carol", "carolpassword", nil))
		wantError(t, "login(carol)", r, "UNAUTHENTICATED", "user is disabled")
	})

	t.Run("no scopes", func(t *testing.T) {
		if _, err := runCLI(t, env, "davepassword\r\n", "user", "create", "--username", "dave"); err != nil {
			t.Fatalf("user create dave: %v", err)
		}
		// The CRLF of a Windows terminal is not part of the password.
		_, scopes := login(t, s.url, "dave", "davepassword", nil)
		if len(scopes) != 0 {
			t.Errorf("login(dave) scopes = %q, want none", scopes)
		}
	})
}

func TestUserCommandErrors(t *testing.T) {
	env := testEnv(t)
	if _, err := runCLI(t, env, "bobpassword\n", "user", "create", "--username", "bob"); err != nil {
		t.Fatalf("user create bob: %v", err)
	}

	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string // in the error
	}{
		{"missing username", "bobpassword\n", []string{"user", "create", "--email", "x@example.com"}, "--username"},
		{"missing username for disable", "", []string{"user", "disable"}, "--username"},
		{"short password", "short\n", []string{"user", "create", "--username", "eve"}, "at least 8"},
		{"empty password", "", []string{"user", "create", "--username", "eve"}, "at least 8"},
		{"long password", strings.Repeat("x", 73), []string{"user", "create", "--username", "eve"}, "at most 72"},
		{"unknown scope", "evepassword\n", []string{"user", "create", "--username", "eve", "--scopes", "me,admin"}, `unknown scope "admin"`},
		{"bad username", "evepassword\n", []string{"user", "create", "--username", "e"}, "username"},
		{"bad email", "evepassword\n", []string{"user", "create", "--username", "eve", "--email", "not an email"}, "email"},
		{"duplicate username", "otherpassword\n", []string{"user", "create", "--username", "bob"}, "already taken"},
		{"disable unknown user", "", []string{"user", "disable", "--username", "nobody"}, `no user named "nobody"`},
		{"enable unknown user", "", []string{"user", "enable", "--username", "nobody"}, `no user named "nobody"`},
		{"unknown flag", "", []string{"user", "disable", "--username", "bob", "--force"}, "-force"},
		{"extra argument", "", []string{"user", "disable", "--username", "bob", "now"}, `unexpected argument "now"`},
		{"no command", "", []string{}, "usage"},
		{"unknown command", "", []string{"frobnicate"}, "usage"},
		{"user without subcommand", "", []string{"user"}, "usage"},
		{"unknown user subcommand", "", []string{"user", "delete", "--username", "bob"}, "usage"},
		{"unknown user subcommand without flags", "", []string{"user", "delete"}, "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runCLI(t, env, tt.stdin, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run(%q) = %v, want an error containing %q", tt.args, err, tt.want)
			}
		})
	}

	// None of the failures touched bob, and none created eve.
	s := startServer(t, env)
	login(t, s.url, "bob", "bobpassword", nil)
	r, _ := postGraphQL(t, s.url, "", loginMutation, loginVars("eve", "evepassword", nil))
	wantError(t, "login(eve)", r, "UNAUTHENTICATED", "incorrect username or password")
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string // merged over testEnv
		args    []string          // after "serve"
		want    string            // in the error
		notWant string            // never in the error
	}{
		{name: "short JWT secret", env: map[string]string{"GQLAUTH_JWT_SECRET": "too-short"}, want: "at least 32", notWant: "too-short"},
		{name: "short JWT secret flag", args: []string{"--jwt-secret", "too-short"}, want: "at least 32", notWant: "too-short"},
		{name: "bad access TTL", env: map[string]string{"GQLAUTH_ACCESS_TOKEN_TTL": "abc"}, want: "GQLAUTH_ACCESS_TOKEN_TTL"},
		{name: "negative access TTL", env: map[string]string{"GQLAUTH_ACCESS_TOKEN_TTL": "-5m"}, want: "GQLAUTH_ACCESS_TOKEN_TTL"},
		{name: "bad refresh TTL", env: map[string]string{"GQLAUTH_REFRESH_TOKEN_TTL": "forever"}, want: "GQLAUTH_REFRESH_TOKEN_TTL"},
		{name: "bad bcrypt cost", env: map[string]string{"GQLAUTH_BCRYPT_COST": "fast"}, want: "GQLAUTH_BCRYPT_COST"},
		{name: "bcrypt cost out of range", env: map[string]string{"GQLAUTH_BCRYPT_COST": "99"}, want: "bcrypt cost"},
		{name: "unreachable postgres", env: map[string]string{"GQLAUTH_DATABASE_URL": "postgres://u:pw-s3cret@127.0.0.1:1/db"}, want: "postgres://***@127.0.0.1:1/db", notWant: "pw-s3cret"},
		{name: "unknown database", env: map[string]string{"GQLAUTH_DATABASE_URL": "mysql://root:hunter2@127.0.0.1/db"}, want: "database URL", notWant: "hunter2"},
		{name: "unknown flag", args: []string{"--port", "80"}, want: "-port"},
		{name: "extra argument", args: []string{"now"}, want: `unexpected argument "now"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testEnv(t)
			for k, v := range tt.env {
				env[k] = v
			}
			// Should the server start by mistake, run returns nil at the
			// deadline instead of blocking the test.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var stdout, stderr syncBuffer
			args := append([]string{"gqlauth", "serve"}, tt.args...)
			err := run(ctx, args, getenv(env), strings.NewReader(""), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run(%q) = %v, want an error containing %q; stderr:\n%s", args, err, tt.want, stderr.String())
			}
			if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
				t.Errorf("run(%q) = %q: it reveals %q", args, err, tt.notWant)
			}
			if strings.Contains(stderr.String(), "serving") {
				t.Errorf("run(%q) started serving; stderr:\n%s", args, stderr.String())
			}
		})
	}

	t.Run("user create with an unreachable postgres", func(t *testing.T) {
		env := testEnv(t)
		env["GQLAUTH_DATABASE_URL"] = "postgres://u:pw-s3cret@127.0.0.1:1/db"
		_, err := runCLI(t, env, "bobpassword\n", "user", "create", "--username", "bob")
		if err == nil || strings.Contains(err.Error(), "pw-s3cret") {
			t.Errorf("user create with %s = %v, want an error without the password", env["GQLAUTH_DATABASE_URL"], err)
		}
	})
}

// TestFlagOverridesEnv: a flag given on the command line wins over its
// environment variable.
func TestFlagOverridesEnv(t *testing.T) {
	env := testEnv(t)
	envAddr := env["GQLAUTH_ADDR"]
	env["GQLAUTH_JWT_SECRET"] = "too-short"     // overridden by --jwt-secret
	env["GQLAUTH_ACCESS_TOKEN_TTL"] = "forever" // malformed, but overridden by the flag
	flagAddr := freeAddr(t)

	s := startServer(t, env, "--addr", flagAddr, "--jwt-secret", testSecret, "--access-token-ttl", "5m", "--demo")
	if c, err := net.DialTimeout("tcp", envAddr, time.Second); err == nil {
		c.Close()
		t.Errorf("something listens on $GQLAUTH_ADDR %s, want only --addr %s", envAddr, flagAddr)
	}
	token, _ := login(t, s.url, "johndoe", "johndoe-secret", nil)
	if got := meUsername(t, s.url, token); got != "johndoe" {
		t.Errorf("me.username = %q, want johndoe", got)
	}
}

// TestServeWithoutSecret: with no configuration but where to listen and
// store, serve starts, warning that its tokens die with the process.
func TestServeWithoutSecret(t *testing.T) {
	env := map[string]string{
		"GQLAUTH_ADDR":         freeAddr(t),
		"GQLAUTH_DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "db.sqlite"),
	}
	s := startServer(t, env)
	log := s.stderr.String()
	if !strings.Contains(log, "level=WARN") || !strings.Contains(log, "GQLAUTH_JWT_SECRET") {
		t.Errorf("stderr = %q, want a warning about GQLAUTH_JWT_SECRET", log)
	}
	// The database file is where the URL says.
	if _, err := os.Stat(strings.TrimPrefix(env["GQLAUTH_DATABASE_URL"], "sqlite://")); err != nil {
		t.Errorf("database file: %v", err)
	}
}
