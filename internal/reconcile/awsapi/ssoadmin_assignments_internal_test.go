package awsapi

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
)

// fakeOperation is an assignment operation over a script: per account, what
// starting it answers and the statuses its request reports on each poll.
type fakeOperation struct {
	mu      sync.Mutex
	started []string
	polls   map[string]int
}

func (f *fakeOperation) op(done func(error) bool) assignmentOperation {
	status := func(id string, s ssotypes.StatusValues, reason string) *ssotypes.AccountAssignmentOperationStatus {
		return &ssotypes.AccountAssignmentOperationStatus{RequestId: aws.String(id), Status: s, FailureReason: aws.String(reason)}
	}
	return assignmentOperation{
		doing: "assigning", waitingFor: "account assignment", reading: "assignment request",
		start: func(_ context.Context, a identitycenter.Assignment) (*ssotypes.AccountAssignmentOperationStatus, error) {
			f.mu.Lock()
			f.started = append(f.started, a.AccountID)
			f.mu.Unlock()
			switch a.AccountID {
			case "polled", "unreadable", "stuck":
				return status("req-"+a.AccountID, ssotypes.StatusValuesInProgress, ""), nil
			case "refused":
				return nil, errors.New("AccessDenied")
			case "already":
				return nil, errors.New("ResourceNotFound")
			case "failed":
				return status("req-failed", ssotypes.StatusValuesFailed, "quota exceeded"), nil
			case "immediate":
				return nil, nil
			}
			return status("req-"+a.AccountID, ssotypes.StatusValuesSucceeded, ""), nil
		},
		done: done,
		status: func(_ context.Context, id string) (*ssotypes.AccountAssignmentOperationStatus, error) {
			f.mu.Lock()
			f.polls[id]++
			n := f.polls[id]
			f.mu.Unlock()
			switch id {
			case "req-polled":
				if n < 3 {
					return status(id, ssotypes.StatusValuesInProgress, ""), nil
				}
				return status(id, ssotypes.StatusValuesSucceeded, ""), nil
			case "req-unreadable":
				return nil, errors.New("ThrottlingException")
			}
			return status(id, ssotypes.StatusValuesInProgress, ""), nil
		},
	}
}

// TestStartThenWait: every operation is started before any is waited for;
// a request in progress is polled until it succeeds, a bounded wait ends in
// an error naming the request, and each failure names its assignment while
// the others are returned as done.
func TestStartThenWait(t *testing.T) {
	saved := ProvisioningWait
	ProvisioningWait = WaitOptions{Timeout: 300 * time.Millisecond, MinDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
	t.Cleanup(func() { ProvisioningWait = saved })

	var as []identitycenter.Assignment
	for _, acct := range []string{"ok", "polled", "refused", "already", "failed", "immediate", "unreadable", "stuck"} {
		as = append(as, identitycenter.Assignment{AccountID: acct, PrincipalType: "GROUP", PrincipalID: "g-1"})
	}
	f := &fakeOperation{polls: map[string]int{}}
	done, err := startThenWait(context.Background(), f.op(func(err error) bool { return err.Error() == "ResourceNotFound" }), as)

	var got []string
	for _, a := range done {
		got = append(got, a.AccountID)
	}
	if want := []string{"ok", "polled", "already", "immediate"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("done %v, want %v", got, want)
	}
	if want := []string{"ok", "polled", "refused", "already", "failed", "immediate", "unreadable", "stuck"}; !reflect.DeepEqual(f.started, want) {
		t.Fatalf("started %v, want every assignment started first, in order", f.started)
	}
	if f.polls["req-polled"] != 3 || f.polls["req-ok"] != 0 {
		t.Fatalf("polls %v: want the request in progress polled until it succeeded, a succeeded one never", f.polls)
	}
	msg := err.Error()
	for _, want := range []string{
		"assigning GROUP g-1 in refused: AccessDenied",
		"assigning GROUP g-1 in failed: request req-failed failed: quota exceeded",
		"assigning GROUP g-1 in unreadable: reading assignment request req-unreadable: ThrottlingException",
		"assigning GROUP g-1 in stuck: timed out after 300ms waiting for account assignment req-stuck",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Count(msg, "\n") != 3 {
		t.Errorf("want exactly four failures joined, got %q", msg)
	}

	// Without done, an error starting is a failure whatever it is.
	f = &fakeOperation{polls: map[string]int{}}
	if done, err := startThenWait(context.Background(), f.op(nil), as[3:4]); len(done) != 0 || err == nil {
		t.Fatalf("an operation without done accepted a start error: %v, %v", done, err)
	}
}
