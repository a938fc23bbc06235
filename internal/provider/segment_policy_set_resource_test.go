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
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// setConfig: app reaches db, cache and queue; policies is the set's body.
func setConfig(vpcID, policies string) string {
	return acctest.ProviderConfig + fmt.Sprintf(`
resource "zerotrust_segment" "app" {
  name   = "set-app"
  vpc_id = %[1]q
}
resource "zerotrust_segment" "db" {
  name        = "set-db"
  vpc_id      = %[1]q
  sensitivity = "restricted"
}
resource "zerotrust_segment" "cache" {
  name   = "set-cache"
  vpc_id = %[1]q
}
resource "zerotrust_segment" "queue" {
  name   = "set-queue"
  vpc_id = %[1]q
}

resource "zerotrust_segment_policy_set" "shop" {
  name = "shop"
%[2]s
}
`, vpcID, policies)
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
				},
				Check: func(*terraform.State) error {
					calls, err := ctl.Counters(ctx)
					if err != nil {
						return err
					}
					// Ingress: db, cache, queue. Egress: app (three rules,
					// one call) and queue.
					if in, out := calls["ec2:AuthorizeSecurityGroupIngress"], calls["ec2:AuthorizeSecurityGroupEgress"]; in != 3 || out != 2 {
						return fmt.Errorf("AuthorizeSecurityGroupIngress %d, AuthorizeSecurityGroupEgress %d; want 3 and 2 (one per group and direction)", in, out)
					}
					return nil
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
