package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// setConfig: app reaches db, cache and queue; policies is the set's body.
func setConfig(vpcID, policies string) string {
	return acctest.Config(acctest.ProviderBlock(),
		acctest.Segment("app", "set-app", vpcID),
		acctest.Segment("db", "set-db", vpcID, acctest.Attr("sensitivity", "restricted")),
		acctest.Segment("cache", "set-cache", vpcID),
		acctest.Segment("queue", "set-queue", vpcID),
		acctest.Resource("zerotrust_segment_policy_set", "shop", acctest.Attr("name", "shop"), policies))
}

const setFanIn = `
  policy {
    segment             = zerotrust_segment.db.id
    segment_sensitivity = zerotrust_segment.db.sensitivity
    allow_from {
      segment = zerotrust_segment.app.id
      ports   = ["5432"]
    }
  }
  policy {
    segment = zerotrust_segment.cache.id
    allow_from {
      segment = zerotrust_segment.app.id
      ports   = ["6379"]
    }
  }
  policy {
    segment = zerotrust_segment.queue.id
    allow_from {
      segment = zerotrust_segment.app.id
      ports   = ["5672"]
    }
    allow_to {
      cidr_blocks = ["10.9.0.0/16"]
      ports       = ["443"]
    }
  }
`

// TestAccSegmentPolicySet_basic: three segments accept app; with one
// policy per segment, app's egress half would cost one Authorize per
// policy; the set writes all of app's egress rules in one call — one
// Authorize per group and direction for the whole set. Then an update,
// a flow declared twice (refused at plan) and destroy.
func TestAccSegmentPolicySet_basic(t *testing.T) {
	acctest.PreCheck(t)
	vpcID := acctest.CreateVPC(t, "10.41.0.0/16")
	ctx := context.Background()
	ctl := acctest.Sandbox.Control()
	// Serial: it resets and counts the sandbox's calls, which are global.
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := ctl.ResetCounters(ctx); err != nil {
						t.Fatal(err)
					}
				},
				Config: setConfig(vpcID, setFanIn),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupRules("zerotrust_segment.app",
						"out tcp 5432-5432 ${zerotrust_segment.db}", "out tcp 6379-6379 ${zerotrust_segment.cache}", "out tcp 5672-5672 ${zerotrust_segment.queue}"),
					acctest.ExpectSecurityGroupRules("zerotrust_segment.db", "in tcp 5432-5432 ${zerotrust_segment.app}"),
					acctest.ExpectSecurityGroupRules("zerotrust_segment.queue", "in tcp 5672-5672 ${zerotrust_segment.app}", "out tcp 443-443 10.9.0.0/16"),
					statecheck.ExpectKnownValue("zerotrust_segment_policy_set.shop", tfjsonpath.New("id"), knownvalue.StringExact("set/shop")),
					statecheck.ExpectKnownValue("zerotrust_segment_policy_set.shop", tfjsonpath.New("rules"), knownvalue.ListSizeExact(7)),
					// One Authorize per group and direction. Ingress: db,
					// cache, queue. Egress: app (three rules, one call) and queue.
					acctest.ExpectSandboxCalls(map[string]int64{"ec2:AuthorizeSecurityGroupIngress": 3, "ec2:AuthorizeSecurityGroupEgress": 2}),
				},
			},
			{
				// Known in the plan, one line per rule; nothing to change.
				Config: setConfig(vpcID, setFanIn),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_segment_policy_set.shop", plancheck.ResourceActionNoop),
					plancheck.ExpectKnownValue("zerotrust_segment_policy_set.shop", tfjsonpath.New("rules"), knownvalue.ListSizeExact(7)),
				}},
			},
			{
				// Import by name rebuilds the blocks from the tagged rules:
				// db, cache and queue each accept app (app's egress halves
				// are not a second flow, so app has no block), queue
				// reaches the CIDR block.
				ResourceName:       "zerotrust_segment_policy_set.shop",
				ImportState:        true,
				ImportStateId:      "shop",
				ImportStateCheck:   checkImportedFanIn,
				ImportStatePersist: false,
			},
			{
				ResourceName:  "zerotrust_segment_policy_set.shop",
				ImportState:   true,
				ImportStateId: "no-such-set",
				ExpectError:   regexp.MustCompile(`there is no set named "no-such-set"`),
			},
			{
				// cache goes, db also accepts 5433.
				PreConfig: func() {
					if err := ctl.ResetCounters(ctx); err != nil {
						t.Fatal(err)
					}
				},
				Config: setConfig(vpcID, `
  policy {
    segment = zerotrust_segment.db.id
    allow_from {
      segment = zerotrust_segment.app.id
      ports   = ["5432-5433"]
    }
  }
  policy {
    segment = zerotrust_segment.queue.id
    allow_from {
      segment = zerotrust_segment.app.id
      ports   = ["5672"]
    }
  }
`),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupRules("zerotrust_segment.app",
						"out tcp 5432-5433 ${zerotrust_segment.db}", "out tcp 5672-5672 ${zerotrust_segment.queue}"),
					acctest.ExpectSecurityGroupRules("zerotrust_segment.cache"),
					acctest.ExpectSecurityGroupRules("zerotrust_segment.queue", "in tcp 5672-5672 ${zerotrust_segment.app}"),
				},
			},
			{
				// The app -> db flow declared again, from app's side.
				Config: setConfig(vpcID, setFanIn+`
  policy {
    segment = zerotrust_segment.app.id
    allow_to {
      segment = zerotrust_segment.db.id
      ports   = ["5432"]
    }
  }
`),
				ExpectError: regexp.MustCompile(`Flow declared twice in the set`),
			},
			{
				Config: setConfig(vpcID, `
  policy {
    segment = zerotrust_segment.db.id
  }
  policy {
    segment = zerotrust_segment.db.id
  }
`),
				ExpectError: regexp.MustCompile(`Segment governed twice`),
			},
			{Config: setConfig(vpcID, setFanIn)},
		},
	})
}

// checkImportedFanIn checks an imported setFanIn: three blocks each
// accepting the same segment (app) on its own port, one of them also
// reaching 10.9.0.0/16, the seven rules and the id.
func checkImportedFanIn(states []*terraform.InstanceState) error {
	if len(states) != 1 {
		return fmt.Errorf("%d imported states, want 1", len(states))
	}
	a := states[0].Attributes
	if a["id"] != "set/shop" || a["name"] != "shop" || a["rules.#"] != "7" || a["policy.#"] != "3" {
		return fmt.Errorf("imported id %q name %q, %s rules, %s blocks; want set/shop, shop, 7, 3", a["id"], a["name"], a["rules.#"], a["policy.#"])
	}
	// Created segments come back by their segment ids (sg/<vpc_id>/<name>).
	app, ports, cidrs := a["policy.0.allow_from.0.segment"], []string{}, 0
	for i := range 3 {
		at := func(k string) string { return a[fmt.Sprintf("policy.%d.%s", i, k)] }
		if at("allow_from.#") != "1" || at("allow_from.0.segment") != app || at("segment") == app || !strings.HasPrefix(at("segment"), "sg/vpc-") || !strings.HasSuffix(app, "/set-app") {
			return fmt.Errorf("block %d: segment %s, %s allow_from from %q; want one allow_from from %q, another segment", i, at("segment"), at("allow_from.#"), at("allow_from.0.segment"), app)
		}
		ports = append(ports, at("allow_from.0.ports.0"))
		switch at("allow_to.#") {
		case "0", "":
		case "1":
			if at("allow_to.0.cidr_blocks.0") != "10.9.0.0/16" || at("allow_to.0.ports.0") != "443" {
				return fmt.Errorf("block %d: allow_to %s port %s; want 10.9.0.0/16 port 443", i, at("allow_to.0.cidr_blocks.0"), at("allow_to.0.ports.0"))
			}
			cidrs++
		default:
			return fmt.Errorf("block %d: %s allow_to blocks", i, at("allow_to.#"))
		}
	}
	slices.Sort(ports)
	if !slices.Equal(ports, []string{"5432", "5672", "6379"}) || cidrs != 1 {
		return fmt.Errorf("imported ports %v and %d CIDR flows; want 5432, 5672, 6379 and one", ports, cidrs)
	}
	return nil
}
