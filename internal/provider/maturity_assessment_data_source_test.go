package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccDataSourceMaturityAssessment(t *testing.T) {
	pillar := func(i int, name, stage string, level int64) []statecheck.StateCheck {
		p := tfjsonpath.New("pillars").AtSliceIndex(i)
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.zerotrust_maturity_assessment.x", p.AtMapKey("pillar"), knownvalue.StringExact(name)),
			statecheck.ExpectKnownValue("data.zerotrust_maturity_assessment.x", p.AtMapKey("stage"), knownvalue.StringExact(stage)),
			statecheck.ExpectKnownValue("data.zerotrust_maturity_assessment.x", p.AtMapKey("level"), knownvalue.Int64Exact(level)),
		}
	}
	var checks []statecheck.StateCheck
	for _, c := range [][]statecheck.StateCheck{
		pillar(0, "Identity", "Advanced", 2),
		pillar(1, "Devices", "Advanced", 2),
		pillar(2, "Networks", "Initial", 1),
		pillar(3, "Applications & Workloads", "Optimal", 3),
		pillar(4, "Data", "Advanced", 2),
		pillar(5, "Visibility & Analytics", "Traditional", 0),
		pillar(6, "Automation & Orchestration", "Advanced", 2),
		pillar(7, "Governance", "Initial", 1),
	} {
		checks = append(checks, c...)
	}
	checks = append(checks,
		statecheck.ExpectKnownValue("data.zerotrust_maturity_assessment.x", tfjsonpath.New("overall_stage"), knownvalue.StringExact("Traditional")),
		statecheck.ExpectKnownValue("data.zerotrust_maturity_assessment.x", tfjsonpath.New("overall_level"), knownvalue.Int64Exact(0)),
		statecheck.ExpectKnownValue("data.zerotrust_maturity_assessment.x", tfjsonpath.New("pillars").AtSliceIndex(5).AtMapKey("next_steps"),
			knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("enable access logging on the access proxy")})),
		statecheck.ExpectKnownValue("data.zerotrust_maturity_assessment.x", tfjsonpath.New("pillars").AtSliceIndex(2).AtMapKey("next_steps"),
			knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("enforce every segment with a security group or a default-deny NetworkPolicy")})),
	)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: verifyFactories,
		Steps: []resource.TestStep{{
			Config: `
data "zerotrust_maturity_assessment" "x" {
  identity         = { type = "oidc" }
  device_providers = ["jamf"]
  surfaces = [
    { name = "payments", sensitivity = "restricted", groups_required = true, mfa_required = true, device_required = true, floors_met = true, tested = true },
  ]
  segments = [
    { name = "db",  sensitivity = "restricted", security_group = true },
    { name = "web", sensitivity = "public" },
  ]
  privileged_access = [{ name = "oncall", expires = true, session_minutes = 480 }]
  automation        = { policy_as_code = true, decision_checks = 3 }
  governance        = { acknowledged_exceptions = 1 }
}
`,
			ConfigStateChecks: checks,
		}},
	})
}

func TestAccDataSourceMaturityAssessment_badInput(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: verifyFactories,
		Steps: []resource.TestStep{
			{
				Config:      `data "zerotrust_maturity_assessment" "x" { automation = { decision_checks = -1 } }`,
				ExpectError: regexp.MustCompile(`(?s)automation\.decision_checks.*at least 0`),
			},
			{
				Config:      `data "zerotrust_maturity_assessment" "x" { surfaces = [{ name = "a", sensitivity = "secret" }] }`,
				ExpectError: regexp.MustCompile(`(?s)surfaces\[0\]\.sensitivity.*value must be one of`),
			},
		},
	})
}
