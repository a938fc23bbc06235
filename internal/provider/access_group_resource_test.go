package provider_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

const ownershipMarker = "[managed-by=terraform-provider-zerotrust]"

func identityStoreClient(t *testing.T) *identitystore.Client {
	t.Helper()
	return identitystore.NewFromConfig(acctest.AWSConfig(t))
}

func ssoAdminClient(t *testing.T) *ssoadmin.Client {
	t.Helper()
	return ssoadmin.NewFromConfig(acctest.AWSConfig(t))
}

// identityCenter returns the sandbox's (or account's) only instance, as the provider discovers it.
func identityCenter(t *testing.T) (instanceARN, storeID string) {
	t.Helper()
	out, err := ssoAdminClient(t).ListInstances(context.Background(), &ssoadmin.ListInstancesInput{})
	if err != nil || len(out.Instances) == 0 {
		t.Fatalf("listing IAM Identity Center instances: %v", err)
	}
	return aws.ToString(out.Instances[0].InstanceArn), aws.ToString(out.Instances[0].IdentityStoreId)
}

// createUsers makes Identity Store users for a test through the SDK and
// returns their ids by user name; they are deleted afterwards.
func createUsers(t *testing.T, names ...string) map[string]string {
	t.Helper()
	_, store := identityCenter(t)
	c := identityStoreClient(t)
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

// createGroup makes a group outside Terraform (as an IdP sync would).
func createGroup(t *testing.T, name string) string {
	t.Helper()
	_, store := identityCenter(t)
	out, err := identityStoreClient(t).CreateGroup(context.Background(), &identitystore.CreateGroupInput{
		IdentityStoreId: aws.String(store), DisplayName: aws.String(name), Description: aws.String("synced from the IdP"),
	})
	if err != nil {
		t.Fatalf("creating group %s: %v", name, err)
	}
	return aws.ToString(out.GroupId)
}

func addMember(t *testing.T, groupID, userID string) {
	t.Helper()
	_, store := identityCenter(t)
	_, err := identityStoreClient(t).CreateGroupMembership(context.Background(), &identitystore.CreateGroupMembershipInput{
		IdentityStoreId: aws.String(store), GroupId: aws.String(groupID), MemberId: &istypes.MemberIdMemberUserId{Value: userID},
	})
	if err != nil {
		t.Fatalf("adding %s to %s: %v", userID, groupID, err)
	}
}

func removeMember(t *testing.T, groupID, userID string) {
	t.Helper()
	_, store := identityCenter(t)
	c := identityStoreClient(t)
	for _, m := range liveMemberships(t, groupID) {
		if m.userID == userID {
			if _, err := c.DeleteGroupMembership(context.Background(), &identitystore.DeleteGroupMembershipInput{IdentityStoreId: aws.String(store), MembershipId: aws.String(m.id)}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

type membership struct{ id, userID string }

func liveMemberships(t *testing.T, groupID string) []membership {
	t.Helper()
	_, store := identityCenter(t)
	out, err := identityStoreClient(t).ListGroupMemberships(context.Background(), &identitystore.ListGroupMembershipsInput{IdentityStoreId: aws.String(store), GroupId: aws.String(groupID)})
	if err != nil {
		t.Fatalf("listing memberships of %s: %v", groupID, err)
	}
	var ms []membership
	for _, m := range out.GroupMemberships {
		if u, ok := m.MemberId.(*istypes.MemberIdMemberUserId); ok {
			ms = append(ms, membership{aws.ToString(m.MembershipId), u.Value})
		}
	}
	return ms
}

// expectMembers checks, through the SDK, that the group's members are exactly the given users.
func expectMembers(t *testing.T, groupID string, users map[string]string, names ...string) error {
	t.Helper()
	byID := map[string]string{}
	for n, id := range users {
		byID[id] = n
	}
	var got []string
	for _, m := range liveMemberships(t, groupID) {
		got = append(got, valueOrID(byID[m.userID], m.userID))
	}
	sort.Strings(got)
	want := append([]string(nil), names...)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		return fmt.Errorf("group %s has members %v, want %v", groupID, got, want)
	}
	return nil
}

func valueOrID(name, id string) string {
	if name == "" {
		return id
	}
	return name
}

func describeIdentityGroup(t *testing.T, id string) (*identitystore.DescribeGroupOutput, error) {
	t.Helper()
	_, store := identityCenter(t)
	return identityStoreClient(t).DescribeGroup(context.Background(), &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(store), GroupId: aws.String(id)})
}

func checkIdentityGroupGone(t *testing.T, id *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if *id == "" {
			return nil
		}
		if _, err := describeIdentityGroup(t, *id); err == nil {
			return fmt.Errorf("group %s still exists after destroy", *id)
		}
		return nil
	}
}

func accessGroupConfig(displayName, description, membership string, members ...string) string {
	var quoted []string
	for _, m := range members {
		quoted = append(quoted, fmt.Sprintf("%q", m))
	}
	extra := ""
	if description != "" {
		extra += fmt.Sprintf("  description = %q\n", description)
	}
	if membership != "" {
		extra += fmt.Sprintf("  membership  = %q\n", membership)
	}
	return acctest.ProviderConfig + fmt.Sprintf(`
resource "zerotrust_access_group" "test" {
  display_name = %q
  members      = [%s]
%s}
`, displayName, strings.Join(quoted, ", "), extra)
}

// importBlockProviderSource names the provider's source for import-block
// steps: terraform-plugin-testing writes their configuration as is, without
// the required_providers block it adds to other steps, so the address must
// match the one it serves the provider under (TF_ACC_PROVIDER_NAMESPACE).
func importBlockProviderSource() string {
	ns := os.Getenv("TF_ACC_PROVIDER_NAMESPACE")
	if ns == "" {
		ns = "hashicorp"
	}
	return fmt.Sprintf(`
terraform {
  required_providers {
    zerotrust = { source = "registry.terraform.io/%s/zerotrust" }
  }
}
`, ns)
}

func groupIDFrom(s *terraform.State, name string) string {
	return s.RootModule().Resources[name].Primary.ID
}

func TestAccAccessGroup_basic(t *testing.T) {
	users := createUsers(t, "basic-alice@example.com", "basic-bob@example.com")
	var groupID string
	cfg := accessGroupConfig("payments-engineering-basic", "Payments engineers", "", "basic-alice@example.com", "basic-bob@example.com")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkIdentityGroupGone(t, &groupID),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// Resolved at plan time, before anything is created.
					plancheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("member_user_ids"), knownvalue.MapExact(map[string]knownvalue.Check{
						"basic-alice@example.com": knownvalue.StringExact(users["basic-alice@example.com"]),
						"basic-bob@example.com":   knownvalue.StringExact(users["basic-bob@example.com"]),
					})),
					plancheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("membership"), knownvalue.StringExact("authoritative")),
					plancheck.ExpectUnknownValue("zerotrust_access_group.test", tfjsonpath.New("id")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("id"), knownvalue.StringRegexp(uuidRe)),
					statecheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("adopted"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("description"), knownvalue.StringExact("Payments engineers")),
					statecheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("identity_store_id"), knownvalue.StringRegexp(regexp.MustCompile(`^d-`))),
					statecheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("added_membership_ids"), knownvalue.MapSizeExact(2)),
				},
				Check: func(s *terraform.State) error {
					groupID = groupIDFrom(s, "zerotrust_access_group.test")
					g, err := describeIdentityGroup(t, groupID)
					if err != nil {
						return err
					}
					if aws.ToString(g.DisplayName) != "payments-engineering-basic" || aws.ToString(g.Description) != "Payments engineers "+ownershipMarker {
						return fmt.Errorf("group in the identity store: name %q, description %q", aws.ToString(g.DisplayName), aws.ToString(g.Description))
					}
					return expectMembers(t, groupID, users, "basic-alice@example.com", "basic-bob@example.com")
				},
			},
			{
				ResourceName:      "zerotrust_access_group.test",
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// An import block plans a no-op import.
				Config:          importBlockProviderSource() + cfg,
				ResourceName:    "zerotrust_access_group.test",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
		},
	})
}

func TestAccAccessGroup_update(t *testing.T) {
	users := createUsers(t, "upd-alice", "upd-bob", "upd-carol", "upd-dave")
	var groupID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkIdentityGroupGone(t, &groupID),
		Steps: []resource.TestStep{
			{
				Config: accessGroupConfig("update-group", "", "", "upd-alice", "upd-bob"),
				Check: func(s *terraform.State) error {
					groupID = groupIDFrom(s, "zerotrust_access_group.test")
					return expectMembers(t, groupID, users, "upd-alice", "upd-bob")
				},
			},
			{
				Config: accessGroupConfig("update-group", "", "", "upd-bob", "upd-carol"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_access_group.test", plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error { return expectMembers(t, groupID, users, "upd-bob", "upd-carol") },
			},
			{
				// Additive: dropping bob removes the membership the provider added.
				Config: accessGroupConfig("update-group", "", "additive", "upd-carol"),
				Check:  func(*terraform.State) error { return expectMembers(t, groupID, users, "upd-carol") },
			},
			{
				// Additive ignores members added by others.
				PreConfig: func() { addMember(t, groupID, users["upd-dave"]) },
				Config:    accessGroupConfig("update-group", "", "additive", "upd-carol"),
				PlanOnly:  true,
			},
			{
				// Switching to authoritative plans dave away.
				Config: accessGroupConfig("update-group", "", "authoritative", "upd-carol"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_access_group.test", plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error { return expectMembers(t, groupID, users, "upd-carol") },
			},
		},
	})
}

// TestAccAccessGroup_drift adds and removes members out of band: the
// authoritative group's plan shows both and apply corrects them.
func TestAccAccessGroup_drift(t *testing.T) {
	users := createUsers(t, "drift-alice", "drift-bob", "drift-mallory")
	var groupID string
	cfg := accessGroupConfig("drift-group", "", "", "drift-alice", "drift-bob")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(s *terraform.State) error {
					groupID = groupIDFrom(s, "zerotrust_access_group.test")
					return nil
				},
			},
			{
				PreConfig: func() {
					addMember(t, groupID, users["drift-mallory"])
					removeMember(t, groupID, users["drift-bob"])
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg,
				Check:  func(*terraform.State) error { return expectMembers(t, groupID, users, "drift-alice", "drift-bob") },
			},
		},
	})
}

func TestAccAccessGroup_disappears(t *testing.T) {
	createUsers(t, "gone-alice")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: accessGroupConfig("gone-group", "", "", "gone-alice"),
				Check: func(s *terraform.State) error {
					_, store := identityCenter(t)
					_, err := identityStoreClient(t).DeleteGroup(context.Background(), &identitystore.DeleteGroupInput{
						IdentityStoreId: aws.String(store), GroupId: aws.String(groupIDFrom(s, "zerotrust_access_group.test")),
					})
					return err
				},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccAccessGroup_adopt adopts a group made outside Terraform: the default
// is additive, destroy leaves the group and removes only what was added.
func TestAccAccessGroup_adopt(t *testing.T) {
	users := createUsers(t, "adopt-legacy", "adopt-alice")
	id := createGroup(t, "okta-payments")
	addMember(t, id, users["adopt-legacy"])
	cfg := acctest.ProviderConfig + fmt.Sprintf(`
resource "zerotrust_access_group" "test" {
  group_id = %q
  members  = ["adopt-alice"]
}
`, id)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := describeIdentityGroup(t, id); err != nil {
				return fmt.Errorf("adopted group deleted by destroy: %v", err)
			}
			return expectMembers(t, id, users, "adopt-legacy")
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("display_name"), knownvalue.StringExact("okta-payments")),
					plancheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("id"), knownvalue.StringExact(id)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("adopted"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("membership"), knownvalue.StringExact("additive")),
				},
				Check: func(*terraform.State) error {
					g, err := describeIdentityGroup(t, id)
					if err != nil {
						return err
					}
					if strings.Contains(aws.ToString(g.Description), ownershipMarker) {
						return fmt.Errorf("the adopted group's description was changed to %q", aws.ToString(g.Description))
					}
					return expectMembers(t, id, users, "adopt-legacy", "adopt-alice")
				},
			},
			{
				// Importing a foreign group yields an adopted, additive group: same state.
				ResourceName:      "zerotrust_access_group.test",
				ImportState:       true,
				ImportStateVerify: true,
				// Import cannot know which of the present members this configuration listed or added.
				ImportStateVerifyIgnore: []string{"members", "member_user_ids", "added_membership_ids"},
			},
		},
	})
}

func TestAccAccessGroup_badInput(t *testing.T) {
	cases := map[string]struct{ body, want string }{
		"bad membership":           {`display_name = "a"` + "\n" + `membership = "exclusive"`, `(?s)Attribute membership value must be one of`},
		"neither name nor group":   {`members = []`, `(?s)No attribute specified when one \(and only one\) of \[.*display_name`},
		"both name and group":      {`display_name = "a"` + "\n" + `group_id = "9067b2a3-1234-4c5d-8e9f-0123456789ab"`, `(?s)2 attributes specified when one \(and only one\) of \[.*group_id`},
		"description when adopted": {`group_id = "9067b2a3-1234-4c5d-8e9f-0123456789ab"` + "\n" + `description = "x"`, `(?s)Attribute "group_id" cannot be specified when "description" is specified|Attribute "description" cannot be specified when "group_id" is specified`},
		"bad group id":             {`group_id = "payments"`, `(?s)Attribute group_id must be an Identity Store group id`},
		"blank member":             {`display_name = "a"` + "\n" + `members = [""]`, `(?s)Attribute members\[Value\(""\)\] string length must be between 1 and 128`},
		"padded name":              {`display_name = " a"`, `(?s)Attribute display_name must not start or end with white space`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderConfig + "resource \"zerotrust_access_group\" \"test\" {\n" + tc.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccAccessGroup_badInputAtPlan: mistakes that need the identity store
// are still reported by the plan, at the attribute.
func TestAccAccessGroup_badInputAtPlan(t *testing.T) {
	createUsers(t, "known-user")
	cases := map[string]struct{ body, want string }{
		"unknown user":         {`display_name = "unknown-user-group"` + "\n" + `members = ["known-user", "nobody@example.com"]`, `(?s)Unknown user.*members: no user named "nobody@example.com"`},
		"adopt missing group":  {`group_id = "9067b2a3-1234-4c5d-8e9f-0123456789ab"`, `(?s)Group not found.*group_id: no group 9067b2a3-1234-4c5d-8e9f-0123456789ab`},
		"unknown user adopted": {`group_id = "9067b2a3-1234-4c5d-8e9f-0123456789ab"` + "\n" + `members = ["ghost"]`, `(?s)Group not found.*group_id`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderConfig + "resource \"zerotrust_access_group\" \"test\" {\n" + tc.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccAccessGroup_rename: renaming or re-describing a group is an
// in-place UpdateGroup; the same group carries the new name and description.
func TestAccAccessGroup_rename(t *testing.T) {
	var groupID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkIdentityGroupGone(t, &groupID),
		Steps: []resource.TestStep{
			{
				Config: accessGroupConfig("rename-group", "before", ""),
				Check: func(s *terraform.State) error {
					groupID = groupIDFrom(s, "zerotrust_access_group.test")
					return nil
				},
			},
			{
				Config: accessGroupConfig("renamed-group", "after", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_access_group.test", plancheck.ResourceActionUpdate),
				}},
				Check: func(s *terraform.State) error {
					if id := groupIDFrom(s, "zerotrust_access_group.test"); id != groupID {
						return fmt.Errorf("group replaced: %s -> %s", groupID, id)
					}
					g, err := describeIdentityGroup(t, groupID)
					if err != nil {
						return err
					}
					if aws.ToString(g.DisplayName) != "renamed-group" || !strings.HasPrefix(aws.ToString(g.Description), "after") {
						return fmt.Errorf("live group %q / %q after the update", aws.ToString(g.DisplayName), aws.ToString(g.Description))
					}
					return nil
				},
			},
		},
	})
}

// exampleConfig reads an example from examples/resources for a plan test.
func exampleConfig(t *testing.T, resourceType string) string {
	t.Helper()
	b, err := os.ReadFile(acctest.RepoRoot(t) + "/examples/resources/" + resourceType + "/resource.tf")
	if err != nil {
		t.Fatal(err)
	}
	return acctest.ProviderConfig + string(b)
}

// TestAccAccessGroup_example plans the documented example against the sandbox.
func TestAccAccessGroup_example(t *testing.T) {
	createUsers(t, "alice@example.com", "bob@example.com", "carol@example.com")
	group := createGroup(t, "example-oncall")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             exampleConfig(t, "zerotrust_access_group"),
			ConfigVariables:    config.Variables{"oncall_group_id": config.StringVariable(group)},
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}
