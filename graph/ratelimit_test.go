package graph_test

import (
	"fmt"
	"strings"
	"testing"
)

const loginQ = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }`

// Past five failures a username is refused with RATE_LIMITED, before any
// password check, whether or not the user exists.
func TestLoginThrottledPerUsername(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "ann", "me")
	for _, name := range []string{"ann", "zed"} { // zed does not exist
		t.Run(name, func(t *testing.T) {
			for i := range 5 {
				r := e.do(t, "", loginQ, map[string]any{"u": name, "p": "wrong-password"})
				if got := r.code(t); got != "UNAUTHENTICATED" {
					t.Fatalf("failure %d: code %s, want UNAUTHENTICATED", i+1, got)
				}
			}
			// Even the right password is refused now: the limiter answers first.
			r := e.do(t, "", loginQ, map[string]any{"u": name, "p": password})
			if got := r.code(t); got != "RATE_LIMITED" {
				t.Fatalf("6th attempt: code %s, want RATE_LIMITED: %s", got, r.rawBody)
			}
			secs, _ := r.Errors[0].Extensions["retryAfterSeconds"].(float64)
			if secs < 1 || secs > 15*60 {
				t.Errorf("retryAfterSeconds = %v, want 1..900", r.Errors[0].Extensions["retryAfterSeconds"])
			}
			if !strings.Contains(r.Errors[0].Message, "try again in") {
				t.Errorf("message = %q", r.Errors[0].Message)
			}
		})
	}
	// Usernames are counted case-insensitively: ANN is ann.
	r := e.do(t, "", loginQ, map[string]any{"u": "ANN", "p": password})
	if got := r.code(t); got != "RATE_LIMITED" {
		t.Errorf("ANN after ann's failures: %s, want RATE_LIMITED", got)
	}
}

func TestLoginSuccessResetsCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "ann", "me")
	fail := func(n int) {
		for range n {
			if r := e.do(t, "", loginQ, map[string]any{"u": "ann", "p": "wrong-password"}); r.code(t) != "UNAUTHENTICATED" {
				t.Fatalf("failure answered %s", r.rawBody)
			}
		}
	}
	fail(4)
	if r := e.do(t, "", loginQ, map[string]any{"u": "ann", "p": password}); len(r.Errors) > 0 {
		t.Fatalf("login after 4 failures: %s", r.rawBody)
	}
	fail(4) // would be refused had the success not reset the count
	if r := e.do(t, "", loginQ, map[string]any{"u": "ann", "p": password}); len(r.Errors) > 0 {
		t.Fatalf("login after a reset and 4 failures: %s", r.rawBody)
	}
}

// Aliased copies of login in one request are counted one by one: past the
// limit the rest are refused without a password check.
func TestAliasedLoginsThrottled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "ann", "me")
	var q strings.Builder
	q.WriteString("mutation {")
	for i := range 12 {
		fmt.Fprintf(&q, ` a%d: login(username: "ann", password: "wrong-password") { accessToken }`, i)
	}
	q.WriteString(" }")
	r := e.do(t, "", q.String(), nil)
	counts := map[string]int{}
	for _, err := range r.Errors {
		c, _ := err.Extensions["code"].(string)
		counts[c]++
	}
	if counts["UNAUTHENTICATED"] != 5 || counts["RATE_LIMITED"] != 7 {
		t.Errorf("codes = %v, want 5 UNAUTHENTICATED and 7 RATE_LIMITED", counts)
	}
}

// Wrong current passwords in changePassword count like failed logins.
func TestChangePasswordThrottled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user(t, "ann", "me")
	tok := e.token(t, "ann", nil)
	const q = `mutation($c: String!) { changePassword(currentPassword: $c, newPassword: "another-good-one") }`
	for i := range 5 {
		if r := e.do(t, tok, q, map[string]any{"c": fmt.Sprintf("guess-%d-password", i)}); r.code(t) != "BAD_USER_INPUT" {
			t.Fatalf("guess %d: %s", i+1, r.rawBody)
		}
	}
	if r := e.do(t, tok, q, map[string]any{"c": password}); r.code(t) != "RATE_LIMITED" {
		t.Fatalf("after 5 wrong guesses, the right password: %s, want RATE_LIMITED", r.rawBody)
	}
	if r := e.do(t, "", loginQ, map[string]any{"u": "ann", "p": password}); r.code(t) != "RATE_LIMITED" {
		t.Errorf("login after 5 wrong current passwords: %s, want RATE_LIMITED (one count per user)", r.rawBody)
	}
}
