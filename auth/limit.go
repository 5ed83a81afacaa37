package auth

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// ErrRateLimited is the kind of a refusal for too many attempts.
var ErrRateLimited = fmt.Errorf("rate limited")

// RateLimitError refuses an attempt until RetryAfter has passed.
type RateLimitError struct {
	RetryAfter time.Duration
	busy       bool // refused for load, not for failures
}

func (e *RateLimitError) Error() string {
	if e.busy {
		return fmt.Sprintf("too many password checks in progress: try again in %d seconds", e.RetryAfterSeconds())
	}
	return fmt.Sprintf("too many failed attempts: try again in %d seconds", e.RetryAfterSeconds())
}

// RetryAfterSeconds is RetryAfter rounded up to whole seconds, at least 1.
func (e *RateLimitError) RetryAfterSeconds() int {
	return max(1, int(math.Ceil(e.RetryAfter.Seconds())))
}

// Unwrap returns ErrRateLimited.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// failures counts failed attempts per key in fixed windows: after max
// failures within window of the first, the key is refused until the window
// ends. It holds at most maxKeys keys, dropping expired ones as it goes, so
// a flood of distinct keys cannot grow it without bound.
type failures struct {
	max    int
	window time.Duration

	mu   sync.Mutex
	keys map[string]*failureWindow
}

type failureWindow struct {
	start time.Time
	count int
}

// maxKeys bounds a failures table; past it, the oldest windows give way.
const maxKeys = 100_000

func newFailures(max int, window time.Duration) *failures {
	return &failures{max: max, window: window, keys: map[string]*failureWindow{}}
}

// check returns a RateLimitError if key has used up its failures.
func (f *failures) check(key string, now time.Time) error {
	if f == nil || f.max <= 0 {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w := f.keys[key]
	if w == nil || now.Sub(w.start) >= f.window || w.count < f.max {
		return nil
	}
	return &RateLimitError{RetryAfter: w.start.Add(f.window).Sub(now)}
}

// fail records a failure of key.
func (f *failures) fail(key string, now time.Time) {
	if f == nil || f.max <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w := f.keys[key]
	if w == nil || now.Sub(w.start) >= f.window {
		if len(f.keys) >= maxKeys {
			f.sweep(now)
		}
		w = &failureWindow{start: now}
		f.keys[key] = w
	}
	w.count++
}

// reset forgets key's failures.
func (f *failures) reset(key string) {
	if f == nil {
		return
	}
	f.mu.Lock()
	delete(f.keys, key)
	f.mu.Unlock()
}

// sweep drops expired windows, and if none were, the oldest half.
func (f *failures) sweep(now time.Time) {
	for k, w := range f.keys {
		if now.Sub(w.start) >= f.window {
			delete(f.keys, k)
		}
	}
	if len(f.keys) < maxKeys {
		return
	}
	cut := now.Add(-f.window / 2)
	for k, w := range f.keys {
		if w.start.Before(cut) || len(f.keys) >= maxKeys {
			delete(f.keys, k)
		}
	}
}
