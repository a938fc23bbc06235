package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// A three-tier shop: the internet reaches web, web reaches app, app reaches
// the restricted db; app also calls back into web (a cycle).
const shopReachability = `
data "zerotrust_reachability" "shop" {
  segments = [
    { name = "web", sensitivity = "public" },
    { name = "app", kubernetes = { namespace = "shop", pod_labels = { app = "app" } } },
    { name = "db",  sensitivity = "restricted" },
  ]
  flows = [
    { to = "web", cidr_blocks = ["0.0.0.0/0"], ports = ["443"] },
    { to = "app", segment = "web", ports = ["8443", "8000-8100"] },
    { to = "app", segment = "web", ports = ["8101"] },
    { to = "web", segment = "app", ports = ["8080"] },
    { to = "db",  segment = "app", ports = ["5432"] },
  ]
}
`

func TestAccDataSourceReachability_shop(t *testing.T) {
	cell := func(from, to string, ports ...string) knownvalue.Check {
		ps := make([]knownvalue.Check, len(ports))
		for i, p := range ports {
			ps[i] = knownvalue.StringExact(p)
		}
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"from": knownvalue.StringExact(from), "to": knownvalue.StringExact(to), "protocol": knownvalue.StringExact("tcp"), "ports": knownvalue.ListExact(ps),
		})
	}
	route := func(hops int64, internet bool, nodes ...string) knownvalue.Check {
		ns := make([]knownvalue.Check, len(nodes))
		for i, n := range nodes {
			ns[i] = knownvalue.StringExact(n)
		}
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"path": knownvalue.ListExact(ns), "hops": knownvalue.Int64Exact(hops), "into": knownvalue.StringExact("db"),
			"sensitivity": knownvalue.StringExact("restricted"), "from_internet": knownvalue.Bool(internet),
		})
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: verifyFactories,
		Steps: []resource.TestStep{{
			Config: shopReachability,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.zerotrust_reachability.shop", tfjsonpath.New("matrix"), knownvalue.ListExact([]knownvalue.Check{
					cell("web", "app", "8000-8101", "8443"),
					cell("app", "db", "5432"),
					cell("app", "web", "8080"),
					cell("0.0.0.0/0", "web", "443"),
				})),
				statecheck.ExpectKnownValue("data.zerotrust_reachability.shop", tfjsonpath.New("paths"), knownvalue.ListExact([]knownvalue.Check{
					route(1, false, "app", "db"),
					route(2, false, "web", "app", "db"),
					route(3, true, "0.0.0.0/0", "web", "app", "db"),
				})),
				statecheck.ExpectKnownValue("data.zerotrust_reachability.shop", tfjsonpath.New("paths_truncated"), knownvalue.Bool(false)),
			},
		}},
	})
}

func TestAccDataSourceReachability_diagnostics(t *testing.T) {
	cfg := func(flows string) string {
		return `
data "zerotrust_reachability" "x" {
  segments = [{ name = "web" }, { name = "db", sensitivity = "confidential" }]
  flows    = [` + flows + `]
}
`
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: verifyFactories,
		Steps: []resource.TestStep{
			{Config: cfg(`{ to = "db", cidr_blocks = ["10.0.0.0/8", "::/0"], ports = ["5432"] }`), ExpectError: regexp.MustCompile(`(?s)Open internet into a confidential segment`)},
			// The internet split into prefixes, each below the threshold alone,
			// in one flow or across flows, and written IPv4-mapped: refused as
			// the resources refuse it.
			{Config: cfg(`{ to = "db", cidr_blocks = ["1.0.0.0/9", "1.128.0.0/9"], ports = ["5432"] }`), ExpectError: regexp.MustCompile(`(?s)Open internet into a confidential segment \(combined sources\).*flows\[0\]\.cidr_blocks\[1\]`)},
			{Config: cfg(`{ to = "db", cidr_blocks = ["1.0.0.0/9"], ports = ["5432"] }, { to = "db", cidr_blocks = ["1.128.0.0/9"], ports = ["5432"] }`), ExpectError: regexp.MustCompile(`(?s)Open internet into a confidential segment \(combined sources\)`)},
			{Config: cfg(`{ to = "db", cidr_blocks = ["::ffff:1.0.0.0/105", "::ffff:1.128.0.0/105"], ports = ["5432"] }`), ExpectError: regexp.MustCompile(`(?s)Open internet into a confidential segment`)},
			// The same halves on different ports are no exposure of either.
			{
				Config: cfg(`{ to = "db", cidr_blocks = ["1.0.0.0/9"], ports = ["5432"] }, { to = "db", cidr_blocks = ["1.128.0.0/9"], ports = ["22"] }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.zerotrust_reachability.x", tfjsonpath.New("matrix"), knownvalue.ListSizeExact(2)),
				},
			},
			{Config: cfg(`{ to = "dbx", segment = "web", ports = ["5432"] }`), ExpectError: regexp.MustCompile(`(?s)Unknown segment.*flows\[0\].to: no segment is named "dbx"`)},
			// An attribute a flow does not have is refused, not dropped.
			{Config: cfg(`{ to = "db", from = "web", cidr_blocks = ["10.0.0.0/8"], ports = ["5432"] }`), ExpectError: regexp.MustCompile(`(?s)Unknown flow attribute.*flows\[0\] has an attribute "from".*Did you mean segment\?`)},
			{Config: cfg(`{ to = "db", segment = "web", ports = ["70000"] }`), ExpectError: regexp.MustCompile(`(?s)Port out of range`)},
			{Config: cfg(`{ to = "db", segment = "web" }`), ExpectError: regexp.MustCompile(`(?s)Ports required`)},
			{Config: cfg(`{ to = "db", ports = ["1"] }`), ExpectError: regexp.MustCompile(`(?s)Source required`)},
			{Config: cfg(`{ to = "db", segment = "web", cidr_blocks = ["10.0.0.0/8"], ports = ["1"] }`), ExpectError: regexp.MustCompile(`(?s)One source kind per flow`)},
			{
				// Acknowledged, the internet route is reported rather than refused.
				Config: cfg(`{ to = "db", cidr_blocks = ["::/0"], ports = ["5432"], acknowledgement = "public read replica" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.zerotrust_reachability.x", tfjsonpath.New("paths").AtSliceIndex(0).AtMapKey("from_internet"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.zerotrust_reachability.x", tfjsonpath.New("paths"), knownvalue.ListSizeExact(1)),
				},
			},
		},
	})
}
