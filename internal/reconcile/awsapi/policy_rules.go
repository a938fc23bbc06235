package awsapi

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
)

// LiveRule is a compiled rule as EC2 holds it, with the id EC2 assigned.
type LiveRule struct {
	securitygroup.Rule
	ID string
	// Acknowledged: written for a flow from the open internet that its
	// policy acknowledged (TagAcknowledged), so raising the segment's
	// sensitivity later can tell it from an unacknowledged one.
	Acknowledged bool
	// Pending: written by a create not recorded yet (TagCreatePending).
	Pending bool
}

// TagAcknowledged marks a rule written for an acknowledged flow.
const TagAcknowledged = "zerotrust:acknowledged"

// RulesOf drops the ids: the live rules in the compiler's terms, in
// canonical order.
func RulesOf(live []LiveRule) []securitygroup.Rule {
	out := make([]securitygroup.Rule, len(live))
	for i, r := range live {
		out[i] = r.Rule
	}
	securitygroup.Sort(out)
	return out
}

// ReadPolicyRules reads every rule a policy owns, across all groups, with one
// tag-filtered DescribeSecurityGroupRules (paginated).
func ReadPolicyRules(ctx context.Context, c *ec2.Client, policyID string) ([]LiveRule, error) {
	in := &ec2.DescribeSecurityGroupRulesInput{
		Filters: []types.Filter{
			{Name: aws.String("tag:" + TagPolicy), Values: []string{policyID}},
		},
		MaxResults: aws.Int32(1000),
	}
	var out []LiveRule
	p := ec2.NewDescribeSecurityGroupRulesPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the rules of policy %s: %w", policyID, err)
		}
		for _, r := range page.SecurityGroupRules {
			// The filter is authoritative, but never claim a rule without both tags.
			tags := tagMap(r.Tags)
			if tags[TagPolicy] == policyID && tags[TagManagedBy] == ManagedByValue {
				out = append(out, fromSDKRule(r))
			}
		}
	}
	slices.SortFunc(out, func(a, b LiveRule) int { return strings.Compare(a.Key(), b.Key()) })
	return out, nil
}

func fromSDKRule(r types.SecurityGroupRule) LiveRule {
	rule := LiveRule{ID: aws.ToString(r.SecurityGroupRuleId)}
	rule.Rule = securitygroup.Rule{
		GroupID:      aws.ToString(r.GroupId),
		Egress:       aws.ToBool(r.IsEgress),
		Protocol:     aws.ToString(r.IpProtocol),
		FromPort:     aws.ToInt32(r.FromPort),
		ToPort:       aws.ToInt32(r.ToPort),
		CIDRv4:       aws.ToString(r.CidrIpv4),
		CIDRv6:       aws.ToString(r.CidrIpv6),
		PrefixListID: aws.ToString(r.PrefixListId),
		Description:  aws.ToString(r.Description),
	}
	if r.ReferencedGroupInfo != nil {
		rule.ReferencedGroupID = aws.ToString(r.ReferencedGroupInfo.GroupId)
	}
	rule.Acknowledged = tagMap(r.Tags)[TagAcknowledged] == "true"
	rule.Pending = tagMap(r.Tags)[TagCreatePending] != ""
	return rule
}

// ReconcileResult counts what a reconcile changed.
type ReconcileResult struct {
	Authorized, Revoked, Redescribed int
}

// ReconcilePolicyRules makes the rules a policy owns equal to desired, with
// minimal calls: one Authorize per group and direction for all additions,
// one Revoke by rule ids per group and direction for all removals, and one
// ModifySecurityGroupRules per group for description-only changes. Rules the
// policy does not own are never touched; an identical untagged rule that
// blocks an addition (InvalidPermission.Duplicate) is adopted by tagging it.
func ReconcilePolicyRules(ctx context.Context, c *ec2.Client, policyID string, desired []securitygroup.Rule) (ReconcileResult, error) {
	return ReconcilePolicyRulesAcknowledged(ctx, c, policyID, desired, nil)
}

// ReconcilePolicyRulesAcknowledged is ReconcilePolicyRules where the rules
// whose keys acknowledged holds are (re)tagged TagAcknowledged and the others
// are not: one more Authorize per batch that mixes both, one CreateTags or
// DeleteTags when a kept rule's acknowledgement changed.
func ReconcilePolicyRulesAcknowledged(ctx context.Context, c *ec2.Client, policyID string, desired []securitygroup.Rule, acknowledged map[string]bool) (ReconcileResult, error) {
	return ReconcileRules(ctx, c, RuleWrite{Owner: policyID, Desired: desired, Acknowledged: acknowledged})
}

// RuleWrite is what ReconcileRules makes true: the rules Owner owns are
// Desired, Acknowledged (by key) tagged so; rules it adds carry
// TagCreatePending = Pending when set (a create not recorded yet).
type RuleWrite struct {
	Owner        string
	Desired      []securitygroup.Rule
	Acknowledged map[string]bool
	Pending      string
}

// ReconcileRules is ReconcilePolicyRulesAcknowledged with the whole of a
// RuleWrite.
func ReconcileRules(ctx context.Context, c *ec2.Client, w RuleWrite) (ReconcileResult, error) {
	policyID, desired, acknowledged := w.Owner, w.Desired, w.Acknowledged
	var res ReconcileResult
	live, err := ReadPolicyRules(ctx, c, policyID)
	if err != nil {
		return res, err
	}
	liveByKey := make(map[string]LiveRule, len(live))
	for _, r := range live {
		liveByKey[r.Key()] = r
	}
	wantByKey := make(map[string]securitygroup.Rule, len(desired))
	for _, r := range desired {
		wantByKey[r.Key()] = r
	}

	var revoke []LiveRule
	for _, r := range live {
		if _, ok := wantByKey[r.Key()]; !ok {
			revoke = append(revoke, r)
		}
	}
	var add []LiveRule
	redescribe := map[string][]LiveRule{}
	for _, r := range desired {
		l, ok := liveByKey[r.Key()]
		switch {
		case !ok:
			add = append(add, LiveRule{Rule: r, Acknowledged: acknowledged[r.Key()]})
		case l.Description != r.Description:
			redescribe[r.GroupID] = append(redescribe[r.GroupID], LiveRule{Rule: r, ID: l.ID})
		}
	}

	// Revoke first: it frees quota for the additions.
	for _, batch := range groupBatches(revoke) {
		ids := make([]string, len(batch.rules))
		for i, r := range batch.rules {
			ids[i] = r.ID
		}
		var err error
		if batch.egress {
			err = revokeByID(ctx, c, batch.groupID, nil, ids)
		} else {
			err = revokeByID(ctx, c, batch.groupID, ids, nil)
		}
		if err != nil {
			return res, err
		}
		res.Revoked += len(ids)
	}
	for _, batch := range groupBatches(add) {
		batch.pending = w.Pending
		n, err := authorize(ctx, c, policyID, batch)
		res.Authorized += n
		if err != nil {
			return res, err
		}
	}
	var ack, unack []string
	for _, r := range desired {
		if l, ok := liveByKey[r.Key()]; ok && l.Acknowledged != acknowledged[r.Key()] {
			if acknowledged[r.Key()] {
				ack = append(ack, l.ID)
			} else {
				unack = append(unack, l.ID)
			}
		}
	}
	if len(ack) > 0 {
		if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: ack, Tags: sdkTags(map[string]string{TagAcknowledged: "true"})}); err != nil {
			return res, fmt.Errorf("marking acknowledged rules: %w", err)
		}
	}
	if len(unack) > 0 {
		if _, err := c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: unack, Tags: []types.Tag{{Key: aws.String(TagAcknowledged)}}}); err != nil {
			return res, fmt.Errorf("unmarking rules no longer acknowledged: %w", err)
		}
	}
	for _, groupID := range sortedRuleGroups(redescribe) {
		rules := redescribe[groupID]
		updates := make([]types.SecurityGroupRuleUpdate, 0, len(rules))
		for _, r := range rules {
			updates = append(updates, types.SecurityGroupRuleUpdate{SecurityGroupRuleId: aws.String(r.ID), SecurityGroupRule: ruleRequest(r.Rule)})
		}
		if _, err := c.ModifySecurityGroupRules(ctx, &ec2.ModifySecurityGroupRulesInput{GroupId: aws.String(groupID), SecurityGroupRules: updates}); err != nil {
			return res, fmt.Errorf("updating rule descriptions in %s: %w", groupID, err)
		}
		res.Redescribed += len(rules)
	}
	return res, nil
}

// RevokePolicyRules removes every rule a policy owns.
func RevokePolicyRules(ctx context.Context, c *ec2.Client, policyID string) (int, error) {
	res, err := ReconcilePolicyRules(ctx, c, policyID, nil)
	return res.Revoked, err
}

type ruleBatch struct {
	groupID      string
	egress       bool
	acknowledged bool
	pending      string
	rules        []LiveRule
}

func groupBatches(rules []LiveRule) []ruleBatch {
	idx := map[string]int{}
	var out []ruleBatch
	for _, r := range rules {
		k := r.GroupID + "|" + strconv.FormatBool(r.Egress) + "|" + strconv.FormatBool(r.Acknowledged)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, ruleBatch{groupID: r.GroupID, egress: r.Egress, acknowledged: r.Acknowledged})
		}
		out[i].rules = append(out[i].rules, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].groupID != out[j].groupID {
			return out[i].groupID < out[j].groupID
		}
		if out[i].egress != out[j].egress {
			return !out[i].egress
		}
		return !out[i].acknowledged && out[j].acknowledged
	})
	return out
}

func authorize(ctx context.Context, c *ec2.Client, policyID string, b ruleBatch) (int, error) {
	perms := make([]types.IpPermission, len(b.rules))
	for i, r := range b.rules {
		perms[i] = ipPermission(r.Rule)
	}
	want := map[string]string{TagManagedBy: ManagedByValue, TagPolicy: policyID}
	if b.acknowledged {
		want[TagAcknowledged] = "true"
	}
	if b.pending != "" {
		want[TagCreatePending] = b.pending
	}
	tags := []types.TagSpecification{{ResourceType: types.ResourceTypeSecurityGroupRule, Tags: sdkTags(want)}}
	var err error
	if b.egress {
		_, err = c.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(b.groupID), IpPermissions: perms, TagSpecifications: tags})
	} else {
		_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(b.groupID), IpPermissions: perms, TagSpecifications: tags})
	}
	if err == nil {
		return len(b.rules), nil
	}
	if !hasCode(err, errPermDuplicate) {
		return 0, fmt.Errorf("authorizing %d %s rules on %s: %w", len(b.rules), securitygroup.Direction(b.egress), b.groupID, err)
	}
	// Some rule already exists. Adopt identical untagged rules; refuse to take
	// one another policy owns; then authorize the rest.
	existing, derr := describeRules(ctx, c, b.groupID)
	if derr != nil {
		return 0, derr
	}
	byKey := map[string]types.SecurityGroupRule{}
	for _, r := range existing {
		byKey[fromSDKRule(r).Key()] = r
	}
	var rest []LiveRule
	adopted := 0
	for _, r := range b.rules {
		ex, ok := byKey[r.Key()]
		if !ok {
			rest = append(rest, r)
			continue
		}
		if owner := tagMap(ex.Tags)[TagPolicy]; owner != "" && owner != policyID {
			return 0, &RuleOwnedError{Rule: r.Rule, RuleID: aws.ToString(ex.SecurityGroupRuleId), Owner: owner}
		}
		if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{aws.ToString(ex.SecurityGroupRuleId)}, Tags: tags[0].Tags}); err != nil {
			return 0, fmt.Errorf("adopting existing rule %s: %w", aws.ToString(ex.SecurityGroupRuleId), err)
		}
		adopted++
	}
	if len(rest) == 0 {
		return adopted, nil
	}
	n, err := authorize(ctx, c, policyID, ruleBatch{groupID: b.groupID, egress: b.egress, acknowledged: b.acknowledged, pending: b.pending, rules: rest})
	return adopted + n, err
}

func ipPermission(r securitygroup.Rule) types.IpPermission {
	p := types.IpPermission{IpProtocol: aws.String(r.Protocol)}
	if r.Protocol != "-1" {
		p.FromPort, p.ToPort = aws.Int32(r.FromPort), aws.Int32(r.ToPort)
	}
	desc := optional(r.Description)
	switch {
	case r.CIDRv4 != "":
		p.IpRanges = []types.IpRange{{CidrIp: aws.String(r.CIDRv4), Description: desc}}
	case r.CIDRv6 != "":
		p.Ipv6Ranges = []types.Ipv6Range{{CidrIpv6: aws.String(r.CIDRv6), Description: desc}}
	case r.PrefixListID != "":
		p.PrefixListIds = []types.PrefixListId{{PrefixListId: aws.String(r.PrefixListID), Description: desc}}
	case r.ReferencedGroupID != "":
		p.UserIdGroupPairs = []types.UserIdGroupPair{{GroupId: aws.String(r.ReferencedGroupID), Description: desc}}
	}
	return p
}

func ruleRequest(r securitygroup.Rule) *types.SecurityGroupRuleRequest {
	req := &types.SecurityGroupRuleRequest{IpProtocol: aws.String(r.Protocol), FromPort: aws.Int32(r.FromPort), ToPort: aws.Int32(r.ToPort), Description: optional(r.Description)}
	switch {
	case r.CIDRv4 != "":
		req.CidrIpv4 = aws.String(r.CIDRv4)
	case r.CIDRv6 != "":
		req.CidrIpv6 = aws.String(r.CIDRv6)
	case r.PrefixListID != "":
		req.PrefixListId = aws.String(r.PrefixListID)
	case r.ReferencedGroupID != "":
		req.ReferencedGroupId = aws.String(r.ReferencedGroupID)
	}
	return req
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func sortedRuleGroups(m map[string][]LiveRule) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// RuleOwnedError: a rule a policy wants is already there, owned by another
// policy. One flow is declared by one policy only.
type RuleOwnedError struct {
	Rule   securitygroup.Rule
	RuleID string
	Owner  string
}

func (e *RuleOwnedError) Error() string {
	return fmt.Sprintf("the rule %s on %s is already owned by policy %s; one flow may be declared by one policy only",
		LiveRule{Rule: e.Rule, ID: e.RuleID}.Describe(), e.Rule.GroupID, e.Owner)
}
