package provider_test

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// policyConfig declares payments (restricted) and checkout segments and a
// policy on payments; flows is the policy body.
func policyConfig(vpcID, flows string) string {
	return acctest.Config(acctest.ProviderBlock(),
		acctest.Segment("checkout", "checkout", vpcID),
		acctest.Segment("payments", "payments", vpcID, acctest.Attr("sensitivity", "restricted")),
		acctest.SegmentPolicy("test", "zerotrust_segment.payments", flows))
}

const basicFlows = `
  allow_from {
    cidr_blocks = ["10.1.2.3/8"]
    ports       = ["443"]
  }
  allow_from {
    segment = zerotrust_segment.checkout.id
    ports   = ["8443"]
  }
  allow_to {
    cidr_blocks = ["10.20.0.0/16"]
    ports       = ["5432"]
  }
`

func TestAccSegmentPolicy_basic(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.20.0.0/16")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: policyConfig(vpcID, basicFlows),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupRules("zerotrust_segment.payments",
						"in tcp 443-443 10.0.0.0/8", "in tcp 8443-8443 ${zerotrust_segment.checkout}", "out tcp 5432-5432 10.20.0.0/16"),
					// The other half of the checkout -> payments flow lives on checkout's group.
					acctest.ExpectSecurityGroupRules("zerotrust_segment.checkout", "out tcp 8443-8443 ${zerotrust_segment.payments}"),
				},
			},
			{
				// Nothing changed: the re-plan is empty and the rules are known in it.
				Config: policyConfig(vpcID, basicFlows),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_segment_policy.test", plancheck.ResourceActionNoop),
						plancheck.ExpectKnownValue("zerotrust_segment_policy.test", tfjsonpath.New("rules").AtSliceIndex(1), knownvalue.StringExact("self ingress tcp 443 from 10.0.0.0/8")),
						plancheck.ExpectKnownValue("zerotrust_segment_policy.test", tfjsonpath.New("segment_sensitivity"), knownvalue.StringExact("restricted")),
					},
				},
			},
			{
				ResourceName:            "zerotrust_segment_policy.test",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"allow_from.0.cidr_blocks.0"}, // configured un-canonical on purpose
			},
			{
				// -generate-config-out writes configuration that passes the
				// resource's own validation and plans a no-op import.
				ResourceName:    "zerotrust_segment_policy.test",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				GenerateConfig:  true,
			},
		},
	})
}

// TestAccSegmentPolicy_update shows the compiled rules in the plan before
// apply, and reconciles the difference.
func TestAccSegmentPolicy_update(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.21.0.0/16")
	updated := `
  allow_from {
    cidr_blocks = ["10.0.0.0/8", "2001:db8::/32"]
    ports       = ["443", "444", "8000-8080", "8081"]
    description = "corporate"
  }
  allow_to {
    prefix_list_ids = ["pl-0123456789abcdef0"]
    protocol        = "udp"
    ports           = ["53"]
  }
`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: policyConfig(vpcID, basicFlows),
			},
			{
				Config: policyConfig(vpcID, updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_segment_policy.test", plancheck.ResourceActionUpdate),
						// Adjacent ranges merged (443-444, 8000-8081) and visible before apply.
						plancheck.ExpectKnownValue("zerotrust_segment_policy.test", tfjsonpath.New("rules"), knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact("self egress udp 53 to pl-0123456789abcdef0"),
							knownvalue.StringExact(`self ingress tcp 443-444 from 10.0.0.0/8 "corporate"`),
							knownvalue.StringExact(`self ingress tcp 443-444 from 2001:db8::/32 "corporate"`),
							knownvalue.StringExact(`self ingress tcp 8000-8081 from 10.0.0.0/8 "corporate"`),
							knownvalue.StringExact(`self ingress tcp 8000-8081 from 2001:db8::/32 "corporate"`),
						})),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupRules("zerotrust_segment.payments",
						"in tcp 443-444 10.0.0.0/8", "in tcp 8000-8081 10.0.0.0/8", "in tcp 443-444 2001:db8::/32", "in tcp 8000-8081 2001:db8::/32",
						"out udp 53-53 pl-0123456789abcdef0"),
				},
			},
		},
	})
}

// TestAccSegmentPolicy_drift removes an owned rule and adds a foreign one out
// of band: the plan shows both, and apply restores exactly the declared set.
func TestAccSegmentPolicy_drift(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.22.0.0/16")
	var payments string
	cfg := policyConfig(vpcID, basicFlows)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureGroupID("zerotrust_segment.payments", &payments)},
			},
			{
				PreConfig: func() {
					var victim acctest.SecurityGroupRule
					for _, r := range acctest.SecurityGroupRules(t, payments) {
						if r.FromPort == 443 {
							victim = r
						}
					}
					if err := acctest.RevokeRules(t, payments, victim); err != nil {
						t.Fatal(err)
					}
					acctest.AuthorizeIngress(t, payments, "tcp", 22, "0.0.0.0/0")
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupRules("zerotrust_segment.payments",
						"in tcp 443-443 10.0.0.0/8", "in tcp 8443-8443 ${zerotrust_segment.checkout}", "out tcp 5432-5432 10.20.0.0/16"),
				},
			},
		},
	})
}

// TestAccSegmentPolicy_disappears: every rule of the policy revoked out of band.
func TestAccSegmentPolicy_disappears(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.23.0.0/16")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: policyConfig(vpcID, basicFlows),
				// Every rule revoked out of band after the apply: the next plan writes them again.
				ConfigStateChecks:  []statecheck.StateCheck{acctest.DisappearSecurityGroupRules("zerotrust_segment.payments")},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccSegmentPolicy_badInput(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.24.0.0/16")
	cases := map[string]struct{ flows, want string }{
		"open internet into restricted": {`
  allow_from {
    cidr_blocks = ["0.0.0.0/0"]
    ports       = ["443"]
  }`, `(?s)Open internet into a restricted segment.*cidr_blocks = \["0\.0\.0\.0/0"\]`},
		"upside-down range": {`
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
    ports       = ["9000-8000"]
  }`, `(?s)Port range upside down.*ports       = \["9000-8000"\]`},
		"port out of range": {`
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
    ports       = ["70000"]
  }`, `(?s)Port out of range`},
		"tcp without ports": {`
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
  }`, `(?s)Ports required`},
		"icmp with ports": {`
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
    protocol    = "icmp"
    ports       = ["8"]
  }`, `(?s)Ports not allowed`},
		"bad cidr": {`
  allow_from {
    cidr_blocks = ["10.0.0.300/8"]
    ports       = ["443"]
  }`, `(?s)Invalid CIDR block`},
		"two peers in one block": {`
  allow_from {
    segment     = zerotrust_segment.checkout.id
    cidr_blocks = ["10.0.0.0/8"]
    ports       = ["443"]
  }`, `(?s)Exactly one peer per flow.*2\s+are\s+set\s+\(segment,\s+cidr_blocks\)`},
		"over quota": {`
  max_rules_per_direction = 2
  allow_from {
    cidr_blocks = ["10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"]
    ports       = ["443"]
  }`, `(?s)Security group rule quota exceeded.*3 ingress rules`},
	}
	steps := []resource.TestStep{{Config: policyConfig(vpcID, basicFlows)}}
	names := make([]string, 0, len(cases))
	for name := range cases {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		tc := cases[name]
		steps = append(steps, resource.TestStep{
			Config:      policyConfig(vpcID, tc.flows),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	// Back to the valid configuration: it is unchanged, and the post-test
	// destroy (which validates the configuration first) can run.
	steps = append(steps, resource.TestStep{Config: policyConfig(vpcID, basicFlows), PlanOnly: true})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// TestAccSegmentPolicy_foreignPeer: a flow from a security group that is not
// a zerotrust_segment writes only this segment's half; the foreign group
// gets no rule, and the plan says so.
func TestAccSegmentPolicy_foreignPeer(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.19.0.0/16")
	foreign := acctest.CreateSecurityGroup(t, vpcID, "legacy-app", "made by hand")
	before := acctest.SecurityGroupRules(t, foreign) // its default egress, as AWS creates it
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: policyConfig(vpcID, `
  allow_from {
    segment = "`+foreign+`"
    ports   = ["8443"]
  }
`),
			ConfigStateChecks: []statecheck.StateCheck{
				// Only this segment's half: no line on the foreign group.
				statecheck.ExpectKnownValue("zerotrust_segment_policy.test", tfjsonpath.New("rules"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("self ingress tcp 8443 from " + foreign),
				})),
				acctest.ExpectSecurityGroupRulesUnchanged(foreign, before),
			},
		}},
	})
}

// TestAccSegmentPolicy_segmentIDUpgrade: a policy written when segments
// were known by their group ids (here: referenced through
// security_group_id, the value the old id had) whose configuration comes to
// use the segment ids is updated in place — not replaced — keeping its id,
// and with it the tags on its rules: no EC2 write.
func TestAccSegmentPolicy_segmentIDUpgrade(t *testing.T) {
	acctest.PreCheck(t)
	vpcID := acctest.CreateVPC(t, "10.23.0.0/16")
	ctx := context.Background()
	ctl := acctest.Sandbox.Control()
	byGroupID := acctest.Config(acctest.ProviderBlock(),
		acctest.Segment("checkout", "upgrade-checkout", vpcID),
		acctest.Segment("payments", "upgrade-payments", vpcID, acctest.Attr("sensitivity", "restricted")),
		acctest.Resource("zerotrust_segment_policy", "test",
			acctest.Attr("segment", acctest.Expr("zerotrust_segment.payments.security_group_id")),
			acctest.AllowFrom(acctest.Attr("segment", acctest.Expr("zerotrust_segment.checkout.security_group_id")), acctest.Attr("ports", []string{"8443"})),
			acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{"10.0.0.0/8"}), acctest.Attr("ports", []string{"443"}))))
	bySegmentID := strings.ReplaceAll(byGroupID, ".security_group_id", ".id")
	var policyID string
	// Serial: it counts the sandbox's calls, which are global.
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: byGroupID,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID("zerotrust_segment_policy.test", &policyID),
					statecheck.ExpectKnownValue("zerotrust_segment_policy.test", tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^sg-[0-9a-f]+/default$`))),
				},
			},
			{
				PreConfig: func() {
					if err := ctl.ResetCounters(ctx); err != nil {
						t.Fatal(err)
					}
				},
				Config: bySegmentID,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_segment_policy.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue("zerotrust_segment_policy.test", tfjsonpath.New("rules"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("self ingress tcp 443 from 10.0.0.0/8"),
						knownvalue.StringExact("self ingress tcp 8443 from sg/" + vpcID + "/upgrade-checkout"),
						knownvalue.StringExact("sg/" + vpcID + "/upgrade-checkout egress tcp 8443 to self"),
					})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_segment_policy.test", tfjsonpath.New("id"), acctest.KnownString(&policyID)),
					acctest.ExpectSecurityGroupRules("zerotrust_segment.payments", "in tcp 443-443 10.0.0.0/8", "in tcp 8443-8443 ${zerotrust_segment.checkout}"),
					acctest.ExpectSandboxCalls(map[string]int64{
						"ec2:AuthorizeSecurityGroupIngress": 0, "ec2:AuthorizeSecurityGroupEgress": 0,
						"ec2:RevokeSecurityGroupIngress": 0, "ec2:RevokeSecurityGroupEgress": 0,
					}),
				},
			},
			{
				// Another segment is another policy: replaced.
				Config: strings.NewReplacer("zerotrust_segment.payments.id", "zerotrust_segment.checkout.id",
					"zerotrust_segment.checkout.id", "zerotrust_segment.payments.id").Replace(bySegmentID),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_segment_policy.test", plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}
