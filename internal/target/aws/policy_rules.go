package aws

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Rule is one security-group rule as EC2 sees it. Exactly one of CIDRv4,
// CIDRv6, PrefixListID and ReferencedGroupID is set.
type Rule struct {
	GroupID           string
	Egress            bool
	Protocol          string // EC2 IpProtocol: tcp, udp, icmp, icmpv6 (58) or -1
	FromPort, ToPort  int32
	CIDRv4, CIDRv6    string
	PrefixListID      string
	ReferencedGroupID string
	Description       string
	RuleID            string // live rules only
}

// Key identifies a rule by what it allows (not by description or id).
func (r Rule) Key() string {
	dir := "in"
	if r.Egress {
		dir = "out"
	}
	return strings.Join([]string{r.GroupID, dir, r.Protocol, strconv.Itoa(int(r.FromPort)), strconv.Itoa(int(r.ToPort)),
		r.CIDRv4, r.CIDRv6, r.PrefixListID, r.ReferencedGroupID}, "|")
}

// SortRules orders rules canonically: group, direction, protocol, peer, then
// ports numerically (the order the compiler emits).
func SortRules(rules []Rule) {
	sort.SliceStable(rules, func(i, j int) bool {
		a, b := rules[i], rules[j]
		ka := strings.Join([]string{a.GroupID, direction(a.Egress), a.Protocol, a.CIDRv4, a.CIDRv6, a.PrefixListID, a.ReferencedGroupID}, "|")
		kb := strings.Join([]string{b.GroupID, direction(b.Egress), b.Protocol, b.CIDRv4, b.CIDRv6, b.PrefixListID, b.ReferencedGroupID}, "|")
		if ka != kb {
			return ka < kb
		}
		if a.FromPort != b.FromPort {
			return a.FromPort < b.FromPort
		}
		return a.ToPort < b.ToPort
	})
}

// ReadPolicyRules reads every rule a policy owns, across all groups, with one
// tag-filtered DescribeSecurityGroupRules (paginated).
func ReadPolicyRules(ctx context.Context, c *ec2.Client, policyID string) ([]Rule, error) {
	in := &ec2.DescribeSecurityGroupRulesInput{
		Filters: []types.Filter{
			{Name: awssdk.String("tag:" + TagPolicy), Values: []string{policyID}},
		},
		MaxResults: awssdk.Int32(1000),
	}
	var out []Rule
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
	SortRules(out)
	return out, nil
}

func fromSDKRule(r types.SecurityGroupRule) Rule {
	rule := Rule{
		GroupID:      awssdk.ToString(r.GroupId),
		Egress:       awssdk.ToBool(r.IsEgress),
		Protocol:     awssdk.ToString(r.IpProtocol),
		FromPort:     awssdk.ToInt32(r.FromPort),
		ToPort:       awssdk.ToInt32(r.ToPort),
		CIDRv4:       awssdk.ToString(r.CidrIpv4),
		CIDRv6:       awssdk.ToString(r.CidrIpv6),
		PrefixListID: awssdk.ToString(r.PrefixListId),
		Description:  awssdk.ToString(r.Description),
		RuleID:       awssdk.ToString(r.SecurityGroupRuleId),
	}
	if r.ReferencedGroupInfo != nil {
		rule.ReferencedGroupID = awssdk.ToString(r.ReferencedGroupInfo.GroupId)
	}
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
func ReconcilePolicyRules(ctx context.Context, c *ec2.Client, policyID string, desired []Rule) (ReconcileResult, error) {
	var res ReconcileResult
	live, err := ReadPolicyRules(ctx, c, policyID)
	if err != nil {
		return res, err
	}
	liveByKey := make(map[string]Rule, len(live))
	for _, r := range live {
		liveByKey[r.Key()] = r
	}
	wantByKey := make(map[string]Rule, len(desired))
	for _, r := range desired {
		wantByKey[r.Key()] = r
	}

	var revoke []Rule
	for _, r := range live {
		if _, ok := wantByKey[r.Key()]; !ok {
			revoke = append(revoke, r)
		}
	}
	var add []Rule
	redescribe := map[string][]Rule{}
	for _, r := range desired {
		l, ok := liveByKey[r.Key()]
		switch {
		case !ok:
			add = append(add, r)
		case l.Description != r.Description && !(l.Description == "" && l.ReferencedGroupID != ""):
			// (moto omits group-pair descriptions; an empty one there is not drift.)
			r.RuleID = l.RuleID
			redescribe[r.GroupID] = append(redescribe[r.GroupID], r)
		}
	}

	// Revoke first: it frees quota for the additions.
	for _, batch := range groupBatches(revoke) {
		ids := make([]string, len(batch.rules))
		for i, r := range batch.rules {
			ids[i] = r.RuleID
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
		n, err := authorize(ctx, c, policyID, batch)
		res.Authorized += n
		if err != nil {
			return res, err
		}
	}
	for _, groupID := range sortedRuleGroups(redescribe) {
		rules := redescribe[groupID]
		updates := make([]types.SecurityGroupRuleUpdate, 0, len(rules))
		for _, r := range rules {
			updates = append(updates, types.SecurityGroupRuleUpdate{SecurityGroupRuleId: awssdk.String(r.RuleID), SecurityGroupRule: ruleRequest(r)})
		}
		if _, err := c.ModifySecurityGroupRules(ctx, &ec2.ModifySecurityGroupRulesInput{GroupId: awssdk.String(groupID), SecurityGroupRules: updates}); err != nil {
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
	groupID string
	egress  bool
	rules   []Rule
}

func groupBatches(rules []Rule) []ruleBatch {
	idx := map[string]int{}
	var out []ruleBatch
	for _, r := range rules {
		k := r.GroupID + "|" + strconv.FormatBool(r.Egress)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, ruleBatch{groupID: r.GroupID, egress: r.Egress})
		}
		out[i].rules = append(out[i].rules, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].groupID != out[j].groupID {
			return out[i].groupID < out[j].groupID
		}
		return !out[i].egress && out[j].egress
	})
	return out
}

func authorize(ctx context.Context, c *ec2.Client, policyID string, b ruleBatch) (int, error) {
	perms := make([]types.IpPermission, len(b.rules))
	for i, r := range b.rules {
		perms[i] = ipPermission(r)
	}
	tags := []types.TagSpecification{{ResourceType: types.ResourceTypeSecurityGroupRule, Tags: sdkTags(map[string]string{
		TagManagedBy: ManagedByValue,
		TagPolicy:    policyID,
	})}}
	var err error
	if b.egress {
		_, err = c.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: awssdk.String(b.groupID), IpPermissions: perms, TagSpecifications: tags})
	} else {
		_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: awssdk.String(b.groupID), IpPermissions: perms, TagSpecifications: tags})
	}
	if err == nil {
		return len(b.rules), nil
	}
	if !hasCode(err, errPermDuplicate) {
		return 0, fmt.Errorf("authorizing %d %s rules on %s: %w", len(b.rules), direction(b.egress), b.groupID, err)
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
	var rest []Rule
	adopted := 0
	for _, r := range b.rules {
		ex, ok := byKey[r.Key()]
		if !ok {
			rest = append(rest, r)
			continue
		}
		if owner := tagMap(ex.Tags)[TagPolicy]; owner != "" && owner != policyID {
			return 0, fmt.Errorf("the %s rule %s on %s is already owned by policy %s; one flow may be declared by one policy only",
				direction(b.egress), awssdk.ToString(ex.SecurityGroupRuleId), b.groupID, owner)
		}
		if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{awssdk.ToString(ex.SecurityGroupRuleId)}, Tags: tags[0].Tags}); err != nil {
			return 0, fmt.Errorf("adopting existing rule %s: %w", awssdk.ToString(ex.SecurityGroupRuleId), err)
		}
		adopted++
	}
	if len(rest) == 0 {
		return adopted, nil
	}
	n, err := authorize(ctx, c, policyID, ruleBatch{groupID: b.groupID, egress: b.egress, rules: rest})
	return adopted + n, err
}

func direction(egress bool) string {
	if egress {
		return "egress"
	}
	return "ingress"
}

func ipPermission(r Rule) types.IpPermission {
	p := types.IpPermission{IpProtocol: awssdk.String(r.Protocol)}
	if r.Protocol != "-1" {
		p.FromPort, p.ToPort = awssdk.Int32(r.FromPort), awssdk.Int32(r.ToPort)
	}
	desc := optional(r.Description)
	switch {
	case r.CIDRv4 != "":
		p.IpRanges = []types.IpRange{{CidrIp: awssdk.String(r.CIDRv4), Description: desc}}
	case r.CIDRv6 != "":
		p.Ipv6Ranges = []types.Ipv6Range{{CidrIpv6: awssdk.String(r.CIDRv6), Description: desc}}
	case r.PrefixListID != "":
		p.PrefixListIds = []types.PrefixListId{{PrefixListId: awssdk.String(r.PrefixListID), Description: desc}}
	case r.ReferencedGroupID != "":
		p.UserIdGroupPairs = []types.UserIdGroupPair{{GroupId: awssdk.String(r.ReferencedGroupID), Description: desc}}
	}
	return p
}

func ruleRequest(r Rule) *types.SecurityGroupRuleRequest {
	req := &types.SecurityGroupRuleRequest{IpProtocol: awssdk.String(r.Protocol), FromPort: awssdk.Int32(r.FromPort), ToPort: awssdk.Int32(r.ToPort), Description: optional(r.Description)}
	switch {
	case r.CIDRv4 != "":
		req.CidrIpv4 = awssdk.String(r.CIDRv4)
	case r.CIDRv6 != "":
		req.CidrIpv6 = awssdk.String(r.CIDRv6)
	case r.PrefixListID != "":
		req.PrefixListId = awssdk.String(r.PrefixListID)
	case r.ReferencedGroupID != "":
		req.ReferencedGroupId = awssdk.String(r.ReferencedGroupID)
	}
	return req
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return awssdk.String(s)
}

func sortedRuleGroups(m map[string][]Rule) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
