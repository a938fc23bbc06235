package awsapi_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// readPermissionSet reads a permission set as the provider does before
// applying: FindPermissionSet plus ListAssignments in the given accounts.
func readPermissionSet(t *testing.T, c *ssoadmin.Client, inst, arn string, accounts ...string) identitycenter.PermissionSet {
	t.Helper()
	ctx := context.Background()
	ps, err := awsapi.FindPermissionSet(ctx, c, inst, arn)
	if err != nil {
		t.Fatal(err)
	}
	as, err := awsapi.ListAssignments(ctx, c, inst, arn, accounts)
	if err != nil {
		t.Fatal(err)
	}
	return awsapi.LivePermissionSet(ps, as)
}

func canonical(t *testing.T, doc string) string {
	t.Helper()
	out, err := identitycenter.CanonicalPolicy(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestApplyPermissionSet takes a bare permission set to a full desired state
// (attributes, inline, managed, customer-managed, boundary, assignments),
// re-applies it with no call at all, changes a policy while assigned (one
// provisioning), and goes back to bare, with exact mutating-call counts and
// a read-back that Diff finds equal each time.
func TestApplyPermissionSet(t *testing.T) {
	c, calls := countingIdentityClients(t)
	ctx := context.Background()
	inst, _ := instance(t, c.SSOAdmin)
	sso := c.SSOAdmin
	const name = "apply-full"
	arn, _, err := awsapi.CreatePermissionSet(ctx, sso, inst, awsapi.CreatePermissionSetInput{Name: name, Description: "start", SessionDuration: "PT1H", Tags: ownedTags(name)})
	if err != nil {
		t.Fatal(err)
	}
	accounts := []string{testAccount, otherAcct}
	bare := readPermissionSet(t, sso, inst, arn, accounts...)
	if want := (identitycenter.PermissionSet{Name: name, Description: "start", SessionDuration: "PT1H"}); !reflect.DeepEqual(bare, want) {
		t.Fatalf("bare permission set read as %+v, want %+v", bare, want)
	}

	apply := func(step string, desired, live identitycenter.PermissionSet, want map[string]int) identitycenter.PermissionSet {
		t.Helper()
		calls.reset()
		if err := awsapi.ApplyPermissionSet(ctx, sso, inst, arn, desired, live); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		wantCalls(t, step, mutatingCalls(calls), want)
		got := readPermissionSet(t, sso, inst, arn, accounts...)
		if ch := identitycenter.Diff(desired, got); !ch.Empty() {
			t.Fatalf("%s: read back %+v differs from desired: %+v", step, got, ch)
		}
		return got
	}

	full := identitycenter.PermissionSet{
		Name: name, Description: "full", SessionDuration: "PT2H",
		InlinePolicy:            canonical(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*"}]}`),
		ManagedPolicies:         []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/SecurityAudit"},
		CustomerManagedPolicies: []identitycenter.PolicyReference{{Name: "Base", Path: "/"}, {Name: "Team", Path: "/team/"}},
		PermissionsBoundary:     &identitycenter.Boundary{CustomerManagedPolicy: &identitycenter.PolicyReference{Name: "Cap", Path: "/"}},
		Assignments: []identitycenter.Assignment{
			{AccountID: testAccount, PrincipalType: identitycenter.PrincipalTypeGroup, PrincipalID: testGroup},
			{AccountID: otherAcct, PrincipalType: identitycenter.PrincipalTypeGroup, PrincipalID: testGroup},
		},
	}
	awsapi.SortAssignments(full.Assignments)
	// Nothing assigned yet, so nothing to re-provision.
	live := apply("bare to full", full, bare, map[string]int{
		"UpdatePermissionSet": 1, "PutInlinePolicyToPermissionSet": 1, "AttachManagedPolicyToPermissionSet": 2,
		"AttachCustomerManagedPolicyReferenceToPermissionSet": 2, "PutPermissionsBoundaryToPermissionSet": 1, "CreateAccountAssignment": 2,
	})
	if live.SessionDuration != "PT2H" || live.Description != "full" || len(live.Assignments) != 2 || live.PermissionsBoundary == nil {
		t.Fatalf("full read back as %+v", live)
	}

	// Equal: no call of any kind.
	calls.reset()
	if err := awsapi.ApplyPermissionSet(ctx, sso, inst, arn, full, live); err != nil {
		t.Fatal(err)
	}
	if len(calls.counts) != 0 {
		t.Fatalf("no-op apply made calls: %v", calls.counts)
	}

	// One managed policy and one assignment go while the other account stays
	// assigned: the policy change is provisioned there once.
	next := full
	next.ManagedPolicies = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}
	next.Assignments = full.Assignments[:1]
	live = apply("shrink", next, live, map[string]int{
		"DetachManagedPolicyFromPermissionSet": 1, "DeleteAccountAssignment": 1, "ProvisionPermissionSet": 1,
	})

	// Back to bare (the description cannot be cleared, so bare keeps one).
	apply("back to bare", bare, live, map[string]int{
		"UpdatePermissionSet": 1, "DeleteInlinePolicyFromPermissionSet": 1, "DetachManagedPolicyFromPermissionSet": 1,
		"DetachCustomerManagedPolicyReferenceFromPermissionSet": 2, "DeletePermissionsBoundaryFromPermissionSet": 1, "DeleteAccountAssignment": 1,
	})
}

// TestApplyPermissionSetFieldError: a step the API rejects is a *FieldError
// naming the configuration field.
func TestApplyPermissionSetFieldError(t *testing.T) {
	c := identityClients(t)
	ctx := context.Background()
	inst, _ := instance(t, c.SSOAdmin)
	const name = "apply-field-error"
	arn, _, err := awsapi.CreatePermissionSet(ctx, c.SSOAdmin, inst, awsapi.CreatePermissionSetInput{Name: name, SessionDuration: "PT1H", Tags: ownedTags(name)})
	if err != nil {
		t.Fatal(err)
	}
	live := readPermissionSet(t, c.SSOAdmin, inst, arn, testAccount)
	cases := []struct {
		field string
		edit  func(*identitycenter.PermissionSet)
	}{
		// moto checks managed policy ARNs against the AWS-managed list.
		{"managed_policies", func(ps *identitycenter.PermissionSet) {
			ps.ManagedPolicies = []string{"arn:aws:iam::aws:policy/NoSuchPolicyZeroTrust"}
		}},
		// the front validates a boundary's managed policy ARN as AWS does.
		{"permissions_boundary", func(ps *identitycenter.PermissionSet) {
			ps.PermissionsBoundary = &identitycenter.Boundary{ManagedPolicyARN: "not-an-arn"}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			desired := live
			tc.edit(&desired)
			err := awsapi.ApplyPermissionSet(ctx, c.SSOAdmin, inst, arn, desired, live)
			var fe *awsapi.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v (%T), want a *FieldError for %s", err, err, tc.field)
			}
			if !strings.HasPrefix(err.Error(), tc.field+": ") {
				t.Errorf("message %q does not start with the field", err)
			}
			if got := readPermissionSet(t, c.SSOAdmin, inst, arn, testAccount); !reflect.DeepEqual(got, live) {
				t.Errorf("a rejected step changed the permission set: %+v, was %+v", got, live)
			}
		})
	}
}

// TestDiscoverIdentityCenter: with no ARN the account's only instance is
// found (one ListInstances); its ARN finds it too; a wrong ARN is an error.
func TestDiscoverIdentityCenter(t *testing.T) {
	c, calls := countingIdentityClients(t)
	ctx := context.Background()
	out, err := c.SSOAdmin.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Instances) != 1 {
		t.Fatalf("the sandbox has %d Identity Center instances; this test needs exactly one", len(out.Instances))
	}
	want := awsapi.IdentityCenterInstance{InstanceARN: aws.ToString(out.Instances[0].InstanceArn), IdentityStoreID: aws.ToString(out.Instances[0].IdentityStoreId)}
	if want.InstanceARN == "" || want.IdentityStoreID == "" {
		t.Fatalf("instance listed as %+v", out.Instances[0])
	}

	calls.reset()
	got, err := awsapi.DiscoverIdentityCenter(ctx, c.SSOAdmin, "")
	if err != nil || got != want {
		t.Fatalf("discover without ARN = %+v, %v; want %+v", got, err, want)
	}
	if n := calls.get("ListInstances"); n != 1 || len(calls.counts) != 1 {
		t.Errorf("discover made %v, want one ListInstances", calls.counts)
	}
	if got, err := awsapi.DiscoverIdentityCenter(ctx, c.SSOAdmin, want.InstanceARN); err != nil || got != want {
		t.Fatalf("discover by ARN = %+v, %v; want %+v", got, err, want)
	}
	wrong := want.InstanceARN[:strings.LastIndexByte(want.InstanceARN, '/')+1] + "ssoins-0000000000000000"
	if got, err := awsapi.DiscoverIdentityCenter(ctx, c.SSOAdmin, wrong); err == nil {
		t.Fatalf("discover by a wrong ARN = %+v, want an error", got)
	}
}

// TestApplyPermissionSetFieldErrorOnServerError: the sandbox validates
// neither session durations, inline policies, customer-managed references
// nor accounts, so a server error injected on the one call of each step
// stands for a rejection; the error names the step's field.
func TestApplyPermissionSetFieldErrorOnServerError(t *testing.T) {
	_, _, ctl := vaClient(t) // the fault-injecting front, before the same moto
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_ENDPOINT_URL", "")
	c, err := awsapi.NewClients(context.Background(), awsapi.Config{
		Region: "us-east-1", MaxRetries: 1, // a server error fails at once
		Endpoints: awsapi.Endpoints{SSOAdmin: vaFront.URL, IdentityStore: vaFront.URL},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	inst, _ := instance(t, c.SSOAdmin)
	const name = "apply-server-error"
	arn, _, err := awsapi.CreatePermissionSet(ctx, c.SSOAdmin, inst, awsapi.CreatePermissionSetInput{Name: name, Description: "d", SessionDuration: "PT1H", Tags: ownedTags(name)})
	if err != nil {
		t.Fatal(err)
	}
	live := readPermissionSet(t, c.SSOAdmin, inst, arn, testAccount)
	cases := []struct {
		field, action string
		edit          func(*identitycenter.PermissionSet)
	}{
		{"session_duration", "UpdatePermissionSet", func(ps *identitycenter.PermissionSet) { ps.SessionDuration = "PT4H" }},
		{"inline_policy", "PutInlinePolicyToPermissionSet", func(ps *identitycenter.PermissionSet) {
			ps.InlinePolicy = canonical(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`)
		}},
		{"customer_managed_policies", "AttachCustomerManagedPolicyReferenceToPermissionSet", func(ps *identitycenter.PermissionSet) {
			ps.CustomerManagedPolicies = []identitycenter.PolicyReference{{Name: "Team", Path: "/"}}
		}},
		{"accounts", "CreateAccountAssignment", func(ps *identitycenter.PermissionSet) {
			ps.Assignments = []identitycenter.Assignment{{AccountID: testAccount, PrincipalType: identitycenter.PrincipalTypeGroup, PrincipalID: testGroup}}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			if err := ctl.SetFaults(ctx, vafront.Faults{ServerErrorRate: 1, Actions: []string{tc.action}}); err != nil {
				t.Fatal(err)
			}
			desired := live
			tc.edit(&desired)
			err := awsapi.ApplyPermissionSet(ctx, c.SSOAdmin, inst, arn, desired, live)
			if cerr := ctl.ClearFaults(ctx); cerr != nil {
				t.Fatal(cerr)
			}
			var fe *awsapi.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v (%T), want a *FieldError for %s", err, err, tc.field)
			}
			if !strings.Contains(err.Error(), "InternalError") && !strings.Contains(err.Error(), "500") {
				t.Errorf("err = %v; want the injected server error as the cause", err)
			}
			if got := readPermissionSet(t, c.SSOAdmin, inst, arn, testAccount); !reflect.DeepEqual(got, live) {
				t.Errorf("a failed step changed the permission set: %+v, was %+v", got, live)
			}
		})
	}
}
