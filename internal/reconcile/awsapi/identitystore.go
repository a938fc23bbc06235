package awsapi

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
)

// Identity Store objects carry no tags. The provider records ownership of the
// groups it creates in the group description instead: a created group's
// description ends with OwnershipMarker (see OwnedGroupDescription). The
// marker is visible in the console, like the managed-by tag elsewhere, and it
// lets an import tell a group this provider created (owned: destroy deletes
// it) from one it must adopt (destroy leaves it). Which memberships the
// provider added is not visible in the Identity Store at all, so that is
// recorded in Terraform state by the resource.
const (
	// OwnershipMarker is the legacy marker, written before ownership ids;
	// groups carrying it are still recognised as created by the provider.
	OwnershipMarker = markerPrefix + "]"
	markerPrefix    = "[managed-by=" + ManagedByValue

	groupKind      = "identity store group"
	userKind       = "identity store user"
	membershipKind = "group membership"

	// MaxGroupDescriptionLength is the Identity Store limit on a group description.
	MaxGroupDescriptionLength = 1024
	// MaxUserGroupDescriptionLength leaves room for the longest marker (an
	// ownership id and the pending word) after a user-given description.
	MaxUserGroupDescriptionLength = MaxGroupDescriptionLength - len(markerPrefix+" ownership=00000000-0000-0000-0000-000000000000 pending]") - 1
)

// GroupOwnership is what the marker of a group the provider created says:
// the ownership id of the resource that created it (see TagOwnership) and
// whether that create is still pending (see TagCreatePending). Identity
// Store groups have no tags, so both live in the description.
type GroupOwnership struct {
	ID      string
	Pending bool
}

func (o GroupOwnership) marker() string {
	if o.ID == "" {
		return OwnershipMarker
	}
	m := markerPrefix + " ownership=" + o.ID
	if o.Pending {
		m += " pending"
	}
	return m + "]"
}

// OwnedGroupDescription is the description stored for a group the provider
// creates: the user's text followed by the ownership marker.
func OwnedGroupDescription(userDescription string, own GroupOwnership) string {
	if userDescription == "" {
		return own.marker()
	}
	return userDescription + " " + own.marker()
}

// ParseGroupDescription splits a live description into the user's text and
// whether it carries the ownership marker.
func ParseGroupDescription(live string) (userDescription string, owned bool) {
	d, owned, _ := ParseGroupOwnership(live)
	return d, owned
}

// ParseGroupOwnership is ParseGroupDescription with what the marker says.
func ParseGroupOwnership(live string) (userDescription string, owned bool, own GroupOwnership) {
	i := strings.LastIndex(live, markerPrefix)
	if i < 0 || !strings.HasSuffix(live, "]") || (i > 0 && live[i-1] != ' ') {
		return live, false, GroupOwnership{}
	}
	fields := strings.Fields(strings.TrimSuffix(live[i+len(markerPrefix):], "]"))
	for _, f := range fields {
		switch {
		case strings.HasPrefix(f, "ownership="):
			own.ID = strings.TrimPrefix(f, "ownership=")
		case f == "pending":
			own.Pending = true
		default:
			return live, false, GroupOwnership{}
		}
	}
	return strings.TrimSuffix(live[:i], " "), true, own
}

// Group is an Identity Store group as the provider reads it.
type Group struct {
	ID, IdentityStoreID, DisplayName string
	// Description is the raw description, marker included.
	Description string
}

// Membership is one group membership (users only: the provider manages users).
type Membership struct {
	ID, UserID string
}

// FindGroup reads a group; a missing group is a *NotFoundError.
func FindGroup(ctx context.Context, c *identitystore.Client, storeID, groupID string) (*Group, error) {
	out, err := c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(storeID), GroupId: aws.String(groupID)})
	if isResourceNotFound(err) {
		return nil, &NotFoundError{Kind: groupKind, ID: groupID, Cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("describing %s %s: %w", groupKind, groupID, err)
	}
	if out, err = singleResult(groupKind, groupID, one(out), func(o *identitystore.DescribeGroupOutput) string { return aws.ToString(o.GroupId) }); err != nil {
		return nil, err
	}
	return &Group{
		ID:              aws.ToString(out.GroupId),
		IdentityStoreID: valueOr(aws.ToString(out.IdentityStoreId), storeID),
		DisplayName:     aws.ToString(out.DisplayName),
		Description:     aws.ToString(out.Description),
	}, nil
}

// findGroupIDByName looks a group up by its (unique) display name.
func findGroupIDByName(ctx context.Context, c *identitystore.Client, storeID, name string) (string, error) {
	out, err := c.GetGroupId(ctx, &identitystore.GetGroupIdInput{
		IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{Value: istypes.UniqueAttribute{
			AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument(name),
		}},
	})
	if isResourceNotFound(err) {
		return "", &NotFoundError{Kind: groupKind, ID: name, Cause: err}
	}
	if err != nil {
		return "", fmt.Errorf("looking up %s %q: %w", groupKind, name, err)
	}
	return aws.ToString(out.GroupId), nil
}

// CreateGroup creates a group marked with own (pending). If the display name
// is taken by a group whose create is still pending — this create's lost
// response, or an interrupted create of an earlier run — that group is
// claimed for own instead; any other group of that name is an error.
func CreateGroup(ctx context.Context, c *identitystore.Client, storeID, displayName, userDescription string, own GroupOwnership) (*Group, error) {
	desc := OwnedGroupDescription(userDescription, own)
	out, err := c.CreateGroup(ctx, &identitystore.CreateGroupInput{
		IdentityStoreId: aws.String(storeID),
		DisplayName:     aws.String(displayName),
		Description:     aws.String(desc),
	})
	var conflict *istypes.ConflictException
	switch {
	case errors.As(err, &conflict):
		id, ferr := findGroupIDByName(ctx, c, storeID, displayName)
		if ferr != nil {
			return nil, fmt.Errorf("creating %s %q: %w", groupKind, displayName, err)
		}
		existing, ferr := FindGroup(ctx, c, storeID, id)
		if ferr != nil {
			return nil, fmt.Errorf("creating %s %q: %w", groupKind, displayName, err)
		}
		_, owned, theirs := ParseGroupOwnership(existing.Description)
		switch {
		case !owned:
			return nil, fmt.Errorf("a group named %q already exists in identity store %s (group id %s) and was not created by this provider; "+
				"adopt it with group_id = %q or choose another display_name", displayName, storeID, id, id)
		case !theirs.Pending || theirs.ID == "":
			return nil, &OwnershipError{Kind: groupKind, Name: displayName, ID: id, Owner: theirs.ID, Import: id}
		case theirs.ID != own.ID:
			if err := UpdateGroup(ctx, c, storeID, id, "", desc); err != nil {
				return nil, err
			}
			existing.Description = desc
		}
		return existing, nil
	case err != nil:
		return nil, fmt.Errorf("creating %s %q: %w", groupKind, displayName, err)
	}
	return &Group{ID: aws.ToString(out.GroupId), IdentityStoreID: valueOr(aws.ToString(out.IdentityStoreId), storeID), DisplayName: displayName, Description: desc}, nil
}

// UpdateGroup sets the display name and the raw description of a group in one
// call; empty values are left unchanged.
func UpdateGroup(ctx context.Context, c *identitystore.Client, storeID, groupID, displayName, description string) error {
	var ops []istypes.AttributeOperation
	if displayName != "" {
		ops = append(ops, istypes.AttributeOperation{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument(displayName)})
	}
	if description != "" {
		ops = append(ops, istypes.AttributeOperation{AttributePath: aws.String("description"), AttributeValue: document.NewLazyDocument(description)})
	}
	if len(ops) == 0 {
		return nil
	}
	_, err := c.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: aws.String(storeID), GroupId: aws.String(groupID), Operations: ops})
	if err != nil {
		return fmt.Errorf("updating %s %s: %w", groupKind, groupID, err)
	}
	return nil
}

// DeleteGroup deletes a group (with its memberships); a missing group is success.
func DeleteGroup(ctx context.Context, c *identitystore.Client, storeID, groupID string) error {
	_, err := c.DeleteGroup(ctx, &identitystore.DeleteGroupInput{IdentityStoreId: aws.String(storeID), GroupId: aws.String(groupID)})
	if err != nil && !isResourceNotFound(err) {
		return fmt.Errorf("deleting %s %s: %w", groupKind, groupID, err)
	}
	return nil
}

// ListMemberships returns every user membership of a group (all pages).
func ListMemberships(ctx context.Context, c *identitystore.Client, storeID, groupID string) ([]Membership, error) {
	var out []Membership
	p := identitystore.NewListGroupMembershipsPaginator(c, &identitystore.ListGroupMembershipsInput{
		IdentityStoreId: aws.String(storeID), GroupId: aws.String(groupID),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if isResourceNotFound(err) {
			return nil, &NotFoundError{Kind: groupKind, ID: groupID, Cause: err}
		}
		if err != nil {
			return nil, fmt.Errorf("listing the memberships of %s %s: %w", groupKind, groupID, err)
		}
		for _, m := range page.GroupMemberships {
			user, ok := m.MemberId.(*istypes.MemberIdMemberUserId)
			if !ok {
				continue // not a user: never managed by the provider
			}
			out = append(out, Membership{ID: aws.ToString(m.MembershipId), UserID: user.Value})
		}
	}
	return out, nil
}

// CreateMembership adds a user to a group and returns the membership id.
// Right after CreateGroup the group may not be visible yet: a GROUP not-found
// is waited out (bounded); a USER not-found is a *NotFoundError at once. When
// the user is already a member (real AWS: ConflictException) the existing
// membership id is returned with added = false.
func CreateMembership(ctx context.Context, c *identitystore.Client, storeID, groupID, userID string) (id string, added bool, err error) {
	err = waitUntil(ctx, "group "+groupID+" to accept members", DefaultWait, func(ctx context.Context) (bool, error) {
		out, cerr := c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{
			IdentityStoreId: aws.String(storeID), GroupId: aws.String(groupID), MemberId: &istypes.MemberIdMemberUserId{Value: userID},
		})
		var nf *istypes.ResourceNotFoundException
		var conflict *istypes.ConflictException
		switch {
		case cerr == nil:
			id, added = aws.ToString(out.MembershipId), true
			return true, nil
		case errors.As(cerr, &nf) && nf.ResourceType == istypes.ResourceTypeGroup:
			return false, nil
		case errors.As(cerr, &nf):
			return false, &NotFoundError{Kind: userKind, ID: userID, Cause: cerr}
		case errors.As(cerr, &conflict):
			got, gerr := c.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{
				IdentityStoreId: aws.String(storeID), GroupId: aws.String(groupID), MemberId: &istypes.MemberIdMemberUserId{Value: userID},
			})
			if gerr != nil {
				return false, fmt.Errorf("adding user %s to group %s: %w", userID, groupID, cerr)
			}
			id = aws.ToString(got.MembershipId)
			return true, nil
		default:
			return false, fmt.Errorf("adding user %s to group %s: %w", userID, groupID, cerr)
		}
	})
	return id, added, err
}

// DeleteMembership removes a membership; a missing one is success.
func DeleteMembership(ctx context.Context, c *identitystore.Client, storeID, membershipID string) error {
	_, err := c.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: aws.String(storeID), MembershipId: aws.String(membershipID)})
	if err != nil && !isResourceNotFound(err) {
		return fmt.Errorf("deleting %s %s: %w", membershipKind, membershipID, err)
	}
	return nil
}

// FindUserID resolves a user name to its user id; an unknown name is a *NotFoundError.
func FindUserID(ctx context.Context, c *identitystore.Client, storeID, userName string) (string, error) {
	out, err := c.GetUserId(ctx, &identitystore.GetUserIdInput{
		IdentityStoreId: aws.String(storeID),
		AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{Value: istypes.UniqueAttribute{
			AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument(userName),
		}},
	})
	if isResourceNotFound(err) {
		return "", &NotFoundError{Kind: userKind, ID: userName, Cause: err}
	}
	if err != nil {
		return "", fmt.Errorf("looking up %s %q: %w", userKind, userName, err)
	}
	return aws.ToString(out.UserId), nil
}

// FindUserName returns the user name of a user id; a missing user is a *NotFoundError.
func FindUserName(ctx context.Context, c *identitystore.Client, storeID, userID string) (string, error) {
	out, err := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(storeID), UserId: aws.String(userID)})
	if isResourceNotFound(err) {
		return "", &NotFoundError{Kind: userKind, ID: userID, Cause: err}
	}
	if err != nil {
		return "", fmt.Errorf("describing %s %s: %w", userKind, userID, err)
	}
	if out, err = singleResult(userKind, userID, one(out), func(o *identitystore.DescribeUserOutput) string { return aws.ToString(o.UserId) }); err != nil {
		return "", err
	}
	return aws.ToString(out.UserName), nil
}

func isResourceNotFound(err error) bool {
	return hasCode(err, "ResourceNotFoundException")
}

func valueOr(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}
