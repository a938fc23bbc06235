package kube

// An apply that keeps every name it had can skip the LIST: the resource
// recorded the UID the API server gave each of its objects, and a write
// carrying that UID is refused by the server when the name now holds
// another object (a deleted one's successor, or someone else's). The
// identity is checked by the server at the moment of the write, so nothing
// read earlier — by the plan's refresh, in another provider process — is
// trusted.

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
)

// pinnedPlan is what a pinned apply writes: changed owned objects with
// their recorded UIDs, owned objects to delete, and the unchanged rest.
type pinnedPlan struct {
	write     []*unstructured.Unstructured // UID set
	remove    []*unstructured.Unstructured // identity and UID only
	unchanged []*unstructured.Unstructured
}

// planPinned decides whether manifests can be applied by UID alone, given
// what the previous apply recorded: the manifests and the UIDs of the owned
// objects. It cannot when a name is new (a foreign object may hold it:
// only a LIST tells), when a recorded entry is a note (drift seen by the
// refresh, or an import placeholder: the LIST path corrects them), when
// the shared objects held change (holding and letting go are decided on
// the live object), or when an owned object's UID was not recorded.
func planPinned(manifests, recorded, uids map[string]string) (pinnedPlan, bool) {
	var p pinnedPlan
	if len(recorded) == 0 || len(uids) == 0 {
		return p, false
	}
	for _, text := range recorded {
		if strings.HasPrefix(text, "#") {
			return p, false
		}
	}
	for _, k := range slices.Sorted(maps.Keys(manifests)) {
		text := manifests[k]
		before, had := recorded[k]
		if !had {
			return p, false
		}
		o, ok := managedManifest(k, text)
		if !ok {
			return p, false
		}
		if isShared(o) {
			if before != text {
				return p, false
			}
			p.unchanged = append(p.unchanged, o)
			continue
		}
		uid := uids[k]
		if uid == "" {
			return p, false
		}
		if before == text {
			p.unchanged = append(p.unchanged, o)
			continue
		}
		o.SetUID(types.UID(uid))
		p.write = append(p.write, o)
	}
	for _, k := range slices.Sorted(maps.Keys(recorded)) {
		if _, planned := manifests[k]; planned {
			continue
		}
		o, ok := managedManifest(k, recorded[k])
		if !ok || isShared(o) || uids[k] == "" {
			return p, false
		}
		id := &unstructured.Unstructured{}
		id.SetAPIVersion(o.GetAPIVersion())
		id.SetKind(o.GetKind())
		id.SetNamespace(o.GetNamespace())
		id.SetName(o.GetName())
		id.SetUID(types.UID(uids[k]))
		p.remove = append(p.remove, id)
	}
	return p, true
}

// managedManifest parses the manifest recorded or planned under key k: an
// object of a managed kind whose own key is k.
func managedManifest(k, text string) (*unstructured.Unstructured, bool) {
	o, ok := ParseManifest(text)
	if !ok || ManifestKey(o) != k {
		return nil, false
	}
	_, managed := managedKinds[o.GroupVersionKind()]
	return o, managed
}

// applyPinned writes a pinned plan: one APPLY per changed object, one
// DELETE per object no longer planned, no LIST. done is false when the
// server refused a write — the object behind a name is not the recorded
// one any more, or another manager holds a field — and the caller must
// take the LIST path, which sees what the cluster holds and decides;
// objects written before the refusal are the owner's and stay written.
func (c *Client) applyPinned(ctx context.Context, owner string, p pinnedPlan, uids map[string]string) (res Result, done bool, err error) {
	res.UIDs = map[string]string{}
	for _, o := range p.unchanged {
		res.Unchanged = append(res.Unchanged, KeyOf(o))
		if k := ManifestKey(o); !isShared(o) {
			res.UIDs[k] = uids[k]
		}
	}
	for _, obj := range p.write {
		// The digest is of the object as the LIST path applies it, so
		// either path sees the other's write as unchanged: the UID goes
		// in after.
		uid := obj.GetUID()
		obj.SetUID("")
		setOwnerLabels(obj, owner)
		if err := setAppliedDigest(obj); err != nil {
			return res, false, fmt.Errorf("%s: %w", KeyOf(obj), err)
		}
		obj.SetUID(uid)
		gvr := managedKinds[obj.GroupVersionKind()]
		live, err := c.dyn.Resource(gvr).Namespace(obj.GetNamespace()).Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: FieldManager, Force: c.Force})
		switch {
		case apierrors.IsConflict(err) || apierrors.IsInvalid(err):
			// uid mismatch (the recorded object is gone), uid immutable
			// (another object holds the name), or a field conflict.
			return res, false, nil
		case err != nil:
			return res, false, fmt.Errorf("applying %s: %w", KeyOf(obj), err)
		}
		res.Applied = append(res.Applied, KeyOf(obj))
		res.UIDs[ManifestKey(obj)] = string(live.GetUID())
	}
	for _, id := range p.remove {
		gvr := managedKinds[id.GroupVersionKind()]
		uid := id.GetUID()
		err := c.dyn.Resource(gvr).Namespace(id.GetNamespace()).Delete(ctx, id.GetName(), metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
		switch {
		case err == nil:
			res.Deleted = append(res.Deleted, KeyOf(id))
		case apierrors.IsNotFound(err), apierrors.IsConflict(err):
			// Gone already, or the name now holds an object that is not
			// the recorded one: not the owner's to delete.
		default:
			return res, false, fmt.Errorf("deleting %s: %w", KeyOf(id), err)
		}
	}
	return res, true, nil
}
