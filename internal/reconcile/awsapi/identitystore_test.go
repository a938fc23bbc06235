package awsapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// identityClients builds the Identity Center clients exactly as the provider
// does (standard retryer, 10 attempts), pointed at moto.
func identityClients(t *testing.T) *awsapi.Clients {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_ENDPOINT_URL", "")
	c, err := awsapi.NewClients(context.Background(), awsapi.Config{
		Region:    "us-east-1",
		Endpoints: awsapi.Endpoints{SSOAdmin: awsURL, IdentityStore: awsURL},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// instance returns moto's default Identity Center instance.
func instance(t *testing.T, c *ssoadmin.Client) (arn, storeID string) {
	t.Helper()
	out, err := c.ListInstances(context.Background(), &ssoadmin.ListInstancesInput{})
	if err != nil || len(out.Instances) == 0 {
		t.Fatalf("listing instances: %v (%d)", err, len(out.Instances))
	}
	return aws.ToString(out.Instances[0].InstanceArn), aws.ToString(out.Instances[0].IdentityStoreId)
}

func createUser(t *testing.T, c *identitystore.Client, storeID, userName string) string {
	t.Helper()
	out, err := c.CreateUser(context.Background(), &identitystore.CreateUserInput{
		IdentityStoreId: aws.String(storeID), UserName: aws.String(userName), DisplayName: aws.String(userName),
		Name: &istypes.Name{GivenName: aws.String("Test"), FamilyName: aws.String(userName)},
	})
	if err != nil {
		t.Fatalf("creating user %s: %v", userName, err)
	}
	return aws.ToString(out.UserId)
}

func TestGroupDescriptionMarker(t *testing.T) {
	owns := []awsapi.GroupOwnership{{}, {ID: "0b4f6a7e-0000-4000-8000-000000000001"}, {ID: "0b4f6a7e-0000-4000-8000-000000000001", Pending: true}}
	for _, user := range []string{"", "Payments engineers", "ends with marker-like text [managed-by=x]"} {
		for _, own := range owns {
			live := awsapi.OwnedGroupDescription(user, own)
			got, owned, gotOwn := awsapi.ParseGroupOwnership(live)
			if !owned || got != user || gotOwn != own {
				t.Errorf("round trip of %q %+v: got %q owned=%v %+v (live %q)", user, own, got, owned, gotOwn, live)
			}
		}
	}
	// The legacy marker (before ownership ids) is still owned, with no id.
	if d, owned, own := awsapi.ParseGroupOwnership("Payments " + awsapi.OwnershipMarker); !owned || d != "Payments" || own.ID != "" {
		t.Errorf("legacy marker: %q owned=%v %+v", d, owned, own)
	}
	for _, foreign := range []string{"Synced from Okta", "[managed-by=terraform-provider-zerotrust ownership=x surprise]", "x[managed-by=terraform-provider-zerotrust]"} {
		if d, owned := awsapi.ParseGroupDescription(foreign); owned || d != foreign {
			t.Errorf("foreign description %q parsed as owned=%v %q", foreign, owned, d)
		}
	}
	longest := awsapi.GroupOwnership{ID: "0b4f6a7e-0000-4000-8000-000000000001", Pending: true}
	if n := len(awsapi.OwnedGroupDescription(string(make([]byte, awsapi.MaxUserGroupDescriptionLength)), longest)); n > awsapi.MaxGroupDescriptionLength {
		t.Errorf("a maximal user description yields %d characters, over the %d limit", n, awsapi.MaxGroupDescriptionLength)
	}
}

func TestGroupAndMembershipLifecycle(t *testing.T) {
	c := identityClients(t)
	ctx := context.Background()
	_, store := instance(t, c.SSOAdmin)
	alice := createUser(t, c.IdentityStore, store, "lifecycle-alice")

	g, err := awsapi.CreateGroup(ctx, c.IdentityStore, store, "lifecycle", "Lifecycle test", awsapi.GroupOwnership{})
	if err != nil {
		t.Fatal(err)
	}
	read, err := awsapi.FindGroup(ctx, c.IdentityStore, store, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d, owned := awsapi.ParseGroupDescription(read.Description); !owned || d != "Lifecycle test" || read.DisplayName != "lifecycle" {
		t.Fatalf("read back %+v (user description %q, owned %v)", read, d, owned)
	}

	id, err := awsapi.FindUserID(ctx, c.IdentityStore, store, "lifecycle-alice")
	if err != nil || id != alice {
		t.Fatalf("FindUserID = %q, %v; want %q", id, err, alice)
	}
	if name, err := awsapi.FindUserName(ctx, c.IdentityStore, store, alice); err != nil || name != "lifecycle-alice" {
		t.Fatalf("FindUserName = %q, %v", name, err)
	}
	if _, err := awsapi.FindUserID(ctx, c.IdentityStore, store, "nobody"); !awsapi.IsNotFound(err) {
		t.Fatalf("unknown user: got %v, want a not-found error", err)
	}

	mid, added, err := awsapi.CreateMembership(ctx, c.IdentityStore, store, g.ID, alice)
	if err != nil || !added || mid == "" {
		t.Fatalf("CreateMembership = %q, %v, %v", mid, added, err)
	}
	ms, err := awsapi.ListMemberships(ctx, c.IdentityStore, store, g.ID)
	if err != nil || len(ms) != 1 || ms[0].ID != mid || ms[0].UserID != alice {
		t.Fatalf("ListMemberships = %+v, %v", ms, err)
	}
	// A user that does not exist is reported at once, not waited on.
	start := time.Now()
	if _, _, err := awsapi.CreateMembership(ctx, c.IdentityStore, store, g.ID, "00000000-0000-0000-0000-000000000000"); !awsapi.IsNotFound(err) {
		t.Fatalf("membership of a missing user: %v, want not found", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("missing user took %s to report", d)
	}
	if err := awsapi.DeleteMembership(ctx, c.IdentityStore, store, mid); err != nil {
		t.Fatal(err)
	}
	if ms, _ := awsapi.ListMemberships(ctx, c.IdentityStore, store, g.ID); len(ms) != 0 {
		t.Fatalf("membership not deleted: %+v", ms)
	}
	if err := awsapi.DeleteGroup(ctx, c.IdentityStore, store, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := awsapi.FindGroup(ctx, c.IdentityStore, store, g.ID); !awsapi.IsNotFound(err) {
		t.Fatalf("deleted group: %v, want not found", err)
	}
	if err := awsapi.DeleteGroup(ctx, c.IdentityStore, store, g.ID); err != nil {
		t.Fatalf("deleting a missing group must succeed: %v", err)
	}
}

// TestCreateGroupOwnership: display names are unique, so a create whose name
// is taken finds the group: a pending one (a lost response, an interrupted
// create) is claimed once; a completed one, or a foreign one, is refused.
func TestCreateGroupOwnership(t *testing.T) {
	c := identityClients(t)
	ctx := context.Background()
	_, store := instance(t, c.SSOAdmin)
	a := awsapi.GroupOwnership{ID: "aaaaaaaa-0000-4000-8000-000000000000", Pending: true}
	b := awsapi.GroupOwnership{ID: "bbbbbbbb-0000-4000-8000-000000000000", Pending: true}
	first, err := awsapi.CreateGroup(ctx, c.IdentityStore, store, "orphan-group", "x", a)
	if err != nil {
		t.Fatal(err)
	}
	// An interrupted create's group is claimed by the next create.
	second, err := awsapi.CreateGroup(ctx, c.IdentityStore, store, "orphan-group", "x", b)
	if err != nil || second.ID != first.ID {
		t.Fatalf("re-create = %+v, %v; want the pending %s claimed", second, err, first.ID)
	}
	got, _ := awsapi.FindGroup(ctx, c.IdentityStore, store, first.ID)
	if _, _, own := awsapi.ParseGroupOwnership(got.Description); own != b {
		t.Fatalf("claimed group's marker says %+v, want %+v", own, b)
	}
	// Completed, it is never taken over.
	must(t, awsapi.UpdateGroup(ctx, c.IdentityStore, store, first.ID, "", awsapi.OwnedGroupDescription("x", awsapi.GroupOwnership{ID: b.ID})))
	if _, err := awsapi.CreateGroup(ctx, c.IdentityStore, store, "orphan-group", "x", a); !awsapi.IsOwnershipError(err) {
		t.Fatalf("creating over a completed group of the same name: %v; want an OwnershipError", err)
	}
	if _, err := c.IdentityStore.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(store), DisplayName: aws.String("okta-synced")}); err != nil {
		t.Fatal(err)
	}
	if _, err := awsapi.CreateGroup(ctx, c.IdentityStore, store, "okta-synced", "", a); err == nil {
		t.Fatal("creating over a foreign group of the same name succeeded; want a refusal naming group_id")
	}
}

// TestUpdateGroup renames a group and rewrites its description in one call.
func TestUpdateGroup(t *testing.T) {
	c := identityClients(t)
	ctx := context.Background()
	_, store := instance(t, c.SSOAdmin)
	g, err := awsapi.CreateGroup(ctx, c.IdentityStore, store, "update-me", "", awsapi.GroupOwnership{})
	if err != nil {
		t.Fatal(err)
	}
	must(t, awsapi.UpdateGroup(ctx, c.IdentityStore, store, g.ID, "updated", awsapi.OwnedGroupDescription("new", awsapi.GroupOwnership{})))
	got, err := awsapi.FindGroup(ctx, c.IdentityStore, store, g.ID)
	if err != nil || got.DisplayName != "updated" || got.Description != awsapi.OwnedGroupDescription("new", awsapi.GroupOwnership{}) {
		t.Fatalf("read back %+v, %v", got, err)
	}
}
