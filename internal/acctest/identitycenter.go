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
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
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

// identityGroupCheck is a state check on the live Identity Store group of
// the access group at address.
func identityGroupCheck(address string, f func(ctx context.Context, c *identitystore.Client, store string, s state, id string) error) statecheck.StateCheck {
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
		return f(ctx, identitystore.NewFromConfig(cfg), store, s, id)
	})
}

func describeIdentityGroup(ctx context.Context, c *identitystore.Client, store, id string) (IdentityGroup, error) {
	out, err := c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(store), GroupId: aws.String(id)})
	if err != nil {
		return IdentityGroup{}, err
	}
	return IdentityGroup{DisplayName: aws.ToString(out.DisplayName), Description: aws.ToString(out.Description)}, nil
}

// ExpectIdentityGroup checks that the live group of the access group at
// address is named displayName and that its raw description (marker
// included) passes description.
func ExpectIdentityGroup(address, displayName string, description knownvalue.Check) statecheck.StateCheck {
	return identityGroupCheck(address, func(ctx context.Context, c *identitystore.Client, store string, _ state, id string) error {
		g, err := describeIdentityGroup(ctx, c, store, id)
		if err != nil {
			return err
		}
		if g.DisplayName != displayName {
			return fmt.Errorf("group %s is named %q, want %q", id, g.DisplayName, displayName)
		}
		return checkLive("description of group "+id, g.Description, description)
	})
}

// ExpectIdentityGroupMarkedDescription checks that the live description of
// the group of the access group at address is exactly userDescription
// followed by the ownership marker carrying the ownership id in state (no
// longer pending).
func ExpectIdentityGroupMarkedDescription(address, userDescription string) statecheck.StateCheck {
	return identityGroupCheck(address, func(ctx context.Context, c *identitystore.Client, store string, s state, id string) error {
		own, err := stateOwnership(s, address)
		if err != nil {
			return err
		}
		g, err := describeIdentityGroup(ctx, c, store, id)
		if err != nil {
			return err
		}
		want := userDescription + " " + ownershipMarker + " ownership=" + own + "]"
		if g.Description != want {
			return fmt.Errorf("group %s description %q, want %q", id, g.Description, want)
		}
		return nil
	})
}

// ownershipMarker opens the marker the provider appends to the description
// of a group it created.
const ownershipMarker = "[managed-by=terraform-provider-zerotrust"

// ExpectIdentityGroupOwnership checks that the marker in the live
// description of the group of the access group at address carries the
// ownership id in state and is no longer pending.
func ExpectIdentityGroupOwnership(address string) statecheck.StateCheck {
	return identityGroupCheck(address, func(ctx context.Context, c *identitystore.Client, store string, s state, id string) error {
		own, err := stateOwnership(s, address)
		if err != nil {
			return err
		}
		g, err := describeIdentityGroup(ctx, c, store, id)
		if err != nil {
			return err
		}
		_, owned, o := awsapi.ParseGroupOwnership(g.Description)
		if !owned || o.Pending || o.ID == "" || o.ID != own {
			return fmt.Errorf("marker %q, state ownership_id %q", g.Description, own)
		}
		return nil
	})
}

// ExpectIdentityGroupUnmarked checks that the live description of the group
// of the access group at address carries no ownership marker (an adopted
// group's description is not the provider's to change).
func ExpectIdentityGroupUnmarked(address string) statecheck.StateCheck {
	return identityGroupCheck(address, func(ctx context.Context, c *identitystore.Client, store string, _ state, id string) error {
		g, err := describeIdentityGroup(ctx, c, store, id)
		if err != nil {
			return err
		}
		if strings.Contains(g.Description, ownershipMarker) {
			return fmt.Errorf("the adopted group's description was changed to %q", g.Description)
		}
		return nil
	})
}

// DisappearIdentityGroup deletes the live group of the access group at
// address out of band, after the step's apply (a "disappears" test).
func DisappearIdentityGroup(address string) statecheck.StateCheck {
	return identityGroupCheck(address, func(ctx context.Context, c *identitystore.Client, store string, _ state, id string) error {
		_, err := c.DeleteGroup(ctx, &identitystore.DeleteGroupInput{IdentityStoreId: aws.String(store), GroupId: aws.String(id)})
		return err
	})
}

// CheckAdoptedIdentityGroupKept is a CheckDestroy for an adopted group: it
// still exists, and its members are exactly the named users again (what
// the configuration added is removed, what was there stays).
func CheckAdoptedIdentityGroupKept(t *testing.T, id string, users map[string]string, names ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, err := GetIdentityGroup(t, id); err != nil {
			return fmt.Errorf("adopted group deleted by destroy: %v", err)
		}
		return ExpectGroupMembers(t, id, users, names...)
	}
}
