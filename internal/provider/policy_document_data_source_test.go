package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze/whatif"
	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// paymentsDocument is a restricted surface on an OIDC proxy with Jamf: a
// permit for engineers, an application-specific permit for auditors and a
// quarantine forbid.
const paymentsDocument = `
data "zerotrust_policy_document" "payments" {
  name        = "payments"
  sensitivity = "restricted"
  identity_provider     = { type = "oidc", reference = "okta" }
  device_trust_provider = [{ type = "jamf", reference = "jamf" }]

  application {
    name   = "admin"
    domain = "pay.example.com"
  }
  application {
    name   = "api"
    domain = "api.pay.example.com"
  }

  access_rule {
    name        = "engineers-read-write"
    groups      = ["engineers"]
    device      = { jamf = { max_risk = "LOW" } }
    require_mfa = true
    methods     = ["GET", "POST"]
  }
  access_rule {
    name         = "auditors-read"
    groups       = ["auditors"]
    device       = { jamf = { max_risk = "SECURE" } }
    require_mfa  = true
    methods      = ["GET"]
    applications = ["admin"]
  }
  access_rule {
    name   = "quarantine"
    effect = "forbid"
    groups = ["quarantined"]
  }
}
`

// expectedPayments compiles the same surface directly, so the data source
// is checked against the compiler rather than against a pasted string.
func expectedPayments(t *testing.T) verifiedaccess.Result {
	t.Helper()
	s := model.ProtectSurface{
		Name: "payments", Sensitivity: "restricted",
		Proxy: model.AccessProxy{Name: "proxy", IdentityProvider: model.IdentityProvider{Type: model.IdentityOIDC, Reference: "okta"},
			DeviceProviders: []model.DeviceTrustProvider{{Type: model.DeviceJamf, Reference: "jamf"}}},
		Applications: []model.Application{{Name: "admin", Domain: "pay.example.com"}, {Name: "api", Domain: "api.pay.example.com"}},
		AccessRules: []model.AccessRule{
			{Name: "engineers-read-write", Effect: model.EffectPermit, Groups: []string{"engineers"}, Device: &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: "LOW"}}, RequireMFA: true, Methods: []string{"GET", "POST"}},
			{Name: "auditors-read", Effect: model.EffectPermit, Groups: []string{"auditors"}, Device: &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: "SECURE"}}, RequireMFA: true, Methods: []string{"GET"}, Applications: []string{"admin"}},
			{Name: "quarantine", Effect: model.EffectForbid, Groups: []string{"quarantined"}},
		},
	}
	res, ps := verifiedaccess.Compile(s, verifiedaccess.Options{})
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	return res
}

func TestAccDataSourcePolicyDocument_compiles(t *testing.T) {
	want := expectedPayments(t)
	admin, _ := want.Endpoint("admin")
	api, _ := want.Endpoint("api")
	if normalized, err := whatif.Normalize(want.GroupPolicy); err != nil || normalized != want.GroupPolicy {
		t.Fatalf("fixture is not canonical: %v", err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: verifyFactories,
		Steps: []resource.TestStep{{
			Config: paymentsDocument,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.zerotrust_policy_document.payments", tfjsonpath.New("policy_document"), knownvalue.StringExact(want.GroupPolicy)),
				statecheck.ExpectKnownValue("data.zerotrust_policy_document.payments", tfjsonpath.New("endpoint_policy_documents"), knownvalue.MapExact(map[string]knownvalue.Check{
					"admin": knownvalue.StringExact(admin.Policy),
					"api":   knownvalue.StringExact(api.Policy),
				})),
				statecheck.ExpectKnownValue("data.zerotrust_policy_document.payments", tfjsonpath.New("applications_with_endpoint_policy"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("admin"), knownvalue.StringExact("api")})),
				statecheck.ExpectKnownValue("data.zerotrust_policy_document.payments", tfjsonpath.New("context_schema"), knownvalue.StringExact(want.Schema)),
				statecheck.ExpectKnownValue("data.zerotrust_policy_document.payments", tfjsonpath.New("trust_context"),
					knownvalue.StringExact(`{"identity_provider":{"type":"oidc","reference":"okta","mfa_enforced":false},"device_trust_providers":[{"type":"jamf","reference":"jamf"}]}`)),
			},
		}},
	})
}

// Floors and lint surface as diagnostics at the rule's attribute; an
// acknowledgement turns them into warnings; a bad trust provider is reported
// at its own attribute.
func TestAccDataSourcePolicyDocument_diagnostics(t *testing.T) {
	doc := func(rule, idp string) string {
		return `
data "zerotrust_policy_document" "x" {
  sensitivity       = "restricted"
  identity_provider = ` + idp + `
  device_trust_provider = [{ type = "jamf", reference = "jamf" }]
  access_rule {
` + rule + `
  }
}
output "doc" { value = data.zerotrust_policy_document.x.policy_document }
`
	}
	okIdP := `{ type = "oidc", reference = "okta" }`
	weak := `    name   = "everyone-in-eng"
    groups = ["engineers"]
    methods = ["GET"]
    require_mfa = true`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: verifyFactories,
		Steps: []resource.TestStep{
			{
				Config:      doc(weak, okIdP),
				ExpectError: regexp.MustCompile(`(?s)Below the restricted floor.*at access_rule\[0\]\.device`),
			},
			{
				Config: doc(weak+"\n    acknowledgement = \"break-glass, reviewed 2026-11\"", okIdP),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("doc", knownvalue.StringRegexp(regexp.MustCompile(`@id\("everyone-in-eng"\)`))),
				},
			},
			{
				Config:      doc(`    name = "anyone"`, okIdP),
				ExpectError: regexp.MustCompile(`(?s)Unconditional permit|permits every request`),
			},
			{
				Config:      doc(weak, `{ type = "saml", reference = "okta" }`),
				ExpectError: regexp.MustCompile(`(?s)Unknown identity provider type.*got\s+"saml"`),
			},
			{
				Config:      doc(`    name = "x"`+"\n    groups = [\"a\"]", `{ type = "oidc", reference = "http_request" }`),
				ExpectError: regexp.MustCompile(`Reserved policy reference name`),
			},
		},
	})
}
