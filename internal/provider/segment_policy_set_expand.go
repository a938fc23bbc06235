package provider

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Expand (configuration -> flow policies) and flatten (rules -> policy
// blocks) for zerotrust_segment_policy_set.

func setID(name string) string { return "set/" + name }

// member is policy block i as a flow policy: its flows, owned by the set,
// with every path under policy[i].
func (m segmentPolicySetModel) member(i int) flowPolicy {
	p := m.Policies[i]
	return flowPolicy{
		Segment: p.Segment, AllowFrom: p.AllowFrom, AllowTo: p.AllowTo,
		SegmentSensitivity: p.SegmentSensitivity, MaxRulesPerDirection: m.MaxRulesPerDirection,
		Owner: m.ID.ValueString(), At: model.Root("policy").Index(i),
	}
}

// segmentIDs lists every segment the set's blocks name, governed and peers.
func (m segmentPolicySetModel) segmentIDs() []string {
	var ids []string
	for i := range m.Policies {
		ids = append(ids, m.member(i).segmentIDs()...)
	}
	return ids
}

// inputsKnown reports whether every value the compilation needs is known.
func (m segmentPolicySetModel) inputsKnown() bool {
	if m.Name.IsUnknown() || m.MaxRulesPerDirection.IsUnknown() || !m.Kubernetes.known() {
		return false
	}
	for i, p := range m.Policies {
		if p.Segment.IsUnknown() || p.SegmentSensitivity.IsUnknown() || !m.member(i).flowsKnown() {
			return false
		}
	}
	return true
}

// flattenSetBlocks rebuilds one policy block per group that governs a
// flow, sorted by group id, groups named by their segment ids (refs): a rule is a flow of its group's block, except
// an egress rule to another group that has the matching ingress rule from
// it, which is that flow's other half (rebuilt as the destination's
// allow_from).
func flattenSetBlocks(rules []securitygroup.Rule, refs map[string]string) []setPolicyModel {
	ingress := map[string]bool{}
	for _, r := range rules {
		if !r.Egress && r.ReferencedGroupID != "" {
			ingress[halfKey(r.GroupID, r.ReferencedGroupID, r)] = true
		}
	}
	byGroup := map[string][]securitygroup.Rule{}
	for _, r := range rules {
		if r.Egress && r.ReferencedGroupID != "" && ingress[halfKey(r.ReferencedGroupID, r.GroupID, r)] {
			continue // the source's half of a flow into another segment
		}
		byGroup[r.GroupID] = append(byGroup[r.GroupID], r)
	}
	out := make([]setPolicyModel, 0, len(byGroup))
	for _, g := range slices.Sorted(maps.Keys(byGroup)) {
		from, to := flattenFlowBlocks(g, byGroup[g], refs)
		out = append(out, setPolicyModel{Segment: types.StringValue(valueOr(refs[g], g)), AllowFrom: from, AllowTo: to})
	}
	return out
}

// halfKey identifies a segment-to-segment flow by destination, source,
// protocol and ports: its ingress rule on the destination and its egress
// rule on the source share it.
func halfKey(destination, source string, r securitygroup.Rule) string {
	return strings.Join([]string{destination, source, r.Protocol, fmt.Sprint(r.FromPort), fmt.Sprint(r.ToPort)}, "\x00")
}
