package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// proxyIDC is an IAM Identity Center proxy with a Jamf device provider and
// CloudWatch access logs; extra is spliced into the resource body.
func proxyIDC(name, extra string) string {
	return acctest.Config(acctest.ProviderBlock(), proxyIDCResource(name, extra))
}

// proxyIDCResource is proxyIDC without the provider block.
func proxyIDCResource(name, extra string) string {
	return acctest.AccessProxy("test", name, acctest.IdentityCenterIdP, acctest.JamfDevices("jamf-tenant-1"),
		acctest.Block("logging", acctest.Attr("cloudwatch_log_group", "/verified-access/"+name)),
		acctest.Attr("tags", map[string]string{"team": "security"}), extra)
}

func TestAccAccessProxy_basic(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter, acctest.RealVerifiedAccess)
	name := acctest.RandomName("corp")
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessInstanceGone(t, &id),
		Steps: []resource.TestStep{
			{
				Config: proxyIDC(name, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						// The trust context is known before anything exists.
						plancheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("trust_context"),
							knownvalue.StringExact(`{"identity_provider":{"type":"iam-identity-center","reference":"idc","mfa_enforced":true},"device_trust_providers":[{"type":"jamf","reference":"jamf"}]}`)),
						plancheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("reference_names"),
							knownvalue.MapExact(map[string]knownvalue.Check{"iam-identity-center": knownvalue.StringExact("idc"), "jamf": knownvalue.StringExact("jamf")})),
						plancheck.ExpectUnknownValue("zerotrust_access_proxy.test", tfjsonpath.New("id")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^vai-[0-9a-f]+$`))),
					statecheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("trust_provider_ids").AtMapKey("idc"), knownvalue.StringRegexp(regexp.MustCompile(`^vatp-`))),
					statecheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("trust_provider_ids").AtMapKey("jamf"), knownvalue.StringRegexp(regexp.MustCompile(`^vatp-`))),
					statecheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("unmanaged_trust_provider_ids"), knownvalue.ListExact(nil)),
					acctest.ExpectVerifiedAccessInstanceTags("zerotrust_access_proxy.test", map[string]string{
						"managed-by": "terraform-provider-zerotrust", "zerotrust:proxy": name, "team": "security", "Name": name,
					}),
					acctest.CaptureID("zerotrust_access_proxy.test", &id),
					acctest.ExpectAttachedTrustProviders("zerotrust_access_proxy.test", "device/jamf/jamf/jamf-tenant-1", "user/iam-identity-center/idc/"),
					acctest.ExpectTrustProvidersOwned("zerotrust_access_proxy.test"),
					// The user trust provider records mfa_enforced.
					acctest.ExpectUserTrustProvider("zerotrust_access_proxy.test", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"tags": knownvalue.MapPartial(map[string]knownvalue.Check{"zerotrust:mfa-enforced": knownvalue.StringExact("true")}),
					})),
					acctest.ExpectAccessLogs("zerotrust_access_proxy.test", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"cloudwatch_enabled": knownvalue.Bool(true), "cloudwatch_log_group": knownvalue.StringExact("/verified-access/" + name),
					})),
				},
			},
			{
				ResourceName:      "zerotrust_access_proxy.test",
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// An import block plans a no-op: everything is read back.
				ResourceName:    "zerotrust_access_proxy.test",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
			{
				// -generate-config-out writes configuration that passes the
				// resource's own validation and plans a no-op import.
				ResourceName:    "zerotrust_access_proxy.test",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				GenerateConfig:  true,
			},
		},
	})
}

func proxyOIDC(name, scope, secret, version, extra string) string {
	return acctest.ProviderBlock() + fmt.Sprintf(`
resource "zerotrust_access_proxy" "test" {
  name        = %q
  description = "OIDC proxy"

  identity_provider {
    type         = "oidc"
    reference    = "okta"
    groups_claim = "roles"
    oidc {
      issuer                 = "https://corp.okta.example.com"
      authorization_endpoint = "https://corp.okta.example.com/oauth2/v1/authorize"
      token_endpoint         = "https://corp.okta.example.com/oauth2/v1/token"
      user_info_endpoint     = "https://corp.okta.example.com/oauth2/v1/userinfo"
      client_id              = "zerotrust"
      client_secret          = %q
      client_secret_version  = %q
      scope                  = %q
    }
  }
%s
}
`, name, secret, version, scope, extra)
}

// TestAccAccessProxy_update: OIDC options, secret rotation, groups claim,
// logging and device providers change in place; a reference change replaces.
func TestAccAccessProxy_update(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter, acctest.RealVerifiedAccess)
	name := acctest.RandomName("oidc")
	var id string
	crowdstrike := `
  device_trust_provider {
    type      = "crowdstrike"
    reference = "crwd"
    tenant_id = "cs-1"
  }
  logging {
    s3 {
      bucket = "va-logs"
      prefix = "corp/"
    }
    include_trust_context = true
    log_version           = "ocsf-1.0.0-rc.2"
  }
`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessInstanceGone(t, &id),
		Steps: []resource.TestStep{
			{
				Config: proxyOIDC(name, "openid", "first-secret", "1", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					// Write-only: the secret is in neither state nor plan.
					statecheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("identity_provider").AtMapKey("oidc").AtMapKey("client_secret"), knownvalue.Null()),
					acctest.CaptureID("zerotrust_access_proxy.test", &id),
				},
			},
			{
				// Scope and secret version change, a device provider and
				// logging are added: all in place.
				Config: proxyOIDC(name, "openid email groups", "second-secret", "2", crowdstrike),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_access_proxy.test", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("trust_context"),
							knownvalue.StringExact(`{"identity_provider":{"type":"oidc","reference":"okta","groups_claim":"roles","mfa_enforced":false},"device_trust_providers":[{"type":"crowdstrike","reference":"crwd"}]}`)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// Not replaced: the same instance.
					statecheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("id"), acctest.KnownString(&id)),
					acctest.ExpectAttachedTrustProviders("zerotrust_access_proxy.test", "device/crowdstrike/crwd/cs-1", "user/oidc/okta/"),
					acctest.ExpectUserTrustProvider("zerotrust_access_proxy.test", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"scope": knownvalue.StringExact("openid email groups"),
						"tags":  knownvalue.MapPartial(map[string]knownvalue.Check{"zerotrust:client-secret-version": knownvalue.StringExact("2")}),
					})),
					acctest.ExpectAccessLogs("zerotrust_access_proxy.test", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"cloudwatch_enabled": knownvalue.Bool(false), "s3_enabled": knownvalue.Bool(true), "s3_bucket": knownvalue.StringExact("va-logs"),
						"include_trust_context": knownvalue.Bool(true), "log_version": knownvalue.StringExact("ocsf-1.0.0-rc.2"),
					})),
				},
			},
			{
				// Removing the device provider and the logging: in place.
				Config: proxyOIDC(name, "openid email groups", "second-secret", "2", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_access_proxy.test", plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectAttachedTrustProviders("zerotrust_access_proxy.test", "user/oidc/okta/"),
					// The detached one is deleted.
					acctest.ExpectOwnedTrustProviders(&id, 1),
					acctest.ExpectAccessLogs("zerotrust_access_proxy.test", knownvalue.ObjectPartial(map[string]knownvalue.Check{"s3_enabled": knownvalue.Bool(false)})),
				},
			},
			{
				// A new reference name cannot be modified in place.
				Config: strings.Replace(proxyOIDC(name, "openid email groups", "second-secret", "2", ""), `reference    = "okta"`, `reference    = "corp_idp"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_access_proxy.test", plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectVerifiedAccessInstanceReplaced("zerotrust_access_proxy.test", &id)},
			},
		},
	})
}

// TestAccAccessProxy_deviceTenantForcesReplacement: a device provider's
// tenant cannot be modified; the plan says so at that attribute.
func TestAccAccessProxy_deviceTenantForcesReplacement(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter, acctest.RealVerifiedAccess)
	name := acctest.RandomName("tenant")
	var id string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessInstanceGone(t, &id),
		Steps: []resource.TestStep{
			{
				Config:            proxyIDC(name, ""),
				ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureID("zerotrust_access_proxy.test", &id)},
			},
			{
				Config: strings.Replace(proxyIDC(name, ""), "jamf-tenant-1", "jamf-tenant-2", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_access_proxy.test", plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureID("zerotrust_access_proxy.test", &id)},
			},
		},
	})
}

// TestAccAccessProxy_drift changes the proxy out of band — description,
// logging, an extra trust provider attached, the declared device provider
// detached — and shows the plan catches each and apply corrects them.
func TestAccAccessProxy_drift(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter, acctest.RealVerifiedAccess)
	var id string
	cfg := proxyIDC(acctest.RandomName("drift"), "")
	var foreign string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessInstanceGone(t, &id),
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{acctest.CaptureID("zerotrust_access_proxy.test", &id)},
			},
			{
				PreConfig: func() {
					acctest.SetVerifiedAccessInstanceDescription(t, id, "edited by hand")
					acctest.DisableVerifiedAccessCloudWatchLogs(t, id)
					for _, tp := range acctest.AttachedTrustProviders(t, id) {
						if tp.Kind == "device" && tp.Type == "jamf" {
							if err := acctest.DetachTrustProvider(t, id, tp.ID); err != nil {
								t.Fatal(err)
							}
						}
					}
					foreign = acctest.CreateDeviceTrustProvider(t, "jumpcloud", "sneaky", "x")
					acctest.AttachTrustProvider(t, id, foreign)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_access_proxy.test", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("unmanaged_trust_provider_ids"), knownvalue.ListExact(nil)),
						plancheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("description"), knownvalue.StringExact("Zero-trust access proxy (managed by terraform-provider-zerotrust)")),
					},
				},
				// Description, attachments and logging restored.
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectVerifiedAccessInstanceDescription("zerotrust_access_proxy.test", "Zero-trust access proxy (managed by terraform-provider-zerotrust)"),
					acctest.ExpectAttachedTrustProviders("zerotrust_access_proxy.test", "device/jamf/jamf/jamf-tenant-1", "user/iam-identity-center/idc/"),
					acctest.ExpectAccessLogs("zerotrust_access_proxy.test", knownvalue.ObjectPartial(map[string]knownvalue.Check{"cloudwatch_enabled": knownvalue.Bool(true)})),
					// The foreign provider was detached, not deleted: it is not ours.
					acctest.ExpectTrustProviderExists(&foreign),
				},
			},
			{
				// Converged: nothing left to do.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
	_ = acctest.DeleteTrustProvider(t, foreign)
}

func TestAccAccessProxy_disappears(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter, acctest.RealVerifiedAccess)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: proxyIDC(acctest.RandomName("gone"), ""),
				// Deleted out of band after the apply: the next plan re-creates it.
				ConfigStateChecks:  []statecheck.StateCheck{acctest.DisappearAccessProxy("zerotrust_access_proxy.test")},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccAccessProxy_badInput(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter, acctest.RealVerifiedAccess)
	idp := func(body string) string { return "identity_provider {\n" + body + "\n}\n" }
	cases := map[string]struct {
		body string
		want string
	}{
		"reference not a Cedar identifier": {idp(`type = "iam-identity-center"` + "\n" + `reference = "my-idp"`),
			`(?s)Invalid policy reference name.*reference = "my-idp".*"my-idp" is not a Cedar identifier`},
		"reserved reference": {idp(`type = "iam-identity-center"` + "\n" + `reference = "http_request"`), `(?s)Reserved policy reference name`},
		"duplicate references": {idp(`type = "iam-identity-center"`+"\n"+`reference = "corp"`) +
			`device_trust_provider {` + "\n" + `type = "jamf"` + "\n" + `reference = "corp"` + "\n" + `tenant_id = "t"` + "\n}",
			`(?s)Duplicate policy reference name.*reference = "corp"`},
		"two providers of one device type": {idp(`type = "iam-identity-center"`+"\n"+`reference = "idc"`) +
			"device_trust_provider {\ntype = \"jamf\"\nreference = \"j1\"\ntenant_id = \"t\"\n}\ndevice_trust_provider {\ntype = \"jamf\"\nreference = \"j2\"\ntenant_id = \"t\"\n}",
			`(?s)Duplicate device trust provider.*device_trust_provider\[0\] is already a jamf provider`},
		"unknown identity type": {idp(`type = "ldap"` + "\n" + `reference = "idc"`), `(?s)Attribute identity_provider.type value must be one of`},
		"oidc without options":  {idp(`type = "oidc"` + "\n" + `reference = "okta"`), `(?s)OIDC options required`},
		"oidc options on idc": {idp(`type = "iam-identity-center"` + "\n" + `reference = "idc"` + "\n" +
			"oidc {\nissuer = \"https://a\"\nauthorization_endpoint = \"https://a\"\ntoken_endpoint = \"https://a\"\nuser_info_endpoint = \"https://a\"\nclient_id = \"a\"\nclient_secret = \"b\"\n}"),
			`(?s)OIDC options not applicable`},
		"groups claim on idc": {idp(`type = "iam-identity-center"` + "\n" + `reference = "idc"` + "\n" + `groups_claim = "roles"`), `(?s)Not applicable.*groups_claim applies to oidc providers`},
		"oidc issuer not https": {idp(`type = "oidc"` + "\n" + `reference = "okta"` + "\n" +
			"oidc {\nissuer = \"http://a\"\nauthorization_endpoint = \"https://a\"\ntoken_endpoint = \"https://a\"\nuser_info_endpoint = \"https://a\"\nclient_id = \"a\"\nclient_secret = \"b\"\n}"),
			`(?s)Attribute identity_provider.oidc.issuer must be an https:// URL`},
		"no identity provider": {`device_trust_provider {` + "\n" + `type = "jamf"` + "\n" + `reference = "j"` + "\n" + `tenant_id = "t"` + "\n}", `(?s)Block identity_provider must have a configuration value`},
		"unknown log version":  {idp(`type = "iam-identity-center"`+"\n"+`reference = "idc"`) + "logging {\nlog_version = \"v9\"\n}", `(?s)Attribute logging.log_version value must be one of`},
		// Required in their blocks (requiredInBlock); the docs list them as Required.
		"oidc without issuer": {idp(`type = "oidc"` + "\n" + `reference = "okta"` + "\n" +
			"oidc {\nauthorization_endpoint = \"https://a\"\ntoken_endpoint = \"https://a\"\nuser_info_endpoint = \"https://a\"\nclient_id = \"a\"\nclient_secret = \"b\"\n}"),
			`(?s)Missing issuer.*identity_provider.oidc.issuer\s+is\s+required\s+when\s+the\s+oidc\s+block\s+is\s+present`},
		"oidc without client secret": {idp(`type = "oidc"` + "\n" + `reference = "okta"` + "\n" +
			"oidc {\nissuer = \"https://a\"\nauthorization_endpoint = \"https://a\"\ntoken_endpoint = \"https://a\"\nuser_info_endpoint = \"https://a\"\nclient_id = \"a\"\n}"),
			`(?s)Missing client_secret.*identity_provider.oidc.client_secret\s+is\s+required\s+when\s+the\s+oidc\s+block\s+is\s+present`},
		"s3 logging without bucket": {idp(`type = "iam-identity-center"`+"\n"+`reference = "idc"`) + "logging {\ns3 {\nprefix = \"va/\"\n}\n}",
			`(?s)Missing bucket.*logging.s3.bucket\s+is\s+required\s+when\s+the\s+s3\s+block\s+is\s+present`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // plan-only, nothing in the sandbox is read or written
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderBlock() + "resource \"zerotrust_access_proxy\" \"test\" {\nname = \"bad\"\n" + tc.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// faultConfig is a proxy and two protect surfaces on it.
func faultConfig(name string) string {
	surface := func(label string, port int) string {
		return fmt.Sprintf(`
resource "zerotrust_protect_surface" "%[1]s" {
  name                = "%[1]s"
  sensitivity         = "internal"
  proxy_id            = zerotrust_access_proxy.test.id
  proxy_trust_context = zerotrust_access_proxy.test.trust_context
  application {
    name       = "%[1]s-db"
    cidr       = "10.50.%[2]d.0/24"
    port       = %[2]d
    subnet_ids = ["subnet-0123456789abcdef0"]
  }
  access_rule {
    name   = "%[1]s-engineers"
    groups = ["%[3]s"]
  }
}
`, label, port, vaGroupID)
	}
	return proxyIDC(name, "") + surface("alpha", 11) + surface("beta", 12)
}

// TestAccAccessProxy_faults applies a proxy and two surfaces through the
// front twice: once clean, once with 20% of all calls throttled and every
// new Verified Access object invisible to reads for 1.5 s after creation.
// Both converge to exactly one instance, two trust providers, two groups
// and two endpoints (counted through the SDK), with nothing but the SDK
// retryer and the provider's waiters; the front's per-action call counts
// for the create and for a refresh are logged for both runs.
func TestAccAccessProxy_faults(t *testing.T) {
	if acctest.Sandbox == nil {
		t.Skip("fault injection needs the sandbox's Verified Access front")
	}
	ctl := acctest.Sandbox.Control()
	ctx := context.Background()
	t.Cleanup(func() { _ = ctl.ClearFaults(ctx) })
	for _, phase := range []struct {
		name   string
		faults *vafront.Faults
	}{
		{"clean", nil},
		{"faulty", &vafront.Faults{ThrottleRate: 0.2, NotFoundAfterCreateMS: 1500, Actions: []string{"*"}, Seed: 20260101}},
	} {
		var id string
		var created, refreshed map[string]int64
		name := acctest.RandomName("faults-" + phase.name)
		cfg := faultConfig(name)
		// Serial: fault injection and call counts are global to the sandbox.
		resource.Test(t, resource.TestCase{
			PreCheck:                 func() { acctest.PreCheck(t) },
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			CheckDestroy:             acctest.CheckVerifiedAccessInstanceGone(t, &id),
			Steps: []resource.TestStep{
				{
					PreConfig: func() {
						if err := ctl.ResetCounters(ctx); err != nil {
							t.Fatal(err)
						}
						if phase.faults != nil {
							if err := ctl.SetFaults(ctx, *phase.faults); err != nil {
								t.Fatal(err)
							}
						}
					},
					Config: cfg,
					ConfigStateChecks: []statecheck.StateCheck{
						// First, before the checks' own calls are counted.
						acctest.CaptureSandboxCalls(&created),
						acctest.CaptureID("zerotrust_access_proxy.test", &id),
						acctest.ExpectVerifiedAccessObjectCounts("zerotrust_access_proxy.test", name, 1, 2, 2, 2),
					},
				},
				{
					// A refresh and plan: nothing to do, even under faults.
					PreConfig: func() {
						if err := ctl.ResetCounters(ctx); err != nil {
							t.Fatal(err)
						}
					},
					Config:   cfg,
					PlanOnly: true,
				},
				{
					PreConfig: func() {
						var err error
						if refreshed, err = ctl.Counters(ctx); err != nil {
							t.Fatal(err)
						}
						if err := ctl.ClearFaults(ctx); err != nil {
							t.Fatal(err)
						}
					},
					// An apply with nothing to do (a plan-only step runs no
					// state checks), then the objects are counted again.
					Config:           cfg,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					ConfigStateChecks: []statecheck.StateCheck{
						acctest.ExpectVerifiedAccessObjectCounts("zerotrust_access_proxy.test", name, 1, 2, 2, 2),
					},
				},
			},
		})
		t.Logf("%s: EC2 calls to create the proxy and two surfaces (terraform apply, plan included): %s", phase.name, vaFormatCounts(created))
		t.Logf("%s: EC2 calls to refresh them (one refreshing terraform plan and one non-refreshing plan): %s", phase.name, vaFormatCounts(refreshed))
	}
}

func vaFormatCounts(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	var total int64
	for k, v := range m {
		keys = append(keys, k)
		total += v
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n    %-60s %d", k, m[k])
	}
	fmt.Fprintf(&b, "\n    %-60s %d", "total", total)
	return b.String()
}

// TestAccAccessProxy_partialFailure: the instance and its trust providers
// are created but attaching fails. State records the instance (Terraform
// taints it), and the next apply converges: the partial proxy is deleted
// with every trust provider it owns, a complete one is created, nothing is
// orphaned.
func TestAccAccessProxy_partialFailure(t *testing.T) {
	if acctest.Sandbox == nil {
		t.Skip("fault injection needs the sandbox's Verified Access front")
	}
	ctl := acctest.Sandbox.Control()
	ctx := context.Background()
	t.Cleanup(func() { _ = ctl.ClearFaults(ctx) })
	name := acctest.RandomName("partial")
	cfg := acctest.Config(acctest.ProviderBlockMaxRetries(2), proxyIDCResource(name, ""))
	var first, id string
	// Serial: fault injection is global to the sandbox.
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessInstanceGone(t, &id),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := ctl.SetFaults(ctx, vafront.Faults{ThrottleRate: 1, Actions: []string{"AttachVerifiedAccessTrustProvider"}}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Creating the access proxy failed.*AttachVerifiedAccessTrustProvider`),
			},
			{
				PreConfig: func() {
					if err := ctl.ClearFaults(ctx); err != nil {
						t.Fatal(err)
					}
					ids := acctest.VerifiedAccessInstancesNamed(t, name)
					if len(ids) != 1 {
						t.Fatalf("after the failed apply: instances %v, want exactly one recorded", ids)
					}
					first = ids[0]
					if n := len(acctest.OwnedTrustProviders(t, first)); n != 2 {
						t.Fatalf("after the failed apply: %d trust providers, want the 2 created", n)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_access_proxy.test", plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID("zerotrust_access_proxy.test", &id),
					// One instance, a new one; none of the partial proxy's trust providers orphaned.
					acctest.ExpectVerifiedAccessInstancesNamed("zerotrust_access_proxy.test", name),
					statecheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("id"), acctest.NotString(&first)),
					acctest.ExpectOwnedTrustProviders(&first, 0),
					acctest.ExpectVerifiedAccessObjectCounts("zerotrust_access_proxy.test", name, 1, 2, 0, 0),
				},
			},
		},
	})
}
