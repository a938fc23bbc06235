package kube

// Shared objects — a namespace's default-deny, the DNS egress of a
// segment's pods, Istio's allow-nothing — are compiled identically by every
// policy that needs them (kubernetes.SharedLabel), so the cluster holds one
// of each instead of one per policy. They are held jointly: each policy
// that holds one applies it with its own field manager and its own holder
// label, so server-side apply records every holder; a policy that lets go
// removes only its own label and claim, and the last holder deletes the
// object (conditional on the version it read, so a policy joining at the
// same moment is never left without it).

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
)

// HolderLabelPrefix prefixes the label naming one holder of a shared
// object: HolderLabelPrefix + <owner label value> = "true".
const HolderLabelPrefix = "holder.zerotrust.ztforge.io/"

// holderLabel is owner's holder label key.
func holderLabel(owner string) string { return HolderLabelPrefix + owner }

// holderManager is owner's field manager on shared objects: one per holder,
// so the API server records each holder's claim separately.
func holderManager(owner string) string { return FieldManager + "/" + owner }

// isShared reports whether an object is a shared one.
func isShared(o *unstructured.Unstructured) bool {
	return o.GetLabels()[kubernetes.SharedLabel] == "true"
}

// holders lists the owners holding a shared object, sorted.
func holders(o *unstructured.Unstructured) []string {
	var out []string
	for k, v := range o.GetLabels() {
		if h, ok := strings.CutPrefix(k, HolderLabelPrefix); ok && v == "true" {
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out
}

func sharedSelector() string {
	return labels.SelectorFromSet(labels.Set{kubernetes.ManagedByLabel: kubernetes.ManagedByValue, kubernetes.SharedLabel: "true"}).String()
}

// listShared returns the shared objects of the given kinds, across
// namespaces, by key: one label-filtered LIST per kind.
func (c *Client) listShared(ctx context.Context, kinds []schema.GroupVersionResource) (map[Key]*unstructured.Unstructured, error) {
	objs, err := c.listSelected(ctx, sharedSelector(), kinds)
	out := make(map[Key]*unstructured.Unstructured, len(objs))
	for _, o := range objs {
		out[KeyOf(o)] = o
	}
	return out, err
}

// splitShared separates shared objects from an owner's own.
func splitShared(objs []*unstructured.Unstructured) (own, shared []*unstructured.Unstructured) {
	for _, o := range objs {
		if isShared(o) {
			shared = append(shared, o)
		} else {
			own = append(own, o)
		}
	}
	return own, shared
}

// applyShared makes owner hold exactly the desired shared objects: each is
// applied with owner's field manager and holder label unless owner already
// holds it as desired, and shared objects owner holds but no longer desires
// are let go (deleted with the last holder). A desired name held by an
// object that is not a shared object of this provider is refused before
// anything is written. Requests: one LIST per kind, one unfiltered LIST
// per (kind, namespace) holding a desired object not found by it, one
// APPLY per object joined or corrected, one APPLY or DELETE per object let
// go.
func (c *Client) applyShared(ctx context.Context, owner string, desired []*unstructured.Unstructured, kinds []schema.GroupVersionResource, known *snapshot) (Result, error) {
	var res Result
	for _, d := range desired {
		kinds = append(kinds, managedKinds[d.GroupVersionKind()])
	}
	kinds = uniqueKinds(kinds)
	if len(kinds) == 0 {
		return res, nil
	}
	// A kind whose managed objects the owner's Apply already listed across
	// namespaces needs no LIST of its shared objects: they were in it.
	live := map[Key]*unstructured.Unstructured{}
	var toList []schema.GroupVersionResource
	for _, gvr := range kinds {
		if known != nil && known.knowsManaged(gvr) {
			for _, o := range known.objects(gvr, metav1.NamespaceAll) {
				if isShared(o) && o.GetLabels()[kubernetes.ManagedByLabel] == kubernetes.ManagedByValue {
					live[KeyOf(o)] = o
				}
			}
			continue
		}
		toList = append(toList, gvr)
	}
	if len(toList) > 0 {
		listed, err := c.listShared(ctx, toList)
		if err != nil {
			return res, err
		}
		maps.Copy(live, listed)
	}
	objs := make([]*unstructured.Unstructured, 0, len(desired))
	seen := map[listKey][]*unstructured.Unstructured{}
	for _, d := range desired {
		obj := d.DeepCopy()
		// The digest covers the object every holder applies alike; the
		// holder label is each one's own.
		if err := setAppliedDigest(obj); err != nil {
			return res, fmt.Errorf("%s: %w", KeyOf(obj), err)
		}
		l := obj.GetLabels()
		l[holderLabel(owner)] = "true"
		obj.SetLabels(l)
		objs = append(objs, obj)
		if _, ok := live[KeyOf(obj)]; ok {
			continue
		}
		// Not a shared object yet: is the name held by another object? One
		// unfiltered LIST per (kind, namespace), shared through the read
		// cache with the owner's own objects.
		target := listKey{managedKinds[obj.GroupVersionKind()], obj.GetNamespace()}
		existing, listed := seen[target]
		if !listed && known != nil && known.seenWhole(target.gvr, target.ns) {
			existing, listed = known.objects(target.gvr, target.ns), true // the owner's Apply listed it whole
			seen[target] = existing
		}
		if !listed {
			var err error
			if existing, err = c.namespaceList(ctx, target.gvr, target.ns); err != nil {
				return res, err
			}
			seen[target] = existing
		}
		for _, e := range existing {
			if e.GetName() == obj.GetName() && !isShared(e) {
				return res, &NotOwnedError{Object: KeyOf(obj), Labels: e.GetLabels()}
			}
		}
	}
	want := map[Key]bool{}
	for _, obj := range objs {
		key := KeyOf(obj)
		want[key] = true
		l := live[key]
		if l != nil && ObjectDrift(obj, l) == "" {
			res.Unchanged = append(res.Unchanged, key)
			continue
		}
		if err := c.applyHeld(ctx, owner, obj, l); err != nil {
			return res, err
		}
		res.Applied = append(res.Applied, key)
	}
	for _, key := range slices.SortedFunc(maps.Keys(live), func(a, b Key) int { return strings.Compare(a.String(), b.String()) }) {
		l := live[key]
		if want[key] || !slices.Contains(holders(l), owner) {
			continue
		}
		deleted, err := c.release(ctx, owner, l)
		if err != nil {
			return res, err
		}
		if deleted {
			res.Deleted = append(res.Deleted, key)
		}
	}
	return res, nil
}

// applyHeld server-side applies a shared object as owner. A conflict with
// an imperative edit is drift and is corrected; one with another applier
// (another holder compiling it differently, or a foreign applier) is
// reported.
func (c *Client) applyHeld(ctx context.Context, owner string, obj, live *unstructured.Unstructured) error {
	gvr := managedKinds[obj.GroupVersionKind()]
	key := KeyOf(obj)
	_, err := c.dyn.Resource(gvr).Namespace(obj.GetNamespace()).Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: holderManager(owner), Force: c.Force})
	if err != nil && apierrors.IsConflict(err) && len(conflictingAppliers(live, conflictManagers(err))) == 0 {
		_, err = c.dyn.Resource(gvr).Namespace(obj.GetNamespace()).Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: holderManager(owner), Force: true})
	}
	if err != nil {
		if apierrors.IsConflict(err) {
			return &ConflictError{Object: key, Detail: conflictDetail(err)}
		}
		return fmt.Errorf("applying %s: %w", key, err)
	}
	return nil
}

// release lets owner go of a shared object: the last holder deletes it,
// conditional on the version read (a holder that joined since makes the
// delete fail, and the object is read again); otherwise owner applies the
// object's identity alone, which drops its holder label and its claim on
// the rest while the other holders keep theirs.
func (c *Client) release(ctx context.Context, owner string, l *unstructured.Unstructured) (bool, error) {
	gvr := managedKinds[l.GroupVersionKind()]
	res := c.dyn.Resource(gvr).Namespace(l.GetNamespace())
	// Judged on the object as its holders applied it: once they all let
	// go, the API server drops the fields no one claims.
	deny := denyOnly(l)
	for range 3 {
		others := slices.DeleteFunc(holders(l), func(h string) bool { return h == owner || h == keeperHolder })
		keep := false
		if len(others) == 0 {
			var err error
			if keep, err = c.neededByOthers(ctx, owner, l, deny); err != nil {
				return false, err
			}
		}
		if len(others) == 0 && !keep {
			uid, rv := l.GetUID(), l.GetResourceVersion()
			err := res.Delete(ctx, l.GetName(), metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid, ResourceVersion: &rv}})
			if err == nil || apierrors.IsNotFound(err) {
				return true, nil
			}
			if !apierrors.IsConflict(err) {
				return false, fmt.Errorf("deleting %s: %w", KeyOf(l), err)
			}
			next, err := res.Get(ctx, l.GetName(), metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return true, nil
			}
			if err != nil {
				return false, fmt.Errorf("reading %s: %w", KeyOf(l), err)
			}
			l = next
			continue
		}
		if keep {
			// Handed to the keeper before this owner lets go, so its
			// content survives the owner's claim.
			if err := c.keep(ctx, l); err != nil {
				return false, err
			}
		}
		identity := &unstructured.Unstructured{}
		identity.SetAPIVersion(l.GetAPIVersion())
		identity.SetKind(l.GetKind())
		identity.SetNamespace(l.GetNamespace())
		identity.SetName(l.GetName())
		after, err := res.Apply(ctx, l.GetName(), identity, metav1.ApplyOptions{FieldManager: holderManager(owner), Force: true})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("letting go of %s: %w", KeyOf(l), err)
		}
		if keep || len(holders(after)) > 0 {
			return false, nil
		}
		// The others let go at the same moment, each seeing this owner
		// still there: whoever sees no holder left deletes it.
		l = after
	}
	return false, fmt.Errorf("letting go of %s: it kept changing while being deleted", KeyOf(l))
}

// keeperHolder holds a deny kept for the other policies of its namespace
// (see neededByOthers) once its last recorded holder has gone; it never
// stops a real holder from deleting the object.
const keeperHolder = "keeper"

// keep applies l's content as the keeper, so it stays when the holders that
// applied it let go.
func (c *Client) keep(ctx context.Context, l *unstructured.Unstructured) error {
	obj := &unstructured.Unstructured{}
	obj.SetAPIVersion(l.GetAPIVersion())
	obj.SetKind(l.GetKind())
	obj.SetNamespace(l.GetNamespace())
	obj.SetName(l.GetName())
	labels := map[string]string{}
	for k, v := range l.GetLabels() {
		if !strings.HasPrefix(k, HolderLabelPrefix) {
			labels[k] = v
		}
	}
	labels[holderLabel(keeperHolder)] = "true"
	obj.SetLabels(labels)
	obj.SetAnnotations(l.GetAnnotations())
	if spec, ok, _ := unstructured.NestedMap(l.Object, "spec"); ok {
		_ = unstructured.SetNestedMap(obj.Object, spec, "spec")
	}
	gvr := managedKinds[l.GroupVersionKind()]
	if _, err := c.dyn.Resource(gvr).Namespace(l.GetNamespace()).Apply(ctx, l.GetName(), obj, metav1.ApplyOptions{FieldManager: holderManager(keeperHolder), Force: true}); err != nil {
		return fmt.Errorf("keeping %s for the other policies of its namespace: %w", KeyOf(l), err)
	}
	return nil
}

// neededByOthers reports whether a deny shared object (a namespace's
// default-deny, Istio's allow-nothing) must outlive owner although no other
// holder is recorded on it: an object another owner owns in its namespace
// shows a policy that still places segments there, whose claim an
// out-of-band delete of the deny may have erased (the first policy to apply
// again recreates it as its sole holder). Keeping a deny can only deny; the
// last policy of the namespace deletes it (releaseUnheld). Allow objects
// (DNS egress) go with their last recorded holder.
func (c *Client) neededByOthers(ctx context.Context, owner string, l *unstructured.Unstructured, deny bool) (bool, error) {
	if !deny {
		return false, nil
	}
	objs, err := c.namespaceList(ctx, NetworkPolicyGVR, l.GetNamespace())
	if err != nil {
		return false, err
	}
	for _, o := range objs {
		labels := o.GetLabels()
		if labels[kubernetes.ManagedByLabel] != kubernetes.ManagedByValue || o.GetUID() == l.GetUID() {
			continue
		}
		// Another owner's own object, not a claim on another shared one:
		// a policy deletes its own objects before it lets go of shared
		// ones, so policies destroyed at the same moment never keep the
		// deny for each other.
		if v := labels[kubernetes.OwnerLabel]; v != "" && v != owner {
			return true, nil
		}
	}
	return false, nil
}

// denyOnly reports whether a shared object only denies: a NetworkPolicy
// without ingress or egress rules, an AuthorizationPolicy without rules.
func denyOnly(o *unstructured.Unstructured) bool {
	spec, _, _ := unstructured.NestedMap(o.Object, "spec")
	switch o.GetKind() {
	case "NetworkPolicy":
		ingress, _, _ := unstructured.NestedSlice(spec, "ingress")
		egress, _, _ := unstructured.NestedSlice(spec, "egress")
		return len(ingress) == 0 && len(egress) == 0
	case "AuthorizationPolicy":
		rules, _, _ := unstructured.NestedSlice(spec, "rules")
		action, _, _ := unstructured.NestedString(spec, "action")
		return len(rules) == 0 && (action == "" || action == "ALLOW")
	}
	return false
}

// listHeld returns the shared objects owner holds among the given kinds.
func (c *Client) listHeld(ctx context.Context, owner string, kinds []schema.GroupVersionResource) ([]*unstructured.Unstructured, error) {
	return c.listSelected(ctx, labels.SelectorFromSet(labels.Set{kubernetes.ManagedByLabel: kubernetes.ManagedByValue, holderLabel(owner): "true"}).String(), kinds)
}

func uniqueKinds(kinds []schema.GroupVersionResource) []schema.GroupVersionResource {
	seen := map[schema.GroupVersionResource]bool{}
	var out []schema.GroupVersionResource
	for _, g := range allKinds() {
		if slices.Contains(kinds, g) && !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}
