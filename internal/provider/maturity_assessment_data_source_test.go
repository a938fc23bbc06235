package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// maturityPosture is the sandbox posture the documentation example assesses:
// a proxy logging with trust context, a restricted surface whose rules meet
// its floor, two segments in a VPC and a namespace with an Istio policy, a
// just-in-time grant, and a decision check. weaken drops what the second
// step takes away: rule 1's device requirement (acknowledged), the grant's
// expiry and the trust context in the logs. The ledger segment, restricted,
// in a namespace no policy covers, is assessed by the test's own data source.
func maturityPosture(vpcID, ns, ledgerNS, suffix string, weaken bool) string {
	device, ack, expires, trust := `device = { jamf = { max_risk = "LOW" } }`, "", `expires_at = "2099-01-01T00:00:00Z"`, "true"
	if weaken {
		device, ack, expires, trust = "", `acknowledgement = "finance laptops enrol in Jamf next month"`, "", "false"
	}
	return acctest.ProviderBlock(acctest.WithKubernetes) + fmt.Sprintf(`
resource "zerotrust_access_proxy" "corp" {
  name = "corp-maturity-%[1]s"
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
  logging {
    cloudwatch_log_group  = "/verified-access/maturity"
    include_trust_context = %[7]s
  }
}

resource "zerotrust_protect_surface" "payments" {
  name                = "payments-%[1]s"
  sensitivity         = "restricted"
  proxy_id            = zerotrust_access_proxy.corp.id
  proxy_trust_context = zerotrust_access_proxy.corp.trust_context
  access_rule {
    name        = "engineering-read"
    groups      = ["c242c5b0-6081-1845-6fa8-6e0d9513c107"]
    device      = { jamf = { max_risk = "LOW" } }
    require_mfa = true
    methods     = ["GET"]
  }
  access_rule {
    name        = "finance-operate"
    groups      = ["d242c5b0-6081-1845-6fa8-6e0d9513c108"]
    %[5]s
    require_mfa = true
    methods     = ["GET", "POST"]
    %[6]s
  }
}

data "zerotrust_access_decision" "contractor_unmanaged" {
  policy_document = zerotrust_protect_surface.payments.policy_document
  trust_context   = zerotrust_access_proxy.corp.trust_context
  request         = { groups = ["contractors"], method = "GET" }
}

resource "zerotrust_segment" "checkout" {
  name        = "checkout-%[1]s"
  vpc_id      = %[2]q
  sensitivity = "internal"
  kubernetes {
    namespace       = %[3]q
    pod_labels      = { app = "checkout" }
    service_account = "checkout"
  }
}

resource "zerotrust_segment" "payments" {
  name        = "payments-%[1]s"
  vpc_id      = %[2]q
  sensitivity = "restricted"
  kubernetes {
    namespace       = %[3]q
    pod_labels      = { app = "payment-api" }
    service_account = "payment-api"
  }
}

resource "zerotrust_segment" "ledger" {
  name        = "ledger-%[1]s"
  vpc_id      = %[2]q
  sensitivity = "restricted"
  kubernetes {
    namespace       = %[4]q
    pod_labels      = { app = "ledger" }
    service_account = "ledger"
  }
}

resource "zerotrust_segment_policy" "payments_in" {
  segment = zerotrust_segment.payments.id
  allow_from {
    segment = zerotrust_segment.checkout.id
    ports   = ["8443"]
  }
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
    ports       = ["9090"]
  }
  kubernetes {
    istio = true
  }
}

resource "zerotrust_access_group" "oncall" {
  display_name = "maturity-oncall-%[1]s"
}

resource "zerotrust_privileged_access" "payments_oncall" {
  name             = "payments-oncall-%[1]s"
  group            = zerotrust_access_group.oncall.id
  accounts         = ["111111111111"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  session_duration = "PT1H"
  %[8]s
}

# The ledger is in a namespace no policy covers: no Kubernetes default deny.
data "zerotrust_maturity_assessment" "ledger" {
  segments         = { payments = zerotrust_segment.payments, ledger = zerotrust_segment.ledger }
  segment_policies = [zerotrust_segment_policy.payments_in]
}

output "ledger_networks" {
  value = data.zerotrust_maturity_assessment.ledger.pillars[2]
}
`, suffix, vpcID, ns, ledgerNS, device, ack, trust, expires)
}

// TestAccDataSourceMaturityAssessment_example applies the documentation
// example over real resources in the sandbox, then weakens the resources:
// every stage follows, and the next steps name the attribute responsible.
func TestAccDataSourceMaturityAssessment_example(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "data-sources", "zerotrust_maturity_assessment", "data-source.tf"))
	if err != nil {
		t.Fatal(err)
	}
	vpcID := acctest.CreateVPC(t, "10.31.0.0/16")
	ns, ledgerNS := acctest.RandomName("acc-maturity"), acctest.RandomName("acc-ledger")
	acctest.EnsureNamespace(t, ns)
	acctest.EnsureNamespace(t, ledgerNS)
	suffix := acctest.RandomName("m")
	stages := func(want map[string]string) statecheck.StateCheck {
		checks := map[string]knownvalue.Check{}
		for p, s := range want {
			checks[p] = knownvalue.StringExact(s)
		}
		return statecheck.ExpectKnownOutputValue("maturity", knownvalue.MapExact(checks))
	}
	next := func(pillar, pattern string) statecheck.StateCheck {
		return statecheck.ExpectKnownOutputValueAtPath("next_steps", tfjsonpath.New(pillar), knownvalue.StringRegexp(regexp.MustCompile(pattern)))
	}
	q := regexp.QuoteMeta
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: maturityPosture(vpcID, ns, ledgerNS, suffix, false) + string(example),
				ConfigStateChecks: []statecheck.StateCheck{
					stages(map[string]string{
						"Identity": "Optimal", "Devices": "Advanced", "Networks": "Optimal", "Applications & Workloads": "Optimal",
						"Data": "Advanced", "Visibility & Analytics": "Optimal", "Automation & Orchestration": "Advanced", "Governance": "Optimal",
					}),
					// One device provider type; encryption and drift detection are not declared.
					next("Devices", q("combine at least two device trust providers on zerotrust_access_proxy.corp-maturity-"+suffix+".device_trust_provider")),
					next("Data", "declared.encrypted_at_rest"),
					// The restricted surface's Verified Access objects use AWS's key.
					next("Data", q("encrypt every restricted surface's Verified Access objects with a customer-managed key: zerotrust_protect_surface.payments-"+suffix+".kms_key_arn")),
					next("Automation & Orchestration", `^run plans on a schedule to detect drift, and declare it \(declared.drift_detection_scheduled\)$`),
					// Evidence names where each fact came from.
					statecheck.ExpectKnownOutputValueAtPath("evidence", tfjsonpath.New("Networks"), knownvalue.ListPartial(map[int]knownvalue.Check{
						0: knownvalue.StringExact("segments: zerotrust_segment.checkout-" + suffix + ", zerotrust_segment.payments-" + suffix),
						1: knownvalue.StringRegexp(regexp.MustCompile("^" + q("every segment enforced deny-by-default: zerotrust_segment.checkout-"+suffix+".security_group_id and "+
							"zerotrust_segment_policy.payments-"+suffix+"/default.kubernetes_manifests[\"networking.k8s.io/v1/NetworkPolicy/"+ns+"/zt-default-deny-") + `[0-9a-f]{8}"\], `)),
						3: knownvalue.StringRegexp(regexp.MustCompile(q("zerotrust_segment.payments-" + suffix + " by zerotrust_segment_policy.payments-" + suffix + "/default.kubernetes_manifests[\"security.istio.io/v1/AuthorizationPolicy/" + ns + "/zt-payments-"))),
					})),
					statecheck.ExpectKnownOutputValueAtPath("evidence", tfjsonpath.New("Visibility & Analytics"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("access decisions logged: zerotrust_access_proxy.corp-maturity-" + suffix + ".logging.cloudwatch_log_group"),
						knownvalue.StringExact("logs carry the trust context of each decision: zerotrust_access_proxy.corp-maturity-" + suffix + ".logging.include_trust_context"),
						knownvalue.StringExact("logs analysed centrally (declared)"),
					})),
					statecheck.ExpectKnownOutputValueAtPath("evidence", tfjsonpath.New("Applications & Workloads"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("surfaces behind the access proxy: zerotrust_protect_surface.payments-" + suffix),
						knownvalue.StringExact("every rule meets its surface's sensitivity floor: zerotrust_protect_surface.payments-" + suffix + ".access_rule[0], zerotrust_protect_surface.payments-" + suffix + ".access_rule[1]"),
						knownvalue.StringExact("decisions checked on every sensitive surface: zerotrust_protect_surface.payments-" + suffix + " by [data.zerotrust_access_decision (decision_checks[0])]"),
					})),
					// A restricted segment in a namespace no policy covers.
					statecheck.ExpectKnownOutputValueAtPath("ledger_networks", tfjsonpath.New("stage"), knownvalue.StringExact("Advanced")),
					statecheck.ExpectKnownOutputValueAtPath("ledger_networks", tfjsonpath.New("next_steps"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringRegexp(regexp.MustCompile(q("zerotrust_segment.ledger-"+suffix+" (no Kubernetes default-deny, no Istio workload identity)") + "$")),
					})),
				},
			},
			{
				Config: maturityPosture(vpcID, ns, ledgerNS, suffix, true) + string(example),
				ConfigStateChecks: []statecheck.StateCheck{
					stages(map[string]string{
						"Identity": "Optimal", "Devices": "Initial", "Networks": "Optimal", "Applications & Workloads": "Initial",
						"Data": "Initial", "Visibility & Analytics": "Initial", "Automation & Orchestration": "Initial", "Governance": "Initial",
					}),
					next("Devices", q("require device posture in every rule of every confidential and restricted surface: zerotrust_protect_surface.payments-"+suffix+".access_rule[1].device")+"$"),
					next("Applications & Workloads", q("zerotrust_protect_surface.payments-"+suffix+".access_rule[1] (device below the floor, acknowledged)")),
					next("Visibility & Analytics", q("zerotrust_access_proxy.corp-maturity-"+suffix+".logging.include_trust_context")),
					next("Automation & Orchestration", q("give every privileged grant an expires_at: zerotrust_privileged_access.payments-oncall-"+suffix+".expires_at")),
					next("Governance", q("zerotrust_protect_surface.payments-"+suffix+".access_rule[1].acknowledgement")),
				},
			},
		},
	})
}

func TestAccDataSourceMaturityAssessment_badInput(t *testing.T) {
	// Each want is the diagnostic's text; the CLI wraps it anywhere.
	cases := map[string]struct{ config, want string }{
		"facts instead of a surface": {`protect_surfaces = [{ name = "payments", sensitivity = "restricted", device_required = true }]`,
			"protect_surfaces[0] must be a zerotrust_protect_surface passed whole, e.g. [zerotrust_protect_surface.payments]; got an object without access_rule, application, policy_document."},
		"a list where the proxy goes": {`access_proxy = [{ name = "corp" }]`,
			"access_proxy must be a zerotrust_access_proxy passed whole, e.g. zerotrust_access_proxy.corp; got a list."},
		"a segment's name instead of the segment": {`segments = { db = "db" }`,
			`segments["db"] must be a zerotrust_segment passed whole, e.g. [zerotrust_segment.db]; got a string.`},
		"a surface where policies go": {`segment_policies = [{ name = "a", sensitivity = "internal", access_rule = [], application = [], policy_document = "" }]`,
			"segment_policies[0] must be a zerotrust_segment_policy or zerotrust_segment_policy_set passed whole"},
		"a grant with a malformed expiry": {`privileged_access = [{ name = "a", group = "g", expires_at = "tomorrow", session_duration = "PT1H", acknowledgement = null }]`,
			`privileged_access[0].expires_at: parsing time "tomorrow"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.Config(acctest.ProviderBlockNoCloud(), "data \"zerotrust_maturity_assessment\" \"x\" {\n  "+tc.config+"\n}\n"),
					ExpectError: regexp.MustCompile(`(?s)` + words(tc.want)),
				}},
			})
		})
	}
}
