package acctest

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// Load balancers in front of protect-surface applications: made in test
// setup through the SDK, as the prerequisites a module takes as variables.

// CreateSubnets makes one subnet per CIDR block in vpcID, spread over the
// region's first availability zones (an Application Load Balancer needs
// two), and deletes them afterwards.
func CreateSubnets(t *testing.T, vpcID string, cidrs ...string) []string {
	t.Helper()
	c := EC2(t)
	ctx := context.Background()
	zones, err := c.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
	if err != nil || len(zones.AvailabilityZones) == 0 {
		t.Fatalf("listing availability zones: %v", err)
	}
	var ids []string
	for i, cidr := range cidrs {
		az := zones.AvailabilityZones[i%len(zones.AvailabilityZones)].ZoneName
		out, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpcID), CidrBlock: aws.String(cidr), AvailabilityZone: az})
		if err != nil {
			t.Fatalf("creating subnet %s: %v", cidr, err)
		}
		id := aws.ToString(out.Subnet.SubnetId)
		ids = append(ids, id)
		t.Cleanup(func() { _, _ = c.DeleteSubnet(context.Background(), &ec2.DeleteSubnetInput{SubnetId: aws.String(id)}) })
	}
	return ids
}

// CreateInternalLoadBalancer makes an internal Application Load Balancer in
// the subnets and returns its ARN; it is deleted afterwards.
func CreateInternalLoadBalancer(t *testing.T, name string, subnetIDs []string) string {
	t.Helper()
	c := elb.NewFromConfig(AWSConfig(t))
	out, err := c.CreateLoadBalancer(context.Background(), &elb.CreateLoadBalancerInput{
		Name: aws.String(name), Subnets: subnetIDs, Scheme: elbtypes.LoadBalancerSchemeEnumInternal, Type: elbtypes.LoadBalancerTypeEnumApplication,
	})
	if err != nil || len(out.LoadBalancers) != 1 {
		t.Fatalf("creating load balancer %s: %v", name, err)
	}
	arn := aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
	t.Cleanup(func() {
		_, _ = c.DeleteLoadBalancer(context.Background(), &elb.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(arn)})
	})
	return arn
}

// LoadBalancerExists says whether the load balancer can be described (a
// surface's destroy must leave the application's load balancer alone).
func LoadBalancerExists(t *testing.T, arn string) error {
	t.Helper()
	out, err := elb.NewFromConfig(AWSConfig(t)).DescribeLoadBalancers(context.Background(), &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{arn}})
	if err != nil || len(out.LoadBalancers) != 1 {
		return fmt.Errorf("load balancer %s: %v", arn, err)
	}
	return nil
}
