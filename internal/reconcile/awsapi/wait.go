package awsapi

import (
	"context"
	"errors"
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

// operationBudget is the time a user gave one operation (a resource's
// create, update or delete) and the setting that gave it.
type operationBudget struct {
	limit   time.Duration
	setting string
}

type budgetKey struct{}

// WithOperationTimeout bounds a whole operation by the user's timeout:
// ctx ends at that deadline, and every wait in the operation runs until it
// instead of the wait's own default bound, so raising the setting lets a
// slow Verified Access activation finish. setting names it for messages
// ("timeouts.create").
func WithOperationTimeout(ctx context.Context, limit time.Duration, setting string) (context.Context, context.CancelFunc) {
	ctx = context.WithValue(ctx, budgetKey{}, operationBudget{limit: limit, setting: setting})
	return context.WithTimeout(ctx, limit)
}

// TimeoutError is a wait that ran out of time. Setting, when not empty, is
// the user's timeout that bounded it.
type TimeoutError struct {
	What    string
	After   time.Duration
	Setting string
}

func (e *TimeoutError) Error() string {
	if e.Setting == "" {
		return fmt.Sprintf("timed out after %s waiting for %s", e.After, e.What)
	}
	return fmt.Sprintf("timed out after %s (%s) waiting for %s; if AWS needs longer, raise %s in the resource's timeouts block",
		e.After, e.Setting, e.What, e.Setting)
}

// OperationTimedOut reports whether err ended an operation bounded by
// WithOperationTimeout because its time ran out, and returns the error
// naming the setting to raise (err itself when it already does).
func OperationTimedOut(ctx context.Context, err error) (*TimeoutError, bool) {
	var te *TimeoutError
	if errors.As(err, &te) && te.Setting != "" {
		return te, true
	}
	b, ok := ctx.Value(budgetKey{}).(operationBudget)
	if !ok || err == nil || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, false
	}
	return &TimeoutError{What: "AWS: " + err.Error(), After: b.limit, Setting: b.setting}, true
}

// waitUntil polls check with jittered exponential backoff until it reports
// done, fails, or the timeout passes: the operation's (WithOperationTimeout)
// when there is one, else o.Timeout. check returns (done, err); a non-nil
// err stops the wait.
func waitUntil(ctx context.Context, what string, o WaitOptions, check func(context.Context) (bool, error)) error {
	if o.Timeout == 0 {
		o = DefaultWait
	}
	budget, bounded := ctx.Value(budgetKey{}).(operationBudget)
	timedOut := &TimeoutError{What: what, After: o.Timeout}
	if bounded {
		timedOut = &TimeoutError{What: what, After: budget.limit, Setting: budget.setting}
	} else {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	delay := o.MinDelay
	for {
		done, err := check(ctx)
		if err != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				// The deadline cut the poll's own call short.
				return timedOut
			}
			return err
		}
		if done {
			return nil
		}
		// Full jitter keeps many waiters from polling in lockstep.
		sleep := time.Duration(rand.Int64N(int64(delay))) + o.MinDelay
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return timedOut
			}
			return ctx.Err()
		case <-time.After(sleep):
		}
		delay *= 2
		if delay > o.MaxDelay {
			delay = o.MaxDelay
		}
	}
}
