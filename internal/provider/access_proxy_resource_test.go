package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
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
		CheckDestroy:             vaCheckInstanceGone(t, &id),
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
				},
				Check: func(s *terraform.State) error {
					id = s.RootModule().Resources["zerotrust_access_proxy.test"].Primary.ID
					in := vaInstance(t, id)
					tags := tagsOf(in.Tags)
					for k, want := range map[string]string{"managed-by": "terraform-provider-zerotrust", "zerotrust:proxy": "corp", "team": "security", "Name": "corp"} {
						if tags[k] != want {
							return fmt.Errorf("instance tag %s = %q, want %q", k, tags[k], want)
						}
					}
					tps := vaAttached(t, id)
					if got := vaDescribeProviders(tps); got != "device/jamf/jamf/jamf-tenant-1 user/iam-identity-center/idc/" {
						return fmt.Errorf("attached trust providers: %s", got)
					}
					for _, tp := range tps {
						tt := tagsOf(tp.Tags)
						if tt["managed-by"] != "terraform-provider-zerotrust" || tt["zerotrust:proxy-id"] != id {
							return fmt.Errorf("trust provider %s tags %v", aws.ToString(tp.VerifiedAccessTrustProviderId), tt)
						}
						if tp.TrustProviderType == "user" && tt["zerotrust:mfa-enforced"] != "true" {
							return fmt.Errorf("user trust provider does not record mfa_enforced: %v", tt)
						}
					}
					if l := vaLogging(t, id); !aws.ToBool(l.CloudWatchLogs.Enabled) || aws.ToString(l.CloudWatchLogs.LogGroup) != "/verified-access/corp" {
						return fmt.Errorf("logging: %+v", l.CloudWatchLogs)
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
		CheckDestroy:             vaCheckInstanceGone(t, &id),
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
				Check: func(s *terraform.State) error {
					if got := s.RootModule().Resources["zerotrust_access_proxy.test"].Primary.ID; got != id {
						return fmt.Errorf("proxy replaced: %s -> %s", id, got)
					}
					tps := vaAttached(t, id)
					if got := vaDescribeProviders(tps); got != "device/crowdstrike/crwd/cs-1 user/oidc/okta/" {
						return fmt.Errorf("attached: %s", got)
					}
					for _, tp := range tps {
						if tp.TrustProviderType != "user" {
							continue
						}
						if got := aws.ToString(tp.OidcOptions.Scope); got != "openid email groups" {
							return fmt.Errorf("scope %q", got)
						}
						if v := tagsOf(tp.Tags)["zerotrust:client-secret-version"]; v != "2" {
							return fmt.Errorf("secret version tag %q", v)
						}
					}
					l := vaLogging(t, id)
					if aws.ToBool(l.CloudWatchLogs.Enabled) || !aws.ToBool(l.S3.Enabled) || aws.ToString(l.S3.BucketName) != "va-logs" ||
						!aws.ToBool(l.IncludeTrustContext) || aws.ToString(l.LogVersion) != "ocsf-1.0.0-rc.2" {
						return fmt.Errorf("logging %+v / s3 %+v", l, l.S3)
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
					if got := vaDescribeProviders(vaAttached(t, id)); got != "user/oidc/okta/" {
						return fmt.Errorf("attached: %s", got)
					}
					if n := len(vaOwnedProviders(t, id)); n != 1 {
						return fmt.Errorf("%d owned trust providers left, want 1 (the detached one must be deleted)", n)
					}
					if l := vaLogging(t, id); aws.ToBool(l.S3.Enabled) {
						return fmt.Errorf("logging still on: %+v", l.S3)
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
					if _, err := acctest.EC2(t).DescribeVerifiedAccessInstances(context.Background(), &ec2.DescribeVerifiedAccessInstancesInput{VerifiedAccessInstanceIds: []string{old}}); err == nil {
						return fmt.Errorf("replaced instance %s still exists", old)
					}
					if n := len(vaOwnedProviders(t, old)); n != 0 {
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
		CheckDestroy:             vaCheckInstanceGone(t, &id),
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
		CheckDestroy:             vaCheckInstanceGone(t, &id),
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
					ctx := context.Background()
					c := acctest.EC2(t)
					if _, err := c.ModifyVerifiedAccessInstance(ctx, &ec2.ModifyVerifiedAccessInstanceInput{VerifiedAccessInstanceId: aws.String(id), Description: aws.String("edited by hand")}); err != nil {
						t.Fatal(err)
					}
					if _, err := c.ModifyVerifiedAccessInstanceLoggingConfiguration(ctx, &ec2.ModifyVerifiedAccessInstanceLoggingConfigurationInput{VerifiedAccessInstanceId: aws.String(id),
						AccessLogs: &ec2types.VerifiedAccessLogOptions{CloudWatchLogs: &ec2types.VerifiedAccessLogCloudWatchLogsDestinationOptions{Enabled: aws.Bool(false)}}}); err != nil {
						t.Fatal(err)
					}
					for _, tp := range vaAttached(t, id) {
						if tp.DeviceTrustProviderType == "jamf" {
							if _, err := c.DetachVerifiedAccessTrustProvider(ctx, &ec2.DetachVerifiedAccessTrustProviderInput{VerifiedAccessInstanceId: aws.String(id), VerifiedAccessTrustProviderId: tp.VerifiedAccessTrustProviderId}); err != nil {
								t.Fatal(err)
							}
						}
					}
					out, err := c.CreateVerifiedAccessTrustProvider(ctx, &ec2.CreateVerifiedAccessTrustProviderInput{TrustProviderType: "device", DeviceTrustProviderType: "jumpcloud",
						PolicyReferenceName: aws.String("sneaky"), DeviceOptions: &ec2types.CreateVerifiedAccessTrustProviderDeviceOptions{TenantId: aws.String("x")}})
					if err != nil {
						t.Fatal(err)
					}
					foreign = aws.ToString(out.VerifiedAccessTrustProvider.VerifiedAccessTrustProviderId)
					if _, err := c.AttachVerifiedAccessTrustProvider(ctx, &ec2.AttachVerifiedAccessTrustProviderInput{VerifiedAccessInstanceId: aws.String(id), VerifiedAccessTrustProviderId: aws.String(foreign)}); err != nil {
						t.Fatal(err)
					}
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
					in := vaInstance(t, id)
					if d := aws.ToString(in.Description); d != "Zero-trust access proxy (managed by terraform-provider-zerotrust)" {
						return fmt.Errorf("description not restored: %q", d)
					}
					if got := vaDescribeProviders(vaAttached(t, id)); got != "device/jamf/jamf/jamf-tenant-1 user/iam-identity-center/idc/" {
						return fmt.Errorf("attachments not restored: %s", got)
					}
					if l := vaLogging(t, id); !aws.ToBool(l.CloudWatchLogs.Enabled) {
						return fmt.Errorf("logging not restored")
					}
					// The foreign provider was detached, not deleted: it is not ours.
					out, err := acctest.EC2(t).DescribeVerifiedAccessTrustProviders(context.Background(), &ec2.DescribeVerifiedAccessTrustProvidersInput{VerifiedAccessTrustProviderIds: []string{foreign}})
					if err != nil || len(out.VerifiedAccessTrustProviders) != 1 {
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
	_, _ = acctest.EC2(t).DeleteVerifiedAccessTrustProvider(context.Background(), &ec2.DeleteVerifiedAccessTrustProviderInput{VerifiedAccessTrustProviderId: aws.String(foreign)})
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
					ctx := context.Background()
					c := acctest.EC2(t)
					tps := vaAttached(t, id)
					for _, tp := range tps {
						if _, err := c.DetachVerifiedAccessTrustProvider(ctx, &ec2.DetachVerifiedAccessTrustProviderInput{VerifiedAccessInstanceId: aws.String(id), VerifiedAccessTrustProviderId: tp.VerifiedAccessTrustProviderId}); err != nil {
							return err
						}
						if _, err := c.DeleteVerifiedAccessTrustProvider(ctx, &ec2.DeleteVerifiedAccessTrustProviderInput{VerifiedAccessTrustProviderId: tp.VerifiedAccessTrustProviderId}); err != nil {
							return err
						}
					}
					_, err := c.DeleteVerifiedAccessInstance(ctx, &ec2.DeleteVerifiedAccessInstanceInput{VerifiedAccessInstanceId: aws.String(id)})
					return err
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

// --- helpers (prefixed va: shared with the protect surface tests) ---

func vaInstance(t *testing.T, id string) ec2types.VerifiedAccessInstance {
	t.Helper()
	out, err := acctest.EC2(t).DescribeVerifiedAccessInstances(context.Background(), &ec2.DescribeVerifiedAccessInstancesInput{VerifiedAccessInstanceIds: []string{id}})
	if err != nil || len(out.VerifiedAccessInstances) != 1 {
		t.Fatalf("describing %s: %v", id, err)
	}
	return out.VerifiedAccessInstances[0]
}

// vaAttached reads the trust providers attached to an instance.
func vaAttached(t *testing.T, id string) []ec2types.VerifiedAccessTrustProvider {
	t.Helper()
	var ids []string
	for _, tp := range vaInstance(t, id).VerifiedAccessTrustProviders {
		ids = append(ids, aws.ToString(tp.VerifiedAccessTrustProviderId))
	}
	if len(ids) == 0 {
		return nil
	}
	out, err := acctest.EC2(t).DescribeVerifiedAccessTrustProviders(context.Background(), &ec2.DescribeVerifiedAccessTrustProvidersInput{VerifiedAccessTrustProviderIds: ids})
	if err != nil {
		t.Fatalf("describing trust providers %v: %v", ids, err)
	}
	return out.VerifiedAccessTrustProviders
}

// vaOwnedProviders lists the trust providers tagged as owned by an instance.
func vaOwnedProviders(t *testing.T, id string) []ec2types.VerifiedAccessTrustProvider {
	t.Helper()
	out, err := acctest.EC2(t).DescribeVerifiedAccessTrustProviders(context.Background(), &ec2.DescribeVerifiedAccessTrustProvidersInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:zerotrust:proxy-id"), Values: []string{id}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.VerifiedAccessTrustProviders
}

// vaDescribeProviders renders providers as sorted kind/type/reference/tenant.
func vaDescribeProviders(tps []ec2types.VerifiedAccessTrustProvider) string {
	var out []string
	for _, tp := range tps {
		typ := string(tp.UserTrustProviderType)
		if tp.TrustProviderType == "device" {
			typ = string(tp.DeviceTrustProviderType)
		}
		tenant := ""
		if tp.DeviceOptions != nil {
			tenant = aws.ToString(tp.DeviceOptions.TenantId)
		}
		out = append(out, fmt.Sprintf("%s/%s/%s/%s", tp.TrustProviderType, typ, aws.ToString(tp.PolicyReferenceName), tenant))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func vaLogging(t *testing.T, id string) *ec2types.VerifiedAccessLogs {
	t.Helper()
	out, err := acctest.EC2(t).DescribeVerifiedAccessInstanceLoggingConfigurations(context.Background(), &ec2.DescribeVerifiedAccessInstanceLoggingConfigurationsInput{VerifiedAccessInstanceIds: []string{id}})
	if err != nil || len(out.LoggingConfigurations) != 1 {
		t.Fatalf("describing logging of %s: %v", id, err)
	}
	return out.LoggingConfigurations[0].AccessLogs
}

func vaCheckInstanceGone(t *testing.T, id *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if *id == "" {
			return nil
		}
		if _, err := acctest.EC2(t).DescribeVerifiedAccessInstances(context.Background(), &ec2.DescribeVerifiedAccessInstancesInput{VerifiedAccessInstanceIds: []string{*id}}); err == nil {
			return fmt.Errorf("Verified Access instance %s still exists after destroy", *id)
		}
		if n := len(vaOwnedProviders(t, *id)); n != 0 {
			return fmt.Errorf("%d trust providers of %s left after destroy", n, *id)
		}
		return nil
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
			CheckDestroy:             vaCheckInstanceGone(t, &id),
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
						return vaExpectObjects(t, "faults-"+phase.name, id, 1, 2, 2, 2)
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
						return vaExpectObjects(t, "faults-"+phase.name, id, 1, 2, 2, 2)
					},
				},
			},
		})
		t.Logf("%s: EC2 calls to create the proxy and two surfaces (terraform apply, plan included): %s", phase.name, vaFormatCounts(created))
		t.Logf("%s: EC2 calls to refresh them (one refreshing terraform plan and one non-refreshing plan): %s", phase.name, vaFormatCounts(refreshed))
	}
}

// vaExpectObjects counts, through the SDK, the objects of the proxy named
// name: instances, its trust providers, its groups and their endpoints.
func vaExpectObjects(t *testing.T, name, id string, instances, providers, groups, endpoints int) error {
	ctx := context.Background()
	c := acctest.EC2(t)
	in, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("tag:zerotrust:proxy"), Values: []string{name}}}})
	if err != nil {
		return err
	}
	g, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessInstanceId: aws.String(id)})
	if err != nil {
		return err
	}
	e, err := c.DescribeVerifiedAccessEndpoints(ctx, &ec2.DescribeVerifiedAccessEndpointsInput{VerifiedAccessInstanceId: aws.String(id)})
	if err != nil {
		return err
	}
	got := [4]int{len(in.VerifiedAccessInstances), len(vaOwnedProviders(t, id)), len(g.VerifiedAccessGroups), len(e.VerifiedAccessEndpoints)}
	if got != [4]int{instances, providers, groups, endpoints} {
		return fmt.Errorf("objects of %s: %d instances, %d trust providers, %d groups, %d endpoints; want %d, %d, %d, %d",
			name, got[0], got[1], got[2], got[3], instances, providers, groups, endpoints)
	}
	return nil
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

// vaInstancesNamed lists the ids of the instances of the proxy named name.
func vaInstancesNamed(t *testing.T, name string) []string {
	t.Helper()
	out, err := acctest.EC2(t).DescribeVerifiedAccessInstances(context.Background(), &ec2.DescribeVerifiedAccessInstancesInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:zerotrust:proxy"), Values: []string{name}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, in := range out.VerifiedAccessInstances {
		ids = append(ids, aws.ToString(in.VerifiedAccessInstanceId))
	}
	return ids
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
	cfg := strings.Replace(proxyIDC("partial", ""), acctest.ProviderConfig, vaFewRetries, 1)
	var first, id string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             vaCheckInstanceGone(t, &id),
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
					ids := vaInstancesNamed(t, "partial")
					if len(ids) != 1 {
						t.Fatalf("after the failed apply: instances %v, want exactly one recorded", ids)
					}
					first = ids[0]
					if n := len(vaOwnedProviders(t, first)); n != 2 {
						t.Fatalf("after the failed apply: %d trust providers, want the 2 created", n)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_access_proxy.test", plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: func(s *terraform.State) error {
					id = s.RootModule().Resources["zerotrust_access_proxy.test"].Primary.ID
					if ids := vaInstancesNamed(t, "partial"); len(ids) != 1 || ids[0] != id || id == first {
						return fmt.Errorf("instances %v after convergence (first %s, now %s)", ids, first, id)
					}
					if n := len(vaOwnedProviders(t, first)); n != 0 {
						return fmt.Errorf("%d trust providers of the partial proxy orphaned", n)
					}
					return vaExpectObjects(t, "partial", id, 1, 2, 0, 0)
				},
			},
		},
	})
}
