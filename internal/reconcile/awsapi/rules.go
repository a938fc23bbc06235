package awsapi

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// describeRules pages through DescribeSecurityGroupRules for one group, with
// optional extra filters: one filtered call per page instead of per-rule reads.
func describeRules(ctx context.Context, c *ec2.Client, groupID string, extra ...types.Filter) ([]types.SecurityGroupRule, error) {
	rc := cacheOf(c)
	if len(extra) > 0 {
		rc = nil // a filtered list is not the group's list
	}
	if rules, ok := rc.groupRules(groupID); ok {
		return rules, nil
	}
	gen := rc.generation()
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
	rc.keepRules(gen, groupID, out)
	return out, nil
}

// UnmanagedRules lists the rules of a group that no segment policy owns:
// every rule the provider writes carries both the managed-by tag and the
// owning policy's tag, so a rule missing either was added out of band — a
// copied managed-by tag alone does not make a rule ours. (A copied policy
// tag makes the rule that policy's, and the policy revokes what it did not
// declare.)
func UnmanagedRules(ctx context.Context, c *ec2.Client, groupID string) ([]LiveRule, error) {
	rules, err := describeRules(ctx, c, groupID)
	if err != nil {
		return nil, err
	}
	var out []LiveRule
	for _, r := range rules {
		tags := tagMap(r.Tags)
		if tags[TagManagedBy] != ManagedByValue || tags[TagPolicy] == "" {
			out = append(out, fromSDKRule(r))
		}
	}
	slices.SortFunc(out, func(a, b LiveRule) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// GoverningPolicies lists, sorted, the ids of the segment policies and sets
// whose rules are on a group (the policy part of each rule's TagPolicy,
// without its ownership id): this state's and other states' alike.
func GoverningPolicies(ctx context.Context, c *ec2.Client, groupID string) ([]string, error) {
	rules, err := describeRules(ctx, c, groupID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rules {
		tags := tagMap(r.Tags)
		if owner := tags[TagPolicy]; owner != "" && tags[TagManagedBy] == ManagedByValue {
			id, _ := ParseRuleOwner(owner)
			out = append(out, id)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(out))), nil
}

// GroupRules lists every rule of a group, sorted by id.
func GroupRules(ctx context.Context, c *ec2.Client, groupID string) ([]LiveRule, error) {
	rules, err := describeRules(ctx, c, groupID)
	if err != nil {
		return nil, err
	}
	out := make([]LiveRule, 0, len(rules))
	for _, r := range rules {
		out = append(out, fromSDKRule(r))
	}
	slices.SortFunc(out, func(a, b LiveRule) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// IDs lists the rules' ids.
func IDs(rules []LiveRule) []string {
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.ID
	}
	return ids
}

// Describe renders a live rule for a person: id, direction, protocol,
// ports and the peer ("sgr-0abc ingress tcp 22 from 0.0.0.0/0").
func (r LiveRule) Describe() string {
	ports := "all ports"
	if r.FromPort >= 0 {
		ports = model.PortRange{From: int(r.FromPort), To: int(r.ToPort)}.String()
	}
	peer := r.CIDRv4 + r.CIDRv6 + r.PrefixListID + r.ReferencedGroupID
	word := "from"
	if r.Egress {
		word = "to"
	}
	return fmt.Sprintf("%s %s %s %s %s %s", r.ID, securitygroup.Direction(r.Egress), securitygroup.ModelProtocol(r.Protocol), ports, word, peer)
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

// PolicyIngressRules lists the ingress rules of a group that segment
// policies own (managed-by and policy tags), with their acknowledgement.
func PolicyIngressRules(ctx context.Context, c *ec2.Client, groupID string) ([]LiveRule, error) {
	rules, err := describeRules(ctx, c, groupID)
	if err != nil {
		return nil, err
	}
	var out []LiveRule
	for _, r := range rules {
		tags := tagMap(r.Tags)
		if tags[TagManagedBy] == ManagedByValue && tags[TagPolicy] != "" && !aws.ToBool(r.IsEgress) {
			out = append(out, fromSDKRule(r))
		}
	}
	slices.SortFunc(out, func(a, b LiveRule) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}
