package kube

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

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
