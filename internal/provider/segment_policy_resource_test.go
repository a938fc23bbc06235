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
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// policyConfig declares payments (restricted) and checkout segments and a
// policy on payments; flows is the policy body.
func policyConfig(vpcID, flows string) string {
	return acctest.ProviderConfig + fmt.Sprintf(`
resource "zerotrust_segment" "checkout" {
  name   = "checkout"
  vpc_id = %[1]q
}

resource "zerotrust_segment" "payments" {
  name        = "payments"
  vpc_id      = %[1]q
  sensitivity = "restricted"
}

resource "zerotrust_segment_policy" "test" {
  segment = zerotrust_segment.payments.id
%[2]s
}
`, vpcID, flows)
}

const basicFlows = `
  allow_from {
    cidr_blocks = ["10.1.2.3/8"]
    ports       = ["443"]
  }
  allow_from {
    segment = zerotrust_segment.checkout.id
    ports   = ["8443"]
  }
  allow_to {
    cidr_blocks = ["10.20.0.0/16"]
    ports       = ["5432"]
  }
`

func TestAccSegmentPolicy_basic(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.20.0.0/16")
	ids := map[string]string{}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: policyConfig(vpcID, basicFlows),
				Check: func(s *terraform.State) error {
					for _, n := range []string{"payments", "checkout"} {
						ids[n] = s.RootModule().Resources["zerotrust_segment."+n].Primary.ID
					}
					p, c := ids["payments"], ids["checkout"]
					if err := expectLiveRules(t, p, "in tcp 443-443 10.0.0.0/8", "in tcp 8443-8443 "+c, "out tcp 5432-5432 10.20.0.0/16"); err != nil {
						return err
					}
					// The other half of the checkout -> payments flow lives on checkout's group.
					return expectLiveRules(t, c, "out tcp 8443-8443 "+p)
				},
			},
			{
				// Nothing changed: the re-plan is empty and the rules are known in it.
				Config: policyConfig(vpcID, basicFlows),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_segment_policy.test", plancheck.ResourceActionNoop),
						plancheck.ExpectKnownValue("zerotrust_segment_policy.test", tfjsonpath.New("ingress_rules").AtSliceIndex(0).AtMapKey("cidr_ipv4"), knownvalue.StringExact("10.0.0.0/8")),
						plancheck.ExpectKnownValue("zerotrust_segment_policy.test", tfjsonpath.New("segment_sensitivity"), knownvalue.StringExact("restricted")),
					},
				},
			},
			{
				ResourceName:            "zerotrust_segment_policy.test",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"allow_from.0.cidr_blocks.0"}, // configured un-canonical on purpose
			},
		},
	})
}

// TestAccSegmentPolicy_update shows the compiled rules in the plan before
// apply, and reconciles the difference.
func TestAccSegmentPolicy_update(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.21.0.0/16")
	var payments string
	updated := `
  allow_from {
    cidr_blocks = ["10.0.0.0/8", "2001:db8::/32"]
    ports       = ["443", "444", "8000-8080", "8081"]
    description = "corporate"
  }
  allow_to {
    prefix_list_ids = ["pl-0123456789abcdef0"]
    protocol        = "udp"
    ports           = ["53"]
  }
`
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: policyConfig(vpcID, basicFlows),
				Check: func(s *terraform.State) error {
					payments = s.RootModule().Resources["zerotrust_segment.payments"].Primary.ID
					return nil
				},
			},
			{
				Config: policyConfig(vpcID, updated),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_segment_policy.test", plancheck.ResourceActionUpdate),
						// Adjacent ranges merged (443-444, 8000-8081) and visible before apply.
						plancheck.ExpectKnownValue("zerotrust_segment_policy.test", tfjsonpath.New("ingress_rules"), knownvalue.ListSizeExact(4)),
						plancheck.ExpectKnownValue("zerotrust_segment_policy.test", tfjsonpath.New("ingress_rules").AtSliceIndex(0).AtMapKey("to_port"), knownvalue.Int64Exact(444)),
						plancheck.ExpectKnownValue("zerotrust_segment_policy.test", tfjsonpath.New("peer_rules"), knownvalue.ListSizeExact(0)),
					},
				},
				Check: func(*terraform.State) error {
					return expectLiveRules(t, payments,
						"in tcp 443-444 10.0.0.0/8", "in tcp 8000-8081 10.0.0.0/8", "in tcp 443-444 2001:db8::/32", "in tcp 8000-8081 2001:db8::/32",
						"out udp 53-53 pl-0123456789abcdef0")
				},
			},
		},
	})
}

// TestAccSegmentPolicy_drift removes an owned rule and adds a foreign one out
// of band: the plan shows both, and apply restores exactly the declared set.
func TestAccSegmentPolicy_drift(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.22.0.0/16")
	var payments, checkout string
	cfg := policyConfig(vpcID, basicFlows)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(s *terraform.State) error {
					payments = s.RootModule().Resources["zerotrust_segment.payments"].Primary.ID
					checkout = s.RootModule().Resources["zerotrust_segment.checkout"].Primary.ID
					return nil
				},
			},
			{
				PreConfig: func() {
					c := acctest.EC2(t)
					var victim string
					for _, r := range groupRules(t, payments) {
						if aws.ToInt32(r.FromPort) == 443 {
							victim = aws.ToString(r.SecurityGroupRuleId)
						}
					}
					if _, err := c.RevokeSecurityGroupIngress(context.Background(), &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(payments), SecurityGroupRuleIds: []string{victim}}); err != nil {
						t.Fatal(err)
					}
					if _, err := c.AuthorizeSecurityGroupIngress(context.Background(), &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(payments),
						IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					return expectLiveRules(t, payments, "in tcp 443-443 10.0.0.0/8", "in tcp 8443-8443 "+checkout, "out tcp 5432-5432 10.20.0.0/16")
				},
			},
		},
	})
}

// TestAccSegmentPolicy_disappears: every rule of the policy revoked out of band.
func TestAccSegmentPolicy_disappears(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.23.0.0/16")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: policyConfig(vpcID, basicFlows),
				Check: func(s *terraform.State) error {
					payments := s.RootModule().Resources["zerotrust_segment.payments"].Primary.ID
					var in, out []string
					for _, r := range groupRules(t, payments) {
						if aws.ToBool(r.IsEgress) {
							out = append(out, aws.ToString(r.SecurityGroupRuleId))
						} else {
							in = append(in, aws.ToString(r.SecurityGroupRuleId))
						}
					}
					c := acctest.EC2(t)
					if _, err := c.RevokeSecurityGroupIngress(context.Background(), &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(payments), SecurityGroupRuleIds: in}); err != nil {
						return err
					}
					_, err := c.RevokeSecurityGroupEgress(context.Background(), &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(payments), SecurityGroupRuleIds: out})
					return err
				},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccSegmentPolicy_badInput(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.24.0.0/16")
	cases := map[string]struct{ flows, want string }{
		"open internet into restricted": {`
  allow_from {
    cidr_blocks = ["0.0.0.0/0"]
    ports       = ["443"]
  }`, `(?s)Open internet into a restricted segment.*cidr_blocks = \["0\.0\.0\.0/0"\]`},
		"upside-down range": {`
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
    ports       = ["9000-8000"]
  }`, `(?s)Port range upside down.*ports       = \["9000-8000"\]`},
		"port out of range": {`
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
    ports       = ["70000"]
  }`, `(?s)Port out of range`},
		"tcp without ports": {`
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
  }`, `(?s)Ports required`},
		"icmp with ports": {`
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
    protocol    = "icmp"
    ports       = ["8"]
  }`, `(?s)Ports not allowed`},
		"bad cidr": {`
  allow_from {
    cidr_blocks = ["10.0.0.300/8"]
    ports       = ["443"]
  }`, `(?s)Invalid CIDR block`},
		"two peers in one block": {`
  allow_from {
    segment     = zerotrust_segment.checkout.id
    cidr_blocks = ["10.0.0.0/8"]
    ports       = ["443"]
  }`, `(?s)2 attributes specified when one \(and only one\)`},
		"over quota": {`
  max_rules_per_direction = 2
  allow_from {
    cidr_blocks = ["10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"]
    ports       = ["443"]
  }`, `(?s)Security group rule quota exceeded.*3 ingress rules`},
	}
	steps := []resource.TestStep{{Config: policyConfig(vpcID, basicFlows)}}
	names := make([]string, 0, len(cases))
	for name := range cases {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		tc := cases[name]
		steps = append(steps, resource.TestStep{
			Config:      policyConfig(vpcID, tc.flows),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	// Back to the valid configuration: it is unchanged, and the post-test
	// destroy (which validates the configuration first) can run.
	steps = append(steps, resource.TestStep{Config: policyConfig(vpcID, basicFlows), PlanOnly: true})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// expectLiveRules compares a group's rules in the sandbox with want
// ("in|out proto from-to peer"), order-insensitively.
func expectLiveRules(t *testing.T, groupID string, want ...string) error {
	t.Helper()
	var got []string
	for _, r := range groupRules(t, groupID) {
		dir := "in"
		if aws.ToBool(r.IsEgress) {
			dir = "out"
		}
		peer := aws.ToString(r.CidrIpv4) + aws.ToString(r.CidrIpv6) + aws.ToString(r.PrefixListId)
		if r.ReferencedGroupInfo != nil {
			peer = aws.ToString(r.ReferencedGroupInfo.GroupId)
		}
		got = append(got, fmt.Sprintf("%s %s %d-%d %s", dir, aws.ToString(r.IpProtocol), aws.ToInt32(r.FromPort), aws.ToInt32(r.ToPort), peer))
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		return fmt.Errorf("rules of %s:\n got:\n  %s\n want:\n  %s", groupID, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	return nil
}
