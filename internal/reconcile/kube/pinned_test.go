package kube

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
)

// TestApplyPinnedByUID: with the UIDs of the last apply, a change that keeps
// every name is written with no LIST — one APPLY per changed object, one
// DELETE per removed one — and the server's UID check, not a read, proves
// each object is still the one the owner wrote.
func TestApplyPinnedByUID(t *testing.T) {
	ctx := context.Background()
	c, rc := countingClient(t, "pin-a", "pin-b")
	_, dyn := testClient(t)
	owner := "seg-pin"
	planned := manifestsOf(t, twelve("pin-a", "pin-b"))
	t.Cleanup(func() { _, _ = c.DeleteAll(context.Background(), owner) })

	rc.take()
	created, err := c.ApplyManifestsRecorded(ctx, owner, planned, nil, nil, false)
	if err != nil || len(created.UIDs) != 12 {
		t.Fatalf("create: %d UIDs, %v", len(created.UIDs), err)
	}
	expect(t, rc, "create (no UIDs yet: LIST path)", "apply authorizationpolicies=2, apply networkpolicies=10, list authorizationpolicies=1, list networkpolicies=1")
	for k, uid := range created.UIDs {
		live, err := dyn.Resource(NetworkPolicyGVR).Namespace(strings.Split(k, "/")[3]).Get(ctx, strings.Split(k, "/")[4], metav1.GetOptions{})
		if strings.Contains(k, "/NetworkPolicy/") && (err != nil || string(live.GetUID()) != uid) {
			t.Fatalf("%s: recorded UID %s, live %v (%v)", k, uid, live, err)
		}
	}

	if res, err := c.ApplyManifestsRecorded(ctx, owner, planned, planned, created.UIDs, false); err != nil || len(res.Applied) != 0 || len(res.Unchanged) != 12 || !maps.Equal(res.UIDs, created.UIDs) {
		t.Fatalf("unchanged: %+v %v", res, err)
	}
	expect(t, rc, "unchanged (pinned)", "")

	changedObjs := twelve("pin-a", "pin-b")
	changedObjs[7] = netpol("pin-b", "flow-1", 9999)
	changed := manifestsOf(t, changedObjs)
	res, err := c.ApplyManifestsRecorded(ctx, owner, changed, planned, created.UIDs, false)
	if err != nil || keys(res.Applied) != "NetworkPolicy pin-b/flow-1" || !maps.Equal(res.UIDs, created.UIDs) {
		t.Fatalf("one change: %+v %v", res, err)
	}
	expect(t, rc, "one changed (pinned)", "apply networkpolicies=1")
	live, err := dyn.Resource(NetworkPolicyGVR).Namespace("pin-b").Get(ctx, "flow-1", metav1.GetOptions{})
	if err != nil || !strings.Contains(mustJSON(t, live.Object["spec"]), "9999") || live.GetLabels()[kubernetes.OwnerLabel] != owner {
		t.Fatalf("the change was not written: %v %v", live, err)
	}

	// Dropping the AuthorizationPolicies: deleted by UID, nothing listed.
	npOnly := map[string]string{}
	for k, v := range changed {
		if strings.Contains(k, "/NetworkPolicy/") {
			npOnly[k] = v
		}
	}
	res, err = c.ApplyManifestsRecorded(ctx, owner, npOnly, changed, created.UIDs, false)
	if err != nil || keys(res.Deleted) != "AuthorizationPolicy pin-a/flow-authz,AuthorizationPolicy pin-b/flow-authz" || len(res.UIDs) != 10 {
		t.Fatalf("dropping Istio: %+v %v", res, err)
	}
	expect(t, rc, "drop the AuthorizationPolicies (pinned)", "delete authorizationpolicies=2")
	uids := res.UIDs

	// Deleted out of band, then changed: the server refuses the recorded
	// UID, and the LIST path re-creates the object.
	if err := dyn.Resource(NetworkPolicyGVR).Namespace("pin-a").Delete(ctx, "flow-2", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	next := maps.Clone(npOnly)
	next[manifestKeyOf(t, netpol("pin-a", "flow-2", 1))] = manifestsOf(t, []*unstructuredT{netpol("pin-a", "flow-2", 7777)})[manifestKeyOf(t, netpol("pin-a", "flow-2", 1))]
	res, err = c.ApplyManifestsRecorded(ctx, owner, next, npOnly, uids, false)
	key := manifestKeyOf(t, netpol("pin-a", "flow-2", 1))
	if err != nil || keys(res.Applied) != "NetworkPolicy pin-a/flow-2" || res.UIDs[key] == "" || res.UIDs[key] == uids[key] {
		t.Fatalf("re-create after an out-of-band delete: %+v %v", res, err)
	}
	expect(t, rc, "deleted out of band (refused UID, then LIST)", "apply networkpolicies=2, list networkpolicies=2")
	uids = res.UIDs

	// Replaced out of band by a foreign object of the same name: the
	// recorded UID is refused, the LIST path refuses the foreign name, and
	// the foreign object is left as it was.
	if err := dyn.Resource(NetworkPolicyGVR).Namespace("pin-b").Delete(ctx, "flow-3", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	foreign := netpol("pin-b", "flow-3", 80)
	foreign.SetLabels(map[string]string{"team": "other"})
	if _, err := dyn.Resource(NetworkPolicyGVR).Namespace("pin-b").Create(ctx, foreign, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	key3 := manifestKeyOf(t, netpol("pin-b", "flow-3", 1))
	replaced := maps.Clone(next)
	replaced[key3] = manifestsOf(t, []*unstructuredT{netpol("pin-b", "flow-3", 6666)})[key3]
	var notOwned *NotOwnedError
	if _, err := c.ApplyManifestsRecorded(ctx, owner, replaced, next, uids, false); !errors.As(err, &notOwned) || notOwned.Object.Name != "flow-3" {
		t.Fatalf("want NotOwnedError on flow-3, got %v", err)
	}
	expect(t, rc, "replaced by a foreign object (refused UID, then LIST)", "apply networkpolicies=1, list networkpolicies=2")
	got, err := dyn.Resource(NetworkPolicyGVR).Namespace("pin-b").Get(ctx, "flow-3", metav1.GetOptions{})
	if err != nil || got.GetLabels()["team"] != "other" || got.GetLabels()[kubernetes.OwnerLabel] != "" || strings.Contains(mustJSON(t, got.Object["spec"]), "6666") {
		t.Fatalf("foreign object was touched: %v %v", got, err)
	}

	// Removing that name: the DELETE carries the recorded UID, so the
	// foreign object holding the name now is not deleted.
	without := maps.Clone(next)
	delete(without, key3)
	if res, err := c.ApplyManifestsRecorded(ctx, owner, without, next, uids, false); err != nil || len(res.Deleted) != 0 {
		t.Fatalf("removing a replaced object: %+v %v", res, err)
	}
	expect(t, rc, "remove a name a foreign object now holds (pinned)", "delete networkpolicies=1")
	if _, err := dyn.Resource(NetworkPolicyGVR).Namespace("pin-b").Get(ctx, "flow-3", metav1.GetOptions{}); err != nil {
		t.Fatalf("the foreign object was deleted: %v", err)
	}
	_ = dyn.Resource(NetworkPolicyGVR).Namespace("pin-b").Delete(ctx, "flow-3", metav1.DeleteOptions{})
}

// TestPlanPinnedNeedsListing: the cases the pinned path leaves to the LIST
// path.
func TestPlanPinnedNeedsListing(t *testing.T) {
	a := manifestsOf(t, []*unstructuredT{netpol("ns", "a", 80)})
	ka := manifestKeyOf(t, netpol("ns", "a", 80))
	b := manifestsOf(t, []*unstructuredT{netpol("ns", "a", 81), netpol("ns", "b", 82)})
	uids := map[string]string{ka: "u-a"}
	shared := netpol("ns", "deny", 1)
	shared.SetLabels(map[string]string{kubernetes.ManagedByLabel: kubernetes.ManagedByValue, kubernetes.SharedLabel: "true"})
	withShared := manifestsOf(t, []*unstructuredT{netpol("ns", "a", 80), shared})

	for name, tc := range map[string]struct {
		manifests, recorded, uids map[string]string
		pinned                    bool
	}{
		"first apply":              {a, nil, nil, false},
		"no UIDs recorded":         {a, a, nil, false},
		"a new name":               {b, a, uids, false},
		"a drift note recorded":    {a, map[string]string{ka: DriftPrefix + "missing in the cluster\n"}, uids, false},
		"an import placeholder":    {a, map[string]string{ka: ImportedPlaceholder}, uids, false},
		"a shared object joined":   {withShared, a, uids, false},
		"a shared object let go":   {a, withShared, uids, false},
		"an owned object's UID":    {a, a, map[string]string{"other": "u"}, false},
		"same names, same content": {a, a, uids, true},
		"same names, a change":     {manifestsOf(t, []*unstructuredT{netpol("ns", "a", 99)}), a, uids, true},
		"a shared object kept":     {withShared, withShared, uids, true},
	} {
		if _, ok := planPinned(tc.manifests, tc.recorded, tc.uids); ok != tc.pinned {
			t.Errorf("%s: pinned %v, want %v", name, ok, tc.pinned)
		}
	}
}

type unstructuredT = unstructured.Unstructured

func manifestKeyOf(t *testing.T, o *unstructured.Unstructured) string {
	t.Helper()
	return ManifestKey(o)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestApplyRefusesReplacedObject: an object carrying the owner's labels
// under a recorded name, but with another UID than the one recorded, is not
// the owner's: the refresh reports it and the apply refuses before writing
// anything, leaving it as it is, and destroying the owner leaves it too.
// Without a recorded UID (an interrupted create) the owner's labels still
// find the owner's object again.
func TestApplyRefusesReplacedObject(t *testing.T) {
	ctx := context.Background()
	c, _ := countingClient(t, "rep")
	_, dyn := testClient(t)
	owner := "seg-rep"
	t.Cleanup(func() { _, _ = c.DeleteAll(context.Background(), owner) })
	planned := manifestsOf(t, []*unstructuredT{netpol("rep", "flow-a", 80), netpol("rep", "flow-b", 81)})
	created, err := c.ApplyManifestsRecorded(ctx, owner, planned, nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}

	// Someone deletes flow-a and creates another object of that name,
	// carrying the owner's labels.
	if err := dyn.Resource(NetworkPolicyGVR).Namespace("rep").Delete(ctx, "flow-a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	impostor := netpol("rep", "flow-a", 1)
	impostor.SetLabels(map[string]string{kubernetes.ManagedByLabel: kubernetes.ManagedByValue, kubernetes.OwnerLabel: owner})
	if _, err := dyn.Resource(NetworkPolicyGVR).Namespace("rep").Create(ctx, impostor, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	keyA := manifestKeyOf(t, netpol("rep", "flow-a", 80))

	view, err := c.ReadManifests(ctx, owner, planned, created.UIDs)
	if err != nil || !strings.Contains(view[keyA], "replaced in the cluster") {
		t.Fatalf("refresh: want flow-a reported as replaced, got %q (%v)", view[keyA], err)
	}
	if plain, _ := c.ReadManifests(ctx, owner, planned, nil); plain[keyA] == view[keyA] {
		t.Fatalf("without recorded UIDs the refresh cannot tell, yet reported %q", plain[keyA])
	}

	var replaced *ReplacedError
	_, err = c.ApplyManifestsRecorded(ctx, owner, planned, view, created.UIDs, false)
	if !errors.As(err, &replaced) || replaced.Object.Name != "flow-a" || replaced.RecordedUID != created.UIDs[keyA] {
		t.Fatalf("apply: want ReplacedError on flow-a, got %v", err)
	}
	got, err := dyn.Resource(NetworkPolicyGVR).Namespace("rep").Get(ctx, "flow-a", metav1.GetOptions{})
	if err != nil || strings.Contains(mustJSON(t, got.Object["spec"]), `"port":80`) || got.GetAnnotations()[AppliedAnnotation] != "" {
		t.Fatalf("the replacing object was written to: %v %v", got, err)
	}

	// No recorded UID for it: the labels decide, as after an interrupted
	// create, and the apply takes the object back.
	uids := maps.Clone(created.UIDs)
	delete(uids, keyA)
	res, err := c.ApplyManifestsRecorded(ctx, owner, planned, view, uids, false)
	if err != nil || keys(res.Applied) != "NetworkPolicy rep/flow-a" {
		t.Fatalf("apply without a recorded UID: %+v %v", res, err)
	}

	// Replaced again, then the policy destroyed: the replacing object is
	// not deleted with the owner's.
	if err := dyn.Resource(NetworkPolicyGVR).Namespace("rep").Delete(ctx, "flow-a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(NetworkPolicyGVR).Namespace("rep").Create(ctx, impostor, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deleted, err := c.DeleteRecorded(ctx, owner, planned, res.UIDs)
	if err != nil || keys(deleted) != "NetworkPolicy rep/flow-b" {
		t.Fatalf("destroy: deleted %v (%v), want flow-b only", keys(deleted), err)
	}
	if _, err := dyn.Resource(NetworkPolicyGVR).Namespace("rep").Get(ctx, "flow-a", metav1.GetOptions{}); err != nil {
		t.Fatalf("the replacing object was deleted: %v", err)
	}
}
