package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

const (
	vaGroupID = "c242c5b0-6081-1845-6fa8-6e0d9513c107"
	vaLBARN   = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/pay/50dc6c495c0c9188"
	vaCertARN = "arn:aws:acm:us-east-1:123456789012:certificate/8d7f-pay"
)

// vaProxy declares the proxy named name the surfaces sit on.
func vaProxy(label, name string) string {
	return acctest.AccessProxy(label, name, acctest.IdentityCenterIdP, acctest.JamfDevices("jamf-tenant"))
}

// vaApp is the payments-admin application behind a load balancer.
func vaApp(port int, cert string) string {
	return fmt.Sprintf(`
  application {
    name                   = "payments-admin"
    domain                 = "pay.internal.example.com"
    load_balancer_arn      = %q
    port                   = %d
    domain_certificate_arn = %q
    subnet_ids             = ["subnet-0123456789abcdef0"]
  }
`, vaLBARN, port, cert)
}

const vaRule = `
  access_rule {
    name        = "engineers-read-write"
    groups      = ["` + vaGroupID + `"]
    device      = local.corp_device
    require_mfa = true
    methods     = ["GET", "POST"]
  }
`

// vaRuleAdmin is vaRule limited to payments-admin: HTTP conditions cannot
// apply to a surface's TCP applications.
const vaRuleAdmin = `
  access_rule {
    name         = "engineers-read-write"
    groups       = ["` + vaGroupID + `"]
    device       = local.corp_device
    require_mfa  = true
    methods      = ["GET", "POST"]
    applications = ["payments-admin"]
  }
`

// vaSurface declares a restricted surface on proxy (with its trust context
// when declared) holding body.
func vaSurface(proxy string, declared bool, body string) string {
	tc := ""
	if declared {
		tc = "proxy_trust_context = zerotrust_access_proxy." + proxy + ".trust_context"
	}
	return fmt.Sprintf(`
locals {
  corp_device = { jamf = { max_risk = "LOW" } }
}

resource "zerotrust_protect_surface" "test" {
  name        = "payments"
  sensitivity = "restricted"
  proxy_id    = zerotrust_access_proxy.%s.id
  %s
  tags        = { team = "payments" }
%s
}
`, proxy, tc, body)
}

func TestAccProtectSurface_basic(t *testing.T) {
	var groupID, proxyID string
	cfg := acctest.Config(acctest.ProviderBlock(), vaProxy("corp", acctest.RandomName("corp")), vaSurface("corp", true, vaApp(443, vaCertARN)+vaRule))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessSurfaceGone(t, &groupID, &proxyID),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						// Proxy and surface are both created by this apply, yet
						// the reviewer reads the real policy in the plan.
						plancheck.ExpectUnknownValue("zerotrust_protect_surface.test", tfjsonpath.New("proxy_id")),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("policy_document"),
							knownvalue.StringRegexp(regexp.MustCompile(`(?s)^@id\("engineers-read-write"\)\npermit .*context\.jamf\.risk.*\n$`))),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoint_policy_documents"), knownvalue.MapExact(map[string]knownvalue.Check{})),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("application").AtSliceIndex(0).AtMapKey("protocol"), knownvalue.StringExact("https")),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("application").AtSliceIndex(0).AtMapKey("endpoint_domain_prefix"), knownvalue.StringExact("payments-admin")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^vagr-`))),
					statecheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("payments-admin").AtMapKey("id"), knownvalue.StringRegexp(regexp.MustCompile(`^vae-`))),
					statecheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("application").AtSliceIndex(0).AtMapKey("endpoint_type"), knownvalue.StringExact("load-balancer")),
					acctest.ExpectVerifiedAccessGroupTags("zerotrust_protect_surface.test", map[string]string{
						"managed-by": "terraform-provider-zerotrust", "zerotrust:surface": "payments", "zerotrust:sensitivity": "restricted", "team": "payments",
					}),
					// The live policy is exactly the compiled text, enabled.
					acctest.ExpectVerifiedAccessGroupPolicy("zerotrust_protect_surface.test"),
					acctest.ExpectVerifiedAccessGroupInstance("zerotrust_protect_surface.test", "zerotrust_access_proxy.corp"),
					acctest.CaptureID("zerotrust_protect_surface.test", &groupID),
					acctest.CaptureID("zerotrust_access_proxy.corp", &proxyID),
					acctest.ExpectVerifiedAccessEndpoints("zerotrust_protect_surface.test", knownvalue.ListSizeExact(1)),
					acctest.ExpectVerifiedAccessEndpoint("zerotrust_protect_surface.test", "payments-admin", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"status": knownvalue.StringExact("active"),
						"tags": knownvalue.MapPartial(map[string]knownvalue.Check{
							"zerotrust:application": knownvalue.StringExact("payments-admin"), "zerotrust:surface-id": acctest.KnownString(&groupID),
						}),
						"application_domain": knownvalue.StringExact("pay.internal.example.com"), "load_balancer_port": knownvalue.Int64Exact(443),
						"load_balancer_protocol": knownvalue.StringExact("https"), "endpoint_domain": knownvalue.StringRegexp(regexp.MustCompile(`^payments-admin\.`)),
						// No rule targets an application: no endpoint policy.
						"policy_enabled": knownvalue.Bool(false),
					})),
				},
			},
			{
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				ResourceName:      "zerotrust_protect_surface.test",
				ImportState:       true,
				ImportStateVerify: true,
				// Access rules are not recoverable from Cedar; the trust
				// context is configuration only.
				ImportStateVerifyIgnore: []string{"access_rule", "proxy_trust_context", "policy_statements"},
			},
			{
				// An import block: the plan adds the access rules to state,
				// and the compiled policy equals the live one.
				ResourceName:       "zerotrust_protect_surface.test",
				ImportState:        true,
				ImportStateKind:    resource.ImportBlockWithID,
				ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_protect_surface.test", plancheck.ResourceActionUpdate),
					vaExpectUnchanged("zerotrust_protect_surface.test", "policy_document"),
				}},
			},
			{
				// -generate-config-out writes configuration that passes the
				// resource's own validation and plans a no-op import.
				ResourceName:    "zerotrust_protect_surface.test",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				GenerateConfig:  true,
				// Access rules are not recoverable from Cedar: the generated
				// surface has none, so its plan changes the policy to deny-all.
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccProtectSurface_policyKnownInPlan: without a declared trust context
// the proxy is read from AWS at plan time; once it exists, the policy is
// known in the plan, with the rule's @id. Before it exists it cannot be.
func TestAccProtectSurface_policyKnownInPlan(t *testing.T) {
	var groupID, proxyID string
	known := vaProxy("known", acctest.RandomName("known"))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessSurfaceGone(t, &groupID, &proxyID),
		Steps: []resource.TestStep{
			{
				Config:            acctest.Config(acctest.ProviderBlock(), known),
				ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureID("zerotrust_access_proxy.known", &proxyID)},
			},
			{
				Config: acctest.Config(acctest.ProviderBlock(), known, vaSurface("known", false, vaApp(443, vaCertARN)+vaRule)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("policy_document"),
							knownvalue.StringRegexp(regexp.MustCompile(`@id\("engineers-read-write"\)`))),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureID("zerotrust_protect_surface.test", &groupID)},
			},
			{
				// A new proxy in the same plan and no declared context: the
				// policy cannot be known until apply.
				Config: acctest.Config(acctest.ProviderBlock(), known, vaProxy("other", acctest.RandomName("other")), vaSurface("other", false, vaApp(443, vaCertARN)+vaRule)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_protect_surface.test", plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectUnknownValue("zerotrust_protect_surface.test", tfjsonpath.New("policy_document")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectVerifiedAccessGroupInstance("zerotrust_protect_surface.test", "zerotrust_access_proxy.other"),
					acctest.CaptureID("zerotrust_protect_surface.test", &groupID),
					// The live policy has the rule.
					acctest.ExpectVerifiedAccessGroupPolicyDocument("zerotrust_protect_surface.test", knownvalue.StringRegexp(regexp.MustCompile(regexp.QuoteMeta(`@id("engineers-read-write")`)))),
				},
			},
		},
	})
}

// TestAccProtectSurface_update: rules, applications and endpoint options
// change in place; an immutable endpoint option re-creates that endpoint.
func TestAccProtectSurface_update(t *testing.T) {
	var groupID, proxyID, firstEndpoint string
	base := acctest.Config(acctest.ProviderBlock(), vaProxy("upd", acctest.RandomName("upd")))
	adminOnly := `
  application {
    name       = "ledger-db"
    cidr       = "10.40.0.0/24"
    port       = 5432
    subnet_ids = ["subnet-0123456789abcdef1", "subnet-0123456789abcdef2"]
  }
  access_rule {
    name         = "dba"
    groups       = ["` + vaGroupID + `"]
    device       = { jamf = { max_risk = "SECURE" } }
    require_mfa  = true
    applications = ["ledger-db"]
  }
  access_rule {
    name          = "no-deletes"
    effect        = "forbid"
    methods       = ["DELETE"]
    path_prefixes = ["/admin"]
    applications  = ["payments-admin"]
  }
`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessSurfaceGone(t, &groupID, &proxyID),
		Steps: []resource.TestStep{
			{
				Config: base + vaSurface("upd", true, vaApp(443, vaCertARN)+vaRule),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID("zerotrust_protect_surface.test", &groupID),
					acctest.CaptureID("zerotrust_access_proxy.upd", &proxyID),
					acctest.CaptureAttribute("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("payments-admin").AtMapKey("id"), &firstEndpoint),
				},
			},
			{
				// A second application and rules that target it: endpoint
				// policies appear; the group policy, the outer gate, gains the
				// application-specific permit (the app-only forbid stays in its
				// endpoint policy).
				Config: base + vaSurface("upd", true, vaApp(443, vaCertARN)+vaRuleAdmin+adminOnly),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_protect_surface.test", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("policy_document"),
							knownvalue.StringRegexp(regexp.MustCompile(`^@id\("dba"\)\npermit [^@]*@id\("engineers-read-write"\)\npermit [^@]*$`))),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoint_policy_documents").AtMapKey("ledger-db"),
							knownvalue.StringRegexp(regexp.MustCompile(`^@id\("dba"\)[^@]*$`))),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoint_policy_documents").AtMapKey("payments-admin"),
							knownvalue.StringRegexp(regexp.MustCompile(`^@id\("no-deletes"\)[^@]*@id\("engineers-read-write"\)[^@]*$`))),
						// The existing endpoint stays; the new one is unknown.
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("payments-admin").AtMapKey("id"), knownvalue.NotNull()),
						plancheck.ExpectUnknownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("ledger-db")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// The payments-admin endpoint is not re-created.
					statecheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("payments-admin").AtMapKey("id"), acctest.KnownString(&firstEndpoint)),
					acctest.ExpectVerifiedAccessGroupPolicy("zerotrust_protect_surface.test"),
					acctest.ExpectVerifiedAccessEndpointPolicy("zerotrust_protect_surface.test", "ledger-db"),
					acctest.ExpectVerifiedAccessEndpoint("zerotrust_protect_surface.test", "ledger-db", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"cidr": knownvalue.StringExact("10.40.0.0/24"), "cidr_protocol": knownvalue.StringExact("tcp"),
					})),
				},
			},
			{
				// Port: modified in place, same endpoint.
				Config: base + vaSurface("upd", true, vaApp(8443, vaCertARN)+vaRuleAdmin+adminOnly),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_protect_surface.test", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("payments-admin").AtMapKey("id"), acctest.KnownString(&firstEndpoint)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// The same endpoint, on the new port.
					statecheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("payments-admin").AtMapKey("id"), acctest.KnownString(&firstEndpoint)),
					acctest.ExpectVerifiedAccessEndpoint("zerotrust_protect_surface.test", "payments-admin", knownvalue.ObjectPartial(map[string]knownvalue.Check{"load_balancer_port": knownvalue.Int64Exact(8443)})),
				},
			},
			{
				// The certificate cannot be modified: the endpoint is re-created.
				Config: base + vaSurface("upd", true, vaApp(8443, vaCertARN+"-v2")+vaRuleAdmin+adminOnly),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_protect_surface.test", plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("payments-admin")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// The endpoint is re-created.
					statecheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("payments-admin").AtMapKey("id"), acctest.NotString(&firstEndpoint)),
					acctest.ExpectVerifiedAccessEndpoints("zerotrust_protect_surface.test", knownvalue.ListSizeExact(2)),
				},
			},
			{
				// Back to one application and one rule; sensitivity and name change in place.
				Config: strings.Replace(strings.Replace(base+vaSurface("upd", true, vaApp(8443, vaCertARN+"-v2")+vaRule), `"restricted"`, `"confidential"`, 1), `name        = "payments"`, `name        = "payments-v2"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_protect_surface.test", plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectVerifiedAccessGroupTags("zerotrust_protect_surface.test", map[string]string{"zerotrust:sensitivity": "confidential", "zerotrust:surface": "payments-v2"}),
					acctest.ExpectVerifiedAccessEndpoints("zerotrust_protect_surface.test", knownvalue.ListSizeExact(1)),
				},
			},
		},
	})
}

// TestAccProtectSurface_drift: a policy re-spaced and re-ordered out of band
// is not drift; a real edit, a disabled policy, an endpoint modified or
// deleted out of band are, and apply corrects them.
func TestAccProtectSurface_drift(t *testing.T) {
	var groupID, proxyID, compiled string
	body := vaApp(443, vaCertARN) + vaRule + `
  access_rule {
    name    = "no-deletes"
    effect  = "forbid"
    methods = ["DELETE"]
  }
`
	cfg := acctest.Config(acctest.ProviderBlock(), vaProxy("drift", acctest.RandomName("drift")), vaSurface("drift", true, body))
	setPolicy := func(doc string, enabled bool) { acctest.SetVerifiedAccessGroupPolicy(t, groupID, doc, enabled) }
	// The live policy is enabled again and is the compiled one.
	restored := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("policy_document"), acctest.KnownString(&compiled)),
		acctest.ExpectVerifiedAccessGroupPolicy("zerotrust_protect_surface.test"),
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessSurfaceGone(t, &groupID, &proxyID),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID("zerotrust_protect_surface.test", &groupID),
					acctest.CaptureAttribute("zerotrust_protect_surface.test", tfjsonpath.New("policy_document"), &compiled),
					acctest.CaptureID("zerotrust_access_proxy.drift", &proxyID),
				},
			},
			{
				// Same statements, other order and spacing, a comment: not drift.
				PreConfig: func() {
					parts := strings.Split(strings.TrimSuffix(compiled, "\n"), "\n\n")
					if len(parts) != 2 {
						t.Fatalf("expected two statements, got %q", compiled)
					}
					setPolicy("// reviewed\n"+strings.ReplaceAll(parts[1], "\n", "  ")+"\n\n\n"+parts[0], true)
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: false,
			},
			{
				// A real edit: the forbid now covers PUT.
				PreConfig: func() { setPolicy(strings.Replace(compiled, `"DELETE"`, `"PUT"`, 1), true) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_protect_surface.test", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("policy_document"), acctest.KnownString(&compiled)),
					},
				},
				ConfigStateChecks: restored,
			},
			{
				// Evaluation switched off: the document is no longer enforced.
				PreConfig: func() { setPolicy("", false) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_protect_surface.test", plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: restored,
			},
			{
				// The endpoint's port changed out of band.
				PreConfig: func() {
					acctest.SetVerifiedAccessEndpointPort(t, acctest.VerifiedAccessEndpoints(t, groupID)[0].ID, 80)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_protect_surface.test", plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// Port 443 restored.
					acctest.ExpectVerifiedAccessEndpoint("zerotrust_protect_surface.test", "payments-admin", knownvalue.ObjectPartial(map[string]knownvalue.Check{"load_balancer_port": knownvalue.Int64Exact(443)})),
				},
			},
			{
				// The endpoint was deleted out of band: re-created.
				PreConfig: func() {
					if err := acctest.DeleteVerifiedAccessEndpoint(t, acctest.VerifiedAccessEndpoints(t, groupID)[0].ID); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("payments-admin"))},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectVerifiedAccessEndpoints("zerotrust_protect_surface.test", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"status": knownvalue.StringExact("active")}),
					})),
				},
			},
		},
	})
}

func TestAccProtectSurface_disappears(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: acctest.Config(acctest.ProviderBlock(), vaProxy("gone", acctest.RandomName("gone")), vaSurface("gone", true, vaApp(443, vaCertARN)+vaRule)),
				// Deleted out of band after the apply: the next plan re-creates it.
				ConfigStateChecks:  []statecheck.StateCheck{acctest.DisappearProtectSurface("zerotrust_protect_surface.test")},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// vaStaticSurface is a surface with a literal proxy id and trust context, so
// it plans without any AWS call.
func vaStaticSurface(sensitivity, body string) string {
	return acctest.ProviderBlock() + fmt.Sprintf(`
resource "zerotrust_protect_surface" "test" {
  name                = "bad"
  sensitivity         = %q
  proxy_id            = "vai-0123456789abcdef0"
  proxy_trust_context = jsonencode({
    identity_provider      = { type = "iam-identity-center", reference = "idc", mfa_enforced = true }
    device_trust_providers = [{ type = "jamf", reference = "jamf" }]
  })
%s
}
`, sensitivity, body)
}

func TestAccProtectSurface_badInput(t *testing.T) {
	rule := func(lines ...string) string { return "access_rule {\n" + strings.Join(lines, "\n") + "\n}\n" }
	group := `groups = ["` + vaGroupID + `"]`
	strong := `device = { jamf = { max_risk = "LOW" } }`
	app := "application {\nname = \"app\"\ncidr = \"10.0.0.0/24\"\nport = 22\nsubnet_ids = [\"subnet-0123456789abcdef0\"]\n}\n"
	subnet := `subnet_ids = ["subnet-0123456789abcdef0"]`
	rdsApp := func(lines ...string) string {
		return "application {\nname = \"db\"\nrds_db_instance_arn = \"" + vaDBInstanceARN + "\"\n" + strings.Join(lines, "\n") + "\n}\n"
	}
	cidrRanges := func(ranges string) string {
		return "application {\nname = \"net\"\ncidr = \"10.0.0.0/24\"\nport_ranges = [" + ranges + "]\n" + subnet + "\n}\n"
	}
	cases := map[string]struct {
		sensitivity, body, want string
	}{
		"below the restricted floor": {"restricted", rule(`name = "weak"`, group, strong, `methods = ["GET"]`),
			`(?s)Below the restricted floor.*access_rule \{.*Rule "weak" is weaker than a restricted surface\s+demands:\s+require\s+MFA.*\(at\s+access_rule\[0\]\.require_mfa\)`},
		"weak device on restricted": {"restricted", rule(`name = "weak"`, group, `device = { jamf = { max_risk = "HIGH" } }`, `require_mfa = true`, `methods = ["GET"]`),
			`(?s)Below the restricted floor.*device = \{ jamf = \{ max_risk = "HIGH" \} \}.*require\s+a\s+strong\s+device\s+posture\s+\(got\s+basic\)`},
		"unconditional permit": {"internal", rule(`name = "everyone"`), `(?s)Unconditional permit.*Rule "everyone" permits every request to a internal surface`},
		"unknown application":  {"internal", app + rule(`name = "r"`, group, `applications = ["nope"]`), `(?s)Unknown application.*the surface has no application named "nope"`},
		"bad client CIDR":      {"internal", rule(`name = "r"`, group, `client_cidrs = ["10.0.0.0/33"]`), `(?s)Invalid CIDR block.*"10.0.0.0/33" is not a CIDR block`},
		"duplicate rule names": {"internal", rule(`name = "r"`, group) + rule(`name = "r"`, group),
			`(?s)Duplicate rule name.*access_rule\[0\] is already named "r"`},
		"unknown jamf risk": {"internal", rule(`name = "r"`, group, `device = { jamf = { max_risk = "HUGE" } }`), `(?s)Unknown Jamf risk level.*max_risk must be one of SECURE, LOW, MEDIUM, HIGH`},
		"fractional crowdstrike score": {"internal", rule(`name = "r"`, group, `device = { crowdstrike = { min_overall_score = 50.5 } }`),
			`(?s)Invalid number.*min_overall_score must be a whole number\s+from 0 to 100, got 50\.5`},
		"no crowdstrike provider on the proxy": {"internal", rule(`name = "r"`, group, `device = { crowdstrike = { min_overall_score = 80 } }`),
			`(?s)No crowdstrike trust provider.*the access proxy has no crowdstrike device trust provider`},
		"group by name with Identity Center": {"internal", rule(`name = "r"`, `groups = ["payments-engineering"]`), `(?s)Invalid Identity Center group id.*refer to groups by id`},
		"two endpoint targets": {"internal", "application {\nname = \"app\"\ncidr = \"10.0.0.0/24\"\nnetwork_interface_id = \"eni-0123456789abcdef0\"\nport = 22\n}\n",
			`(?s)Exactly one endpoint target required`},
		"load balancer without certificate": {"internal", "application {\nname = \"app\"\ndomain = \"a.example.com\"\nload_balancer_arn = \"" + vaLBARN + "\"\nport = 443\n}\n",
			`(?s)Certificate required.*needs the ACM certificate of its domain`},
		"cidr endpoint with a domain": {"internal", "application {\nname = \"app\"\ndomain = \"a.example.com\"\ncidr = \"10.0.0.0/24\"\nport = 22\nsubnet_ids = [\"subnet-0123456789abcdef0\"]\n}\n",
			`(?s)Not applicable.*domain = "a.example.com".*domain applies to load-balancer and network-interface endpoints`},
		"bad sensitivity": {"secret", "", `(?s)Attribute sensitivity value must be one of`},
		"two rds targets": {"internal", rdsApp(`rds_db_cluster_arn = "arn:aws:rds:us-east-1:123456789012:cluster:ledger"`, `port = 5432`, subnet),
			`(?s)Exactly one endpoint target required.*rds_db_instance_arn`},
		"rds target and cidr": {"internal", rdsApp(`cidr = "10.0.0.0/24"`, `port = 5432`, subnet), `(?s)Exactly one endpoint target required`},
		"rds cluster ARN as an instance": {"internal", "application {\nname = \"db\"\nrds_db_instance_arn = \"arn:aws:rds:us-east-1:123456789012:cluster:ledger\"\nport = 5432\n" + subnet + "\n}\n",
			`(?s)rds_db_instance_arn.*must\s+be\s+an\s+RDS\s+DB\s+instance\s+ARN`},
		"rds without subnets": {"internal", rdsApp(`port = 5432`), `(?s)Subnets required.*rds\s+endpoint\s+needs\s+the\s+subnets`},
		"rds without port":    {"internal", rdsApp(subnet), `(?s)Port required.*needs\s+the\s+port\s+its\s+endpoint\s+listens\s+on`},
		"rds over http":       {"internal", rdsApp(`port = 5432`, subnet, `protocol = "http"`), `(?s)Invalid protocol.*rds\s+endpoint\s+forwards\s+TCP\s+only`},
		"rds with port ranges": {"internal", rdsApp(`port = 5432`, subnet, `port_ranges = ["5432"]`),
			`(?s)Not applicable.*port_ranges\s+applies\s+to\s+cidr\s+endpoints`},
		"HTTP condition on an rds application": {"internal", rdsApp(`port = 5432`, subnet) + rule(`name = "r"`, group, `methods = ["GET"]`),
			`(?s)HTTP condition on a TCP application.*TCP\s+application\s+"db"`},
		"cidr port ranges out of order": {"internal", cidrRanges(`"8000-8080", "22"`),
			`(?s)Port ranges out of order.*"22" comes after "8000-8080":\s+list\s+port\s+ranges\s+in\s+ascending\s+order`},
		"cidr port ranges overlap":    {"internal", cidrRanges(`"22-100", "50"`), `(?s)Port ranges overlap.*"50" overlaps "22-100"`},
		"cidr port range upside down": {"internal", cidrRanges(`"8080-8000"`), `(?s)Port range upside down.*"8080-8000"\s+starts\s+after\s+it\s+ends;\s+write\s+"8000-8080"`},
		"cidr port 0":                 {"internal", cidrRanges(`"0-22"`), `(?s)Port out of range.*ports\s+are\s+1–65535,\s+got\s+"0-22"`},
		"cidr port range not a range": {"internal", cidrRanges(`"ssh"`), `(?s)Invalid port range.*between\s+1\s+and\s+65535,\s+got\s+"ssh"`},
		"cidr port and port ranges": {"internal", strings.Replace(cidrRanges(`"22"`), "port_ranges", "port = 22\nport_ranges", 1),
			`(?s)Ports required.*port_ranges\s+\(or\s+one\s+port\s+in\s+port\),\s+not\s+both`},
		"cidr without ports": {"internal", strings.Replace(app, "port = 22\n", "", 1), `(?s)Ports required.*give\s+its\s+ports\s+in\s+port_ranges`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // plan-only, nothing in the sandbox is read or written
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      vaStaticSurface(tc.sensitivity, tc.body),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	t.Run("invalid trust context", func(t *testing.T) {
		t.Parallel() // plan-only, nothing in the sandbox is read or written
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: acctest.ProviderBlock() + `
resource "zerotrust_protect_surface" "test" {
  name                = "bad"
  proxy_id            = "vai-0123456789abcdef0"
  proxy_trust_context = "{\"identity\": 1}"
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid trust context.*proxy_trust_context`),
			}},
		})
	})
}

// TestAccProtectSurface_acknowledged: an acknowledged floor violation is a
// warning, and the plan goes ahead.
func TestAccProtectSurface_acknowledged(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: vaStaticSurface("restricted", `
access_rule {
  name            = "break-glass"
  groups          = ["`+vaGroupID+`"]
  acknowledgement = "break-glass access, reviewed by the CISO"
}
`),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}

// --- helpers ---

// vaExpectUnchanged checks that a resource change leaves an attribute as it was.
func vaExpectUnchanged(address, attr string) plancheck.PlanCheck { return vaUnchanged{address, attr} }

type vaUnchanged struct{ address, attr string }

func (c vaUnchanged) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.address {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		if before == nil || after == nil || before[c.attr] == nil || fmt.Sprint(before[c.attr]) != fmt.Sprint(after[c.attr]) {
			resp.Error = fmt.Errorf("%s.%s changes: %v -> %v", c.address, c.attr, before[c.attr], after[c.attr])
		}
		return
	}
	resp.Error = fmt.Errorf("no change planned for %s", c.address)
}

// TestAccProtectSurface_example applies the documented examples of both
// resources in the sandbox: they are valid, converge, and plan empty after.
func TestAccProtectSurface_example(t *testing.T) {
	key := acctest.CreateKMSKey(t) // the examples' customer-managed keys must exist
	for _, tc := range []struct {
		resourceType string
		vars         config.Variables
		check        string
	}{
		{"zerotrust_access_proxy", config.Variables{
			"jamf_tenant_id": config.StringVariable("jamf-1"), "okta_client_id": config.StringVariable("zt"),
			"okta_client_secret": config.StringVariable("s3cret"), "crowdstrike_customer_id": config.StringVariable("cs-1"),
			"verified_access_kms_key_arn": config.StringVariable(key), "okta_native_client_id": config.StringVariable("zt-native"),
			"okta_native_client_secret": config.StringVariable("n4tive"),
		}, "zerotrust_access_proxy.partners"},
		{"zerotrust_protect_surface", config.Variables{
			"jamf_tenant_id": config.StringVariable("jamf-1"), "payments_engineering_group_id": config.StringVariable(vaGroupID),
			"payments_lb_arn": config.StringVariable(vaLBARN), "payments_certificate_arn": config.StringVariable(vaCertARN),
			"private_subnet_ids":   config.ListVariable(config.StringVariable("subnet-0123456789abcdef0")),
			"dba_group_id":         config.StringVariable("d242c5b0-6081-1845-6fa8-6e0d9513c107"),
			"payments_kms_key_arn": config.StringVariable(key),
			"ledger_cluster_arn":   config.StringVariable("arn:aws:rds:us-east-1:123456789012:cluster:ledger"),
		}, "zerotrust_protect_surface.payments"},
	} {
		t.Run(tc.resourceType, func(t *testing.T) {
			// Serial: both documented examples declare a proxy named corp, and
			// the examples' names cannot take a random suffix.
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:          exampleConfig(t, tc.resourceType),
					ConfigVariables: tc.vars,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(tc.check, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^va`))),
					},
				}},
			})
		})
	}
}

// TestAccProtectSurface_partialFailure: the group is created but its
// endpoint cannot be. State records the group (Terraform taints it); the
// next apply deletes it and converges to one group with one endpoint.
func TestAccProtectSurface_partialFailure(t *testing.T) {
	if acctest.Sandbox == nil {
		t.Skip("fault injection needs the sandbox's Verified Access front")
	}
	ctl := acctest.Sandbox.Control()
	ctx := context.Background()
	t.Cleanup(func() { _ = ctl.ClearFaults(ctx) })
	name := acctest.RandomName("partial_surface")
	cfg := acctest.Config(acctest.ProviderBlockMaxRetries(2), vaProxy("partial_surface", name), vaSurface("partial_surface", true, vaApp(443, vaCertARN)+vaRule))
	var proxyID, groupID string
	// Serial: fault injection is global to the sandbox.
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessSurfaceGone(t, &groupID, &proxyID),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := ctl.SetFaults(ctx, vafront.Faults{ThrottleRate: 1, Actions: []string{"CreateVerifiedAccessEndpoint"}}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Creating the protect surface failed.*CreateVerifiedAccessEndpoint`),
			},
			{
				PreConfig: func() {
					if err := ctl.ClearFaults(ctx); err != nil {
						t.Fatal(err)
					}
					ids := acctest.VerifiedAccessInstancesNamed(t, name)
					if len(ids) != 1 {
						t.Fatalf("proxies %v", ids)
					}
					proxyID = ids[0]
					groups, err := acctest.VerifiedAccessGroupsOf(t, proxyID)
					if err != nil || len(groups) != 1 {
						t.Fatalf("after the failed apply: %v groups (%v), want the one created", groups, err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_protect_surface.test", plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID("zerotrust_protect_surface.test", &groupID),
					// The proxy found after the failed apply, with one group and one endpoint.
					statecheck.ExpectKnownValue("zerotrust_access_proxy.partial_surface", tfjsonpath.New("id"), acctest.KnownString(&proxyID)),
					acctest.ExpectVerifiedAccessObjectCounts("zerotrust_access_proxy.partial_surface", name, 1, 2, 1, 1),
				},
			},
		},
	})
}
