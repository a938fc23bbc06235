package provider_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// The first plan of a posture is decided with no cloud reachable: every AWS
// endpoint of these tests is a closed port. Segment ids derive from the
// configuration, so policies and sets over segments created in the same
// apply are checked and compiled in that plan.

const firstPlanVPC = "vpc-0123456789abcdef0"

// applyFailsWithNoCloud is what the apply of a first plan under
// ProviderBlockNoCloud ends in: its first AWS call, which nothing answers.
var applyFailsWithNoCloud = regexp.MustCompile(`(?s)Creating the segment's security group failed`)

// firstPlanThenNoCloud plans config under ProviderBlockNoCloud, runs the
// plan checks, and expects the apply to fail at its first AWS call.
func firstPlanThenNoCloud(t *testing.T, config string, checks ...plancheck.PlanCheck) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:           config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: checks},
			ExpectError:      applyFailsWithNoCloud,
		}},
	})
}

// TestFirstPlan_segmentsAndPolicyWithNoCloud: two new segments and a
// policy between them: every id and every rule line known in the plan,
// which needed no AWS call. The apply then fails at its first call, since
// nothing answers.
func TestFirstPlan_segmentsAndPolicyWithNoCloud(t *testing.T) {
	web, db := "sg/"+firstPlanVPC+"/first-web", "sg/"+firstPlanVPC+"/first-db"
	config := acctest.Config(acctest.ProviderBlockNoCloud(),
		acctest.Segment("web", "first-web", firstPlanVPC, acctest.Attr("sensitivity", "confidential")),
		acctest.Segment("db", "first-db", firstPlanVPC, acctest.Attr("sensitivity", "restricted")),
		acctest.SegmentPolicy("db_in", "zerotrust_segment.db",
			acctest.AllowFrom(acctest.Attr("segment", acctest.Ref("zerotrust_segment.web")), acctest.Attr("ports", []string{"5432"})),
			acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{"10.20.0.0/16"}), acctest.Attr("ports", []string{"22"}))),
	)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue("zerotrust_segment.web", tfjsonpath.New("id"), knownvalue.StringExact(web)),
				plancheck.ExpectKnownValue("zerotrust_segment.db", tfjsonpath.New("id"), knownvalue.StringExact(db)),
				plancheck.ExpectUnknownValue("zerotrust_segment.db", tfjsonpath.New("security_group_id")),
				plancheck.ExpectKnownValue("zerotrust_segment_policy.db_in", tfjsonpath.New("id"), knownvalue.StringExact(db+"/default")),
				plancheck.ExpectKnownValue("zerotrust_segment_policy.db_in", tfjsonpath.New("segment_sensitivity"), knownvalue.StringExact("restricted")),
				plancheck.ExpectKnownValue("zerotrust_segment_policy.db_in", tfjsonpath.New("rules"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("self ingress tcp 22 from 10.20.0.0/16"),
					knownvalue.StringExact("self ingress tcp 5432 from " + web),
					knownvalue.StringExact(web + " egress tcp 5432 to self"),
				})),
				plancheck.ExpectKnownValue("zerotrust_segment_policy.db_in", tfjsonpath.New("kubernetes_manifests"), knownvalue.MapExact(map[string]knownvalue.Check{})),
			}},
			ExpectError: regexp.MustCompile(`(?s)Creating the segment's security group failed.*(connection refused|connect:)`),
		}},
	})
}

// TestFirstPlan_openInternetIntoNewRestrictedSegment: the open internet,
// in any spelling, into a restricted segment created by the same apply fails
// the plan — with no cloud reachable, and without the policy repeating the
// segment's sensitivity.
func TestFirstPlan_openInternetIntoNewRestrictedSegment(t *testing.T) {
	spellings := map[string][]string{
		"whole":         {"0.0.0.0/0"},
		"halves":        {"0.0.0.0/1", "128.0.0.0/1"},
		"ipv6":          {"::/0"},
		"ipv4-mapped":   {"::ffff:0.0.0.0/96"},
		"many pieces":   {"0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/3"},
		"over a set":    nil, // the same, declared in a policy set
		"peer and cidr": {"0.0.0.0/0", "10.0.0.0/8"},
	}
	for name, cidrs := range spellings {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			vault := acctest.Segment("vault", "first-vault", firstPlanVPC, acctest.Attr("sensitivity", "restricted"))
			flows := acctest.AllowFrom(acctest.Attr("cidr_blocks", cidrs), acctest.Attr("ports", []string{"443"}))
			config := acctest.Config(acctest.ProviderBlockNoCloud(), vault, acctest.SegmentPolicy("vault_in", "zerotrust_segment.vault", flows))
			if cidrs == nil {
				flows = acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{"0.0.0.0/1", "128.0.0.0/1"}), acctest.Attr("ports", []string{"443"}))
				config = acctest.Config(acctest.ProviderBlockNoCloud(), vault, acctest.Resource("zerotrust_segment_policy_set", "all",
					acctest.Attr("name", "first-all"),
					acctest.Block("policy", acctest.Attr("segment", acctest.Ref("zerotrust_segment.vault")), flows)))
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)Open internet into a restricted segment.*cidr_blocks.*opens segment "first-vault"`),
				}},
			})
		})
	}
}

// TestFirstPlan_duplicateFlowsOverNewSegments: one flow declared twice —
// by two policies, or twice inside a set — over segments created in the
// same apply is refused at plan, with no cloud reachable.
func TestFirstPlan_duplicateFlowsOverNewSegments(t *testing.T) {
	segments := acctest.Segment("app", "first-app", firstPlanVPC) + acctest.Segment("db", "first-dup-db", firstPlanVPC)
	fromApp := acctest.AllowFrom(acctest.Attr("segment", acctest.Ref("zerotrust_segment.app")), acctest.Attr("ports", []string{"5432"}))
	toDB := acctest.AllowTo(acctest.Attr("segment", acctest.Ref("zerotrust_segment.db")), acctest.Attr("ports", []string{"5432"}))
	cases := map[string]struct{ config, want string }{
		"two policies": {
			acctest.SegmentPolicy("db_in", "zerotrust_segment.db", fromApp) + acctest.SegmentPolicy("app_out", "zerotrust_segment.app", toDB),
			`(?s)Flow declared by two policies.*tcp 5432.*also\s+planned\s+by\s+policy\s+sg/` + firstPlanVPC + `/first-(app|dup-db)/default`,
		},
		"inside a set": {
			acctest.Resource("zerotrust_segment_policy_set", "shop", acctest.Attr("name", "first-shop"),
				acctest.Block("policy", acctest.Attr("segment", acctest.Ref("zerotrust_segment.db")), fromApp),
				acctest.Block("policy", acctest.Attr("segment", acctest.Ref("zerotrust_segment.app")), toDB)),
			`(?s)Flow declared twice in the set.*tcp 5432.*also\s+compiled\s+from\s+policy\[0\]`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.Config(acctest.ProviderBlockNoCloud(), segments, tc.config),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestFirstPlan_kubernetesManifestsOfNewSegments: segments with a security
// group and a Kubernetes placement, created in the same apply: the policy
// between them shows its NetworkPolicies in the first plan, compiled from the
// planned placement (no AWS and no cluster reachable).
func TestFirstPlan_kubernetesManifestsOfNewSegments(t *testing.T) {
	placed := func(label, name, app string) string {
		return acctest.Segment(label, name, firstPlanVPC,
			acctest.Block("kubernetes", acctest.Attr("namespace", "shop"), acctest.Attr("pod_labels", map[string]string{"app": app})))
	}
	config := acctest.Config(acctest.ProviderBlockNoCloud(), placed("api", "first-api", "api"), placed("ledger", "first-ledger", "ledger"),
		acctest.SegmentPolicy("ledger_in", "zerotrust_segment.ledger",
			acctest.AllowFrom(acctest.Attr("segment", acctest.Ref("zerotrust_segment.api")), acctest.Attr("ports", []string{"8443"}))))
	firstPlanThenNoCloud(t, config,
		// The namespace's shared default-deny, DNS egress for each
		// segment's pods, ledger's ingress from api and api's egress
		// to ledger.
		plancheck.ExpectKnownValue("zerotrust_segment_policy.ledger_in", tfjsonpath.New("kubernetes_manifests"), knownvalue.MapSizeExact(5)),
		plancheck.ExpectKnownValue("zerotrust_segment_policy.ledger_in", tfjsonpath.New("rules"), knownvalue.ListSizeExact(2)),
	)
}

// TestFirstPlan_policyDocumentOverNewGroup: a zerotrust_policy_document
// whose rules name a group created in the same apply is read at apply (its
// input is unknown until then), but what is written in the configuration is
// decided in the plan: a group written by display name where an Identity
// Center id is needed, and a rule below the restricted floor. (A display
// name taken from a reference is as unknown as the id while Terraform
// validates: that case is read, and refused, at apply.)
func TestFirstPlan_policyDocumentOverNewGroup(t *testing.T) {
	document := func(sensitivity, rule string) string {
		return acctest.Config(acctest.ProviderBlockNoCloud(),
			acctest.Resource("zerotrust_access_group", "ops", acctest.Attr("display_name", "first-ops")),
			acctest.Block(`data "zerotrust_policy_document" "doc"`,
				acctest.Attr("sensitivity", sensitivity),
				acctest.Attr("identity_provider", acctest.Expr(`{ type = "iam-identity-center", reference = "idc", mfa_enforced = true }`)),
				acctest.Attr("device_trust_provider", acctest.Expr(`[{ type = "jamf", reference = "jamf" }]`)),
				acctest.Block("access_rule", acctest.Attr("name", "ops"), acctest.Attr("groups", acctest.Expr("[zerotrust_access_group.ops.id]")),
					acctest.Attr("require_mfa", true), acctest.Attr("device", acctest.Expr(`{ jamf = { max_risk = "LOW" } }`))),
				rule))
	}
	cases := map[string]struct{ config, want string }{
		"group by display name": {
			document("internal", acctest.Block("access_rule", acctest.Attr("name", "by-name"), acctest.Attr("groups", []string{"first-ops"}))),
			`(?s)Invalid Identity Center group id.*"first-ops" is not an Identity Center group id`,
		},
		"rule below the floor": {
			document("restricted", acctest.Block("access_rule", acctest.Attr("name", "weak"), acctest.Attr("groups", acctest.Expr("[zerotrust_access_group.ops.id]")), acctest.Attr("require_mfa", true))),
			`(?s)Below the restricted floor.*weak`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tc.config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestFirstPlan_labelKnownOnlyAtApply: a segment whose pod label takes a
// value known only after apply (here another new group's id) is planned
// without a placement to compile against: the policy over it shows its
// manifests as unknown — not manifests for a selector missing that label —
// and nothing fails at plan.
func TestFirstPlan_labelKnownOnlyAtApply(t *testing.T) {
	config := acctest.Config(acctest.ProviderBlockNoCloud(),
		acctest.Segment("other", "first-other", firstPlanVPC),
		acctest.Segment("placed", "first-placed", firstPlanVPC, acctest.Block("kubernetes", acctest.Attr("namespace", "shop"),
			acctest.Attr("pod_labels", acctest.Expr(`{ app = "ledger", owner = zerotrust_segment.other.security_group_id }`)))),
		acctest.SegmentPolicy("placed_in", "zerotrust_segment.placed",
			acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{"10.0.0.0/8"}), acctest.Attr("ports", []string{"443"}))))
	firstPlanThenNoCloud(t, config,
		plancheck.ExpectKnownValue("zerotrust_segment.placed", tfjsonpath.New("id"), knownvalue.StringExact("sg/"+firstPlanVPC+"/first-placed")),
		plancheck.ExpectUnknownValue("zerotrust_segment_policy.placed_in", tfjsonpath.New("kubernetes_manifests")),
	)
}

// TestFirstPlan_policySetOverNewSegments: a segment policy set over segments
// created in the same apply shows its compiled rules — both halves of each
// flow, every segment by its planned id — in the first plan, with no cloud
// reachable.
func TestFirstPlan_policySetOverNewSegments(t *testing.T) {
	api, ledger := "sg/"+firstPlanVPC+"/first-set-api", "sg/"+firstPlanVPC+"/first-set-ledger"
	config := acctest.Config(acctest.ProviderBlockNoCloud(),
		acctest.Segment("api", "first-set-api", firstPlanVPC),
		acctest.Segment("ledger", "first-set-ledger", firstPlanVPC, acctest.Attr("sensitivity", "restricted")),
		acctest.Resource("zerotrust_segment_policy_set", "shop", acctest.Attr("name", "first-set"),
			acctest.Block("policy", acctest.Attr("segment", acctest.Ref("zerotrust_segment.ledger")),
				acctest.AllowFrom(acctest.Attr("segment", acctest.Ref("zerotrust_segment.api")), acctest.Attr("ports", []string{"8443"}))),
			acctest.Block("policy", acctest.Attr("segment", acctest.Ref("zerotrust_segment.api")),
				acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{"10.20.0.0/16"}), acctest.Attr("ports", []string{"443"})))))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue("zerotrust_segment_policy_set.shop", tfjsonpath.New("rules"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact(api + " egress tcp 8443 to " + ledger),
					knownvalue.StringExact(api + " ingress tcp 443 from 10.20.0.0/16"),
					knownvalue.StringExact(ledger + " ingress tcp 8443 from " + api),
				})),
			}},
			ExpectError: regexp.MustCompile(`(?s)Creating the segment's security group failed.*(connection refused|connect:)`),
		}},
	})
}

// TestFirstPlan_quotaOverNewSegment: a policy whose rules exceed
// max_rules_per_direction on a segment created in the same apply fails the
// plan at that attribute, with no cloud reachable.
func TestFirstPlan_quotaOverNewSegment(t *testing.T) {
	config := acctest.Config(acctest.ProviderBlockNoCloud(),
		acctest.Segment("mon", "first-quota", firstPlanVPC),
		acctest.SegmentPolicy("mon_in", "zerotrust_segment.mon", acctest.Attr("max_rules_per_direction", 1),
			acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{"10.1.0.0/16", "10.2.0.0/16"}), acctest.Attr("ports", []string{"9100"}))))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Security group rule quota exceeded.*max_rules_per_direction\s+=\s+1.*compile to 2 ingress rules.*first-quota`),
		}},
	})
}

// TestFirstPlan_kubernetesOnlyRefusals: what a Kubernetes-only segment
// created in the same apply cannot enforce — a flow with a segment that has
// no kubernetes block, ICMP, an AWS prefix list — fails the first plan, with
// neither AWS nor a cluster reachable.
func TestFirstPlan_kubernetesOnlyRefusals(t *testing.T) {
	provider := strings.Replace(acctest.ProviderBlockNoCloud(), "provider \"zerotrust\" {\n",
		"provider \"zerotrust\" {\n"+acctest.Block("kubernetes", acctest.Attr("host", acctest.ClosedEndpoint)), 1)
	pods := acctest.Segment("pods", "first-pods", "", acctest.Block("kubernetes", acctest.Attr("namespace", "shop"), acctest.Attr("pod_labels", map[string]string{"app": "pods"})))
	cases := map[string]struct{ config, want string }{
		"flow with a segment outside Kubernetes": {
			acctest.Segment("vms", "first-vms", firstPlanVPC) +
				acctest.SegmentPolicy("vms_in", "zerotrust_segment.vms",
					acctest.AllowFrom(acctest.Attr("segment", acctest.Ref("zerotrust_segment.pods")), acctest.Attr("ports", []string{"9100"}))),
			`(?s)Flow enforceable nowhere.*segment = zerotrust_segment\.pods\.id.*"first-pods" lives only in Kubernetes`,
		},
		"icmp": {
			acctest.SegmentPolicy("pods_in", "zerotrust_segment.pods",
				acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{"10.0.0.0/8"}), acctest.Attr("protocol", "icmp"))),
			`(?s)ICMP not representable in Kubernetes`,
		},
		"prefix list": {
			acctest.SegmentPolicy("pods_in", "zerotrust_segment.pods",
				acctest.AllowFrom(acctest.Attr("prefix_list_ids", []string{"pl-0123456789abcdef0"}), acctest.Attr("ports", []string{"443"}))),
			`(?s)Prefix list not representable in Kubernetes`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.Config(provider, pods, tc.config),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestFirstPlan_segmentIDUnknownOnlyWithItsVPC: a segment id is unknown only
// while what it derives from is — here a vpc_id known only after apply —
// and a segment beside it, in a written VPC, keeps its id known.
func TestFirstPlan_segmentIDUnknownOnlyWithItsVPC(t *testing.T) {
	config := acctest.Config(acctest.ProviderBlockNoCloud(),
		acctest.Segment("known", "first-known", firstPlanVPC),
		acctest.Resource("zerotrust_segment", "later", acctest.Attr("name", "first-later"), acctest.Attr("vpc_id", acctest.Expr("zerotrust_segment.known.security_group_id"))))
	firstPlanThenNoCloud(t, config,
		plancheck.ExpectKnownValue("zerotrust_segment.known", tfjsonpath.New("id"), knownvalue.StringExact("sg/"+firstPlanVPC+"/first-known")),
		plancheck.ExpectUnknownValue("zerotrust_segment.later", tfjsonpath.New("id")),
	)
}

// TestFirstPlan_dnsIsTheSegments: DNS egress is a property of the segment,
// decided in the first plan: a segment with allow_dns = false gets no DNS
// policy while its peer keeps its own; a policy's (deprecated) allow_dns
// that disagrees with a segment it places is refused at plan.
func TestFirstPlan_dnsIsTheSegments(t *testing.T) {
	placed := func(label, name, app string, lines ...string) string {
		return acctest.Segment(label, name, firstPlanVPC,
			acctest.Block("kubernetes", append([]string{acctest.Attr("namespace", "shop"), acctest.Attr("pod_labels", map[string]string{"app": app})}, lines...)...))
	}
	policy := func(lines ...string) string {
		return acctest.SegmentPolicy("ledger_in", "zerotrust_segment.ledger",
			append([]string{acctest.AllowFrom(acctest.Attr("segment", acctest.Ref("zerotrust_segment.api")), acctest.Attr("ports", []string{"8443"}))}, lines...)...)
	}
	manifests := func(n int) resource.ConfigPlanChecks {
		return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectKnownValue("zerotrust_segment_policy.ledger_in", tfjsonpath.New("kubernetes_manifests"), knownvalue.MapSizeExact(n)),
		}}
	}
	for name, step := range map[string]resource.TestStep{
		// deny, api's DNS, ledger's ingress, api's egress: no DNS for ledger
		"segment denies its DNS": {
			Config:           acctest.Config(acctest.ProviderBlockNoCloud(), placed("api", "dns-api", "api"), placed("ledger", "dns-ledger", "ledger", acctest.Attr("allow_dns", false)), policy()),
			ConfigPlanChecks: manifests(4), ExpectError: applyFailsWithNoCloud,
		},
		"policy cuts a segment's DNS": {
			Config:      acctest.Config(acctest.ProviderBlockNoCloud(), placed("api", "dns-api", "api"), placed("ledger", "dns-ledger", "ledger"), policy(acctest.Block("kubernetes", acctest.Attr("allow_dns", false)))),
			ExpectError: regexp.MustCompile(`(?s)DNS egress is the segment's.*dns-api, dns-ledger`),
		},
		"policy agrees with its segments": {
			Config: acctest.Config(acctest.ProviderBlockNoCloud(), placed("api", "dns-api", "api", acctest.Attr("allow_dns", false)),
				placed("ledger", "dns-ledger", "ledger", acctest.Attr("allow_dns", false)), policy(acctest.Block("kubernetes", acctest.Attr("allow_dns", false)))),
			ConfigPlanChecks: manifests(3), ExpectError: applyFailsWithNoCloud,
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: []resource.TestStep{step}})
		})
	}
}
