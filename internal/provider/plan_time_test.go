package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

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
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig + `
resource "zerotrust_access_proxy" "corp" {
  name = "plan-time"
  identity_provider {
    type         = "iam-identity-center"
    reference    = "idc"
    mfa_enforced = true
  }
  device_trust_provider {
    type      = "jamf"
    reference = "jamf"
    tenant_id = "jamf-tenant"
  }
}

resource "zerotrust_access_group" "payments" {
  display_name = "plan-time-payments"
}

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
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig + `
resource "zerotrust_segment" "vault" {
  name        = "plan-time-vault"
  vpc_id      = "vpc-0123456789abcdef0"
  sensitivity = "restricted"
}

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
	segment := `
resource "zerotrust_segment" "web" {
  name   = "typed-web"
  vpc_id = "vpc-0123456789abcdef0"
}
`
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
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderConfig + tc.config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
