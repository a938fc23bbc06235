package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// The expiry of a just-in-time grant is enforced by AWS (EventBridge
// Scheduler calling DeleteAccountAssignment at expires_at), not only by the
// next plan. The plan shows the schedule group, the execution role and every
// schedule; apply writes them with the permission set; destroy, removing
// expires_at, and the expiry itself (the next plan) delete them.

var (
	expiryScheduleAttrTypes = map[string]attr.Type{
		"name": types.StringType, "arn": types.StringType, "account_id": types.StringType,
		"principal_type": types.StringType, "principal_id": types.StringType, "schedule_expression": types.StringType,
	}
	expiryScheduleType = types.ObjectType{AttrTypes: expiryScheduleAttrTypes}
)

// planExpiry sets the expiry attributes of a plan whose assignments and
// expiry are known; what depends on an unknown value is unknown.
func (r *privilegedAccessResource) planExpiry(ctx context.Context, plan *privilegedAccessModel, a accessExpiry) {
	plan.ExpirySchedules = types.ListUnknown(expiryScheduleType)
	plan.ExpiryRoleARN = types.StringUnknown()
	plan.ExpiryScheduleGroup = types.StringUnknown()
	if !a.known {
		return
	}
	g := expandExpiryGrant(*plan, a)
	if !g.Scheduled() {
		flattenNoExpiry(plan)
		return
	}
	plan.ExpiryScheduleGroup = types.StringValue(identitycenter.ExpiryName(g.PermissionSetName))
	if r.clients == nil {
		return
	}
	env, err := r.clients.AccountEnv(ctx)
	if err != nil {
		tflog.Warn(ctx, "account unknown at plan; expiry role and schedule ARNs are planned as unknown", map[string]any{"error": err.Error()})
		return
	}
	desired, err := identitycenter.CompileExpiry(env, g)
	if err != nil {
		tflog.Warn(ctx, "expiry not compiled at plan; its role and schedule ARNs are planned as unknown", map[string]any{"error": err.Error()})
		return
	}
	if a.principalPending {
		// The role derives from names alone; the schedules are named by
		// the principal's id, which the group's create assigns.
		plan.ExpiryRoleARN = types.StringValue(desired.Role.ARN)
		return
	}
	flattenDesiredExpiry(plan, desired)
}

// accessExpiry is what the expiry of a planned grant depends on.
type accessExpiry struct {
	known       bool
	expiresAt   time.Time // zero: no expiry, or expired (nothing to schedule)
	assignments []identitycenter.Assignment
	// principalPending: the assignments' principal is a group created in
	// this apply, whose id is not known yet; assignments hold a stand-in
	// for it. The schedule group and the role, named after the grant, are
	// planned; the schedules, named after the principal, are not.
	principalPending bool
}

// removedExpiry is the expiry of m with nothing scheduled: what deleting
// its objects needs to know.
func (r *privilegedAccessResource) removedExpiry(ctx context.Context, m privilegedAccessModel) (identitycenter.Expiry, error) {
	env, err := r.clients.AccountEnv(ctx)
	if err != nil {
		return identitycenter.Expiry{}, err
	}
	return identitycenter.CompileExpiry(env, identitycenter.ExpiryGrant{PermissionSetName: m.PermissionSetName.ValueString()})
}

// applyExpiry makes the expiry objects what m plans and records them in m;
// on failure it records what exists instead, so the next plan converges.
// had says whether the prior state recorded an expiry: without one, and
// with none planned, there is nothing to look for and no call is made.
func (r *privilegedAccessResource) applyExpiry(ctx context.Context, c *awsapi.Clients, m *privilegedAccessModel, had bool, diags *diag.Diagnostics) {
	r.applyExpiryAdopting(ctx, c, m, had, "", diags)
}

// applyExpiryAdopting is applyExpiry for a create that adopted the
// permission set of an interrupted one (whose ownership id is adopting):
// the expiry role and schedule group that create made are claimed.
func (r *privilegedAccessResource) applyExpiryAdopting(ctx context.Context, c *awsapi.Clients, m *privilegedAccessModel, had bool, adopting string, diags *diag.Diagnostics) {
	g := expandExpiryGrant(*m, expandExpiry(ctx, *m, diags))
	if !g.Scheduled() && !had {
		flattenNoExpiry(m)
		return
	}
	env, err := r.clients.AccountEnv(ctx)
	var desired identitycenter.Expiry
	if err == nil {
		desired, err = identitycenter.CompileExpiry(env, g)
	}
	if err == nil {
		owner := expandExpiryOwner(*m)
		owner.Adopting = adopting
		err = awsapi.ApplyExpiry(ctx, c, owner, desired)
	}
	if err != nil {
		diags.AddAttributeError(path.Root("expires_at"), "Scheduling the expiry failed", operationError(ctx, err))
		r.readExpiry(ctx, c, m, diags)
		return
	}
	flattenDesiredExpiry(m, desired)
}

// readExpiry records the live expiry objects in m (after a failure, or on
// refresh): a schedule, role or group that is missing or not as the
// provider writes it reads as absent, so the plan shows it written again.
func (r *privilegedAccessResource) readExpiry(ctx context.Context, c *awsapi.Clients, m *privilegedAccessModel, diags *diag.Diagnostics) {
	env, err := r.clients.AccountEnv(ctx)
	var expected identitycenter.Expiry
	var live awsapi.LiveExpiry
	if err == nil {
		expected, err = identitycenter.CompileRecordedExpiry(env, expandExpiryGrant(*m, accessExpiry{}), expandRecordedExpiryAssignments(ctx, *m, diags))
	}
	if err == nil {
		live, err = awsapi.ReadExpiry(ctx, c, expandExpiryOwner(*m), expected)
	}
	if err != nil {
		diags.AddWarning("Could not read the expiry schedules", err.Error())
		if m.ExpirySchedules.IsUnknown() {
			flattenNoExpiry(m)
		}
		if m.ExpiryRoleARN.IsUnknown() {
			m.ExpiryRoleARN = types.StringNull()
		}
		if m.ExpiryScheduleGroup.IsUnknown() {
			m.ExpiryScheduleGroup = types.StringNull()
		}
		return
	}
	m.ExpiryScheduleGroup = types.StringNull()
	if live.GroupExists {
		m.ExpiryScheduleGroup = types.StringValue(expected.Name)
	}
	m.ExpiryRoleARN = nullIfEmpty(live.RoleARN)
	m.ExpirySchedules = flattenExpirySchedules(live.Schedules)
}

// expiryRecorded reports whether m has an expiry to read or delete.
func expiryRecorded(m privilegedAccessModel) bool {
	return (!m.ExpiresAt.IsNull() && m.ExpiresAt.ValueString() != "") || !m.ExpiryScheduleGroup.IsNull() || !m.ExpiryRoleARN.IsNull()
}

// warnExpiryNotFired tells the reviewer of the first plan after expires_at
// when the refresh still found assignments that the expiry schedules, due
// at that same expires_at, should have removed: AWS did not end the access
// (the execution role was changed or deleted, Scheduler failed or has not
// run yet), and until this plan is applied the access stays.
func warnExpiryNotFired(state, plan privilegedAccessModel, diags *diag.Diagnostics) {
	if state.Assignments.IsNull() || state.Assignments.IsUnknown() || len(state.Assignments.Elements()) == 0 {
		return
	}
	if !state.ExpiresAt.Equal(plan.ExpiresAt) {
		return // expires_at moved into the past by this configuration: no schedule was due
	}
	diags.AddAttributeWarning(path.Root("assignments"), "The expiry schedules did not remove the assignments",
		fmt.Sprintf("expires_at %s has passed, but the refresh still found %d account assignment(s) of this grant: the expiry schedules did not remove them "+
			"(for example the execution role %s was changed or deleted out of band, or EventBridge Scheduler has not run them yet; its failures are in the "+
			"AWS/Scheduler CloudWatch metrics). The access is still in force; this plan removes the assignments.",
			plan.ExpiresAt.ValueString(), len(state.Assignments.Elements()), expiryRoleOf(state)))
}

func expiryRoleOf(m privilegedAccessModel) string {
	if !m.ExpiryRoleARN.IsNull() && !m.ExpiryRoleARN.IsUnknown() && m.ExpiryRoleARN.ValueString() != "" {
		return m.ExpiryRoleARN.ValueString()
	}
	return identitycenter.ExpiryName(m.PermissionSetName.ValueString())
}
