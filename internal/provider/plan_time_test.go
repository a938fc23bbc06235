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
