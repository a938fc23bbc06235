package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// Plan and apply checks of zerotrust_privileged_access: findings reported
// where Terraform can point, a compiled result held to the plan, and the
// comparisons the checks use.

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

// paApplyError reports an apply error at the attribute it concerns.
func paApplyError(ctx context.Context, diags *diag.Diagnostics, summary string, err error) {
	var fe *awsapi.FieldError
	if errors.As(err, &fe) {
		diags.AddAttributeError(path.Root(fe.Field), summary, fe.Err.Error())
		return
	}
	diags.AddError(summary, operationError(ctx, err))
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
		for _, a := range expandAssignments(ctx, m.Assignments, diags) {
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

func paBoundaryEqual(a, b *identitycenter.Boundary) bool {
	d := identitycenter.Diff(identitycenter.PermissionSet{PermissionsBoundary: a}, identitycenter.PermissionSet{PermissionsBoundary: b})
	return !d.PutPermissionsBoundary && !d.DeletePermissionsBoundary
}

func paSameStrings(a, b []string) bool {
	d := identitycenter.Diff(identitycenter.PermissionSet{ManagedPolicies: a}, identitycenter.PermissionSet{ManagedPolicies: b})
	return len(d.AttachManagedPolicies) == 0 && len(d.DetachManagedPolicies) == 0
}

func paSameRefs(a, b []identitycenter.PolicyReference) bool {
	d := identitycenter.Diff(identitycenter.PermissionSet{CustomerManagedPolicies: a}, identitycenter.PermissionSet{CustomerManagedPolicies: b})
	return len(d.AttachCustomerManagedPolicies) == 0 && len(d.DetachCustomerManagedPolicies) == 0
}
