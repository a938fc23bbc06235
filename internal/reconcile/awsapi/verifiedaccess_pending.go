package awsapi

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Verified Access names are not unique, so a create cannot learn from a
// name conflict that its earlier attempt succeeded. Within one process the
// SDK's idempotency token covers a lost response; across processes (a killed
// Terraform) the pending mark does: a create first looks for an object of the
// same proxy or surface that is still pending, and claims it.

// FindPendingVerifiedAccessInstance returns the instance of proxy name whose
// create is still pending, or nil.
func FindPendingVerifiedAccessInstance(ctx context.Context, c *ec2.Client, name string) (*VerifiedAccessInstance, error) {
	out, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{Filters: []types.Filter{
		{Name: aws.String("tag:" + TagManagedBy), Values: []string{ManagedByValue}},
		{Name: aws.String("tag:" + TagProxy), Values: []string{name}},
	}})
	if err != nil {
		return nil, fmt.Errorf("looking for an interrupted create of proxy %q: %w", name, err)
	}
	for _, in := range out.VerifiedAccessInstances {
		if recoverable(tagMap(in.Tags)) {
			return fromSDKInstance(in), nil
		}
	}
	return nil, nil
}

// FindPendingVerifiedAccessGroup returns the group of surface name on
// instanceID whose create is still pending, or nil.
func FindPendingVerifiedAccessGroup(ctx context.Context, c *ec2.Client, instanceID, name string) (*VerifiedAccessGroup, error) {
	out, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{
		VerifiedAccessInstanceId: aws.String(instanceID),
		Filters: []types.Filter{
			{Name: aws.String("tag:" + TagManagedBy), Values: []string{ManagedByValue}},
			{Name: aws.String("tag:" + TagSurface), Values: []string{name}},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("looking for an interrupted create of surface %q: %w", name, err)
	}
	for _, g := range out.VerifiedAccessGroups {
		if recoverable(tagMap(g.Tags)) {
			return fromSDKGroupVA(g), nil
		}
	}
	return nil, nil
}
