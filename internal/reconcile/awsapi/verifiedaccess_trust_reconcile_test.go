package awsapi_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// mutatingEC2 counts the calls that change something (creates, attaches,
// detaches, deletes, modifies).
func mutatingEC2(c *callCounter) map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for op, n := range c.counts {
		for _, verb := range []string{"Create", "Attach", "Detach", "Delete", "Modify", "Authorize", "Revoke"} {
			if strings.HasPrefix(op, verb) {
				out[op] = n
			}
		}
	}
	return out
}

// liveTrust reads what the provider reads before reconciling: the
// instance's attachments and the owned-or-attached trust providers.
func liveTrust(t *testing.T, c *ec2.Client, instanceID string) ([]string, map[string]*awsapi.VerifiedAccessTrustProvider) {
	t.Helper()
	ctx := context.Background()
	in, err := awsapi.FindVerifiedAccessInstance(ctx, c, instanceID)
	if err != nil {
		t.Fatal(err)
	}
	known, err := awsapi.FindProxyTrustProviders(ctx, c, instanceID, in.TrustProviderIDs)
	if err != nil {
		t.Fatal(err)
	}
	return in.TrustProviderIDs, known
}

// assertAttached checks that the instance has exactly ids attached.
func assertAttached(t *testing.T, c *ec2.Client, instanceID string, ids map[string]string) {
	t.Helper()
	attached, _ := liveTrust(t, c, instanceID)
	want := slices.Sorted(maps.Values(ids))
	got := slices.Sorted(slices.Values(attached))
	if !slices.Equal(got, want) {
		t.Fatalf("attached to %s: %v, want %v", instanceID, got, want)
	}
}

func wantCalls(t *testing.T, step string, got, want map[string]int) {
	t.Helper()
	for op, n := range want {
		if n == 0 {
			delete(want, op)
		}
	}
	if !maps.Equal(got, want) {
		t.Fatalf("%s: mutating calls %v, want %v", step, got, want)
	}
}

// TestReconcileTrustProviders walks one instance through every case of
// ReconcileTrustProviders with exact mutating-call counts: create + attach
// from nothing; nothing on a re-run; a changed provider replaced; an owned
// but unattached provider reused (a stale one deleted); a foreign provider
// detached only, even when it matches a desired one; then everything removed.
func TestReconcileTrustProviders(t *testing.T) {
	ctx := context.Background()
	c, calls, _ := vaClient(t)
	in, err := awsapi.CreateVerifiedAccessInstance(ctx, c, awsapi.CreateVerifiedAccessInstanceInput{Description: "trust reconcile"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = awsapi.DeleteVerifiedAccessInstance(context.Background(), c, in.ID) })
	owner := map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagProxyID: in.ID}
	idc := awsapi.TrustProviderSpec{Kind: awsapi.TrustProviderUser, Type: "iam-identity-center", Reference: "idc", Tags: owner}
	jamf := awsapi.TrustProviderSpec{Kind: awsapi.TrustProviderDevice, Type: "jamf", Reference: "jamf", TenantID: "t1", Tags: owner}
	desired := []awsapi.TrustProviderSpec{idc, jamf}

	reconcile := func(step string, desired []awsapi.TrustProviderSpec) (map[string]string, map[string]*awsapi.VerifiedAccessTrustProvider) {
		t.Helper()
		attached, known := liveTrust(t, c, in.ID)
		calls.reset()
		ids, kept, err := awsapi.ReconcileTrustProviders(ctx, c, in.ID, desired, attached, known)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if len(ids) != len(desired) {
			t.Fatalf("%s: ids %v, want one per desired provider (%d)", step, ids, len(desired))
		}
		for _, s := range desired {
			if ids[s.Reference] == "" {
				t.Fatalf("%s: no id for reference %q: %v", step, s.Reference, ids)
			}
		}
		return ids, kept
	}

	// 1. From nothing: two creates, two attaches, nothing kept.
	ids, kept := reconcile("create", desired)
	wantCalls(t, "create", mutatingEC2(calls), map[string]int{"CreateVerifiedAccessTrustProvider": 2, "AttachVerifiedAccessTrustProvider": 2})
	if len(kept) != 0 {
		t.Errorf("create: kept %v, want none", kept)
	}
	assertAttached(t, c, in.ID, ids)
	first := maps.Clone(ids)

	// 2. Same desired state: the same ids, all kept, no mutating call.
	ids, kept = reconcile("re-run", desired)
	wantCalls(t, "re-run", mutatingEC2(calls), nil)
	if !maps.Equal(ids, first) || len(kept) != 2 || kept["idc"].ID != first["idc"] || kept["jamf"].ID != first["jamf"] {
		t.Fatalf("re-run: ids %v kept %v, want %v all kept", ids, kept, first)
	}

	// 3. The device tenant changes (immutable): detach, delete, create, attach
	// that one; the user provider is untouched.
	jamf.TenantID = "t2"
	desired = []awsapi.TrustProviderSpec{idc, jamf}
	ids, kept = reconcile("replace", desired)
	wantCalls(t, "replace", mutatingEC2(calls), map[string]int{
		"DetachVerifiedAccessTrustProvider": 1, "DeleteVerifiedAccessTrustProvider": 1,
		"CreateVerifiedAccessTrustProvider": 1, "AttachVerifiedAccessTrustProvider": 1,
	})
	if ids["idc"] != first["idc"] || ids["jamf"] == first["jamf"] {
		t.Fatalf("replace: ids %v; want idc kept (%s) and a new jamf (not %s)", ids, first["idc"], first["jamf"])
	}
	if len(kept) != 1 || kept["idc"] == nil {
		t.Errorf("replace: kept %v, want only idc", kept)
	}
	if gone, err := awsapi.FindVerifiedAccessTrustProviders(ctx, c, []string{first["jamf"]}); err != nil || len(gone) != 0 {
		t.Fatalf("replace: the old owned provider still exists: %v, %v", gone, err)
	}
	if live, _ := awsapi.FindVerifiedAccessTrustProviders(ctx, c, []string{ids["jamf"]}); live[ids["jamf"]].TenantID != "t2" {
		t.Fatalf("replace: new provider %+v, want tenant t2", live[ids["jamf"]])
	}
	assertAttached(t, c, in.ID, ids)
	second := maps.Clone(ids)

	// 4. An interrupted apply left two owned providers unattached: one that
	// matches a newly desired provider (reused, not duplicated) and one that
	// nothing wants (deleted).
	cs := awsapi.TrustProviderSpec{Kind: awsapi.TrustProviderDevice, Type: "crowdstrike", Reference: "cs", TenantID: "t3", Tags: owner}
	orphan, err := awsapi.CreateVerifiedAccessTrustProvider(ctx, c, cs)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := awsapi.CreateVerifiedAccessTrustProvider(ctx, c, awsapi.TrustProviderSpec{Kind: awsapi.TrustProviderDevice, Type: "jumpcloud", Reference: "stale", TenantID: "t4", Tags: owner})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := awsapi.WaitVerifiedAccessTrustProviders(ctx, c, []string{orphan.ID, stale.ID}); err != nil {
		t.Fatal(err)
	}
	desired = []awsapi.TrustProviderSpec{idc, jamf, cs}
	ids, kept = reconcile("reuse", desired)
	wantCalls(t, "reuse", mutatingEC2(calls), map[string]int{"AttachVerifiedAccessTrustProvider": 1, "DeleteVerifiedAccessTrustProvider": 1})
	if ids["cs"] != orphan.ID || ids["idc"] != second["idc"] || ids["jamf"] != second["jamf"] {
		t.Fatalf("reuse: ids %v; want cs = the orphan %s and the rest unchanged %v", ids, orphan.ID, second)
	}
	if kept["cs"] == nil || kept["cs"].ID != orphan.ID {
		t.Errorf("reuse: kept %v, want the reused orphan among them", kept)
	}
	if left, _ := awsapi.FindVerifiedAccessTrustProviders(ctx, c, []string{stale.ID}); len(left) != 0 {
		t.Fatalf("reuse: the stale owned provider %s was not deleted", stale.ID)
	}
	if owned, _ := awsapi.FindOwnedVerifiedAccessTrustProviders(ctx, c, in.ID); len(owned) != 3 {
		t.Fatalf("reuse: %d owned providers, want 3 (no duplicate)", len(owned))
	}
	assertAttached(t, c, in.ID, ids)
	third := maps.Clone(ids)

	// 5. A provider owned by another proxy is attached to this instance. It
	// is detached, never deleted, and never adopted even though it matches a
	// desired provider exactly: ours is created.
	otherTags := map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagProxyID: "vai-0another0proxy0"}
	jc := awsapi.TrustProviderSpec{Kind: awsapi.TrustProviderDevice, Type: "jumpcloud", Reference: "jc", TenantID: "tj", Tags: otherTags}
	foreign, err := awsapi.CreateVerifiedAccessTrustProvider(ctx, c, jc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := awsapi.WaitVerifiedAccessTrustProviders(ctx, c, []string{foreign.ID}); err != nil {
		t.Fatal(err)
	}
	if err := awsapi.AttachVerifiedAccessTrustProvider(ctx, c, in.ID, foreign.ID); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = awsapi.DeleteVerifiedAccessTrustProvider(context.Background(), c, foreign.ID) })
	ours := jc
	ours.Tags = owner
	desired = []awsapi.TrustProviderSpec{idc, jamf, cs, ours}
	ids, _ = reconcile("foreign", desired)
	wantCalls(t, "foreign", mutatingEC2(calls), map[string]int{
		"DetachVerifiedAccessTrustProvider": 1, "CreateVerifiedAccessTrustProvider": 1, "AttachVerifiedAccessTrustProvider": 1,
	})
	if ids["jc"] == foreign.ID {
		t.Fatalf("foreign: the provider of another proxy was adopted as jc")
	}
	for _, ref := range []string{"idc", "jamf", "cs"} {
		if ids[ref] != third[ref] {
			t.Fatalf("foreign: %s changed from %s to %s", ref, third[ref], ids[ref])
		}
	}
	left, err := awsapi.FindVerifiedAccessTrustProviders(ctx, c, []string{foreign.ID})
	if err != nil || left[foreign.ID] == nil || left[foreign.ID].Tags[awsapi.TagProxyID] != "vai-0another0proxy0" {
		t.Fatalf("foreign: the other proxy's provider was deleted or changed: %v, %v", left, err)
	}
	assertAttached(t, c, in.ID, ids)

	// 6. Nothing desired: every owned provider detached and deleted.
	attached, known := liveTrust(t, c, in.ID)
	calls.reset()
	ids, kept, err = awsapi.ReconcileTrustProviders(ctx, c, in.ID, nil, attached, known)
	if err != nil {
		t.Fatal(err)
	}
	wantCalls(t, "remove all", mutatingEC2(calls), map[string]int{"DetachVerifiedAccessTrustProvider": 4, "DeleteVerifiedAccessTrustProvider": 4})
	if len(ids) != 0 || len(kept) != 0 {
		t.Fatalf("remove all: ids %v kept %v, want none", ids, kept)
	}
	assertAttached(t, c, in.ID, nil)
	if owned, _ := awsapi.FindOwnedVerifiedAccessTrustProviders(ctx, c, in.ID); len(owned) != 0 {
		t.Fatalf("remove all: owned providers left: %v", owned)
	}
}
