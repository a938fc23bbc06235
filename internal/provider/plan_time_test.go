package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// The plan is the contract: a check that needs no cloud-assigned value runs
// at plan even when the objects it refers to are created in the same apply.
// Each test applies (not only plans) a configuration whose referenced objects
// do not exist yet; the error must come from the plan, so nothing is created.

// TestAccPlanTime_surfaceFloorWithGroupCreatedInSameApply: a restricted
// surface's rule without a device requirement is refused at plan although its
// access group (and so the group id) is created by the same apply.
func TestAccPlanTime_surfaceFloorWithGroupCreatedInSameApply(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.Config(acctest.ProviderBlock(),
				vaProxy("corp", acctest.RandomName("plan-time")),
				acctest.AccessGroup("payments", acctest.RandomName("plan-time-payments"))) + `

resource "zerotrust_protect_surface" "payments" {
  name                = "plan-time-payments"
  sensitivity         = "restricted"
  proxy_id            = zerotrust_access_proxy.corp.id
  proxy_trust_context = zerotrust_access_proxy.corp.trust_context
  access_rule {
    name        = "engineers"
    groups      = [zerotrust_access_group.payments.id]
    require_mfa = true
    methods     = ["GET"]
  }
}
`,
			ExpectError: regexp.MustCompile(`(?s)Below the restricted floor.*require\s+a\s+strong\s+device\s+posture.*access_rule\[0\]\.device`),
		}},
	})
}

// TestAccPlanTime_openInternetIntoSegmentCreatedInSameApply: the internet,
// spelled as two halves, into a restricted segment created by the same apply
// is refused at plan when the policy declares the segment's sensitivity.
func TestAccPlanTime_openInternetIntoSegmentCreatedInSameApply(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.Config(acctest.ProviderBlock(), acctest.Segment("vault", "plan-time-vault", "vpc-0123456789abcdef0", acctest.Attr("sensitivity", "restricted"))) + `
resource "zerotrust_segment_policy" "vault_in" {
  segment             = zerotrust_segment.vault.id
  segment_sensitivity = zerotrust_segment.vault.sensitivity
  allow_from {
    cidr_blocks = ["0.0.0.0/1", "128.0.0.0/1"]
    ports       = ["443"]
  }
}
`,
			ExpectError: regexp.MustCompile(`(?s)Open internet into a restricted segment.*cidr_blocks = \["0\.0\.0\.0/1", "128\.0\.0\.0/1"\].*0\.0\.0\.0/1 opens segment`),
		}},
	})
}

// TestPlanTime_typedAttributes: CIDR blocks, timestamps and durations are
// typed, so each known value is checked where it is written, whatever else
// is unknown — here a list that mixes a malformed CIDR with a value known
// only after apply, on a segment that does not exist yet.
func TestPlanTime_typedAttributes(t *testing.T) {
	segment := acctest.Segment("web", "typed-web", "vpc-0123456789abcdef0")
	cases := map[string]struct{ config, want string }{
		"cidr beside an unknown element": {segment + `
resource "zerotrust_segment_policy" "web_in" {
  segment = zerotrust_segment.web.id
  allow_from {
    cidr_blocks = [zerotrust_segment.web.arn, "10.0.0.300/8"]
    ports       = ["443"]
  }
}
`, `(?s)Invalid CIDR block.*cidr_blocks = \[zerotrust_segment\.web\.arn, "10\.0\.0\.300/8"\].*"10\.0\.0\.300/8" is not a CIDR block`},
		"client cidr": {`
resource "zerotrust_protect_surface" "app" {
  name     = "typed"
  proxy_id = "vai-0123456789abcdef0"
  access_rule {
    name         = "r"
    groups       = [zerotrust_segment.web.id]
    client_cidrs = ["10.0.0.0/33"]
  }
}
` + segment, `(?s)Invalid CIDR block.*client_cidrs = \["10\.0\.0\.0/33"\].*"10\.0\.0\.0/33" is not a CIDR block`},
		"timestamp": {segment + `
resource "zerotrust_privileged_access" "oncall" {
  name       = "typed"
  group      = zerotrust_segment.web.id
  expires_at = "next tuesday"
}
`, `(?s)Invalid timestamp.*expires_at.*not an RFC 3339 time`},
		"duration": {segment + `
resource "zerotrust_privileged_access" "oncall" {
  name             = "typed"
  group            = zerotrust_segment.web.id
  session_duration = "1h"
}
`, `(?s)Invalid session duration.*session_duration.*not an ISO-8601 duration`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // plan-only, nothing in the sandbox is read or written
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderBlock() + tc.config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccPlanTime_rulesKnownForSegmentCreatedInSameApply: on the first plan
// of a segment and its policy, the compiled rules are in the plan — ports,
// protocols, CIDRs and the existing peer, the new group written self — and
// apply writes exactly those rules.
func TestAccPlanTime_rulesKnownForSegmentCreatedInSameApply(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.31.0.0/16")
	peer := acctest.Config(acctest.ProviderBlock(), acctest.Segment("db", "plan-time-db", vpcID))
	withWeb := acctest.Config(peer, acctest.Segment("web", "plan-time-web", vpcID, acctest.Attr("sensitivity", "confidential"))) + `

resource "zerotrust_segment_policy" "web" {
  segment             = zerotrust_segment.web.id
  segment_sensitivity = zerotrust_segment.web.sensitivity
  allow_from {
    cidr_blocks = ["10.1.2.3/8"]
    ports       = ["443", "8000-8080"]
    description = "internal clients"
  }
  allow_to {
    segment = zerotrust_segment.db.id
    ports   = ["5432"]
  }
}
`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: peer},
			{
				Config: withWeb,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_segment.web", plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue("zerotrust_segment.web", tfjsonpath.New("id"), knownvalue.StringExact("sg/"+vpcID+"/plan-time-web")),
					// Every line is known: the new group is written self, the
					// peer by the segment id the configuration names it with.
					plancheck.ExpectKnownValue("zerotrust_segment_policy.web", tfjsonpath.New("rules"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringRegexp(regexp.MustCompile(`^self egress tcp 5432 to sg/` + vpcID + `/plan-time-db( "[^"]*")?$`)),
						knownvalue.StringExact(`self ingress tcp 443 from 10.0.0.0/8 "internal clients"`),
						knownvalue.StringExact(`self ingress tcp 8000-8080 from 10.0.0.0/8 "internal clients"`),
						// The peer's half: on the existing db group, from the new one.
						knownvalue.StringRegexp(regexp.MustCompile(`^sg/` + vpcID + `/plan-time-db ingress tcp 5432 from self( "[^"]*")?$`)),
					})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupRules("zerotrust_segment.web",
						"in tcp 443-443 10.0.0.0/8", "in tcp 8000-8080 10.0.0.0/8", "out tcp 5432-5432 ${zerotrust_segment.db}"),
					acctest.ExpectSecurityGroupRules("zerotrust_segment.db", "in tcp 5432-5432 ${zerotrust_segment.web}"),
				},
			},
		},
	})
}

// TestAccPlanTime_missingPeerForSegmentCreatedInSameApply: a peer id that
// names no security group is an error at plan, naming the flow, although the
// governed segment does not exist yet; nothing is created.
func TestAccPlanTime_missingPeerForSegmentCreatedInSameApply(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.Config(acctest.ProviderBlock(), acctest.Segment("web", "plan-time-missing-peer", "vpc-0123456789abcdef0")) + `
resource "zerotrust_segment_policy" "web" {
  segment = zerotrust_segment.web.id
  allow_to {
    segment = "sg-0badc0ffee0000000"
    ports   = ["5432"]
  }
}
`,
			ExpectError: regexp.MustCompile(`(?s)Peer segment not found.*segment = "sg-0badc0ffee0000000"`),
		}},
	})
}

// TestAccPlanTime_statementsKnownForGroupsCreatedInSameApply: with the proxy
// and the group created by the same apply, policy_document is unknown, but
// policy_statements shows every condition that names neither: only the group
// condition is unknown. Apply then writes exactly those conditions.
func TestAccPlanTime_statementsKnownForGroupsCreatedInSameApply(t *testing.T) {
	cond := func(i int) tfjsonpath.Path {
		return tfjsonpath.New("policy_statements").AtSliceIndex(0).AtMapKey("conditions").AtSliceIndex(i)
	}
	const surface = "zerotrust_protect_surface.orders"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.Config(acctest.ProviderBlock(),
				acctest.AccessProxy("corp", acctest.RandomName("plan-time-statements"), acctest.IdentityCenterIdP),
				acctest.AccessGroup("orders", acctest.RandomName("plan-time-orders"))) + `

resource "zerotrust_protect_surface" "orders" {
  name                = "plan-time-orders"
  sensitivity         = "internal"
  proxy_id            = zerotrust_access_proxy.corp.id
  proxy_trust_context = zerotrust_access_proxy.corp.trust_context
  access_rule {
    name          = "clerks"
    groups        = [zerotrust_access_group.orders.id]
    methods       = ["GET"]
    path_prefixes = ["/orders"]
    require_mfa   = true
  }
}
`,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(surface, tfjsonpath.New("policy_document")),
				plancheck.ExpectKnownValue(surface, tfjsonpath.New("policy_statements").AtSliceIndex(0).AtMapKey("id"), knownvalue.StringExact("clerks")),
				plancheck.ExpectKnownValue(surface, tfjsonpath.New("policy_statements").AtSliceIndex(0).AtMapKey("effect"), knownvalue.StringExact("permit")),
				plancheck.ExpectKnownValue(surface, cond(0), knownvalue.StringExact(`context.http_request.http_method == "GET"`)),
				plancheck.ExpectKnownValue(surface, cond(1), knownvalue.StringRegexp(regexp.MustCompile(`^\(context\.http_request\.path == "/orders" \|\| .*\) && !\(context\.http_request\.path like "\." \|\| `))),
				plancheck.ExpectUnknownValue(surface, cond(2)),
				plancheck.ExpectKnownValue(surface, cond(3), knownvalue.StringExact("context has idc")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(surface, cond(2), knownvalue.StringRegexp(regexp.MustCompile(`^context has idc && context\.idc has groups && context\.idc\.groups has "[0-9a-f-]+"$`))),
				statecheck.ExpectKnownValue(surface, tfjsonpath.New("policy_statements").AtSliceIndex(0).AtMapKey("conditions"), knownvalue.ListSizeExact(4)),
			},
		}},
	})
}

// TestAccPlanTime_destroyNotBlockedByFloors: a segment raised to restricted
// while its policy admits the internet is refused at plan — and destroy,
// with that very configuration, still succeeds: floors judge what would be
// written, and destroy writes nothing.
func TestAccPlanTime_destroyNotBlockedByFloors(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.36.0.0/16")
	config := func(sensitivity string) string {
		return acctest.Config(acctest.ProviderBlock(), acctest.Segment("web", "floors-web", vpcID, acctest.Attr("sensitivity", sensitivity))) + `
resource "zerotrust_segment_policy" "web_in" {
  segment             = zerotrust_segment.web.id
  segment_sensitivity = zerotrust_segment.web.sensitivity
  allow_from {
    cidr_blocks = ["0.0.0.0/0"]
    ports       = ["443"]
  }
}
`
	}
	var groupID string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		// The post-test destroy runs with the last (refused) configuration.
		CheckDestroy: acctest.CheckSecurityGroupsGone(t, &groupID),
		Steps: []resource.TestStep{
			{Config: config("public"), ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureGroupID("zerotrust_segment.web", &groupID)}},
			{
				Config:      config("restricted"),
				ExpectError: regexp.MustCompile(`(?s)Raising the sensitivity leaves the internet in|Open internet into a restricted segment`),
			},
		},
	})
}

// TestAccPlanTime_raisingSensitivityWithInternetIn: a segment whose policy
// (declaring no sensitivity) admits the internet cannot be raised to
// restricted — refused at plan, so it never applies and stays open. Once the
// policy acknowledges the flow (recorded on the rule), the raise applies.
func TestAccPlanTime_raisingSensitivityWithInternetIn(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.38.0.0/16")
	config := func(sensitivity, ack string) string {
		return acctest.Config(acctest.ProviderBlock(), acctest.Segment("web", "raise-web", vpcID, acctest.Attr("sensitivity", sensitivity))) + fmt.Sprintf(`
resource "zerotrust_segment_policy" "web_in" {
  segment = zerotrust_segment.web.id
  allow_from {
    cidr_blocks = ["0.0.0.0/1", "128.0.0.0/1"]
    ports       = ["443"]
    %s
  }
}
`, ack)
	}
	ack := `acknowledgement = "public storefront, reviewed by security"`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("public", "")},
			{
				Config:      config("restricted", ""),
				ExpectError: regexp.MustCompile(`(?s)Raising the sensitivity leaves the internet in.*from (0\.0\.0\.0|128\.0\.0\.0)/1.*from (0\.0\.0\.0|128\.0\.0\.0)/1`),
			},
			{Config: config("public", ack)},
			{
				// The policy now declares the sensitivity, so it is judged
				// against the raised one in the same plan (its acknowledged
				// flow accepted) and records it.
				Config: strings.Replace(config("restricted", ack), "  segment = zerotrust_segment.web.id\n",
					"  segment = zerotrust_segment.web.id\n  segment_sensitivity = zerotrust_segment.web.sensitivity\n", 1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_segment.web", tfjsonpath.New("sensitivity"), knownvalue.StringExact("restricted")),
					statecheck.ExpectKnownValue("zerotrust_segment_policy.web_in", tfjsonpath.New("segment_sensitivity"), knownvalue.StringExact("restricted")),
				},
			},
		},
	})
}

// TestAccPlanTime_peerInUnpeeredVPC: a flow between segments of two VPCs
// that no active peering joins is refused at plan — on the first apply,
// for segments created in it — naming the flow; nothing is created. Once
// the VPCs are peered, the same configuration applies.
func TestAccPlanTime_peerInUnpeeredVPC(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	shop := acctest.CreateVPC(t, "10.45.0.0/16")
	ledger := acctest.CreateVPC(t, "10.46.0.0/16")
	config := acctest.Config(acctest.ProviderBlock(),
		acctest.Segment("api", "peering-api", shop),
		acctest.Segment("ledger", "peering-ledger", ledger, acctest.Attr("sensitivity", "restricted")),
		acctest.SegmentPolicy("ledger_in", "zerotrust_segment.ledger",
			acctest.AllowFrom(acctest.Attr("segment", acctest.Ref("zerotrust_segment.api")), acctest.Attr("ports", []string{"8443"}))))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Peer segment in an unpeered VPC.*segment = zerotrust_segment\.api\.id.*"peering-api" is in ` + shop + ` and segment\s+"peering-ledger" in\s+` + ledger),
			},
			{
				// The refused plan created nothing.
				PreConfig: func() {
					for vpc, name := range map[string]string{shop: "peering-api", ledger: "peering-ledger"} {
						if left := acctest.SecurityGroupsNamed(t, vpc, name); len(left) != 0 {
							t.Fatalf("groups created by a refused plan in %s: %v", vpc, left)
						}
					}
					acctest.PeerVPCs(t, shop, ledger)
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupRules("zerotrust_segment.ledger", "in tcp 8443-8443 ${zerotrust_segment.api}"),
				},
			},
		},
	})
}

// TestAccPlanTime_sensitivityChangedInSameApply: a policy that does not
// declare segment_sensitivity takes, at plan, the sensitivity its segment is
// planned to have: raised in the same apply, the segment's new sensitivity
// refuses a flow from the internet added with it (the live segment is still
// public, and its live rules admit no internet), and is the policy's planned
// segment_sensitivity.
func TestAccPlanTime_sensitivityChangedInSameApply(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.39.0.0/16")
	config := func(sensitivity string, cidrs ...string) string {
		return acctest.Config(acctest.ProviderBlock(),
			acctest.Segment("web", "changed-web", vpcID, acctest.Attr("sensitivity", sensitivity)),
			acctest.SegmentPolicy("web_in", "zerotrust_segment.web",
				acctest.AllowFrom(acctest.Attr("cidr_blocks", cidrs), acctest.Attr("ports", []string{"443"}))))
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("public", "10.0.0.0/8")},
			{
				Config:      config("confidential", "10.0.0.0/8", "0.0.0.0/0"),
				ExpectError: regexp.MustCompile(`(?s)Open internet into a confidential segment.*cidr_blocks`),
			},
			{
				Config: config("confidential", "10.0.0.0/8"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_segment.web", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue("zerotrust_segment_policy.web_in", tfjsonpath.New("segment_sensitivity"), knownvalue.StringExact("confidential")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_segment_policy.web_in", tfjsonpath.New("segment_sensitivity"), knownvalue.StringExact("confidential")),
				},
			},
		},
	})
}

// TestAccPlanTime_segmentOfAnotherStateReadAtPlan: a policy over a segment
// that its configuration does not declare (here: removed from this state
// with destroy = false) names it by id; the plan reads the segment's
// sensitivity from its security group's tags, so the internet into it is
// refused at plan and the policy's sensitivity and rules are in the plan.
func TestAccPlanTime_segmentOfAnotherStateReadAtPlan(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.48.0.0/16")
	var groupID string
	t.Cleanup(func() {
		if groupID != "" {
			_ = acctest.DeleteSecurityGroup(t, groupID)
		}
	})
	segmentID := "sg/" + vpcID + "/other-state-vault"
	policy := func(cidr string) string {
		return acctest.Config(acctest.ProviderBlock(), acctest.RemovedKeepingObjects("zerotrust_segment.vault"), acctest.Resource("zerotrust_segment_policy", "vault_in", acctest.Attr("segment", segmentID),
			acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{cidr}), acctest.Attr("ports", []string{"443"}))))
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            acctest.Config(acctest.ProviderBlock(), acctest.Segment("vault", "other-state-vault", vpcID, acctest.Attr("sensitivity", "restricted"))),
				ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureGroupID("zerotrust_segment.vault", &groupID)},
			},
			{
				Config:      policy("0.0.0.0/0"),
				ExpectError: regexp.MustCompile(`(?s)Open internet into a restricted segment.*cidr_blocks`),
			},
			{
				Config: policy("10.0.0.0/8"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("zerotrust_segment_policy.vault_in", tfjsonpath.New("segment_sensitivity"), knownvalue.StringExact("restricted")),
					plancheck.ExpectKnownValue("zerotrust_segment_policy.vault_in", tfjsonpath.New("rules"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("self ingress tcp 443 from 10.0.0.0/8"),
					})),
				}},
			},
		},
	})
}
