package kube

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Manifests are compiled objects as canonical YAML keyed by
// "<apiVersion>/<kind>/<namespace>/<name>" — the shape a resource records in
// state. These functions reconcile them with the cluster.

// Notes replace a manifest's text in a state view when the cluster differs,
// so the next plan shows the change back to the compiled manifest.
const (
	DriftPrefix         = "# drift: "
	ImportedPlaceholder = "# imported from the cluster: the next apply re-applies the compiled manifest\n"
)

// ParseManifest reads one manifest; notes and placeholders (lines starting
// with #) and unreadable text are not objects.
func ParseManifest(text string) (*unstructured.Unstructured, bool) {
	if strings.HasPrefix(text, "#") {
		return nil, false
	}
	obj := map[string]any{}
	if err := yaml.Unmarshal([]byte(text), &obj); err != nil || len(obj) == 0 {
		return nil, false
	}
	return &unstructured.Unstructured{Object: obj}, true
}

// ManifestKey is the key an object has in a manifest map.
func ManifestKey(o *unstructured.Unstructured) string {
	return o.GetAPIVersion() + "/" + o.GetKind() + "/" + o.GetNamespace() + "/" + o.GetName()
}

// ApplyManifests makes the cluster hold exactly the given manifests for
// owner (see Apply). force takes over fields another applier holds. Every
// managed kind is listed, since an owned object of a kind no longer planned
// must still be deleted; ApplyManifestsRecorded, given the manifests the
// previous apply wrote, lists only the kinds in use.
func (c *Client) ApplyManifests(ctx context.Context, owner string, manifests map[string]string, force bool) (Result, error) {
	return c.applyManifests(ctx, owner, manifests, nil, nil, force)
}

// ApplyManifestsRecorded is ApplyManifests knowing the manifests recorded in
// state by the previous apply (empty on create): only the kinds among the
// planned and recorded manifests are listed (no Istio LIST for a policy
// without AuthorizationPolicies), and a kind gaining names is listed once,
// across namespaces and without a label filter, to see the owner's objects
// and any foreign object holding a planned name in one request.
//
// uids are the UIDs the previous apply returned (Result.UIDs). When the
// planned manifests keep every recorded name and change no shared object,
// the changed objects are written with their UIDs as the server-checked
// proof of ownership and no LIST is sent: one APPLY per changed object and
// one DELETE per removed one. Unchanged objects are then not read either:
// the refresh before the plan compared them with the cluster. If the
// server refuses a UID (the object was replaced or deleted), the apply
// falls back to the listing path above, which re-creates a deleted object
// and refuses (ReplacedError) one that carries the owner's labels under a
// recorded name with another UID.
func (c *Client) ApplyManifestsRecorded(ctx context.Context, owner string, manifests, recorded, uids map[string]string, force bool) (Result, error) {
	if recorded == nil {
		recorded = map[string]string{}
	}
	if p, ok := planPinned(manifests, recorded, uids); ok {
		cc := *c
		cc.Force = force
		res, done, err := cc.applyPinned(ctx, owner, p, uids)
		if done || err != nil {
			if err != nil {
				res.UIDs = nil
			}
			return res, err
		}
	}
	return c.applyManifests(ctx, owner, manifests, recorded, uids, force)
}

func (c *Client) applyManifests(ctx context.Context, owner string, manifests, recorded, uids map[string]string, force bool) (Result, error) {
	desired := make([]*unstructured.Unstructured, 0, len(manifests))
	for _, k := range slices.Sorted(maps.Keys(manifests)) {
		o, ok := ParseManifest(manifests[k])
		if !ok {
			return Result{}, fmt.Errorf("the manifest %s cannot be parsed", k)
		}
		desired = append(desired, o)
	}
	cc := *c
	cc.Force = force
	return cc.apply(ctx, owner, desired, recorded, uids)
}

// ReadManifests compares the cluster with the manifests recorded in state
// and returns the state's view: unchanged entries as they were, drifted ones
// replaced by a note saying what differs, owned but undeclared objects added
// as notes. It lists (one label-filtered LIST across namespaces) only the
// kinds the recorded manifests have, and the shared objects the owner holds
// (one more LIST per kind) only when it recorded some. With the read cache
// on, it lists each (kind, namespace) of the recorded manifests instead,
// once for every policy of the refresh; owned objects in a namespace the
// state does not name are then left to the next apply, which lists across
// namespaces.
//
// uids are the UIDs the last apply recorded (Result.UIDs): an owned object
// whose UID is not the recorded one is not the object the resource wrote
// (someone deleted it and created another carrying the owner's labels),
// and its entry is a note saying so.
func (c *Client) ReadManifests(ctx context.Context, owner string, inState, uids map[string]string) (map[string]string, error) {
	if targets, ok := listTargets(slices.Collect(maps.Keys(inState))); ok && c.readCache() != nil {
		// One unfiltered LIST per (kind, namespace), shared through the
		// read cache with every policy placing segments there.
		var live []*unstructured.Unstructured
		for _, t := range targets {
			objs, err := c.namespaceList(ctx, t.gvr, t.ns)
			if err != nil {
				return nil, err
			}
			for _, o := range objs {
				if o.GetLabels()[kubernetes.ManagedByLabel] == kubernetes.ManagedByValue &&
					(o.GetLabels()[kubernetes.OwnerLabel] == owner || o.GetLabels()[holderLabel(owner)] == "true") {
					live = append(live, o)
				}
			}
		}
		return ManifestView(inState, live, uids), nil
	}
	var live []*unstructured.Unstructured
	if own := ownKeys(inState); len(own) > 0 {
		objs, err := c.listKinds(ctx, owner, kindsOfKeys(own))
		if err != nil {
			return nil, err
		}
		live = objs
	}
	if shared := sharedKeys(inState); len(shared) > 0 {
		held, err := c.listHeld(ctx, owner, kindsOfKeys(shared))
		if err != nil {
			return nil, err
		}
		live = append(live, held...)
	}
	return ManifestView(inState, live, uids), nil
}

// ManifestView is ReadManifests over objects already listed.
func ManifestView(inState map[string]string, live []*unstructured.Unstructured, uids map[string]string) map[string]string {
	liveByKey := map[string]*unstructured.Unstructured{}
	for _, o := range live {
		liveByKey[ManifestKey(o)] = o
	}
	out := map[string]string{}
	for k, text := range inState {
		l, exists := liveByKey[k]
		desired, parsed := ParseManifest(text)
		switch {
		case !exists:
			out[k] = DriftPrefix + "missing in the cluster\n"
		case uids[k] != "" && string(l.GetUID()) != uids[k]:
			out[k] = DriftPrefix + "replaced in the cluster: it carries this resource's labels but is not the object it wrote\n"
		case !parsed:
			out[k] = text // a note or placeholder: kept until the next apply
		default:
			if p := ObjectDrift(desired, l); p != "" {
				out[k] = DriftPrefix + p + " changed in the cluster\n"
			} else {
				out[k] = text
			}
		}
	}
	for k := range liveByKey {
		if _, declared := inState[k]; !declared {
			out[k] = DriftPrefix + "owned by this resource but not declared; it will be deleted\n"
		}
	}
	return out
}

// ImportManifests records the owner's objects found in the cluster as
// placeholders: the first plan after import re-applies the compiled
// manifests, which server-side apply makes a no-op where equal.
func (c *Client) ImportManifests(ctx context.Context, owner string) (map[string]string, error) {
	live, err := c.List(ctx, owner)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(live))
	for _, o := range live {
		out[ManifestKey(o)] = ImportedPlaceholder
	}
	return out, nil
}

// listTargets returns the (kind, namespace) pairs manifest keys name; ok is
// false when a key is not understood.
func listTargets(keys []string) ([]listKey, bool) {
	seen := map[listKey]bool{}
	var out []listKey
	for _, k := range keys {
		t, ok := parseManifestKey(k)
		if !ok {
			return nil, false
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b listKey) int { return strings.Compare(a.gvr.String()+"/"+a.ns, b.gvr.String()+"/"+b.ns) })
	return out, true
}
