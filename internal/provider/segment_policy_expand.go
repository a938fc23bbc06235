package provider

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/ztforge/terraform-provider-zerotrust/internal/provider/syntaxtypes"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Expand (configuration -> model) and flatten (compiled rules -> state) for
// zerotrust_segment_policy.

// policyInputsKnown reports whether every value the compilers read is known,
// i.e. whether the compiled artifacts can be shown in the plan.
func policyInputsKnown(m segmentPolicyModel) bool {
	return !m.Segment.IsUnknown() && inputsKnownButSegment(m)
}

// inputsKnownButSegment reports whether everything but the governed
// segment's id is known: the case of a segment created in the same apply,
// whose rules can be shown with only that id unknown.
func inputsKnownButSegment(m segmentPolicyModel) bool {
	if m.Name.IsUnknown() || m.MaxRulesPerDirection.IsUnknown() {
		return false
	}
	for _, flows := range [][]flowModel{m.AllowFrom, m.AllowTo} {
		for _, f := range flows {
			if !flowBlockKnown(f) {
				return false
			}
		}
	}
	if k := m.Kubernetes; k != nil && (k.AllowDNS.IsUnknown() || k.Istio.IsUnknown() || k.IstioTrustDomain.IsUnknown() || k.ForceConflicts.IsUnknown()) {
		return false
	}
	return true
}

// flowBlockKnown reports whether every value of one flow block is known.
func flowBlockKnown(f flowModel) bool {
	return !f.Segment.IsUnknown() && flowBlockKnownButPeer(f)
}

// flowBlockKnownButPeer reports whether every value of one flow block but
// its peer segment's id is known: everything a flow is checked on alone.
func flowBlockKnownButPeer(f flowModel) bool {
	for _, v := range []types.String{f.Protocol, f.Description, f.Acknowledgement} {
		if v.IsUnknown() {
			return false
		}
	}
	for _, l := range []types.List{f.CIDRBlocks, f.PrefixListIDs, f.Ports, f.HTTPMethods, f.HTTPPaths} {
		if _, known := knownStrings(l); !known {
			return false
		}
	}
	return true
}

// policySegmentIDs lists the governed segment and every peer segment the
// flow blocks name: what one DescribeSecurityGroups reads.
func policySegmentIDs(m segmentPolicyModel) []string {
	ids := []string{m.Segment.ValueString()}
	for _, blocks := range [][]flowModel{m.AllowFrom, m.AllowTo} {
		for _, b := range blocks {
			if !b.Segment.IsNull() && !b.Segment.IsUnknown() {
				ids = append(ids, b.Segment.ValueString())
			}
		}
	}
	return ids
}

// flowBlocks names the two flow block lists with their direction, in
// configuration order.
func flowBlocks(m segmentPolicyModel) []struct {
	attr   string
	dir    model.FlowDirection
	blocks []flowModel
} {
	return []struct {
		attr   string
		dir    model.FlowDirection
		blocks []flowModel
	}{{"allow_from", model.Inbound, m.AllowFrom}, {"allow_to", model.Outbound, m.AllowTo}}
}

// expandFlows maps the flow blocks onto model flows in configuration order
// (allow_from[0], allow_from[1], …, then allow_to), one flow per peer. A
// segment peer is resolved through segments; one that was not found is
// carried by its id alone and its path is returned in missing.
func expandFlows(m segmentPolicyModel, segments map[string]model.Segment) (flows []model.Flow, missing []model.Path, diags diag.Diagnostics) {
	return expandFlowBlocks(m, segments, func(flowModel) bool { return true })
}

// expandFlowBlocks is expandFlows over the blocks include accepts; the
// others are skipped, keeping every flow's configuration path.
func expandFlowBlocks(m segmentPolicyModel, segments map[string]model.Segment, include func(flowModel) bool) (flows []model.Flow, missing []model.Path, diags diag.Diagnostics) {
	for _, fb := range flowBlocks(m) {
		for i, b := range fb.blocks {
			if !include(b) {
				continue
			}
			at := model.Root(fb.attr).Index(i)
			base := model.Flow{
				Direction:       fb.dir,
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
					// A peer created in this apply: only what the flow is
					// checked on alone (validateWrittenFlows) reads it.
					seg = model.Segment{Name: plannedSegmentID, Sensitivity: model.DefaultSensitivity}
				case !found:
					seg = standInSegment(id)
					missing = append(missing, at.At("segment"))
				}
				f := base
				f.Peer = model.Peer{Segment: &seg}
				f.PeerPath = at.At("segment")
				flows = append(flows, f)
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
		}
	}
	return flows, missing, diags
}

// governedSegment is the policy's segment as read, or a stand-in carrying
// only its id (and so no placement) while it cannot be read.
func governedSegment(m segmentPolicyModel, segments map[string]model.Segment) (model.Segment, bool) {
	id := m.Segment.ValueString()
	if s, ok := segments[id]; ok {
		return s, true
	}
	return standInSegment(id), false
}

// standInSegment stands for a segment id that names no segment (yet).
func standInSegment(id string) model.Segment {
	if ns, name, ok := model.ParseKubernetesSegmentID(id); ok {
		return model.Segment{Name: name, Sensitivity: model.DefaultSensitivity, Kubernetes: &model.KubernetesSelector{Namespace: ns}}
	}
	return model.Segment{Name: id, SecurityGroupID: id, Sensitivity: model.DefaultSensitivity}
}

// kubernetesOnly reports whether a segment has no security group.
func kubernetesOnly(s *model.Segment) bool {
	return s != nil && s.SecurityGroupID == "" && s.Kubernetes != nil
}

// compileSecurityGroups compiles the flows into the rules of the governed
// segment's group and its peers' groups. A segment placed only in
// Kubernetes has no group: its flows compile to Kubernetes only, so a flow
// between it and a segment outside Kubernetes could be enforced nowhere and
// is an error.
func compileSecurityGroups(m segmentPolicyModel, governed model.Segment, flows []model.Flow) ([]securitygroup.Rule, diag.Diagnostics) {
	var diags diag.Diagnostics
	if kubernetesOnly(&governed) {
		return nil, diags
	}
	aws := make([]model.Flow, 0, len(flows))
	for _, f := range flows {
		if !kubernetesOnly(f.Peer.Segment) {
			aws = append(aws, f)
			continue
		}
		if governed.Kubernetes == nil {
			diags.AddAttributeError(tfPath(path.Empty(), f.PeerPath), "Flow enforceable nowhere",
				fmt.Sprintf("Segment %q lives only in Kubernetes and segment %s has no kubernetes placement, so neither a security group rule nor a NetworkPolicy can express this flow. Give %s a kubernetes block, or the peer a security group.",
					f.Peer.Segment.Name, governed.ID(), governed.ID()))
		}
	}
	flows = aws
	rules, problems := securitygroup.Compile(governed, flows, securitygroup.Options{
		MaxRulesPerDirection: int(m.MaxRulesPerDirection.ValueInt64()),
		QuotaPath:            model.Root("max_rules_per_direction"),
	})
	appendProblems(&diags, path.Empty(), problems)
	return rules, diags
}

// setRuleLists records rules in state as lines (see policyRuleLines).
func setRuleLists(m *segmentPolicyModel, rules []securitygroup.Rule) {
	m.Rules = policyRuleLines(rules, m.Segment.ValueString())
}

// plannedSegmentID stands in, at plan, for the id of a segment created in
// the same apply. It is not a security group id, so it never equals a peer's.
const plannedSegmentID = "(created in this apply)"

// setRuleListsPlanned records rules compiled against plannedSegmentID: the
// governed group is written self in every line, so the lines are those
// apply computes once the group exists.
func setRuleListsPlanned(m *segmentPolicyModel, rules []securitygroup.Rule) {
	m.Rules = policyRuleLines(rules, plannedSegmentID)
}

func setRuleListsUnknown(m *segmentPolicyModel) {
	m.Rules = types.ListUnknown(types.StringType)
}

// selfGroup is how a policy's rule lines write the governed segment's group.
const selfGroup = "self"

// policyRuleLines renders rules one line each, sorted, with the governed
// group (governedID) written self: as the rule's group and as its peer.
func policyRuleLines(rules []securitygroup.Rule, governedID string) types.List {
	lines := make([]string, len(rules))
	for i, r := range rules {
		if r.GroupID == governedID {
			r.GroupID = selfGroup
		}
		if r.ReferencedGroupID == governedID {
			r.ReferencedGroupID = selfGroup
		}
		lines[i] = ruleLine(r)
		if r.Description != "" {
			lines[i] += " " + strconv.Quote(r.Description)
		}
	}
	slices.Sort(lines)
	return stringList(lines)
}

// flowsFromRules turns the rules a policy owns on its segment back into flow
// blocks, one per rule, for import.
func flowsFromRules(segment string, rules []securitygroup.Rule) (from, to []flowModel) {
	for _, r := range rules {
		if r.GroupID != segment {
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
			f.Segment = types.StringValue(r.ReferencedGroupID)
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

func policyID(segment, name string) string { return segment + "/" + name }

// missingPeersError names the peer segments that do not exist.
func missingPeersError(diags *diag.Diagnostics, missing []model.Path, m segmentPolicyModel) {
	for _, p := range missing {
		diags.AddAttributeError(tfPath(path.Empty(), p), "Peer segment not found",
			fmt.Sprintf("No segment with this id exists, so the flow has no peer. Reference an existing zerotrust_segment's id (policy %s).", policyID(m.Segment.ValueString(), m.Name.ValueString())))
	}
}

// validateWrittenFlows checks every flow block whose values are known, before
// anything is read from AWS: syntax, ports, protocol, peers and HTTP
// matches, and — given the governed segment's sensitivity ("" when not
// declared) — floors and internet exposure over all sources together.
func validateWrittenFlows(m segmentPolicyModel, sensitivity string) diag.Diagnostics {
	flows, _, diags := expandFlowBlocks(m, nil, flowBlockKnownButPeer)
	target := model.Segment{Name: m.Segment.ValueString(), Sensitivity: sensitivity}
	if m.Segment.IsUnknown() {
		target.Name = "(created in this apply)"
	}
	var ps model.Problems
	for _, f := range flows {
		ps.Append(f.Validate(target))
	}
	ps.Append(model.ValidateExposure(target, flows))
	appendProblems(&diags, path.Empty(), ps)
	return diags
}

// acknowledgedRuleKeys lists the rules of the governed group written only
// for acknowledged flows from CIDR blocks: a rule merged from an
// acknowledged and an unacknowledged flow is not acknowledged.
func acknowledgedRuleKeys(governed model.Segment, flows []model.Flow, rules []securitygroup.Rule) map[string]bool {
	out := map[string]bool{}
	for _, r := range rules {
		if r.GroupID != governed.SecurityGroupID || r.CIDRv4+r.CIDRv6 == "" {
			continue
		}
		contributing, acknowledged := 0, 0
		for _, f := range flows {
			if f.Peer.CIDR == "" || (f.Direction == model.Outbound) != r.Egress || securitygroup.ModelProtocol(r.Protocol) != f.Protocol {
				continue
			}
			if c, err := model.CanonicalCIDR(f.Peer.CIDR); err != nil || c != r.CIDRv4+r.CIDRv6 {
				continue
			}
			overlaps := len(f.Ports) == 0
			for _, p := range f.Ports {
				if int32(p.From) <= r.ToPort && int32(p.To) >= r.FromPort {
					overlaps = true
				}
			}
			if !overlaps {
				continue
			}
			contributing++
			if f.Acknowledgement != "" {
				acknowledged++
			}
		}
		if contributing > 0 && contributing == acknowledged {
			out[r.Key()] = true
		}
	}
	return out
}
