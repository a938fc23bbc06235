package vafront

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
)

func newIDGroup(t *testing.T, c *identitystore.Client, store, name, desc string) string {
	t.Helper()
	out, err := c.CreateGroup(context.Background(), &identitystore.CreateGroupInput{IdentityStoreId: aws.String(store), DisplayName: aws.String(name), Description: aws.String(desc)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.GroupId)
}

func groupIDByName(c *identitystore.Client, store, name string) (string, error) {
	out, err := c.GetGroupId(context.Background(), &identitystore.GetGroupIdInput{IdentityStoreId: aws.String(store),
		AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{Value: idtypes.UniqueAttribute{
			AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument(name)}}})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.GroupId), nil
}

func updateGroup(c *identitystore.Client, store, group string, kv ...string) error {
	ops := []idtypes.AttributeOperation{} // empty, not nil: the SDK refuses a nil list client-side
	for i := 0; i+1 < len(kv); i += 2 {
		ops = append(ops, idtypes.AttributeOperation{AttributePath: aws.String(kv[i]), AttributeValue: document.NewLazyDocument(kv[i+1])})
	}
	_, err := c.UpdateGroup(context.Background(), &identitystore.UpdateGroupInput{IdentityStoreId: aws.String(store), GroupId: aws.String(group), Operations: ops})
	return err
}

// TestUpdateGroup checks Identity Store UpdateGroup (Identity Store API
// reference): the operations replace displayName and description, which
// DescribeGroup, ListGroups and GetGroupId then show; a display name
// another group has is ConflictException (also for CreateGroup); an
// unknown group is ResourceNotFoundException; an unknown attribute path is
// ValidationException. moto answers UpdateGroup with a 500 HTML page.
func TestUpdateGroup(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	_, store := ssoInstance(t, ssoAdminClient())
	c := identityStoreClient()
	eng := newIDGroup(t, c, store, "eng", "engineers")
	ops := newIDGroup(t, c, store, "ops", "operators")

	if err := updateGroup(c, store, eng, "displayName", "engineering", "description", "all engineers"); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(store), GroupId: aws.String(eng)})
	if err != nil || aws.ToString(d.DisplayName) != "engineering" || aws.ToString(d.Description) != "all engineers" {
		t.Fatalf("DescribeGroup after update: %v %+v", err, d)
	}
	if id, err := groupIDByName(c, store, "engineering"); err != nil || id != eng {
		t.Fatalf("GetGroupId(new name) = %q, %v", id, err)
	}
	_, err = groupIDByName(c, store, "eng")
	wantCode(t, err, "ResourceNotFoundException")
	if id, err := groupIDByName(c, store, "ops"); err != nil || id != ops {
		t.Fatalf("GetGroupId(untouched group) = %q, %v", id, err)
	}
	list, err := c.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(store)})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, g := range list.Groups {
		names[aws.ToString(g.GroupId)] = aws.ToString(g.DisplayName)
	}
	if names[eng] != "engineering" || names[ops] != "ops" {
		t.Fatalf("ListGroups names %v", names)
	}

	// Only the description: the name stays.
	if err := updateGroup(c, store, eng, "description", "eng + qa"); err != nil {
		t.Fatal(err)
	}
	d, _ = c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(store), GroupId: aws.String(eng)})
	if aws.ToString(d.DisplayName) != "engineering" || aws.ToString(d.Description) != "eng + qa" {
		t.Fatalf("after description update: %+v", d)
	}

	wantCode(t, updateGroup(c, store, ops, "displayName", "engineering"), "ConflictException")
	_, err = c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(store), DisplayName: aws.String("engineering")})
	wantCode(t, err, "ConflictException")
	wantCode(t, updateGroup(c, store, "00000000-0000-0000-0000-000000000000", "description", "x"), "ResourceNotFoundException")
	wantCode(t, updateGroup(c, store, ops, "members", "x"), "ValidationException")
	wantCode(t, updateGroup(c, store, ops), "ValidationException")

	// Deleting the group drops what the front kept.
	if _, err := c.DeleteGroup(ctx, &identitystore.DeleteGroupInput{IdentityStoreId: aws.String(store), GroupId: aws.String(eng)}); err != nil {
		t.Fatal(err)
	}
	_, err = groupIDByName(c, store, "engineering")
	wantCode(t, err, "ResourceNotFoundException")
	if _, err := c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(store), DisplayName: aws.String("engineering")}); err != nil {
		t.Fatalf("name of a deleted group: %v", err)
	}
}

// TestGetGroupMembershipID checks Identity Store GetGroupMembershipId
// (Identity Store API reference): the MembershipId of a user in a group,
// ResourceNotFoundException when the user is not a member. moto answers
// with a 500 HTML page.
func TestGetGroupMembershipID(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	_, store := ssoInstance(t, ssoAdminClient())
	c := identityStoreClient()
	grp := newIDGroup(t, c, store, "sre", "site reliability")
	var users []string
	for _, name := range []string{"alice", "bob"} {
		u, err := c.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: aws.String(store), UserName: aws.String(name), DisplayName: aws.String(name),
			Name: &idtypes.Name{GivenName: aws.String(name), FamilyName: aws.String("Example")}})
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, aws.ToString(u.UserId))
	}
	m, err := c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(store), GroupId: aws.String(grp),
		MemberId: &idtypes.MemberIdMemberUserId{Value: users[0]}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: aws.String(store), GroupId: aws.String(grp),
		MemberId: &idtypes.MemberIdMemberUserId{Value: users[0]}})
	if err != nil || aws.ToString(got.MembershipId) != aws.ToString(m.MembershipId) || aws.ToString(got.IdentityStoreId) != store {
		t.Fatalf("GetGroupMembershipId = %+v, %v; created %s", got, err, aws.ToString(m.MembershipId))
	}
	_, err = c.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: aws.String(store), GroupId: aws.String(grp),
		MemberId: &idtypes.MemberIdMemberUserId{Value: users[1]}})
	wantCode(t, err, "ResourceNotFoundException")
}
