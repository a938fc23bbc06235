package provider_test

import (
	"context"
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

// TestAccAccessProxy_timeouts: an instance that AWS is slow to make
// readable (the sandbox answers NotFound for a minute after creating it)
// outlasts a create given five seconds in the timeouts block; the error
// names the setting to raise. The failed create is recorded (tainted) and
// the next apply, with a longer setting and no delay, replaces it; an
// import then reads the proxy back with no timeouts block (it is
// configuration only, never read from AWS).
func TestAccAccessProxy_timeouts(t *testing.T) {
	if acctest.Sandbox == nil {
		t.Skip("slowing instance reads needs the sandbox's Verified Access front")
	}
	ctl := acctest.Sandbox.Control()
	ctx := context.Background()
	t.Cleanup(func() { _ = ctl.ClearFaults(ctx) })
	name := acctest.RandomName("slowproxy")
	var id string
	// Serial: fault injection is global to the sandbox.
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckVerifiedAccessInstanceGone(t, &id),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := ctl.SetFaults(ctx, vafront.Faults{NotFoundAfterCreateMS: 60000, Actions: []string{"ec2:DescribeVerifiedAccessInstances"}}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      proxyIDC(name, acctest.Block("timeouts", acctest.Attr("create", "5s"))),
				ExpectError: regexp.MustCompile(`(?s)Creating the access proxy failed.*timed out after 5s \(timeouts\.create\)\s+waiting\s+for\s+Verified\s+Access\s+instance.*raise\s+timeouts\.create\s+in\s+the\s+resource's\s+timeouts\s+block`),
			},
			{
				PreConfig: func() {
					if err := ctl.ClearFaults(ctx); err != nil {
						t.Fatal(err)
					}
				},
				Config: proxyIDC(name, acctest.Block("timeouts", acctest.Attr("create", "15m"), acctest.Attr("delete", "15m"))),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_access_proxy.test", plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID("zerotrust_access_proxy.test", &id),
					statecheck.ExpectKnownValue("zerotrust_access_proxy.test", tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.StringExact("15m")),
				},
			},
			{
				ResourceName:            "zerotrust_access_proxy.test",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}
