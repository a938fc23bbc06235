package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// expectOwnership checks the live group carries the ownership id recorded in
// state and no pending mark.
func expectOwnership(t *testing.T, address string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs := s.RootModule().Resources[address]
		tags := acctest.SecurityGroupTags(t, rs.Primary.ID)
		own := rs.Primary.Attributes["ownership_id"]
		switch {
		case own == "" || tags[awsapi.TagOwnership] != own:
			return fmt.Errorf("ownership id in state %q, on the group %q", own, tags[awsapi.TagOwnership])
		case tags[awsapi.TagCreatePending] != "":
			return fmt.Errorf("the completed group is still marked pending: %v", tags)
		}
		return nil
	}
}

// TestAccSegment_sameNameRefused: a second segment with the name of a group
// another resource created is refused — never taken over — and destroying
// the second leaves the first's group in place.
func TestAccSegment_sameNameRefused(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.32.0.0/16")
	first := acctest.ProviderConfig + fmt.Sprintf(`
resource "zerotrust_segment" "first" {
  name   = "shared-name"
  vpc_id = %q
}
`, vpcID)
	second := first + fmt.Sprintf(`
resource "zerotrust_segment" "second" {
  name   = "shared-name"
  vpc_id = %q
}
`, vpcID)
	var firstID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: first,
				Check:  resource.ComposeTestCheckFunc(captureID("zerotrust_segment.first", &firstID), expectOwnership(t, "zerotrust_segment.first")),
			},
			{
				Config:      second,
				ExpectError: regexp.MustCompile(`(?s)security group named "shared-name" already exists.*belongs to another zerotrust\s+resource.*never taken over by name.*terraform import`),
			},
			{
				// Nothing of the second create remains; the first is intact.
				Config: first,
				Check: func(s *terraform.State) error {
					if ids := acctest.SecurityGroupsNamed(t, vpcID, "shared-name"); len(ids) != 1 || ids[0] != firstID {
						return fmt.Errorf("groups named shared-name: %v, want only %s", ids, firstID)
					}
					return expectOwnership(t, "zerotrust_segment.first")(s)
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_segment.first", tfjsonpath.New("id"), knownvalue.NotNull()),
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
			Config: acctest.ProviderConfig + fmt.Sprintf(`
resource "zerotrust_segment" "test" {
  name   = "lost-response"
  vpc_id = %q
}
`, vpcID),
			Check: func(s *terraform.State) error {
				counts, err := ctl.Counters(context.Background())
				if err != nil {
					return err
				}
				if counts["ec2:CreateSecurityGroup"] != 2 {
					return fmt.Errorf("want the lost create and its retry (2 calls), got %d", counts["ec2:CreateSecurityGroup"])
				}
				if ids := acctest.SecurityGroupsNamed(t, vpcID, "lost-response"); len(ids) != 1 || ids[0] != s.RootModule().Resources["zerotrust_segment.test"].Primary.ID {
					return fmt.Errorf("groups named lost-response: %v", ids)
				}
				return expectOwnership(t, "zerotrust_segment.test")(s)
			},
		}},
	})
}

// TestAccSegment_interruptedCreateRecovered: a group left pending by a create
// that never reached state (Terraform killed) is adopted by the next create
// of the same name — and claimed, so no other create can adopt it too.
func TestAccSegment_interruptedCreateRecovered(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.34.0.0/16")
	left := acctest.CreateSecurityGroup(t, vpcID, "interrupted", "Zero-trust segment interrupted (managed by terraform-provider-zerotrust)")
	for k, v := range map[string]string{
		awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagSegment: "interrupted",
		awsapi.TagOwnership: "11111111-2222-4333-8444-555555555555", awsapi.TagCreatePending: "11111111-2222-4333-8444-555555555555",
	} {
		acctest.TagResource(t, left, k, v)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig + fmt.Sprintf(`
resource "zerotrust_segment" "test" {
  name        = "interrupted"
  vpc_id      = %q
  sensitivity = "restricted"
}
`, vpcID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("id"), knownvalue.StringExact(left)),
				statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("adopted"), knownvalue.Bool(false)),
				// This configuration's tags replace the interrupted create's.
				acctest.ExpectSecurityGroupTags("zerotrust_segment.test", map[string]string{"zerotrust:sensitivity": "restricted"}),
			},
			Check: func(s *terraform.State) error {
				if ids := acctest.SecurityGroupsNamed(t, vpcID, "interrupted"); len(ids) != 1 {
					return fmt.Errorf("groups named interrupted: %v", ids)
				}
				if own := s.RootModule().Resources["zerotrust_segment.test"].Primary.Attributes["ownership_id"]; own == "11111111-2222-4333-8444-555555555555" {
					return fmt.Errorf("the recovered group kept the interrupted create's ownership id")
				}
				return expectOwnership(t, "zerotrust_segment.test")(s)
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
	first := acctest.ProviderConfig + `
resource "zerotrust_access_group" "first" {
  display_name = "ownership-shared"
}
`
	var firstID string
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
				Check: func(s *terraform.State) error {
					_ = ctl.ClearFaults(context.Background())
					rs := s.RootModule().Resources["zerotrust_access_group.first"]
					firstID = rs.Primary.ID
					g, err := acctest.GetIdentityGroup(t, firstID)
					if err != nil {
						return err
					}
					_, owned, own := awsapi.ParseGroupOwnership(g.Description)
					if !owned || own.Pending || own.ID == "" || own.ID != rs.Primary.Attributes["ownership_id"] {
						return fmt.Errorf("marker %q, state ownership_id %q", g.Description, rs.Primary.Attributes["ownership_id"])
					}
					return nil
				},
			},
			{
				Config: first + `
resource "zerotrust_access_group" "second" {
  display_name = "ownership-shared"
}
`,
				ExpectError: regexp.MustCompile(`(?s)named "ownership-shared" already exists.*belongs to another zerotrust\s+resource.*never\s+taken\s+over\s+by\s+name`),
			},
			{
				Config: first,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_access_group.first", tfjsonpath.New("display_name"), knownvalue.StringExact("ownership-shared")),
				},
				Check: func(s *terraform.State) error {
					if id := s.RootModule().Resources["zerotrust_access_group.first"].Primary.ID; id != firstID {
						return fmt.Errorf("the first group changed from %s to %s", firstID, id)
					}
					return nil
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
	first := acctest.ProviderConfig + `
resource "zerotrust_access_group" "oncall" {
  display_name = "pa-ownership-oncall"
}

resource "zerotrust_privileged_access" "first" {
  name             = "pa-ownership"
  group            = zerotrust_access_group.oncall.id
  accounts         = ["111111111111"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}
`
	second := first + `
resource "zerotrust_privileged_access" "second" {
  name             = "pa-ownership"
  group            = zerotrust_access_group.oncall.id
  accounts         = ["222222222222"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}
`
	var firstARN string
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
				Check: func(s *terraform.State) error {
					_ = ctl.ClearFaults(context.Background())
					rs := s.RootModule().Resources["zerotrust_privileged_access.first"]
					firstARN = rs.Primary.ID
					instance, _ := acctest.IdentityCenter(t)
					p, err := acctest.ReadPermissionSet(t, instance, firstARN)
					if err != nil {
						return err
					}
					if own := rs.Primary.Attributes["ownership_id"]; own == "" || p.Tags[awsapi.TagOwnership] != own || p.Tags[awsapi.TagCreatePending] != "" {
						return fmt.Errorf("tags %v, state ownership_id %q", p.Tags, own)
					}
					return nil
				},
			},
			{
				Config:      second,
				ExpectError: regexp.MustCompile(`(?s)permission set named "pa-ownership" already exists.*belongs to another\s+zerotrust\s+resource.*never\s+taken\s+over\s+by\s+name`),
			},
			{
				Config: first,
				Check: func(s *terraform.State) error {
					if arn := s.RootModule().Resources["zerotrust_privileged_access.first"].Primary.ID; arn != firstARN {
						return fmt.Errorf("the first permission set changed from %s to %s", firstARN, arn)
					}
					return nil
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
	vpcID := acctest.CreateVPC(t, "10.35.0.0/16")
	segment := acctest.ProviderConfig + fmt.Sprintf(`
resource "zerotrust_segment" "api" {
  name   = "two-policies-api"
  vpc_id = %q
}
`, vpcID)
	first := `
resource "zerotrust_segment_policy" "first" {
  segment = zerotrust_segment.api.id
  name    = "first"
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
    ports       = ["443"]
  }
}
`
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
	duplicate := `
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
    ports       = ["443"]
  }`
	var groupID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: segment + first, Check: captureID("zerotrust_segment.api", &groupID)},
			{
				Config:      segment + second(duplicate),
				ExpectError: regexp.MustCompile(`(?s)Flow already declared by another policy.*already owned by\s+policy\s+sg-[0-9a-f]+/first.*Nothing\s+of\s+this\s+policy\s+was\s+written`),
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
	const left = "22222222-3333-4444-8555-666666666666"
	instanceID := acctest.CreateTaggedVerifiedAccessInstance(t, map[string]string{
		awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagProxy: "interrupted-proxy",
		awsapi.TagOwnership: left, awsapi.TagCreatePending: left,
	})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessInstanceGone(t, &instanceID),
		Steps: []resource.TestStep{{
			Config: proxyIDC("interrupted-proxy", ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("id"), knownvalue.StringExact(instanceID)),
				statecheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("trust_provider_ids"), knownvalue.MapSizeExact(2)),
			},
			Check: func(s *terraform.State) error {
				rs := s.RootModule().Resources["zerotrust_access_proxy.test"]
				in := acctest.GetVerifiedAccessInstance(t, instanceID)
				own := rs.Primary.Attributes["ownership_id"]
				if own == left || in.Tags[awsapi.TagOwnership] != own || in.Tags[awsapi.TagCreatePending] != "" {
					return fmt.Errorf("instance tags %v, state ownership_id %q", in.Tags, own)
				}
				if ids := acctest.VerifiedAccessInstancesNamed(t, "interrupted-proxy"); len(ids) != 1 {
					return fmt.Errorf("instances of the proxy: %v", ids)
				}
				return nil
			},
		}},
	})
}

// TestAccProtectSurface_interruptedCreateRecovered: the Verified Access group
// of a surface whose create was killed (pending, no state) is adopted by the
// next create of that surface on the same proxy: one group, claimed, its
// policy and endpoints written.
func TestAccProtectSurface_interruptedCreateRecovered(t *testing.T) {
	const left = "33333333-4444-4555-8666-777777777777"
	proxy := acctest.ProviderConfig + vaProxy("corp")
	var groupID, instanceID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: proxy, Check: captureID("zerotrust_access_proxy.corp", &instanceID)},
			{
				PreConfig: func() {
					groupID = acctest.CreateTaggedVerifiedAccessGroup(t, instanceID, map[string]string{
						awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagSurface: "payments",
						awsapi.TagOwnership: left, awsapi.TagCreatePending: left,
					})
				},
				Config: proxy + vaSurface("corp", true, vaApp(443, vaCertARN)+vaRule),
				Check: func(s *terraform.State) error {
					rs := s.RootModule().Resources["zerotrust_protect_surface.test"]
					if rs.Primary.ID != groupID {
						return fmt.Errorf("surface %s, want the interrupted create's group %s", rs.Primary.ID, groupID)
					}
					groups, err := acctest.VerifiedAccessGroupsOf(t, rs.Primary.Attributes["proxy_id"])
					if err != nil || len(groups) != 1 {
						return fmt.Errorf("groups on the proxy: %v %v", groups, err)
					}
					tags := acctest.GetVerifiedAccessGroup(t, groupID).Tags
					if own := rs.Primary.Attributes["ownership_id"]; own == left || tags[awsapi.TagOwnership] != own || tags[awsapi.TagCreatePending] != "" {
						return fmt.Errorf("group tags %v, state ownership_id %q", tags, own)
					}
					return nil
				},
			},
		},
	})
}

// TestAccSegmentPolicy_sameFlowRefusedAtPlan: on an existing segment, two
// policies of one configuration that declare the same flow are refused at
// plan, each pointing at the other; nothing is written.
func TestAccSegmentPolicy_sameFlowRefusedAtPlan(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.37.0.0/16")
	segment := acctest.ProviderConfig + fmt.Sprintf(`
resource "zerotrust_segment" "api" {
  name   = "same-flow-api"
  vpc_id = %q
}
`, vpcID)
	policy := func(name string) string {
		return fmt.Sprintf(`
resource "zerotrust_segment_policy" "%[1]s" {
  segment = zerotrust_segment.api.id
  name    = "%[1]s"
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
    ports       = ["443"]
  }
}
`, name)
	}
	var groupID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: segment, Check: captureID("zerotrust_segment.api", &groupID)},
			{
				Config:      segment + policy("first") + policy("second"),
				ExpectError: regexp.MustCompile(`(?s)Flow declared by two policies.*ingress tcp 443 from 10\.0\.0\.0/8.*also\s+planned\s+by\s+policy\s+sg-[0-9a-f]+/(first|second)`),
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
