package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

var (
	_ resource.ResourceWithConfigure      = (*segmentPolicyResource)(nil)
	_ resource.ResourceWithImportState    = (*segmentPolicyResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*segmentPolicyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*segmentPolicyResource)(nil)
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

// ValidateConfig checks every flow that is fully written in the
// configuration, so `terraform validate` catches malformed flows even when
// the segments are created in the same apply.
func (r *segmentPolicyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m segmentPolicyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateFlowsOffline(m)...)
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
	plan.SegmentSensitivity = types.StringUnknown()
	setRuleListsUnknown(&plan)
	plan.KubernetesManifests = types.MapUnknown(types.StringType)
	if !policyInputsKnown(plan) || r.clients == nil {
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	segments, err := awsapi.ReadSegments(ctx, c.EC2, policySegmentIDs(plan))
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("segment"), "Cannot read the segments", err.Error())
		return
	}
	governed, found := governedSegment(plan, segments)
	flows, missing, diags := expandFlows(plan, segments)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	rules, diags := compileSecurityGroups(plan, governed, flows)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !found {
		// The segment cannot be read (yet): everything that does not depend
		// on it was checked above; the rest is checked at apply, before any
		// change.
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	plan.SegmentSensitivity = types.StringValue(governed.Sensitivity)
	setRuleLists(&plan, rules)
	if len(missing) == 0 {
		manifests, diags := compileKubernetes(plan, governed, flows)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		plan.KubernetesManifests = stringMapValue(manifests)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *segmentPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.apply(ctx, req.Plan, tfsdk.State{Raw: tftypes.NewValue(req.Plan.Raw.Type(), nil), Schema: req.Plan.Schema}, &resp.State, &resp.Diagnostics)
}

func (r *segmentPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.apply(ctx, req.Plan, req.State, &resp.State, &resp.Diagnostics)
}

// apply expands and compiles again against the segments as they are now,
// checks the result is what the plan showed (where the plan knew it),
// reconciles, and records the result. On a partial failure the rules that
// exist are recorded, so nothing is orphaned and the next apply converges.
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
	segments, err := awsapi.ReadSegments(ctx, c.EC2, policySegmentIDs(plan))
	if err != nil {
		diags.AddAttributeError(path.Root("segment"), "Cannot read the segments", err.Error())
		return
	}
	governed, found := governedSegment(plan, segments)
	if !found {
		diags.AddAttributeError(path.Root("segment"), "Segment not found", fmt.Sprintf("segment %s does not exist", plan.Segment.ValueString()))
		return
	}
	flows, missing, d := expandFlows(plan, segments)
	diags.Append(d...)
	missingPeersError(diags, missing, plan)
	if diags.HasError() {
		return
	}
	rules, d := compileSecurityGroups(plan, governed, flows)
	diags.Append(d...)
	manifests, d := compileKubernetes(plan, governed, flows)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	checkAgainstPlan(ctx, plan, governed, rules, manifests, diags)
	if diags.HasError() {
		return
	}
	id := policyID(governed.SecurityGroupID, plan.Name.ValueString())
	plan.ID = types.StringValue(id)
	plan.SegmentSensitivity = types.StringValue(governed.Sensitivity)
	plan.KubernetesManifests = stringMapValue(manifests)
	res, err := awsapi.ReconcilePolicyRules(ctx, c.EC2, id, rules)
	tflog.Info(ctx, "segment policy reconciled", map[string]any{"policy": id, "authorized": res.Authorized, "revoked": res.Revoked, "redescribed": res.Redescribed})
	if err != nil {
		diags.AddError("Applying the segment policy failed", err.Error())
		if live, rerr := awsapi.ReadPolicyRules(ctx, c.EC2, id); rerr == nil {
			setRuleLists(&plan, awsapi.RulesOf(live))
			diags.Append(stateOut.Set(ctx, &plan)...)
		}
		return
	}
	setRuleLists(&plan, rules)
	r.applyKubernetes(ctx, plan, prior, diags)
	if diags.HasError() {
		// Record what the cluster now holds, so the next plan converges.
		if view, ok := r.readKubernetes(ctx, plan, new(diag.Diagnostics)); ok {
			plan.KubernetesManifests = stringMapValue(view)
		}
	}
	diags.Append(stateOut.Set(ctx, &plan)...)
}

// checkAgainstPlan refuses to apply anything other than what the plan
// showed: a segment's sensitivity or placement changed between plan and
// apply changes the compiled result, and the reviewer did not see that.
func checkAgainstPlan(ctx context.Context, plan segmentPolicyModel, governed model.Segment, rules []securitygroup.Rule, manifests map[string]string, diags *diag.Diagnostics) {
	const summary = "The compiled policy differs from the plan"
	if !plan.SegmentSensitivity.IsUnknown() && plan.SegmentSensitivity.ValueString() != governed.Sensitivity {
		diags.AddAttributeError(path.Root("segment_sensitivity"), summary,
			fmt.Sprintf("The plan was made for a %s segment, the segment is now %s. Plan again.", plan.SegmentSensitivity.ValueString(), governed.Sensitivity))
		return
	}
	if !plan.IngressRules.IsUnknown() && !slices.Equal(stateRules(ctx, plan, diags), sortedRules(rules)) {
		diags.AddAttributeError(path.Root("ingress_rules"), summary,
			"The rules compiled at apply differ from the planned ones; a segment changed between plan and apply. Plan again.")
		return
	}
	if !plan.KubernetesManifests.IsUnknown() && !maps.Equal(manifestsOf(ctx, plan.KubernetesManifests, diags), manifests) {
		diags.AddAttributeError(path.Root("kubernetes_manifests"), summary,
			"The Kubernetes objects compiled at apply differ from the planned ones; a segment's placement changed between plan and apply. Plan again.")
	}
}

func sortedRules(rules []securitygroup.Rule) []securitygroup.Rule {
	out := slices.Clone(rules)
	securitygroup.Sort(out)
	return out
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
	sg, err := awsapi.FindSecurityGroup(ctx, c.EC2, state.Segment.ValueString())
	if awsapi.IsNotFound(err) {
		tflog.Warn(ctx, "the governed segment disappeared; removing the policy from state", map[string]any{"segment": state.Segment.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading the segment failed", err.Error())
		return
	}
	live, err := awsapi.ReadPolicyRules(ctx, c.EC2, state.ID.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Reading the segment policy's rules failed", err.Error())
		return
	}
	view, ok := r.readKubernetes(ctx, state, &resp.Diagnostics)
	if !ok {
		return
	}
	state.KubernetesManifests = stringMapValue(view)
	state.SegmentSensitivity = types.StringValue(awsapi.SegmentOf(sg).Sensitivity)
	setRuleLists(&state, awsapi.RulesOf(live))
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
	n, err := awsapi.RevokePolicyRules(ctx, c.EC2, state.ID.ValueString())
	tflog.Info(ctx, "segment policy removed", map[string]any{"policy": state.ID.ValueString(), "revoked": n})
	if err != nil {
		resp.Diagnostics.AddError("Removing the segment policy's rules failed", err.Error())
	}
}

// ImportState takes `<segment id>/<policy name>` and rebuilds the flow blocks
// from the rules the policy owns on the segment's group (one block per rule).
func (r *segmentPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	segment, name, ok := strings.Cut(req.ID, "/")
	if !ok || !model.SecurityGroupIDPattern.MatchString(segment) || !policyNameRe.MatchString(name) {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("expected <segment id>/<policy name>, e.g. sg-0123456789abcdef0/default, got %q", req.ID))
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	sg, err := awsapi.FindSecurityGroup(ctx, c.EC2, segment)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import segment policy", err.Error())
		return
	}
	id := policyID(segment, name)
	live, err := awsapi.ReadPolicyRules(ctx, c.EC2, id)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import segment policy", err.Error())
		return
	}
	rules := awsapi.RulesOf(live)
	m := segmentPolicyModel{
		ID:                   types.StringValue(id),
		Segment:              types.StringValue(segment),
		Name:                 types.StringValue(name),
		MaxRulesPerDirection: types.Int64Value(securitygroup.DefaultMaxRulesPerDirection),
		SegmentSensitivity:   types.StringValue(awsapi.SegmentOf(sg).Sensitivity),
	}
	m.AllowFrom, m.AllowTo = flowsFromRules(segment, rules)
	setRuleLists(&m, rules)
	m.KubernetesManifests = stringMapValue(r.importKubernetes(ctx, id))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
