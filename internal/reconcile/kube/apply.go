// Package kube reconciles compiled Kubernetes objects (NetworkPolicies, Istio
// AuthorizationPolicies) with a cluster through client-go server-side apply.
//
// Ownership is explicit: every object the provider writes carries the
// managed-by label and an owner label naming the Terraform resource that
// compiled it. The reconciler lists only objects carrying both (one filtered
// LIST per kind, across namespaces), learns from unfiltered LISTs whether a
// name it is about to create is held by an object it does not own (and then
// refuses, before writing anything), applies with its own field manager only
// the desired objects the cluster does not already hold as desired, and
// deletes owned objects that are no longer desired. Given the UIDs of its
// last apply, a change that keeps every name is written by UID instead,
// with no LIST (see applyPinned).
package kube

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Result says what an Apply changed. Unchanged lists the desired objects
// the cluster already held as desired, which were not re-applied.
type Result struct {
	Applied, Deleted, Unchanged []Key
	// UIDs are the UIDs of the owner's own objects after the apply (not
	// the shared ones it holds), by manifest key; nil when the apply
	// failed. Recorded and passed to the next apply, they let it write
	// a change without listing first (see applyPinned).
	UIDs map[string]string
}

// AppliedAnnotation holds a digest of the object as the reconciler last
// applied it (compiled object plus ownership labels). An owned object whose
// digest matches and whose live fields hold every desired value is not
// re-applied; a changed desired object — including one that only drops a
// field, which the "desired ⊆ live" comparison alone cannot see — changes
// the digest and is applied.
const AppliedAnnotation = "zerotrust.ztforge.io/applied-sha256"

// Apply makes the cluster hold exactly the desired objects for owner: each
// is server-side applied (with the owner's labels added) unless the owned
// live object already holds it, and owned objects not desired any more are
// deleted. An edit someone made to a field the provider set is drift
// (ObjectDrift) and is corrected.
//
// Requests: one label-filtered LIST per managed kind (every object the
// provider manages, when the owner holds or wants shared objects of the
// kind: they are told apart in it); one unfiltered LIST per (kind,
// namespace) holding a desired name the owner does not have yet (to refuse
// taking over a foreign object of that name, before anything is written);
// one APPLY per new or changed object; one DELETE per owned object no
// longer desired. ApplyManifestsRecorded lists fewer kinds and merges the
// LISTs of a kind that gains names.
func (c *Client) Apply(ctx context.Context, owner string, desired []*unstructured.Unstructured) (Result, error) {
	return c.apply(ctx, owner, desired, nil, nil)
}

// apply is Apply; recorded, when not nil, are the manifests the previous
// apply wrote (the resource's state): only the kinds among the desired and
// recorded objects are listed, and a kind with a desired name not recorded
// is listed once across namespaces without a label filter (its owned
// objects and the names a foreign object already holds in one request).
func (c *Client) apply(ctx context.Context, owner string, desired []*unstructured.Unstructured, recorded, uids map[string]string) (Result, error) {
	var res Result
	for _, d := range desired {
		if _, ok := managedKinds[d.GroupVersionKind()]; !ok {
			return res, fmt.Errorf("%s: kind %s is not managed by this provider", KeyOf(d), d.GroupVersionKind())
		}
	}
	desired, shared := splitShared(desired)
	objs := make([]*unstructured.Unstructured, 0, len(desired))
	for _, d := range desired {
		obj := d.DeepCopy()
		if _, ok := managedKinds[obj.GroupVersionKind()]; !ok {
			return res, fmt.Errorf("%s: kind %s is not managed by this provider", KeyOf(obj), obj.GroupVersionKind())
		}
		setOwnerLabels(obj, owner)
		if err := setAppliedDigest(obj); err != nil {
			return res, fmt.Errorf("%s: %w", KeyOf(obj), err)
		}
		objs = append(objs, obj)
	}

	snap := newSnapshot(owner)
	kinds := allKinds()
	if recorded != nil {
		keys := ownKeys(recorded)
		for _, o := range objs {
			keys = append(keys, ManifestKey(o))
		}
		kinds = kindsOfKeys(keys)
	}
	// The kinds of shared objects the owner holds or wants: their shared
	// objects are needed too.
	sharedKinds := allKinds()
	if recorded != nil {
		sharedKinds = nil
		if keys := sharedKeys(recorded); len(keys) > 0 {
			sharedKinds = kindsOfKeys(keys)
		}
	}
	for _, d := range shared {
		sharedKinds = append(sharedKinds, managedKinds[d.GroupVersionKind()])
	}
	sharedKinds = uniqueKinds(sharedKinds)
	for _, gvr := range kinds {
		gains := false
		for _, o := range objs {
			if _, ok := recorded[ManifestKey(o)]; recorded != nil && !ok && managedKinds[o.GroupVersionKind()] == gvr {
				gains = true
				break
			}
		}
		var err error
		switch {
		case gains:
			err = c.listAll(ctx, snap, gvr, metav1.NamespaceAll)
		case slices.Contains(sharedKinds, gvr):
			// One LIST of every object this provider manages tells the
			// owner's objects and the shared ones apart.
			err = c.listManaged(ctx, snap, gvr)
		default:
			err = c.listOwned(ctx, snap, gvr)
		}
		if err != nil {
			return res, err
		}
	}
	// Desired names the owner does not have: learn what holds them, one
	// unfiltered LIST per (kind, namespace) not seen whole yet.
	for _, o := range objs {
		gvr := managedKinds[o.GroupVersionKind()]
		if _, owned := snap.owned[KeyOf(o)]; owned || snap.seenWhole(gvr, o.GetNamespace()) {
			continue
		}
		if err := c.listAll(ctx, snap, gvr, o.GetNamespace()); err != nil {
			return res, err
		}
	}
	// Refuse before writing anything.
	for _, o := range objs {
		if f, ok := snap.foreign[KeyOf(o)]; ok {
			return res, &NotOwnedError{Object: KeyOf(o), Labels: f.GetLabels()}
		}
	}
	// An object carrying the owner's labels under a name whose UID was
	// recorded, with another UID, was not written by this owner: the
	// labels are not proof, the recorded identity is.
	for _, o := range snap.ownedObjects() {
		if want := uids[ManifestKey(o)]; want != "" && string(o.GetUID()) != want {
			return res, &ReplacedError{Object: KeyOf(o), UID: string(o.GetUID()), RecordedUID: want}
		}
	}
	// Shared objects (a namespace's default-deny first) are held before the
	// owner's allow policies are written; applyShared too refuses a foreign
	// name before writing.
	sres, err := c.applyShared(ctx, owner, shared, sharedKinds, snap)
	res.Applied, res.Deleted, res.Unchanged = sres.Applied, sres.Deleted, sres.Unchanged
	if err != nil {
		return res, err
	}

	want := map[Key]bool{}
	held := map[string]string{} // manifest key -> UID
	for _, obj := range objs {
		key := KeyOf(obj)
		want[key] = true
		live := snap.owned[key]
		if live != nil && ObjectDrift(obj, live) == "" {
			res.Unchanged = append(res.Unchanged, key)
			held[ManifestKey(obj)] = string(live.GetUID())
			continue
		}
		gvr := managedKinds[obj.GroupVersionKind()]
		written, err := c.dyn.Resource(gvr).Namespace(obj.GetNamespace()).Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: FieldManager, Force: c.Force})
		if err != nil && apierrors.IsConflict(err) {
			// An imperative edit (kubectl edit, an Update by a controller)
			// takes ownership of the fields it changed: that is drift in what
			// this resource owns, and correcting it is the resource's job.
			// Another server-side applier is a declared co-owner: its
			// conflict is reported unless forcing was configured.
			appliers := conflictingAppliers(live, conflictManagers(err))
			if len(appliers) > 0 {
				return res, &ConflictError{Object: key, Detail: conflictDetail(err)}
			}
			written, err = c.dyn.Resource(gvr).Namespace(obj.GetNamespace()).Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
		}
		if err != nil {
			if apierrors.IsConflict(err) {
				return res, &ConflictError{Object: key, Detail: conflictDetail(err)}
			}
			return res, fmt.Errorf("applying %s: %w", key, err)
		}
		res.Applied = append(res.Applied, key)
		held[ManifestKey(obj)] = string(written.GetUID())
	}
	for _, o := range snap.ownedObjects() {
		key := KeyOf(o)
		if want[key] {
			continue
		}
		if err := c.delete(ctx, o); err != nil {
			return res, err
		}
		res.Deleted = append(res.Deleted, key)
	}
	res.UIDs = held
	return res, nil
}

// setAppliedDigest sets AppliedAnnotation to the digest of the object
// without it.
func setAppliedDigest(o *unstructured.Unstructured) error {
	a := o.GetAnnotations()
	delete(a, AppliedAnnotation)
	if len(a) == 0 {
		a = nil
	}
	o.SetAnnotations(a)
	b, err := json.Marshal(o.Object)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	if a == nil {
		a = map[string]string{}
	}
	a[AppliedAnnotation] = hex.EncodeToString(sum[:])
	o.SetAnnotations(a)
	return nil
}
