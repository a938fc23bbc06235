package awsapi

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
)

// ListAssignments returns every assignment of the permission set in the given
// accounts and in every account it is provisioned to (so assignments made out
// of band in other accounts are seen too), sorted.
func ListAssignments(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string, accounts []string) ([]identitycenter.Assignment, error) {
	set := map[string]bool{}
	for _, a := range accounts {
		set[a] = true
	}
	pp := ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(c, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)})
	for pp.HasMorePages() {
		page, err := pp.NextPage(ctx)
		if isResourceNotFound(err) {
			return nil, &NotFoundError{Kind: permissionSetKind, ID: arn, Cause: err}
		}
		if err != nil {
			return nil, fmt.Errorf("listing the accounts of %s: %w", arn, err)
		}
		for _, a := range page.AccountIds {
			set[a] = true
		}
	}
	all := make([]string, 0, len(set))
	for a := range set {
		all = append(all, a)
	}
	sort.Strings(all)
	var out []identitycenter.Assignment
	for _, acct := range all {
		p := ssoadmin.NewListAccountAssignmentsPaginator(c, &ssoadmin.ListAccountAssignmentsInput{
			InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn), AccountId: aws.String(acct),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing the assignments of %s in %s: %w", arn, acct, err)
			}
			for _, a := range page.AccountAssignments {
				out = append(out, identitycenter.Assignment{AccountID: aws.ToString(a.AccountId), PrincipalType: string(a.PrincipalType), PrincipalID: aws.ToString(a.PrincipalId)})
			}
		}
	}
	SortAssignments(out)
	return out, nil
}

// SortAssignments orders assignments by account, principal type, principal id.
func SortAssignments(as []identitycenter.Assignment) {
	sort.Slice(as, func(i, j int) bool {
		if as[i].AccountID != as[j].AccountID {
			return as[i].AccountID < as[j].AccountID
		}
		if as[i].PrincipalType != as[j].PrincipalType {
			return as[i].PrincipalType < as[j].PrincipalType
		}
		return as[i].PrincipalID < as[j].PrincipalID
	})
}

// assignmentOperation is one of SSO Admin's two asynchronous assignment
// operations (create, delete): how to start it for an assignment, how to
// read its status, and the words its errors use.
type assignmentOperation struct {
	// doing names the operation on one assignment in errors ("assigning").
	doing string
	// waitingFor names the request in waits ("account assignment").
	waitingFor string
	// reading names the request in status-read errors ("assignment request").
	reading string
	// start starts the operation; a nil status means it is already done.
	// done reports an error that means the same (a deletion of an
	// assignment that does not exist).
	start func(context.Context, identitycenter.Assignment) (*ssotypes.AccountAssignmentOperationStatus, error)
	done  func(error) bool
	// status reads the status of a started request.
	status func(ctx context.Context, requestID string) (*ssotypes.AccountAssignmentOperationStatus, error)
}

func (op assignmentOperation) fail(a identitycenter.Assignment, err error) error {
	return fmt.Errorf("%s %s %s in %s: %w", op.doing, a.PrincipalType, a.PrincipalID, a.AccountID, err)
}

// startThenWait is the one algorithm of both assignment operations: start
// every operation first (Identity Center works on them concurrently), then
// wait for each request (bounded by ProvisioningWait). It returns the
// assignments whose operation succeeded, so a partial failure can be
// recorded, and every failure joined.
func startThenWait(ctx context.Context, op assignmentOperation, as []identitycenter.Assignment) ([]identitycenter.Assignment, error) {
	type started struct {
		status *ssotypes.AccountAssignmentOperationStatus
		what   identitycenter.Assignment
	}
	var pending []started
	var errs []error
	for _, a := range as {
		st, err := op.start(ctx, a)
		if err != nil && (op.done == nil || !op.done(err)) {
			errs = append(errs, op.fail(a, err))
			continue
		}
		pending = append(pending, started{status: st, what: a})
	}
	var done []identitycenter.Assignment
	for _, p := range pending {
		if err := waitAssignmentRequest(ctx, op, p.status); err != nil {
			errs = append(errs, op.fail(p.what, err))
			continue
		}
		done = append(done, p.what)
	}
	return done, errors.Join(errs...)
}

// waitAssignmentRequest polls a request's status while it is IN_PROGRESS;
// st is what starting it reported (nil: nothing to wait for).
func waitAssignmentRequest(ctx context.Context, op assignmentOperation, st *ssotypes.AccountAssignmentOperationStatus) error {
	if st == nil {
		return nil
	}
	id, status, reason := aws.ToString(st.RequestId), st.Status, aws.ToString(st.FailureReason)
	return waitUntil(ctx, op.waitingFor+" "+id, ProvisioningWait, func(ctx context.Context) (bool, error) {
		switch status {
		case ssotypes.StatusValuesSucceeded:
			return true, nil
		case ssotypes.StatusValuesFailed:
			return false, fmt.Errorf("request %s failed: %s", id, reason)
		}
		cur, err := op.status(ctx, id)
		if err != nil {
			return false, fmt.Errorf("reading %s %s: %w", op.reading, id, err)
		}
		if cur != nil {
			status, reason = cur.Status, aws.ToString(cur.FailureReason)
		}
		if status == ssotypes.StatusValuesFailed {
			return false, fmt.Errorf("request %s failed: %s", id, reason)
		}
		return status == ssotypes.StatusValuesSucceeded, nil
	})
}

func assignmentCreation(c *ssoadmin.Client, instanceARN, arn string) assignmentOperation {
	return assignmentOperation{
		doing: "assigning", waitingFor: "account assignment", reading: "assignment request",
		start: func(ctx context.Context, a identitycenter.Assignment) (*ssotypes.AccountAssignmentOperationStatus, error) {
			out, err := c.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
				InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn),
				TargetType: ssotypes.TargetTypeAwsAccount, TargetId: aws.String(a.AccountID),
				PrincipalType: ssotypes.PrincipalType(a.PrincipalType), PrincipalId: aws.String(a.PrincipalID),
			})
			if err != nil {
				return nil, err
			}
			return out.AccountAssignmentCreationStatus, nil
		},
		status: func(ctx context.Context, id string) (*ssotypes.AccountAssignmentOperationStatus, error) {
			out, err := c.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{
				InstanceArn: aws.String(instanceARN), AccountAssignmentCreationRequestId: aws.String(id),
			})
			if err != nil {
				return nil, err
			}
			return out.AccountAssignmentCreationStatus, nil
		},
	}
}

func assignmentDeletion(c *ssoadmin.Client, instanceARN, arn string) assignmentOperation {
	return assignmentOperation{
		doing: "removing the assignment of", waitingFor: "removal of account assignment", reading: "assignment removal request",
		start: func(ctx context.Context, a identitycenter.Assignment) (*ssotypes.AccountAssignmentOperationStatus, error) {
			out, err := c.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{
				InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn),
				TargetType: ssotypes.TargetTypeAwsAccount, TargetId: aws.String(a.AccountID),
				PrincipalType: ssotypes.PrincipalType(a.PrincipalType), PrincipalId: aws.String(a.PrincipalID),
			})
			if err != nil {
				return nil, err
			}
			return out.AccountAssignmentDeletionStatus, nil
		},
		done: isResourceNotFound, // already gone
		status: func(ctx context.Context, id string) (*ssotypes.AccountAssignmentOperationStatus, error) {
			out, err := c.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{
				InstanceArn: aws.String(instanceARN), AccountAssignmentDeletionRequestId: aws.String(id),
			})
			if err != nil {
				return nil, err
			}
			return out.AccountAssignmentDeletionStatus, nil
		},
	}
}

// CreateAssignments starts every assignment, then waits (bounded) until each
// is provisioned. It returns the assignments that succeeded, so a partial
// failure can be recorded.
func CreateAssignments(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string, as []identitycenter.Assignment) ([]identitycenter.Assignment, error) {
	return startThenWait(ctx, assignmentCreation(c, instanceARN, arn), as)
}

// WaitAssignmentCreation polls DescribeAccountAssignmentCreationStatus while
// the request is IN_PROGRESS (status is what the create call reported).
func WaitAssignmentCreation(ctx context.Context, c *ssoadmin.Client, instanceARN, requestID string, status ssotypes.StatusValues, reason string) error {
	st := &ssotypes.AccountAssignmentOperationStatus{RequestId: aws.String(requestID), Status: status, FailureReason: aws.String(reason)}
	return waitAssignmentRequest(ctx, assignmentCreation(c, instanceARN, ""), st)
}

// DeleteAssignments starts every deletion, then waits (bounded) until each is
// done; an assignment already gone is success. It returns the assignments
// removed.
func DeleteAssignments(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string, as []identitycenter.Assignment) ([]identitycenter.Assignment, error) {
	return startThenWait(ctx, assignmentDeletion(c, instanceARN, arn), as)
}
