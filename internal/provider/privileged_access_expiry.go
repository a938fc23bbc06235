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
	desired := identitycenter.CompileExpiry(plan.PermissionSetName.ValueString(), a.expiresAt, a.assignments)
	if len(desired.Schedules) == 0 {
		setExpiryNone(plan)
		return
	}
	plan.ExpiryScheduleGroup = types.StringValue(desired.Name)
	if r.clients == nil {
		return
	}
	env, err := r.clients.AccountEnv(ctx)
	if err != nil {
		tflog.Warn(ctx, "account unknown at plan; expiry role and schedule ARNs are planned as unknown", map[string]any{"error": err.Error()})
		return
	}
	setExpiryDesired(plan, env, desired)
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

func setExpiryDesired(m *privilegedAccessModel, env awsapi.AccountEnv, desired identitycenter.Expiry) {
	if len(desired.Schedules) == 0 {
		setExpiryNone(m)
		return
	}
	objs := awsapi.ExpiryObjectsOf(env, desired.Name)
	m.ExpiryScheduleGroup = types.StringValue(desired.Name)
	m.ExpiryRoleARN = types.StringValue(objs.RoleARN)
	live := make([]awsapi.LiveSchedule, 0, len(desired.Schedules))
	for _, s := range desired.Schedules {
		live = append(live, awsapi.LiveSchedule{
			Name: s.Name, ARN: identitycenter.ScheduleARN(env.Partition, env.Region, env.AccountID, desired.Name, s.Name),
			Expression: s.Expression, Assignment: s.Assignment,
		})
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

// recordedExpiryAccounts are the accounts of the schedules in m.
func recordedExpiryAccounts(ctx context.Context, m privilegedAccessModel, diags *diag.Diagnostics) []string {
	if m.ExpirySchedules.IsNull() || m.ExpirySchedules.IsUnknown() {
		return nil
	}
	var ss []expiryScheduleModel
	diags.Append(m.ExpirySchedules.ElementsAs(ctx, &ss, false)...)
	var out []string
	for _, s := range ss {
		out = append(out, s.AccountID.ValueString())
	}
	return out
}

func expiryGrantOf(m privilegedAccessModel) awsapi.ExpiryGrant {
	return awsapi.ExpiryGrant{
		InstanceARN: m.InstanceARN.ValueString(), PermissionSetARN: m.PermissionSetARN.ValueString(),
		AccessName: m.Name.ValueString(), Ownership: m.OwnershipID.ValueString(),
	}
}

// applyExpiry makes the expiry objects what m plans and records them in m;
// on failure it records what exists instead, so the next plan converges.
// had says whether the prior state recorded an expiry: without one, and
// with none planned, there is nothing to look for and no call is made.
func (r *privilegedAccessResource) applyExpiry(ctx context.Context, c *awsapi.Clients, m *privilegedAccessModel, had bool, diags *diag.Diagnostics) {
	e := expiryOfPlan(ctx, *m, diags)
	desired := identitycenter.CompileExpiry(m.PermissionSetName.ValueString(), e.expiresAt, e.assignments)
	if len(desired.Schedules) == 0 && !had {
		setExpiryNone(m)
		return
	}
	env, err := r.clients.AccountEnv(ctx)
	if err == nil {
		err = awsapi.ApplyExpiry(ctx, c, env, expiryGrantOf(*m), desired)
	}
	if err != nil {
		diags.AddAttributeError(path.Root("expires_at"), "Scheduling the expiry failed", err.Error())
		r.readExpiry(ctx, c, m, diags)
		return
	}
	setExpiryDesired(m, env, desired)
}

// readExpiry records the live expiry objects in m (after a failure, or on
// refresh): a schedule, role or group that is missing or not as the
// provider writes it reads as absent, so the plan shows it written again.
func (r *privilegedAccessResource) readExpiry(ctx context.Context, c *awsapi.Clients, m *privilegedAccessModel, diags *diag.Diagnostics) {
	name := identitycenter.ExpiryName(m.PermissionSetName.ValueString())
	env, err := r.clients.AccountEnv(ctx)
	var live awsapi.LiveExpiry
	if err == nil {
		live, err = awsapi.ReadExpiry(ctx, c, env, expiryGrantOf(*m), name, recordedExpiryAccounts(ctx, *m, diags))
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
		m.ExpiryScheduleGroup = types.StringValue(name)
	}
	m.ExpiryRoleARN = nullIfEmpty(live.RoleARN)
	m.ExpirySchedules = expiryScheduleList(live.Schedules)
}

// expiryRecorded reports whether m has an expiry to read or delete.
func expiryRecorded(m privilegedAccessModel) bool {
	return (!m.ExpiresAt.IsNull() && m.ExpiresAt.ValueString() != "") || !m.ExpiryScheduleGroup.IsNull() || !m.ExpiryRoleARN.IsNull()
}
