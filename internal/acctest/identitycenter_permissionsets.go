package acctest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// IAM Identity Center permission sets (the privileged access tests), read
// back as an auditor would, edited out of band, and checked against state.

// PermissionSet is a permission set read back through the SDK, as an auditor would.
type PermissionSet struct {
	Name, Description, SessionDuration, InlinePolicy string
	// ManagedPolicies are ARNs, CustomerManagedPolicies path+name; both sorted.
	ManagedPolicies, CustomerManagedPolicies []string
	// Assignments maps an account to its "TYPE:principal" assignments.
	Assignments map[string][]string
	Tags        map[string]string
}

// ReadPermissionSet reads a permission set and its assignments in accounts.
func ReadPermissionSet(t *testing.T, instanceARN, arn string, accounts ...string) (PermissionSet, error) {
	t.Helper()
	return readPermissionSet(context.Background(), ssoAdmin(t), instanceARN, arn, accounts...)
}

func readPermissionSet(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string, accounts ...string) (PermissionSet, error) {
	in, psARN := aws.String(instanceARN), aws.String(arn)
	var out PermissionSet
	d, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: in, PermissionSetArn: psARN})
	if err != nil {
		return out, err
	}
	out.Name, out.Description, out.SessionDuration = aws.ToString(d.PermissionSet.Name), aws.ToString(d.PermissionSet.Description), aws.ToString(d.PermissionSet.SessionDuration)
	ip, err := c.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: in, PermissionSetArn: psARN})
	if err != nil {
		return out, err
	}
	out.InlinePolicy = aws.ToString(ip.InlinePolicy)
	mp, err := c.ListManagedPoliciesInPermissionSet(ctx, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: in, PermissionSetArn: psARN})
	if err != nil {
		return out, err
	}
	for _, m := range mp.AttachedManagedPolicies {
		out.ManagedPolicies = append(out.ManagedPolicies, aws.ToString(m.Arn))
	}
	sort.Strings(out.ManagedPolicies)
	cp, err := c.ListCustomerManagedPolicyReferencesInPermissionSet(ctx, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: in, PermissionSetArn: psARN})
	if err != nil {
		return out, err
	}
	for _, r := range cp.CustomerManagedPolicyReferences {
		out.CustomerManagedPolicies = append(out.CustomerManagedPolicies, aws.ToString(r.Path)+aws.ToString(r.Name))
	}
	sort.Strings(out.CustomerManagedPolicies)
	out.Assignments = map[string][]string{}
	for _, acct := range accounts {
		as, err := c.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: in, PermissionSetArn: psARN, AccountId: aws.String(acct)})
		if err != nil {
			return out, err
		}
		for _, a := range as.AccountAssignments {
			out.Assignments[acct] = append(out.Assignments[acct], string(a.PrincipalType)+":"+aws.ToString(a.PrincipalId))
		}
	}
	if out.Tags, err = awsapi.ListPermissionSetTags(ctx, c, instanceARN, arn); err != nil {
		return out, err
	}
	return out, nil
}

// PermissionSetExists says whether describing the permission set succeeds.
func PermissionSetExists(t *testing.T, instanceARN, arn string) bool {
	t.Helper()
	_, err := ssoAdmin(t).DescribePermissionSet(context.Background(), &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)})
	return err == nil
}

// ProvisionPermissionSet provisions a permission set to all its accounts.
func ProvisionPermissionSet(t *testing.T, instanceARN, arn string) {
	t.Helper()
	_, err := ssoAdmin(t).ProvisionPermissionSet(context.Background(), &ssoadmin.ProvisionPermissionSetInput{
		InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn), TargetType: ssotypes.ProvisionTargetTypeAllProvisionedAccounts,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// PutInlinePolicy replaces a permission set's inline policy out of band.
func PutInlinePolicy(t *testing.T, instanceARN, arn, document string) {
	t.Helper()
	_, err := ssoAdmin(t).PutInlinePolicyToPermissionSet(context.Background(), &ssoadmin.PutInlinePolicyToPermissionSetInput{
		InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn), InlinePolicy: aws.String(document),
	})
	if err != nil {
		t.Fatal(err)
	}
}

// AttachManagedPolicy attaches an AWS-managed policy out of band.
func AttachManagedPolicy(t *testing.T, instanceARN, arn, policyARN string) {
	t.Helper()
	if _, err := ssoAdmin(t).AttachManagedPolicyToPermissionSet(context.Background(), &ssoadmin.AttachManagedPolicyToPermissionSetInput{
		InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn), ManagedPolicyArn: aws.String(policyARN),
	}); err != nil {
		t.Fatal(err)
	}
}

// DeleteGroupAssignment deletes a group's assignment of a permission set in
// an account out of band.
func DeleteGroupAssignment(t *testing.T, instanceARN, arn, account, groupID string) error {
	t.Helper()
	_, err := ssoAdmin(t).DeleteAccountAssignment(context.Background(), &ssoadmin.DeleteAccountAssignmentInput{
		InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn), TargetType: ssotypes.TargetTypeAwsAccount,
		TargetId: aws.String(account), PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: aws.String(groupID),
	})
	return err
}

// DeletePermissionSet deletes a permission set out of band.
func DeletePermissionSet(t *testing.T, instanceARN, arn string) error {
	t.Helper()
	_, err := ssoAdmin(t).DeletePermissionSet(context.Background(), &ssoadmin.DeletePermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)})
	return err
}

// PermissionsBoundary is a permission set's boundary: an AWS-managed policy
// ARN or a customer-managed policy reference.
type PermissionsBoundary struct {
	ManagedPolicyARN                                     string
	CustomerManagedPolicyName, CustomerManagedPolicyPath string
}

// permissionSetInState reads the instance and permission set ARNs of the
// privileged access at address.
func permissionSetInState(s state, address string) (instanceARN, arn string, err error) {
	if arn, err = stateString(s, address, "id"); err != nil {
		return "", "", err
	}
	instanceARN, err = stateString(s, address, "instance_arn")
	return instanceARN, arn, err
}

func permissionsBoundary(ctx context.Context, instanceARN, arn string) (*PermissionsBoundary, error) {
	cfg, err := awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	out, err := ssoadmin.NewFromConfig(cfg).GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{
		InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	if out.PermissionsBoundary == nil {
		return nil, nil
	}
	b := &PermissionsBoundary{ManagedPolicyARN: aws.ToString(out.PermissionsBoundary.ManagedPolicyArn)}
	if r := out.PermissionsBoundary.CustomerManagedPolicyReference; r != nil {
		b.CustomerManagedPolicyName, b.CustomerManagedPolicyPath = aws.ToString(r.Name), aws.ToString(r.Path)
	}
	return b, nil
}

// ExpectPermissionSetBoundary checks that the live permission set of the
// privileged access at address has exactly the boundary want.
func ExpectPermissionSetBoundary(address string, want PermissionsBoundary) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, s state) error {
		instance, arn, err := permissionSetInState(s, address)
		if err != nil {
			return err
		}
		b, err := permissionsBoundary(ctx, instance, arn)
		if err != nil || b == nil || *b != want {
			return fmt.Errorf("live boundary %+v, %v; want %+v", b, err, want)
		}
		return nil
	})
}

// ExpectNoPermissionSetBoundary checks that reading the boundary of the
// live permission set of the privileged access at address fails: there is none.
func ExpectNoPermissionSetBoundary(address string) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, s state) error {
		instance, arn, err := permissionSetInState(s, address)
		if err != nil {
			return err
		}
		if b, err := permissionsBoundary(ctx, instance, arn); err == nil {
			return fmt.Errorf("boundary %+v left after removal", b)
		}
		return nil
	})
}

// PermissionSetRef names a permission set a test created: its instance and
// ARN, captured from state for later steps and CheckDestroy.
type PermissionSetRef struct{ Instance, ARN string }

// CapturePermissionSet records the instance and permission set ARNs of the
// privileged access at address in *ref.
func CapturePermissionSet(address string, ref *PermissionSetRef) statecheck.StateCheck {
	return stateRead(func(s state) error {
		instance, arn, err := permissionSetInState(s, address)
		if err != nil {
			return err
		}
		ref.Instance, ref.ARN = instance, arn
		return nil
	})
}

func permissionSetExists(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string) bool {
	_, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)})
	return err == nil
}

// CheckPermissionSetGone is a CheckDestroy: the permission set *ref
// (captured by a step; empty is skipped) no longer exists.
func CheckPermissionSetGone(t *testing.T, ref *PermissionSetRef) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if ref.ARN == "" {
			return nil
		}
		if PermissionSetExists(t, ref.Instance, ref.ARN) {
			return fmt.Errorf("permission set %s still exists after destroy", ref.ARN)
		}
		return nil
	}
}

// ssoCheck is a state check on the live permission set of the privileged
// access at address, with an SSO Admin client.
func ssoCheck(address string, f func(ctx context.Context, c *ssoadmin.Client, s state, instance, arn string) error) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, s state) error {
		instance, arn, err := permissionSetInState(s, address)
		if err != nil {
			return err
		}
		cfg, err := awsConfig(ctx)
		if err != nil {
			return err
		}
		return f(ctx, ssoadmin.NewFromConfig(cfg), s, instance, arn)
	})
}

// ExpectPermissionSetReplaced records the permission set of the privileged
// access at address in *ref and checks that the one *ref held before (the
// replaced one) no longer exists.
func ExpectPermissionSetReplaced(address string, ref *PermissionSetRef) statecheck.StateCheck {
	return ssoCheck(address, func(ctx context.Context, c *ssoadmin.Client, _ state, instance, arn string) error {
		old := *ref
		ref.Instance, ref.ARN = instance, arn
		if old.ARN == "" {
			return fmt.Errorf("no permission set captured before the replacement")
		}
		if permissionSetExists(ctx, c, old.Instance, old.ARN) {
			return fmt.Errorf("replaced permission set %s still exists", old.ARN)
		}
		return nil
	})
}

// ExpectPermissionSet checks the live permission set of the privileged
// access at address against want, the permission set rendered as an
// object: name, description, session_duration, inline_policy,
// managed_policies (ARNs, sorted), customer_managed_policies (path+name,
// sorted) and tags.
func ExpectPermissionSet(address string, want knownvalue.Check) statecheck.StateCheck {
	return ssoCheck(address, func(ctx context.Context, c *ssoadmin.Client, _ state, instance, arn string) error {
		p, err := readPermissionSet(ctx, c, instance, arn)
		if err != nil {
			return err
		}
		live := map[string]any{
			"name": p.Name, "description": p.Description, "session_duration": p.SessionDuration, "inline_policy": p.InlinePolicy,
			"managed_policies": stringList(p.ManagedPolicies), "customer_managed_policies": stringList(p.CustomerManagedPolicies),
			"tags": stringMap(p.Tags),
		}
		return checkLive("permission set "+arn, live, want)
	})
}

// ExpectPermissionSetAssignments checks that, in each account of want, the
// live assignments of the permission set of the privileged access at
// address are exactly the listed "TYPE:principal" ones (in any order; none
// listed: no assignment). A ${address} in a principal names the id of that
// resource in state. Accounts not in want are not looked at.
func ExpectPermissionSetAssignments(address string, want map[string][]string) statecheck.StateCheck {
	return ssoCheck(address, func(ctx context.Context, c *ssoadmin.Client, s state, instance, arn string) error {
		accounts := make([]string, 0, len(want))
		for a := range want {
			accounts = append(accounts, a)
		}
		sort.Strings(accounts)
		p, err := readPermissionSet(ctx, c, instance, arn, accounts...)
		if err != nil {
			return fmt.Errorf("reading permission set %s: %v", arn, err)
		}
		for _, acct := range accounts {
			w := make([]string, 0, len(want[acct]))
			for _, principal := range want[acct] {
				e, err := expandRefs(s, principal)
				if err != nil {
					return err
				}
				w = append(w, e)
			}
			got := append([]string(nil), p.Assignments[acct]...)
			sort.Strings(got)
			sort.Strings(w)
			if strings.Join(got, ",") != strings.Join(w, ",") {
				return fmt.Errorf("assignments of %s in %s: %v, want %v (all: %v)", arn, acct, got, w, p.Assignments)
			}
		}
		return nil
	})
}

// ExpectPermissionSetOwnership checks that the live permission set of the
// privileged access at address carries the ownership id in its state and
// is no longer marked pending.
func ExpectPermissionSetOwnership(address string) statecheck.StateCheck {
	return ssoCheck(address, func(ctx context.Context, c *ssoadmin.Client, s state, instance, arn string) error {
		own, err := stateOwnership(s, address)
		if err != nil {
			return err
		}
		tags, err := awsapi.ListPermissionSetTags(ctx, c, instance, arn)
		if err != nil {
			return err
		}
		return expectOwnershipTags("permission set "+arn, tags, own)
	})
}

// DisappearPermissionSet deletes the live permission set of the privileged
// access at address out of band, after the step's apply, with the group's
// assignment in account (a "disappears" test).
func DisappearPermissionSet(address, account, groupID string) statecheck.StateCheck {
	return ssoCheck(address, func(ctx context.Context, c *ssoadmin.Client, _ state, instance, arn string) error {
		if _, err := c.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{
			InstanceArn: aws.String(instance), PermissionSetArn: aws.String(arn), TargetType: ssotypes.TargetTypeAwsAccount,
			TargetId: aws.String(account), PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: aws.String(groupID),
		}); err != nil {
			return err
		}
		_, err := c.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: aws.String(instance), PermissionSetArn: aws.String(arn)})
		return err
	})
}
