package awsapi_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

const (
	testGroup   = "9067b2a3-1234-4c5d-8e9f-0123456789ab"
	testAccount = "111111111111"
	otherAcct   = "222222222222"
)

func ownedTags(owner string) map[string]string {
	return ownedBy(owner, "run-1")
}

// ownedBy is what a create of owner by the run holding ownership id own tags.
func ownedBy(owner, own string) map[string]string {
	return map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagPrivilegedAccess: owner, awsapi.TagOwnership: own, awsapi.TagCreatePending: own}
}

func TestPermissionSetLifecycle(t *testing.T) {
	c := identityClients(t)
	ctx := context.Background()
	inst, _ := instance(t, c.SSOAdmin)
	arn, adoptedFrom, err := awsapi.CreatePermissionSet(ctx, c.SSOAdmin, inst, awsapi.CreatePermissionSetInput{
		Name: "lifecycle", Description: "d", SessionDuration: "PT2H", Tags: ownedTags("lifecycle"),
	})
	if err != nil || adoptedFrom != "" {
		t.Fatalf("create = %q, %q, %v", arn, adoptedFrom, err)
	}
	policy := `{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}`
	must(t, awsapi.PutInlinePolicy(ctx, c.SSOAdmin, inst, arn, policy))
	must(t, awsapi.AttachManagedPolicies(ctx, c.SSOAdmin, inst, arn, []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"}))
	must(t, awsapi.AttachCustomerManagedPolicies(ctx, c.SSOAdmin, inst, arn, []identitycenter.PolicyReference{{Name: "Team", Path: "/team/"}, {Name: "Base"}}))
	must(t, awsapi.UpdatePermissionSet(ctx, c.SSOAdmin, inst, arn, "updated", "PT3H"))

	ps, err := awsapi.FindPermissionSet(ctx, c.SSOAdmin, inst, arn)
	if err != nil {
		t.Fatal(err)
	}
	if ps.Name != "lifecycle" || ps.Description != "updated" || ps.SessionDuration != "PT3H" || ps.InlinePolicy != policy {
		t.Fatalf("read back %+v", ps)
	}
	if len(ps.ManagedPolicies) != 1 || ps.ManagedPolicies[0] != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Fatalf("managed policies %v", ps.ManagedPolicies)
	}
	if len(ps.CustomerManagedPolicies) != 2 || ps.CustomerManagedPolicies[0] != (identitycenter.PolicyReference{Name: "Base", Path: "/"}) {
		t.Fatalf("customer-managed policies %v (sorted by path, default path /)", ps.CustomerManagedPolicies)
	}
	if ps.Tags[awsapi.TagPrivilegedAccess] != "lifecycle" || ps.Boundary != nil {
		t.Fatalf("tags %v, boundary %+v; want the ownership tags and no boundary", ps.Tags, ps.Boundary)
	}
	boundary := identitycenter.Boundary{CustomerManagedPolicy: &identitycenter.PolicyReference{Name: "Cap", Path: "/"}}
	must(t, awsapi.PutPermissionsBoundary(ctx, c.SSOAdmin, inst, arn, boundary))
	if ps, err = awsapi.FindPermissionSet(ctx, c.SSOAdmin, inst, arn); err != nil || ps.Boundary == nil || *ps.Boundary.CustomerManagedPolicy != *boundary.CustomerManagedPolicy {
		t.Fatalf("boundary read back %+v, %v; want %+v", ps.Boundary, err, boundary)
	}
	must(t, awsapi.DeletePermissionsBoundary(ctx, c.SSOAdmin, inst, arn))
	must(t, awsapi.DeletePermissionsBoundary(ctx, c.SSOAdmin, inst, arn)) // none left is success

	must(t, awsapi.DetachManagedPolicies(ctx, c.SSOAdmin, inst, arn, []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}))
	must(t, awsapi.DetachCustomerManagedPolicies(ctx, c.SSOAdmin, inst, arn, []identitycenter.PolicyReference{{Name: "Team", Path: "/team/"}}))
	must(t, awsapi.DeleteInlinePolicy(ctx, c.SSOAdmin, inst, arn))
	ps, err = awsapi.FindPermissionSet(ctx, c.SSOAdmin, inst, arn)
	if err != nil || len(ps.ManagedPolicies) != 0 || len(ps.CustomerManagedPolicies) != 1 || ps.InlinePolicy != "" {
		t.Fatalf("after detach: %+v, %v", ps, err)
	}

	want := []identitycenter.Assignment{
		{AccountID: otherAcct, PrincipalType: "GROUP", PrincipalID: testGroup},
		{AccountID: testAccount, PrincipalType: "GROUP", PrincipalID: testGroup},
	}
	done, err := awsapi.CreateAssignments(ctx, c.SSOAdmin, inst, arn, want)
	if err != nil || len(done) != 2 {
		t.Fatalf("CreateAssignments = %v, %v", done, err)
	}
	got, err := awsapi.ListAssignments(ctx, c.SSOAdmin, inst, arn, []string{testAccount, otherAcct})
	if err != nil || len(got) != 2 || got[0] != want[1] || got[1] != want[0] {
		t.Fatalf("ListAssignments = %v, %v; want %v sorted by account", got, err, want)
	}
	must(t, awsapi.ProvisionPermissionSet(ctx, c.SSOAdmin, inst, arn))

	removed, err := awsapi.DeleteAssignments(ctx, c.SSOAdmin, inst, arn, append(want, identitycenter.Assignment{AccountID: "333333333333", PrincipalType: "GROUP", PrincipalID: testGroup}))
	if err != nil || len(removed) != 3 {
		t.Fatalf("DeleteAssignments (one already absent) = %v, %v", removed, err)
	}
	if got, _ := awsapi.ListAssignments(ctx, c.SSOAdmin, inst, arn, []string{testAccount, otherAcct}); len(got) != 0 {
		t.Fatalf("assignments left: %v", got)
	}
	must(t, awsapi.DeletePermissionSet(ctx, c.SSOAdmin, inst, arn))
	if _, err := awsapi.FindPermissionSet(ctx, c.SSOAdmin, inst, arn); !awsapi.IsNotFound(err) {
		t.Fatalf("deleted permission set: %v, want not found", err)
	}
	must(t, awsapi.DeletePermissionSet(ctx, c.SSOAdmin, inst, arn))
}

// TestWaitAssignmentCreationPolls: an IN_PROGRESS request is polled with
// DescribeAccountAssignmentCreationStatus until it succeeds.
func TestWaitAssignmentCreationPolls(t *testing.T) {
	c := identityClients(t)
	ctx := context.Background()
	inst, _ := instance(t, c.SSOAdmin)
	arn, _, err := awsapi.CreatePermissionSet(ctx, c.SSOAdmin, inst, awsapi.CreatePermissionSetInput{Name: "waiter", SessionDuration: "PT1H", Tags: ownedTags("waiter")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.SSOAdmin.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
		InstanceArn: aws.String(inst), PermissionSetArn: aws.String(arn), TargetType: ssotypes.TargetTypeAwsAccount,
		TargetId: aws.String(testAccount), PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: aws.String(testGroup),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.AccountAssignmentCreationStatus.RequestId)
	if err := awsapi.WaitAssignmentCreation(ctx, c.SSOAdmin, inst, id, ssotypes.StatusValuesInProgress, ""); err != nil {
		t.Fatal(err)
	}
	if err := awsapi.WaitAssignmentCreation(ctx, c.SSOAdmin, inst, id, ssotypes.StatusValuesFailed, "quota"); err == nil {
		t.Fatal("a FAILED request must be an error")
	}
}

// TestCreatePermissionSetOwnership: a re-run of an interrupted create (still
// pending) adopts and claims the permission set; a completed one of the same
// name is refused with an OwnershipError, a foreign one likewise (moto would
// accept the duplicate, AWS would not).
func TestCreatePermissionSetOwnership(t *testing.T) {
	c := identityClients(t)
	ctx := context.Background()
	inst, _ := instance(t, c.SSOAdmin)
	sso := c.SSOAdmin

	in := awsapi.CreatePermissionSetInput{Name: "idempotent", SessionDuration: "PT1H", Tags: ownedBy("idempotent", "run-1")}
	first, _, err := awsapi.CreatePermissionSet(ctx, sso, inst, in)
	if err != nil {
		t.Fatal(err)
	}
	in.Tags = ownedBy("idempotent", "run-2")
	second, adoptedFrom, err := awsapi.CreatePermissionSet(ctx, sso, inst, in)
	if err != nil || adoptedFrom != "run-1" || second != first {
		t.Fatalf("re-create = %q, adopted from %q, %v; want the pending %s adopted from run-1", second, adoptedFrom, err, first)
	}
	if tags, _ := awsapi.ListPermissionSetTags(ctx, sso, inst, first); tags[awsapi.TagOwnership] != "run-2" {
		t.Fatalf("adopted permission set not claimed: %v", tags)
	}
	must(t, awsapi.CompletePermissionSetCreate(ctx, sso, inst, first))
	in.Tags = ownedBy("idempotent", "run-3")
	if _, _, err := awsapi.CreatePermissionSet(ctx, sso, inst, in); !awsapi.IsOwnershipError(err) {
		t.Fatalf("creating over a completed permission set: %v; want an OwnershipError", err)
	}

	if _, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst), Name: aws.String("hand-made"), SessionDuration: aws.String("PT1H"),
		Tags: []ssotypes.Tag{{Key: aws.String("team"), Value: aws.String("x")}}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := awsapi.CreatePermissionSet(ctx, sso, inst, awsapi.CreatePermissionSetInput{Name: "hand-made", SessionDuration: "PT1H", Tags: ownedTags("hand-made")}); err == nil {
		t.Fatal("creating over a foreign permission set of the same name succeeded; want a refusal")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
