package acctest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// IAM Identity Center: Identity Store users, groups and memberships (the
// access group tests) and SSO Admin permission sets (the privileged access
// tests).

func identityStore(t *testing.T) *identitystore.Client {
	t.Helper()
	return identitystore.NewFromConfig(AWSConfig(t))
}

func ssoAdmin(t *testing.T) *ssoadmin.Client {
	t.Helper()
	return ssoadmin.NewFromConfig(AWSConfig(t))
}

func identityCenter(ctx context.Context, c *ssoadmin.Client) (instanceARN, storeID string, err error) {
	out, err := c.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(out.Instances) == 0 {
		return "", "", fmt.Errorf("listing IAM Identity Center instances: %v", err)
	}
	return aws.ToString(out.Instances[0].InstanceArn), aws.ToString(out.Instances[0].IdentityStoreId), nil
}

// IdentityCenter returns the sandbox's (or account's) only instance, as the
// provider discovers it.
func IdentityCenter(t *testing.T) (instanceARN, storeID string) {
	t.Helper()
	instanceARN, storeID, err := identityCenter(context.Background(), ssoAdmin(t))
	if err != nil {
		t.Fatal(err)
	}
	return instanceARN, storeID
}

// CreateUsers makes Identity Store users for a test and returns their ids
// by user name; they are deleted afterwards.
func CreateUsers(t *testing.T, names ...string) map[string]string {
	t.Helper()
	_, store := IdentityCenter(t)
	c := identityStore(t)
	ids := map[string]string{}
	for _, n := range names {
		out, err := c.CreateUser(context.Background(), &identitystore.CreateUserInput{
			IdentityStoreId: aws.String(store), UserName: aws.String(n), DisplayName: aws.String(n),
			Name: &istypes.Name{GivenName: aws.String("Test"), FamilyName: aws.String(n)},
		})
		if err != nil {
			t.Fatalf("creating user %s: %v", n, err)
		}
		id := aws.ToString(out.UserId)
		ids[n] = id
		t.Cleanup(func() {
			_, _ = c.DeleteUser(context.Background(), &identitystore.DeleteUserInput{IdentityStoreId: aws.String(store), UserId: aws.String(id)})
		})
	}
	return ids
}

// CreateIdentityGroup makes a group outside Terraform (as an IdP sync would).
func CreateIdentityGroup(t *testing.T, name string) string {
	t.Helper()
	_, store := IdentityCenter(t)
	out, err := identityStore(t).CreateGroup(context.Background(), &identitystore.CreateGroupInput{
		IdentityStoreId: aws.String(store), DisplayName: aws.String(name), Description: aws.String("synced from the IdP"),
	})
	if err != nil {
		t.Fatalf("creating group %s: %v", name, err)
	}
	return aws.ToString(out.GroupId)
}

// AddGroupMember adds a user to a group out of band.
func AddGroupMember(t *testing.T, groupID, userID string) {
	t.Helper()
	_, store := IdentityCenter(t)
	_, err := identityStore(t).CreateGroupMembership(context.Background(), &identitystore.CreateGroupMembershipInput{
		IdentityStoreId: aws.String(store), GroupId: aws.String(groupID), MemberId: &istypes.MemberIdMemberUserId{Value: userID},
	})
	if err != nil {
		t.Fatalf("adding %s to %s: %v", userID, groupID, err)
	}
}

// RemoveGroupMember removes a user from a group out of band.
func RemoveGroupMember(t *testing.T, groupID, userID string) {
	t.Helper()
	_, store := IdentityCenter(t)
	c := identityStore(t)
	for _, m := range GroupMemberships(t, groupID) {
		if m.UserID == userID {
			if _, err := c.DeleteGroupMembership(context.Background(), &identitystore.DeleteGroupMembershipInput{IdentityStoreId: aws.String(store), MembershipId: aws.String(m.ID)}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// Membership is one user's membership of a group.
type Membership struct{ ID, UserID string }

func groupMemberships(ctx context.Context, c *identitystore.Client, store, groupID string) ([]Membership, error) {
	out, err := c.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: aws.String(store), GroupId: aws.String(groupID)})
	if err != nil {
		return nil, fmt.Errorf("listing memberships of %s: %v", groupID, err)
	}
	var ms []Membership
	for _, m := range out.GroupMemberships {
		if u, ok := m.MemberId.(*istypes.MemberIdMemberUserId); ok {
			ms = append(ms, Membership{aws.ToString(m.MembershipId), u.Value})
		}
	}
	return ms, nil
}

// GroupMemberships lists a group's user memberships.
func GroupMemberships(t *testing.T, groupID string) []Membership {
	t.Helper()
	_, store := IdentityCenter(t)
	ms, err := groupMemberships(context.Background(), identityStore(t), store, groupID)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func compareMembers(groupID string, ms []Membership, users map[string]string, names []string) error {
	byID := map[string]string{}
	for n, id := range users {
		byID[id] = n
	}
	var got []string
	for _, m := range ms {
		if n := byID[m.UserID]; n != "" {
			got = append(got, n)
		} else {
			got = append(got, m.UserID)
		}
	}
	sort.Strings(got)
	want := append([]string(nil), names...)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		return fmt.Errorf("group %s has members %v, want %v", groupID, got, want)
	}
	return nil
}

// ExpectGroupMembers checks that the group's members are exactly the named
// users (users maps names to ids, as CreateUsers returns).
func ExpectGroupMembers(t *testing.T, groupID string, users map[string]string, names ...string) error {
	t.Helper()
	return compareMembers(groupID, GroupMemberships(t, groupID), users, names)
}

// ExpectIdentityGroupMembers checks that the live members of the group of
// the access group at address are exactly the named users (users maps
// names to ids, as CreateUsers returns).
func ExpectIdentityGroupMembers(address string, users map[string]string, names ...string) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, s state) error {
		id, err := stateString(s, address, "id")
		if err != nil {
			return err
		}
		cfg, err := awsConfig(ctx)
		if err != nil {
			return err
		}
		_, store, err := identityCenter(ctx, ssoadmin.NewFromConfig(cfg))
		if err != nil {
			return err
		}
		ms, err := groupMemberships(ctx, identitystore.NewFromConfig(cfg), store, id)
		if err != nil {
			return err
		}
		return compareMembers(id, ms, users, names)
	})
}

// IdentityGroup is a live Identity Store group.
type IdentityGroup struct{ DisplayName, Description string }

// GetIdentityGroup describes a group; the error is the SDK's (not found included).
func GetIdentityGroup(t *testing.T, id string) (IdentityGroup, error) {
	t.Helper()
	_, store := IdentityCenter(t)
	out, err := identityStore(t).DescribeGroup(context.Background(), &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(store), GroupId: aws.String(id)})
	if err != nil {
		return IdentityGroup{}, err
	}
	return IdentityGroup{DisplayName: aws.ToString(out.DisplayName), Description: aws.ToString(out.Description)}, nil
}

// DeleteIdentityGroup deletes a group out of band.
func DeleteIdentityGroup(t *testing.T, id string) error {
	t.Helper()
	_, store := IdentityCenter(t)
	_, err := identityStore(t).DeleteGroup(context.Background(), &identitystore.DeleteGroupInput{IdentityStoreId: aws.String(store), GroupId: aws.String(id)})
	return err
}

// CheckIdentityGroupGone is a CheckDestroy: the group (id filled in by a
// step; empty is skipped) no longer exists.
func CheckIdentityGroupGone(t *testing.T, id *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if *id == "" {
			return nil
		}
		if _, err := GetIdentityGroup(t, *id); err == nil {
			return fmt.Errorf("group %s still exists after destroy", *id)
		}
		return nil
	}
}

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
	c := ssoAdmin(t)
	ctx := context.Background()
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
	out.Tags = permissionSetTags(t, c, instanceARN, arn)
	return out, nil
}

// permissionSetTags reads a permission set's tags with ListTagsForResource.
func permissionSetTags(t *testing.T, c *ssoadmin.Client, instanceARN, arn string) map[string]string {
	t.Helper()
	tags, err := awsapi.ListPermissionSetTags(context.Background(), c, instanceARN, arn)
	if err != nil {
		t.Fatal(err)
	}
	return tags
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
