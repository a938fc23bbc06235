package acctest

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// EC2 returns an EC2 client on the sandbox (or real AWS); it skips the test
// outside acceptance runs.
func EC2(t *testing.T) *ec2.Client {
	t.Helper()
	return ec2.NewFromConfig(AWSConfig(t))
}

func ec2Client(ctx context.Context) (*ec2.Client, error) {
	cfg, err := awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	return ec2.NewFromConfig(cfg), nil
}

// CreateVPC creates a VPC for a test through the SDK and deletes it afterwards:
// prerequisites are made in test setup, not by another Terraform provider.
func CreateVPC(t *testing.T, cidr string) string {
	t.Helper()
	c := EC2(t)
	out, err := c.CreateVpc(context.Background(), &ec2.CreateVpcInput{CidrBlock: aws.String(cidr), TagSpecifications: []ec2types.TagSpecification{{
		ResourceType: ec2types.ResourceTypeVpc, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(withRunID("zt-acc") + "-" + t.Name())}},
	}}})
	if err != nil {
		t.Fatalf("creating test VPC: %v", err)
	}
	id := aws.ToString(out.Vpc.VpcId)
	t.Cleanup(func() {
		_, _ = c.DeleteVpc(context.Background(), &ec2.DeleteVpcInput{VpcId: aws.String(id)})
	})
	return id
}

// PeerVPCs joins two VPCs with a peering connection, accepted (active);
// it is deleted when the test ends.
func PeerVPCs(t *testing.T, requester, accepter string) {
	t.Helper()
	c := EC2(t)
	ctx := context.Background()
	out, err := c.CreateVpcPeeringConnection(ctx, &ec2.CreateVpcPeeringConnectionInput{VpcId: aws.String(requester), PeerVpcId: aws.String(accepter)})
	if err != nil {
		t.Fatalf("creating a VPC peering connection: %v", err)
	}
	id := out.VpcPeeringConnection.VpcPeeringConnectionId
	if _, err := c.AcceptVpcPeeringConnection(ctx, &ec2.AcceptVpcPeeringConnectionInput{VpcPeeringConnectionId: id}); err != nil {
		t.Fatalf("accepting VPC peering connection %s: %v", aws.ToString(id), err)
	}
	t.Cleanup(func() {
		_, _ = c.DeleteVpcPeeringConnection(context.Background(), &ec2.DeleteVpcPeeringConnectionInput{VpcPeeringConnectionId: id})
	})
}

// CreateSecurityGroup makes a security group outside Terraform (to adopt).
func CreateSecurityGroup(t *testing.T, vpcID, name, description string) string {
	t.Helper()
	out, err := EC2(t).CreateSecurityGroup(context.Background(), &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(description), VpcId: aws.String(vpcID)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.GroupId)
}

// tagSpecifications tags a resource of type rt at creation.
func tagSpecifications(rt ec2types.ResourceType, tags map[string]string) []ec2types.TagSpecification {
	spec := ec2types.TagSpecification{ResourceType: rt}
	for k, v := range tags {
		spec.Tags = append(spec.Tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return []ec2types.TagSpecification{spec}
}

func tagMap(tags []ec2types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func describeSecurityGroup(ctx context.Context, c *ec2.Client, id string) (ec2types.SecurityGroup, error) {
	out, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	if err != nil || len(out.SecurityGroups) != 1 {
		return ec2types.SecurityGroup{}, fmt.Errorf("describing %s: %v", id, err)
	}
	return out.SecurityGroups[0], nil
}

// SecurityGroupTags reads a security group's tags; the test fails if the
// group cannot be described.
func SecurityGroupTags(t *testing.T, id string) map[string]string {
	t.Helper()
	g, err := describeSecurityGroup(context.Background(), EC2(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return tagMap(g.Tags)
}

// SecurityGroupRule is one live rule of a security group.
type SecurityGroupRule struct {
	ID       string
	Egress   bool
	Protocol string
	FromPort int32
	ToPort   int32
	// Peer is the CIDR block, prefix list or referenced group id.
	Peer string
	Tags map[string]string
}

// String renders the rule as "in|out proto from-to peer".
func (r SecurityGroupRule) String() string {
	dir := "in"
	if r.Egress {
		dir = "out"
	}
	return fmt.Sprintf("%s %s %d-%d %s", dir, r.Protocol, r.FromPort, r.ToPort, r.Peer)
}

func securityGroupRules(ctx context.Context, c *ec2.Client, id string) ([]SecurityGroupRule, error) {
	out, err := c.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{id}}}})
	if err != nil {
		return nil, fmt.Errorf("describing rules of %s: %v", id, err)
	}
	var rules []SecurityGroupRule
	for _, r := range out.SecurityGroupRules {
		peer := aws.ToString(r.CidrIpv4) + aws.ToString(r.CidrIpv6) + aws.ToString(r.PrefixListId)
		if r.ReferencedGroupInfo != nil {
			peer = aws.ToString(r.ReferencedGroupInfo.GroupId)
		}
		rules = append(rules, SecurityGroupRule{
			ID: aws.ToString(r.SecurityGroupRuleId), Egress: aws.ToBool(r.IsEgress), Protocol: aws.ToString(r.IpProtocol),
			FromPort: aws.ToInt32(r.FromPort), ToPort: aws.ToInt32(r.ToPort), Peer: peer, Tags: tagMap(r.Tags),
		})
	}
	return rules, nil
}

// SecurityGroupRules reads a group's live rules; the test fails on error.
func SecurityGroupRules(t *testing.T, id string) []SecurityGroupRule {
	t.Helper()
	rules, err := securityGroupRules(context.Background(), EC2(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

// AuthorizeIngress adds an ingress rule out of band (as a person would).
func AuthorizeIngress(t *testing.T, groupID, protocol string, port int32, cidr string) {
	t.Helper()
	AuthorizeIngressTagged(t, groupID, protocol, port, port, cidr, nil)
}

// AuthorizeIngressTagged adds an ingress rule out of band with the given
// tags (as someone copying the provider's tags would).
func AuthorizeIngressTagged(t *testing.T, groupID, protocol string, from, to int32, cidr string, tags map[string]string) {
	t.Helper()
	in := &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(groupID),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String(protocol), FromPort: aws.Int32(from), ToPort: aws.Int32(to), IpRanges: []ec2types.IpRange{{CidrIp: aws.String(cidr)}}}}}
	if len(tags) > 0 {
		in.TagSpecifications = tagSpecifications(ec2types.ResourceTypeSecurityGroupRule, tags)
	}
	if _, err := EC2(t).AuthorizeSecurityGroupIngress(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// RevokeRules revokes the given rules of a group out of band.
func RevokeRules(t *testing.T, groupID string, rules ...SecurityGroupRule) error {
	t.Helper()
	return revokeRules(context.Background(), EC2(t), groupID, rules)
}

func revokeRules(ctx context.Context, c *ec2.Client, groupID string, rules []SecurityGroupRule) error {
	var in, out []string
	for _, r := range rules {
		if r.Egress {
			out = append(out, r.ID)
		} else {
			in = append(in, r.ID)
		}
	}
	if len(in) > 0 {
		if _, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(groupID), SecurityGroupRuleIds: in}); err != nil {
			return err
		}
	}
	if len(out) > 0 {
		if _, err := c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(groupID), SecurityGroupRuleIds: out}); err != nil {
			return err
		}
	}
	return nil
}

// DeleteSecurityGroup deletes a group out of band.
func DeleteSecurityGroup(t *testing.T, id string) error {
	t.Helper()
	_, err := EC2(t).DeleteSecurityGroup(context.Background(), &ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)})
	return err
}

// TagResource sets one tag on an EC2 resource out of band.
func TagResource(t *testing.T, id, key, value string) {
	t.Helper()
	_, err := EC2(t).CreateTags(context.Background(), &ec2.CreateTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String(key), Value: aws.String(value)}}})
	if err != nil {
		t.Fatal(err)
	}
}

// SecurityGroupsNamed returns the ids of the security groups named name in
// vpcID: how a test counts what a create (or its retries) left behind.
func SecurityGroupsNamed(t *testing.T, vpcID, name string) []string {
	t.Helper()
	ids, err := securityGroupsNamed(context.Background(), EC2(t), vpcID, name)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func securityGroupsNamed(ctx context.Context, c *ec2.Client, vpcID, name string) ([]string, error) {
	out, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpcID}},
		{Name: aws.String("group-name"), Values: []string{name}},
	}})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(out.SecurityGroups))
	for _, g := range out.SecurityGroups {
		ids = append(ids, aws.ToString(g.GroupId))
	}
	return ids, nil
}
