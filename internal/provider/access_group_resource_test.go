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
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

const ownershipMarker = "[managed-by=terraform-provider-zerotrust"

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
	users := acctest.CreateUsers(t, "basic-alice@example.com", "basic-bob@example.com")
	var groupID string
	cfg := accessGroupConfig("payments-engineering-basic", "Payments engineers", "", "basic-alice@example.com", "basic-bob@example.com")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckIdentityGroupGone(t, &groupID),
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
					acctest.ExpectIdentityGroupMembers("zerotrust_access_group.test", users, "basic-alice@example.com", "basic-bob@example.com"),
				},
				Check: func(s *terraform.State) error {
					groupID = groupIDFrom(s, "zerotrust_access_group.test")
					g, err := acctest.GetIdentityGroup(t, groupID)
					if err != nil {
						return err
					}
					// The marker carries this resource's ownership id, no longer pending.
					want := "Payments engineers " + ownershipMarker + " ownership=" + s.RootModule().Resources["zerotrust_access_group.test"].Primary.Attributes["ownership_id"] + "]"
					if g.DisplayName != "payments-engineering-basic" || g.Description != want {
						return fmt.Errorf("group in the identity store: name %q, description %q, want %q", g.DisplayName, g.Description, want)
					}
					return nil
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
	users := acctest.CreateUsers(t, "upd-alice", "upd-bob", "upd-carol", "upd-dave")
	var groupID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckIdentityGroupGone(t, &groupID),
		Steps: []resource.TestStep{
			{
				Config: accessGroupConfig("update-group", "", "", "upd-alice", "upd-bob"),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectIdentityGroupMembers("zerotrust_access_group.test", users, "upd-alice", "upd-bob"),
				},
				Check: captureID("zerotrust_access_group.test", &groupID),
			},
			{
				Config: accessGroupConfig("update-group", "", "", "upd-bob", "upd-carol"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_access_group.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectIdentityGroupMembers("zerotrust_access_group.test", users, "upd-bob", "upd-carol"),
				},
			},
			{
				// Additive: dropping bob removes the membership the provider added.
				Config: accessGroupConfig("update-group", "", "additive", "upd-carol"),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectIdentityGroupMembers("zerotrust_access_group.test", users, "upd-carol"),
				},
			},
			{
				// Additive ignores members added by others.
				PreConfig: func() { acctest.AddGroupMember(t, groupID, users["upd-dave"]) },
				Config:    accessGroupConfig("update-group", "", "additive", "upd-carol"),
				PlanOnly:  true,
			},
			{
				// Switching to authoritative plans dave away.
				Config: accessGroupConfig("update-group", "", "authoritative", "upd-carol"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_access_group.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectIdentityGroupMembers("zerotrust_access_group.test", users, "upd-carol"),
				},
			},
		},
	})
}

// TestAccAccessGroup_drift adds and removes members out of band: the
// authoritative group's plan shows both and apply corrects them.
func TestAccAccessGroup_drift(t *testing.T) {
	users := acctest.CreateUsers(t, "drift-alice", "drift-bob", "drift-mallory")
	var groupID string
	cfg := accessGroupConfig("drift-group", "", "", "drift-alice", "drift-bob")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  captureID("zerotrust_access_group.test", &groupID),
			},
			{
				PreConfig: func() {
					acctest.AddGroupMember(t, groupID, users["drift-mallory"])
					acctest.RemoveGroupMember(t, groupID, users["drift-bob"])
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectIdentityGroupMembers("zerotrust_access_group.test", users, "drift-alice", "drift-bob"),
				},
			},
		},
	})
}

func TestAccAccessGroup_disappears(t *testing.T) {
	acctest.CreateUsers(t, "gone-alice")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: accessGroupConfig("gone-group", "", "", "gone-alice"),
				Check: func(s *terraform.State) error {
					return acctest.DeleteIdentityGroup(t, groupIDFrom(s, "zerotrust_access_group.test"))
				},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccAccessGroup_adopt adopts a group made outside Terraform: the default
// is additive, destroy leaves the group and removes only what was added.
func TestAccAccessGroup_adopt(t *testing.T) {
	users := acctest.CreateUsers(t, "adopt-legacy", "adopt-alice")
	id := acctest.CreateIdentityGroup(t, "okta-payments")
	acctest.AddGroupMember(t, id, users["adopt-legacy"])
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
			if _, err := acctest.GetIdentityGroup(t, id); err != nil {
				return fmt.Errorf("adopted group deleted by destroy: %v", err)
			}
			return acctest.ExpectGroupMembers(t, id, users, "adopt-legacy")
		},
		Steps: []resource.TestStep{
			{
				// A written display_name must be the adopted group's own:
				// adopting never renames.
				Config:      strings.Replace(cfg, "group_id =", "display_name = \"payments\"\n  group_id =", 1),
				ExpectError: regexp.MustCompile(`(?s)Adopted group is not renamed.*named "okta-payments",\s+not\s+"payments"`),
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("display_name"), knownvalue.StringExact("okta-payments")),
					plancheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("id"), knownvalue.StringExact(id)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("adopted"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("membership"), knownvalue.StringExact("additive")),
					acctest.ExpectIdentityGroupMembers("zerotrust_access_group.test", users, "adopt-legacy", "adopt-alice"),
				},
				Check: func(*terraform.State) error {
					g, err := acctest.GetIdentityGroup(t, id)
					if err != nil {
						return err
					}
					if strings.Contains(g.Description, ownershipMarker) {
						return fmt.Errorf("the adopted group's description was changed to %q", g.Description)
					}
					return nil
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
		"neither name nor group":   {`members = []`, `(?s)At least one attribute out of \[.*display_name`},
		"description when adopted": {`group_id = "9067b2a3-1234-4c5d-8e9f-0123456789ab"` + "\n" + `description = "x"`, `(?s)Description of an adopted group.*not managed by the provider`},
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
	acctest.CreateUsers(t, "known-user")
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
		CheckDestroy:             acctest.CheckIdentityGroupGone(t, &groupID),
		Steps: []resource.TestStep{
			{
				Config: accessGroupConfig("rename-group", "before", ""),
				Check:  captureID("zerotrust_access_group.test", &groupID),
			},
			{
				Config: accessGroupConfig("renamed-group", "after", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_access_group.test", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					// The same group: not replaced.
					statecheck.ExpectKnownValue("zerotrust_access_group.test", tfjsonpath.New("id"), knownString(&groupID)),
				},
				Check: func(s *terraform.State) error {
					g, err := acctest.GetIdentityGroup(t, groupID)
					if err != nil {
						return err
					}
					if g.DisplayName != "renamed-group" || !strings.HasPrefix(g.Description, "after") {
						return fmt.Errorf("live group %q / %q after the update", g.DisplayName, g.Description)
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
	acctest.CreateUsers(t, "alice@example.com", "bob@example.com", "carol@example.com")
	group := acctest.CreateIdentityGroup(t, "example-oncall")
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
