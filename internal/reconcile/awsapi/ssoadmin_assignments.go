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

type pendingRequest struct {
	id     string
	status ssotypes.StatusValues
	reason string
	what   identitycenter.Assignment
}

// CreateAssignments starts every assignment, then waits (bounded) until each
// is provisioned. It returns the assignments that succeeded, so a partial
// failure can be recorded.
func CreateAssignments(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string, as []identitycenter.Assignment) ([]identitycenter.Assignment, error) {
	var pending []pendingRequest
	var errs []error
	for _, a := range as {
		out, err := c.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
			InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn),
			TargetType: ssotypes.TargetTypeAwsAccount, TargetId: aws.String(a.AccountID),
			PrincipalType: ssotypes.PrincipalType(a.PrincipalType), PrincipalId: aws.String(a.PrincipalID),
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("assigning %s %s in %s: %w", a.PrincipalType, a.PrincipalID, a.AccountID, err))
			continue
		}
		st := out.AccountAssignmentCreationStatus
		if st == nil {
			pending = append(pending, pendingRequest{status: ssotypes.StatusValuesSucceeded, what: a})
			continue
		}
		pending = append(pending, pendingRequest{id: aws.ToString(st.RequestId), status: st.Status, reason: aws.ToString(st.FailureReason), what: a})
	}
	var done []identitycenter.Assignment
	for _, p := range pending {
		if err := WaitAssignmentCreation(ctx, c, instanceARN, p.id, p.status, p.reason); err != nil {
			errs = append(errs, fmt.Errorf("assigning %s %s in %s: %w", p.what.PrincipalType, p.what.PrincipalID, p.what.AccountID, err))
			continue
		}
		done = append(done, p.what)
	}
	return done, errors.Join(errs...)
}

// WaitAssignmentCreation polls DescribeAccountAssignmentCreationStatus while
// the request is IN_PROGRESS (status is what the create call reported).
func WaitAssignmentCreation(ctx context.Context, c *ssoadmin.Client, instanceARN, requestID string, status ssotypes.StatusValues, reason string) error {
	return waitUntil(ctx, "account assignment "+requestID, ProvisioningWait, func(ctx context.Context) (bool, error) {
		switch status {
		case ssotypes.StatusValuesSucceeded:
			return true, nil
		case ssotypes.StatusValuesFailed:
			return false, fmt.Errorf("request %s failed: %s", requestID, reason)
		}
		out, err := c.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{
			InstanceArn: aws.String(instanceARN), AccountAssignmentCreationRequestId: aws.String(requestID),
		})
		if err != nil {
			return false, fmt.Errorf("reading assignment request %s: %w", requestID, err)
		}
		if st := out.AccountAssignmentCreationStatus; st != nil {
			status, reason = st.Status, aws.ToString(st.FailureReason)
		}
		if status == ssotypes.StatusValuesFailed {
			return false, fmt.Errorf("request %s failed: %s", requestID, reason)
		}
		return status == ssotypes.StatusValuesSucceeded, nil
	})
}

// DeleteAssignments starts every deletion, then waits (bounded) until each is
// done; an assignment already gone is success. It returns the assignments
// removed.
func DeleteAssignments(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string, as []identitycenter.Assignment) ([]identitycenter.Assignment, error) {
	var pending []pendingRequest
	var errs []error
	for _, a := range as {
		out, err := c.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{
			InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn),
			TargetType: ssotypes.TargetTypeAwsAccount, TargetId: aws.String(a.AccountID),
			PrincipalType: ssotypes.PrincipalType(a.PrincipalType), PrincipalId: aws.String(a.PrincipalID),
		})
		if isResourceNotFound(err) {
			pending = append(pending, pendingRequest{status: ssotypes.StatusValuesSucceeded, what: a})
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("removing the assignment of %s %s in %s: %w", a.PrincipalType, a.PrincipalID, a.AccountID, err))
			continue
		}
		st := out.AccountAssignmentDeletionStatus
		if st == nil {
			pending = append(pending, pendingRequest{status: ssotypes.StatusValuesSucceeded, what: a})
			continue
		}
		pending = append(pending, pendingRequest{id: aws.ToString(st.RequestId), status: st.Status, reason: aws.ToString(st.FailureReason), what: a})
	}
	var done []identitycenter.Assignment
	for _, p := range pending {
		err := waitUntil(ctx, "removal of account assignment "+p.id, ProvisioningWait, func(ctx context.Context) (bool, error) {
			switch p.status {
			case ssotypes.StatusValuesSucceeded:
				return true, nil
			case ssotypes.StatusValuesFailed:
				return false, fmt.Errorf("request %s failed: %s", p.id, p.reason)
			}
			out, err := c.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{
				InstanceArn: aws.String(instanceARN), AccountAssignmentDeletionRequestId: aws.String(p.id),
			})
			if err != nil {
				return false, fmt.Errorf("reading assignment removal request %s: %w", p.id, err)
			}
			if st := out.AccountAssignmentDeletionStatus; st != nil {
				p.status, p.reason = st.Status, aws.ToString(st.FailureReason)
			}
			if p.status == ssotypes.StatusValuesFailed {
				return false, fmt.Errorf("request %s failed: %s", p.id, p.reason)
			}
			return p.status == ssotypes.StatusValuesSucceeded, nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("removing the assignment of %s %s in %s: %w", p.what.PrincipalType, p.what.PrincipalID, p.what.AccountID, err))
			continue
		}
		done = append(done, p.what)
	}
	return done, errors.Join(errs...)
}
