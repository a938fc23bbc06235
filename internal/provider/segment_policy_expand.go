package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Expand (configuration -> flow policy) and flatten (compiled rules ->
// state) for zerotrust_segment_policy.

// expandFlowPolicy is the policy's flows as a flow policy, owned by the
// policy's id.
func (m segmentPolicyModel) expandFlowPolicy() flowPolicy {
	return flowPolicy{
		Segment: m.Segment, AllowFrom: m.AllowFrom, AllowTo: m.AllowTo,
		SegmentSensitivity: m.SegmentSensitivity, MaxRulesPerDirection: m.MaxRulesPerDirection,
		Owner: m.owner(),
	}
}

// owner is the id that owns the policy's rules and cluster objects: its id,
// or while that is not planned yet, the id it will have.
func (m segmentPolicyModel) owner() string {
	if !m.ID.IsUnknown() && !m.ID.IsNull() {
		return m.ID.ValueString()
	}
	return policyID(m.Segment.ValueString(), m.Name.ValueString())
}

func policyID(segment, name string) string { return segment + "/" + name }

// inputsKnown reports whether every value the compilers read is known, i.e.
// whether the compiled artifacts can be shown in the plan.
func (m segmentPolicyModel) inputsKnown() bool {
	return !m.Segment.IsUnknown() && m.inputsKnownButSegment()
}

// inputsKnownButSegment reports whether everything but the governed
// segment's id is known: the case of a segment created in the same apply,
// whose rules can be shown with only that id unknown.
func (m segmentPolicyModel) inputsKnownButSegment() bool {
	if m.Name.IsUnknown() || m.MaxRulesPerDirection.IsUnknown() || !m.expandFlowPolicy().flowsKnown() {
		return false
	}
	return m.Kubernetes.known()
}

// known reports whether every value of a kubernetes block is known (an
// absent block is).
func (k *policyKubernetesModel) known() bool {
	return k == nil || !(k.AllowDNS.IsUnknown() || k.Istio.IsUnknown() || k.IstioTrustDomain.IsUnknown() || k.ForceConflicts.IsUnknown())
}

// flattenRules records rules in state as lines, the governed group written
// self and the others named as the configuration names them (see
// flattenPolicyRules).
func (m *segmentPolicyModel) flattenRules(rules []securitygroup.Rule, governed model.Segment, segments map[string]model.Segment) {
	m.Rules = flattenPolicyRules(rules, governed.SecurityGroupID, groupRefs(segments))
}

// flattenPlannedRules records rules compiled against plannedSegmentID: the
// governed group is written self in every line, so the lines are those
// apply computes once the group exists.
func (m *segmentPolicyModel) flattenPlannedRules(rules []securitygroup.Rule, segments map[string]model.Segment) {
	m.Rules = flattenPolicyRules(rules, plannedSegmentID, groupRefs(segments))
}

// flattenImported is the state of a policy imported from the rules it owns
// on its segment's group (one flow block per rule) and the cluster objects
// it owns; refs names groups by their segment ids.
func flattenImported(id, segment, name string, governed model.Segment, rules []securitygroup.Rule, manifests, refs map[string]string) segmentPolicyModel {
	m := segmentPolicyModel{
		ID:                   types.StringValue(id),
		Segment:              types.StringValue(segment),
		Name:                 types.StringValue(name),
		MaxRulesPerDirection: wholeNumberValue(securitygroup.DefaultMaxRulesPerDirection),
		SegmentSensitivity:   types.StringValue(governed.Sensitivity),
	}
	m.AllowFrom, m.AllowTo = flattenFlowBlocks(governed.SecurityGroupID, rules, refs)
	m.Rules = flattenPolicyRules(rules, governed.SecurityGroupID, refs)
	m.KubernetesManifests = stringMapValue(manifests)
	return m
}
