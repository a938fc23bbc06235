package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

const vaDBInstanceARN = "arn:aws:rds:us-east-1:123456789012:db:ledger"

// vaDBApp is the ledger database (an RDS instance) on port.
func vaDBApp(port int, subnets string) string {
	return fmt.Sprintf(`
  application {
    name                = "ledger-db"
    rds_db_instance_arn = %q
    port                = %d
    subnet_ids          = [%s]
  }
`, vaDBInstanceARN, port, subnets)
}

// vaNetworkApp is the ops network reached on the given port ranges.
func vaNetworkApp(ranges string) string {
	return fmt.Sprintf(`
  application {
    name        = "ops-network"
    cidr        = "10.41.0.0/24"
    port_ranges = [%s]
    subnet_ids  = ["subnet-0123456789abcdef1"]
  }
`, ranges)
}

// vaTCPRule is a restricted rule for one TCP application: no HTTP
// conditions, which a TCP endpoint could never evaluate.
func vaTCPRule(app string) string {
	return `
  access_rule {
    name         = "oncall"
    groups       = ["` + vaGroupID + `"]
    device       = local.corp_device
    require_mfa  = true
    applications = ["` + app + `"]
  }
`
}

var vaImportIgnore = []string{"access_rule", "proxy_trust_context", "policy_statements"}

// TestAccProtectSurface_rds: a database behind the proxy. Created as an rds
// endpoint with its instance, port and subnets; re-planned empty; a port
// changed out of band is drift and restored; port and subnets change in
// place (same endpoint); imported; destroyed.
func TestAccProtectSurface_rds(t *testing.T) {
	var groupID, proxyID, endpointID string
	base := acctest.Config(acctest.ProviderBlock(), vaProxy("db", acctest.RandomName("db")))
	cfg := base + vaSurface("db", true, vaDBApp(5432, `"subnet-0123456789abcdef1", "subnet-0123456789abcdef2"`)+vaTCPRule("ledger-db"))
	updated := base + vaSurface("db", true, vaDBApp(5433, `"subnet-0123456789abcdef3"`)+vaTCPRule("ledger-db"))
	app := tfjsonpath.New("application").AtSliceIndex(0)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessSurfaceGone(t, &groupID, &proxyID),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", app.AtMapKey("endpoint_type"), knownvalue.StringExact("rds")),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", app.AtMapKey("protocol"), knownvalue.StringExact("tcp")),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", app.AtMapKey("endpoint_domain_prefix"), knownvalue.Null()),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoint_policy_documents").AtMapKey("ledger-db"),
							knownvalue.StringRegexp(regexp.MustCompile(`^@id\("oncall"\)\npermit [^@]*$`))),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID("zerotrust_protect_surface.test", &groupID),
					acctest.CaptureID("zerotrust_access_proxy.db", &proxyID),
					acctest.CaptureAttribute("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("ledger-db").AtMapKey("id"), &endpointID),
					acctest.ExpectVerifiedAccessEndpoints("zerotrust_protect_surface.test", knownvalue.ListSizeExact(1)),
					acctest.ExpectVerifiedAccessEndpoint("zerotrust_protect_surface.test", "ledger-db", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"status": knownvalue.StringExact("active"), "rds_db_instance_arn": knownvalue.StringExact(vaDBInstanceARN),
						"rds_port": knownvalue.Int64Exact(5432), "rds_protocol": knownvalue.StringExact("tcp"), "rds_endpoint": knownvalue.StringExact(""),
						"subnet_ids": knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact("subnet-0123456789abcdef1"), knownvalue.StringExact("subnet-0123456789abcdef2"),
						}),
						"application_domain": knownvalue.StringExact(""), "policy_enabled": knownvalue.Bool(true),
					})),
					acctest.ExpectVerifiedAccessEndpointPolicy("zerotrust_protect_surface.test", "ledger-db"),
				},
			},
			{
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// The database port changed out of band: drift, restored in place.
				PreConfig: func() { acctest.SetVerifiedAccessEndpointRdsPort(t, endpointID, 3306) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_protect_surface.test", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("ledger-db").AtMapKey("id"), acctest.KnownString(&endpointID)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectVerifiedAccessEndpoint("zerotrust_protect_surface.test", "ledger-db", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"id": acctest.KnownString(&endpointID), "rds_port": knownvalue.Int64Exact(5432),
					})),
				},
			},
			{
				// Port and subnets are modified in place: the same endpoint.
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_protect_surface.test", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("ledger-db").AtMapKey("id"), acctest.KnownString(&endpointID)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectVerifiedAccessEndpoint("zerotrust_protect_surface.test", "ledger-db", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"id": acctest.KnownString(&endpointID), "rds_port": knownvalue.Int64Exact(5433),
						"subnet_ids": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("subnet-0123456789abcdef3")}),
					})),
				},
			},
			{
				Config:           updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				ResourceName:            "zerotrust_protect_surface.test",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: vaImportIgnore,
			},
		},
	})
}

// TestAccProtectSurface_cidrPortRanges: a network reached on two port
// ranges. Both are shown in the plan and sent to AWS; the re-plan is empty;
// a range removed out of band is drift and restored; a third range is added
// in place (same endpoint); imported; destroyed.
func TestAccProtectSurface_cidrPortRanges(t *testing.T) {
	var groupID, proxyID, endpointID string
	base := acctest.Config(acctest.ProviderBlock(), vaProxy("net", acctest.RandomName("net")))
	cfg := base + vaSurface("net", true, vaNetworkApp(`"22", "8000-8080"`)+vaTCPRule("ops-network"))
	updated := base + vaSurface("net", true, vaNetworkApp(`"22", "3389", "8000-8080"`)+vaTCPRule("ops-network"))
	app := tfjsonpath.New("application").AtSliceIndex(0)
	liveRanges := func(ranges ...string) statecheck.StateCheck {
		checks := make([]knownvalue.Check, 0, len(ranges))
		for _, r := range ranges {
			checks = append(checks, knownvalue.StringExact(r))
		}
		return acctest.ExpectVerifiedAccessEndpoint("zerotrust_protect_surface.test", "ops-network", knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"id": acctest.KnownString(&endpointID), "status": knownvalue.StringExact("active"), "cidr_port_ranges": knownvalue.ListExact(checks),
		}))
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessSurfaceGone(t, &groupID, &proxyID),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", app.AtMapKey("endpoint_type"), knownvalue.StringExact("cidr")),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", app.AtMapKey("port_ranges"),
							knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("22"), knownvalue.StringExact("8000-8080")})),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", app.AtMapKey("port"), knownvalue.Null()),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID("zerotrust_protect_surface.test", &groupID),
					acctest.CaptureID("zerotrust_access_proxy.net", &proxyID),
					acctest.CaptureAttribute("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("ops-network").AtMapKey("id"), &endpointID),
					liveRanges("22-22", "8000-8080"),
					acctest.ExpectVerifiedAccessEndpoint("zerotrust_protect_surface.test", "ops-network", knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"cidr": knownvalue.StringExact("10.41.0.0/24"), "cidr_protocol": knownvalue.StringExact("tcp"),
					})),
				},
			},
			{
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// One range dropped out of band: drift, restored in place.
				PreConfig: func() { acctest.SetVerifiedAccessEndpointPortRanges(t, endpointID, [2]int32{22, 22}) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_protect_surface.test", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("ops-network").AtMapKey("id"), acctest.KnownString(&endpointID)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{liveRanges("22-22", "8000-8080")},
			},
			{
				// A third range: modified in place, the same endpoint.
				Config: updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_protect_surface.test", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("zerotrust_protect_surface.test", tfjsonpath.New("endpoints").AtMapKey("ops-network").AtMapKey("id"), acctest.KnownString(&endpointID)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{liveRanges("22-22", "3389-3389", "8000-8080")},
			},
			{
				Config:           updated,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				ResourceName:            "zerotrust_protect_surface.test",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: vaImportIgnore,
			},
		},
	})
}

// TestAccProtectSurface_timeouts: endpoints that AWS is slow to activate
// (the sandbox keeps them pending two minutes) outlast a create given five
// seconds in its timeouts block; the error names the setting to raise. The
// failed create is recorded (tainted) and the next apply, with the default
// timeouts and a normal activation, replaces it.
func TestAccProtectSurface_timeouts(t *testing.T) {
	if acctest.Sandbox == nil {
		t.Skip("slowing endpoint activation needs the sandbox's Verified Access front")
	}
	ctl := acctest.Sandbox.Control()
	ctx := context.Background()
	t.Cleanup(func() { _ = ctl.ClearFaults(ctx) })
	var groupID, proxyID string
	base := acctest.Config(acctest.ProviderBlock(), vaProxy("slow", acctest.RandomName("slow")))
	body := vaNetworkApp(`"22"`) + vaTCPRule("ops-network")
	short := base + vaSurface("slow", true, body+"\n  timeouts {\n    create = \"5s\"\n  }\n")
	// Serial: fault injection is global to the sandbox.
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessSurfaceGone(t, &groupID, &proxyID),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := ctl.SetFaults(ctx, vafront.Faults{EndpointActivationMS: 120000}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      short,
				ExpectError: regexp.MustCompile(`(?s)Creating the protect surface failed.*timed out after 5s \(timeouts\.create\)\s+waiting\s+for\s+endpoints.*raise\s+timeouts\.create\s+in\s+the\s+resource's\s+timeouts\s+block`),
			},
			{
				PreConfig: func() {
					if err := ctl.ClearFaults(ctx); err != nil {
						t.Fatal(err)
					}
				},
				Config: base + vaSurface("slow", true, body),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_protect_surface.test", plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID("zerotrust_protect_surface.test", &groupID),
					acctest.CaptureID("zerotrust_access_proxy.slow", &proxyID),
					acctest.ExpectVerifiedAccessEndpoints("zerotrust_protect_surface.test", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"status": knownvalue.StringExact("active")}),
					})),
				},
			},
		},
	})
}
