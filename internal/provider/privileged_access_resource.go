package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ztforge/terraform-provider-zerotrust/internal/provider/syntaxtypes"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

var (
	_ resource.ResourceWithConfigure      = (*privilegedAccessResource)(nil)
	_ resource.ResourceWithImportState    = (*privilegedAccessResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*privilegedAccessResource)(nil)
	_ resource.ResourceWithValidateConfig = (*privilegedAccessResource)(nil)
)

func newPrivilegedAccessResource() resource.Resource { return &privilegedAccessResource{} }

// privilegedAccessResource is a least-privilege, optionally just-in-time
// grant: an IAM Identity Center permission set (exclusively owned and tagged
// managed-by) and its account assignments for one access group. The pure
// compiler (identitycenter.Compile) decides everything at plan time — name,
// canonical inline policy, assignments, expiry, over-privilege lint — and the
// reconciler applies identitycenter.Diff against what it reads.
type privilegedAccessResource struct{ resourceBase }

var (
	instanceARNRe      = regexp.MustCompile(`^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$`)
	permissionSetARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:sso:::(permissionSet|instance)/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}$`)
)

func (r *privilegedAccessResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_privileged_access"
}

func (r *privilegedAccessResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = withObjectTypes(privilegedAccessSchema())
}

// ValidateConfig compiles whatever is known and reports errors at their
// attributes (syntax, limits, the over-privilege lint): no API call needed.
// Warnings are reported once, by ModifyPlan.
func (r *privilegedAccessResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m privilegedAccessModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.PermissionsBoundary.IsNull() && !m.PermissionsBoundary.IsUnknown() {
		var b boundaryModel
		resp.Diagnostics.Append(m.PermissionsBoundary.As(ctx, &b, paObjectAsOptions)...)
		if b.ManagedPolicyARN.IsUnknown() || b.CustomerManaged.IsUnknown() {
			return
		}
	}
	a, unknown := expandPrivilegedAccess(ctx, m, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	_, problems := identitycenter.Compile(a, time.Now())
	paAppendProblems(&resp.Diagnostics, paErrorsOnly(paKnownProblems(problems, unknown)))
}

// ModifyPlan compiles the access so the plan shows the permission-set name,
// the canonical inline policy, the assignments and whether the access has
// expired; lint warnings are shown and errors block the plan.
func (r *privilegedAccessResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan privilegedAccessModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.InstanceARN.IsUnknown() && r.clients != nil {
		if idc, err := r.clients.IdentityCenter(ctx); err == nil {
			plan.InstanceARN = types.StringValue(idc.InstanceARN)
		}
	}
	a, unknown := expandPrivilegedAccess(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	now := time.Now()
	compiled, problems := identitycenter.Compile(a, now)
	paAppendProblems(&resp.Diagnostics, paKnownProblems(problems, unknown))
	if resp.Diagnostics.HasError() {
		return
	}
	compiledOK := !problems.HasErrors() // errors about unknown values leave the result empty
	plan.PermissionSetName = types.StringUnknown()
	if compiledOK && !unknown["name"] {
		plan.PermissionSetName = types.StringValue(compiled.Name)
	}
	plan.InlinePolicyCanonical = types.StringUnknown()
	if compiledOK && !unknown["inline_policy"] {
		if compiled.InlinePolicy == "" {
			plan.InlinePolicyCanonical = types.StringNull()
		} else {
			plan.InlinePolicyCanonical = types.StringValue(compiled.InlinePolicy)
		}
	}
	plan.Expired = types.BoolUnknown()
	if !unknown["expires_at"] {
		plan.Expired = types.BoolValue(a.Expired(now))
		if req.State.Raw.IsNull() && plan.Expired.ValueBool() {
			// An existing grant that expires has its assignments planned
			// away; a new one already expired would never be in force.
			resp.Diagnostics.AddAttributeError(path.Root("expires_at"), "Grant expired before it is created",
				fmt.Sprintf("expires_at %s is already past, so this new grant would never be in force. Set a time in the future, or remove the grant.", plan.ExpiresAt.ValueString()))
			return
		}
	}
	plan.Assignments = types.ListUnknown(assignmentType)
	if compiledOK && !unknown["group"] && !unknown["accounts"] && !unknown["expires_at"] {
		plan.Assignments = flattenAssignments(compiled.Assignments)
	}
	expiry := expandExpiry(ctx, plan, &resp.Diagnostics)
	if compiledOK && unknown["group"] && !unknown["accounts"] && !unknown["expires_at"] && !unknown["name"] {
		// A group created in this apply: only its id is unknown.
		expiry = expandPendingPrincipalExpiry(plan, compiled.Assignments)
	}
	r.planExpiry(ctx, &plan, expiry)
	if !req.State.Raw.IsNull() {
		var state privilegedAccessModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if !state.Expired.ValueBool() && plan.Expired.ValueBool() {
			tflog.Info(ctx, "privileged access expired; planning its assignments away", map[string]any{"name": a.Name, "expires_at": plan.ExpiresAt.ValueString()})
			warnExpiryNotFired(state, plan, &resp.Diagnostics)
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *privilegedAccessResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan privilegedAccessModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := boundOperation(ctx, plan.Timeouts, opCreate, privilegedAccessCreateTimeout, &resp.Diagnostics)
	defer cancel()
	instance := plan.InstanceARN.ValueString()
	if plan.InstanceARN.IsUnknown() || instance == "" {
		idc, err := r.clients.IdentityCenter(ctx)
		if err != nil {
			resp.Diagnostics.AddError("IAM Identity Center is not available", operationError(ctx, err))
			return
		}
		instance = idc.InstanceARN
	}
	plan.InstanceARN = types.StringValue(instance)
	a, _ := expandPrivilegedAccess(ctx, plan, &resp.Diagnostics)
	desired, problems := identitycenter.Compile(a, time.Now())
	paAppendProblems(&resp.Diagnostics, paErrorsOnly(problems))
	paCheckAgainstPlan(plan, desired, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	desired.Assignments = expandAssignments(ctx, plan.Assignments, &resp.Diagnostics)

	own := uuid.NewString()
	arn, adoptedFrom, err := awsapi.CreatePermissionSet(ctx, c.SSOAdmin, instance, awsapi.CreatePermissionSetInput{
		Name: desired.Name, Description: desired.Description, SessionDuration: desired.SessionDuration,
		Tags: map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagPrivilegedAccess: a.Name, awsapi.TagOwnership: own, awsapi.TagCreatePending: own},
	})
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Creating the permission set failed", operationError(ctx, err))
		return
	}
	takenOver := adoptedFrom != ""
	plan.ID, plan.PermissionSetARN, plan.OwnershipID = types.StringValue(arn), types.StringValue(arn), types.StringValue(own)
	tflog.Info(ctx, "permission set ready", map[string]any{"arn": arn, "taken_over": takenOver})

	// A new permission set has only its name, description and session; one
	// taken over from an interrupted apply is read in full.
	live := identitycenter.PermissionSet{Name: desired.Name, Description: desired.Description, SessionDuration: desired.SessionDuration}
	if takenOver {
		ps, err := awsapi.FindPermissionSet(ctx, c.SSOAdmin, instance, arn)
		if err == nil {
			var as []identitycenter.Assignment
			as, err = awsapi.ListAssignments(ctx, c.SSOAdmin, instance, arn, paSearchAccounts(ctx, &resp.Diagnostics, plan))
			live = awsapi.LivePermissionSet(ps, as)
		}
		if err != nil {
			resp.Diagnostics.AddError("Reading the permission set failed", operationError(ctx, err))
			r.recordPartial(ctx, c, instance, arn, &plan, &resp.State, &resp.Diagnostics)
			return
		}
	}
	if takenOver {
		if removed := takeoverRemovals(identitycenter.Diff(desired, live), live); len(removed) > 0 {
			resp.Diagnostics.AddAttributeWarning(path.Root("name"), "Removed from the permission set of an interrupted create",
				fmt.Sprintf("Permission set %s was left pending by an interrupted create and is this grant's now. What the configuration does not declare goes in this apply:\n  %s",
					arn, strings.Join(removed, "\n  ")))
		}
	}
	if err := awsapi.ApplyPermissionSet(ctx, c.SSOAdmin, instance, arn, desired, live); err != nil {
		paApplyError(ctx, &resp.Diagnostics, "Applying the permission set failed", err)
		r.recordPartial(ctx, c, instance, arn, &plan, &resp.State, &resp.Diagnostics)
		return
	}
	// The expiry before the pending mark goes: a create killed in between
	// leaves the permission set pending, so the next create adopts it with
	// the expiry objects this one made and completes them — never a grant
	// with assignments and no expiry that no create may touch.
	r.applyExpiryAdopting(ctx, c, &plan, takenOver, adoptedFrom, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		if err := awsapi.CompletePermissionSetCreate(ctx, c.SSOAdmin, instance, arn); err != nil {
			resp.Diagnostics.AddError("Completing the permission set's create failed", operationError(ctx, err))
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// recordPartial stores what exists after a failed apply, so nothing is
// orphaned and the next plan shows (and converges on) the difference. m holds
// the planned values; every attribute AWS can report is replaced by the live
// value when they differ.
func (r *privilegedAccessResource) recordPartial(ctx context.Context, c *awsapi.Clients, instance, arn string, m *privilegedAccessModel, state *tfsdk.State, diags *diag.Diagnostics) {
	ps, err := awsapi.FindPermissionSet(ctx, c.SSOAdmin, instance, arn)
	var as []identitycenter.Assignment
	if err == nil {
		as, err = awsapi.ListAssignments(ctx, c.SSOAdmin, instance, arn, paSearchAccounts(ctx, diags, *m))
	}
	if err == nil {
		flattenLivePermissionSet(ctx, m, ps, as, diags)
	} else {
		diags.AddWarning("Could not read back the permission set after the failure", err.Error())
	}
	if m.PermissionSetName.IsUnknown() {
		m.PermissionSetName = types.StringNull()
	}
	if m.InlinePolicyCanonical.IsUnknown() {
		m.InlinePolicyCanonical = types.StringNull()
	}
	if m.Assignments.IsUnknown() {
		m.Assignments = types.ListValueMust(assignmentType, nil)
	}
	if m.Expired.IsUnknown() {
		m.Expired = types.BoolValue(false)
	}
	if expiryRecorded(*m) {
		r.readExpiry(ctx, c, m, diags)
	} else {
		flattenNoExpiry(m)
	}
	diags.Append(state.Set(ctx, m)...)
}

func (r *privilegedAccessResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state privilegedAccessModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	instance, arn := state.InstanceARN.ValueString(), state.ID.ValueString()
	ps, err := awsapi.FindPermissionSet(ctx, c.SSOAdmin, instance, arn)
	if awsapi.IsNotFound(err) {
		tflog.Warn(ctx, "permission set disappeared; removing from state", map[string]any{"arn": arn})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading the permission set failed", err.Error())
		return
	}
	as, err := awsapi.ListAssignments(ctx, c.SSOAdmin, instance, arn, paSearchAccounts(ctx, &resp.Diagnostics, state))
	if awsapi.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading the permission set's assignments failed", err.Error())
		return
	}
	if err := awsapi.CheckOwnership("permission set", arn, ps.Tags, state.OwnershipID.ValueString()); err != nil {
		resp.Diagnostics.AddWarning("Permission set owned by another resource", err.Error())
	}
	if ps.Tags[awsapi.TagManagedBy] != awsapi.ManagedByValue {
		resp.Diagnostics.AddWarning("Ownership tag missing",
			fmt.Sprintf("Permission set %s no longer carries the tag %s = %s; it was edited outside Terraform. It stays managed by this resource; the tag is written again on the next change.",
				arn, awsapi.TagManagedBy, awsapi.ManagedByValue))
	}
	flattenLivePermissionSet(ctx, &state, ps, as, &resp.Diagnostics)
	if expiryRecorded(state) {
		r.readExpiry(ctx, c, &state, &resp.Diagnostics)
	} else {
		flattenNoExpiry(&state)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *privilegedAccessResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state privilegedAccessModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := boundOperation(ctx, plan.Timeouts, opUpdate, privilegedAccessUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	instance, arn := state.InstanceARN.ValueString(), state.ID.ValueString()
	plan.ID, plan.PermissionSetARN, plan.InstanceARN, plan.OwnershipID = state.ID, state.PermissionSetARN, state.InstanceARN, state.OwnershipID
	a, _ := expandPrivilegedAccess(ctx, plan, &resp.Diagnostics)
	desired, problems := identitycenter.Compile(a, time.Now())
	paAppendProblems(&resp.Diagnostics, paErrorsOnly(problems))
	paCheckAgainstPlan(plan, desired, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	desired.Assignments = expandAssignments(ctx, plan.Assignments, &resp.Diagnostics)
	ps, err := awsapi.FindPermissionSet(ctx, c.SSOAdmin, instance, arn)
	var as []identitycenter.Assignment
	if err == nil {
		as, err = awsapi.ListAssignments(ctx, c.SSOAdmin, instance, arn, paSearchAccounts(ctx, &resp.Diagnostics, state, plan))
	}
	if err == nil {
		err = awsapi.CheckOwnership("permission set", arn, ps.Tags, state.OwnershipID.ValueString())
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading the permission set failed", operationError(ctx, err))
		return
	}
	live := awsapi.LivePermissionSet(ps, as)
	if err := awsapi.ApplyPermissionSet(ctx, c.SSOAdmin, instance, arn, desired, live); err != nil {
		paApplyError(ctx, &resp.Diagnostics, "Applying the permission set failed", err)
		r.recordPartial(ctx, c, instance, arn, &plan, &resp.State, &resp.Diagnostics)
		return
	}
	if ps.Tags[awsapi.TagManagedBy] != awsapi.ManagedByValue || ps.Tags[awsapi.TagPrivilegedAccess] != a.Name {
		if err := awsapi.TagPermissionSet(ctx, c.SSOAdmin, instance, arn, map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagPrivilegedAccess: a.Name}); err != nil {
			resp.Diagnostics.AddWarning("Restoring the ownership tags failed", operationError(ctx, err))
		}
	}
	r.applyExpiry(ctx, c, &plan, expiryRecorded(state), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *privilegedAccessResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state privilegedAccessModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := boundOperation(ctx, state.Timeouts, opDelete, privilegedAccessDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	// The expiry goes first (its group and role carry the grant's ownership
	// id and are checked on their own): no schedule may outlive the grant,
	// even one whose permission set was already deleted outside Terraform.
	// A grant that never had one makes no call for it.
	if expiryRecorded(state) {
		removed, err := r.removedExpiry(ctx, state)
		if err == nil {
			err = awsapi.DeleteExpiry(ctx, c, expandExpiryOwner(state), removed)
		}
		if err != nil {
			resp.Diagnostics.AddError("Deleting the expiry schedules of the privileged access failed", operationError(ctx, err))
			return
		}
	}
	instance, arn := state.InstanceARN.ValueString(), state.ID.ValueString()
	ps, err := awsapi.FindPermissionSet(ctx, c.SSOAdmin, instance, arn)
	if awsapi.IsNotFound(err) {
		return
	}
	if err == nil {
		err = awsapi.CheckOwnership("permission set", arn, ps.Tags, state.OwnershipID.ValueString())
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot delete the privileged access", operationError(ctx, err))
		return
	}
	as, err := awsapi.ListAssignments(ctx, c.SSOAdmin, instance, arn, paSearchAccounts(ctx, &resp.Diagnostics, state))
	if awsapi.IsNotFound(err) {
		return
	}
	if err == nil {
		_, err = awsapi.DeleteAssignments(ctx, c.SSOAdmin, instance, arn, as)
	}
	if err == nil {
		err = awsapi.DeletePermissionSet(ctx, c.SSOAdmin, instance, arn)
	}
	if err != nil {
		resp.Diagnostics.AddError("Deleting the privileged access failed", operationError(ctx, err))
	}
}

// ImportState takes `<instance arn>,<permission set arn>`. Everything is read
// back from AWS except expires_at and acknowledgement, which exist only in
// configuration. The group is the single GROUP principal assigned.
func (r *privilegedAccessResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	instance, arn, ok := strings.Cut(req.ID, ",")
	if !ok || !instanceARNRe.MatchString(instance) || !permissionSetARNRe.MatchString(arn) {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf(
			"expected <instance arn>,<permission set arn>, e.g. arn:aws:sso:::instance/ssoins-0123456789abcdef,arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef, got %q", req.ID))
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	ps, err := awsapi.FindPermissionSet(ctx, c.SSOAdmin, instance, arn)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import privileged access", err.Error())
		return
	}
	as, err := awsapi.ListAssignments(ctx, c.SSOAdmin, instance, arn, nil)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import privileged access", err.Error())
		return
	}
	name := ps.Name
	if ps.Tags[awsapi.TagPrivilegedAccess] != "" {
		name = ps.Tags[awsapi.TagPrivilegedAccess]
	}
	groups, accounts := map[string]bool{}, map[string]bool{}
	for _, a := range as {
		if a.PrincipalType == identitycenter.PrincipalTypeGroup {
			groups[a.PrincipalID] = true
		}
		accounts[a.AccountID] = true
	}
	m := privilegedAccessModel{
		ID: types.StringValue(arn), PermissionSetARN: types.StringValue(arn), InstanceARN: types.StringValue(instance), OwnershipID: nullIfEmpty(ps.Tags[awsapi.TagOwnership]),
		Name: types.StringValue(name), Group: types.StringNull(), Accounts: types.ListNull(types.StringType),
		Description: types.StringNull(), ManagedPolicies: types.ListNull(types.StringType), CustomerManagedPolicies: types.ListNull(policyRefType),
		InlinePolicy: policyDocumentNull(), PermissionsBoundary: types.ObjectNull(boundaryAttrTypes),
		SessionDuration: syntaxtypes.NewDuration(identitycenter.DefaultSessionDuration), ExpiresAt: syntaxtypes.NullTimestamp(), Acknowledgement: types.StringNull(),
		Expired: types.BoolValue(false), Timeouts: timeoutsNull(opCreate, opUpdate, opDelete),
	}
	flattenNoExpiry(&m)
	if len(groups) == 1 {
		for g := range groups {
			m.Group = types.StringValue(g)
		}
	} else {
		resp.Diagnostics.AddWarning("Group not determined",
			fmt.Sprintf("The permission set is assigned to %d groups; set group in the configuration (the plan then shows the assignments it changes).", len(groups)))
	}
	if len(accounts) > 0 {
		list := make([]string, 0, len(accounts))
		for a := range accounts {
			list = append(list, a)
		}
		sort.Strings(list)
		m.Accounts = stringList(list)
	}
	flattenLivePermissionSet(ctx, &m, ps, as, &resp.Diagnostics)
	if ps.InlinePolicy != "" {
		m.InlinePolicy = policyDocumentOf(m.InlinePolicyCanonical.ValueString())
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	if ps.Tags[awsapi.TagManagedBy] != awsapi.ManagedByValue {
		resp.Diagnostics.AddWarning("Not created by this provider",
			"The permission set does not carry the managed-by tag: it was created elsewhere. From now on this resource owns it exclusively (policies and assignments not in the configuration are removed) and destroy deletes it.")
	}
}

// takeoverRemovals says, for a person, what applying ch removes or replaces
// on a permission set taken over from an interrupted create: what it held
// that the configuration does not declare.
func takeoverRemovals(ch identitycenter.Changes, live identitycenter.PermissionSet) []string {
	var out []string
	for _, a := range ch.DeleteAssignments {
		out = append(out, "account assignment "+a.String())
	}
	for _, p := range ch.DetachManagedPolicies {
		out = append(out, "managed policy "+p)
	}
	for _, p := range ch.DetachCustomerManagedPolicies {
		out = append(out, "customer managed policy "+p.String())
	}
	switch {
	case ch.DeleteInlinePolicy:
		out = append(out, "inline policy")
	case ch.PutInlinePolicy && live.InlinePolicy != "":
		out = append(out, "inline policy (replaced by the configuration's)")
	}
	switch {
	case ch.DeletePermissionsBoundary:
		out = append(out, "permissions boundary")
	case ch.PutPermissionsBoundary && live.PermissionsBoundary != nil:
		out = append(out, "permissions boundary (replaced by the configuration's)")
	}
	return out
}
