package awsapi_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/smithy-go/middleware"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// countOperations is a smithy middleware counting operations by name, the
// same one newClient installs on the EC2 client.
func countOperations(counter *callCounter) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			counter.add(middleware.GetOperationName(ctx))
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
	}
}

// countingIdentityClients are identityClients whose SSO Admin and Identity
// Store clients count their operations.
func countingIdentityClients(t *testing.T) (*awsapi.Clients, *callCounter) {
	t.Helper()
	c := identityClients(t)
	counter := &callCounter{counts: map[string]int{}}
	c.IdentityStore = identitystore.New(c.IdentityStore.Options(), func(o *identitystore.Options) {
		o.APIOptions = append(slices.Clone(o.APIOptions), countOperations(counter))
	})
	c.SSOAdmin = ssoadmin.New(c.SSOAdmin.Options(), func(o *ssoadmin.Options) {
		o.APIOptions = append(slices.Clone(o.APIOptions), countOperations(counter))
	})
	return c, counter
}

// mutatingCalls counts the calls that are not reads (Describe, List, Get).
func mutatingCalls(c *callCounter) map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for op, n := range c.counts {
		if !strings.HasPrefix(op, "Describe") && !strings.HasPrefix(op, "List") && !strings.HasPrefix(op, "Get") {
			out[op] = n
		}
	}
	return out
}

// memberUserIDs lists a group's members as sorted user ids.
func memberUserIDs(t *testing.T, c *identitystore.Client, store, groupID string) []string {
	t.Helper()
	ms, err := awsapi.ListMemberships(context.Background(), c, store, groupID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.UserID)
	}
	slices.Sort(out)
	return out
}

func sortedIDs(ids ...string) []string {
	return slices.Sorted(slices.Values(ids))
}

// TestReconcileMembersAuthoritative: authoritative mode adds the missing
// members and removes every unlisted one (also one added by hand); user
// names are looked up once.
func TestReconcileMembersAuthoritative(t *testing.T) {
	c, calls := countingIdentityClients(t)
	ctx := context.Background()
	_, store := instance(t, c.SSOAdmin)
	ids := c.IdentityStore
	alice, bob := createUser(t, ids, store, "auth-alice"), createUser(t, ids, store, "auth-bob")
	carol, dave := createUser(t, ids, store, "auth-carol"), createUser(t, ids, store, "auth-dave")
	g, err := awsapi.CreateGroup(ctx, ids, store, "members-authoritative", "", awsapi.GroupOwnership{})
	if err != nil {
		t.Fatal(err)
	}
	// dave was added by hand.
	if _, _, err := awsapi.CreateMembership(ctx, ids, store, g.ID, dave); err != nil {
		t.Fatal(err)
	}

	calls.reset()
	res, err := awsapi.ReconcileMembers(ctx, ids, awsapi.MembersInput{StoreID: store, GroupID: g.ID, Names: []string{"auth-alice", "auth-bob"}, Authoritative: true})
	if err != nil {
		t.Fatal(err)
	}
	wantCalls(t, "first", mutatingCalls(calls), map[string]int{"CreateGroupMembership": 2, "DeleteGroupMembership": 1})
	if n := calls.get("GetUserId"); n != 2 {
		t.Errorf("first: %d GetUserId calls, want 2", n)
	}
	if res.Removed != 1 || !maps.Equal(res.UserIDs, map[string]string{"auth-alice": alice, "auth-bob": bob}) || len(res.Added) != 2 {
		t.Fatalf("first: %+v; want alice and bob resolved and added, dave removed", res)
	}
	if got := memberUserIDs(t, ids, store, g.ID); !slices.Equal(got, sortedIDs(alice, bob)) {
		t.Fatalf("first: members %v, want alice and bob", got)
	}

	// Same names with the ids known: no look-up, no write.
	calls.reset()
	res2, err := awsapi.ReconcileMembers(ctx, ids, awsapi.MembersInput{StoreID: store, GroupID: g.ID, Names: []string{"auth-alice", "auth-bob"}, Authoritative: true,
		UserIDs: res.UserIDs, Added: res.Added})
	if err != nil {
		t.Fatal(err)
	}
	wantCalls(t, "re-run", mutatingCalls(calls), nil)
	if n := calls.get("GetUserId"); n != 0 {
		t.Errorf("re-run: %d GetUserId calls for known users, want 0", n)
	}
	if res2.Removed != 0 || !maps.Equal(res2.Added, res.Added) {
		t.Fatalf("re-run: %+v, want nothing removed and the same added memberships %v", res2, res.Added)
	}

	// alice out, carol in: one look-up (carol), one add, one removal.
	calls.reset()
	res3, err := awsapi.ReconcileMembers(ctx, ids, awsapi.MembersInput{StoreID: store, GroupID: g.ID, Names: []string{"auth-bob", "auth-carol"}, Authoritative: true,
		UserIDs: res2.UserIDs, Added: res2.Added})
	if err != nil {
		t.Fatal(err)
	}
	wantCalls(t, "swap", mutatingCalls(calls), map[string]int{"CreateGroupMembership": 1, "DeleteGroupMembership": 1})
	if n := calls.get("GetUserId"); n != 1 {
		t.Errorf("swap: %d GetUserId calls, want 1 (carol only)", n)
	}
	if got := memberUserIDs(t, ids, store, g.ID); !slices.Equal(got, sortedIDs(bob, carol)) {
		t.Fatalf("swap: members %v, want bob and carol", got)
	}
	if res3.Removed != 1 || res3.Added["auth-bob"] != res.Added["auth-bob"] || res3.Added["auth-carol"] == "" || len(res3.Added) != 2 {
		t.Fatalf("swap: %+v; want bob's membership kept, carol's added, alice's dropped", res3)
	}
}

// TestReconcileMembersAdditive: additive mode removes only the memberships
// it added for users no longer named; a member added by hand stays, also
// after being named and then dropped.
func TestReconcileMembersAdditive(t *testing.T) {
	c, calls := countingIdentityClients(t)
	ctx := context.Background()
	_, store := instance(t, c.SSOAdmin)
	ids := c.IdentityStore
	alice, bob := createUser(t, ids, store, "add-alice"), createUser(t, ids, store, "add-bob")
	dave := createUser(t, ids, store, "add-dave")
	g, err := awsapi.CreateGroup(ctx, ids, store, "members-additive", "", awsapi.GroupOwnership{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := awsapi.CreateMembership(ctx, ids, store, g.ID, dave); err != nil {
		t.Fatal(err)
	}
	in := awsapi.MembersInput{StoreID: store, GroupID: g.ID}

	in.Names = []string{"add-alice", "add-bob"}
	calls.reset()
	res, err := awsapi.ReconcileMembers(ctx, ids, in)
	if err != nil {
		t.Fatal(err)
	}
	wantCalls(t, "add", mutatingCalls(calls), map[string]int{"CreateGroupMembership": 2})
	if res.Removed != 0 || len(res.Added) != 2 {
		t.Fatalf("add: %+v, want alice and bob added, nothing removed", res)
	}
	if got := memberUserIDs(t, ids, store, g.ID); !slices.Equal(got, sortedIDs(alice, bob, dave)) {
		t.Fatalf("add: members %v, want alice, bob and dave", got)
	}

	// bob dropped: his membership (ours) goes, dave's (not ours) stays.
	in.UserIDs, in.Added, in.Names = res.UserIDs, res.Added, []string{"add-alice"}
	calls.reset()
	res, err = awsapi.ReconcileMembers(ctx, ids, in)
	if err != nil {
		t.Fatal(err)
	}
	wantCalls(t, "drop", mutatingCalls(calls), map[string]int{"DeleteGroupMembership": 1})
	if res.Removed != 1 || !maps.Equal(res.Added, map[string]string{"add-alice": in.Added["add-alice"]}) {
		t.Fatalf("drop: %+v, want bob removed and only alice's membership tracked", res)
	}
	if got := memberUserIDs(t, ids, store, g.ID); !slices.Equal(got, sortedIDs(alice, dave)) {
		t.Fatalf("drop: members %v, want alice and dave", got)
	}

	// dave named: already a member, so not ours; nothing written.
	in.UserIDs, in.Added, in.Names = res.UserIDs, res.Added, []string{"add-alice", "add-dave"}
	calls.reset()
	res, err = awsapi.ReconcileMembers(ctx, ids, in)
	if err != nil {
		t.Fatal(err)
	}
	wantCalls(t, "name existing", mutatingCalls(calls), nil)
	if _, ours := res.Added["add-dave"]; ours || len(res.Added) != 1 {
		t.Fatalf("name existing: added %v; dave's membership was not made by the group", res.Added)
	}

	// dave dropped again: his membership was never ours, so it stays.
	in.UserIDs, in.Added, in.Names = res.UserIDs, res.Added, []string{"add-alice"}
	calls.reset()
	res, err = awsapi.ReconcileMembers(ctx, ids, in)
	if err != nil {
		t.Fatal(err)
	}
	wantCalls(t, "drop existing", mutatingCalls(calls), nil)
	if calls.get("GetUserId") != 0 || res.Removed != 0 {
		t.Fatalf("drop existing: %+v with %d look-ups; want nothing removed and no look-up", res, calls.get("GetUserId"))
	}
	if got := memberUserIDs(t, ids, store, g.ID); !slices.Equal(got, sortedIDs(alice, dave)) {
		t.Fatalf("drop existing: members %v, want alice and dave", got)
	}
}

// TestReconcileMembersUnknownUser: an unknown name is a *UserLookupError
// naming it, with the names resolved so far in the partial result and no
// membership touched.
func TestReconcileMembersUnknownUser(t *testing.T) {
	c, calls := countingIdentityClients(t)
	ctx := context.Background()
	_, store := instance(t, c.SSOAdmin)
	ids := c.IdentityStore
	alice := createUser(t, ids, store, "unk-alice")
	createUser(t, ids, store, "unk-bob")
	g, err := awsapi.CreateGroup(ctx, ids, store, "members-unknown", "", awsapi.GroupOwnership{})
	if err != nil {
		t.Fatal(err)
	}
	calls.reset()
	res, err := awsapi.ReconcileMembers(ctx, ids, awsapi.MembersInput{StoreID: store, GroupID: g.ID, Names: []string{"unk-alice", "unk-ghost", "unk-bob"}, Authoritative: true})
	var lookup *awsapi.UserLookupError
	if !errors.As(err, &lookup) || lookup.Name != "unk-ghost" {
		t.Fatalf("err = %v, want a *UserLookupError naming unk-ghost", err)
	}
	if !strings.Contains(err.Error(), `"unk-ghost"`) || !awsapi.IsNotFound(err) {
		t.Errorf("err = %q; want the name in the message and a not-found cause", err)
	}
	if !maps.Equal(res.UserIDs, map[string]string{"unk-alice": alice}) {
		t.Errorf("partial result user ids %v, want alice only (resolved before the failure)", res.UserIDs)
	}
	wantCalls(t, "unknown user", mutatingCalls(calls), nil)
	if n := calls.get("GetUserId"); n != 2 {
		t.Errorf("%d GetUserId calls, want 2 (stop at the first unknown)", n)
	}
	if got := memberUserIDs(t, ids, store, g.ID); len(got) != 0 {
		t.Fatalf("members after a failed look-up: %v, want none", got)
	}
}

// TestReconcileMembersResumesAfterFailedRemoval: an additive apply whose
// removal of a dropped member fails keeps that membership in Added; the next
// apply removes it, although the refreshed state no longer names the user
// among the prior members (the provider's refresh keeps only listed members
// still present).
func TestReconcileMembersResumesAfterFailedRemoval(t *testing.T) {
	_, _, ctl := vaClient(t) // the fault-injecting front, before the same moto
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_ENDPOINT_URL", "")
	c, err := awsapi.NewClients(context.Background(), awsapi.Config{
		Region: "us-east-1", MaxRetries: 1, // a server error fails at once
		Endpoints: awsapi.Endpoints{SSOAdmin: vaFront.URL, IdentityStore: vaFront.URL},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, store := instance(t, c.SSOAdmin)
	ids := c.IdentityStore
	alice, bob := createUser(t, ids, store, "resume-alice"), createUser(t, ids, store, "resume-bob")
	g, err := awsapi.CreateGroup(ctx, ids, store, "members-resume", "", awsapi.GroupOwnership{})
	if err != nil {
		t.Fatal(err)
	}
	in := awsapi.MembersInput{StoreID: store, GroupID: g.ID, Names: []string{"resume-alice", "resume-bob"}}
	res, err := awsapi.ReconcileMembers(ctx, ids, in)
	if err != nil || len(res.Added) != 2 {
		t.Fatalf("add: %+v, %v", res, err)
	}

	// bob dropped, but the removal fails.
	if err := ctl.SetFaults(ctx, vafront.Faults{ServerErrorRate: 1, Actions: []string{"identitystore:DeleteGroupMembership"}}); err != nil {
		t.Fatal(err)
	}
	in.UserIDs, in.Added, in.Names = res.UserIDs, res.Added, []string{"resume-alice"}
	failed, err := awsapi.ReconcileMembers(ctx, ids, in)
	if err == nil {
		t.Fatal("the removal was made to fail, yet ReconcileMembers succeeded")
	}
	if err := ctl.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	if failed.Removed != 0 || failed.Added["resume-bob"] != res.Added["resume-bob"] {
		t.Fatalf("partial result %+v; want bob's membership still tracked as added", failed)
	}
	if got := memberUserIDs(t, ids, store, g.ID); !slices.Equal(got, sortedIDs(alice, bob)) {
		t.Fatalf("after the failed removal: members %v, want alice and bob", got)
	}

	// Next apply: the state names only alice (listed and present), and still
	// records bob's membership as added.
	in.UserIDs, in.Added = failed.UserIDs, failed.Added
	res, err = awsapi.ReconcileMembers(ctx, ids, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := memberUserIDs(t, ids, store, g.ID); !slices.Equal(got, sortedIDs(alice)) || res.Removed != 1 {
		t.Fatalf("after the retry: members %v, removed %d; want alice only, bob's membership (added by the group) removed", got, res.Removed)
	}
	if !maps.Equal(res.Added, map[string]string{"resume-alice": failed.Added["resume-alice"]}) {
		t.Fatalf("after the retry: added %v, want alice's membership only", res.Added)
	}
}
