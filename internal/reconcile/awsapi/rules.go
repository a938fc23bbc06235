package awsapi

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// describeRules pages through DescribeSecurityGroupRules for one group, with
// optional extra filters: one filtered call per page instead of per-rule reads.
func describeRules(ctx context.Context, c *ec2.Client, groupID string, extra ...types.Filter) ([]types.SecurityGroupRule, error) {
	in := &ec2.DescribeSecurityGroupRulesInput{
		Filters:    append([]types.Filter{{Name: aws.String("group-id"), Values: []string{groupID}}}, extra...),
		MaxResults: aws.Int32(1000),
	}
	var out []types.SecurityGroupRule
	p := ec2.NewDescribeSecurityGroupRulesPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if hasCode(err, errGroupNotFound, errGroupIDNotFound) {
			return nil, &NotFoundError{Kind: securityGroupKind, ID: groupID, Cause: err}
		}
		if err != nil {
			return nil, fmt.Errorf("describing rules of %s: %w", groupID, err)
		}
		out = append(out, page.SecurityGroupRules...)
	}
	return out, nil
}

// UnmanagedRuleIDs lists the rules of a group that carry no managed-by tag:
// in a group the provider created, those were added out of band.
func UnmanagedRuleIDs(ctx context.Context, c *ec2.Client, groupID string) ([]string, error) {
	rules, err := describeRules(ctx, c, groupID)
	if err != nil {
		return nil, err
	}
	ids := []string{}
	for _, r := range rules {
		if tagMap(r.Tags)[TagManagedBy] != ManagedByValue {
			ids = append(ids, aws.ToString(r.SecurityGroupRuleId))
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// RevokeRuleIDs revokes rules by id with at most one call per direction.
// Rules already gone are not an error.
func RevokeRuleIDs(ctx context.Context, c *ec2.Client, groupID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	rules, err := describeRules(ctx, c, groupID, types.Filter{Name: aws.String("security-group-rule-id"), Values: ids})
	if err != nil {
		return err
	}
	var ingress, egress []string
	for _, r := range rules {
		if aws.ToBool(r.IsEgress) {
			egress = append(egress, aws.ToString(r.SecurityGroupRuleId))
		} else {
			ingress = append(ingress, aws.ToString(r.SecurityGroupRuleId))
		}
	}
	return revokeByID(ctx, c, groupID, ingress, egress)
}

func revokeByID(ctx context.Context, c *ec2.Client, groupID string, ingress, egress []string) error {
	if len(ingress) > 0 {
		_, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(groupID), SecurityGroupRuleIds: ingress})
		if err != nil && !hasCode(err, errRuleNotFound, errPermNotFound) {
			return fmt.Errorf("revoking %d ingress rules of %s: %w", len(ingress), groupID, err)
		}
	}
	if len(egress) > 0 {
		_, err := c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(groupID), SecurityGroupRuleIds: egress})
		if err != nil && !hasCode(err, errRuleNotFound, errPermNotFound) {
			return fmt.Errorf("revoking %d egress rules of %s: %w", len(egress), groupID, err)
		}
	}
	return nil
}
