package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These tests drive the abuse-resistance settings (README: Security and
// limits) through a real server: body limit, CORS, login throttling behind
// proxies, query limits and the request deadline.

// send does req with a bounded wait and returns the response (its body
// closed) and the body.
func send(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return resp, body
}

// newRequest builds a request of body, with a Content-Length, or chunked
// (length unknown) when chunked is set.
func newRequest(t *testing.T, method, url, contentType string, body []byte, chunked bool) *http.Request {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
		if chunked {
			r = struct{ io.Reader }{r} // hides the length from NewRequest
		}
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if chunked {
		req.ContentLength = -1
		req.TransferEncoding = []string{"chunked"}
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

// paddedGraphQL is a { __typename } request of exactly n bytes, the query
// padded with spaces.
func paddedGraphQL(t *testing.T, n int) []byte {
	t.Helper()
	const prefix, suffix = `{"query":"{ __typename }`, `"}`
	pad := n - len(prefix) - len(suffix)
	if pad < 0 {
		t.Fatalf("paddedGraphQL(%d): too short", n)
	}
	b := []byte(prefix + strings.Repeat(" ", pad) + suffix)
	if !json.Valid(b) {
		t.Fatalf("paddedGraphQL(%d) is not JSON", n)
	}
	return b
}

// paddedToken is a password grant for johndoe of exactly n bytes, its scope
// padded with encoded spaces.
func paddedToken(t *testing.T, n int) []byte {
	t.Helper()
	const prefix = "grant_type=password&username=johndoe&password=johndoe-secret&scope=me"
	if n < len(prefix) {
		t.Fatalf("paddedToken(%d): too short", n)
	}
	return []byte(prefix + strings.Repeat("+", n-len(prefix)))
}

func TestBodyLimit(t *testing.T) {
	const limit = 2048
	env := testEnv(t)
	env["GQLAUTH_MAX_BODY_BYTES"] = strconv.Itoa(limit)
	s := startServer(t, env, "--demo")

	const (
		jsonType = "application/json"
		formType = "application/x-www-form-urlencoded"
	)
	tests := []struct {
		name        string
		path        string
		contentType string
		body        []byte
		chunked     bool
		wantStatus  int
	}{
		{"graphql at the limit", "/graphql", jsonType, paddedGraphQL(t, limit), false, http.StatusOK},
		{"graphql at the limit, chunked", "/graphql", jsonType, paddedGraphQL(t, limit), true, http.StatusOK},
		{"graphql over the limit", "/graphql", jsonType, paddedGraphQL(t, limit+1), false, http.StatusRequestEntityTooLarge},
		{"graphql over the limit, chunked", "/graphql", jsonType, paddedGraphQL(t, limit+1), true, http.StatusRequestEntityTooLarge},
		{"token at the limit", "/token", formType, paddedToken(t, limit), false, http.StatusOK},
		{"token at the limit, chunked", "/token", formType, paddedToken(t, limit), true, http.StatusOK},
		{"token over the limit", "/token", formType, paddedToken(t, limit+1), false, http.StatusRequestEntityTooLarge},
		{"token over the limit, chunked", "/token", formType, paddedToken(t, limit+1), true, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.body) != limit && len(tt.body) != limit+1 {
				t.Fatalf("body is %d bytes, want %d or %d", len(tt.body), limit, limit+1)
			}
			req := newRequest(t, http.MethodPost, s.url+tt.path, tt.contentType, tt.body, tt.chunked)
			resp, body := send(t, req)
			if resp.StatusCode >= 500 {
				t.Fatalf("POST %s (%d bytes) = %d, want no 5xx; body: %s", tt.path, len(tt.body), resp.StatusCode, body)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("POST %s (%d bytes) = %d, want %d; body: %s", tt.path, len(tt.body), resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantStatus == http.StatusRequestEntityTooLarge {
				if !strings.Contains(string(body), "2 KiB") {
					t.Errorf("413 body = %q, want it to name the limit, 2 KiB", body)
				}
				// JSON in the endpoint's own error shape.
				want := `"code":"BAD_USER_INPUT"`
				if tt.path == "/token" {
					want = `"error":"invalid_request"`
				}
				if resp.Header.Get("Content-Type") != "application/json" || !strings.Contains(string(body), want) {
					t.Errorf("413 = %s %s, want JSON with %s", resp.Header.Get("Content-Type"), body, want)
				}
				return
			}
			// Within the limit the request was processed normally.
			switch tt.path {
			case "/graphql":
				var r gqlResponse
				if err := json.Unmarshal(body, &r); err != nil || string(r.Data) != `{"__typename":"Query"}` || len(r.Errors) > 0 {
					t.Errorf("POST /graphql = %s, want data {\"__typename\":\"Query\"}", body)
				}
			case "/token":
				var tok struct {
					AccessToken string `json:"access_token"`
					Scope       string `json:"scope"`
				}
				if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" || tok.Scope != "me" {
					t.Errorf("POST /token = %s, want an access_token with scope me", body)
				}
			}
		})
	}
}

// preflight sends a CORS preflight for a POST with Authorization from
// origin to path.
func preflight(t *testing.T, base, path, origin string) (*http.Response, []byte) {
	t.Helper()
	req := newRequest(t, http.MethodOptions, base+path, "", nil, false)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	return send(t, req)
}

// postFrom POSTs { __typename } to base/graphql with Origin: origin.
func postFrom(t *testing.T, base, origin string) (*http.Response, []byte) {
	t.Helper()
	req := newRequest(t, http.MethodPost, base+"/graphql", "application/json", []byte(`{"query":"{ __typename }"}`), false)
	req.Header.Set("Origin", origin)
	return send(t, req)
}

func TestCORSThroughServer(t *testing.T) {
	const (
		allowed = "https://app.example.com"
		refused = "https://evil.example"
	)
	env := testEnv(t)
	env["GQLAUTH_CORS_ORIGINS"] = allowed
	s := startServer(t, env)

	for _, path := range []string{"/graphql", "/token"} {
		t.Run("preflight allowed "+path, func(t *testing.T) {
			resp, body := preflight(t, s.url, path, allowed)
			if resp.StatusCode != http.StatusNoContent {
				t.Fatalf("OPTIONS %s from %s = %d, want 204; body: %s", path, allowed, resp.StatusCode, body)
			}
			h := resp.Header
			if got := h.Values("Access-Control-Allow-Origin"); len(got) != 1 || got[0] != allowed {
				t.Errorf("Access-Control-Allow-Origin = %q, want exactly %q", got, allowed)
			}
			if got := h.Get("Access-Control-Allow-Credentials"); got != "true" {
				t.Errorf("Access-Control-Allow-Credentials = %q, want true", got)
			}
			if got := h.Get("Access-Control-Allow-Headers"); !strings.Contains(strings.ToLower(got), "authorization") {
				t.Errorf("Access-Control-Allow-Headers = %q, want it to contain Authorization", got)
			}
			if got := h.Get("Access-Control-Max-Age"); got != "600" {
				t.Errorf("Access-Control-Max-Age = %q, want 600", got)
			}
		})
	}

	t.Run("preflight refused", func(t *testing.T) {
		resp, body := preflight(t, s.url, "/graphql", refused)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("OPTIONS /graphql from %s = %d, want 403; body: %s", refused, resp.StatusCode, body)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Access-Control-Allow-Origin = %q for a refused origin, want none", got)
		}
		if got := resp.Header.Get("Access-Control-Allow-Credentials"); got != "" {
			t.Errorf("Access-Control-Allow-Credentials = %q for a refused origin, want none", got)
		}
	})

	t.Run("POST from allowed origin", func(t *testing.T) {
		resp, body := postFrom(t, s.url, allowed)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"__typename":"Query"`) {
			t.Fatalf("POST /graphql from %s = %d %s, want 200 with data", allowed, resp.StatusCode, body)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != allowed {
			t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, allowed)
		}
		if !hasToken(resp.Header.Values("Vary"), "Origin") {
			t.Errorf("Vary = %q, want it to contain Origin", resp.Header.Values("Vary"))
		}
	})

	t.Run("POST from refused origin", func(t *testing.T) {
		resp, body := postFrom(t, s.url, refused)
		if resp.StatusCode >= 500 {
			t.Fatalf("POST /graphql from %s = %d, want no 5xx; body: %s", refused, resp.StatusCode, body)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Access-Control-Allow-Origin = %q for a refused origin, want none", got)
		}
	})

	t.Run("not configured", func(t *testing.T) {
		plain := startServer(t, testEnv(t))
		check := func(what string, resp *http.Response) {
			t.Helper()
			if resp.StatusCode >= 500 {
				t.Errorf("%s = %d, want no 5xx", what, resp.StatusCode)
			}
			for name := range resp.Header {
				if strings.HasPrefix(name, "Access-Control-") {
					t.Errorf("%s: header %s = %q without GQLAUTH_CORS_ORIGINS, want no CORS headers", what, name, resp.Header.Values(name))
				}
			}
			if hasToken(resp.Header.Values("Vary"), "Origin") {
				t.Errorf("%s: Vary = %q without GQLAUTH_CORS_ORIGINS, want no Origin", what, resp.Header.Values("Vary"))
			}
		}
		resp, _ := preflight(t, plain.url, "/graphql", allowed)
		check("OPTIONS /graphql", resp)
		resp, _ = preflight(t, plain.url, "/token", allowed)
		check("OPTIONS /token", resp)
		resp, _ = postFrom(t, plain.url, allowed)
		check("POST /graphql", resp)
	})
}

// hasToken reports whether the comma-separated header values hold tok.
func hasToken(values []string, tok string) bool {
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), tok) {
				return true
			}
		}
	}
	return false
}

// loginVia sends the login mutation with X-Forwarded-For: xff (none if "").
func loginVia(t *testing.T, base, xff, username, password string) *gqlResponse {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": loginMutation, "variables": loginVars(username, password, nil)})
	if err != nil {
		t.Fatal(err)
	}
	req := newRequest(t, http.MethodPost, base+"/graphql", "application/json", body, false)
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	r, _ := doGraphQL(t, req)
	return r
}

// wantRateLimited checks that r is one RATE_LIMITED error whose
// retryAfterSeconds is within the 15-minute window.
func wantRateLimited(t *testing.T, what string, r *gqlResponse) {
	t.Helper()
	wantError(t, what, r, "RATE_LIMITED", "")
	if len(r.Errors) != 1 {
		return
	}
	secs, ok := r.Errors[0].Extensions["retryAfterSeconds"].(float64)
	if !ok || secs < 1 || secs > 900 || secs != float64(int(secs)) {
		t.Errorf("%s: extensions.retryAfterSeconds = %v, want a whole number in [1, 900]", what, r.Errors[0].Extensions["retryAfterSeconds"])
	}
}

// postToken POSTs a token request and returns the response and its JSON body.
func postToken(t *testing.T, base string, form url.Values) (*http.Response, map[string]any) {
	t.Helper()
	req := newRequest(t, http.MethodPost, base+"/token", "application/x-www-form-urlencoded", []byte(form.Encode()), false)
	resp, body := send(t, req)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("POST /token = %d %q: not JSON: %v", resp.StatusCode, body, err)
	}
	return resp, m
}

func passwordGrant(username, password string) url.Values {
	return url.Values{"grant_type": {"password"}, "username": {username}, "password": {password}}
}

func TestLoginThrottling(t *testing.T) {
	t.Run("per user", func(t *testing.T) {
		s := startServer(t, testEnv(t), "--demo")

		for i := range 5 {
			r := loginVia(t, s.url, "", "johndoe", "wrong-password")
			wantError(t, "failed login "+strconv.Itoa(i+1), r, "UNAUTHENTICATED", "incorrect username or password")
		}
		r := loginVia(t, s.url, "", "johndoe", "johndoe-secret")
		wantRateLimited(t, "6th login with the right password", r)

		t.Run("token endpoint", func(t *testing.T) {
			// The same counters: johndoe is locked out of /token too.
			resp, m := postToken(t, s.url, passwordGrant("johndoe", "johndoe-secret"))
			wantTooMany(t, "POST /token for johndoe after 5 GraphQL failures", resp, m)

			for i := range 5 {
				resp, m := postToken(t, s.url, passwordGrant("mallory", "wrong-password"))
				if resp.StatusCode != http.StatusBadRequest || m["error"] != "invalid_grant" {
					t.Fatalf("POST /token failure %d = %d %v, want 400 invalid_grant", i+1, resp.StatusCode, m)
				}
			}
			resp, m = postToken(t, s.url, passwordGrant("mallory", "wrong-password"))
			wantTooMany(t, "6th POST /token for mallory", resp, m)
		})
	})

	t.Run("per IP behind a trusted proxy", func(t *testing.T) {
		env := testEnv(t)
		env["GQLAUTH_TRUSTED_PROXIES"] = "127.0.0.1"
		env["GQLAUTH_LOGIN_FAILURES_PER_IP"] = "3"
		env["GQLAUTH_LOGIN_FAILURES_PER_USER"] = "-1"
		s := startServer(t, env, "--demo")

		for i := range 3 {
			r := loginVia(t, s.url, "203.0.113.7", "guess"+strconv.Itoa(i), "wrong-password")
			wantError(t, "failed login "+strconv.Itoa(i+1)+" from 203.0.113.7", r, "UNAUTHENTICATED", "incorrect username or password")
		}
		r := loginVia(t, s.url, "203.0.113.7", "johndoe", "johndoe-secret")
		wantRateLimited(t, "4th login from 203.0.113.7", r)

		r = loginVia(t, s.url, "203.0.113.8", "johndoe", "johndoe-secret")
		var d loginData
		r.decodeData(t, &d)
		if len(r.Errors) > 0 || d.Login == nil || d.Login.AccessToken == "" {
			t.Errorf("login from 203.0.113.8 = data %s, errors %+v; want an accessToken", r.Data, r.Errors)
		}
	})

	t.Run("X-Forwarded-For ignored without trusted proxies", func(t *testing.T) {
		env := testEnv(t)
		env["GQLAUTH_LOGIN_FAILURES_PER_IP"] = "3"
		env["GQLAUTH_LOGIN_FAILURES_PER_USER"] = "-1"
		s := startServer(t, env, "--demo")

		for i, xff := range []string{"203.0.113.7", "203.0.113.8", "203.0.113.9"} {
			r := loginVia(t, s.url, xff, "guess"+strconv.Itoa(i), "wrong-password")
			wantError(t, "failed login claiming "+xff, r, "UNAUTHENTICATED", "incorrect username or password")
		}
		for _, xff := range []string{"203.0.113.10", ""} {
			r := loginVia(t, s.url, xff, "johndoe", "johndoe-secret")
			wantRateLimited(t, "4th login from 127.0.0.1 (X-Forwarded-For: "+xff+")", r)
		}
	})
}

// wantTooMany checks a /token refusal for too many failures: 429
// temporarily_unavailable, Retry-After in whole seconds, not cached.
func wantTooMany(t *testing.T, what string, resp *http.Response, m map[string]any) {
	t.Helper()
	if resp.StatusCode != http.StatusTooManyRequests || m["error"] != "temporarily_unavailable" {
		t.Errorf("%s = %d %v, want 429 temporarily_unavailable", what, resp.StatusCode, m)
	}
	if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || n < 1 || n > 900 {
		t.Errorf("%s: Retry-After = %q, want a whole number of seconds in [1, 900]", what, resp.Header.Get("Retry-After"))
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("%s: Cache-Control = %q, want no-store", what, got)
	}
}

func TestLimitConfigErrors(t *testing.T) {
	tests := []struct {
		name, key, value string
	}{
		{"CORS origin without scheme", "GQLAUTH_CORS_ORIGINS", "notanorigin"},
		{"CORS origin with a path", "GQLAUTH_CORS_ORIGINS", "https://a.example/path"},
		{"trusted proxy not an IP", "GQLAUTH_TRUSTED_PROXIES", "nonsense"},
		{"introspection not a bool", "GQLAUTH_INTROSPECTION", "maybe"},
		{"depth not a number", "GQLAUTH_MAX_QUERY_DEPTH", "deep"},
		{"timeout not a duration", "GQLAUTH_REQUEST_TIMEOUT", "soon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testEnv(t)
			env[tt.key] = tt.value
			// Should the server start by mistake, run returns nil at the
			// deadline instead of blocking the test.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var stdout, stderr syncBuffer
			args := []string{"gqlauth", "serve"}
			err := run(ctx, args, getenv(env), strings.NewReader(""), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.key) {
				t.Fatalf("run(serve) with %s=%q = %v, want an error naming %s; stderr:\n%s", tt.key, tt.value, err, tt.key, stderr.String())
			}
			if strings.Contains(stderr.String(), "serving") {
				t.Errorf("run(serve) with %s=%q started serving; stderr:\n%s", tt.key, tt.value, stderr.String())
			}
		})
	}
}

func TestQueryLimitsThroughServer(t *testing.T) {
	const schemaQuery = `{ __schema { queryType { name } } }`

	t.Run("introspection on by default", func(t *testing.T) {
		s := startServer(t, testEnv(t))
		r, _ := postGraphQL(t, s.url, "", schemaQuery, nil)
		if want := `{"__schema":{"queryType":{"name":"Query"}}}`; len(r.Errors) > 0 || string(r.Data) != want {
			t.Errorf("%s = data %s, errors %+v; want %s", schemaQuery, r.Data, r.Errors, want)
		}
	})

	t.Run("introspection off", func(t *testing.T) {
		env := testEnv(t)
		env["GQLAUTH_INTROSPECTION"] = "false"
		s := startServer(t, env)
		r, _ := postGraphQL(t, s.url, "", schemaQuery, nil)
		wantError(t, schemaQuery+" with introspection off", r, "BAD_USER_INPUT", "introspection is disabled")
	})

	t.Run("max depth", func(t *testing.T) {
		env := testEnv(t)
		env["GQLAUTH_MAX_QUERY_DEPTH"] = "3"
		s := startServer(t, env, "--demo")
		token, _ := login(t, s.url, "johndoe", "johndoe-secret", nil)

		const deep = `{ me { items { owner { username } } } }`
		r, _ := postGraphQL(t, s.url, token, deep, nil)
		wantError(t, deep+" with depth limit 3", r, "BAD_USER_INPUT", "limit of 3")

		const atLimit = `{ me { items { title } } }`
		r, _ = postGraphQL(t, s.url, token, atLimit, nil)
		if len(r.Errors) > 0 || !strings.HasPrefix(string(r.Data), `{"me":{"items":[`) {
			t.Errorf("%s with depth limit 3 = data %s, errors %+v; want johndoe's items", atLimit, r.Data, r.Errors)
		}
	})
}

// TestRequestDeadline: a request that runs past GQLAUTH_REQUEST_TIMEOUT
// gets a prompt JSON answer with an error, never a 5xx or a hang.
func TestRequestDeadline(t *testing.T) {
	env := testEnv(t)
	// A token from a server without the deadline, valid on the next one:
	// same database, secret, issuer and audience.
	first := startServer(t, env, "--demo")
	token, _ := login(t, first.url, "johndoe", "johndoe-secret", nil)
	if err := first.stop(t); err != nil {
		t.Fatalf("stop first server: %v", err)
	}

	env["GQLAUTH_ADDR"] = freeAddr(t)
	env["GQLAUTH_REQUEST_TIMEOUT"] = "1ns" // every request is past it at once
	s := startServer(t, env)

	body, err := json.Marshal(map[string]any{"query": meQuery})
	if err != nil {
		t.Fatal(err)
	}
	req := newRequest(t, http.MethodPost, s.url+"/graphql", "application/json", body, false)
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	resp, raw := send(t, req)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("%s past its deadline took %v, want a prompt answer", meQuery, elapsed)
	}
	if resp.StatusCode >= 500 {
		t.Fatalf("%s past its deadline = %d, want no 5xx; body: %s", meQuery, resp.StatusCode, raw)
	}
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("%s past its deadline = %d %q: not JSON: %v", meQuery, resp.StatusCode, raw, err)
	}
	if len(r.Errors) == 0 {
		t.Fatalf("%s past its deadline = %s, want an error", meQuery, raw)
	}
	t.Logf("%s past its deadline = %d, error %q (code %q)", meQuery, resp.StatusCode, r.Errors[0].Message, r.Errors[0].code())
}
