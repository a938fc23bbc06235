package awsapi

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// WaitOptions bound a waiter: eventual consistency is waited out, never forever.
type WaitOptions struct {
	Timeout  time.Duration
	MinDelay time.Duration
	MaxDelay time.Duration
}

// DefaultWait suits object creation and deletion in EC2 and Identity Center.
var DefaultWait = WaitOptions{Timeout: 2 * time.Minute, MinDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second}

// waitUntil polls check with jittered exponential backoff until it reports
// done, fails, or the timeout passes. check returns (done, err); a non-nil err stops the wait.
func waitUntil(ctx context.Context, what string, o WaitOptions, check func(context.Context) (bool, error)) error {
	if o.Timeout == 0 {
		o = DefaultWait
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	delay := o.MinDelay
	for {
		done, err := check(ctx)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		// Full jitter keeps many waiters from polling in lockstep.
		sleep := time.Duration(rand.Int64N(int64(delay))) + o.MinDelay
		select {
		case <-ctx.Done():
			return fmt.Errorf("timed out after %s waiting for %s", o.Timeout, what)
		case <-time.After(sleep):
		}
		delay *= 2
		if delay > o.MaxDelay {
			delay = o.MaxDelay
		}
	}
}
