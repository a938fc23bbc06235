package provider_test

import (
	"errors"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// Every whole-number attribute set in configuration, with a configuration
// that sets it to v and is otherwise valid.
var wholeNumberAttributes = map[string]struct {
	config func(v string) string
	// attribute is the end of the attribute's path in the diagnostic.
	attribute string
	// bounds is what the diagnostic says a value must be.
	bounds string
}{
	"provider aws.max_retries": {
		config: func(v string) string {
			provider := strings.Replace(acctest.ProviderBlockNoCloud(), "max_retries = 1", "max_retries = "+v, 1)
			return acctest.Config(provider, acctest.Segment("s", "whole-retries", firstPlanVPC))
		},
		attribute: "aws.max_retries", bounds: "from 1 to 100",
	},
	"zerotrust_protect_surface application.port": {
		config: func(v string) string {
			return acctest.Config(acctest.ProviderBlockNoCloud(),
				acctest.AccessProxy("p", "whole-port", acctest.IdentityCenterIdP, acctest.JamfDevices("jamf-tenant")),
				acctest.Resource("zerotrust_protect_surface", "s",
					acctest.Attr("name", "whole-port"),
					acctest.Attr("sensitivity", "internal"),
					acctest.Attr("proxy_id", acctest.Ref("zerotrust_access_proxy.p")),
					acctest.Attr("proxy_trust_context", acctest.Expr("zerotrust_access_proxy.p.trust_context")),
					acctest.Block("application",
						acctest.Attr("name", "a"),
						acctest.Attr("domain", "a.example.com"),
						acctest.Attr("load_balancer_arn", "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/a/0123456789abcdef"),
						acctest.Attr("port", acctest.Expr(v)),
						acctest.Attr("domain_certificate_arn", "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"),
						acctest.Attr("subnet_ids", []string{"subnet-0123456789abcdef0"})),
					acctest.Block("access_rule", acctest.Attr("name", "r"), acctest.Attr("groups", []string{"9067b2a3-1234-4c5d-8e9f-0123456789ab"}))))
		},
		attribute: "application[0].port", bounds: "from 1 to 65535",
	},
	"zerotrust_segment_policy max_rules_per_direction": {
		config: func(v string) string {
			return acctest.Config(acctest.ProviderBlockNoCloud(),
				acctest.Segment("s", "whole-quota", firstPlanVPC),
				acctest.SegmentPolicy("p", "zerotrust_segment.s", acctest.Attr("max_rules_per_direction", acctest.Expr(v)),
					acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{"10.0.0.0/8"}), acctest.Attr("ports", []string{"443"}))))
		},
		attribute: "max_rules_per_direction", bounds: "from 1 to 1000",
	},
	"zerotrust_segment_policy_set max_rules_per_direction": {
		config: func(v string) string {
			return acctest.Config(acctest.ProviderBlockNoCloud(),
				acctest.Segment("s", "whole-set-quota", firstPlanVPC),
				acctest.Resource("zerotrust_segment_policy_set", "set", acctest.Attr("name", "whole-set"), acctest.Attr("max_rules_per_direction", acctest.Expr(v)),
					acctest.Block("policy", acctest.Attr("segment", acctest.Ref("zerotrust_segment.s")),
						acctest.AllowFrom(acctest.Attr("cidr_blocks", []string{"10.0.0.0/8"}), acctest.Attr("ports", []string{"443"})))))
		},
		attribute: "max_rules_per_direction", bounds: "from 1 to 1000",
	},
	"data.zerotrust_access_decision request.device.crowdstrike.overall": {
		config: func(v string) string {
			return acctest.Config(acctest.ProviderBlockNoCloud(), `data "zerotrust_access_decision" "d" {
  policy_document = "permit (principal, action, resource);"
  request         = { device = { crowdstrike = { overall = `+v+` } } }
}
output "allowed" { value = data.zerotrust_access_decision.d.allowed }
`)
		},
		attribute: "request.device.crowdstrike.overall", bounds: "from 0 to 100",
	},
	"data.zerotrust_reachability max_hops": {
		config:    func(v string) string { return wholeReachability("max_hops", v) },
		attribute: "max_hops", bounds: "from 1 to 32",
	},
	"data.zerotrust_reachability max_paths": {
		config:    func(v string) string { return wholeReachability("max_paths", v) },
		attribute: "max_paths", bounds: "from 1 to 100000",
	},
	"data.zerotrust_maturity_assessment declared.access_review_days": {
		config:    func(v string) string { return wholeMaturity(`declared = { access_review_days = ` + v + ` }`) },
		attribute: "declared.access_review_days", bounds: "of at least 0",
	},
}

func wholeReachability(attribute, v string) string {
	return acctest.Config(acctest.ProviderBlockNoCloud(), `data "zerotrust_reachability" "r" {
  segments = [{ name = "web", sensitivity = "public" }, { name = "db", sensitivity = "restricted" }]
  flows    = [{ to = "db", segment = "web", ports = ["5432"] }]
  `+attribute+` = `+v+`
}
output "paths" { value = data.zerotrust_reachability.r.paths }
`)
}

func wholeMaturity(line string) string {
	return acctest.Config(acctest.ProviderBlockNoCloud(), `data "zerotrust_maturity_assessment" "m" {
  `+line+`
}
output "overall" { value = data.zerotrust_maturity_assessment.m.overall_level }
`)
}

// words matches s with any white space between its words: the CLI wraps a
// diagnostic's detail.
func words(s string) string {
	f := strings.Fields(s)
	for i := range f {
		f[i] = regexp.QuoteMeta(f[i])
	}
	return strings.Join(f, `\s+`)
}

// TestWholeNumberAttributes_fraction: a fraction in any whole-number
// attribute fails the plan with a diagnostic at the attribute that says to
// write a whole number, not the framework's "Value Conversion Error" (which
// an Int64 attribute gives, as it cannot hold 2.5); a whole number plans.
func TestWholeNumberAttributes_fraction(t *testing.T) {
	for name, tc := range wholeNumberAttributes {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // plan-only, no cloud reachable
			want := regexp.MustCompile(`(?s)Invalid number.*` + words(tc.attribute+" must be a whole number "+tc.bounds+", got 2.5"))
			var failed atomic.Bool
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				// ExpectError cannot say what must not appear; ErrorCheck
				// sees the fraction step's error instead, and only that
				// step's: a step with no error never reaches it.
				ErrorCheck: func(err error) error {
					if failed.Swap(true) {
						return err // the whole-number step: no error expected
					}
					switch {
					case strings.Contains(err.Error(), "Value Conversion Error"):
						return errors.New("the framework's conversion error reached the user: " + err.Error())
					case !want.MatchString(err.Error()):
						return errors.New("no whole-number diagnostic at the attribute matching " + want.String() + ": " + err.Error())
					}
					return nil
				},
				Steps: []resource.TestStep{
					{Config: tc.config("2.5"), PlanOnly: true},
					{Config: tc.config("2"), PlanOnly: true, ExpectNonEmptyPlan: true},
				},
			})
			if !failed.Load() {
				t.Error("a fraction planned without error")
			}
		})
	}
}
