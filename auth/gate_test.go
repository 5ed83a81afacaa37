package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestGate(t *testing.T) {
	t.Parallel()
	g := newGate(1, 1, 50*time.Millisecond)
	ctx := context.Background()
	release, err := g.enter(ctx)
	if err != nil {
		t.Fatalf("first enter: %v", err)
	}
	waited := make(chan error, 1)
	go func() {
		_, err := g.enter(ctx) // queues, then times out: the slot is held
		waited <- err
	}()
	for g.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	if _, err := g.enter(ctx); !errors.Is(err, ErrRateLimited) {
		t.Errorf("enter with the queue full = %v, want busy", err)
	}
	if err := <-waited; !errors.Is(err, ErrRateLimited) {
		t.Errorf("enter past the wait = %v, want busy", err)
	}
	release()
	r2, err := g.enter(ctx)
	if err != nil {
		t.Fatalf("enter after release: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		r, err := g.enter(ctx) // gets the slot when it is released in time
		if r != nil {
			r()
		}
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	r2()
	if err := <-done; err != nil {
		t.Errorf("queued enter released in time = %v, want nil", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	r3, _ := g.enter(ctx)
	if _, err := g.enter(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("enter with a cancelled context = %v, want context.Canceled", err)
	}
	r3()
}
