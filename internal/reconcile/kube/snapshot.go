package kube

import (
	"context"
	"fmt"
	"maps"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
)

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
