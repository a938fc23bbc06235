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
	for _, user := range []string{"", "Payments engineers", "ends with marker-like text [managed-by=x]"} {
		live := awsapi.OwnedGroupDescription(user)
		got, owned := awsapi.ParseGroupDescription(live)
		if !owned || got != user {
			t.Errorf("round trip of %q: got %q owned=%v", user, got, owned)
		}
	}
	if d, owned := awsapi.ParseGroupDescription("Synced from Okta"); owned || d != "Synced from Okta" {
		t.Errorf("foreign description parsed as owned=%v %q", owned, d)
	}
	if n := len(awsapi.OwnedGroupDescription(string(make([]byte, awsapi.MaxUserGroupDescriptionLength)))); n > awsapi.MaxGroupDescriptionLength {
		t.Errorf("a maximal user description yields %d characters, over the %d limit", n, awsapi.MaxGroupDescriptionLength)
	}
}

func TestGroupAndMembershipLifecycle(t *testing.T) {
	c := identityClients(t)
	ctx := context.Background()
	_, store := instance(t, c.SSOAdmin)
	alice := createUser(t, c.IdentityStore, store, "lifecycle-alice")

	g, err := awsapi.CreateGroup(ctx, c.IdentityStore, store, "lifecycle", "Lifecycle test")
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

// TestCreateGroupTakesOverItsOwnOrphan: display names are unique, so a re-run
// of an interrupted create finds its own group (marker in the description)
// and refuses a foreign one.
func TestCreateGroupTakesOverItsOwnOrphan(t *testing.T) {
	c := identityClients(t)
	ctx := context.Background()
	_, store := instance(t, c.SSOAdmin)
	first, err := awsapi.CreateGroup(ctx, c.IdentityStore, store, "orphan-group", "x")
	if err != nil {
		t.Fatal(err)
	}
	second, err := awsapi.CreateGroup(ctx, c.IdentityStore, store, "orphan-group", "x")
	if err != nil || second.ID != first.ID {
		t.Fatalf("re-create = %+v, %v; want takeover of %s", second, err, first.ID)
	}
	if _, err := c.IdentityStore.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(store), DisplayName: aws.String("okta-synced")}); err != nil {
		t.Fatal(err)
	}
	if _, err := awsapi.CreateGroup(ctx, c.IdentityStore, store, "okta-synced", ""); err == nil {
		t.Fatal("creating over a foreign group of the same name succeeded; want a refusal naming group_id")
	}
}

// TestUpdateGroup renames a group and rewrites its description in one call.
func TestUpdateGroup(t *testing.T) {
	c := identityClients(t)
	ctx := context.Background()
	_, store := instance(t, c.SSOAdmin)
	g, err := awsapi.CreateGroup(ctx, c.IdentityStore, store, "update-me", "")
	if err != nil {
		t.Fatal(err)
	}
	must(t, awsapi.UpdateGroup(ctx, c.IdentityStore, store, g.ID, "updated", awsapi.OwnedGroupDescription("new")))
	got, err := awsapi.FindGroup(ctx, c.IdentityStore, store, g.ID)
	if err != nil || got.DisplayName != "updated" || got.Description != awsapi.OwnedGroupDescription("new") {
		t.Fatalf("read back %+v, %v", got, err)
	}
}
