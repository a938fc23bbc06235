package provider_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// allowHTTPSFromCorp is a flow: HTTPS from 10.0.0.0/8.
var allowHTTPSFromCorp = acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{"10.0.0.0/8"}), acctest.Attr("ports", []string{"443"}))

// TestAccSegment_sameNameRefused: a second segment with the name of a group
// another resource created is refused — never taken over — and destroying
// the second leaves the first's group in place.
func TestAccSegment_sameNameRefused(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.32.0.0/16")
	first := acctest.Config(acctest.ProviderBlock(), acctest.Segment("first", "shared-name", vpcID))
	second := acctest.Config(first, acctest.Segment("second", "shared-name", vpcID))
	var firstID string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: first,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID("zerotrust_segment.first", &firstID),
					acctest.ExpectSecurityGroupOwnership("zerotrust_segment.first"),
				},
			},
			{
				Config:      second,
				ExpectError: regexp.MustCompile(`(?s)security group named "shared-name" already exists.*belongs to another zerotrust\s+resource.*never taken over by name.*terraform import`),
			},
			{
				// Nothing of the second create remains; the first is intact.
				Config: first,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_segment.first", tfjsonpath.New("id"), acctest.KnownString(&firstID)),
					acctest.ExpectSecurityGroupsNamed("zerotrust_segment.first", vpcID, "shared-name"),
					acctest.ExpectSecurityGroupOwnership("zerotrust_segment.first"),
				},
			},
		},
	})
}

// TestAccSegment_lostCreateResponse: CreateSecurityGroup is served but its
// response lost; the SDK's retry finds the group this create marked pending
// and adopts it: exactly one group, owned, not pending.
func TestAccSegment_lostCreateResponse(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.33.0.0/16")
	acctest.PreCheck(t)
	ctl := acctest.Sandbox.Control()
	// Serial: fault injection and call counts are global to the sandbox.
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				if err := ctl.SetFaults(context.Background(), vafront.Faults{LostResponses: 1, Actions: []string{"ec2:CreateSecurityGroup"}}); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = ctl.ClearFaults(context.Background()) })
				if err := ctl.ResetCounters(context.Background()); err != nil {
					t.Fatal(err)
				}
			},
			Config: acctest.Config(acctest.ProviderBlock(), acctest.Segment("test", "lost-response", vpcID)),
			ConfigStateChecks: []statecheck.StateCheck{
				// The lost create and its retry.
				acctest.ExpectSandboxCalls(map[string]int64{"ec2:CreateSecurityGroup": 2}),
				acctest.ExpectSecurityGroupsNamed("zerotrust_segment.test", vpcID, "lost-response"),
				acctest.ExpectSecurityGroupOwnership("zerotrust_segment.test"),
			},
		}},
	})
}

// TestAccSegment_interruptedCreateRecovered: a group left pending by a create
// that never reached state (Terraform killed) is adopted by the next create
// of the same name — and claimed, so no other create can adopt it too. It
// converges in that one apply: every rule it held (one added out of band,
// one tagged as some policy's by whoever could write to the group) is gone,
// and the plan after the apply is empty.
func TestAccSegment_interruptedCreateRecovered(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.34.0.0/16")
	groupID := acctest.CreateSecurityGroup(t, vpcID, "interrupted", "Zero-trust segment interrupted (managed by terraform-provider-zerotrust)")
	left := "11111111-2222-4333-8444-555555555555"
	for k, v := range map[string]string{
		awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagSegment: "interrupted",
		awsapi.TagOwnership: left, awsapi.TagCreatePending: left,
	} {
		acctest.TagResource(t, groupID, k, v)
	}
	acctest.AuthorizeIngress(t, groupID, "tcp", 22, "0.0.0.0/0")
	acctest.AuthorizeIngressTagged(t, groupID, "tcp", 443, 443, "0.0.0.0/0",
		map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagPolicy: awsapi.RuleOwner("forged", left)})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.Config(acctest.ProviderBlock(), acctest.Segment("test", "interrupted", vpcID, acctest.Attr("sensitivity", "restricted"))),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("security_group_id"), knownvalue.StringExact(groupID)),
				statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("adopted"), knownvalue.Bool(false)),
				// This configuration's tags replace the interrupted create's.
				acctest.ExpectSecurityGroupTags("zerotrust_segment.test", map[string]string{"zerotrust:sensitivity": "restricted"}),
				acctest.ExpectSecurityGroupsNamed("zerotrust_segment.test", vpcID, "interrupted"),
				// Not the interrupted create's ownership id: claimed anew.
				statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("ownership_id"), acctest.NotString(&left)),
				acctest.ExpectSecurityGroupOwnership("zerotrust_segment.test"),
				acctest.ExpectSecurityGroupRules("zerotrust_segment.test"),
			},
		}},
	})
}

// TestAccAccessGroup_ownership: a second group with a taken display name is
// refused, not taken over; a lost CreateGroup response is recovered by the
// retry: one group, owned, its marker no longer pending.
func TestAccAccessGroup_ownership(t *testing.T) {
	acctest.PreCheck(t)
	ctl := acctest.Sandbox.Control()
	name := acctest.RandomName("ownership-shared")
	first := acctest.Config(acctest.ProviderBlock(), acctest.AccessGroup("first", name))
	var firstID string
	// Serial: fault injection is global to the sandbox.
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := ctl.SetFaults(context.Background(), vafront.Faults{LostResponses: 1, Actions: []string{"identitystore:CreateGroup"}}); err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { _ = ctl.ClearFaults(context.Background()) })
				},
				Config: first,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID("zerotrust_access_group.first", &firstID),
					acctest.ExpectIdentityGroupOwnership("zerotrust_access_group.first"),
				},
			},
			{
				PreConfig:   func() { _ = ctl.ClearFaults(context.Background()) },
				Config:      acctest.Config(first, acctest.AccessGroup("second", name)),
				ExpectError: regexp.MustCompile(`(?s)named\s+"` + name + `"\s+already\s+exists.*belongs to another zerotrust\s+resource.*never\s+taken\s+over\s+by\s+name`),
			},
			{
				Config: first,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_access_group.first", tfjsonpath.New("display_name"), knownvalue.StringExact(name)),
					// The first group is the same.
					statecheck.ExpectKnownValue("zerotrust_access_group.first", tfjsonpath.New("id"), acctest.KnownString(&firstID)),
				},
			},
		},
	})
}

// TestAccPrivilegedAccess_ownership: a lost CreatePermissionSet response is
// recovered by the retry (one permission set, claimed, not pending); a second
// resource with the same name is refused, not given the first's permission
// set.
func TestAccPrivilegedAccess_ownership(t *testing.T) {
	acctest.PreCheck(t)
	ctl := acctest.Sandbox.Control()
	name := acctest.RandomName("pa-ownership")
	readOnly := acctest.Attr("managed_policies", []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"})
	first := acctest.Config(acctest.ProviderBlock(),
		acctest.AccessGroup("oncall", acctest.RandomName("pa-ownership-oncall")),
		acctest.PrivilegedAccess("first", name, acctest.Ref("zerotrust_access_group.oncall"), acctest.Attr("accounts", []string{acctA}), readOnly))
	second := acctest.Config(first,
		acctest.PrivilegedAccess("second", name, acctest.Ref("zerotrust_access_group.oncall"), acctest.Attr("accounts", []string{acctB}), readOnly))
	var firstARN string
	// Serial: fault injection is global to the sandbox.
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := ctl.SetFaults(context.Background(), vafront.Faults{LostResponses: 1, Actions: []string{"sso:CreatePermissionSet"}}); err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { _ = ctl.ClearFaults(context.Background()) })
				},
				Config: first,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID("zerotrust_privileged_access.first", &firstARN),
					acctest.ExpectPermissionSetOwnership("zerotrust_privileged_access.first"),
				},
			},
			{
				PreConfig:   func() { _ = ctl.ClearFaults(context.Background()) },
				Config:      second,
				ExpectError: regexp.MustCompile(`(?s)permission\s+set\s+named\s+"` + name + `"\s+already\s+exists.*belongs to another\s+zerotrust\s+resource.*never\s+taken\s+over\s+by\s+name`),
			},
			{
				Config: first,
				ConfigStateChecks: []statecheck.StateCheck{
					// The first permission set is the same.
					statecheck.ExpectKnownValue("zerotrust_privileged_access.first", tfjsonpath.New("id"), acctest.KnownString(&firstARN)),
				},
			},
		},
	})
}

// TestAccSegmentPolicy_sameFlowTwoPolicies: a policy declares a flow that
// another state's policy already wrote on the segment (here: a policy
// removed from this state with destroy = false, its rules left in place).
// The apply fails with an error naming the owner, writes nothing — not even
// its other flows — and is not left in state (tainted): once the duplicate
// flow is removed, it is simply created.
func TestAccSegmentPolicy_sameFlowTwoPolicies(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.35.0.0/16")
	segment := acctest.Config(acctest.ProviderBlock(), acctest.Segment("api", "two-policies-api", vpcID))
	first := acctest.SegmentPolicy("first", "zerotrust_segment.api", acctest.Attr("name", "first"), allowHTTPSFromCorp)
	second := func(duplicate string) string {
		return `
removed {
  from = zerotrust_segment_policy.first
  lifecycle {
    destroy = false
  }
}

resource "zerotrust_segment_policy" "second" {
  segment = zerotrust_segment.api.id
  name    = "second"
  allow_to {
    cidr_blocks = ["10.50.0.0/16"]
    ports       = ["5432"]
  }
` + duplicate + `
}
`
	}
	duplicate := allowHTTPSFromCorp
	var groupID string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: segment + first, ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureGroupID("zerotrust_segment.api", &groupID)}},
			{
				Config:      segment + second(duplicate),
				ExpectError: regexp.MustCompile(`(?s)Flow already declared by another policy.*already owned by\s+policy\s+sg/vpc-[0-9a-f]+/[a-z0-9-]+/first.*Nothing\s+of\s+this\s+policy\s+was\s+written`),
			},
			{
				// Only the other state's rule is on the group, and the second
				// policy is not in state: it is planned as a create.
				PreConfig: func() {
					if rules := acctest.SecurityGroupRules(t, groupID); len(rules) != 1 {
						t.Fatalf("after the failed apply the group has %v; want only the other state's rule", rules)
					}
				},
				Config: segment + second(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_segment_policy.second", plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupRules("zerotrust_segment.api", "in tcp 443-443 10.0.0.0/8", "out tcp 5432-5432 10.50.0.0/16"),
				},
			},
		},
	})
}

// TestAccAccessProxy_interruptedCreateRecovered: the Verified Access
// instance of a proxy whose create was killed (still marked pending, no
// state) is adopted by the next create of that proxy — one instance, claimed,
// its trust providers attached — instead of a second instance being made.
func TestAccAccessProxy_interruptedCreateRecovered(t *testing.T) {
	left := "22222222-3333-4444-8555-666666666666"
	name := acctest.RandomName("interrupted-proxy")
	instanceID := acctest.CreateTaggedVerifiedAccessInstance(t, map[string]string{
		awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagProxy: name,
		awsapi.TagOwnership: left, awsapi.TagCreatePending: left,
	})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessInstanceGone(t, &instanceID),
		Steps: []resource.TestStep{{
			Config: proxyIDC(name, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("id"), knownvalue.StringExact(instanceID)),
				statecheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("trust_provider_ids"), knownvalue.MapSizeExact(2)),
				// Claimed anew: not the interrupted create's ownership id.
				statecheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("ownership_id"), acctest.NotString(&left)),
				acctest.ExpectVerifiedAccessInstanceOwnership("zerotrust_access_proxy.test"),
				acctest.ExpectVerifiedAccessInstancesNamed("zerotrust_access_proxy.test", name),
			},
		}},
	})
}

// TestAccProtectSurface_interruptedCreateRecovered: the Verified Access group
// of a surface whose create was killed (pending, no state) is adopted by the
// next create of that surface on the same proxy: one group, claimed, its
// policy and endpoints written.
func TestAccProtectSurface_interruptedCreateRecovered(t *testing.T) {
	left := "33333333-4444-4555-8666-777777777777"
	proxy := acctest.Config(acctest.ProviderBlock(), vaProxy("corp", acctest.RandomName("corp")))
	var groupID, instanceID string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: proxy, ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureID("zerotrust_access_proxy.corp", &instanceID)}},
			{
				PreConfig: func() {
					groupID = acctest.CreateTaggedVerifiedAccessGroup(t, instanceID, map[string]string{
						awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagSurface: "payments",
						awsapi.TagOwnership: left, awsapi.TagCreatePending: left,
					})
				},
				Config: proxy + vaSurface("corp", true, vaApp(443, vaCertARN)+vaRule),
				ConfigStateChecks: []statecheck.StateCheck{
					// The interrupted create's group, the only one on the proxy.
					statecheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("id"), acctest.KnownString(&groupID)),
					acctest.ExpectVerifiedAccessGroupsOfProxy("zerotrust_protect_surface.test"),
					// Claimed anew: not the interrupted create's ownership id.
					statecheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("ownership_id"), acctest.NotString(&left)),
					acctest.ExpectVerifiedAccessGroupOwnership("zerotrust_protect_surface.test"),
				},
			},
		},
	})
}

// TestAccSegmentPolicy_sameFlowRefusedAtPlan: on an existing segment, two
// policies of one configuration that declare the same flow are refused at
// plan, each pointing at the other; nothing is written.
func TestAccSegmentPolicy_sameFlowRefusedAtPlan(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.37.0.0/16")
	segment := acctest.Config(acctest.ProviderBlock(), acctest.Segment("api", "same-flow-api", vpcID))
	policy := func(name string) string {
		return acctest.SegmentPolicy(name, "zerotrust_segment.api", acctest.Attr("name", name), allowHTTPSFromCorp)
	}
	var groupID string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: segment, ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureGroupID("zerotrust_segment.api", &groupID)}},
			{
				Config:      segment + policy("first") + policy("second"),
				ExpectError: regexp.MustCompile(`(?s)Flow declared by two policies.*ingress tcp 443 from 10\.0\.0\.0/8.*also\s+planned\s+by\s+policy\s+sg/vpc-[0-9a-f]+/[a-z0-9-]+/(first|second)`),
			},
			{
				// Nothing was written; one policy alone applies.
				PreConfig: func() {
					if rules := acctest.SecurityGroupRules(t, groupID); len(rules) != 0 {
						t.Fatalf("the refused plan wrote %v", rules)
					}
				},
				Config: segment + policy("first"),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupRules("zerotrust_segment.api", "in tcp 443-443 10.0.0.0/8"),
				},
			},
		},
	})
}

// TestAccSegmentPolicySet_sameNameTwoStates: two states each declaring a
// policy set named "twin" (here: the first removed from this state with
// destroy = false, its rules left in place). The second's flow that the
// first already wrote is refused, and nothing of it is written; with other
// flows it applies beside the first's rules, and its destroy leaves the
// first's rules in place (before ownership ids, the second took the first's
// rules over and revoked them).
func TestAccSegmentPolicySet_sameNameTwoStates(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.47.0.0/16")
	segment := acctest.Config(acctest.ProviderBlock(), acctest.Segment("db", "twin-db", vpcID))
	set := func(label string, flows ...string) string {
		return acctest.Resource("zerotrust_segment_policy_set", label, acctest.Attr("name", "twin"),
			acctest.Block("policy", append([]string{acctest.Attr("segment", acctest.Ref("zerotrust_segment.db"))}, flows...)...))
	}
	first := acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{"10.0.0.0/8"}), acctest.Attr("ports", []string{"443"}))
	other := acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{"10.60.0.0/16"}), acctest.Attr("ports", []string{"5432"}))
	removed := acctest.RemovedKeepingObjects("zerotrust_segment_policy_set.first")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            segment + set("first", first),
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectRulesOwnedBy("zerotrust_segment.db", "zerotrust_segment_policy_set.first")},
			},
			{
				Config:      segment + removed + set("second", first),
				ExpectError: regexp.MustCompile(`(?s)Flow already declared by another policy.*already owned by\s+policy\s+set/twin@.*Nothing\s+of\s+this\s+policy\s+set\s+was\s+written`),
			},
			{
				// The other state's rule stays; this one's is written beside it.
				Config: segment + removed + set("second", other),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupRules("zerotrust_segment.db", "in tcp 443-443 10.0.0.0/8", "in tcp 5432-5432 10.60.0.0/16"),
				},
			},
			{
				// Destroying this state's set leaves the other state's rule.
				Config: segment + removed,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupRules("zerotrust_segment.db", "in tcp 443-443 10.0.0.0/8"),
				},
			},
		},
	})
}

// TestAccSegmentPolicySet_interruptedCreateRecovered: a set's create killed
// after writing its rules (marked pending, owned by an ownership id no state
// recorded) is completed by the next create of that set: the rule is
// adopted, not duplicated or refused, and its pending mark is cleared.
func TestAccSegmentPolicySet_interruptedCreateRecovered(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.48.0.0/16")
	segment := acctest.Config(acctest.ProviderBlock(), acctest.Segment("db", "resumed-db", vpcID))
	set := acctest.Resource("zerotrust_segment_policy_set", "resumed", acctest.Attr("name", "resumed"),
		acctest.Block("policy", acctest.Attr("segment", acctest.Ref("zerotrust_segment.db")),
			acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{"10.0.0.0/8"}), acctest.Attr("ports", []string{"443"}))))
	left := "33333333-4444-4555-8666-777777777777"
	var groupID string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: segment, ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureGroupID("zerotrust_segment.db", &groupID)}},
			{
				PreConfig: func() {
					acctest.AuthorizeIngressTagged(t, groupID, "tcp", 443, 443, "10.0.0.0/8", map[string]string{
						awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagPolicy: awsapi.RuleOwner("set/resumed", left), awsapi.TagCreatePending: left,
					})
				},
				Config: segment + set,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupRules("zerotrust_segment.db", "in tcp 443-443 10.0.0.0/8"),
					acctest.ExpectRulesOwnedBy("zerotrust_segment.db", "zerotrust_segment_policy_set.resumed"),
					statecheck.ExpectKnownValue("zerotrust_segment_policy_set.resumed", tfjsonpath.New("ownership_id"), acctest.NotString(&left)),
				},
			},
		},
	})
}

// TestAccSegment_exclusive: an exclusive segment is recorded on its group;
// the policies of its own configuration govern it as any other, and its
// refresh lists them in governing_policies. Once it belongs to another
// configuration (here: removed from this state, left in place), a policy of
// this one that governs it, or names it as a peer, is refused at plan, at
// the attribute naming it — nothing is written.
func TestAccSegment_exclusive(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2)
	vpcID := acctest.CreateVPC(t, "10.48.0.0/16")
	mineID := model.AWSSegmentID(vpcID, "exclusive-mine")
	segments := acctest.Segment("mine", "exclusive-mine", vpcID, acctest.Attr("exclusive", true)) +
		acctest.Segment("other", "exclusive-other", vpcID)
	own := acctest.SegmentPolicy("mine_in", "zerotrust_segment.mine",
		acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{"10.48.0.0/16"}), acctest.Attr("ports", []string{"443"})))
	first := acctest.Config(acctest.ProviderBlock(), segments, own)
	removed := acctest.RemovedKeepingObjects("zerotrust_segment.mine", "zerotrust_segment_policy.mine_in")
	intruders := acctest.Resource("zerotrust_segment_policy", "intruder", acctest.Attr("segment", mineID),
		acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{"10.0.0.0/8"}), acctest.Attr("ports", []string{"22"}))) +
		acctest.SegmentPolicy("peer_intruder", "zerotrust_segment.other",
			acctest.AllowFrom(acctest.Attr("segment", mineID), acctest.Attr("ports", []string{"5432"})))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: first,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupTags("zerotrust_segment.mine", map[string]string{awsapi.TagExclusive: "true"}),
					acctest.ExpectSecurityGroupRules("zerotrust_segment.mine", "in tcp 443-443 10.48.0.0/16"),
				},
			},
			{
				// The refresh sees the policy's rules on the group.
				Config: first,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_segment.mine", tfjsonpath.New("governing_policies"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(mineID + "/default")})),
					statecheck.ExpectKnownValue("zerotrust_segment.other", tfjsonpath.New("governing_policies"), knownvalue.ListSizeExact(0)),
				},
			},
			{
				Config: acctest.Config(acctest.ProviderBlock(), acctest.Segment("other", "exclusive-other", vpcID), removed, intruders),
				ExpectError: regexp.MustCompile(`(?s)Segment exclusive to another configuration.*with zerotrust_segment_policy\.(intruder|peer_intruder).*` +
					`Segment exclusive to another configuration.*with zerotrust_segment_policy\.(intruder|peer_intruder)`),
			},
			{
				// Nothing of the refused policies was written.
				Config: acctest.Config(acctest.ProviderBlock(), acctest.Segment("other", "exclusive-other", vpcID), removed),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupRules("zerotrust_segment.other"),
				},
			},
		},
	})
}
