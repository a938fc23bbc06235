package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// flowPolicy is the flows of one governed segment as written: a
// zerotrust_segment_policy, or one policy block of a set. Both resources
// hold one (the set one per block) and share everything below through it:
// expansion, the plan-time checks, the security-group compilation.
type flowPolicy struct {
	// Segment is the governed segment's id.
	Segment   types.String
	AllowFrom []flowModel
	AllowTo   []flowModel
	// SegmentSensitivity is the sensitivity the configuration declares for
	// the segment, null when it declares none.
	SegmentSensitivity   types.String
	MaxRulesPerDirection types.Number
	// Owner is the id of the policy or set that owns the compiled rules.
	Owner string
	// At is where the blocks sit in the configuration: the root for a
	// policy, policy[i] for a set's block. Every flow and diagnostic path
	// starts there.
	At model.Path
}

// blockList is one of the two flow block lists with its direction.
type blockList struct {
	attr   string
	dir    model.FlowDirection
	blocks []flowModel
}

// blockLists names the two flow block lists with their direction, in
// configuration order.
func (p flowPolicy) blockLists() []blockList {
	return []blockList{{"allow_from", model.Inbound, p.AllowFrom}, {"allow_to", model.Outbound, p.AllowTo}}
}

// flowsKnown reports whether every value of every flow block is known.
func (p flowPolicy) flowsKnown() bool {
	for _, bl := range p.blockLists() {
		for _, b := range bl.blocks {
			if !b.known() {
				return false
			}
		}
	}
	return true
}

// known reports whether every value of one flow block is known.
func (b flowModel) known() bool { return !b.Segment.IsUnknown() && b.knownButPeer() }

// knownButPeer reports whether every value of one flow block but its peer
// segment's id is known: everything a flow is checked on alone.
func (b flowModel) knownButPeer() bool {
	for _, v := range []types.String{b.Protocol, b.Description, b.Acknowledgement} {
		if v.IsUnknown() {
			return false
		}
	}
	for _, l := range []types.List{b.CIDRBlocks, b.PrefixListIDs, b.Ports, b.HTTPMethods, b.HTTPPaths} {
		if _, known := knownStrings(l); !known {
			return false
		}
	}
	return true
}

// segmentIDs lists the governed segment and every peer segment the flow
// blocks name: what one DescribeSecurityGroups reads.
func (p flowPolicy) segmentIDs() []string {
	ids := []string{p.Segment.ValueString()}
	return append(ids, p.peerIDs()...)
}

// peerIDs lists the known peer segment ids the flow blocks name.
func (p flowPolicy) peerIDs() []string {
	var ids []string
	for _, bl := range p.blockLists() {
		for _, b := range bl.blocks {
			if !b.Segment.IsNull() && !b.Segment.IsUnknown() {
				ids = append(ids, b.Segment.ValueString())
			}
		}
	}
	return ids
}

// governed is the policy's segment as read, or a stand-in carrying only its
// id (and so no placement) while it cannot be read.
func (p flowPolicy) governed(segments map[string]model.Segment) (model.Segment, bool) {
	id := p.Segment.ValueString()
	if s, ok := segments[id]; ok {
		return s, true
	}
	return standInSegment(id), false
}

// governedRefusedError reports a governed segment whose record may not
// place the policy's pods (see model.Segment.Refused); false when it may.
func (p flowPolicy) governedRefusedError(governed model.Segment, diags *diag.Diagnostics, at path.Path) bool {
	if governed.Refused == "" {
		return false
	}
	diags.AddAttributeError(at, "Segment's record refused", governed.Refused)
	return true
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

// plannedSegmentID stands in, at plan, for the id of a segment created in
// the same apply. It is not a security group id, so it never equals a peer's.
const plannedSegmentID = "(created in this apply)"

// validateWrittenFlows checks every flow block whose values are known, before
// anything is read from AWS: syntax, ports, protocol, peers and HTTP
// matches, and — given the governed segment's sensitivity ("" when not
// known) — floors and internet exposure over all sources together.
func (p flowPolicy) validateWrittenFlows(sensitivity string) diag.Diagnostics {
	flows, _, diags := p.expandBlocks(nil, flowModel.knownButPeer)
	target := model.Segment{Name: p.Segment.ValueString(), Sensitivity: sensitivity}
	if p.Segment.IsUnknown() {
		target.Name = plannedSegmentID
	}
	ps, _ := model.ValidateFlows(target, flows)
	appendProblems(&diags, path.Empty(), ps)
	return diags
}

// segmentNotFoundError says, at the governed segment's path, that it
// neither exists nor is planned in this configuration.
func (p flowPolicy) segmentNotFoundError(diags *diag.Diagnostics, at path.Path) {
	diags.AddAttributeError(at, "Segment not found",
		fmt.Sprintf("No segment %s exists or is planned in this configuration. Refer to the segment by reference (zerotrust_segment.<name>.id), so that it is planned first.", p.Segment.ValueString()))
}

// checkExclusive refuses, at plan, every segment of another configuration
// (not planned in this run) whose owner made it exclusive: this policy
// would write rules onto its group, governing it or naming it as a peer.
func (p flowPolicy) checkExclusive(diags *diag.Diagnostics, segments map[string]model.Segment, planned func(string) bool) {
	refuse := func(at model.Path, id string) {
		if s, ok := segments[id]; ok && s.Exclusive && !planned(id) {
			diags.AddAttributeError(tfPath(path.Empty(), at), "Segment exclusive to another configuration",
				fmt.Sprintf("Segment %s is exclusive (exclusive = true on its zerotrust_segment, in a configuration this one does not declare): only the policies and sets of that configuration may govern it or name it as a peer. Declare the flow there, or ask its owner to (policy %s).",
					id, p.Owner))
		}
	}
	refuse(p.At.At("segment"), p.Segment.ValueString())
	for _, bl := range p.blockLists() {
		for i, b := range bl.blocks {
			if !b.Segment.IsNull() && !b.Segment.IsUnknown() {
				refuse(p.At.At(bl.attr).Index(i).At("segment"), b.Segment.ValueString())
			}
		}
	}
}

// missingPeersError names the peer segments that do not exist.
func (p flowPolicy) missingPeersError(diags *diag.Diagnostics, missing []model.Path) {
	for _, at := range missing {
		diags.AddAttributeError(tfPath(path.Empty(), at), "Peer segment not found",
			fmt.Sprintf("No segment with this id exists, so the flow has no peer. Reference an existing zerotrust_segment's id (policy %s).", p.Owner))
	}
}

// compileSecurityGroups compiles the flows into the rules of the governed
// segment's group and its peers' groups. A segment placed only in
// Kubernetes has no group: its flows compile to Kubernetes only, so a flow
// between it and a segment outside Kubernetes could be enforced nowhere and
// is an error.
func (p flowPolicy) compileSecurityGroups(governed model.Segment, flows []model.Flow) ([]securitygroup.Rule, diag.Diagnostics) {
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
	rules, problems := securitygroup.Compile(governed, aws, securitygroup.Options{
		MaxRulesPerDirection: wholeInt(p.MaxRulesPerDirection),
		QuotaPath:            model.Root("max_rules_per_direction"),
	})
	appendProblems(&diags, path.Empty(), problems)
	return rules, diags
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

// checkPeerings refuses, for every flow between the governed segment and a
// peer segment in another VPC, a pair of VPCs no active peering connection
// joins: AWS accepts a rule that references a security group of another VPC
// only across an active peering. Decided with one read of the peering
// connections, only when such a flow exists; when they cannot be read,
// nothing can be decided and that is the error.
func (p flowPolicy) checkPeerings(ctx context.Context, clients *clientFactory, governed model.Segment, flows []model.Flow) diag.Diagnostics {
	var diags diag.Diagnostics
	var across []model.Flow
	for _, f := range flows {
		peer := f.Peer.Segment
		if peer != nil && peer.SecurityGroupID != "" && governed.SecurityGroupID != "" &&
			peer.VPCID != "" && governed.VPCID != "" && peer.VPCID != governed.VPCID {
			across = append(across, f)
		}
	}
	if len(across) == 0 {
		return diags
	}
	peered, err := clients.activePeerings(ctx)
	if err != nil {
		diags.AddAttributeError(tfPath(path.Empty(), across[0].PeerPath), "Cannot read the VPC peering connections",
			fmt.Sprintf("The flow joins segments of two VPCs, which needs an active peering between them; it could not be checked: %s", err))
		return diags
	}
	for _, f := range across {
		if !peered[[2]string{governed.VPCID, f.Peer.Segment.VPCID}] {
			diags.AddAttributeError(tfPath(path.Empty(), f.PeerPath), "Peer segment in an unpeered VPC",
				fmt.Sprintf("Segment %q is in %s and segment %q in %s, which no active VPC peering connection joins: AWS refuses a security-group "+
					"rule that references a group of another VPC unless the two are peered (in the same region). Peer the VPCs (an accepted "+
					"aws_vpc_peering_connection), or name the peer by CIDR block.",
					f.Peer.Segment.Name, f.Peer.Segment.VPCID, governed.Name, governed.VPCID))
		}
	}
	return diags
}
