package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/provider/syntaxtypes"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

type privilegedAccessModel struct {
	ID                      types.String          `tfsdk:"id"`
	Name                    types.String          `tfsdk:"name"`
	Group                   types.String          `tfsdk:"group"`
	Accounts                types.List            `tfsdk:"accounts"`
	Description             types.String          `tfsdk:"description"`
	ManagedPolicies         types.List            `tfsdk:"managed_policies"`
	CustomerManagedPolicies types.List            `tfsdk:"customer_managed_policies"`
	InlinePolicy            policyDocumentValue   `tfsdk:"inline_policy"`
	PermissionsBoundary     types.Object          `tfsdk:"permissions_boundary"`
	SessionDuration         syntaxtypes.Duration  `tfsdk:"session_duration"`
	ExpiresAt               syntaxtypes.Timestamp `tfsdk:"expires_at"`
	Acknowledgement         types.String          `tfsdk:"acknowledgement"`
	InstanceARN             types.String          `tfsdk:"instance_arn"`
	PermissionSetARN        types.String          `tfsdk:"permission_set_arn"`
	OwnershipID             types.String          `tfsdk:"ownership_id"`
	PermissionSetName       types.String          `tfsdk:"permission_set_name"`
	InlinePolicyCanonical   types.String          `tfsdk:"inline_policy_canonical"`
	Assignments             types.List            `tfsdk:"assignments"`
	Expired                 types.Bool            `tfsdk:"expired"`
	ExpiryScheduleGroup     types.String          `tfsdk:"expiry_schedule_group"`
	ExpiryRoleARN           types.String          `tfsdk:"expiry_role_arn"`
	ExpirySchedules         types.List            `tfsdk:"expiry_schedules"`
}

var (
	policyRefAttrTypes = map[string]attr.Type{"name": types.StringType, "path": types.StringType}
	policyRefType      = types.ObjectType{AttrTypes: policyRefAttrTypes}
	boundaryAttrTypes  = map[string]attr.Type{
		"managed_policy_arn":                types.StringType,
		"customer_managed_policy_reference": policyRefType,
	}
	assignmentAttrTypes = map[string]attr.Type{"account_id": types.StringType, "principal_type": types.StringType, "principal_id": types.StringType}
	assignmentType      = types.ObjectType{AttrTypes: assignmentAttrTypes}
)

type policyRefModel struct {
	Name types.String `tfsdk:"name"`
	Path types.String `tfsdk:"path"`
}

type boundaryModel struct {
	ManagedPolicyARN types.String `tfsdk:"managed_policy_arn"`
	CustomerManaged  types.Object `tfsdk:"customer_managed_policy_reference"`
}

type assignmentModel struct {
	AccountID     types.String `tfsdk:"account_id"`
	PrincipalType types.String `tfsdk:"principal_type"`
	PrincipalID   types.String `tfsdk:"principal_id"`
}

var paObjectAsOptions = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}

// paPlaceholderGroup stands in for a group id that is unknown at plan time
// (an access group created in the same plan), so everything else compiles.
const paPlaceholderGroup = "00000000-0000-4000-8000-000000000000"

// accessOf maps the configuration onto the domain model. unknown holds the
// top-level attributes whose values are not known yet; their findings are
// dropped and what depends on them is planned as unknown.
func accessOf(ctx context.Context, m privilegedAccessModel, diags *diag.Diagnostics) (model.PrivilegedAccess, map[string]bool) {
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

// paKnownProblems drops findings about attributes whose values are unknown.
func paKnownProblems(ps model.Problems, unknown map[string]bool) model.Problems {
	var out model.Problems
	for _, p := range ps {
		if len(p.Path) > 0 && unknown[p.Path[0].Name] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// paAppendProblems reports findings at their attributes, with the attribute
// path also leading the detail: Terraform can point at a top-level attribute
// in the configuration but not at an element inside a nested value (e.g.
// customer_managed_policies[0].path), so the text must say where.
func paAppendProblems(diags *diag.Diagnostics, ps model.Problems) {
	out := make(model.Problems, 0, len(ps))
	for _, p := range ps {
		detail := p.Detail
		if detail == "" {
			detail = p.Summary
		}
		p.Detail = p.Path.String() + ": " + detail
		out = append(out, p)
	}
	appendProblems(diags, path.Empty(), out)
}

func paErrorsOnly(ps model.Problems) model.Problems {
	var out model.Problems
	for _, p := range ps {
		if p.Severity == model.Error {
			out = append(out, p)
		}
	}
	return out
}

// assignmentsOf reads the planned assignments.
func assignmentsOf(ctx context.Context, l types.List, diags *diag.Diagnostics) []identitycenter.Assignment {
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

func assignmentList(as []identitycenter.Assignment) types.List {
	elems := make([]attr.Value, 0, len(as))
	for _, a := range as {
		elems = append(elems, types.ObjectValueMust(assignmentAttrTypes, map[string]attr.Value{
			"account_id": types.StringValue(a.AccountID), "principal_type": types.StringValue(a.PrincipalType), "principal_id": types.StringValue(a.PrincipalID),
		}))
	}
	return types.ListValueMust(assignmentType, elems)
}

// paApplyError reports an apply error at the attribute it concerns.
func paApplyError(diags *diag.Diagnostics, summary string, err error) {
	var fe *awsapi.FieldError
	if errors.As(err, &fe) {
		diags.AddAttributeError(path.Root(fe.Field), summary, fe.Err.Error())
		return
	}
	diags.AddError(summary, err.Error())
}

// paCheckAgainstPlan refuses to apply anything other than what the plan
// showed (the compiler is deterministic, so a difference is a bug, or the
// clock moved a grant past its expiry between plan and apply).
func paCheckAgainstPlan(plan privilegedAccessModel, desired identitycenter.PermissionSet, diags *diag.Diagnostics) {
	const summary = "The compiled permission set differs from the plan"
	if v := plan.PermissionSetName; !v.IsUnknown() && !v.IsNull() && v.ValueString() != desired.Name {
		diags.AddAttributeError(path.Root("permission_set_name"), summary, fmt.Sprintf("planned %q, compiled %q at apply. Plan again.", v.ValueString(), desired.Name))
	}
	if v := plan.InlinePolicyCanonical; !v.IsUnknown() && v.ValueString() != desired.InlinePolicy {
		diags.AddAttributeError(path.Root("inline_policy_canonical"), summary, "The inline policy compiled at apply is not the one the plan showed. Plan again.")
	}
}

// paSearchAccounts are the accounts in which assignments are looked for: the
// configured ones and those of the assignments in state (the target layer
// adds every account the permission set is provisioned to).
func paSearchAccounts(ctx context.Context, diags *diag.Diagnostics, ms ...privilegedAccessModel) []string {
	set := map[string]bool{}
	for _, m := range ms {
		if !m.Accounts.IsNull() && !m.Accounts.IsUnknown() {
			for _, e := range m.Accounts.Elements() {
				if s, ok := e.(types.String); ok && !s.IsUnknown() && s.ValueString() != "" {
					set[s.ValueString()] = true
				}
			}
		}
		for _, a := range assignmentsOf(ctx, m.Assignments, diags) {
			set[a.AccountID] = true
		}
	}
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// boundaryOfModel reads the boundary recorded in a model, nil for none.
func boundaryOfModel(ctx context.Context, o types.Object, diags *diag.Diagnostics) *identitycenter.Boundary {
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

func boundaryObject(b *identitycenter.Boundary) types.Object {
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

func paBoundaryEqual(a, b *identitycenter.Boundary) bool {
	d := identitycenter.Diff(identitycenter.PermissionSet{PermissionsBoundary: a}, identitycenter.PermissionSet{PermissionsBoundary: b})
	return !d.PutPermissionsBoundary && !d.DeletePermissionsBoundary
}

func refsOfModel(ctx context.Context, l types.List, diags *diag.Diagnostics) []identitycenter.PolicyReference {
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

func refsList(rs []identitycenter.PolicyReference) types.List {
	elems := make([]attr.Value, 0, len(rs))
	for _, r := range rs {
		elems = append(elems, types.ObjectValueMust(policyRefAttrTypes, map[string]attr.Value{"name": types.StringValue(r.Name), "path": types.StringValue(valueOr(r.Path, "/"))}))
	}
	return types.ListValueMust(policyRefType, elems)
}

func paSameStrings(a, b []string) bool {
	d := identitycenter.Diff(identitycenter.PermissionSet{ManagedPolicies: a}, identitycenter.PermissionSet{ManagedPolicies: b})
	return len(d.AttachManagedPolicies) == 0 && len(d.DetachManagedPolicies) == 0
}

func paSameRefs(a, b []identitycenter.PolicyReference) bool {
	d := identitycenter.Diff(identitycenter.PermissionSet{CustomerManagedPolicies: a}, identitycenter.PermissionSet{CustomerManagedPolicies: b})
	return len(d.AttachCustomerManagedPolicies) == 0 && len(d.DetachCustomerManagedPolicies) == 0
}

// paApplyLive records the live permission set in m for Read (and after a
// partial failure): user-facing attributes keep the configuration's spelling
// when they mean the same as what AWS returned, and take the live value when
// they differ, so the plan shows the drift and apply corrects it.
func paApplyLive(ctx context.Context, m *privilegedAccessModel, ps *awsapi.PermissionSet, as []identitycenter.Assignment, diags *diag.Diagnostics) {
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
	if priorRefs := refsOfModel(ctx, m.CustomerManagedPolicies, diags); !paSameRefs(priorRefs, live.CustomerManagedPolicies) {
		m.CustomerManagedPolicies = refsList(live.CustomerManagedPolicies)
	}
	if !paBoundaryEqual(boundaryOfModel(ctx, m.PermissionsBoundary, diags), live.PermissionsBoundary) {
		m.PermissionsBoundary = boundaryObject(live.PermissionsBoundary)
	}
	m.Assignments = assignmentList(live.Assignments)
}
