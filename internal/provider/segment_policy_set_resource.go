package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

var (
	_ resource.ResourceWithConfigure      = (*segmentPolicySetResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*segmentPolicySetResource)(nil)
	_ resource.ResourceWithValidateConfig = (*segmentPolicySetResource)(nil)
)

func newSegmentPolicySetResource() resource.Resource { return &segmentPolicySetResource{} }

// segmentPolicySetResource owns the flows of several segments as one: the
// rules of every segment's policy are compiled together and reconciled
// with one owner tag, so each security group costs at most one Authorize
// and one Revoke per direction for the whole set.
type segmentPolicySetResource struct{ resourceBase }

func (r *segmentPolicySetResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_segment_policy_set"
}

func (r *segmentPolicySetResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = withObjectTypes(segmentPolicySetSchema())
}

// ValidateConfig checks every flow written in full, as the policy does.
func (r *segmentPolicySetResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	if unknownCollection(req.Config.Raw) {
		return // dynamic blocks over values not known yet: checked at plan
	}
	var m segmentPolicySetModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(m.Policies) == 0 {
		resp.Diagnostics.AddAttributeError(path.Root("policy"), "No policy block",
			"a set needs at least one policy block: policy { segment = zerotrust_segment.<name>.id ... } with the segment's allow_from and allow_to flows. Without one it would own nothing; remove the set instead.")
	}
	seen := map[string]int{}
	for i, p := range m.Policies {
		if !p.Segment.IsUnknown() {
			if j, dup := seen[p.Segment.ValueString()]; dup {
				resp.Diagnostics.AddAttributeError(path.Root("policy").AtListIndex(i).AtName("segment"), "Segment governed twice",
					fmt.Sprintf("policy[%d] already governs %s; put all of a segment's flows in one policy block.", j, p.Segment.ValueString()))
			}
			seen[p.Segment.ValueString()] = i
		}
		resp.Diagnostics.Append(m.member(i).validateWrittenFlows("")...)
	}
}

// setCompiled is the set compiled against the segments as they are.
type setCompiled struct {
	rules     []securitygroup.Rule
	ack       map[string]bool
	manifests map[string]string
	known     bool // false while a segment of the set does not exist yet
	// segments are those the set names, by the ids it names them with.
	segments map[string]model.Segment
}

// compile takes every segment of the set — at plan as this run plans them
// (see segmentsAtPlan), at apply as they exist (one DescribeSecurityGroups
// per kind of id) — and compiles all policies together. At plan, a segment
// that is neither planned in this run nor exists leaves the result unknown;
// at apply it is an error.
func (r *segmentPolicySetResource) compile(ctx context.Context, m segmentPolicySetModel, atApply bool, diags *diag.Diagnostics) setCompiled {
	out := setCompiled{ack: map[string]bool{}, known: true}
	ids := m.segmentIDs()
	var segments map[string]model.Segment
	var err error
	if atApply {
		segments, err = r.clients.readSegments(ctx, ids)
	} else {
		segments, err = r.segmentsAtPlan(ctx, ids)
	}
	if err != nil {
		diags.AddAttributeError(path.Root("policy"), "Cannot read the segments", err.Error())
		return out
	}
	out.segments = segments
	byKey := map[string]int{}
	var kpols []kubernetes.Policy
	for i := range m.Policies {
		fp := m.member(i)
		base := tfPath(path.Empty(), fp.At)
		if !atApply && r.plan.anyPending(fp.segmentIDs()) {
			// A segment of this run known only after apply: what is
			// written is checked now, the rest then.
			diags.Append(fp.validateWrittenFlows(fp.SegmentSensitivity.ValueString())...)
			out.known = false
			continue
		}
		governed, found := fp.governed(segments)
		if !found {
			fp.segmentNotFoundError(diags, base.AtName("segment"))
			out.known = false
			continue
		}
		if fp.governedRefusedError(governed, diags, base.AtName("segment")) {
			out.known = false
			continue
		}
		if len(fp.AllowFrom)+len(fp.AllowTo) == 0 && governed.Kubernetes == nil {
			// Without flows a block compiles to a namespace's default deny,
			// which needs a placement: here it would compile to nothing.
			diags.AddAttributeError(base, "Policy declares no flow",
				fmt.Sprintf("%s has neither allow_from nor allow_to blocks, and segment %s has no kubernetes placement, so the block compiles to nothing: "+
					"the segment's security group denies every flow with or without it. Add the segment's allow_from or allow_to blocks, or remove the policy block.", base, fp.Segment.ValueString()))
			continue
		}
		if s := fp.SegmentSensitivity.ValueString(); s != "" && model.SensitivityRank(s) > model.SensitivityRank(governed.Sensitivity) {
			governed.Sensitivity = s // changes in this apply: judged against the stricter
		}
		if !atApply {
			fp.checkExclusive(diags, segments, r.plan.isPlanned)
		}
		flows, missing, d := fp.expandFlows(segments)
		diags.Append(d...)
		fp.missingPeersError(diags, missing)
		diags.Append(fp.checkPeerings(ctx, r.clients, governed, flows)...)
		rules, d := fp.compileSecurityGroups(governed, flows)
		diags.Append(d...)
		if kubernetesOnly(&governed) {
			for _, f := range flows {
				if !kubernetes.Expressible(f) {
					diags.AddAttributeError(tfPath(path.Empty(), f.Path), "Flow not expressible in Kubernetes",
						fmt.Sprintf("segment %s lives only in Kubernetes, and a NetworkPolicy cannot express this flow (ICMP, a prefix list, or a peer without a kubernetes block).", governed.ID()))
				}
			}
		}
		for _, rule := range rules {
			if j, dup := byKey[rule.Key()]; dup {
				diags.AddAttributeError(base, "Flow declared twice in the set",
					fmt.Sprintf("The rule %s on %s is also compiled from policy[%d]; declare each flow once (both halves are compiled from it).",
						strings.TrimSpace(awsapi.LiveRule{Rule: rule}.Describe()), rule.GroupID, j))
				continue
			}
			byKey[rule.Key()] = i
			out.rules = append(out.rules, rule)
		}
		maps.Copy(out.ack, acknowledgedRuleKeys(governed, flows, rules))
		kpols = append(kpols, kubernetes.Policy{Segment: governed, SegmentPath: fp.At.At("segment"), Flows: flows})
	}
	if diags.HasError() || !out.known {
		return out
	}
	slices.SortFunc(out.rules, func(a, b securitygroup.Rule) int { return strings.Compare(ruleLine(a), ruleLine(b)) })
	manifests, d := compileKubernetes(kpols, expandKubernetesOptions(m.Kubernetes, m.ID.ValueString(), true))
	diags.Append(d...)
	if diags.HasError() {
		return out
	}
	out.manifests = manifests
	return out
}

func (r *segmentPolicySetResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan segmentPolicySetModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.Name.IsUnknown() {
		plan.ID = types.StringValue(setID(plan.Name.ValueString()))
	}
	plan.Rules = types.ListUnknown(types.StringType)
	plan.KubernetesManifests = types.MapUnknown(types.StringType)
	peersFound := true
	for i := range plan.Policies {
		peersFound = r.checkKubernetesPeersAtPlan(ctx, plan.member(i), &resp.Diagnostics) && peersFound
	}
	if !peersFound {
		return
	}
	if !plan.inputsKnown() || r.clients == nil {
		for i := range plan.Policies {
			if s := plan.Policies[i].SegmentSensitivity; !s.IsNull() && !s.IsUnknown() {
				resp.Diagnostics.Append(plan.member(i).validateWrittenFlows(s.ValueString())...)
			}
		}
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	compiled := r.compile(ctx, plan, false, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	r.warnPlacementChanges(ctx, req.Private, compiled.segments, plan.segmentPath, &resp.Diagnostics)
	if compiled.known {
		for _, c := range r.plan.flows.claim(plan.ID.ValueString(), compiled.rules) {
			resp.Diagnostics.AddAttributeError(path.Root("policy"), "Flow declared by two policies",
				fmt.Sprintf("The rule %s on %s is also planned by policy %s in this configuration; one flow may be declared by one policy only.",
					strings.TrimSpace(awsapi.LiveRule{Rule: c.rule}.Describe()), c.rule.GroupID, c.other))
		}
		plan.Rules = flattenSetRules(compiled.rules, groupRefs(compiled.segments))
		plan.KubernetesManifests = stringMapValue(compiled.manifests)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *segmentPolicySetResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.apply(ctx, req.Plan, tfsdk.State{Raw: tftypes.NewValue(req.Plan.Raw.Type(), nil), Schema: req.Plan.Schema}, nil, &resp.State, resp.Private, &resp.Diagnostics)
}

func (r *segmentPolicySetResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.apply(ctx, req.Plan, req.State, req.Private, &resp.State, resp.Private, &resp.Diagnostics)
}

// kubernetesObjects are the cluster objects the set owns.
func (r *segmentPolicySetResource) kubernetesObjects(m segmentPolicySetModel) kubernetesObjects {
	return kubernetesObjects{clients: r.clients, owner: m.ID.ValueString()}
}

func (r *segmentPolicySetResource) apply(ctx context.Context, planIn tfsdk.Plan, priorState tfsdk.State, priorPrivate privateState, stateOut *tfsdk.State, privateOut privateState, diags *diag.Diagnostics) {
	var plan segmentPolicySetModel
	diags.Append(planIn.Get(ctx, &plan)...)
	if diags.HasError() {
		return
	}
	var prior map[string]string
	priorRules := 0
	if !priorState.Raw.IsNull() {
		var st segmentPolicySetModel
		diags.Append(priorState.Get(ctx, &st)...)
		prior = stringMap(ctx, st.KubernetesManifests, diags)
		priorRules = len(st.Rules.Elements())
	}
	plan.ID = types.StringValue(setID(plan.Name.ValueString()))
	compiled := r.compile(ctx, plan, true, diags)
	if diags.HasError() {
		return
	}
	refs := groupRefs(compiled.segments)
	lines := flattenSetRules(compiled.rules, refs)
	if !plan.Rules.IsUnknown() && !plan.Rules.Equal(lines) {
		diags.AddAttributeError(path.Root("rules"), "The compiled set differs from the plan",
			"The rules compiled at apply differ from the planned ones; a segment changed between plan and apply. Plan again.")
		return
	}
	if !plan.KubernetesManifests.IsUnknown() && !maps.Equal(stringMap(ctx, plan.KubernetesManifests, diags), compiled.manifests) {
		diags.AddAttributeError(path.Root("kubernetes_manifests"), "The compiled set differs from the plan",
			"The Kubernetes objects compiled at apply differ from the planned ones; a segment's placement changed between plan and apply. Plan again.")
		return
	}
	if priorState.Raw.IsNull() {
		plan.OwnershipID = types.StringValue(uuid.NewString())
	}
	recordSegmentPlacements(ctx, privateOut, compiled.segments, diags)
	plan.Rules = lines
	plan.KubernetesManifests = stringMapValue(compiled.manifests)
	if len(compiled.rules) > 0 || priorRules > 0 {
		c := r.clients.awsOrDiag(ctx, diags)
		if c == nil {
			return
		}
		if live, ok := reconcileOwnedRules(ctx, c, ownershipOf(plan.ID, plan.OwnershipID), "policy set", compiled.rules, compiled.ack, priorState.Raw.IsNull(), diags); diags.HasError() {
			if ok {
				plan.Rules = flattenSetRules(live, refs)
				// Kubernetes was not touched: the state keeps what the
				// cluster holds, which the next apply trusts for unchanged
				// objects.
				plan.KubernetesManifests = stringMapValue(prior)
				diags.Append(stateOut.Set(ctx, &plan)...)
			}
			return
		}
	}
	objs := r.kubernetesObjects(plan)
	priorUIDs := kubernetesUIDs(ctx, priorPrivate, diags)
	force := plan.Kubernetes != nil && plan.Kubernetes.ForceConflicts.ValueBool()
	uids := objs.apply(ctx, compiled.manifests, prior, priorUIDs, force, diags)
	plan.KubernetesManifests = stringMapValue(objs.afterFailure(ctx, compiled.manifests, priorUIDs, diags))
	recordKubernetesUIDs(ctx, privateOut, uids, diags)
	diags.Append(stateOut.Set(ctx, &plan)...)
}

func (r *segmentPolicySetResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state segmentPolicySetModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(state.Rules.Elements()) > 0 {
		rules, ok := r.clients.ownedRules(ctx, ownershipOf(state.ID, state.OwnershipID).owner(), "Reading the set's rules failed", &resp.Diagnostics)
		if !ok {
			return
		}
		segments, err := r.clients.readSegments(ctx, state.segmentIDs())
		if err != nil {
			resp.Diagnostics.AddError("Reading the set's segments failed", err.Error())
			return
		}
		state.Rules = flattenSetRules(rules, groupRefs(segments))
	}
	objs := r.kubernetesObjects(state)
	uids := kubernetesUIDs(ctx, req.Private, &resp.Diagnostics)
	view, ok := objs.read(ctx, stringMap(ctx, state.KubernetesManifests, &resp.Diagnostics), uids, &resp.Diagnostics)
	if !ok {
		return
	}
	state.KubernetesManifests = stringMapValue(view)
	if len(view) > 0 {
		r.warnForeignPolicies(ctx, objs, state, ownedUIDs(uids), &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// warnForeignPolicies warns, for every placed segment of the set, about
// NetworkPolicies the provider does not own that admit traffic to its pods.
func (r *segmentPolicySetResource) warnForeignPolicies(ctx context.Context, objs kubernetesObjects, state segmentPolicySetModel, own map[string]bool, diags *diag.Diagnostics) {
	ids := make([]string, 0, len(state.Policies))
	for _, p := range state.Policies {
		ids = append(ids, p.Segment.ValueString())
	}
	segments, err := r.clients.readSegments(ctx, ids)
	if err != nil {
		tflog.Warn(ctx, "segments not readable for the foreign NetworkPolicy check", map[string]any{"error": err.Error()})
		return
	}
	for _, id := range ids {
		if seg, ok := segments[id]; ok && seg.Kubernetes != nil {
			objs.warnForeignPolicies(ctx, seg, own, diags)
		}
	}
}

func (r *segmentPolicySetResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state segmentPolicySetModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.kubernetesObjects(state).delete(ctx, stringMap(ctx, state.KubernetesManifests, &resp.Diagnostics), kubernetesUIDs(ctx, req.Private, &resp.Diagnostics), &resp.Diagnostics)
	if resp.Diagnostics.HasError() || len(state.Rules.Elements()) == 0 {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	n, err := awsapi.RevokePolicyRules(ctx, c.EC2, ownershipOf(state.ID, state.OwnershipID).owner())
	tflog.Info(ctx, "segment policy set removed", map[string]any{"set": state.ID.ValueString(), "revoked": n})
	if err != nil {
		resp.Diagnostics.AddError("Removing the set's rules failed", err.Error())
	}
}
