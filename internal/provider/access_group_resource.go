package provider

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

var (
	_ resource.ResourceWithConfigure   = (*accessGroupResource)(nil)
	_ resource.ResourceWithImportState = (*accessGroupResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*accessGroupResource)(nil)
)

func newAccessGroupResource() resource.Resource { return &accessGroupResource{} }

// accessGroupResource is "who": an IAM Identity Center (Identity Store) group
// and its user memberships, either created by the provider or adopted by id.
//
// Ownership. The Identity Store has no tags. The provider records that it
// created a group in the group's description (a trailing
// "[managed-by=terraform-provider-zerotrust]" marker, see
// awsapi.OwnershipMarker) rather than only in state, because the marker is
// visible to anyone looking at the group in the console — as the managed-by
// tag is on every other object the provider creates — and because it lets an
// import tell a created group (destroy deletes it) from a foreign one (imported
// as adopted: destroy leaves it). The user's description is shown without the
// marker. Which memberships the provider itself added cannot be recorded in
// the Identity Store at all, so that lives in state (added_membership_ids):
// in additive mode and for adopted groups only those are ever removed.
type accessGroupResource struct{ resourceBase }

func (r *accessGroupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_group"
}

func (r *accessGroupResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = withObjectTypes(accessGroupSchema())
}

// ModifyPlan fills what can be known before apply: the membership default,
// the identity store, the adopted group's id and name (refusing a group that
// does not exist), and the user ids of the members (refusing unknown user
// names), so mistakes surface in the plan.
func (r *accessGroupResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan, config accessGroupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	creating := req.State.Raw.IsNull()
	var state accessGroupModel
	if !creating {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	adopting := !config.GroupID.IsNull()
	if config.Membership.IsNull() {
		if (creating && adopting) || (!creating && state.Adopted.ValueBool()) {
			plan.Membership = types.StringValue(membershipAdditive)
		} else {
			plan.Membership = types.StringValue(membershipAuthoritative)
		}
	}
	switch {
	case creating:
		plan.Adopted = types.BoolValue(adopting)
	case adopting && !config.GroupID.Equal(state.GroupID):
		plan.Adopted = types.BoolValue(true) // group_id changed: the resource is replaced by an adoption
	}

	willBeAdopted := (creating && adopting) || (!creating && state.Adopted.ValueBool()) || (adopting && !config.GroupID.Equal(state.GroupID))
	if willBeAdopted && !config.Description.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("description"), "Description of an adopted group",
			"An adopted group's description is not managed by the provider: remove description, or create the group with display_name instead of adopting it.")
		return
	}
	if !creating && state.Adopted.ValueBool() && !config.DisplayName.IsNull() && !config.DisplayName.IsUnknown() && !config.DisplayName.Equal(state.DisplayName) {
		resp.Diagnostics.AddAttributeError(path.Root("display_name"), "Adopted group is not renamed",
			fmt.Sprintf("The adopted group %s is named %q; an adopted group is never renamed. Remove display_name or write the group's own name.", state.GroupID.ValueString(), state.DisplayName.ValueString()))
		return
	}

	var c *awsapi.Clients
	if plan.IdentityStoreID.IsUnknown() && r.clients != nil {
		if idc, err := r.clients.IdentityCenter(ctx); err == nil {
			plan.IdentityStoreID = types.StringValue(idc.IdentityStoreID)
		} else {
			tflog.Debug(ctx, "identity store not resolvable at plan time", map[string]any{"error": err.Error()})
		}
	}
	store := plan.IdentityStoreID
	if r.clients != nil && !store.IsUnknown() {
		c, _ = r.clients.AWS(ctx)
	}

	if creating && adopting && !config.GroupID.IsUnknown() {
		plan.ID = config.GroupID
		if c != nil {
			g, err := awsapi.FindGroup(ctx, c.IdentityStore, store.ValueString(), config.GroupID.ValueString())
			switch {
			case awsapi.IsNotFound(err):
				resp.Diagnostics.AddAttributeError(path.Root("group_id"), "Group not found",
					fmt.Sprintf("group_id: no group %s exists in identity store %s.", config.GroupID.ValueString(), store.ValueString()))
				return
			case err != nil:
				resp.Diagnostics.AddAttributeError(path.Root("group_id"), "Cannot read the group", err.Error())
				return
			case !config.DisplayName.IsNull() && !config.DisplayName.IsUnknown() && config.DisplayName.ValueString() != g.DisplayName:
				resp.Diagnostics.AddAttributeError(path.Root("display_name"), "Adopted group is not renamed", adoptedNameMismatch(g.ID, g.DisplayName, config.DisplayName.ValueString()))
				return
			default:
				plan.DisplayName = types.StringValue(g.DisplayName)
			}
		}
	}

	plan.MemberUserIDs = types.MapUnknown(types.StringType)
	if _, known := knownStrings(plan.Members); known {
		prior := stringMap(ctx, state.MemberUserIDs, &resp.Diagnostics)
		ids := map[string]string{}
		complete := true
		for _, name := range sortedStrings(plan.Members) {
			if id, ok := prior[name]; ok {
				ids[name] = id
				continue
			}
			if c == nil || name == "" {
				complete = false
				continue
			}
			id, err := awsapi.FindUserID(ctx, c.IdentityStore, store.ValueString(), name)
			if err != nil {
				addUserLookupError(&resp.Diagnostics, name, store.ValueString(), err)
				complete = false
				continue
			}
			ids[name] = id
		}
		if complete {
			plan.MemberUserIDs = stringMapValue(ids)
		}
	}
	if creating || !plan.Members.Equal(state.Members) || !plan.Membership.Equal(state.Membership) {
		plan.AddedMemberships = types.MapUnknown(types.StringType)
	} else {
		plan.AddedMemberships = state.AddedMemberships
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *accessGroupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan accessGroupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, store, ok := r.identityStore(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel := boundOperation(ctx, plan.Timeouts, opCreate, accessGroupCreateTimeout, &resp.Diagnostics)
	defer cancel()
	plan.IdentityStoreID = types.StringValue(store)
	if gid := plan.GroupID.ValueString(); !plan.GroupID.IsUnknown() && gid != "" {
		g, err := awsapi.FindGroup(ctx, c.IdentityStore, store, gid)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("group_id"), "Cannot adopt group", operationError(ctx, err))
			return
		}
		if !plan.DisplayName.IsUnknown() && !plan.DisplayName.IsNull() && plan.DisplayName.ValueString() != g.DisplayName {
			resp.Diagnostics.AddAttributeError(path.Root("display_name"), "Adopted group is not renamed", adoptedNameMismatch(g.ID, g.DisplayName, plan.DisplayName.ValueString()))
			return
		}
		plan.ID = types.StringValue(g.ID)
		plan.DisplayName = types.StringValue(g.DisplayName)
		plan.Adopted = types.BoolValue(true)
	} else {
		own := awsapi.GroupOwnership{ID: uuid.NewString(), Pending: true}
		g, err := awsapi.CreateGroup(ctx, c.IdentityStore, store, plan.DisplayName.ValueString(), plan.Description.ValueString(), own)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("display_name"), "Creating the group failed", operationError(ctx, err))
			return
		}
		plan.ID = types.StringValue(g.ID)
		plan.GroupID = types.StringValue(g.ID)
		plan.Adopted = types.BoolValue(false)
		plan.OwnershipID = types.StringValue(own.ID)
	}
	tflog.Info(ctx, "access group ready", map[string]any{"group_id": plan.ID.ValueString(), "adopted": plan.Adopted.ValueBool()})
	r.reconcileMembers(ctx, c, &plan, nil, &resp.Diagnostics)
	if !plan.Adopted.ValueBool() {
		// Recorded in state now: the pending mark goes.
		done := awsapi.OwnedGroupDescription(plan.Description.ValueString(), awsapi.GroupOwnership{ID: plan.OwnershipID.ValueString()})
		if err := awsapi.UpdateGroup(ctx, c.IdentityStore, store, plan.ID.ValueString(), "", done); err != nil {
			resp.Diagnostics.AddError("Completing the group's create failed", operationError(ctx, err))
		}
	} else {
		plan.OwnershipID = types.StringNull()
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *accessGroupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state accessGroupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	store := state.IdentityStoreID.ValueString()
	g, err := awsapi.FindGroup(ctx, c.IdentityStore, store, state.ID.ValueString())
	if awsapi.IsNotFound(err) {
		tflog.Warn(ctx, "access group disappeared; removing from state", map[string]any{"group_id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading the access group failed", err.Error())
		return
	}
	state.DisplayName = types.StringValue(g.DisplayName)
	if !state.Adopted.ValueBool() {
		desc, owned, own := awsapi.ParseGroupOwnership(g.Description)
		if rec := state.OwnershipID.ValueString(); owned && rec != "" && own.ID != rec {
			resp.Diagnostics.AddWarning("Access group owned by another resource",
				fmt.Sprintf("Group %s now carries ownership id %q, not %q recorded in this state; it will be neither changed nor deleted from here.", g.ID, own.ID, rec))
		}
		if !owned {
			resp.Diagnostics.AddWarning("Ownership marker missing",
				fmt.Sprintf("The description of group %s no longer ends with %s; it was edited outside Terraform. The marker is written again the next time the description changes.",
					g.ID, awsapi.OwnershipMarker))
		}
		if desc == "" && state.Description.IsNull() {
			state.Description = types.StringNull()
		} else {
			state.Description = types.StringValue(desc)
		}
	}
	if err := refreshMembers(ctx, c, &state, &resp.Diagnostics); err != nil {
		if awsapi.IsNotFound(err) {
			resp.State.RemoveResource(ctx)
			return
		}
		resp.Diagnostics.AddError("Reading the access group's members failed", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *accessGroupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state accessGroupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := boundOperation(ctx, plan.Timeouts, opUpdate, accessGroupUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	plan.ID, plan.GroupID, plan.IdentityStoreID, plan.Adopted, plan.OwnershipID = state.ID, state.GroupID, state.IdentityStoreID, state.Adopted, state.OwnershipID
	if !state.Adopted.ValueBool() {
		if err := r.checkOwnership(ctx, c, state); err != nil {
			resp.Diagnostics.AddError("Access group owned by another resource", operationError(ctx, err))
			return
		}
		var name, desc string
		at := path.Root("description")
		if !plan.DisplayName.Equal(state.DisplayName) {
			name, at = plan.DisplayName.ValueString(), path.Root("display_name")
		}
		if !plan.Description.Equal(state.Description) {
			desc = awsapi.OwnedGroupDescription(plan.Description.ValueString(), awsapi.GroupOwnership{ID: state.OwnershipID.ValueString()})
		}
		if err := awsapi.UpdateGroup(ctx, c.IdentityStore, state.IdentityStoreID.ValueString(), state.ID.ValueString(), name, desc); err != nil {
			resp.Diagnostics.AddAttributeError(at, "Updating the group failed", operationError(ctx, err))
			return
		}
	} else {
		plan.DisplayName = state.DisplayName
	}
	r.reconcileMembers(ctx, c, &plan, &state, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *accessGroupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state accessGroupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	store := state.IdentityStoreID.ValueString()
	if !state.Adopted.ValueBool() {
		if err := r.checkOwnership(ctx, c, state); awsapi.IsNotFound(err) {
			return
		} else if err != nil {
			resp.Diagnostics.AddError("Cannot delete the access group", err.Error())
			return
		}
		if err := awsapi.DeleteGroup(ctx, c.IdentityStore, store, state.ID.ValueString()); err != nil {
			resp.Diagnostics.AddError("Deleting the access group failed", err.Error())
		}
		return
	}
	// An adopted group is not ours: only the memberships the provider added go.
	added := stringMap(ctx, state.AddedMemberships, &resp.Diagnostics)
	for _, name := range sortedKeys(added) {
		if err := awsapi.DeleteMembership(ctx, c.IdentityStore, store, added[name]); err != nil {
			resp.Diagnostics.AddError("Removing a membership the provider added failed", fmt.Sprintf("%s: %v", name, err))
		}
	}
}

// ImportState accepts an Identity Store group id. A group carrying the
// provider's ownership marker is imported as created (authoritative, destroy
// deletes it); any other group is imported as adopted and additive, so
// destroy never deletes it and no member is removed unexpectedly.
func (r *accessGroupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !identityStoreGroupIDRe.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("expected an Identity Store group id such as 9067b2a3-1234-4c5d-8e9f-0123456789ab, got %q", req.ID))
		return
	}
	c, store, ok := r.identityStore(ctx, &resp.Diagnostics)
	if !ok {
		return
	}
	g, err := awsapi.FindGroup(ctx, c.IdentityStore, store, req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import access group", err.Error())
		return
	}
	desc, owned, own := awsapi.ParseGroupOwnership(g.Description)
	m := accessGroupModel{
		OwnershipID:      nullIfEmpty(own.ID),
		Timeouts:         timeoutsNull(opCreate, opUpdate),
		ID:               types.StringValue(g.ID),
		GroupID:          types.StringValue(g.ID),
		IdentityStoreID:  types.StringValue(store),
		DisplayName:      types.StringValue(g.DisplayName),
		Description:      types.StringNull(),
		Adopted:          types.BoolValue(!owned),
		Members:          types.SetValueMust(types.StringType, []attr.Value{}),
		MemberUserIDs:    types.MapValueMust(types.StringType, map[string]attr.Value{}),
		AddedMemberships: types.MapValueMust(types.StringType, map[string]attr.Value{}),
	}
	if owned {
		m.Membership = types.StringValue(membershipAuthoritative)
		if desc != "" {
			m.Description = types.StringValue(desc)
		}
	} else {
		m.Membership = types.StringValue(membershipAdditive)
	}
	if err := refreshMembers(ctx, c, &m, &resp.Diagnostics); err != nil {
		resp.Diagnostics.AddError("Cannot import access group", err.Error())
		return
	}
	if owned {
		// The provider created the group, so every membership in it is its own.
		live, err := awsapi.ListMemberships(ctx, c.IdentityStore, store, g.ID)
		if err != nil {
			resp.Diagnostics.AddError("Cannot import access group", err.Error())
			return
		}
		byUser := invertStrMap(stringMap(ctx, m.MemberUserIDs, &resp.Diagnostics))
		added := map[string]string{}
		for _, ms := range live {
			if name, ok := byUser[ms.UserID]; ok {
				added[name] = ms.ID
			}
		}
		m.AddedMemberships = stringMapValue(added)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	if !owned {
		resp.Diagnostics.AddWarning("Imported as adopted",
			"The group does not carry the provider's ownership marker, so it was imported as adopted and additive: destroy will leave it in place and only memberships the provider adds are ever removed. Set group_id in the configuration.")
	}
}

// identityStore returns the AWS clients and the identity store id.
func (r *accessGroupResource) identityStore(ctx context.Context, diags *diag.Diagnostics) (*awsapi.Clients, string, bool) {
	c, err := r.clients.AWS(ctx)
	if err != nil {
		diags.AddError("AWS is not configured", err.Error())
		return nil, "", false
	}
	idc, err := r.clients.IdentityCenter(ctx)
	if err != nil {
		diags.AddError("IAM Identity Center is not available", err.Error())
		return nil, "", false
	}
	return c, idc.IdentityStoreID, true
}

func adoptedNameMismatch(groupID, live, configured string) string {
	return fmt.Sprintf("group_id %s is named %q, not %q; an adopted group is never renamed. Remove display_name or write the group's own name.", groupID, live, configured)
}

// checkOwnership refuses a created group whose marker no longer carries the
// ownership id recorded in state.
func (r *accessGroupResource) checkOwnership(ctx context.Context, c *awsapi.Clients, state accessGroupModel) error {
	g, err := awsapi.FindGroup(ctx, c.IdentityStore, state.IdentityStoreID.ValueString(), state.ID.ValueString())
	if err != nil {
		return err
	}
	_, _, own := awsapi.ParseGroupOwnership(g.Description)
	return awsapi.CheckOwnershipID("identity store group", g.ID, own.ID, state.OwnershipID.ValueString())
}
