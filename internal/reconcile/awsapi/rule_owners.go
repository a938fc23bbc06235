package awsapi

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// A segment policy or policy set owns the rules whose TagPolicy is its
// rule owner: its id and, since ownership ids, "@" and its ownership id —
// so two resources of the same id in two states never own the same rules:
// one's rules are another's to refuse, not to take over or revoke. A state
// written before ownership ids owns the rules tagged with its id alone.

// RuleOwner is the TagPolicy value of the rules a policy or set owns.
func RuleOwner(id, ownership string) string {
	if ownership == "" {
		return id
	}
	return id + "@" + ownership
}

// ParseRuleOwner splits a TagPolicy value into the resource id and its
// ownership id ("" for a state written before ownership ids): the inverse
// of RuleOwner. Ids hold no "@" (policy names and segment names cannot).
func ParseRuleOwner(owner string) (id, ownership string) {
	id, ownership, _ = strings.Cut(owner, "@")
	return id, ownership
}

// RuleOwnersOf lists the rule owners of the resources of id: every
// TagPolicy value of a managed rule that is id or id@<ownership>, sorted,
// with one DescribeSecurityGroupRules over the managed rules (paginated).
// Import reads it to find the ownership id of what it imports.
func RuleOwnersOf(ctx context.Context, c *ec2.Client, id string) ([]string, error) {
	rules, err := managedRules(ctx, c)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rules {
		if owner := tagMap(r.Tags)[TagPolicy]; owner == id || strings.HasPrefix(owner, id+"@") {
			out = append(out, owner)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(out))), nil
}

// ClaimPendingRules makes owner's the rules a create of another resource
// of the same id left marked pending — a create interrupted before
// Terraform recorded it — so the create that follows adopts them once
// instead of colliding with them: one DescribeSecurityGroupRules, one
// CreateTags. The rules stay marked pending, now with pending, until the
// create completes (see ClearPendingRules).
func ClaimPendingRules(ctx context.Context, c *ec2.Client, id, owner, pending string) (int, error) {
	rules, err := managedRules(ctx, c)
	if err != nil {
		return 0, err
	}
	var ids []string
	for _, r := range rules {
		tags := tagMap(r.Tags)
		if o := tags[TagPolicy]; o != owner && strings.HasPrefix(o, id+"@") && tags[TagCreatePending] != "" {
			ids = append(ids, aws.ToString(r.SecurityGroupRuleId))
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: ids, Tags: sdkTags(map[string]string{TagPolicy: owner, TagCreatePending: pending})}); err != nil {
		return 0, fmt.Errorf("adopting the rules of an interrupted create of %s: %w", id, err)
	}
	return len(ids), nil
}

// ClearPendingRules removes the pending mark from owner's rules once its
// create is recorded: one read, one DeleteTags when any is marked.
func ClearPendingRules(ctx context.Context, c *ec2.Client, owner string) error {
	live, err := ReadPolicyRules(ctx, c, owner)
	if err != nil {
		return err
	}
	var ids []string
	for _, r := range live {
		if r.Pending {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: ids, Tags: []types.Tag{{Key: aws.String(TagCreatePending)}}}); err != nil {
		return fmt.Errorf("completing the create of %s: %w", owner, err)
	}
	return nil
}

// managedRules reads every security-group rule the provider tagged.
func managedRules(ctx context.Context, c *ec2.Client) ([]types.SecurityGroupRule, error) {
	in := &ec2.DescribeSecurityGroupRulesInput{
		Filters:    []types.Filter{{Name: aws.String("tag:" + TagManagedBy), Values: []string{ManagedByValue}}},
		MaxResults: aws.Int32(1000),
	}
	var out []types.SecurityGroupRule
	p := ec2.NewDescribeSecurityGroupRulesPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the provider's rules: %w", err)
		}
		out = append(out, page.SecurityGroupRules...)
	}
	return out, nil
}
