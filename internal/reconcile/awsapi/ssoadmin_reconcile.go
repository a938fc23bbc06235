package awsapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
)

// FieldError is an apply error about one field of the desired state, named
// as the configuration names it, so the caller can report it there.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// ApplyPermissionSet makes the live permission set equal to desired with the
// minimal calls identitycenter.Diff names: attributes, inline policy,
// managed and customer-managed policies, boundary; then assignments are
// removed, the remaining ones re-provisioned if a policy changed, and new
// ones created (each waited on).
func ApplyPermissionSet(ctx context.Context, sso *ssoadmin.Client, instanceARN, arn string, desired, live identitycenter.PermissionSet) error {
	ch := identitycenter.Diff(desired, live)
	tflog.Debug(ctx, "permission set changes", map[string]any{"arn": arn, "changes": fmt.Sprintf("%+v", ch)})
	if ch.Empty() {
		return nil
	}
	if ch.UpdateAttributes {
		if err := UpdatePermissionSet(ctx, sso, instanceARN, arn, desired.Description, desired.SessionDuration); err != nil {
			return &FieldError{Field: "session_duration", Err: err}
		}
	}
	if ch.PutInlinePolicy {
		if err := PutInlinePolicy(ctx, sso, instanceARN, arn, desired.InlinePolicy); err != nil {
			return &FieldError{Field: "inline_policy", Err: err}
		}
	}
	if ch.DeleteInlinePolicy {
		if err := DeleteInlinePolicy(ctx, sso, instanceARN, arn); err != nil {
			return &FieldError{Field: "inline_policy", Err: err}
		}
	}
	if err := DetachManagedPolicies(ctx, sso, instanceARN, arn, ch.DetachManagedPolicies); err != nil {
		return &FieldError{Field: "managed_policies", Err: err}
	}
	if err := AttachManagedPolicies(ctx, sso, instanceARN, arn, ch.AttachManagedPolicies); err != nil {
		return &FieldError{Field: "managed_policies", Err: err}
	}
	if err := DetachCustomerManagedPolicies(ctx, sso, instanceARN, arn, ch.DetachCustomerManagedPolicies); err != nil {
		return &FieldError{Field: "customer_managed_policies", Err: err}
	}
	if err := AttachCustomerManagedPolicies(ctx, sso, instanceARN, arn, ch.AttachCustomerManagedPolicies); err != nil {
		return &FieldError{Field: "customer_managed_policies", Err: err}
	}
	if ch.DeletePermissionsBoundary {
		if err := DeletePermissionsBoundary(ctx, sso, instanceARN, arn); err != nil {
			return &FieldError{Field: "permissions_boundary", Err: err}
		}
	}
	if ch.PutPermissionsBoundary {
		if err := PutPermissionsBoundary(ctx, sso, instanceARN, arn, *desired.PermissionsBoundary); err != nil {
			return &FieldError{Field: "permissions_boundary", Err: err}
		}
	}
	if len(ch.DeleteAssignments) > 0 {
		if _, err := DeleteAssignments(ctx, sso, instanceARN, arn, ch.DeleteAssignments); err != nil {
			return &FieldError{Field: "accounts", Err: err}
		}
	}
	if ch.NeedsProvision() && len(live.Assignments) > len(ch.DeleteAssignments) {
		if err := ProvisionPermissionSet(ctx, sso, instanceARN, arn); err != nil {
			return err
		}
	}
	if len(ch.CreateAssignments) > 0 {
		if _, err := CreateAssignments(ctx, sso, instanceARN, arn, ch.CreateAssignments); err != nil {
			return &FieldError{Field: "accounts", Err: err}
		}
	}
	tflog.Info(ctx, "permission set reconciled", map[string]any{
		"arn": arn, "assignments_created": len(ch.CreateAssignments), "assignments_deleted": len(ch.DeleteAssignments),
		"managed_attached": len(ch.AttachManagedPolicies), "managed_detached": len(ch.DetachManagedPolicies),
	})
	return nil
}

// LivePermissionSet is what FindPermissionSet and ListAssignments read, in
// the compiler's terms.
func LivePermissionSet(ps *PermissionSet, assignments []identitycenter.Assignment) identitycenter.PermissionSet {
	return identitycenter.PermissionSet{
		Name: ps.Name, Description: ps.Description, SessionDuration: ps.SessionDuration, InlinePolicy: ps.InlinePolicy,
		ManagedPolicies: ps.ManagedPolicies, CustomerManagedPolicies: ps.CustomerManagedPolicies, Assignments: assignments,
		PermissionsBoundary: ps.Boundary,
	}
}

// IdentityCenterInstance names an IAM Identity Center instance and its
// identity store.
type IdentityCenterInstance struct {
	InstanceARN     string
	IdentityStoreID string
}

// DiscoverIdentityCenter finds the instance with the given ARN, or the
// account's only instance when arn is empty, with ListInstances.
func DiscoverIdentityCenter(ctx context.Context, c *ssoadmin.Client, arn string) (IdentityCenterInstance, error) {
	out, err := c.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		return IdentityCenterInstance{}, fmt.Errorf("discovering the IAM Identity Center instance: %w", err)
	}
	for _, in := range out.Instances {
		if arn == "" || arn == aws.ToString(in.InstanceArn) {
			return IdentityCenterInstance{InstanceARN: aws.ToString(in.InstanceArn), IdentityStoreID: aws.ToString(in.IdentityStoreId)}, nil
		}
	}
	return IdentityCenterInstance{}, errors.New("no IAM Identity Center instance found; set identity_center.instance_arn and identity_center.identity_store_id")
}
