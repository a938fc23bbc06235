package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// The access group's memberships: reconciled on create and update, read
// back on read and import. Identity Store memberships carry no tags, so which
// ones the provider added is kept in state (added_membership_ids).

func addUserLookupError(diags *diag.Diagnostics, name, store string, err error) {
	if awsapi.IsNotFound(err) {
		diags.AddAttributeError(path.Root("members"), "Unknown user",
			fmt.Sprintf("members: no user named %q exists in identity store %s. Members are given by user name (the Identity Store UserName).", name, store))
		return
	}
	diags.AddAttributeError(path.Root("members"), "Cannot resolve user", fmt.Sprintf("members: looking up %q: %v", name, err))
}

// reconcileMembers makes the group's memberships match the plan: listed users
// are added; in authoritative mode every other member is removed; in additive
// mode only memberships the provider added for users dropped from the list
// are removed. It fills member_user_ids and added_membership_ids. On a
// failure it records in m what actually exists, so the next plan converges.
func (r *accessGroupResource) reconcileMembers(ctx context.Context, c *awsapi.Clients, m *accessGroupModel, prior *accessGroupModel, diags *diag.Diagnostics) {
	in := awsapi.MembersInput{
		StoreID: m.IdentityStoreID.ValueString(), GroupID: m.ID.ValueString(),
		Names:         sortedStrings(m.Members),
		Authoritative: m.Membership.ValueString() == membershipAuthoritative,
	}
	if !m.MemberUserIDs.IsUnknown() {
		in.UserIDs = stringMap(ctx, m.MemberUserIDs, diags)
	}
	if prior != nil {
		in.Added = stringMap(ctx, prior.AddedMemberships, diags)
	}
	res, err := awsapi.ReconcileMembers(ctx, c.IdentityStore, in)
	m.MemberUserIDs = stringMapValue(res.UserIDs)
	m.AddedMemberships = stringMapValue(res.Added)
	if err == nil {
		return
	}
	var lookup *awsapi.UserLookupError
	if errors.As(err, &lookup) {
		addUserLookupError(diags, lookup.Name, in.StoreID, lookup.Err)
	} else {
		diags.AddError("Reconciling the access group's members failed", operationError(ctx, err))
	}
	if rerr := refreshMembers(ctx, c, m, diags); rerr != nil {
		diags.AddError("Reading the access group's members failed", rerr.Error())
	}
}

// refreshMembers reads the live memberships into m: in authoritative mode
// every live member (user names resolved from member_user_ids, else with
// DescribeUser), in additive mode the listed members still present.
// added_membership_ids keeps only memberships that still exist.
func refreshMembers(ctx context.Context, c *awsapi.Clients, m *accessGroupModel, diags *diag.Diagnostics) error {
	store := m.IdentityStoreID.ValueString()
	live, err := awsapi.ListMemberships(ctx, c.IdentityStore, store, m.ID.ValueString())
	if err != nil {
		return err
	}
	ids := map[string]string{}
	if !m.MemberUserIDs.IsUnknown() {
		ids = stringMap(ctx, m.MemberUserIDs, diags)
	}
	byUser := invertStrMap(ids)
	liveMemberships := map[string]bool{}
	liveUsers := map[string]bool{}
	for _, ms := range live {
		liveMemberships[ms.ID] = true
		liveUsers[ms.UserID] = true
	}
	var names []string
	newIDs := map[string]string{}
	if m.Membership.ValueString() == membershipAuthoritative {
		for _, ms := range live {
			name, ok := byUser[ms.UserID]
			if !ok {
				name, err = awsapi.FindUserName(ctx, c.IdentityStore, store, ms.UserID)
				if awsapi.IsNotFound(err) {
					name = ms.UserID // a membership of a deleted user: shown by id, removed by the plan
				} else if err != nil {
					return err
				}
			}
			if _, dup := newIDs[name]; !dup {
				names = append(names, name)
			}
			newIDs[name] = ms.UserID
		}
	} else {
		for _, name := range sortedStrings(m.Members) {
			if uid, ok := ids[name]; ok && liveUsers[uid] {
				names = append(names, name)
				newIDs[name] = uid
			}
		}
	}
	m.Members = stringSet(names)
	m.MemberUserIDs = stringMapValue(newIDs)
	if !m.AddedMemberships.IsUnknown() {
		added := map[string]string{}
		for n, mid := range stringMap(ctx, m.AddedMemberships, diags) {
			if liveMemberships[mid] {
				added[n] = mid
			}
		}
		m.AddedMemberships = stringMapValue(added)
	} else {
		m.AddedMemberships = types.MapValueMust(types.StringType, map[string]attr.Value{})
	}
	return nil
}

func invertStrMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}
