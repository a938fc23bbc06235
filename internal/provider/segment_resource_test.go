package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

func segmentConfig(vpcID, name, sensitivity string) string {
	return acctest.Config(acctest.ProviderBlock(), acctest.Segment("test", name, vpcID,
		acctest.Attr("sensitivity", sensitivity), acctest.Attr("tags", map[string]string{"team": "payments"})))
}

func TestAccSegment_basic(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.10.0.0/16")
	var groupID string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckSecurityGroupsGone(t, &groupID),
		Steps: []resource.TestStep{
			{
				Config: segmentConfig(vpcID, "payments", "restricted"),
				ConfigStateChecks: []statecheck.StateCheck{
					// The id is derived from the configuration; the group's own id is apart.
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("id"), knownvalue.StringExact("sg/"+vpcID+"/payments")),
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("security_group_id"), knownvalue.StringRegexp(regexp.MustCompile(`^sg-[0-9a-f]+$`))),
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("adopted"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("unmanaged_rule_ids"), knownvalue.ListExact(nil)),
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("sensitivity"), knownvalue.StringExact("restricted")),
					acctest.ExpectSecurityGroupTags("zerotrust_segment.test", map[string]string{
						"managed-by": "terraform-provider-zerotrust", "zerotrust:segment": "payments", "zerotrust:sensitivity": "restricted", "team": "payments",
					}),
					// Deny by default in both directions: no rule at all, not even the default egress.
					acctest.ExpectSecurityGroupRules("zerotrust_segment.test"),
					acctest.CaptureGroupID("zerotrust_segment.test", &groupID),
				},
			},
			{
				// By the segment's id (sg/<vpc_id>/<name>).
				ResourceName:      "zerotrust_segment.test",
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// By the group's id, as before segment ids were derived: the
				// same state, known by sg/<vpc_id>/<name>.
				ResourceName:      "zerotrust_segment.test",
				ImportState:       true,
				ImportStateIdFunc: func(*terraform.State) (string, error) { return groupID, nil },
				ImportStateVerify: true,
			},
			{
				// -generate-config-out writes configuration that passes the
				// resource's own validation and plans a no-op import.
				ResourceName:    "zerotrust_segment.test",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				GenerateConfig:  true,
			},
		},
	})
}

func TestAccSegment_update(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.11.0.0/16")
	var groupID string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckSecurityGroupsGone(t, &groupID),
		Steps: []resource.TestStep{
			{
				Config:            segmentConfig(vpcID, "orders", "internal"),
				ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureGroupID("zerotrust_segment.test", &groupID)},
			},
			{
				Config: segmentConfig(vpcID, "orders", "confidential"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_segment.test", plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupTags("zerotrust_segment.test", map[string]string{"zerotrust:sensitivity": "confidential"}),
				},
			},
			{
				Config: segmentConfig(vpcID, "orders-v2", "confidential"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_segment.test", plancheck.ResourceActionDestroyBeforeCreate)},
				},
			},
		},
	})
}

// TestAccSegment_drift adds a rule out of band to a created segment; the
// plan shows it as unmanaged and apply removes it.
func TestAccSegment_drift(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.12.0.0/16")
	var groupID string
	cfg := segmentConfig(vpcID, "drift", "internal")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureGroupID("zerotrust_segment.test", &groupID)},
			},
			{
				PreConfig:          func() { acctest.AuthorizeIngress(t, groupID, "tcp", 22, "0.0.0.0/0") },
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg,
				// The out-of-band rule is removed: no rule left.
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectSecurityGroupRules("zerotrust_segment.test")},
			},
		},
	})
}

// TestAccSegment_driftForgedTag: a rule opening a restricted segment to the
// internet, added with the provider's managed-by tag copied onto it, is
// still drift: the refreshed state says what it allows, and apply removes it.
func TestAccSegment_driftForgedTag(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.18.0.0/16")
	var groupID string
	cfg := segmentConfig(vpcID, "forged", "restricted")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureGroupID("zerotrust_segment.test", &groupID)},
			},
			{
				PreConfig: func() {
					acctest.AuthorizeIngressTagged(t, groupID, "tcp", 0, 65535, "0.0.0.0/0", map[string]string{"managed-by": "terraform-provider-zerotrust"})
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					acctest.ExpectRefreshedValue("zerotrust_segment.test", tfjsonpath.New("unmanaged_rule_ids"), knownvalue.ListSizeExact(1)),
					acctest.ExpectRefreshedValue("zerotrust_segment.test", tfjsonpath.New("unmanaged_rules").AtSliceIndex(0),
						knownvalue.StringRegexp(regexp.MustCompile(`^sgr-\S+ ingress tcp 0-65535 from 0\.0\.0\.0/0$`))),
				}},
			},
			{
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectSecurityGroupRules("zerotrust_segment.test")},
			},
		},
	})
}

func TestAccSegment_disappears(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.13.0.0/16")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: segmentConfig(vpcID, "gone", "internal"),
				// Deleted out of band after the apply: the next plan re-creates it.
				ConfigStateChecks:  []statecheck.StateCheck{acctest.DisappearSecurityGroup("zerotrust_segment.test")},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccSegment_adopt adopts a group made outside Terraform: destroy must
// leave it in place, with the provider's tags removed.
func TestAccSegment_adopt(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.14.0.0/16")
	id := acctest.CreateSecurityGroup(t, vpcID, "legacy", "legacy")
	acctest.TagResource(t, id, "cost-center", "1234")
	// Destroy leaves the group as it was: its own tags back (the
	// configuration changed one and added another), its Name never written.
	tagsBefore, rulesBefore := acctest.SecurityGroupTags(t, id), acctest.SecurityGroupRules(t, id)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckSecurityGroupAsBefore(t, id, tagsBefore, rulesBefore),
		Steps: []resource.TestStep{
			{
				// vpc_id beside security_group_id must be the group's VPC:
				// refused at plan, nothing tagged.
				Config: acctest.Config(acctest.ProviderBlock(),
					acctest.Segment("test", "legacy", "vpc-0123456789abcdef0", acctest.Attr("security_group_id", id))),
				ExpectError: regexp.MustCompile(`(?s)Security group is in another VPC.*Remove vpc_id`),
			},
			{
				Config: acctest.Config(acctest.ProviderBlock(), acctest.Segment("test", "legacy", vpcID, acctest.Attr("security_group_id", id),
					acctest.Attr("tags", map[string]string{"cost-center": "9999", "owner": "platform"}))),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("adopted"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("id"), knownvalue.StringExact(id)),
					acctest.ExpectSecurityGroupTags("zerotrust_segment.test", map[string]string{"cost-center": "9999", "owner": "platform"}),
				},
			},
		},
	})
}

// TestAccSegment_importForeign: a security group the provider did not
// create, imported into a segment, is adopted and stays so: apply neither
// renames it (Name tag) nor removes its own egress rule, and destroy leaves
// it exactly as it was before the import. Adopting one through
// security_group_id likewise leaves its Name tag alone.
func TestAccSegment_importForeign(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.15.0.0/16")
	id := acctest.CreateSecurityGroup(t, vpcID, "legacy-web", "legacy web tier")
	acctest.TagResource(t, id, "Name", "legacy web (team A)")
	acctest.TagResource(t, id, "cost-center", "1234")
	acctest.AuthorizeIngress(t, id, "tcp", 22, "10.0.0.0/8")
	tagsBefore, rulesBefore := acctest.SecurityGroupTags(t, id), acctest.SecurityGroupRules(t, id)
	hasEgress := false
	for _, r := range rulesBefore {
		hasEgress = hasEgress || r.Egress
	}
	if !hasEgress {
		t.Fatalf("the foreign group has no egress rule to keep: %+v", rulesBefore)
	}
	cfg := acctest.Config(acctest.ProviderBlock(), acctest.Segment("test", "legacy-web", "", acctest.Attr("security_group_id", id)))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckSecurityGroupAsBefore(t, id, tagsBefore, rulesBefore),
		Steps: []resource.TestStep{
			{
				// The import block imports and applies in one run.
				Config: cfg + acctest.Block("import", acctest.Attr("to", acctest.Expr("zerotrust_segment.test")), acctest.Attr("id", id)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("adopted"), knownvalue.Bool(true)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("adopted"), knownvalue.Bool(true)),
					acctest.ExpectSecurityGroupTags("zerotrust_segment.test", map[string]string{"Name": "legacy web (team A)", "cost-center": "1234"}),
					acctest.ExpectSecurityGroupRulesUnchanged(id, rulesBefore),
				},
			},
			{
				// A refresh keeps the adoption the state recorded.
				RefreshState:     true,
				ConfigPlanChecks: resource.ConfigPlanChecks{},
			},
			{
				Config:   cfg,
				PlanOnly: true,
			},
		},
	})
}

func TestAccSegment_badInput(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	cases := map[string]struct {
		body string
		want string
	}{
		"bad name":           {`name = "no spaces allowed"` + "\n" + `vpc_id = "vpc-0123456789abcdef0"`, `(?s)Attribute name.*must be 1.63 characters`},
		"bad sensitivity":    {`name = "a"` + "\n" + `vpc_id = "vpc-0123456789abcdef0"` + "\n" + `sensitivity = "secret"`, `(?s)Attribute sensitivity value must be one of`},
		"neither vpc nor sg": {`name = "a"`, `(?s)Segment placed nowhere.*Set vpc_id`},
		"bad vpc id":         {`name = "a"` + "\n" + `vpc_id = "my-vpc"`, `(?s)Attribute vpc_id must be a VPC id`},
		"reserved tag":       {`name = "a"` + "\n" + `vpc_id = "vpc-0123456789abcdef0"` + "\n" + `tags = { "managed-by" = "me" }`, `(?s)Reserved tag key.*The tag key "managed-by" is reserved`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // plan-only, nothing in the sandbox is read or written
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderBlock() + "resource \"zerotrust_segment\" \"test\" {\n" + tc.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
