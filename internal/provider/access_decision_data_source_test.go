package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// decisions asks what-ifs of the restricted payments surface compiled by
// zerotrust_policy_document. The check block is how a configuration guards
// its posture; because a failed check is only a warning in Terraform, the
// same assertions are also postconditions (errors) and state checks.
const decisions = paymentsDocument + `
locals {
  payments = data.zerotrust_policy_document.payments
}

data "zerotrust_access_decision" "contractor_high_risk" {
  policy_document = local.payments.policy_document
  trust_context   = local.payments.trust_context
  request = {
    groups = ["contractors"]
    mfa    = true
    device = { jamf = { risk = "HIGH" } }
    method = "POST"
  }
  lifecycle {
    postcondition {
      condition     = !self.allowed
      error_message = "a contractor on a high-risk device reached payments"
    }
  }
}

data "zerotrust_access_decision" "engineer_low_risk" {
  policy_document = local.payments.policy_document
  trust_context   = local.payments.trust_context
  request = {
    groups = ["engineers"]
    mfa    = true
    device = { jamf = { risk = "LOW" } }
    method = "POST"
    host   = "api.pay.example.com"
  }
  lifecycle {
    postcondition {
      condition     = self.allowed
      error_message = "an engineer on a low-risk device was locked out: ${self.reason}"
    }
  }
}

data "zerotrust_access_decision" "quarantined_engineer" {
  policy_document = local.payments.policy_document
  trust_context   = local.payments.trust_context
  request = {
    groups = ["engineers", "quarantined"]
    mfa    = true
    device = { jamf = { risk = "SECURE" } }
    method = "GET"
  }
}

# An auditor passes the group policy but the api endpoint policy has no rule
# for auditors: both documents must allow.
data "zerotrust_access_decision" "auditor_on_api" {
  policy_document          = local.payments.policy_document
  endpoint_policy_document = local.payments.endpoint_policy_documents["api"]
  trust_context            = local.payments.trust_context
  request = {
    groups = ["auditors"]
    mfa    = true
    device = { jamf = { risk = "SECURE" } }
    method = "GET"
    host   = "api.pay.example.com"
  }
}

check "contractors_blocked" {
  assert {
    condition     = !data.zerotrust_access_decision.contractor_high_risk.allowed
    error_message = "contractor reached payments"
  }
}
`

func TestAccDataSourceAccessDecision_checkBlock(t *testing.T) {
	decision := func(name string) string { return "data.zerotrust_access_decision." + name }
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: verifyFactories,
		Steps: []resource.TestStep{{
			Config: decisions,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(decision("contractor_high_risk"), tfjsonpath.New("allowed"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(decision("contractor_high_risk"), tfjsonpath.New("reason"), knownvalue.StringExact("denied: no rule permits the request")),
				statecheck.ExpectKnownValue(decision("contractor_high_risk"), tfjsonpath.New("deciding_rules"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue(decision("engineer_low_risk"), tfjsonpath.New("allowed"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(decision("engineer_low_risk"), tfjsonpath.New("deciding_rules"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("engineers-read-write")})),
				statecheck.ExpectKnownValue(decision("engineer_low_risk"), tfjsonpath.New("reason"), knownvalue.StringExact(`allowed by permit "engineers-read-write"`)),
				statecheck.ExpectKnownValue(decision("quarantined_engineer"), tfjsonpath.New("allowed"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(decision("quarantined_engineer"), tfjsonpath.New("reason"), knownvalue.StringExact(`denied by forbid "quarantine"`)),
				statecheck.ExpectKnownValue(decision("auditor_on_api"), tfjsonpath.New("allowed"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(decision("auditor_on_api"), tfjsonpath.New("reason"), knownvalue.StringExact("denied: no rule of the endpoint policy permits the request")),
			},
		}},
	})
}

// The postcondition really bites: asserting the wrong decision fails the run.
func TestAccDataSourceAccessDecision_postconditionFails(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: verifyFactories,
		Steps: []resource.TestStep{{
			Config: paymentsDocument + `
data "zerotrust_access_decision" "x" {
  policy_document = data.zerotrust_policy_document.payments.policy_document
  trust_context   = data.zerotrust_policy_document.payments.trust_context
  request = { groups = ["contractors"], device = { jamf = { risk = "HIGH" } }, method = "POST" }
  lifecycle {
    postcondition {
      condition     = self.allowed
      error_message = "expected: ${self.reason}"
    }
  }
}
`,
			ExpectError: regexp.MustCompile(`expected: denied: no rule permits the request`),
		}},
	})
}

func TestAccDataSourceAccessDecision_badInput(t *testing.T) {
	cfg := func(policy, trust, request string) string {
		return `
data "zerotrust_access_decision" "x" {
  policy_document = ` + policy + `
  trust_context   = ` + trust + `
  request         = ` + request + `
}
`
	}
	okPolicy := `"@id(\"a\") permit (principal, action, resource);"`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: verifyFactories,
		Steps: []resource.TestStep{
			{Config: cfg(`"permit ("`, "null", "{}"), ExpectError: regexp.MustCompile(`(?s)Invalid Cedar policy`)},
			{Config: cfg(okPolicy, `"{\"bogus\": 1}"`, "{}"), ExpectError: regexp.MustCompile(`(?s)Invalid trust context.*not a trust context`)},
			{Config: cfg(okPolicy, "null", `{ client_ip = "10.0.0.300" }`), ExpectError: regexp.MustCompile(`(?s)Invalid request.*is not an IP address`)},
			{Config: cfg(okPolicy, "null", `{ device = { jamf = { risk = "low" } } }`), ExpectError: regexp.MustCompile(`(?s)Invalid request.*Jamf risk must be one of`)},
		},
	})
}

// A network application on two port ranges: a port inside either range is
// decided by the policy; one outside both reaches no endpoint; a bad range
// is refused at its element.
func TestAccDataSourceAccessDecision_portRanges(t *testing.T) {
	decision := func(port int) string {
		return fmt.Sprintf(`
data "zerotrust_access_decision" "p%[1]d" {
  policy_document = "@id(\"oncall\")\npermit (principal, action, resource) when { context.idc.groups has \"oncall\" };\n"
  tcp             = true
  port_ranges     = ["22", "8000-8080"]
  request         = { groups = ["oncall"], port = %[1]d }
}
`, port)
	}
	check := func(port int, allowed bool, reason string) []statecheck.StateCheck {
		at := fmt.Sprintf("data.zerotrust_access_decision.p%d", port)
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(at, tfjsonpath.New("allowed"), knownvalue.Bool(allowed)),
			statecheck.ExpectKnownValue(at, tfjsonpath.New("reason"), knownvalue.StringExact(reason)),
		}
	}
	var checks []statecheck.StateCheck
	checks = append(checks, check(22, true, `allowed by permit "oncall"`)...)
	checks = append(checks, check(8080, true, `allowed by permit "oncall"`)...)
	checks = append(checks, check(443, false, "denied: no endpoint listens on port 443 (the application's ports are 22, 8000-8080)")...)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: verifyFactories,
		// The refusals first: the post-test destroy plans the last step.
		Steps: []resource.TestStep{
			{
				Config:      strings.Replace(decision(22), `["22", "8000-8080"]`, `["8000-8080", "22"]`, 1),
				ExpectError: regexp.MustCompile(`(?s)Port ranges out of order.*"22" comes after "8000-8080"`),
			},
			{
				Config:      strings.Replace(decision(22), "port = 22", "port = 70000", 1),
				ExpectError: regexp.MustCompile(`(?s)request\.port must be a whole number from 1 to 65535`),
			},
			{Config: decision(22) + decision(8080) + decision(443), ConfigStateChecks: checks},
		},
	})
}
