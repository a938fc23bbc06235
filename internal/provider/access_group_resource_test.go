package provider_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

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
	return acctest.Config(acctest.ProviderBlock(), acctest.AccessGroup("test", displayName, "members = ["+strings.Join(quoted, ", ")+"]", extra))
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

func TestAccAccessGroup_basic(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	alice, bob := acctest.RandomName("basic-alice")+"@example.com", acctest.RandomName("basic-bob")+"@example.com"
	users := acctest.CreateUsers(t, alice, bob)
	name := acctest.RandomName("payments-engineering")
	var groupID string
	cfg := accessGroupConfig(name, "Payments engineers", "", alice, bob)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckIdentityGroupGone(t, &groupID),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// Resolved at plan time, before anything is created.
					plancheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("member_user_ids"), knownvalue.MapExact(map[string]knownvalue.Check{
						alice: knownvalue.StringExact(users[alice]),
						bob:   knownvalue.StringExact(users[bob]),
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
					acctest.ExpectIdentityGroupMembers("zerotrust_access_group.test", users, alice, bob),
					acctest.CaptureID("zerotrust_access_group.test", &groupID),
					// The marker carries this resource's ownership id, no longer pending.
					acctest.ExpectIdentityGroup("zerotrust_access_group.test", name, knownvalue.NotNull()),
					acctest.ExpectIdentityGroupMarkedDescription("zerotrust_access_group.test", "Payments engineers"),
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
			{
				// -generate-config-out writes configuration that passes the
				// resource's own validation and plans a no-op import.
				Config:          importBlockProviderSource() + cfg,
				ResourceName:    "zerotrust_access_group.test",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				GenerateConfig:  true,
			},
		},
	})
}

func TestAccAccessGroup_update(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	alice, bob, carol, dave := acctest.RandomName("upd-alice"), acctest.RandomName("upd-bob"), acctest.RandomName("upd-carol"), acctest.RandomName("upd-dave")
	users := acctest.CreateUsers(t, alice, bob, carol, dave)
	name := acctest.RandomName("update-group")
	var groupID string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckIdentityGroupGone(t, &groupID),
		Steps: []resource.TestStep{
			{
				Config: accessGroupConfig(name, "", "", alice, bob),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectIdentityGroupMembers("zerotrust_access_group.test", users, alice, bob),
					acctest.CaptureID("zerotrust_access_group.test", &groupID),
				},
			},
			{
				Config: accessGroupConfig(name, "", "", bob, carol),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_access_group.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectIdentityGroupMembers("zerotrust_access_group.test", users, bob, carol),
				},
			},
			{
				// Additive: dropping bob removes the membership the provider added.
				Config: accessGroupConfig(name, "", "additive", carol),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectIdentityGroupMembers("zerotrust_access_group.test", users, carol),
				},
			},
			{
				// Additive ignores members added by others.
				PreConfig: func() { acctest.AddGroupMember(t, groupID, users[dave]) },
				Config:    accessGroupConfig(name, "", "additive", carol),
				PlanOnly:  true,
			},
			{
				// Switching to authoritative plans dave away.
				Config: accessGroupConfig(name, "", "authoritative", carol),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_access_group.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectIdentityGroupMembers("zerotrust_access_group.test", users, carol),
				},
			},
		},
	})
}

// TestAccAccessGroup_drift adds and removes members out of band: the
// authoritative group's plan shows both and apply corrects them.
func TestAccAccessGroup_drift(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	alice, bob, mallory := acctest.RandomName("drift-alice"), acctest.RandomName("drift-bob"), acctest.RandomName("drift-mallory")
	users := acctest.CreateUsers(t, alice, bob, mallory)
	var groupID string
	cfg := accessGroupConfig(acctest.RandomName("drift-group"), "", "", alice, bob)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureID("zerotrust_access_group.test", &groupID)},
			},
			{
				PreConfig: func() {
					acctest.AddGroupMember(t, groupID, users[mallory])
					acctest.RemoveGroupMember(t, groupID, users[bob])
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectIdentityGroupMembers("zerotrust_access_group.test", users, alice, bob),
				},
			},
		},
	})
}

func TestAccAccessGroup_disappears(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	alice := acctest.RandomName("gone-alice")
	acctest.CreateUsers(t, alice)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: accessGroupConfig(acctest.RandomName("gone-group"), "", "", alice),
				// Deleted out of band after the apply: the next plan re-creates it.
				ConfigStateChecks:  []statecheck.StateCheck{acctest.DisappearIdentityGroup("zerotrust_access_group.test")},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccAccessGroup_adopt adopts a group made outside Terraform: the default
// is additive, destroy leaves the group and removes only what was added.
func TestAccAccessGroup_adopt(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	legacy, alice := acctest.RandomName("adopt-legacy"), acctest.RandomName("adopt-alice")
	users := acctest.CreateUsers(t, legacy, alice)
	groupName := acctest.RandomName("okta-payments")
	id := acctest.CreateIdentityGroup(t, groupName)
	acctest.AddGroupMember(t, id, users[legacy])
	cfg := acctest.Config(acctest.ProviderBlock(),
		acctest.Resource("zerotrust_access_group", "test", acctest.Attr("group_id", id), acctest.Attr("members", []string{alice})))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckAdoptedIdentityGroupKept(t, id, users, legacy),
		Steps: []resource.TestStep{
			{
				// A written display_name must be the adopted group's own:
				// adopting never renames.
				Config:      strings.Replace(cfg, "group_id =", "display_name = \"payments\"\n  group_id =", 1),
				ExpectError: regexp.MustCompile(`(?s)Adopted group is not renamed.*named\s+"` + groupName + `",\s+not\s+"payments"`),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("display_name"), knownvalue.StringExact(groupName)),
					plancheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("id"), knownvalue.StringExact(id)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("adopted"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("membership"), knownvalue.StringExact("additive")),
					acctest.ExpectIdentityGroupMembers("zerotrust_access_group.test", users, legacy, alice),
					statecheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("id"), knownvalue.StringExact(id)),
					acctest.ExpectIdentityGroupUnmarked("zerotrust_access_group.test"),
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
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	cases := map[string]struct{ body, want string }{
		"bad membership":           {`display_name = "a"` + "\n" + `membership = "exclusive"`, `(?s)Attribute membership value must be one of`},
		"neither name nor group":   {`members = []`, `(?s)At least one attribute out of \[.*display_name`},
		"description when adopted": {`group_id = "9067b2a3-1234-4c5d-8e9f-0123456789ab"` + "\n" + `description = "x"`, `(?s)Description of an adopted group.*not managed by the provider`},
		"bad group id":             {`group_id = "payments"`, `(?s)Attribute group_id must be an Identity Store group id`},
		"blank member":             {`display_name = "a"` + "\n" + `members = [""]`, `(?s)Attribute members\[Value\(""\)\] string length must be between 1 and 128`},
		"padded name":              {`display_name = " a"`, `(?s)Attribute display_name must not start or end with white space`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // plan-only, nothing in the sandbox is read or written
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderBlock() + "resource \"zerotrust_access_group\" \"test\" {\n" + tc.body + "\n}\n",
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
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	known := acctest.RandomName("known-user")
	acctest.CreateUsers(t, known)
	cases := map[string]struct{ body, want string }{
		"unknown user":         {`display_name = "unknown-user-group"` + "\n" + `members = ["` + known + `", "nobody@example.com"]`, `(?s)Unknown user.*members: no user named "nobody@example.com"`},
		"adopt missing group":  {`group_id = "9067b2a3-1234-4c5d-8e9f-0123456789ab"`, `(?s)Group not found.*group_id: no group 9067b2a3-1234-4c5d-8e9f-0123456789ab`},
		"unknown user adopted": {`group_id = "9067b2a3-1234-4c5d-8e9f-0123456789ab"` + "\n" + `members = ["ghost"]`, `(?s)Group not found.*group_id`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderBlock() + "resource \"zerotrust_access_group\" \"test\" {\n" + tc.body + "\n}\n",
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
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	name, renamed := acctest.RandomName("rename-group"), acctest.RandomName("renamed-group")
	var groupID string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckIdentityGroupGone(t, &groupID),
		Steps: []resource.TestStep{
			{
				Config:            accessGroupConfig(name, "before", ""),
				ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureID("zerotrust_access_group.test", &groupID)},
			},
			{
				Config: accessGroupConfig(renamed, "after", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_access_group.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					// The same group: not replaced.
					statecheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("id"), acctest.KnownString(&groupID)),
					// It carries the new name and description.
					acctest.ExpectIdentityGroup("zerotrust_access_group.test", renamed, knownvalue.StringRegexp(regexp.MustCompile(`^after`))),
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
	return acctest.ProviderBlock() + string(b)
}

// TestAccAccessGroup_example plans the documented example against the sandbox.
func TestAccAccessGroup_example(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	acctest.CreateUsers(t, "alice@example.com", "bob@example.com", "carol@example.com")
	group := acctest.CreateIdentityGroup(t, acctest.RandomName("example-oncall"))
	// Serial: the documented example names its users (alice@example.com...), which TestAccPrivilegedAccess_example creates too.
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
