package auth

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

func TestFailures(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := newFailures(3, time.Minute)
	for i := range 3 {
		if err := f.check("ann", t0); err != nil {
			t.Fatalf("check after %d failures = %v, want nil", i, err)
		}
		f.fail("ann", t0.Add(time.Duration(i)*time.Second))
	}
	err := f.check("ann", t0.Add(10*time.Second))
	var rl *RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("check after 3 failures = %v, want a RateLimitError", err)
	}
	if rl.RetryAfter != 50*time.Second || rl.RetryAfterSeconds() != 50 {
		t.Errorf("RetryAfter = %v (%d s), want 50s: the window started at the first failure", rl.RetryAfter, rl.RetryAfterSeconds())
	}
	if err := f.check("bob", t0); err != nil {
		t.Errorf("another key: %v, want nil", err)
	}
	if err := f.check("ann", t0.Add(time.Minute)); err != nil {
		t.Errorf("after the window: %v, want nil", err)
	}
	f.reset("ann")
	if err := f.check("ann", t0.Add(10*time.Second)); err != nil {
		t.Errorf("after reset: %v, want nil", err)
	}
	if got := (&RateLimitError{RetryAfter: 100 * time.Millisecond}).RetryAfterSeconds(); got != 1 {
		t.Errorf("RetryAfterSeconds of 100ms = %d, want 1", got)
	}
}

func TestFailuresBounded(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := newFailures(1, time.Hour)
	for i := range maxKeys + 10 {
		f.fail(strconv.Itoa(i), t0.Add(time.Duration(i)*time.Millisecond))
	}
	if n := len(f.keys); n > maxKeys {
		t.Errorf("%d keys held, want at most %d", n, maxKeys)
	}
	if err := f.check(strconv.Itoa(maxKeys+9), t0.Add(time.Hour/2)); err == nil {
		t.Error("the newest key was dropped")
	}
}

func TestFailuresDisabled(t *testing.T) {
	t.Parallel()
	f := newFailures(0, time.Minute)
	f.fail("ann", time.Now())
	if err := f.check("ann", time.Now()); err != nil {
		t.Errorf("max 0 (off): %v, want nil", err)
	}
}
