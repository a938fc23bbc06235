package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// A segment's id is what the configuration writes, so it is known at plan
// and policies, sets and checks planned in the same run see the segment
// before its security group exists:
//
//   - a created group's segment: sg/<vpc_id>/<name> (model.AWSSegmentID);
//   - an adopted group's segment: the group id the configuration adopts;
//   - a segment placed only in Kubernetes: k8s/<namespace>/<name>.
//
// The cloud-assigned group id is security_group_id; references are resolved
// to it at apply.

// segmentIdentity is the id of a segment with a security group, from what
// the state (or a plan at apply) records: the adopted group's id, or the id
// derived from VPC and name. Unknown while either is.
func segmentIdentity(m segmentModel) types.String {
	if m.Adopted.ValueBool() {
		return m.SecurityGroupID
	}
	if m.VPCID.IsUnknown() || m.VPCID.IsNull() || m.Name.IsUnknown() {
		return types.StringUnknown()
	}
	return types.StringValue(model.AWSSegmentID(m.VPCID.ValueString(), m.Name.ValueString()))
}

// planSecurityGroupSegment plans the id of a segment with a security group
// from its configuration, and records the segment in the run's plan memory
// as apply will leave it — sensitivity, placement, and its group id, or its
// own id standing in for a group created in this apply — so the policies
// planned after it are checked and compiled against it with no cloud read.
func (r *segmentResource) planSecurityGroupSegment(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var plan, config segmentModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || kubernetesOnlyConfig(config) {
		return
	}
	plan.KubeRecord = types.StringNull()
	adopted := !config.SecurityGroupID.IsNull()
	if !req.State.Raw.IsNull() {
		// What the state recorded decides: a created group's configuration
		// may name its group id too (as generated configuration does).
		var state segmentModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		adopted = state.Adopted.ValueBool()
	}
	switch {
	case adopted:
		plan.ID = plan.SecurityGroupID
	case plan.VPCID.IsUnknown() || plan.Name.IsUnknown():
		plan.ID = types.StringUnknown()
	default:
		plan.ID = types.StringValue(model.AWSSegmentID(plan.VPCID.ValueString(), plan.Name.ValueString()))
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	if plan.ID.IsUnknown() {
		return
	}
	if plan.Sensitivity.IsUnknown() || !plan.kubernetesKnown() {
		r.plan.planPending(plan.ID.ValueString())
		return
	}
	group := plan.SecurityGroupID.ValueString()
	if plan.SecurityGroupID.IsUnknown() || group == "" {
		group = plan.ID.ValueString() // created in this apply: its id stands in
	}
	var d diag.Diagnostics
	r.plan.planSegment(plan.ID.ValueString(), model.Segment{
		Name: plan.Name.ValueString(), SecurityGroupID: group, Sensitivity: plan.Sensitivity.ValueString(),
		VPCID:      plan.VPCID.ValueString(), // empty while unknown (an adopted group's, before it is read)
		Kubernetes: expandSegmentKubernetes(ctx, plan.Kubernetes, &d),
	})
}

// kubernetesKnown reports whether the kubernetes block is known whole, every
// label value included (an absent block is).
func (m segmentModel) kubernetesKnown() bool {
	k := m.Kubernetes
	return k == nil || !(k.Namespace.IsUnknown() || k.ServiceAccount.IsUnknown() || !mapKnown(k.PodLabels))
}

// mapKnown reports whether a map and every value in it are known.
func mapKnown(m types.Map) bool {
	if m.IsUnknown() {
		return false
	}
	for _, v := range m.Elements() {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// UpgradeState moves state written before segment ids were derived from the
// configuration (schema version 0, where a created group's segment had the
// group id as its id) to sg/<vpc_id>/<name>. Adopted and Kubernetes-only
// segments keep their ids, which were already what the configuration
// writes. Nothing is read from the cloud: the state holds all of it.
func (r *segmentResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	prior := withObjectTypes(segmentSchema())
	prior.Version = 0
	return map[int64]resource.StateUpgrader{
		0: {
			PriorSchema: &prior,
			StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
				var m segmentModel
				resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
				if resp.Diagnostics.HasError() {
					return
				}
				upgradeSegmentID(&m)
				resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
			},
		},
	}
}

// upgradeSegmentID rewrites a version-0 created segment's id.
func upgradeSegmentID(m *segmentModel) {
	if kubernetesOnlyState(*m) || m.Adopted.ValueBool() || !model.SecurityGroupIDPattern.MatchString(m.ID.ValueString()) {
		return
	}
	if id := segmentIdentity(*m); !id.IsUnknown() {
		m.ID = id
	}
}
