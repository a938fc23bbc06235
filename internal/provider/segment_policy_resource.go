package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"

	awstarget "github.com/ztforge/terraform-provider-zerotrust/internal/target/aws"
)

var (
	_ resource.ResourceWithConfigure   = (*segmentPolicyResource)(nil)
	_ resource.ResourceWithImportState = (*segmentPolicyResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*segmentPolicyResource)(nil)
)

func newSegmentPolicyResource() resource.Resource { return &segmentPolicyResource{} }

type segmentPolicyResource struct{ clients *clientFactory }

func (r *segmentPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_segment_policy"
}

func (r *segmentPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = segmentPolicySchema()
}

func (r *segmentPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan compiles the flows into rule sets and Kubernetes manifests so
// the plan shows exactly what will be written, and refuses unsafe or
// malformed flows before anything is changed. The governed segment and its
// peers are read with one DescribeSecurityGroups call.
func (r *segmentPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan segmentPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.Segment.IsUnknown() && !plan.Name.IsUnknown() {
		plan.ID = types.StringValue(policyID(plan.Segment.ValueString(), plan.Name.ValueString()))
	}
	known := policyInputsKnown(plan)
	var flows []model.Flow
	if known {
		var d diag.Diagnostics
		flows, d = policyFlows(ctx, plan)
		resp.Diagnostics.Append(d...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	var segments map[string]model.Segment
	sensitivity := types.StringUnknown()
	if !plan.Segment.IsUnknown() && r.clients != nil {
		var err error
		segments, err = readSegments(ctx, r.clients, plan.Segment.ValueString(), flows)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("segment"), "Cannot read the segments", err.Error())
			return
		}
		if g, ok := segments[plan.Segment.ValueString()]; ok {
			sensitivity = types.StringValue(g.Sensitivity)
		}
	}
	plan.SegmentSensitivity = sensitivity
	if !known {
		setRuleListsUnknown(&plan)
		plan.KubernetesManifests = types.MapUnknown(types.StringType)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	httpMatches := httpMatchesOf(ctx, plan, &resp.Diagnostics)
	if sensitivity.IsUnknown() {
		// A segment created in this same plan is not readable yet. Validate
		// everything that does not depend on it now; the checks run again
		// at apply, before any change.
		_, diags := compilePolicy(ctx, plan, "")
		resp.Diagnostics.Append(diags...)
		setRuleListsUnknown(&plan)
		plan.KubernetesManifests = types.MapUnknown(types.StringType)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	rules, diags := compilePolicy(ctx, plan, sensitivity.ValueString())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	setRuleLists(&plan, rules)
	if peersKnown(segments, flows) {
		manifests, diags := compileKubernetes(ctx, plan, flows, httpMatches, segments)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		plan.KubernetesManifests = manifestsValue(manifests)
	} else {
		plan.KubernetesManifests = types.MapUnknown(types.StringType)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *segmentPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.apply(ctx, req.Plan, tfsdk.State{Raw: tftypes.NewValue(req.Plan.Raw.Type(), nil), Schema: req.Plan.Schema}, &resp.State, &resp.Diagnostics)
}

func (r *segmentPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.apply(ctx, req.Plan, req.State, &resp.State, &resp.Diagnostics)
}

// apply recompiles (sensitivity may only now be readable), reconciles, and
// records the result. On a partial failure the rules that exist are recorded,
// so nothing is orphaned and the next apply converges.
func (r *segmentPolicyResource) apply(ctx context.Context, planIn tfsdk.Plan, priorState tfsdk.State, stateOut *tfsdk.State, diags *diag.Diagnostics) {
	var plan segmentPolicyModel
	diags.Append(planIn.Get(ctx, &plan)...)
	if diags.HasError() {
		return
	}
	var prior map[string]string
	if !priorState.Raw.IsNull() {
		var st segmentPolicyModel
		diags.Append(priorState.Get(ctx, &st)...)
		prior = manifestsOf(ctx, st.KubernetesManifests, diags)
	}
	c := r.clients.awsOrDiag(ctx, diags)
	if c == nil {
		return
	}
	segment := plan.Segment.ValueString()
	flows, d := policyFlows(ctx, plan)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	segments, err := readSegments(ctx, r.clients, segment, flows)
	if err != nil {
		diags.AddAttributeError(path.Root("segment"), "Cannot read the segments", err.Error())
		return
	}
	governed, ok := segments[segment]
	if !ok {
		diags.AddAttributeError(path.Root("segment"), "Cannot read the segment", fmt.Sprintf("segment %s not found", segment))
		return
	}
	sensitivity := governed.Sensitivity
	rules, d := compilePolicy(ctx, plan, sensitivity)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	if plan.KubernetesManifests.IsUnknown() {
		// Peers created in the same apply are readable now.
		if !peersKnown(segments, flows) {
			diags.AddAttributeError(path.Root("allow_from"), "Cannot read a peer segment", "a peer segment of this policy does not exist")
			return
		}
		manifests, d := compileKubernetes(ctx, plan, flows, httpMatchesOf(ctx, plan, diags), segments)
		diags.Append(d...)
		if diags.HasError() {
			return
		}
		plan.KubernetesManifests = manifestsValue(manifests)
	}
	id := policyID(segment, plan.Name.ValueString())
	plan.ID = types.StringValue(id)
	plan.SegmentSensitivity = types.StringValue(sensitivity)
	res, err := awstarget.ReconcilePolicyRules(ctx, c.EC2, id, rules)
	tflog.Info(ctx, "segment policy reconciled", map[string]any{"policy": id, "authorized": res.Authorized, "revoked": res.Revoked, "redescribed": res.Redescribed})
	if err != nil {
		diags.AddError("Applying the segment policy failed", err.Error())
		live, rerr := awstarget.ReadPolicyRules(ctx, c.EC2, id)
		if rerr == nil {
			setRuleLists(&plan, live)
			diags.Append(stateOut.Set(ctx, &plan)...)
		}
		return
	}
	setRuleLists(&plan, rules)
	r.applyKubernetes(ctx, plan, prior, diags)
	if diags.HasError() {
		// Record what the cluster now holds, so the next plan converges.
		if view, ok := r.readKubernetes(ctx, plan, new(diag.Diagnostics)); ok {
			plan.KubernetesManifests = manifestsValue(view)
		}
	}
	diags.Append(stateOut.Set(ctx, &plan)...)
}

func (r *segmentPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state segmentPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	sg, err := awstarget.FindSecurityGroup(ctx, c.EC2, state.Segment.ValueString())
	if awstarget.IsNotFound(err) {
		tflog.Warn(ctx, "the governed segment disappeared; removing the policy from state", map[string]any{"segment": state.Segment.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading the segment failed", err.Error())
		return
	}
	live, err := awstarget.ReadPolicyRules(ctx, c.EC2, state.ID.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Reading the segment policy's rules failed", err.Error())
		return
	}
	keepGroupPairDescriptions(live, stateRules(ctx, state, &resp.Diagnostics))
	view, ok := r.readKubernetes(ctx, state, &resp.Diagnostics)
	if !ok {
		return
	}
	state.KubernetesManifests = manifestsValue(view)
	state.SegmentSensitivity = types.StringValue(valueOr(sg.Tags[awstarget.TagSensitivity], "internal"))
	setRuleLists(&state, live)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *segmentPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state segmentPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	r.deleteKubernetes(ctx, state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	n, err := awstarget.RevokePolicyRules(ctx, c.EC2, state.ID.ValueString())
	tflog.Info(ctx, "segment policy removed", map[string]any{"policy": state.ID.ValueString(), "revoked": n})
	if err != nil {
		resp.Diagnostics.AddError("Removing the segment policy's rules failed", err.Error())
	}
}

// ImportState takes `<segment id>/<policy name>` and rebuilds the flow blocks
// from the rules the policy owns on the segment's group (one block per rule).
func (r *segmentPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	segment, name, ok := strings.Cut(req.ID, "/")
	if !ok || !securityGroupIDRe.MatchString(segment) || !policyNameRe.MatchString(name) {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("expected <segment id>/<policy name>, e.g. sg-0123456789abcdef0/default, got %q", req.ID))
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	sg, err := awstarget.FindSecurityGroup(ctx, c.EC2, segment)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import segment policy", err.Error())
		return
	}
	id := policyID(segment, name)
	live, err := awstarget.ReadPolicyRules(ctx, c.EC2, id)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import segment policy", err.Error())
		return
	}
	m := segmentPolicyModel{
		ID:                   types.StringValue(id),
		Segment:              types.StringValue(segment),
		Name:                 types.StringValue(name),
		MaxRulesPerDirection: types.Int64Value(60),
		SegmentSensitivity:   types.StringValue(valueOr(sg.Tags[awstarget.TagSensitivity], "internal")),
	}
	m.AllowFrom, m.AllowTo = flowsFromRules(segment, live)
	setRuleLists(&m, live)
	m.KubernetesManifests = manifestsValue(r.importKubernetes(ctx, id))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func policyID(segment, name string) string { return segment + "/" + name }

// setRuleLists splits rules into the segment's own and its peers' halves.
func setRuleLists(m *segmentPolicyModel, rules []awstarget.Rule) {
	segment := m.Segment.ValueString()
	var ingress, egress, peer []attr.Value
	sorted := append([]awstarget.Rule(nil), rules...)
	awstarget.SortRules(sorted)
	for _, r := range sorted {
		v := ruleValue(r)
		switch {
		case r.GroupID != segment:
			peer = append(peer, v)
		case r.Egress:
			egress = append(egress, v)
		default:
			ingress = append(ingress, v)
		}
	}
	m.IngressRules = types.ListValueMust(ruleObjectType, nonNil(ingress))
	m.EgressRules = types.ListValueMust(ruleObjectType, nonNil(egress))
	m.PeerRules = types.ListValueMust(ruleObjectType, nonNil(peer))
}

func nonNil(v []attr.Value) []attr.Value {
	if v == nil {
		return []attr.Value{}
	}
	return v
}

func ruleValue(r awstarget.Rule) attr.Value {
	str := func(s string) attr.Value {
		if s == "" {
			return types.StringNull()
		}
		return types.StringValue(s)
	}
	return types.ObjectValueMust(ruleAttrTypes, map[string]attr.Value{
		"group_id":          types.StringValue(r.GroupID),
		"direction":         types.StringValue(direction(r.Egress)),
		"protocol":          types.StringValue(r.Protocol),
		"from_port":         types.Int64Value(int64(r.FromPort)),
		"to_port":           types.Int64Value(int64(r.ToPort)),
		"cidr_ipv4":         str(r.CIDRv4),
		"cidr_ipv6":         str(r.CIDRv6),
		"prefix_list_id":    str(r.PrefixListID),
		"security_group_id": str(r.ReferencedGroupID),
		"description":       str(r.Description),
	})
}

func direction(egress bool) string {
	if egress {
		return "egress"
	}
	return "ingress"
}

// stateRules decodes the rule lists held in state.
func stateRules(ctx context.Context, m segmentPolicyModel, diags *diag.Diagnostics) []awstarget.Rule {
	var out []awstarget.Rule
	for _, l := range []types.List{m.IngressRules, m.EgressRules, m.PeerRules} {
		if l.IsNull() || l.IsUnknown() {
			continue
		}
		var objs []ruleObject
		diags.Append(l.ElementsAs(ctx, &objs, false)...)
		for _, o := range objs {
			out = append(out, o.rule())
		}
	}
	return out
}

type ruleObject struct {
	GroupID         types.String `tfsdk:"group_id"`
	Direction       types.String `tfsdk:"direction"`
	Protocol        types.String `tfsdk:"protocol"`
	FromPort        types.Int64  `tfsdk:"from_port"`
	ToPort          types.Int64  `tfsdk:"to_port"`
	CIDRv4          types.String `tfsdk:"cidr_ipv4"`
	CIDRv6          types.String `tfsdk:"cidr_ipv6"`
	PrefixListID    types.String `tfsdk:"prefix_list_id"`
	SecurityGroupID types.String `tfsdk:"security_group_id"`
	Description     types.String `tfsdk:"description"`
}

func (o ruleObject) rule() awstarget.Rule {
	return awstarget.Rule{
		GroupID: o.GroupID.ValueString(), Egress: o.Direction.ValueString() == "egress", Protocol: o.Protocol.ValueString(),
		FromPort: int32(o.FromPort.ValueInt64()), ToPort: int32(o.ToPort.ValueInt64()),
		CIDRv4: o.CIDRv4.ValueString(), CIDRv6: o.CIDRv6.ValueString(), PrefixListID: o.PrefixListID.ValueString(),
		ReferencedGroupID: o.SecurityGroupID.ValueString(), Description: o.Description.ValueString(),
	}
}

// keepGroupPairDescriptions restores descriptions of group-pair rules that the
// API returned empty (moto omits them; AWS returns them), from prior state,
// so an emulator quirk does not show as a perpetual diff.
func keepGroupPairDescriptions(live, prior []awstarget.Rule) {
	byKey := map[string]string{}
	for _, r := range prior {
		byKey[r.Key()] = r.Description
	}
	for i, r := range live {
		if r.ReferencedGroupID != "" && r.Description == "" {
			live[i].Description = byKey[r.Key()]
		}
	}
}

// flowsFromRules turns the rules a policy owns on its segment back into flow
// blocks, one per rule, for import.
func flowsFromRules(segment string, rules []awstarget.Rule) (from, to []flowModel) {
	for _, r := range rules {
		if r.GroupID != segment {
			continue
		}
		f := flowModel{
			Segment:         types.StringNull(),
			CIDRBlocks:      types.ListNull(types.StringType),
			PrefixListIDs:   types.ListNull(types.StringType),
			Protocol:        types.StringValue(protocolName(r.Protocol)),
			Ports:           types.ListNull(types.StringType),
			Description:     types.StringNull(),
			Acknowledgement: types.StringNull(),
			HTTPMethods:     types.ListNull(types.StringType),
			HTTPPaths:       types.ListNull(types.StringType),
		}
		if r.Description != "" {
			f.Description = types.StringValue(r.Description)
		}
		switch {
		case r.ReferencedGroupID != "":
			f.Segment = types.StringValue(r.ReferencedGroupID)
		case r.CIDRv4 != "":
			f.CIDRBlocks = stringList([]string{r.CIDRv4})
		case r.CIDRv6 != "":
			f.CIDRBlocks = stringList([]string{r.CIDRv6})
		case r.PrefixListID != "":
			f.PrefixListIDs = stringList([]string{r.PrefixListID})
		}
		if r.Protocol == "tcp" || r.Protocol == "udp" {
			spec := fmt.Sprint(r.FromPort)
			if r.ToPort != r.FromPort {
				spec += fmt.Sprintf("-%d", r.ToPort)
			}
			f.Ports = stringList([]string{spec})
		}
		if r.Egress {
			to = append(to, f)
		} else {
			from = append(from, f)
		}
	}
	return from, to
}

func protocolName(ec2Protocol string) string {
	switch ec2Protocol {
	case "-1":
		return "all"
	case "58":
		return "icmpv6"
	default:
		return ec2Protocol
	}
}

func setRuleListsUnknown(m *segmentPolicyModel) {
	m.IngressRules = types.ListUnknown(ruleObjectType)
	m.EgressRules = types.ListUnknown(ruleObjectType)
	m.PeerRules = types.ListUnknown(ruleObjectType)
}
