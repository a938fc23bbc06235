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
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// proxyIDC is an IAM Identity Center proxy with a Jamf device provider and
// CloudWatch access logs; extra is spliced into the resource body.
func proxyIDC(name, extra string) string {
	return acctest.ProviderConfig + fmt.Sprintf(`
resource "zerotrust_access_proxy" "test" {
  name = %q

  identity_provider {
    type         = "iam-identity-center"
    reference    = "idc"
    mfa_enforced = true
  }

  device_trust_provider {
    type      = "jamf"
    reference = "jamf"
    tenant_id = "jamf-tenant-1"
  }

  logging {
    cloudwatch_log_group = "/verified-access/%[1]s"
  }

  tags = { team = "security" }
%[2]s
}
`, name, extra)
}

func TestAccAccessProxy_basic(t *testing.T) {
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessInstanceGone(t, &id),
		Steps: []resource.TestStep{
			{
				Config: proxyIDC("corp", ""),
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
						"managed-by": "terraform-provider-zerotrust", "zerotrust:proxy": "corp", "team": "security", "Name": "corp",
					}),
				},
				Check: func(s *terraform.State) error {
					id = s.RootModule().Resources["zerotrust_access_proxy.test"].Primary.ID
					tps := acctest.AttachedTrustProviders(t, id)
					if got := acctest.DescribeTrustProviders(tps); got != "device/jamf/jamf/jamf-tenant-1 user/iam-identity-center/idc/" {
						return fmt.Errorf("attached trust providers: %s", got)
					}
					for _, tp := range tps {
						tt := tp.Tags
						if tt["managed-by"] != "terraform-provider-zerotrust" || tt["zerotrust:proxy-id"] != id {
							return fmt.Errorf("trust provider %s tags %v", tp.ID, tt)
						}
						if tp.Kind == "user" && tt["zerotrust:mfa-enforced"] != "true" {
							return fmt.Errorf("user trust provider does not record mfa_enforced: %v", tt)
						}
					}
					if l := acctest.VerifiedAccessLogging(t, id); !l.CloudWatchEnabled || l.CloudWatchLogGroup != "/verified-access/corp" {
						return fmt.Errorf("logging: %+v", l)
					}
					return nil
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

func proxyOIDC(scope, secret, version, extra string) string {
	return acctest.ProviderConfig + fmt.Sprintf(`
resource "zerotrust_access_proxy" "test" {
  name        = "oidc"
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
`, secret, version, scope, extra)
}

// TestAccAccessProxy_update: OIDC options, secret rotation, groups claim,
// logging and device providers change in place; a reference change replaces.
func TestAccAccessProxy_update(t *testing.T) {
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
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessInstanceGone(t, &id),
		Steps: []resource.TestStep{
			{
				Config: proxyOIDC("openid", "first-secret", "1", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					// Write-only: the secret is in neither state nor plan.
					statecheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("identity_provider").AtMapKey("oidc").AtMapKey("client_secret"), knownvalue.Null()),
				},
				Check: func(s *terraform.State) error {
					id = s.RootModule().Resources["zerotrust_access_proxy.test"].Primary.ID
					return nil
				},
			},
			{
				// Scope and secret version change, a device provider and
				// logging are added: all in place.
				Config: proxyOIDC("openid email groups", "second-secret", "2", crowdstrike),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_access_proxy.test", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("trust_context"),
							knownvalue.StringExact(`{"identity_provider":{"type":"oidc","reference":"okta","groups_claim":"roles","mfa_enforced":false},"device_trust_providers":[{"type":"crowdstrike","reference":"crwd"}]}`)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// Not replaced: the same instance.
					statecheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("id"), knownString(&id)),
				},
				Check: func(s *terraform.State) error {
					tps := acctest.AttachedTrustProviders(t, id)
					if got := acctest.DescribeTrustProviders(tps); got != "device/crowdstrike/crwd/cs-1 user/oidc/okta/" {
						return fmt.Errorf("attached: %s", got)
					}
					for _, tp := range tps {
						if tp.Kind != "user" {
							continue
						}
						if tp.Scope != "openid email groups" {
							return fmt.Errorf("scope %q", tp.Scope)
						}
						if v := tp.Tags["zerotrust:client-secret-version"]; v != "2" {
							return fmt.Errorf("secret version tag %q", v)
						}
					}
					l := acctest.VerifiedAccessLogging(t, id)
					if l.CloudWatchEnabled || !l.S3Enabled || l.S3Bucket != "va-logs" || !l.IncludeTrustContext || l.LogVersion != "ocsf-1.0.0-rc.2" {
						return fmt.Errorf("logging %+v", l)
					}
					return nil
				},
			},
			{
				// Removing the device provider and the logging: in place.
				Config: proxyOIDC("openid email groups", "second-secret", "2", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_access_proxy.test", plancheck.ResourceActionUpdate)},
				},
				Check: func(s *terraform.State) error {
					if got := acctest.DescribeTrustProviders(acctest.AttachedTrustProviders(t, id)); got != "user/oidc/okta/" {
						return fmt.Errorf("attached: %s", got)
					}
					if n := len(acctest.OwnedTrustProviders(t, id)); n != 1 {
						return fmt.Errorf("%d owned trust providers left, want 1 (the detached one must be deleted)", n)
					}
					if l := acctest.VerifiedAccessLogging(t, id); l.S3Enabled {
						return fmt.Errorf("logging still on: %+v", l)
					}
					return nil
				},
			},
			{
				// A new reference name cannot be modified in place.
				Config: strings.Replace(proxyOIDC("openid email groups", "second-secret", "2", ""), `reference    = "okta"`, `reference    = "corp_idp"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_access_proxy.test", plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: func(s *terraform.State) error {
					old := id
					id = s.RootModule().Resources["zerotrust_access_proxy.test"].Primary.ID
					if acctest.VerifiedAccessInstanceExists(t, old) {
						return fmt.Errorf("replaced instance %s still exists", old)
					}
					if n := len(acctest.OwnedTrustProviders(t, old)); n != 0 {
						return fmt.Errorf("%d trust providers of the replaced instance left", n)
					}
					return nil
				},
			},
		},
	})
}

// TestAccAccessProxy_deviceTenantForcesReplacement: a device provider's
// tenant cannot be modified; the plan says so at that attribute.
func TestAccAccessProxy_deviceTenantForcesReplacement(t *testing.T) {
	var id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessInstanceGone(t, &id),
		Steps: []resource.TestStep{
			{
				Config: proxyIDC("tenant", ""),
				Check: func(s *terraform.State) error {
					id = s.RootModule().Resources["zerotrust_access_proxy.test"].Primary.ID
					return nil
				},
			},
			{
				Config: strings.Replace(proxyIDC("tenant", ""), "jamf-tenant-1", "jamf-tenant-2", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_access_proxy.test", plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: func(s *terraform.State) error {
					id = s.RootModule().Resources["zerotrust_access_proxy.test"].Primary.ID
					return nil
				},
			},
		},
	})
}

// TestAccAccessProxy_drift changes the proxy out of band — description,
// logging, an extra trust provider attached, the declared device provider
// detached — and shows the plan catches each and apply corrects them.
func TestAccAccessProxy_drift(t *testing.T) {
	var id string
	cfg := proxyIDC("drift", "")
	var foreign string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessInstanceGone(t, &id),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(s *terraform.State) error {
					id = s.RootModule().Resources["zerotrust_access_proxy.test"].Primary.ID
					return nil
				},
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
				Check: func(*terraform.State) error {
					in := acctest.GetVerifiedAccessInstance(t, id)
					if d := in.Description; d != "Zero-trust access proxy (managed by terraform-provider-zerotrust)" {
						return fmt.Errorf("description not restored: %q", d)
					}
					if got := acctest.DescribeTrustProviders(acctest.AttachedTrustProviders(t, id)); got != "device/jamf/jamf/jamf-tenant-1 user/iam-identity-center/idc/" {
						return fmt.Errorf("attachments not restored: %s", got)
					}
					if l := acctest.VerifiedAccessLogging(t, id); !l.CloudWatchEnabled {
						return fmt.Errorf("logging not restored")
					}
					// The foreign provider was detached, not deleted: it is not ours.
					if err := acctest.TrustProviderExists(t, foreign); err != nil {
						return fmt.Errorf("foreign trust provider deleted: %v", err)
					}
					return nil
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
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: proxyIDC("gone", ""),
				Check: func(s *terraform.State) error {
					id := s.RootModule().Resources["zerotrust_access_proxy.test"].Primary.ID
					for _, tp := range acctest.AttachedTrustProviders(t, id) {
						if err := acctest.DetachTrustProvider(t, id, tp.ID); err != nil {
							return err
						}
						if err := acctest.DeleteTrustProvider(t, tp.ID); err != nil {
							return err
						}
					}
					return acctest.DeleteVerifiedAccessInstance(t, id)
				},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccAccessProxy_badInput(t *testing.T) {
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
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderConfig + "resource \"zerotrust_access_proxy\" \"test\" {\nname = \"bad\"\n" + tc.body + "\n}\n",
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
		cfg := faultConfig("faults-" + phase.name)
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
					Check: func(s *terraform.State) error {
						var err error
						if created, err = ctl.Counters(ctx); err != nil {
							return err
						}
						id = s.RootModule().Resources["zerotrust_access_proxy.test"].Primary.ID
						return acctest.ExpectVerifiedAccessObjects(t, "faults-"+phase.name, id, 1, 2, 2, 2)
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
					Config:   cfg,
					PlanOnly: true,
					Check: func(*terraform.State) error {
						return acctest.ExpectVerifiedAccessObjects(t, "faults-"+phase.name, id, 1, 2, 2, 2)
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

// vaFewRetries is a provider block that gives up after two attempts, so a
// fault that persists fails an apply quickly.
const vaFewRetries = `
provider "zerotrust" {
  aws {
    max_retries = 2
  }
}
`

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
	cfg := strings.Replace(proxyIDC("partial", ""), acctest.ProviderConfig, vaFewRetries, 1)
	var first, id string
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
					ids := acctest.VerifiedAccessInstancesNamed(t, "partial")
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
				Check: func(s *terraform.State) error {
					id = s.RootModule().Resources["zerotrust_access_proxy.test"].Primary.ID
					if ids := acctest.VerifiedAccessInstancesNamed(t, "partial"); len(ids) != 1 || ids[0] != id || id == first {
						return fmt.Errorf("instances %v after convergence (first %s, now %s)", ids, first, id)
					}
					if n := len(acctest.OwnedTrustProviders(t, first)); n != 0 {
						return fmt.Errorf("%d trust providers of the partial proxy orphaned", n)
					}
					return acctest.ExpectVerifiedAccessObjects(t, "partial", id, 1, 2, 0, 0)
				},
			},
		},
	})
}
