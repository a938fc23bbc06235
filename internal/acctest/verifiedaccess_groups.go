package acctest

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Verified Access groups and endpoints (protect surfaces), read and edited
// out of band.

func describeVAGroup(ctx context.Context, c *ec2.Client, id string) (ec2types.VerifiedAccessGroup, error) {
	out, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessGroupIds: []string{id}})
	if err != nil || len(out.VerifiedAccessGroups) != 1 {
		return ec2types.VerifiedAccessGroup{}, fmt.Errorf("describing group %s: %v", id, err)
	}
	return out.VerifiedAccessGroups[0], nil
}

// GetVerifiedAccessGroup reads a group; the test fails if it cannot.
func GetVerifiedAccessGroup(t *testing.T, id string) VerifiedAccessGroup {
	t.Helper()
	g, err := describeVAGroup(context.Background(), EC2(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return VerifiedAccessGroup{ID: id, InstanceID: aws.ToString(g.VerifiedAccessInstanceId), Tags: tagMap(g.Tags)}
}

// VerifiedAccessGroupsOf lists the ids of an instance's groups.
func VerifiedAccessGroupsOf(t *testing.T, instanceID string) ([]string, error) {
	t.Helper()
	return groupsOf(context.Background(), EC2(t), instanceID)
}

func groupsOf(ctx context.Context, c *ec2.Client, instanceID string) ([]string, error) {
	out, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessInstanceId: aws.String(instanceID)})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, g := range out.VerifiedAccessGroups {
		ids = append(ids, aws.ToString(g.VerifiedAccessGroupId))
	}
	return ids, nil
}

func groupPolicy(ctx context.Context, c *ec2.Client, id string) (VerifiedAccessPolicy, error) {
	out, err := c.GetVerifiedAccessGroupPolicy(ctx, &ec2.GetVerifiedAccessGroupPolicyInput{VerifiedAccessGroupId: aws.String(id)})
	if err != nil {
		return VerifiedAccessPolicy{}, fmt.Errorf("reading the policy of %s: %v", id, err)
	}
	return VerifiedAccessPolicy{Enabled: aws.ToBool(out.PolicyEnabled), Document: aws.ToString(out.PolicyDocument)}, nil
}

// GetVerifiedAccessGroupPolicy reads a group's policy; the test fails if it cannot.
func GetVerifiedAccessGroupPolicy(t *testing.T, id string) VerifiedAccessPolicy {
	t.Helper()
	p, err := groupPolicy(context.Background(), EC2(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// SetVerifiedAccessGroupPolicy edits a group's policy out of band; an empty
// document leaves the document as it is.
func SetVerifiedAccessGroupPolicy(t *testing.T, id, document string, enabled bool) {
	t.Helper()
	in := &ec2.ModifyVerifiedAccessGroupPolicyInput{VerifiedAccessGroupId: aws.String(id), PolicyEnabled: aws.Bool(enabled)}
	if document != "" {
		in.PolicyDocument = aws.String(document)
	}
	if _, err := EC2(t).ModifyVerifiedAccessGroupPolicy(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// DeleteVerifiedAccessGroup deletes a group out of band.
func DeleteVerifiedAccessGroup(t *testing.T, id string) error {
	t.Helper()
	_, err := EC2(t).DeleteVerifiedAccessGroup(context.Background(), &ec2.DeleteVerifiedAccessGroupInput{VerifiedAccessGroupId: aws.String(id)})
	return err
}

// VerifiedAccessEndpoints reads a group's endpoints.
func VerifiedAccessEndpoints(t *testing.T, groupID string) []VerifiedAccessEndpoint {
	t.Helper()
	eps, err := endpointsOf(context.Background(), EC2(t), groupID)
	if err != nil {
		t.Fatal(err)
	}
	return eps
}

func endpointsOf(ctx context.Context, c *ec2.Client, groupID string) ([]VerifiedAccessEndpoint, error) {
	out, err := c.DescribeVerifiedAccessEndpoints(ctx, &ec2.DescribeVerifiedAccessEndpointsInput{VerifiedAccessGroupId: aws.String(groupID)})
	if err != nil {
		return nil, fmt.Errorf("describing the endpoints of %s: %v", groupID, err)
	}
	var eps []VerifiedAccessEndpoint
	for _, e := range out.VerifiedAccessEndpoints {
		v := VerifiedAccessEndpoint{ID: aws.ToString(e.VerifiedAccessEndpointId), ApplicationDomain: aws.ToString(e.ApplicationDomain),
			EndpointDomain: aws.ToString(e.EndpointDomain), Tags: tagMap(e.Tags)}
		if e.Status != nil {
			v.Status = string(e.Status.Code)
		}
		if e.LoadBalancerOptions != nil {
			v.LoadBalancerPort, v.LoadBalancerProtocol = aws.ToInt32(e.LoadBalancerOptions.Port), string(e.LoadBalancerOptions.Protocol)
			v.LoadBalancerARN, v.SubnetIDs = aws.ToString(e.LoadBalancerOptions.LoadBalancerArn), e.LoadBalancerOptions.SubnetIds
		}
		if e.CidrOptions != nil {
			v.Cidr, v.CidrProtocol = aws.ToString(e.CidrOptions.Cidr), string(e.CidrOptions.Protocol)
			for _, r := range e.CidrOptions.PortRanges {
				v.CidrPortRanges = append(v.CidrPortRanges, fmt.Sprintf("%d-%d", aws.ToInt32(r.FromPort), aws.ToInt32(r.ToPort)))
			}
		}
		if o := e.RdsOptions; o != nil {
			v.RdsInstanceARN, v.RdsClusterARN, v.RdsProxyARN = aws.ToString(o.RdsDbInstanceArn), aws.ToString(o.RdsDbClusterArn), aws.ToString(o.RdsDbProxyArn)
			v.RdsEndpoint, v.RdsPort, v.RdsProtocol, v.SubnetIDs = aws.ToString(o.RdsEndpoint), aws.ToInt32(o.Port), string(o.Protocol), o.SubnetIds
		}
		eps = append(eps, v)
	}
	return eps, nil
}

func endpointPolicy(ctx context.Context, c *ec2.Client, id string) (VerifiedAccessPolicy, error) {
	out, err := c.GetVerifiedAccessEndpointPolicy(ctx, &ec2.GetVerifiedAccessEndpointPolicyInput{VerifiedAccessEndpointId: aws.String(id)})
	if err != nil {
		return VerifiedAccessPolicy{}, fmt.Errorf("reading the policy of %s: %v", id, err)
	}
	return VerifiedAccessPolicy{Enabled: aws.ToBool(out.PolicyEnabled), Document: aws.ToString(out.PolicyDocument)}, nil
}

// GetVerifiedAccessEndpointPolicy reads an endpoint's policy; the test fails if it cannot.
func GetVerifiedAccessEndpointPolicy(t *testing.T, id string) VerifiedAccessPolicy {
	t.Helper()
	p, err := endpointPolicy(context.Background(), EC2(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// SetVerifiedAccessEndpointPort changes a load-balancer endpoint's port out of band.
func SetVerifiedAccessEndpointPort(t *testing.T, id string, port int32) {
	t.Helper()
	if _, err := EC2(t).ModifyVerifiedAccessEndpoint(context.Background(), &ec2.ModifyVerifiedAccessEndpointInput{VerifiedAccessEndpointId: aws.String(id),
		LoadBalancerOptions: &ec2types.ModifyVerifiedAccessEndpointLoadBalancerOptions{Port: aws.Int32(port)}}); err != nil {
		t.Fatal(err)
	}
}

// SetVerifiedAccessEndpointPortRanges changes a cidr endpoint's port ranges
// out of band (each [from, to]).
func SetVerifiedAccessEndpointPortRanges(t *testing.T, id string, ranges ...[2]int32) {
	t.Helper()
	o := &ec2types.ModifyVerifiedAccessEndpointCidrOptions{}
	for _, r := range ranges {
		o.PortRanges = append(o.PortRanges, ec2types.ModifyVerifiedAccessEndpointPortRange{FromPort: aws.Int32(r[0]), ToPort: aws.Int32(r[1])})
	}
	if _, err := EC2(t).ModifyVerifiedAccessEndpoint(context.Background(), &ec2.ModifyVerifiedAccessEndpointInput{VerifiedAccessEndpointId: aws.String(id), CidrOptions: o}); err != nil {
		t.Fatal(err)
	}
}

// SetVerifiedAccessEndpointRdsPort changes an rds endpoint's port out of band.
func SetVerifiedAccessEndpointRdsPort(t *testing.T, id string, port int32) {
	t.Helper()
	if _, err := EC2(t).ModifyVerifiedAccessEndpoint(context.Background(), &ec2.ModifyVerifiedAccessEndpointInput{VerifiedAccessEndpointId: aws.String(id),
		RdsOptions: &ec2types.ModifyVerifiedAccessEndpointRdsOptions{Port: aws.Int32(port)}}); err != nil {
		t.Fatal(err)
	}
}

// DeleteVerifiedAccessEndpoint deletes an endpoint out of band.
func DeleteVerifiedAccessEndpoint(t *testing.T, id string) error {
	t.Helper()
	_, err := EC2(t).DeleteVerifiedAccessEndpoint(context.Background(), &ec2.DeleteVerifiedAccessEndpointInput{VerifiedAccessEndpointId: aws.String(id)})
	return err
}

// CreateTaggedVerifiedAccessInstance makes an instance carrying tags, as a
// create that was killed before Terraform recorded it leaves one.
func CreateTaggedVerifiedAccessInstance(t *testing.T, tags map[string]string) string {
	t.Helper()
	out, err := EC2(t).CreateVerifiedAccessInstance(context.Background(), &ec2.CreateVerifiedAccessInstanceInput{
		TagSpecifications: tagSpecifications(ec2types.ResourceTypeVerifiedAccessInstance, tags),
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.VerifiedAccessInstance.VerifiedAccessInstanceId)
}

// CreateTaggedVerifiedAccessGroup makes a group on instanceID carrying tags,
// as a create that was killed before Terraform recorded it leaves one.
func CreateTaggedVerifiedAccessGroup(t *testing.T, instanceID string, tags map[string]string) string {
	t.Helper()
	out, err := EC2(t).CreateVerifiedAccessGroup(context.Background(), &ec2.CreateVerifiedAccessGroupInput{
		VerifiedAccessInstanceId: aws.String(instanceID), TagSpecifications: tagSpecifications(ec2types.ResourceTypeVerifiedAccessGroup, tags),
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.VerifiedAccessGroup.VerifiedAccessGroupId)
}
