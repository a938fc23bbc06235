package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// proxyNativeClient is an OIDC proxy with native-application options for
// the connectivity client; subDomain and key may be "" (left out).
func proxyNativeClient(name, subDomain, key, nativeClientID, nativeVersion string) string {
	var top []string
	if subDomain != "" {
		top = append(top, acctest.Attr("cidr_endpoints_custom_subdomain", subDomain))
	}
	if key != "" {
		top = append(top, acctest.Attr("kms_key_arn", key))
	}
	return fmt.Sprintf(`
resource "zerotrust_access_proxy" "test" {
  name = %q
%s
  identity_provider {
    type      = "oidc"
    reference = "okta"
    oidc {
      issuer                 = "https://corp.okta.example.com"
      authorization_endpoint = "https://corp.okta.example.com/oauth2/v1/authorize"
      token_endpoint         = "https://corp.okta.example.com/oauth2/v1/token"
      user_info_endpoint     = "https://corp.okta.example.com/oauth2/v1/userinfo"
      client_id              = "zerotrust-web"
      client_secret          = "web-secret"
      client_secret_version  = "1"
    }
    native_application_oidc {
      public_signing_key_endpoint = "https://corp.okta.example.com/oauth2/v1/keys"
      issuer                      = "https://corp.okta.example.com"
      authorization_endpoint      = "https://corp.okta.example.com/oauth2/v1/authorize"
      token_endpoint              = "https://corp.okta.example.com/oauth2/v1/token"
      user_info_endpoint          = "https://corp.okta.example.com/oauth2/v1/userinfo"
      client_id                   = %q
      client_secret               = "native-secret-%s"
      client_secret_version       = %q
      scope                       = "openid groups"
    }
  }
  device_trust_provider {
    type      = "jamf"
    reference = "jamf"
    tenant_id = "jamf-tenant"
  }
}
`, name, strings.Join(top, "\n"), nativeClientID, nativeVersion, nativeVersion)
}

// TestAccAccessProxy_clientAccess: the CIDR-endpoint subdomain (name servers
// known after apply, unchanged while the subdomain stays), native-application
// OIDC options and the trust providers' customer-managed key are created,
// read back, changed in place, imported; removing the subdomain replaces.
func TestAccAccessProxy_clientAccess(t *testing.T) {
	name := acctest.RandomName("native")
	var id, jamfID string
	first, second := acctest.CreateKMSKey(t), acctest.CreateKMSKey(t)
	const addr = "zerotrust_access_proxy.test"
	cfg := func(subDomain, key, clientID, version string) string {
		return acctest.Config(acctest.ProviderBlock(), proxyNativeClient(name, subDomain, key, clientID, version))
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessInstanceGone(t, &id),
		Steps: []resource.TestStep{
			{
				Config: cfg("net.corp.example.com", first, "native-1", "1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("cidr_endpoints_name_servers")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("kms_key_arn"), knownvalue.StringExact(first)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID(addr, &id),
					acctest.CaptureAttribute(addr, tfjsonpath.New("trust_provider_ids").AtMapKey("jamf"), &jamfID),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("cidr_endpoints_name_servers"), knownvalue.ListSizeExact(4)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("identity_provider").AtMapKey("native_application_oidc").AtMapKey("client_secret"), knownvalue.Null()),
					acctest.ExpectCidrSubDomain(addr, "net.corp.example.com"),
					acctest.ExpectNativeOIDCClientID(addr, "native-1"),
					acctest.ExpectTrustProviderKeys(addr, first),
					acctest.ExpectUserTrustProvider(addr, knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"tags": knownvalue.MapPartial(map[string]knownvalue.Check{"zerotrust:native-client-secret-version": knownvalue.StringExact("1")}),
					})),
				},
			},
			{
				Config:           cfg("net.corp.example.com", first, "native-1", "1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Import: everything but the write-only secrets is read back.
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// Drift: the device provider moved to another key out of band;
				// the plan shows it and apply puts it back.
				PreConfig: func() { acctest.SetTrustProviderKeyOutOfBand(t, jamfID, second) },
				Config:    cfg("net.corp.example.com", first, "native-1", "1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectTrustProviderKeys(addr, first)},
			},
			{
				// Subdomain, key, native client id and secret version change in place.
				Config: cfg("vpn.corp.example.com", second, "native-2", "2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("cidr_endpoints_name_servers")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("trust_provider_ids").AtMapKey("okta"), knownvalue.NotNull()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), acctest.KnownString(&id)),
					acctest.ExpectCidrSubDomain(addr, "vpn.corp.example.com"),
					acctest.ExpectNativeOIDCClientID(addr, "native-2"),
					acctest.ExpectTrustProviderKeys(addr, second),
				},
			},
			{
				// Back to the AWS-owned key, in place.
				Config: cfg("vpn.corp.example.com", "", "native-2", "2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectTrustProviderKeys(addr, "")},
			},
			{
				// The API cannot unset the subdomain: the plan says the proxy is replaced.
				Config: cfg("", "", "native-2", "2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("cidr_endpoints_name_servers"), knownvalue.ListExact(nil)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID(addr, &id),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("cidr_endpoints_custom_subdomain"), knownvalue.Null()),
				},
			},
		},
	})
}

// keyedSurface is a restricted surface with one CIDR application on the
// proxy labelled proxy; key may be "" (left out).
func keyedSurface(proxy, key string) string {
	keyLine := ""
	if key != "" {
		keyLine = acctest.Attr("kms_key_arn", key)
	}
	return fmt.Sprintf(`
resource "zerotrust_protect_surface" "test" {
  name                = "ledger"
  sensitivity         = "restricted"
  proxy_id            = zerotrust_access_proxy.%s.id
  proxy_trust_context = zerotrust_access_proxy.%s.trust_context
  %s
  application {
    name       = "ledger-db"
    cidr       = "10.40.0.0/24"
    port       = 5432
    subnet_ids = ["subnet-0123456789abcdef1"]
  }
  access_rule {
    name        = "dba"
    groups      = ["`+vaGroupID+`"]
    device      = { jamf = { max_risk = "SECURE" } }
    require_mfa = true
  }
}
`, proxy, proxy, keyLine)
}

// TestAccProtectSurface_customerManagedKey: the surface's key is on its
// group and every endpoint, read back, changed in place (same group, same
// endpoint) and removed in place; the customer-managed-key floor, enforced by
// the provider, passes with the key.
func TestAccProtectSurface_customerManagedKey(t *testing.T) {
	var groupID, proxyID, endpointID string
	first, second := acctest.CreateKMSKey(t), acctest.CreateKMSKey(t)
	const addr = "zerotrust_protect_surface.test"
	proxyName := acctest.RandomName("keys")
	base := acctest.Config(acctest.ProviderBlock(acctest.Block("sensitivity_floors", acctest.Attr("require_customer_managed_keys", true))),
		vaProxy("keys", proxyName))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessSurfaceGone(t, &groupID, &proxyID),
		Steps: []resource.TestStep{
			{
				// Required by the floor and missing: refused at plan, at kms_key_arn.
				Config:      base + keyedSurface("keys", ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Below the restricted floor.*customer-managed\s+KMS\s+key`),
			},
			{
				Config: base + keyedSurface("keys", first),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID(addr, &groupID),
					acctest.CaptureID("zerotrust_access_proxy.keys", &proxyID),
					acctest.CaptureAttribute(addr, tfjsonpath.New("endpoints").AtMapKey("ledger-db").AtMapKey("id"), &endpointID),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("kms_key_arn"), knownvalue.StringExact(first)),
					acctest.ExpectSurfaceKeys(addr, first),
					acctest.ExpectVerifiedAccessGroupPolicy(addr),
				},
			},
			{
				Config:           base + keyedSurface("keys", first),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"access_rule", "proxy_trust_context", "policy_statements"},
			},
			{
				// Drift: the group moved to another key out of band; the plan
				// shows it and apply puts it back, in place.
				PreConfig: func() { acctest.SetGroupKeyOutOfBand(t, groupID, second) },
				Config:    base + keyedSurface("keys", first),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("kms_key_arn"), knownvalue.StringExact(first)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), acctest.KnownString(&groupID)),
					acctest.ExpectSurfaceKeys(addr, first),
					acctest.ExpectVerifiedAccessGroupPolicy(addr),
				},
			},
			{
				// Another key: in place, the endpoint kept, the policy unchanged.
				Config: base + keyedSurface("keys", second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), acctest.KnownString(&groupID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("endpoints").AtMapKey("ledger-db").AtMapKey("id"), acctest.KnownString(&endpointID)),
					acctest.ExpectSurfaceKeys(addr, second),
					acctest.ExpectVerifiedAccessGroupPolicy(addr),
				},
			},
			{
				// Without the floor, the key can go: the AWS-owned key, in place.
				Config: acctest.Config(acctest.ProviderBlock(), vaProxy("keys", proxyName)) + keyedSurface("keys", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("kms_key_arn"), knownvalue.Null()),
					acctest.ExpectSurfaceKeys(addr, ""),
				},
			},
		},
	})
}
