package awsapi_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
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

// TestReconcileTrustProvidersSwapsUserProvider: an instance holds one user
// provider and reference names are unique, so swapping the user provider
// detaches the old one before attaching the new one: first onto an owned
// orphan left by an interrupted swap (reused), then back to a fresh one.
func TestReconcileTrustProvidersSwapsUserProvider(t *testing.T) {
	ctx := context.Background()
	c, calls, _ := vaClient(t)
	in, err := awsapi.CreateVerifiedAccessInstance(ctx, c, awsapi.CreateVerifiedAccessInstanceInput{Description: "user swap"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = awsapi.DeleteVerifiedAccessInstance(context.Background(), c, in.ID) })
	owner := map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagProxyID: in.ID}
	idc := awsapi.TrustProviderSpec{Kind: awsapi.TrustProviderUser, Type: "iam-identity-center", Reference: "idp", Tags: owner}
	oidc := awsapi.TrustProviderSpec{Kind: awsapi.TrustProviderUser, Type: "oidc", Reference: "idp", Tags: owner,
		OIDC: &awsapi.OIDCOptions{Issuer: "https://idp.example.com", AuthorizationEndpoint: "https://idp.example.com/auth", TokenEndpoint: "https://idp.example.com/token",
			UserInfoEndpoint: "https://idp.example.com/userinfo", ClientID: "zt", ClientSecret: "s3cret", Scope: "openid"}}

	step := func(name string, desired awsapi.TrustProviderSpec, want map[string]int) string {
		t.Helper()
		attached, known := liveTrust(t, c, in.ID)
		calls.reset()
		ids, _, err := awsapi.ReconcileTrustProviders(ctx, c, in.ID, []awsapi.TrustProviderSpec{desired}, attached, known)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		wantCalls(t, name, mutatingEC2(calls), want)
		assertAttached(t, c, in.ID, ids)
		live, err := awsapi.FindVerifiedAccessTrustProviders(ctx, c, []string{ids["idp"]})
		if err != nil || live[ids["idp"]] == nil || live[ids["idp"]].Type != desired.Type {
			t.Fatalf("%s: attached provider %v, %v; want a %s provider", name, live, err, desired.Type)
		}
		return ids["idp"]
	}
	first := step("idc", idc, map[string]int{"CreateVerifiedAccessTrustProvider": 1, "AttachVerifiedAccessTrustProvider": 1})

	orphan, err := awsapi.CreateVerifiedAccessTrustProvider(ctx, c, oidc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := awsapi.WaitVerifiedAccessTrustProviders(ctx, c, []string{orphan.ID}); err != nil {
		t.Fatal(err)
	}
	if got := step("to oidc", oidc, map[string]int{"DetachVerifiedAccessTrustProvider": 1, "DeleteVerifiedAccessTrustProvider": 1, "AttachVerifiedAccessTrustProvider": 1}); got != orphan.ID {
		t.Fatalf("to oidc: attached %s, want the orphan %s reused", got, orphan.ID)
	}
	if left, _ := awsapi.FindVerifiedAccessTrustProviders(ctx, c, []string{first}); len(left) != 0 {
		t.Fatalf("to oidc: the replaced idc provider %s still exists", first)
	}
	step("back to idc", idc, map[string]int{
		"DetachVerifiedAccessTrustProvider": 1, "DeleteVerifiedAccessTrustProvider": 1, "CreateVerifiedAccessTrustProvider": 1, "AttachVerifiedAccessTrustProvider": 1,
	})
	if owned, _ := awsapi.FindOwnedVerifiedAccessTrustProviders(ctx, c, in.ID); len(owned) != 1 {
		t.Fatalf("owned providers after the swaps: %d, want 1", len(owned))
	}
}

// TestReconcileTrustProvidersResumesAfterFailedAttach: when attaching fails
// after the creates, the result holds nothing unattached, and the next run
// attaches the providers the failed one made instead of creating more.
func TestReconcileTrustProvidersResumesAfterFailedAttach(t *testing.T) {
	ctx := context.Background()
	c, calls, ctl := vaClient(t)
	in, err := awsapi.CreateVerifiedAccessInstance(ctx, c, awsapi.CreateVerifiedAccessInstanceInput{Description: "resume"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = awsapi.DeleteVerifiedAccessInstance(context.Background(), c, in.ID) })
	owner := map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagProxyID: in.ID}
	desired := []awsapi.TrustProviderSpec{
		{Kind: awsapi.TrustProviderUser, Type: "iam-identity-center", Reference: "idc", Tags: owner},
		{Kind: awsapi.TrustProviderDevice, Type: "crowdstrike", Reference: "cs", TenantID: "t", Tags: owner},
	}
	if err := ctl.SetFaults(ctx, vafront.Faults{ServerErrorRate: 1, Actions: []string{"ec2:AttachVerifiedAccessTrustProvider"}}); err != nil {
		t.Fatal(err)
	}
	ids, _, err := awsapi.ReconcileTrustProviders(ctx, c, in.ID, desired, nil, nil)
	if err == nil {
		t.Fatal("attaching was made to fail, yet ReconcileTrustProviders succeeded")
	}
	if err := ctl.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 0 {
		t.Fatalf("failed run returned ids %v; nothing is attached", ids)
	}
	orphans, err := awsapi.FindOwnedVerifiedAccessTrustProviders(ctx, c, in.ID)
	if err != nil || len(orphans) != 2 {
		t.Fatalf("owned providers after the failed run: %v, %v; want the 2 created", orphans, err)
	}

	attached, known := liveTrust(t, c, in.ID)
	calls.reset()
	ids, _, err = awsapi.ReconcileTrustProviders(ctx, c, in.ID, desired, attached, known)
	if err != nil {
		t.Fatal(err)
	}
	wantCalls(t, "resume", mutatingEC2(calls), map[string]int{"AttachVerifiedAccessTrustProvider": 2})
	if len(ids) != 2 || ids["idc"] == "" || ids["cs"] == "" {
		t.Fatalf("resume: ids %v, want idc and cs", ids)
	}
	for ref, id := range ids {
		if orphans[id] == nil {
			t.Fatalf("resume: %s attached as %s, not one of the providers the failed run made (%v)", ref, id, orphans)
		}
	}
	assertAttached(t, c, in.ID, ids)
	if owned, _ := awsapi.FindOwnedVerifiedAccessTrustProviders(ctx, c, in.ID); len(owned) != 2 {
		t.Fatalf("owned providers after resuming: %d, want 2", len(owned))
	}
}
