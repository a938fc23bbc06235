package kube

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func pod(ns, name string, labels map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": labels},
		"spec":     map[string]any{"containers": []any{map[string]any{"name": "app", "image": "example.invalid/app:1"}}},
	}}
}

// TestForeignPolicies: an allow-all NetworkPolicy someone else wrote that
// selects a segment's pods is reported with what it admits; the provider's
// own objects, policies selecting other pods and deny-only policies are not.
func TestForeignPolicies(t *testing.T) {
	ctx := context.Background()
	c, dyn := testClient(t, "foreign-np")
	create := func(gvr schema.GroupVersionResource, o *unstructured.Unstructured) {
		t.Helper()
		if _, err := dyn.Resource(gvr).Namespace("foreign-np").Create(ctx, o, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	segment := map[string]string{"app": "api"}
	if got, err := c.ForeignPolicies(ctx, "foreign-np", segment); err != nil || len(got) != 0 {
		t.Fatalf("no pods yet: %v %v", got, err)
	}
	create(podGVR, pod("foreign-np", "api-1", map[string]any{"app": "api", "tier": "backend"}))
	create(podGVR, pod("foreign-np", "web-1", map[string]any{"app": "web"}))

	ours := netpol("foreign-np", "ours", 8443) // carries the managed-by label
	create(NetworkPolicyGVR, ours)
	allowAll := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
		"metadata": map[string]any{"name": "allow-all", "namespace": "foreign-np"},
		"spec":     map[string]any{"podSelector": map[string]any{"matchLabels": map[string]any{"tier": "backend"}}, "ingress": []any{map[string]any{}}},
	}}
	create(NetworkPolicyGVR, allowAll)
	webOnly := netpol("foreign-np", "web-only", 80)
	webOnly.SetLabels(map[string]string{"team": "web"})
	_ = unstructured.SetNestedStringMap(webOnly.Object, map[string]string{"app": "web"}, "spec", "podSelector", "matchLabels")
	create(NetworkPolicyGVR, webOnly)
	denyAll := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
		"metadata": map[string]any{"name": "deny-all", "namespace": "foreign-np"},
		"spec":     map[string]any{"podSelector": map[string]any{}, "policyTypes": []any{"Ingress"}},
	}}
	create(NetworkPolicyGVR, denyAll)

	got, err := c.ForeignPolicies(ctx, "foreign-np", segment)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.Contains(got[0].String(), "allow-all selects 1 pod(s) of the segment and allows ingress from everywhere on every port") {
		t.Fatalf("foreign policies: %v", got)
	}
}
