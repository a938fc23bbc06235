package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/kube"
)

// A segment with a kubernetes block and neither vpc_id nor
// security_group_id lives only in Kubernetes: it needs no AWS account. Its
// id is k8s/<namespace>/<name>, known at plan, and its name, sensitivity
// and placement are recorded in a SegmentRecord of its namespace (see
// reconcile/kube/segments.go), where segment policies read them.

// kubernetesOnlyConfig reports whether a configuration or plan places the
// segment only in Kubernetes.
func kubernetesOnlyConfig(m segmentModel) bool {
	return m.Kubernetes != nil && m.VPCID.IsNull() && m.SecurityGroupID.IsNull()
}

// kubernetesOnlyState reports whether a recorded segment lives only in Kubernetes.
func kubernetesOnlyState(m segmentModel) bool {
	_, _, ok := model.ParseKubernetesSegmentID(m.ID.ValueString())
	return ok
}

func defaultSegmentDescription(name string) string {
	return "Zero-trust segment " + name + " (managed by terraform-provider-zerotrust)"
}

// planKubernetesOnly fills, at plan, what a Kubernetes-only segment's
// computed attributes will be: its id is known from namespace and name, so
// policies referencing it plan against it; the AWS attributes are null.
func (r *segmentResource) planKubernetesOnly(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var plan, config segmentModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || !kubernetesOnlyConfig(config) {
		return
	}
	plan.VPCID, plan.SecurityGroupID = types.StringNull(), types.StringNull()
	if !plan.Name.IsUnknown() && !plan.Kubernetes.Namespace.IsUnknown() {
		ns, name := plan.Kubernetes.Namespace.ValueString(), plan.Name.ValueString()
		plan.ID = types.StringValue(model.KubernetesSegmentID(ns, name))
		// Where apply leaves the record: a SegmentRecord. A state whose
		// record is still provider 0.1's ConfigMap plans a change to it,
		// and the update moves the record (see kube.UpdateSegment).
		plan.KubeRecord = types.StringValue(kube.RecordRef(ns, name))
	} else {
		plan.KubeRecord = types.StringUnknown()
	}
	for _, s := range []*types.String{&plan.ARN, &plan.OwnerID} {
		*s = types.StringNull()
	}
	if plan.Description.IsUnknown() && !plan.Name.IsUnknown() {
		plan.Description = types.StringValue(defaultSegmentDescription(plan.Name.ValueString()))
	}
	plan.Adopted = types.BoolValue(false)
	plan.Governing = stringList(nil)
	if !req.State.Raw.IsNull() {
		var state segmentModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if state.Kubernetes != nil && !plan.Kubernetes.Namespace.Equal(state.Kubernetes.Namespace) {
			// The namespace is part of the id and where the record lives.
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("kubernetes").AtName("namespace"))
		}
	}
	if !plan.ID.IsUnknown() && !plan.Sensitivity.IsUnknown() && plan.kubernetesKnown() {
		var d diag.Diagnostics
		seg := model.Segment{Name: plan.Name.ValueString(), Sensitivity: plan.Sensitivity.ValueString(), Kubernetes: expandSegmentKubernetes(ctx, plan.Kubernetes, &d)}
		if !d.HasError() {
			r.plan.planSegment(plan.ID.ValueString(), seg)
		}
	} else if !plan.ID.IsUnknown() {
		r.plan.planPending(plan.ID.ValueString())
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *segmentResource) kubeOrDiag(diags *diag.Diagnostics) *kube.Client {
	c, err := r.clients.Kube()
	if err != nil {
		diags.AddAttributeError(path.Root("kubernetes"), "Kubernetes is not configured",
			"A segment placed only in Kubernetes is recorded in the cluster: "+err.Error())
		return nil
	}
	return c
}

func (r *segmentResource) createKubernetesOnly(ctx context.Context, plan segmentModel, state *tfsdk.State, diags *diag.Diagnostics) {
	c := r.kubeOrDiag(diags)
	if c == nil {
		return
	}
	if plan.Description.IsUnknown() || plan.Description.IsNull() {
		plan.Description = types.StringValue(defaultSegmentDescription(plan.Name.ValueString()))
	}
	rec, err := c.CreateSegment(ctx, expandSegmentRecord(ctx, plan, diags), uuid.NewString())
	if err != nil {
		diags.AddAttributeError(path.Root("name"), "Creating the Kubernetes segment failed", err.Error())
		return
	}
	tflog.Info(ctx, "Kubernetes segment recorded", map[string]any{"segment": rec.Segment.ID()})
	flattenSegmentRecord(&plan, rec)
	diags.Append(state.Set(ctx, &plan)...)
}

func (r *segmentResource) readKubernetesOnly(ctx context.Context, st segmentModel, resp *resource.ReadResponse) {
	c := r.kubeOrDiag(&resp.Diagnostics)
	if c == nil {
		return
	}
	ns, name, _ := model.ParseKubernetesSegmentID(st.ID.ValueString())
	rec, err := c.FindSegment(ctx, ns, name)
	if errors.Is(err, kube.ErrSegmentNotFound) {
		tflog.Warn(ctx, "Kubernetes segment record disappeared; removing from state", map[string]any{"segment": st.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading the Kubernetes segment failed", err.Error())
		return
	}
	if own := st.OwnershipID.ValueString(); own != "" && rec.OwnershipID != own {
		resp.Diagnostics.AddWarning("Segment owned by another resource",
			fmt.Sprintf("Kubernetes segment %s now carries ownership id %q, not %q recorded in this state; it will be neither changed nor deleted.", st.ID.ValueString(), rec.OwnershipID, own))
		rec.OwnershipID = own
	}
	flattenSegmentRecord(&st, rec)
	resp.Diagnostics.Append(resp.State.Set(ctx, &st)...)
}

func (r *segmentResource) updateKubernetesOnly(ctx context.Context, plan, st segmentModel, resp *resource.UpdateResponse) {
	c := r.kubeOrDiag(&resp.Diagnostics)
	if c == nil {
		return
	}
	rec, err := c.UpdateSegment(ctx, expandSegmentRecord(ctx, plan, &resp.Diagnostics), st.OwnershipID.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Updating the Kubernetes segment failed", err.Error())
		return
	}
	flattenSegmentRecord(&plan, rec)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *segmentResource) deleteKubernetesOnly(ctx context.Context, st segmentModel, diags *diag.Diagnostics) {
	c := r.kubeOrDiag(diags)
	if c == nil {
		return
	}
	ns, name, _ := model.ParseKubernetesSegmentID(st.ID.ValueString())
	if err := c.DeleteSegment(ctx, ns, name, st.OwnershipID.ValueString()); err != nil {
		diags.AddError("Cannot delete the Kubernetes segment", err.Error())
	}
}

func (r *segmentResource) importKubernetesOnly(ctx context.Context, id string, resp *resource.ImportStateResponse) {
	c := r.kubeOrDiag(&resp.Diagnostics)
	if c == nil {
		return
	}
	ns, name, _ := model.ParseKubernetesSegmentID(id)
	rec, err := c.FindSegment(ctx, ns, name)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import segment", err.Error())
		return
	}
	m := segmentModel{Tags: types.MapNull(types.StringType), Governing: types.ListNull(types.StringType), Timeouts: timeoutsNull(opCreate, opDelete)}
	flattenSegmentRecord(&m, rec)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
