package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// The design's what-if against a managed surface: a restricted
// zerotrust_protect_surface on a proxy with IAM Identity Center and Jamf,
// created in the sandbox, and decisions over its compiled policy_document
// guarded by a check block (plus postconditions, which fail the run, since
// a failed check is only a warning).
const surfaceDecisionConfig = `

resource "zerotrust_protect_surface" "payments" {
  name                = "payments-decisions"
  sensitivity         = "restricted"
  proxy_id            = zerotrust_access_proxy.corp.id
  proxy_trust_context = zerotrust_access_proxy.corp.trust_context
  access_rule {
    name        = "engineers-read-write"
    groups      = ["c242c5b0-6081-1845-6fa8-6e0d9513c107"]
    device      = { jamf = { max_risk = "LOW" } }
    require_mfa = true
    methods     = ["GET", "POST"]
  }
}

data "zerotrust_access_decision" "contractor_unmanaged" {
  policy_document = zerotrust_protect_surface.payments.policy_document
  trust_context   = zerotrust_access_proxy.corp.trust_context
  request = { groups = ["contractors"], device = { jamf = { risk = "HIGH" } }, method = "POST" }
  lifecycle {
    postcondition {
      condition     = !self.allowed
      error_message = "contractor reached payments: ${self.reason}"
    }
  }
}

data "zerotrust_access_decision" "engineer_managed" {
  policy_document = zerotrust_protect_surface.payments.policy_document
  trust_context   = zerotrust_access_proxy.corp.trust_context
  request = { groups = ["c242c5b0-6081-1845-6fa8-6e0d9513c107"], device = { jamf = { risk = "LOW" } }, method = "POST" }
  lifecycle {
    postcondition {
      condition     = self.allowed
      error_message = "engineer locked out: ${self.reason}"
    }
  }
}

check "contractors_blocked" {
  assert {
    condition     = !data.zerotrust_access_decision.contractor_unmanaged.allowed
    error_message = "contractor reached payments"
  }
}
`

func TestAccDataSourceAccessDecision_protectSurface(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.Config(acctest.ProviderBlock(), vaProxy("corp", acctest.RandomName("corp-decisions")), surfaceDecisionConfig),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.zerotrust_access_decision.contractor_unmanaged", tfjsonpath.New("allowed"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.zerotrust_access_decision.contractor_unmanaged", tfjsonpath.New("reason"), knownvalue.StringExact("denied: no rule permits the request")),
				statecheck.ExpectKnownValue("data.zerotrust_access_decision.engineer_managed", tfjsonpath.New("allowed"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.zerotrust_access_decision.engineer_managed", tfjsonpath.New("deciding_rules"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("engineers-read-write")})),
			},
		}},
	})
}
