package provider

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/kube"
)

// flattenSecurityGroup writes the live security group's id, ARN, owner,
// description and (when recorded) VPC into m. The segment's own id is not
// the group's: see segmentIdentity.
func flattenSecurityGroup(m *segmentModel, sg *awsapi.SecurityGroup) {
	m.SecurityGroupID = types.StringValue(sg.ID)
	m.KubeRecord = types.StringNull()
	if sg.ARN != "" {
		m.ARN = types.StringValue(sg.ARN)
	} else {
		m.ARN = types.StringValue(fmt.Sprintf("arn:aws:ec2:::security-group/%s", sg.ID))
	}
	m.OwnerID = types.StringValue(sg.OwnerID)
	if sg.Description != "" {
		m.Description = types.StringValue(sg.Description)
	}
	if sg.VPCID != "" && !m.VPCID.IsNull() {
		m.VPCID = types.StringValue(sg.VPCID)
	}
}

// fillSegmentUnknowns settles what a create that failed part-way left
// unknown, so the recorded state is whole.
func fillSegmentUnknowns(m *segmentModel) {
	for _, s := range []*types.String{&m.ARN, &m.OwnerID, &m.VPCID, &m.Description, &m.KubeRecord} {
		if s.IsUnknown() {
			*s = types.StringNull()
		}
	}
	m.Adopted = types.BoolValue(false)
	if m.OwnershipID.IsUnknown() {
		m.OwnershipID = types.StringNull()
	}
	if m.Governing.IsUnknown() {
		m.Governing = stringList(nil)
	}
	flattenUnmanagedRules(m, nil)
}

// expandSegmentTags is the security group's tags: the user's, the
// provider's (name, sensitivity, Kubernetes placement) and Name.
func expandSegmentTags(m segmentModel, user map[string]string) map[string]string {
	var diags diag.Diagnostics // the block was validated at plan time
	seg := model.Segment{Name: m.Name.ValueString(), Sensitivity: m.Sensitivity.ValueString(), Exclusive: m.Exclusive.ValueBool(),
		Kubernetes: expandSegmentKubernetes(context.Background(), m.Kubernetes, &diags)}
	tags := mergeTags(user, awsapi.SegmentTags(seg))
	tags["Name"] = valueOr(user["Name"], seg.Name)
	return tags
}

// flattenUnmanagedRules records the out-of-band rules of a created
// segment's group: their ids, and what each allows.
func flattenUnmanagedRules(m *segmentModel, rules []awsapi.LiveRule) {
	ids, detail := []string{}, []string{}
	for _, r := range rules {
		ids = append(ids, r.ID)
		detail = append(detail, r.Describe())
	}
	m.UnmanagedRules, m.UnmanagedDetail = stringList(ids), stringList(detail)
}

// expandSegmentKubernetes maps the kubernetes block onto the model; nil when
// absent.
func expandSegmentKubernetes(ctx context.Context, k *segmentKubernetesModel, diags *diag.Diagnostics) *model.KubernetesSelector {
	if k == nil {
		return nil
	}
	return &model.KubernetesSelector{
		Namespace:      k.Namespace.ValueString(),
		PodLabels:      stringMap(ctx, k.PodLabels, diags),
		ServiceAccount: k.ServiceAccount.ValueString(),
		DenyDNS:        !k.AllowDNS.IsNull() && !k.AllowDNS.IsUnknown() && !k.AllowDNS.ValueBool(),
	}
}

// flattenSegmentKubernetesTags is the block as read back, keeping null-vs-empty
// choices of the prior state so an unset pod_labels is not drift.
func flattenSegmentKubernetesTags(tags map[string]string, prior *segmentKubernetesModel) *segmentKubernetesModel {
	return flattenSegmentKubernetes(awsapi.SelectorFromTags(tags), prior)
}

// flattenSegmentKubernetes is the block for a placement read back.
func flattenSegmentKubernetes(sel *model.KubernetesSelector, prior *segmentKubernetesModel) *segmentKubernetesModel {
	if sel == nil {
		return nil
	}
	m := &segmentKubernetesModel{Namespace: types.StringValue(sel.Namespace), ServiceAccount: types.StringNull(), PodLabels: types.MapNull(types.StringType),
		AllowDNS: types.BoolValue(!sel.DenyDNS)}
	if sel.ServiceAccount != "" {
		m.ServiceAccount = types.StringValue(sel.ServiceAccount)
	}
	if len(sel.PodLabels) > 0 || (prior != nil && !prior.PodLabels.IsNull()) {
		keys := make([]string, 0, len(sel.PodLabels))
		for k := range sel.PodLabels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		elems := map[string]attr.Value{}
		for _, k := range keys {
			elems[k] = types.StringValue(sel.PodLabels[k])
		}
		m.PodLabels = types.MapValueMust(types.StringType, elems)
	}
	return m
}

// expandSegmentRecord is the registry record of a Kubernetes-only segment.
func expandSegmentRecord(ctx context.Context, m segmentModel, diags *diag.Diagnostics) kube.SegmentRecord {
	return kube.SegmentRecord{
		Segment: model.Segment{
			Name:        m.Name.ValueString(),
			Sensitivity: m.Sensitivity.ValueString(),
			Exclusive:   m.Exclusive.ValueBool(),
			Kubernetes:  expandSegmentKubernetes(ctx, m.Kubernetes, diags),
		},
		Description: m.Description.ValueString(),
	}
}

// flattenSegmentRecord copies a registry record into the model, keeping the prior
// null-vs-empty choices so an unset pod_labels is not drift.
func flattenSegmentRecord(m *segmentModel, rec *kube.SegmentRecord) {
	m.ID = types.StringValue(rec.Segment.ID())
	m.Name = types.StringValue(rec.Segment.Name)
	m.Sensitivity = types.StringValue(rec.Segment.Sensitivity)
	m.Description = types.StringValue(rec.Description)
	m.Kubernetes = flattenSegmentKubernetes(rec.Segment.Kubernetes, m.Kubernetes)
	m.VPCID, m.SecurityGroupID, m.ARN, m.OwnerID = types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull()
	m.Adopted = types.BoolValue(false)
	m.OwnershipID = nullIfEmpty(rec.OwnershipID)
	m.Exclusive = types.BoolValue(rec.Segment.Exclusive)
	m.Governing = stringList(nil)
	m.KubeRecord = types.StringValue(rec.Ref())
	flattenUnmanagedRules(m, nil)
}
