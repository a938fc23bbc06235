package provider

import (
	"context"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/provider/syntaxtypes"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// expandPrivilegedAccess maps the configuration onto the domain model. unknown holds the
// top-level attributes whose values are not known yet; their findings are
// dropped and what depends on them is planned as unknown.
func expandPrivilegedAccess(ctx context.Context, m privilegedAccessModel, diags *diag.Diagnostics) (model.PrivilegedAccess, map[string]bool) {
	unknown := map[string]bool{}
	str := func(name string, v types.String) string {
		if v.IsUnknown() {
			unknown[name] = true
			return ""
		}
		return v.ValueString()
	}
	list := func(name string, l types.List) []string {
		if l.IsUnknown() {
			unknown[name] = true
			return nil
		}
		if l.IsNull() {
			return nil
		}
		var out []string
		for _, e := range l.Elements() {
			s, _ := e.(types.String)
			if s.IsUnknown() {
				unknown[name] = true
				return nil
			}
			out = append(out, s.ValueString())
		}
		return out
	}
	a := model.PrivilegedAccess{
		Name:            str("name", m.Name),
		Group:           str("group", m.Group),
		Accounts:        list("accounts", m.Accounts),
		ManagedPolicies: list("managed_policies", m.ManagedPolicies),
		SessionDuration: str("session_duration", m.SessionDuration.StringValue),
		Acknowledgement: str("acknowledgement", m.Acknowledgement),
		Description:     str("description", m.Description),
	}
	if unknown["name"] {
		a.Name = "unknown"
	}
	if unknown["group"] {
		a.Group = paPlaceholderGroup
	}
	if m.InlinePolicy.IsUnknown() {
		unknown["inline_policy"] = true
	} else {
		a.InlinePolicy = m.InlinePolicy.ValueString()
	}
	if exp := str("expires_at", m.ExpiresAt.StringValue); exp != "" {
		// A malformed value is reported by the attribute's validator.
		if t, err := time.Parse(time.RFC3339, exp); err == nil {
			a.ExpiresAt = t
		}
	}
	switch {
	case m.CustomerManagedPolicies.IsUnknown():
		unknown["customer_managed_policies"] = true
	case !m.CustomerManagedPolicies.IsNull():
		var refs []policyRefModel
		diags.Append(m.CustomerManagedPolicies.ElementsAs(ctx, &refs, true)...)
		for _, r := range refs {
			if r.Name.IsUnknown() || r.Path.IsUnknown() {
				unknown["customer_managed_policies"] = true
				a.CustomerManagedPolicies = nil
				break
			}
			a.CustomerManagedPolicies = append(a.CustomerManagedPolicies, model.PolicyReference{Name: r.Name.ValueString(), Path: r.Path.ValueString()})
		}
	}
	switch {
	case m.PermissionsBoundary.IsUnknown():
		unknown["permissions_boundary"] = true
	case !m.PermissionsBoundary.IsNull():
		var b boundaryModel
		diags.Append(m.PermissionsBoundary.As(ctx, &b, paObjectAsOptions)...)
		pb := &model.PermissionsBoundary{ManagedPolicyARN: b.ManagedPolicyARN.ValueString()}
		if b.ManagedPolicyARN.IsUnknown() || b.CustomerManaged.IsUnknown() {
			unknown["permissions_boundary"] = true
		}
		if !b.CustomerManaged.IsNull() && !b.CustomerManaged.IsUnknown() {
			var r policyRefModel
			diags.Append(b.CustomerManaged.As(ctx, &r, paObjectAsOptions)...)
			if r.Name.IsUnknown() || r.Path.IsUnknown() {
				unknown["permissions_boundary"] = true
			}
			pb.CustomerManagedPolicy = &model.PolicyReference{Name: r.Name.ValueString(), Path: r.Path.ValueString()}
		}
		if !unknown["permissions_boundary"] {
			a.PermissionsBoundary = pb
		}
	}
	return a, unknown
}

// expandAssignments reads the planned assignments.
func expandAssignments(ctx context.Context, l types.List, diags *diag.Diagnostics) []identitycenter.Assignment {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var ms []assignmentModel
	diags.Append(l.ElementsAs(ctx, &ms, false)...)
	out := make([]identitycenter.Assignment, 0, len(ms))
	for _, a := range ms {
		out = append(out, identitycenter.Assignment{AccountID: a.AccountID.ValueString(), PrincipalType: a.PrincipalType.ValueString(), PrincipalID: a.PrincipalID.ValueString()})
	}
	return out
}

func flattenAssignments(as []identitycenter.Assignment) types.List {
	elems := make([]attr.Value, 0, len(as))
	for _, a := range as {
		elems = append(elems, types.ObjectValueMust(assignmentAttrTypes, map[string]attr.Value{
			"account_id": types.StringValue(a.AccountID), "principal_type": types.StringValue(a.PrincipalType), "principal_id": types.StringValue(a.PrincipalID),
		}))
	}
	return types.ListValueMust(assignmentType, elems)
}

// expandBoundary reads the boundary recorded in a model, nil for none.
func expandBoundary(ctx context.Context, o types.Object, diags *diag.Diagnostics) *identitycenter.Boundary {
	if o.IsNull() || o.IsUnknown() {
		return nil
	}
	var b boundaryModel
	diags.Append(o.As(ctx, &b, paObjectAsOptions)...)
	if !b.CustomerManaged.IsNull() && !b.CustomerManaged.IsUnknown() {
		var r policyRefModel
		diags.Append(b.CustomerManaged.As(ctx, &r, paObjectAsOptions)...)
		return &identitycenter.Boundary{CustomerManagedPolicy: &identitycenter.PolicyReference{Name: r.Name.ValueString(), Path: valueOr(r.Path.ValueString(), "/")}}
	}
	if b.ManagedPolicyARN.ValueString() == "" {
		return nil
	}
	return &identitycenter.Boundary{ManagedPolicyARN: b.ManagedPolicyARN.ValueString()}
}

func flattenBoundary(b *identitycenter.Boundary) types.Object {
	if b == nil {
		return types.ObjectNull(boundaryAttrTypes)
	}
	ref := types.ObjectNull(policyRefAttrTypes)
	arn := types.StringNull()
	if r := b.CustomerManagedPolicy; r != nil {
		ref = types.ObjectValueMust(policyRefAttrTypes, map[string]attr.Value{"name": types.StringValue(r.Name), "path": types.StringValue(r.Path)})
	} else {
		arn = types.StringValue(b.ManagedPolicyARN)
	}
	return types.ObjectValueMust(boundaryAttrTypes, map[string]attr.Value{"managed_policy_arn": arn, "customer_managed_policy_reference": ref})
}

func expandPolicyRefs(ctx context.Context, l types.List, diags *diag.Diagnostics) []identitycenter.PolicyReference {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var refs []policyRefModel
	diags.Append(l.ElementsAs(ctx, &refs, false)...)
	out := make([]identitycenter.PolicyReference, 0, len(refs))
	for _, r := range refs {
		out = append(out, identitycenter.PolicyReference{Name: r.Name.ValueString(), Path: valueOr(r.Path.ValueString(), "/")})
	}
	return out
}

func flattenPolicyRefs(rs []identitycenter.PolicyReference) types.List {
	elems := make([]attr.Value, 0, len(rs))
	for _, r := range rs {
		elems = append(elems, types.ObjectValueMust(policyRefAttrTypes, map[string]attr.Value{"name": types.StringValue(r.Name), "path": types.StringValue(valueOr(r.Path, "/"))}))
	}
	return types.ListValueMust(policyRefType, elems)
}

// flattenLivePermissionSet records the live permission set in m for Read (and after a
// partial failure): user-facing attributes keep the configuration's spelling
// when they mean the same as what AWS returned, and take the live value when
// they differ, so the plan shows the drift and apply corrects it.
func flattenLivePermissionSet(ctx context.Context, m *privilegedAccessModel, ps *awsapi.PermissionSet, as []identitycenter.Assignment, diags *diag.Diagnostics) {
	live := awsapi.LivePermissionSet(ps, as)
	m.PermissionSetName = types.StringValue(ps.Name)
	if ps.Description == "" && (m.Description.IsNull() || m.Description.ValueString() == "") {
		// AWS stores no empty description: keep null as null.
	} else {
		m.Description = types.StringValue(ps.Description)
	}
	if d := identitycenter.Diff(identitycenter.PermissionSet{SessionDuration: m.SessionDuration.ValueString()}, identitycenter.PermissionSet{SessionDuration: ps.SessionDuration}); d.UpdateAttributes {
		m.SessionDuration = syntaxtypes.NewDuration(ps.SessionDuration)
	}
	switch {
	case ps.InlinePolicy == "":
		m.InlinePolicy = policyDocumentNull()
		m.InlinePolicyCanonical = types.StringNull()
	default:
		if !identitycenter.PolicyEqual(m.InlinePolicy.ValueString(), ps.InlinePolicy) {
			m.InlinePolicy = policyDocumentOf(ps.InlinePolicy)
		}
		canonical, err := identitycenter.CanonicalPolicy(ps.InlinePolicy)
		if err != nil {
			canonical = ps.InlinePolicy
		}
		m.InlinePolicyCanonical = types.StringValue(canonical)
	}
	var priorManaged []string
	if !m.ManagedPolicies.IsNull() && !m.ManagedPolicies.IsUnknown() {
		diags.Append(m.ManagedPolicies.ElementsAs(ctx, &priorManaged, false)...)
	}
	if !paSameStrings(priorManaged, live.ManagedPolicies) {
		m.ManagedPolicies = stringList(live.ManagedPolicies)
	}
	if priorRefs := expandPolicyRefs(ctx, m.CustomerManagedPolicies, diags); !paSameRefs(priorRefs, live.CustomerManagedPolicies) {
		m.CustomerManagedPolicies = flattenPolicyRefs(live.CustomerManagedPolicies)
	}
	if !paBoundaryEqual(expandBoundary(ctx, m.PermissionsBoundary, diags), live.PermissionsBoundary) {
		m.PermissionsBoundary = flattenBoundary(live.PermissionsBoundary)
	}
	m.Assignments = flattenAssignments(live.Assignments)
}

// expandExpiry reads the expiry inputs from a plan (or a state): the
// permission-set name, expires_at, expired and the assignments.
func expandExpiry(ctx context.Context, m privilegedAccessModel, diags *diag.Diagnostics) accessExpiry {
	if m.Assignments.IsUnknown() {
		return accessExpiry{}
	}
	return expandExpiryOf(m, expandAssignments(ctx, m.Assignments, diags), false)
}

// expandPendingPrincipalExpiry is the expiry of a plan whose assignments
// are unknown only because the group is created in this apply: planned
// holds the compiled assignments with a stand-in for the group's id.
func expandPendingPrincipalExpiry(m privilegedAccessModel, planned []identitycenter.Assignment) accessExpiry {
	return expandExpiryOf(m, planned, true)
}

func expandExpiryOf(m privilegedAccessModel, assignments []identitycenter.Assignment, principalPending bool) accessExpiry {
	if m.PermissionSetName.IsUnknown() || m.ExpiresAt.IsUnknown() || m.Expired.IsUnknown() {
		return accessExpiry{}
	}
	e := accessExpiry{known: true}
	if m.ExpiresAt.IsNull() || m.ExpiresAt.ValueString() == "" || m.Expired.ValueBool() {
		return e
	}
	t, err := time.Parse(time.RFC3339, m.ExpiresAt.ValueString())
	if err != nil {
		return accessExpiry{} // reported by the attribute's validator
	}
	e.expiresAt = t
	e.assignments = assignments
	e.principalPending = principalPending
	return e
}

func flattenNoExpiry(m *privilegedAccessModel) {
	m.ExpiryScheduleGroup = types.StringNull()
	m.ExpiryRoleARN = types.StringNull()
	m.ExpirySchedules = types.ListValueMust(expiryScheduleType, nil)
}

func flattenDesiredExpiry(m *privilegedAccessModel, desired identitycenter.Expiry) {
	if len(desired.Schedules) == 0 {
		flattenNoExpiry(m)
		return
	}
	m.ExpiryScheduleGroup = types.StringValue(desired.Name)
	m.ExpiryRoleARN = types.StringValue(desired.Role.ARN)
	live := make([]awsapi.LiveSchedule, 0, len(desired.Schedules))
	for _, s := range desired.Schedules {
		live = append(live, awsapi.LiveSchedule{Name: s.Name, ARN: s.ARN, Expression: s.Expression, Assignment: s.Assignment})
	}
	m.ExpirySchedules = flattenExpirySchedules(live)
}

func flattenExpirySchedules(ss []awsapi.LiveSchedule) types.List {
	elems := make([]attr.Value, 0, len(ss))
	for _, s := range ss {
		elems = append(elems, types.ObjectValueMust(expiryScheduleAttrTypes, map[string]attr.Value{
			"name": types.StringValue(s.Name), "arn": types.StringValue(s.ARN), "account_id": types.StringValue(s.Assignment.AccountID),
			"principal_type": types.StringValue(s.Assignment.PrincipalType), "principal_id": types.StringValue(s.Assignment.PrincipalID),
			"schedule_expression": types.StringValue(s.Expression),
		}))
	}
	return types.ListValueMust(expiryScheduleType, elems)
}

// expandRecordedExpiryAssignments are the assignments of the schedules in m.
func expandRecordedExpiryAssignments(ctx context.Context, m privilegedAccessModel, diags *diag.Diagnostics) []identitycenter.Assignment {
	if m.ExpirySchedules.IsNull() || m.ExpirySchedules.IsUnknown() {
		return nil
	}
	var ss []expiryScheduleModel
	diags.Append(m.ExpirySchedules.ElementsAs(ctx, &ss, false)...)
	var out []identitycenter.Assignment
	for _, s := range ss {
		out = append(out, identitycenter.Assignment{AccountID: s.AccountID.ValueString(), PrincipalType: s.PrincipalType.ValueString(), PrincipalID: s.PrincipalID.ValueString()})
	}
	return out
}

// expandExpiryGrant is what the expiry of m is compiled from (an unknown ARN
// reads as "", which the compiler leaves what depends on it empty for).
func expandExpiryGrant(m privilegedAccessModel, e accessExpiry) identitycenter.ExpiryGrant {
	return identitycenter.ExpiryGrant{
		PermissionSetName: m.PermissionSetName.ValueString(),
		InstanceARN:       m.InstanceARN.ValueString(), PermissionSetARN: m.PermissionSetARN.ValueString(),
		ExpiresAt: e.expiresAt, Assignments: e.assignments,
	}
}

func expandExpiryOwner(m privilegedAccessModel) awsapi.ExpiryOwner {
	return awsapi.ExpiryOwner{AccessName: m.Name.ValueString(), Ownership: m.OwnershipID.ValueString()}
}
