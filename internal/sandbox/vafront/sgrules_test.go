package vafront

import (
	"context"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestGroupPairRuleDescriptions checks the EC2 behaviour that a security
// group rule referencing another group has one description, shown both by
// DescribeSecurityGroupRules (SecurityGroupRule.Description, EC2 API
// reference) and by DescribeSecurityGroups (UserIdGroupPair.Description),
// and that ModifySecurityGroupRules changes it in both. moto shows the
// Authorize-time description only in DescribeSecurityGroups and the
// Modify-time one only in DescribeSecurityGroupRules; the front reconciles.
func TestGroupPairRuleDescriptions(t *testing.T) {
	ctx, c, _ := fresh(t)
	a := newSecurityGroup(t, c, "app")
	b := newSecurityGroup(t, c, "lb")
	if _, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(a), IpPermissions: []ec2types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
			UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(b), Description: aws.String("https from lb")}}},
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(8080), ToPort: aws.Int32(8080),
			UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(b), Description: aws.String("admin & <ops>")}}},
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("10.0.0.0/8"), Description: aws.String("ssh")}}},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(a), IpPermissions: []ec2types.IpPermission{
		{IpProtocol: aws.String("-1"), UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(b), Description: aws.String("all to lb")}}},
	}}); err != nil {
		t.Fatal(err)
	}

	// Every group-pair rule shows the description DescribeSecurityGroups has.
	rules := groupRules(t, c, a)
	pairs := groupPairDescriptions(t, c, a)
	if len(pairs) != 3 {
		t.Fatalf("DescribeSecurityGroups group pairs %v", pairs)
	}
	var https string
	for _, r := range rules {
		if r.ReferencedGroupInfo == nil {
			continue
		}
		k := pairKey{aws.ToBool(r.IsEgress), aws.ToInt32(r.FromPort)}
		if got := aws.ToString(r.Description); got == "" || got != pairs[k] {
			t.Errorf("rule %s %+v: description %q, DescribeSecurityGroups has %q", aws.ToString(r.SecurityGroupRuleId), k, got, pairs[k])
		}
		if aws.ToInt32(r.FromPort) == 443 {
			https = aws.ToString(r.SecurityGroupRuleId)
		}
	}
	if https == "" {
		t.Fatalf("no https rule in %+v", rules)
	}

	// Nothing else differs from moto's own answer.
	direct := groupRulesFrom(t, ec2Client(testMoto.URL), a)
	for i := range rules {
		if direct[i].ReferencedGroupInfo != nil {
			direct[i].Description = rules[i].Description
		}
	}
	if !reflect.DeepEqual(rules, direct) {
		t.Fatalf("front and moto differ beyond descriptions:\nfront %+v\nmoto  %+v", rules, direct)
	}

	// ModifySecurityGroupRules changes the description in both views.
	modify := func(desc string) {
		t.Helper()
		if _, err := c.ModifySecurityGroupRules(ctx, &ec2.ModifySecurityGroupRulesInput{GroupId: aws.String(a), SecurityGroupRules: []ec2types.SecurityGroupRuleUpdate{{
			SecurityGroupRuleId: aws.String(https),
			SecurityGroupRule: &ec2types.SecurityGroupRuleRequest{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
				ReferencedGroupId: aws.String(b), Description: aws.String(desc)},
		}}}); err != nil {
			t.Fatal(err)
		}
	}
	modify("https from the load balancer")
	check := func(want string) {
		t.Helper()
		for _, r := range groupRules(t, c, a) {
			if aws.ToString(r.SecurityGroupRuleId) == https && aws.ToString(r.Description) != want {
				t.Errorf("DescribeSecurityGroupRules: %q, want %q", aws.ToString(r.Description), want)
			}
		}
		pairs := groupPairDescriptions(t, c, a)
		if got := pairs[pairKey{false, 443}]; got != want {
			t.Errorf("DescribeSecurityGroups: %q, want %q", got, want)
		}
		if got := pairs[pairKey{true, -1}]; got != "all to lb" {
			t.Errorf("another rule's description changed: %q", got)
		}
	}
	check("https from the load balancer")
	modify("")
	check("")
}

type pairKey struct {
	egress bool
	from   int32
}

func newSecurityGroup(t *testing.T, c *ec2.Client, name string) string {
	t.Helper()
	out, err := c.CreateSecurityGroup(context.Background(), &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name + " tier")})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.GroupId)
}

func groupRules(t *testing.T, c *ec2.Client, group string) []ec2types.SecurityGroupRule {
	t.Helper()
	return groupRulesFrom(t, c, group)
}

func groupRulesFrom(t *testing.T, c *ec2.Client, group string) []ec2types.SecurityGroupRule {
	t.Helper()
	out, err := c.DescribeSecurityGroupRules(context.Background(), &ec2.DescribeSecurityGroupRulesInput{
		Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{group}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.SecurityGroupRules
}

// groupPairDescriptions reads DescribeSecurityGroups' group-pair
// descriptions of one group, by direction and from-port (-1 when none).
func groupPairDescriptions(t *testing.T, c *ec2.Client, group string) map[pairKey]string {
	t.Helper()
	out, err := c.DescribeSecurityGroups(context.Background(), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{group}})
	if err != nil || len(out.SecurityGroups) != 1 {
		t.Fatalf("DescribeSecurityGroups: %v %+v", err, out)
	}
	m := map[pairKey]string{}
	sg := out.SecurityGroups[0]
	for egress, perms := range map[bool][]ec2types.IpPermission{false: sg.IpPermissions, true: sg.IpPermissionsEgress} {
		for _, p := range perms {
			from := int32(-1)
			if p.FromPort != nil {
				from = *p.FromPort
			}
			for _, pair := range p.UserIdGroupPairs {
				m[pairKey{egress, from}] = aws.ToString(pair.Description)
			}
		}
	}
	return m
}

// TestDeleteReferencedSecurityGroup checks EC2's DeleteSecurityGroup
// (EC2 API reference): a group referenced by a rule of another security
// group cannot be deleted (DependencyViolation) until that rule is
// revoked; a group's rules referencing itself do not prevent it. moto
// deletes a referenced group.
func TestDeleteReferencedSecurityGroup(t *testing.T) {
	ctx, c, _ := fresh(t)
	app := newSecurityGroup(t, c, "app")
	db := newSecurityGroup(t, c, "db")
	if _, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(db), IpPermissions: []ec2types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432), UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(app)}}},
		{IpProtocol: aws.String("-1"), UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(db)}}},
	}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(app)})
	wantCode(t, err, "DependencyViolation")
	if out, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{app}}); err != nil || len(out.SecurityGroups) != 1 {
		t.Fatalf("the referenced group is gone: %v %+v", err, out)
	}

	var ref string
	for _, r := range groupRules(t, c, db) {
		if r.ReferencedGroupInfo != nil && aws.ToString(r.ReferencedGroupInfo.GroupId) == app {
			ref = aws.ToString(r.SecurityGroupRuleId)
		}
	}
	if _, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(db), SecurityGroupRuleIds: []string{ref}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(app)}); err != nil {
		t.Fatalf("after the revoke: %v", err)
	}
	// db references only itself.
	if _, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(db)}); err != nil {
		t.Fatalf("self-referencing group: %v", err)
	}
}
