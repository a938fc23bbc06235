package provider

import (
	"context"

	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

func applyGroupToModel(m *segmentModel, sg *awsapi.SecurityGroup) {
	m.ID = types.StringValue(sg.ID)
	m.SecurityGroupID = types.StringValue(sg.ID)
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

func fillSegmentUnknowns(m *segmentModel) {
	for _, s := range []*types.String{&m.ARN, &m.OwnerID, &m.VPCID, &m.Description} {
		if s.IsUnknown() {
			*s = types.StringNull()
		}
	}
	m.Adopted = types.BoolValue(false)
	if m.OwnershipID.IsUnknown() {
		m.OwnershipID = types.StringNull()
	}
	setUnmanaged(m, nil)
}

func segmentTags(m segmentModel, user map[string]string) map[string]string {
	var diags diag.Diagnostics // the block was validated at plan time
	seg := model.Segment{Name: m.Name.ValueString(), Sensitivity: m.Sensitivity.ValueString(), Kubernetes: m.Kubernetes.selector(context.Background(), &diags)}
	tags := mergeTags(user, awsapi.SegmentTags(seg))
	tags["Name"] = valueOr(user["Name"], seg.Name)
	return tags
}

// setUnmanaged records the out-of-band rules of a created segment's group:
// their ids, and what each allows.
func setUnmanaged(m *segmentModel, rules []awsapi.LiveRule) {
	ids, detail := []string{}, []string{}
	for _, r := range rules {
		ids = append(ids, r.ID)
		detail = append(detail, r.Describe())
	}
	m.UnmanagedRules, m.UnmanagedDetail = stringList(ids), stringList(detail)
}
