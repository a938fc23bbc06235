package awsapi

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// MembersInput is the membership an access group wants, and what earlier
// applies recorded.
type MembersInput struct {
	StoreID, GroupID string
	// Names are the members by user name.
	Names []string
	// UserIDs resolves names already looked up (name -> user id).
	UserIDs map[string]string
	// Authoritative removes every member not named; otherwise only the
	// memberships this group added (Added) for users no longer named go.
	Authoritative bool
	// Added are the memberships earlier applies created (name ->
	// membership id). Removal in additive mode goes by Added alone: after a
	// failed apply the refreshed members may no longer name a user whose
	// membership the group added and could not yet remove.
	Added map[string]string
}

// MembersResult is what the group holds after ReconcileMembers, also after
// a failure part way.
type MembersResult struct {
	UserIDs map[string]string // name -> user id
	Added   map[string]string // name -> membership id created by this group
	Removed int
}

// UserLookupError says a member's user name could not be resolved.
type UserLookupError struct {
	Name string
	Err  error
}

func (e *UserLookupError) Error() string { return fmt.Sprintf("looking up user %q: %v", e.Name, e.Err) }
func (e *UserLookupError) Unwrap() error { return e.Err }

// ReconcileMembers makes a group's memberships match in: names are resolved
// to user ids (once; known ids are reused), missing memberships created, and
// memberships removed — all that are not wanted when authoritative, only
// those this group added for users no longer named when additive.
func ReconcileMembers(ctx context.Context, c *identitystore.Client, in MembersInput) (MembersResult, error) {
	res := MembersResult{UserIDs: maps.Clone(in.UserIDs), Added: maps.Clone(in.Added)}
	if res.UserIDs == nil {
		res.UserIDs = map[string]string{}
	}
	if res.Added == nil {
		res.Added = map[string]string{}
	}
	for _, name := range in.Names {
		if _, ok := res.UserIDs[name]; ok {
			continue
		}
		id, err := FindUserID(ctx, c, in.StoreID, name)
		if err != nil {
			return res, &UserLookupError{Name: name, Err: err}
		}
		res.UserIDs[name] = id
	}
	live, err := ListMemberships(ctx, c, in.StoreID, in.GroupID)
	if err != nil {
		return res, err
	}
	byUser := map[string]string{}
	for _, ms := range live {
		byUser[ms.UserID] = ms.ID
	}
	want := map[string]bool{}
	for _, name := range in.Names {
		uid := res.UserIDs[name]
		want[uid] = true
		if _, ok := byUser[uid]; ok {
			continue
		}
		mid, wasAdded, err := CreateMembership(ctx, c, in.StoreID, in.GroupID, uid)
		if err != nil {
			return res, fmt.Errorf("adding member %s: %w", name, err)
		}
		byUser[uid] = mid
		if wasAdded {
			res.Added[name] = mid
		}
	}
	var remove []string // membership ids
	if in.Authoritative {
		for _, ms := range live {
			if !want[ms.UserID] {
				remove = append(remove, ms.ID)
			}
		}
	} else {
		for n, mid := range res.Added {
			if !slices.Contains(in.Names, n) {
				remove = append(remove, mid)
			}
		}
	}
	slices.Sort(remove)
	for _, mid := range remove {
		if err := DeleteMembership(ctx, c, in.StoreID, mid); err != nil {
			return res, fmt.Errorf("removing membership %s: %w", mid, err)
		}
		res.Removed++
		maps.DeleteFunc(res.Added, func(_, a string) bool { return a == mid })
	}
	// Memberships added earlier for users no longer named are no longer ours to track.
	maps.DeleteFunc(res.Added, func(n, _ string) bool { return !slices.Contains(in.Names, n) })
	tflog.Info(ctx, "access group members reconciled", map[string]any{"group_id": in.GroupID, "members": len(in.Names), "removed": res.Removed})
	return res, nil
}
