package provider

import (

	"github.com/hashicorp/terraform-plugin-framework/types"

	awstarget "github.com/ztforge/terraform-provider-zerotrust/internal/target/aws"
)

// policyInputsKnown reports whether every value the compiler reads is known,
// i.e. whether the rule sets can be shown in the plan.
func policyInputsKnown(m segmentPolicyModel) bool {
	if m.Segment.IsUnknown() || m.Name.IsUnknown() || m.MaxRulesPerDirection.IsUnknown() {
		return false
	}
	for _, flows := range [][]flowModel{m.AllowFrom, m.AllowTo} {
		for _, f := range flows {
			for _, v := range []types.String{f.Segment, f.Protocol, f.Description, f.Acknowledgement} {
				if v.IsUnknown() {
					return false
				}
			}
			for _, l := range []types.List{f.CIDRBlocks, f.PrefixListIDs, f.Ports} {
				if l.IsUnknown() {
					return false
				}
				for _, e := range l.Elements() {
					if e.IsUnknown() {
						return false
					}
				}
			}
		}
	}
	return true
}

// mirrorPeerRules adds, for every rule on the segment's group that names
// another segment's group, the matching half on that group: an inbound rule
// from S needs an outbound rule on S, and an outbound rule to S an inbound
// rule on S. Without both halves a deny-by-default pair of groups blocks the flow.
func mirrorPeerRules(segment string, rules []awstarget.Rule) []awstarget.Rule {
	out := append([]awstarget.Rule(nil), rules...)
	seen := map[string]bool{}
	for _, r := range rules {
		seen[r.Key()] = true
	}
	for _, r := range rules {
		if r.GroupID != segment || r.ReferencedGroupID == "" {
			continue
		}
		m := r
		m.GroupID, m.ReferencedGroupID, m.Egress = r.ReferencedGroupID, segment, !r.Egress
		if !seen[m.Key()] {
			seen[m.Key()] = true
			out = append(out, m)
		}
	}
	awstarget.SortRules(out)
	return out
}

