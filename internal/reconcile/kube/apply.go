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
	"maps"
	"slices"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// FieldManager is the server-side-apply manager name of the provider. The
// ownership labels are the compiler's (kubernetes.ManagedByLabel, OwnerLabel):
// it writes them, this package selects by them.
const FieldManager = model.ManagedBy

// Kinds the reconciler manages, in apply order.
var (
	NetworkPolicyGVR       = schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"}
	AuthorizationPolicyGVR = schema.GroupVersionResource{Group: "security.istio.io", Version: "v1", Resource: "authorizationpolicies"}
	managedKinds           = map[schema.GroupVersionKind]schema.GroupVersionResource{
		{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}:       NetworkPolicyGVR,
		{Group: "security.istio.io", Version: "v1", Kind: "AuthorizationPolicy"}: AuthorizationPolicyGVR,
	}
)

// Client applies and reads owned objects.
type Client struct {
	dyn dynamic.Interface
	// reads is shared by copies of the client (see applyManifests).
	reads *readState
	// Force takes ownership of fields another manager holds instead of
	// reporting a conflict. Off by default: a conflict is news to the user.
	Force bool
}

// New builds a client from a REST configuration.
func New(cfg *rest.Config) (*Client, error) {
	c := &Client{reads: &readState{}}
	cfg = rest.CopyConfig(cfg)
	cfg.Wrap(c.observeWrites)
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	c.dyn = dyn
	return c, nil
}

// NewFromDynamic wraps an existing dynamic client (tests, shared clients).
func NewFromDynamic(dyn dynamic.Interface) *Client { return &Client{dyn: dyn, reads: &readState{}} }

// Key identifies an object: kind, namespace and name.
type Key struct{ Kind, Namespace, Name string }

func (k Key) String() string { return k.Kind + " " + k.Namespace + "/" + k.Name }

// KeyOf returns the key of an object.
func KeyOf(o *unstructured.Unstructured) Key {
	return Key{Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName()}
}

// NotOwnedError means an object with a desired name exists but was not
// written by this owner; the provider never takes such objects over.
type NotOwnedError struct {
	Object Key
	Labels map[string]string
}

func (e *NotOwnedError) Error() string {
	return fmt.Sprintf("%s already exists and is not owned by this resource (labels %v); rename the segment or delete the object", e.Object, e.Labels)
}

// ReplacedError: an object carries the owner's labels under a name the
// owner recorded, but its UID is not the recorded one, so it is not the
// object the owner wrote.
type ReplacedError struct {
	Object           Key
	UID, RecordedUID string
}

func (e *ReplacedError) Error() string {
	return fmt.Sprintf("%s carries this resource's owner labels but is not the object it wrote (uid %s, recorded %s): it was replaced outside Terraform. Delete it so that the apply re-creates it, or remove its owner labels to keep it", e.Object, e.UID, e.RecordedUID)
}

// Selector selects the objects of one owner.
func Selector(owner string) labels.Selector {
	return labels.SelectorFromSet(labels.Set{kubernetes.ManagedByLabel: kubernetes.ManagedByValue, kubernetes.OwnerLabel: owner})
}

// List returns every object of the managed kinds that carries the owner's
// labels, and the shared objects it holds, sorted by key. A kind whose API is not served (the Istio CRD
// absent) yields nothing.
func (c *Client) List(ctx context.Context, owner string) ([]*unstructured.Unstructured, error) {
	own, err := c.listKinds(ctx, owner, allKinds())
	if err != nil {
		return nil, err
	}
	held, err := c.listHeld(ctx, owner, allKinds())
	if err != nil {
		return nil, err
	}
	out := append(own, held...)
	sortObjects(out)
	return out, nil
}

// listKinds is List over the given kinds: one label-filtered LIST per kind,
// across namespaces.
func (c *Client) listKinds(ctx context.Context, owner string, kinds []schema.GroupVersionResource) ([]*unstructured.Unstructured, error) {
	out, err := c.listSelected(ctx, Selector(owner).String(), kinds)
	sortObjects(out)
	return out, err
}

// listSelected lists the objects of the given kinds that a label selector
// selects, across namespaces: one LIST per kind. A kind whose API is not
// served yields nothing.
func (c *Client) listSelected(ctx context.Context, selector string, kinds []schema.GroupVersionResource) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, gvr := range kinds {
		list, err := c.dyn.Resource(gvr).Namespace(metav1.NamespaceAll).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			if notServed(err) {
				continue
			}
			return nil, fmt.Errorf("listing %s selected by %s: %w", gvr.Resource, selector, err)
		}
		for i := range list.Items {
			out = append(out, &list.Items[i])
		}
	}
	return out, nil
}

// notServed is the error of a request on a kind whose API is not served
// (the Istio CRD absent).
func notServed(err error) bool { return apierrors.IsNotFound(err) || meta.IsNoMatchError(err) }

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

// snapshot is what the LISTs of one Apply learnt: the owner's objects, the
// objects of other owners (or of none) seen by unfiltered LISTs, and which
// (kind, namespace) pairs an unfiltered LIST covered whole (namespace ""
// for a LIST across namespaces).
type snapshot struct {
	owner   string
	owned   map[Key]*unstructured.Unstructured
	foreign map[Key]*unstructured.Unstructured
	whole   map[schema.GroupVersionResource]map[string]bool
	// managed marks the kinds whose every object carrying the managed-by
	// label (any owner's, and the shared ones) was listed.
	managed map[schema.GroupVersionResource]bool
}

func newSnapshot(owner string) *snapshot {
	return &snapshot{owner: owner, owned: map[Key]*unstructured.Unstructured{}, foreign: map[Key]*unstructured.Unstructured{},
		whole: map[schema.GroupVersionResource]map[string]bool{}, managed: map[schema.GroupVersionResource]bool{}}
}

func (s *snapshot) seenWhole(gvr schema.GroupVersionResource, ns string) bool {
	return s.whole[gvr][metav1.NamespaceAll] || s.whole[gvr][ns]
}

// knowsManaged reports whether every object of a kind this provider
// manages, in every namespace, is in the snapshot.
func (s *snapshot) knowsManaged(gvr schema.GroupVersionResource) bool {
	return s.managed[gvr] || s.whole[gvr][metav1.NamespaceAll]
}

func (s *snapshot) add(o *unstructured.Unstructured) {
	if Selector(s.owner).Matches(labels.Set(o.GetLabels())) {
		s.owned[KeyOf(o)] = o
	} else {
		s.foreign[KeyOf(o)] = o
	}
}

// objects returns the objects of a kind the snapshot holds in a namespace
// (every namespace for ""), owned or not.
func (s *snapshot) objects(gvr schema.GroupVersionResource, ns string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, m := range []map[Key]*unstructured.Unstructured{s.owned, s.foreign} {
		for _, o := range m {
			if managedKinds[o.GroupVersionKind()] == gvr && (ns == metav1.NamespaceAll || o.GetNamespace() == ns) {
				out = append(out, o)
			}
		}
	}
	sortObjects(out)
	return out
}

func (s *snapshot) ownedObjects() []*unstructured.Unstructured {
	out := slices.Collect(maps.Values(s.owned))
	sortObjects(out)
	return out
}

// listOwned adds the owner's objects of a kind (label-filtered, across namespaces).
func (c *Client) listOwned(ctx context.Context, s *snapshot, gvr schema.GroupVersionResource) error {
	objs, err := c.listKinds(ctx, s.owner, []schema.GroupVersionResource{gvr})
	if err != nil {
		return err
	}
	for _, o := range objs {
		s.add(o)
	}
	return nil
}

// listManaged adds every object of a kind carrying the managed-by label,
// across namespaces: the owner's, other owners' and the shared ones.
func (c *Client) listManaged(ctx context.Context, s *snapshot, gvr schema.GroupVersionResource) error {
	selector := labels.SelectorFromSet(labels.Set{kubernetes.ManagedByLabel: kubernetes.ManagedByValue}).String()
	objs, err := c.listSelected(ctx, selector, []schema.GroupVersionResource{gvr})
	if err != nil {
		return err
	}
	s.managed[gvr] = true
	for _, o := range objs {
		s.add(o)
	}
	return nil
}

// listAll adds every object of a kind in a namespace (all namespaces for
// ""), whoever owns it.
func (c *Client) listAll(ctx context.Context, s *snapshot, gvr schema.GroupVersionResource, ns string) error {
	if s.whole[gvr] == nil {
		s.whole[gvr] = map[string]bool{}
	}
	s.whole[gvr][ns] = true
	list, err := c.dyn.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		if notServed(err) {
			return nil // the kind is not served: no object of it exists
		}
		return fmt.Errorf("listing %s in %q: %w", gvr.Resource, ns, err)
	}
	for i := range list.Items {
		s.add(&list.Items[i])
	}
	return nil
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

// DeleteAll removes every object the owner has: one label-filtered LIST per
// managed kind, then one DeleteCollection by the owner's label selector per
// (kind, namespace) holding owned objects.
func (c *Client) DeleteAll(ctx context.Context, owner string) ([]Key, error) {
	deleted, err := c.deleteKinds(ctx, owner, allKinds(), nil)
	if err != nil {
		return deleted, err
	}
	return c.releaseAll(ctx, owner, allKinds(), deleted)
}

// DeleteRecorded is DeleteAll over the kinds among the recorded manifests
// (all managed kinds when none is recognised): the owner's objects are
// deleted and the shared objects it holds let go of. uids are the UIDs the
// last apply recorded: an object carrying the owner's labels under a
// recorded name with another UID is not the owner's, and is left alone.
func (c *Client) DeleteRecorded(ctx context.Context, owner string, recorded, uids map[string]string) ([]Key, error) {
	var deleted []Key
	if own := ownKeys(recorded); len(own) > 0 || len(recorded) == 0 {
		var err error
		if deleted, err = c.deleteKinds(ctx, owner, kindsOfKeys(own), uids); err != nil {
			return deleted, err
		}
	}
	if shared := sharedKeys(recorded); len(shared) > 0 {
		return c.releaseAll(ctx, owner, kindsOfKeys(shared), deleted)
	}
	return deleted, nil
}

// releaseAll lets owner go of every shared object it holds among kinds,
// adding those deleted (owner was their last holder) to deleted.
func (c *Client) releaseAll(ctx context.Context, owner string, kinds []schema.GroupVersionResource, deleted []Key) ([]Key, error) {
	held, err := c.listHeld(ctx, owner, kinds)
	if err != nil {
		return deleted, err
	}
	for _, o := range held {
		gone, err := c.release(ctx, owner, o)
		if err != nil {
			return deleted, err
		}
		if gone {
			deleted = append(deleted, KeyOf(o))
		}
	}
	sort.Slice(deleted, func(i, j int) bool { return deleted[i].String() < deleted[j].String() })
	return deleted, nil
}

// sharedKeys and ownKeys split recorded manifest keys by whether the
// recorded manifest is a shared object.
func sharedKeys(recorded map[string]string) []string {
	var out []string
	for k, text := range recorded {
		if o, ok := ParseManifest(text); ok && isShared(o) {
			out = append(out, k)
		}
	}
	return out
}

func ownKeys(recorded map[string]string) []string {
	var out []string
	for k, text := range recorded {
		if o, ok := ParseManifest(text); !ok || !isShared(o) {
			out = append(out, k)
		}
	}
	return out
}

// deleteKinds deletes by label selector rather than object by object with a
// UID precondition: the selector is evaluated by the server at deletion
// time, so an object that replaced an owned one under the same name without
// the owner's labels is left alone, which is what the UID precondition
// guarded. Where DeleteCollection is not allowed (RBAC granting only
// "delete"), objects are deleted one by one as before. So are they in a
// (kind, namespace) holding an object that carries the owner's labels but
// not the UID recorded for its name (see ReplacedError): the selector
// would delete it too, and it is skipped.
func (c *Client) deleteKinds(ctx context.Context, owner string, kinds []schema.GroupVersionResource, uids map[string]string) ([]Key, error) {
	live, err := c.listKinds(ctx, owner, kinds)
	if err != nil {
		return nil, err
	}
	type group struct {
		gvr schema.GroupVersionResource
		ns  string
	}
	byGroup := map[group][]*unstructured.Unstructured{}
	var order []group
	for _, o := range live {
		g := group{managedKinds[o.GroupVersionKind()], o.GetNamespace()}
		if _, ok := byGroup[g]; !ok {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], o)
	}
	replaced := func(o *unstructured.Unstructured) bool {
		want := uids[ManifestKey(o)]
		return want != "" && string(o.GetUID()) != want
	}
	var deleted []Key
	for _, g := range order {
		if !slices.ContainsFunc(byGroup[g], replaced) {
			err := c.dyn.Resource(g.gvr).Namespace(g.ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: Selector(owner).String()})
			switch {
			case err == nil:
				for _, o := range byGroup[g] {
					deleted = append(deleted, KeyOf(o))
				}
				continue
			case !apierrors.IsForbidden(err) && !apierrors.IsMethodNotSupported(err):
				return deleted, fmt.Errorf("deleting the %s of %s in %s: %w", g.gvr.Resource, owner, g.ns, err)
			}
		}
		for _, o := range slices.DeleteFunc(byGroup[g], replaced) {
			if err := c.delete(ctx, o); err != nil {
				return deleted, err
			}
			deleted = append(deleted, KeyOf(o))
		}
	}
	sort.Slice(deleted, func(i, j int) bool { return deleted[i].String() < deleted[j].String() })
	return deleted, nil
}

func (c *Client) delete(ctx context.Context, o *unstructured.Unstructured) error {
	gvr := managedKinds[o.GroupVersionKind()]
	// Preconditions guard against deleting an object that was replaced
	// between the LIST and the DELETE by someone else's object of that name.
	uid := o.GetUID()
	err := c.dyn.Resource(gvr).Namespace(o.GetNamespace()).Delete(ctx, o.GetName(), metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting %s: %w", KeyOf(o), err)
	}
	return nil
}

func setOwnerLabels(o *unstructured.Unstructured, owner string) {
	l := o.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	l[kubernetes.ManagedByLabel] = kubernetes.ManagedByValue
	l[kubernetes.OwnerLabel] = owner
	o.SetLabels(l)
}

// parseManifestKey reads the managed kind and the namespace of a manifest
// key ("<apiVersion>/<kind>/<namespace>/<name>").
func parseManifestKey(k string) (listKey, bool) {
	parts := strings.Split(k, "/")
	n := len(parts)
	if n < 4 {
		return listKey{}, false
	}
	gv, err := schema.ParseGroupVersion(strings.Join(parts[:n-3], "/"))
	if err != nil {
		return listKey{}, false
	}
	gvr, ok := managedKinds[gv.WithKind(parts[n-3])]
	return listKey{gvr, parts[n-2]}, ok
}

// allKinds returns the managed kinds, in a fixed order.
func allKinds() []schema.GroupVersionResource { return sortedGVRs() }

// kindsOfKeys returns the managed kinds named by manifest keys
// ("<apiVersion>/<kind>/<namespace>/<name>"), in a fixed order; all managed
// kinds when a key is not understood or none is given, so an unreadable
// state never hides a kind.
func kindsOfKeys(keys []string) []schema.GroupVersionResource {
	seen := map[schema.GroupVersionResource]bool{}
	for _, k := range keys {
		t, ok := parseManifestKey(k)
		if !ok {
			return allKinds()
		}
		seen[t.gvr] = true
	}
	if len(seen) == 0 {
		return allKinds()
	}
	var out []schema.GroupVersionResource
	for _, g := range allKinds() {
		if seen[g] {
			out = append(out, g)
		}
	}
	return out
}

func sortedGVRs() []schema.GroupVersionResource {
	out := make([]schema.GroupVersionResource, 0, len(managedKinds))
	for _, g := range managedKinds {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func sortObjects(objs []*unstructured.Unstructured) {
	sort.Slice(objs, func(i, j int) bool { return KeyOf(objs[i]).String() < KeyOf(objs[j]).String() })
}
