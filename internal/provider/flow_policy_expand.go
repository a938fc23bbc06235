package provider

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/provider/syntaxtypes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// Expand (flow blocks -> model flows) and flatten (rules -> rule lines and
// flow blocks) for every flow policy: zerotrust_segment_policy, the blocks
// of zerotrust_segment_policy_set, and the reachability data source's flows.

// expandFlows maps the flow blocks onto model flows in configuration order
// (allow_from[0], allow_from[1], …, then allow_to), one flow per peer. A
// segment peer is resolved through segments; one that was not found is
// carried by its id alone and its path is returned in missing.
func (p flowPolicy) expandFlows(segments map[string]model.Segment) (flows []model.Flow, missing []model.Path, diags diag.Diagnostics) {
	return p.expandBlocks(segments, flowModel.known)
}

// expandBlocks is expandFlows over the blocks include accepts; the others
// are skipped, keeping every flow's configuration path.
func (p flowPolicy) expandBlocks(segments map[string]model.Segment, include func(flowModel) bool) (flows []model.Flow, missing []model.Path, diags diag.Diagnostics) {
	for _, bl := range p.blockLists() {
		for i, b := range bl.blocks {
			if !include(b) {
				continue
			}
			f, m, d := expandFlowBlock(b, bl.dir, p.At.At(bl.attr).Index(i), segments)
			flows, missing = append(flows, f...), append(missing, m...)
			diags.Append(d...)
		}
	}
	return flows, missing, diags
}

// expandFlowBlock maps one flow block, written at at, onto model flows: one
// per peer (segment, CIDR block, prefix list). It is the one expansion of a
// flow block, whichever resource or data source wrote it.
func expandFlowBlock(b flowModel, dir model.FlowDirection, at model.Path, segments map[string]model.Segment) (flows []model.Flow, missing []model.Path, diags diag.Diagnostics) {
	base := model.Flow{
		Direction:       dir,
		Protocol:        valueOr(b.Protocol.ValueString(), "tcp"),
		Description:     b.Description.ValueString(),
		Acknowledgement: b.Acknowledgement.ValueString(),
		Path:            at,
	}
	ports, _ := knownStrings(b.Ports)
	for j, spec := range ports {
		r, err := model.ParsePortSpec(spec)
		if err != nil {
			diags.AddAttributeError(tfPath(path.Empty(), at.At("ports").Index(j)), "Invalid port", err.Error())
			continue
		}
		base.Ports = append(base.Ports, r)
	}
	methods, _ := knownStrings(b.HTTPMethods)
	paths, _ := knownStrings(b.HTTPPaths)
	if len(methods) > 0 || len(paths) > 0 {
		base.HTTP = &model.HTTPMatch{Methods: methods, Paths: paths}
	}
	if !b.Segment.IsNull() {
		id := b.Segment.ValueString()
		seg, found := segments[id]
		switch {
		case b.Segment.IsUnknown():
			// A peer created in this apply: only what the flow is checked
			// on alone (validateWrittenFlows) reads it.
			seg = model.Segment{Name: plannedSegmentID, Sensitivity: model.DefaultSensitivity}
		case !found:
			seg = standInSegment(id)
			missing = append(missing, at.At("segment"))
		case seg.Refused != "":
			// Its record is not trusted to place pods: no flow, so no
			// selector is ever compiled from it.
			diags.AddAttributeError(tfPath(path.Empty(), at.At("segment")), "Peer segment's record refused", seg.Refused)
		}
		if seg.Refused == "" {
			f := base
			f.Peer = model.Peer{Segment: &seg}
			f.PeerPath = at.At("segment")
			flows = append(flows, f)
		}
	}
	cidrs, _ := knownStrings(b.CIDRBlocks)
	for j, c := range cidrs {
		f := base
		f.Peer = model.Peer{CIDR: c}
		f.PeerPath = at.At("cidr_blocks").Index(j)
		flows = append(flows, f)
	}
	lists, _ := knownStrings(b.PrefixListIDs)
	for j, pl := range lists {
		f := base
		f.Peer = model.Peer{PrefixListID: pl}
		f.PeerPath = at.At("prefix_list_ids").Index(j)
		flows = append(flows, f)
	}
	return flows, missing, diags
}

// ruleLine is a rule as one line of the plan.
func ruleLine(rule securitygroup.Rule) string {
	return rule.GroupID + " " + strings.TrimSpace(awsapi.LiveRule{Rule: rule}.Describe())
}

// selfGroup is how a policy's rule lines write the governed segment's group.
const selfGroup = "self"

// groupRefs maps the security group id of each segment read (or planned)
// to the segment id the configuration refers to it by, so rule lines name
// groups as the configuration does: a group created in this apply, whose
// segment id stands in for its group id at plan, reads the same in the plan
// and after apply. When two ids name one group, the smaller is used.
func groupRefs(segments map[string]model.Segment) map[string]string {
	out := map[string]string{}
	for _, ref := range slices.Sorted(maps.Keys(segments)) {
		if g := segments[ref].SecurityGroupID; g != "" {
			if _, seen := out[g]; !seen {
				out[g] = ref
			}
		}
	}
	return out
}

// refRule is rule with its groups named as the configuration names them
// (see groupRefs), and the governed group, when given, written self.
func refRule(r securitygroup.Rule, governed string, refs map[string]string) securitygroup.Rule {
	name := func(g string) string {
		switch {
		case g == "":
			return g
		case governed != "" && g == governed:
			return selfGroup
		case refs[g] != "":
			return refs[g]
		}
		return g
	}
	r.GroupID, r.ReferencedGroupID = name(r.GroupID), name(r.ReferencedGroupID)
	return r
}

// flattenPolicyRules renders a policy's rules one line each, sorted, with
// the governed group written self, as the rule's group and as its peer,
// other groups by the segment ids that name them (refs), then the rule's
// description in quotes when it has one.
func flattenPolicyRules(rules []securitygroup.Rule, governed string, refs map[string]string) types.List {
	lines := make([]string, len(rules))
	for i, r := range rules {
		r = refRule(r, governed, refs)
		lines[i] = ruleLine(r)
		if r.Description != "" {
			lines[i] += " " + strconv.Quote(r.Description)
		}
	}
	slices.Sort(lines)
	return stringList(lines)
}

// flattenSetRules renders a set's rules one line each, sorted, groups named
// by the segment ids that name them (refs).
func flattenSetRules(rules []securitygroup.Rule, refs map[string]string) types.List {
	lines := make([]string, len(rules))
	for i, rule := range rules {
		lines[i] = ruleLine(refRule(rule, "", refs))
	}
	slices.Sort(lines)
	return stringList(lines)
}

// flattenFlowBlocks turns the rules a policy owns on its segment's group
// back into flow blocks, one per rule, for import; peer groups are named by
// their segment ids (refs, see awsapi.SegmentIDsOfGroups).
func flattenFlowBlocks(group string, rules []securitygroup.Rule, refs map[string]string) (from, to []flowModel) {
	for _, r := range rules {
		if r.GroupID != group {
			continue
		}
		f := flowModel{
			Segment:         types.StringNull(),
			CIDRBlocks:      types.ListNull(syntaxtypes.CIDRType{}),
			PrefixListIDs:   types.ListNull(types.StringType),
			Protocol:        types.StringValue(securitygroup.ModelProtocol(r.Protocol)),
			Ports:           types.ListNull(types.StringType),
			Description:     nullIfEmpty(r.Description),
			Acknowledgement: types.StringNull(),
			HTTPMethods:     types.ListNull(types.StringType),
			HTTPPaths:       types.ListNull(types.StringType),
		}
		switch {
		case r.ReferencedGroupID != "":
			f.Segment = types.StringValue(valueOr(refs[r.ReferencedGroupID], r.ReferencedGroupID))
		case r.CIDRv4 != "":
			f.CIDRBlocks = cidrList([]string{r.CIDRv4})
		case r.CIDRv6 != "":
			f.CIDRBlocks = cidrList([]string{r.CIDRv6})
		case r.PrefixListID != "":
			f.PrefixListIDs = stringList([]string{r.PrefixListID})
		}
		if r.Protocol == "tcp" || r.Protocol == "udp" {
			f.Ports = stringList([]string{model.PortRange{From: int(r.FromPort), To: int(r.ToPort)}.String()})
		}
		if r.Egress {
			to = append(to, f)
		} else {
			from = append(from, f)
		}
	}
	return from, to
}

// ruleGroups lists every security group the rules name, as the rule's group
// or as its peer.
func ruleGroups(rules []securitygroup.Rule) []string {
	var ids []string
	for _, r := range rules {
		ids = append(ids, r.GroupID)
		if r.ReferencedGroupID != "" {
			ids = append(ids, r.ReferencedGroupID)
		}
	}
	return ids
}
