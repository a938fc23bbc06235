package provider_test

import (
	"context"
	"fmt"
	"regexp"
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
)

func segmentConfig(vpcID, name, sensitivity string) string {
	return acctest.ProviderConfig + fmt.Sprintf(`
resource "zerotrust_segment" "test" {
  name        = %q
  vpc_id      = %q
  sensitivity = %q
  tags        = { team = "payments" }
}
`, name, vpcID, sensitivity)
}

func TestAccSegment_basic(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.10.0.0/16")
	var groupID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGroupsGone(t, &groupID),
		Steps: []resource.TestStep{
			{
				Config: segmentConfig(vpcID, "payments", "restricted"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^sg-[0-9a-f]+$`))),
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("adopted"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("unmanaged_rule_ids"), knownvalue.ListExact(nil)),
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("sensitivity"), knownvalue.StringExact("restricted")),
				},
				Check: func(s *terraform.State) error {
					groupID = s.RootModule().Resources["zerotrust_segment.test"].Primary.ID
					g := describeGroup(t, groupID)
					tags := tagsOf(g.Tags)
					for k, want := range map[string]string{"managed-by": "terraform-provider-zerotrust", "zerotrust:segment": "payments", "zerotrust:sensitivity": "restricted", "team": "payments"} {
						if tags[k] != want {
							return fmt.Errorf("tag %s = %q, want %q (all: %v)", k, tags[k], want, tags)
						}
					}
					// Deny by default in both directions: no rule at all, not even the default egress.
					if n := len(groupRules(t, groupID)); n != 0 {
						return fmt.Errorf("new segment has %d rules, want 0", n)
					}
					return nil
				},
			},
			{
				ResourceName:      "zerotrust_segment.test",
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

func TestAccSegment_update(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.11.0.0/16")
	var groupID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGroupsGone(t, &groupID),
		Steps: []resource.TestStep{
			{
				Config: segmentConfig(vpcID, "orders", "internal"),
				Check: func(s *terraform.State) error {
					groupID = s.RootModule().Resources["zerotrust_segment.test"].Primary.ID
					return nil
				},
			},
			{
				Config: segmentConfig(vpcID, "orders", "confidential"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_segment.test", plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					if got := tagsOf(describeGroup(t, groupID).Tags)["zerotrust:sensitivity"]; got != "confidential" {
						return fmt.Errorf("sensitivity tag %q after update, want confidential", got)
					}
					return nil
				},
			},
			{
				Config: segmentConfig(vpcID, "orders-v2", "confidential"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_segment.test", plancheck.ResourceActionDestroyBeforeCreate)},
				},
			},
		},
	})
}

// TestAccSegment_drift adds a rule out of band to a created segment; the
// plan shows it as unmanaged and apply removes it.
func TestAccSegment_drift(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.12.0.0/16")
	var groupID string
	cfg := segmentConfig(vpcID, "drift", "internal")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(s *terraform.State) error {
					groupID = s.RootModule().Resources["zerotrust_segment.test"].Primary.ID
					return nil
				},
			},
			{
				PreConfig: func() {
					_, err := acctest.EC2(t).AuthorizeSecurityGroupIngress(context.Background(), &ec2.AuthorizeSecurityGroupIngressInput{
						GroupId: aws.String(groupID), IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), CidrIp: aws.String("0.0.0.0/0"),
					})
					if err != nil {
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
					if n := len(groupRules(t, groupID)); n != 0 {
						return fmt.Errorf("out-of-band rule not removed: %d rules left", n)
					}
					return nil
				},
			},
		},
	})
}

func TestAccSegment_disappears(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.13.0.0/16")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: segmentConfig(vpcID, "gone", "internal"),
				Check: func(s *terraform.State) error {
					id := s.RootModule().Resources["zerotrust_segment.test"].Primary.ID
					_, err := acctest.EC2(t).DeleteSecurityGroup(context.Background(), &ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)})
					return err
				},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccSegment_adopt adopts a group made outside Terraform: destroy must
// leave it in place, with the provider's tags removed.
func TestAccSegment_adopt(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.14.0.0/16")
	c := acctest.EC2(t)
	out, err := c.CreateSecurityGroup(context.Background(), &ec2.CreateSecurityGroupInput{GroupName: aws.String("legacy"), Description: aws.String("legacy"), VpcId: aws.String(vpcID)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.GroupId)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			g := describeGroup(t, id)
			for k := range tagsOf(g.Tags) {
				if k == "managed-by" || regexp.MustCompile(`^zerotrust:`).MatchString(k) {
					return fmt.Errorf("adopted group still carries provider tag %s after destroy", k)
				}
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderConfig + fmt.Sprintf(`
resource "zerotrust_segment" "test" {
  name              = "legacy"
  security_group_id = %q
}
`, id),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("adopted"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("id"), knownvalue.StringExact(id)),
				},
			},
		},
	})
}

func TestAccSegment_badInput(t *testing.T) {
	cases := map[string]struct {
		body string
		want string
	}{
		"bad name":           {`name = "no spaces allowed"` + "\n" + `vpc_id = "vpc-0123456789abcdef0"`, `(?s)Attribute name.*must be 1.63 characters`},
		"bad sensitivity":    {`name = "a"` + "\n" + `vpc_id = "vpc-0123456789abcdef0"` + "\n" + `sensitivity = "secret"`, `(?s)Attribute sensitivity value must be one of`},
		"neither vpc nor sg": {`name = "a"`, `(?s)No attribute specified when one \(and only one\) of`},
		"both vpc and sg":    {`name = "a"` + "\n" + `vpc_id = "vpc-0123456789abcdef0"` + "\n" + `security_group_id = "sg-0123456789abcdef0"`, `(?s)2 attributes specified when one \(and only one\) of`},
		"bad vpc id":         {`name = "a"` + "\n" + `vpc_id = "my-vpc"`, `(?s)Attribute vpc_id must be a VPC id`},
		"reserved tag":       {`name = "a"` + "\n" + `vpc_id = "vpc-0123456789abcdef0"` + "\n" + `tags = { "managed-by" = "me" }`, `(?s)Reserved tag key.*The tag key "managed-by" is reserved`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderConfig + "resource \"zerotrust_segment\" \"test\" {\n" + tc.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

func describeGroup(t *testing.T, id string) ec2types.SecurityGroup {
	t.Helper()
	out, err := acctest.EC2(t).DescribeSecurityGroups(context.Background(), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	if err != nil || len(out.SecurityGroups) != 1 {
		t.Fatalf("describing %s: %v", id, err)
	}
	return out.SecurityGroups[0]
}

func groupRules(t *testing.T, id string) []ec2types.SecurityGroupRule {
	t.Helper()
	out, err := acctest.EC2(t).DescribeSecurityGroupRules(context.Background(), &ec2.DescribeSecurityGroupRulesInput{Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{id}}}})
	if err != nil {
		t.Fatalf("describing rules of %s: %v", id, err)
	}
	return out.SecurityGroupRules
}

func tagsOf(tags []ec2types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func checkGroupsGone(t *testing.T, ids ...*string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, id := range ids {
			if *id == "" {
				continue
			}
			_, err := acctest.EC2(t).DescribeSecurityGroups(context.Background(), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{*id}})
			if err == nil {
				return fmt.Errorf("security group %s still exists after destroy", *id)
			}
		}
		return nil
	}
}
