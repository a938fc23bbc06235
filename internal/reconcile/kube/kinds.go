package kube

import (
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Kinds the reconciler manages, in apply order.
var (
	NetworkPolicyGVR       = schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"}
	AuthorizationPolicyGVR = schema.GroupVersionResource{Group: "security.istio.io", Version: "v1", Resource: "authorizationpolicies"}
	managedKinds           = map[schema.GroupVersionKind]schema.GroupVersionResource{
		{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}:       NetworkPolicyGVR,
		{Group: "security.istio.io", Version: "v1", Kind: "AuthorizationPolicy"}: AuthorizationPolicyGVR,
	}
)

// notServed is the error of a request on a kind whose API is not served
// (the Istio CRD absent).
func notServed(err error) bool { return apierrors.IsNotFound(err) || meta.IsNoMatchError(err) }

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
