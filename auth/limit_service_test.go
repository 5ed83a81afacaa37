package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"gqlauth/auth"
)

// loginFrom logs in through auth.ClientIP, as a request from remote.
func loginFrom(svc *auth.Service, remote, username, password string) error {
	var err error
	h := auth.ClientIP(nil)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, err = svc.Login(r.Context(), username, password, nil)
	}))
	req := httptest.NewRequest(http.MethodPost, "/token", nil)
	req.RemoteAddr = remote
	h.ServeHTTP(httptest.NewRecorder(), req)
	return err
}

func TestLoginThrottledPerIP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.svc.SetLimits(auth.Limits{FailuresPerUser: -1, FailuresPerIP: 3, FailureWindow: time.Minute})
	e.createUser(t, "alice", alicePassword, "me")
	for i := range 3 {
		// Different usernames: only the IP ties them together.
		if err := loginFrom(e.svc, "192.0.2.1:1000", fmt.Sprintf("guess%d", i), "wrong-password"); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("failure %d = %v, want ErrInvalidCredentials", i+1, err)
		}
	}
	var rl *auth.RateLimitError
	if err := loginFrom(e.svc, "192.0.2.1:2000", "alice", alicePassword); !errors.As(err, &rl) {
		t.Fatalf("4th login from the IP = %v, want a RateLimitError", err)
	}
	if err := loginFrom(e.svc, "198.51.100.2:1000", "alice", alicePassword); err != nil {
		t.Errorf("login from another IP = %v, want nil", err)
	}
}

// Under a flood the bcrypt gate refuses what it cannot queue, quickly and
// with RATE_LIMITED, instead of letting waits pile up.
func TestBcryptGateRefusesOverflow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.svc.SetLimits(auth.Limits{FailuresPerUser: -1, FailuresPerIP: -1, BcryptConcurrency: 1, BcryptQueue: 1, BcryptWait: 5 * time.Second})
	alice := e.createUser(t, "alice", alicePassword, "me")
	// A costlier hash (~50 ms a check) keeps the one slot busy while the
	// flood arrives.
	slow, err := bcrypt.GenerateFromPassword([]byte(alicePassword), 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.client.User.UpdateOne(alice).SetPasswordHash(string(slow)).Exec(auth.AsSystem(context.Background())); err != nil {
		t.Fatal(err)
	}
	var (
		wg              sync.WaitGroup
		mu              sync.Mutex
		busy, completed int
		start           = make(chan struct{})
	)
	for range 40 {
		wg.Go(func() {
			<-start
			_, err := e.svc.Login(context.Background(), "alice", "wrong-password", nil)
			mu.Lock()
			defer mu.Unlock()
			var rl *auth.RateLimitError
			switch {
			case errors.As(err, &rl):
				busy++
			case errors.Is(err, auth.ErrInvalidCredentials):
				completed++
			default:
				t.Errorf("Login = %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if busy == 0 || completed == 0 {
		t.Errorf("%d refused as busy, %d checked; want some of each", busy, completed)
	}
}
