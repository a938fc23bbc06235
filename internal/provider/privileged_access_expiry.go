package provider

import (
	"context"
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
	g := expiryGrantOf(*plan, a)
	if !g.Scheduled() {
		setExpiryNone(plan)
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
	setExpiryDesired(plan, desired)
}

// accessExpiry is what the expiry of a planned grant depends on.
type accessExpiry struct {
	known       bool
	expiresAt   time.Time // zero: no expiry, or expired (nothing to schedule)
	assignments []identitycenter.Assignment
}

// expiryOfPlan reads the expiry inputs from a plan (or a state): the
// permission-set name, expires_at, expired and the assignments.
func expiryOfPlan(ctx context.Context, m privilegedAccessModel, diags *diag.Diagnostics) accessExpiry {
	if m.PermissionSetName.IsUnknown() || m.ExpiresAt.IsUnknown() || m.Expired.IsUnknown() || m.Assignments.IsUnknown() {
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
	e.assignments = assignmentsOf(ctx, m.Assignments, diags)
	return e
}

func setExpiryNone(m *privilegedAccessModel) {
	m.ExpiryScheduleGroup = types.StringNull()
	m.ExpiryRoleARN = types.StringNull()
	m.ExpirySchedules = types.ListValueMust(expiryScheduleType, nil)
}

func setExpiryDesired(m *privilegedAccessModel, desired identitycenter.Expiry) {
	if len(desired.Schedules) == 0 {
		setExpiryNone(m)
		return
	}
	m.ExpiryScheduleGroup = types.StringValue(desired.Name)
	m.ExpiryRoleARN = types.StringValue(desired.Role.ARN)
	live := make([]awsapi.LiveSchedule, 0, len(desired.Schedules))
	for _, s := range desired.Schedules {
		live = append(live, awsapi.LiveSchedule{Name: s.Name, ARN: s.ARN, Expression: s.Expression, Assignment: s.Assignment})
	}
	m.ExpirySchedules = expiryScheduleList(live)
}

func expiryScheduleList(ss []awsapi.LiveSchedule) types.List {
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

type expiryScheduleModel struct {
	Name               types.String `tfsdk:"name"`
	ARN                types.String `tfsdk:"arn"`
	AccountID          types.String `tfsdk:"account_id"`
	PrincipalType      types.String `tfsdk:"principal_type"`
	PrincipalID        types.String `tfsdk:"principal_id"`
	ScheduleExpression types.String `tfsdk:"schedule_expression"`
}

// recordedExpiryAssignments are the assignments of the schedules in m.
func recordedExpiryAssignments(ctx context.Context, m privilegedAccessModel, diags *diag.Diagnostics) []identitycenter.Assignment {
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

// expiryGrantOf is what the expiry of m is compiled from (an unknown ARN
// reads as "", which the compiler leaves what depends on it empty for).
func expiryGrantOf(m privilegedAccessModel, e accessExpiry) identitycenter.ExpiryGrant {
	return identitycenter.ExpiryGrant{
		PermissionSetName: m.PermissionSetName.ValueString(),
		InstanceARN:       m.InstanceARN.ValueString(), PermissionSetARN: m.PermissionSetARN.ValueString(),
		ExpiresAt: e.expiresAt, Assignments: e.assignments,
	}
}

func expiryOwnerOf(m privilegedAccessModel) awsapi.ExpiryOwner {
	return awsapi.ExpiryOwner{AccessName: m.Name.ValueString(), Ownership: m.OwnershipID.ValueString()}
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
	g := expiryGrantOf(*m, expiryOfPlan(ctx, *m, diags))
	if !g.Scheduled() && !had {
		setExpiryNone(m)
		return
	}
	env, err := r.clients.AccountEnv(ctx)
	var desired identitycenter.Expiry
	if err == nil {
		desired, err = identitycenter.CompileExpiry(env, g)
	}
	if err == nil {
		err = awsapi.ApplyExpiry(ctx, c, expiryOwnerOf(*m), desired)
	}
	if err != nil {
		diags.AddAttributeError(path.Root("expires_at"), "Scheduling the expiry failed", err.Error())
		r.readExpiry(ctx, c, m, diags)
		return
	}
	setExpiryDesired(m, desired)
}

// readExpiry records the live expiry objects in m (after a failure, or on
// refresh): a schedule, role or group that is missing or not as the
// provider writes it reads as absent, so the plan shows it written again.
func (r *privilegedAccessResource) readExpiry(ctx context.Context, c *awsapi.Clients, m *privilegedAccessModel, diags *diag.Diagnostics) {
	env, err := r.clients.AccountEnv(ctx)
	var expected identitycenter.Expiry
	var live awsapi.LiveExpiry
	if err == nil {
		expected, err = identitycenter.CompileRecordedExpiry(env, expiryGrantOf(*m, accessExpiry{}), recordedExpiryAssignments(ctx, *m, diags))
	}
	if err == nil {
		live, err = awsapi.ReadExpiry(ctx, c, expiryOwnerOf(*m), expected)
	}
	if err != nil {
		diags.AddWarning("Could not read the expiry schedules", err.Error())
		if m.ExpirySchedules.IsUnknown() {
			setExpiryNone(m)
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
	m.ExpirySchedules = expiryScheduleList(live.Schedules)
}

// expiryRecorded reports whether m has an expiry to read or delete.
func expiryRecorded(m privilegedAccessModel) bool {
	return (!m.ExpiresAt.IsNull() && m.ExpiresAt.ValueString() != "") || !m.ExpiryScheduleGroup.IsNull() || !m.ExpiryRoleARN.IsNull()
}
