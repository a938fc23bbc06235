package kube

import (
	"context"
	"fmt"
	"slices"
	"sort"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

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
		if deleted, err := c.releaseAll(ctx, owner, kindsOfKeys(shared), deleted); err != nil {
			return deleted, err
		}
		return c.releaseUnheld(ctx, owner, recorded, shared, deleted)
	}
	return deleted, nil
}

// releaseUnheld lets owner go of the recorded shared objects that no holder
// claims any more: a deny kept for the other policies of its namespace
// after its last recorded holder went (see release), whose claims an
// out-of-band delete had erased. The last policy of the namespace deletes it.
func (c *Client) releaseUnheld(ctx context.Context, owner string, recorded map[string]string, keys []string, deleted []Key) ([]Key, error) {
	for _, k := range keys {
		want, ok := ParseManifest(recorded[k])
		if !ok {
			continue
		}
		gvr, known := managedKinds[want.GroupVersionKind()]
		if !known {
			continue
		}
		live, err := c.dyn.Resource(gvr).Namespace(want.GetNamespace()).Get(ctx, want.GetName(), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return deleted, fmt.Errorf("reading %s: %w", KeyOf(want), err)
		}
		if hs := holders(live); !isShared(live) || len(hs) > 1 || len(hs) == 1 && hs[0] != keeperHolder {
			continue // held: by the others, who let go of it themselves
		}
		gone, err := c.release(ctx, owner, live)
		if err != nil {
			return deleted, err
		}
		if gone {
			deleted = append(deleted, KeyOf(live))
		}
	}
	sort.Slice(deleted, func(i, j int) bool { return deleted[i].String() < deleted[j].String() })
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
