package provider

import (
	"context"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
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
			for _, l := range []types.List{f.CIDRBlocks, f.PrefixListIDs, f.Ports, f.HTTPMethods, f.HTTPPaths} {
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
	if k := m.Kubernetes; k != nil && (k.AllowDNS.IsUnknown() || k.Istio.IsUnknown() || k.IstioTrustDomain.IsUnknown() || k.ForceConflicts.IsUnknown()) {
		return false
	}
	return true
}

// policyFlows maps the flow blocks onto model flows, in configuration order.
func policyFlows(ctx context.Context, m segmentPolicyModel) ([]model.Flow, diag.Diagnostics) {
	var diags diag.Diagnostics
	var flows []model.Flow
	for attrName, blocks := range map[string][]flowModel{"allow_from": m.AllowFrom, "allow_to": m.AllowTo} {
		dir := model.Inbound
		if attrName == "allow_to" {
			dir = model.Outbound
		}
		for i, b := range blocks {
			flows = append(flows, flowsOf(ctx, model.Root(attrName).Index(i), dir, b, &diags)...)
		}
	}
	// Deterministic order whatever the map iteration did.
	sortFlows(flows)
	return flows, diags
}

// compilePolicy maps the configuration onto model flows, compiles them, and
// returns the rules in the target layer's terms, or attribute-pathed errors.
func compilePolicy(ctx context.Context, m segmentPolicyModel, sensitivity string) ([]awstarget.Rule, diag.Diagnostics) {
	target := model.Segment{Name: m.Segment.ValueString(), SecurityGroupID: m.Segment.ValueString(), Sensitivity: sensitivity}
	flows, diags := policyFlows(ctx, m)
	if diags.HasError() {
		return nil, diags
	}
	rules, problems := securitygroup.Compile(target, flows, securitygroup.Options{
		MaxRulesPerDirection: int(m.MaxRulesPerDirection.ValueInt64()),
		QuotaPath:            model.Root("max_rules_per_direction"),
	})
	appendProblems(&diags, path.Empty(), problems)
	if diags.HasError() {
		return nil, diags
	}
	out := make([]awstarget.Rule, len(rules))
	for i, r := range rules {
		out[i] = awstarget.Rule{
			GroupID: r.GroupID, Egress: r.Egress, Protocol: r.Protocol, FromPort: r.FromPort, ToPort: r.ToPort,
			CIDRv4: r.CIDRv4, CIDRv6: r.CIDRv6, PrefixListID: r.PrefixListID, ReferencedGroupID: r.ReferencedGroupID,
			Description: r.Description,
		}
	}
	awstarget.SortRules(out)
	return out, diags
}

// flowsOf expands one flow block into one model flow per peer.
func flowsOf(ctx context.Context, at model.Path, dir model.FlowDirection, b flowModel, diags *diag.Diagnostics) []model.Flow {
	base := model.Flow{
		Direction:       dir,
		Protocol:        valueOr(b.Protocol.ValueString(), "tcp"),
		Description:     b.Description.ValueString(),
		Acknowledgement: b.Acknowledgement.ValueString(),
		Path:            at,
	}
	var ports []string
	diags.Append(b.Ports.ElementsAs(ctx, &ports, true)...)
	for j, spec := range ports {
		r, ok := parsePortSpec(spec)
		if !ok {
			diags.AddAttributeError(tfPath(path.Empty(), at.At("ports").Index(j)), "Invalid port", "must be a port (\"443\") or an inclusive range (\"8000-8080\") between 0 and 65535, got "+strconv.Quote(spec))
			continue
		}
		base.Ports = append(base.Ports, r)
	}
	var flows []model.Flow
	if !b.Segment.IsNull() {
		f := base
		f.Peer = model.Peer{SegmentGroupID: b.Segment.ValueString()}
		f.PeerPath = at.At("segment")
		flows = append(flows, f)
	}
	var cidrs, lists []string
	diags.Append(b.CIDRBlocks.ElementsAs(ctx, &cidrs, true)...)
	diags.Append(b.PrefixListIDs.ElementsAs(ctx, &lists, true)...)
	for j, c := range cidrs {
		f := base
		f.Peer = model.Peer{CIDR: c}
		f.PeerPath = at.At("cidr_blocks").Index(j)
		flows = append(flows, f)
	}
	for j, pl := range lists {
		f := base
		f.Peer = model.Peer{PrefixListID: pl}
		f.PeerPath = at.At("prefix_list_ids").Index(j)
		flows = append(flows, f)
	}
	return flows
}

func parsePortSpec(s string) (model.PortRange, bool) {
	from, to, isRange := strings.Cut(s, "-")
	a, err := strconv.Atoi(from)
	if err != nil {
		return model.PortRange{}, false
	}
	b := a
	if isRange {
		if b, err = strconv.Atoi(to); err != nil {
			return model.PortRange{}, false
		}
	}
	return model.PortRange{From: a, To: b}, true
}

func sortFlows(flows []model.Flow) {
	sortStable(flows, func(a, b model.Flow) bool { return a.Path.String() < b.Path.String() })
}
