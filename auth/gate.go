package auth

import (
	"context"
	"sync/atomic"
	"time"
)

// gate bounds CPU-heavy work (bcrypt): at most cap(slots) run at once, at
// most queue more wait, and none waits longer than wait. A flood of logins
// then costs a bounded share of the machine, and requests that need no
// bcrypt (token-authenticated queries) keep their CPU.
type gate struct {
	slots   chan struct{}
	queue   int64
	waiting atomic.Int64
	wait    time.Duration
}

func newGate(concurrency, queue int, wait time.Duration) *gate {
	return &gate{slots: make(chan struct{}, max(1, concurrency)), queue: int64(queue), wait: wait}
}

// errBusy refuses work the gate has no room for.
var errBusy = &RateLimitError{RetryAfter: time.Second, busy: true}

// enter waits for a slot and returns its release, or errBusy when the queue
// is full or the wait runs out, or ctx's error.
func (g *gate) enter(ctx context.Context) (release func(), err error) {
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	default:
	}
	if g.waiting.Add(1) > g.queue {
		g.waiting.Add(-1)
		return nil, errBusy
	}
	defer g.waiting.Add(-1)
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	case <-t.C:
		return nil, errBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *gate) leave() { <-g.slots }
