package awsapi_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

const (
	testGroup   = "9067b2a3-1234-4c5d-8e9f-0123456789ab"
	testAccount = "111111111111"
	otherAcct   = "222222222222"
)

func ownedTags(owner string) map[string]string {
	return map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagPrivilegedAccess: owner}
}

func TestPermissionSetLifecycle(t *testing.T) {
	c := identityClients(t)
	ctx := context.Background()
	inst, _ := instance(t, c.SSOAdmin)
	arn, takenOver, err := awsapi.CreatePermissionSet(ctx, c.SSOAdmin, inst, awsapi.CreatePermissionSetInput{
		Name: "lifecycle", Description: "d", SessionDuration: "PT2H", Tags: ownedTags("lifecycle"),
	})
	if err != nil || takenOver {
		t.Fatalf("create = %q, %v, %v", arn, takenOver, err)
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
	t.Logf("boundary known: %v, tags known: %v (moto implements neither)", ps.BoundaryKnown, ps.TagsKnown)

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

// tagStub answers ListTagsForResource from a map (moto does not implement
// it), so the ownership check of CreatePermissionSet can be exercised.
type tagStub struct {
	mu   sync.Mutex
	tags map[string]map[string]string
}

func (s *tagStub) set(arn string, tags map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tags[arn] = tags
}

func (s *tagStub) option(o *ssoadmin.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("tagStub", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			req, ok := in.Parameters.(*ssoadmin.ListTagsForResourceInput)
			if !ok {
				return next.HandleInitialize(ctx, in)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			var out ssoadmin.ListTagsForResourceOutput
			for k, v := range s.tags[aws.ToString(req.ResourceArn)] {
				out.Tags = append(out.Tags, ssotypes.Tag{Key: aws.String(k), Value: aws.String(v)})
			}
			return middleware.InitializeOutput{Result: &out}, middleware.Metadata{}, nil
		}), middleware.Before)
	})
}

// TestCreatePermissionSetIdempotent: a re-run of an interrupted create takes
// over the permission set carrying its tags; a foreign one of the same name
// is refused (moto would accept the duplicate, AWS would not).
func TestCreatePermissionSetIdempotent(t *testing.T) {
	c := identityClients(t)
	ctx := context.Background()
	inst, _ := instance(t, c.SSOAdmin)
	stub := &tagStub{tags: map[string]map[string]string{}}
	sso := ssoadmin.New(c.SSOAdmin.Options(), stub.option)

	in := awsapi.CreatePermissionSetInput{Name: "idempotent", SessionDuration: "PT1H", Tags: ownedTags("idempotent")}
	first, _, err := awsapi.CreatePermissionSet(ctx, sso, inst, in)
	if err != nil {
		t.Fatal(err)
	}
	stub.set(first, in.Tags)
	second, takenOver, err := awsapi.CreatePermissionSet(ctx, sso, inst, in)
	if err != nil || !takenOver || second != first {
		t.Fatalf("re-create = %q, %v, %v; want takeover of %s", second, takenOver, err, first)
	}

	out, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst), Name: aws.String("hand-made"), SessionDuration: aws.String("PT1H")})
	if err != nil {
		t.Fatal(err)
	}
	stub.set(aws.ToString(out.PermissionSet.PermissionSetArn), map[string]string{"team": "x"})
	if _, _, err := awsapi.CreatePermissionSet(ctx, sso, inst, awsapi.CreatePermissionSetInput{Name: "hand-made", SessionDuration: "PT1H", Tags: ownedTags("hand-made")}); err == nil {
		t.Fatal("creating over a foreign permission set of the same name succeeded; want a refusal")
	}
}

// TestUnsupportedOperationsFailFast: moto lacks permission-set tags and
// boundaries; with the provider's 10-attempt retryer those must still fail
// (or be skipped) at once, not after minutes of backoff.
func TestUnsupportedOperationsFailFast(t *testing.T) {
	c := identityClients(t)
	ctx := context.Background()
	inst, _ := instance(t, c.SSOAdmin)
	arn, _, err := awsapi.CreatePermissionSet(ctx, c.SSOAdmin, inst, awsapi.CreatePermissionSetInput{Name: "fast", SessionDuration: "PT1H", Tags: ownedTags("fast")})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ps, err := awsapi.FindPermissionSet(ctx, c.SSOAdmin, inst, arn)
	if err != nil {
		t.Fatal(err)
	}
	err = awsapi.PutPermissionsBoundary(ctx, c.SSOAdmin, inst, arn, identitycenter.Boundary{ManagedPolicyARN: "arn:aws:iam::aws:policy/ReadOnlyAccess"})
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %s: not-implemented answers were retried", d)
	}
	if ps.BoundaryKnown || ps.TagsKnown {
		t.Skip("the emulator now implements boundaries or tags; nothing to check")
	}
	if !awsapi.IsNotImplemented(err) {
		t.Fatalf("PutPermissionsBoundary error %v is not recognised as not implemented", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
