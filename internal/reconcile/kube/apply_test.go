package kube

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/kubeapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/sandboxtest"
)

// cluster is a real etcd + kube-apiserver shared by the tests of this package.
var cluster *kubeapi.Cluster

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if code, ok := sandboxtest.RequireMain(sandboxtest.Needs{Kubernetes: true}); !ok {
		return code
	}
	work, err := os.MkdirTemp("", "zt-kube-*")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(work)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cluster, err = kubeapi.Start(ctx, kubeapi.Options{WorkDir: work})
	if err != nil {
		// The control plane is part of the test environment (make tools
		// builds it); its absence is a failure, not a skip.
		println("starting kube-apiserver + etcd:", err.Error())
		return 1
	}
	defer cluster.Stop()
	return m.Run()
}

func testClient(t *testing.T, namespaces ...string) (*Client, dynamic.Interface) {
	t.Helper()
	for _, ns := range namespaces {
		if err := cluster.EnsureNamespace(context.Background(), ns); err != nil {
			t.Fatal(err)
		}
	}
	dyn, err := dynamic.NewForConfig(cluster.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	return NewFromDynamic(dyn), dyn
}

func netpol(ns, name string, port int64) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "networking.k8s.io/v1",
		"kind":       "NetworkPolicy",
		"metadata":   map[string]any{"name": name, "namespace": ns, "labels": map[string]any{"app.kubernetes.io/managed-by": kubernetes.ManagedByValue}},
		"spec": map[string]any{
			"podSelector": map[string]any{"matchLabels": map[string]any{"app": "api"}},
			"policyTypes": []any{"Ingress"},
			"ingress": []any{map[string]any{
				"from":  []any{map[string]any{"podSelector": map[string]any{"matchLabels": map[string]any{"app": "web"}}}},
				"ports": []any{map[string]any{"protocol": "TCP", "port": port}},
			}},
		},
	}}
}

func authz(ns, name string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "security.istio.io/v1",
		"kind":       "AuthorizationPolicy",
		"metadata":   map[string]any{"name": name, "namespace": ns},
		"spec": map[string]any{
			"selector": map[string]any{"matchLabels": map[string]any{"app": "api"}},
			"action":   "ALLOW",
			"rules":    []any{map[string]any{"from": []any{map[string]any{"source": map[string]any{"principals": []any{"cluster.local/ns/" + ns + "/sa/web"}}}}}},
		},
	}}
}

func keys(ks []Key) string {
	var s []string
	for _, k := range ks {
		s = append(s, k.String())
	}
	return strings.Join(s, ",")
}

func TestApplyListDriftDelete(t *testing.T) {
	ctx := context.Background()
	c, dyn := testClient(t, "shop", "shop-db")
	owner := "seg-policy-1"
	desired := []*unstructured.Unstructured{netpol("shop", "allow-web", 8443), netpol("shop-db", "allow-app", 5432), authz("shop", "allow-web")}

	res, err := c.Apply(ctx, owner, desired)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) != 3 || len(res.Deleted) != 0 {
		t.Fatalf("applied %s deleted %s", keys(res.Applied), keys(res.Deleted))
	}
	live, err := c.List(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 3 {
		t.Fatalf("listed %d objects, want 3", len(live))
	}
	if d := Drift(desired, live); len(d) != 0 {
		t.Fatalf("drift right after apply: %v", d)
	}
	// Another owner's list sees none of them.
	if other, err := c.List(ctx, "someone-else"); err != nil || len(other) != 0 {
		t.Fatalf("other owner sees %d objects (%v)", len(other), err)
	}

	// Out of band: a port edited by another client, one policy deleted.
	edited, err := dyn.Resource(NetworkPolicyGVR).Namespace("shop").Get(ctx, "allow-web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := unstructured.SetNestedSlice(edited.Object, []any{map[string]any{
		"from":  []any{map[string]any{"ipBlock": map[string]any{"cidr": "0.0.0.0/0"}}},
		"ports": []any{map[string]any{"protocol": "TCP", "port": int64(22)}},
	}}, "spec", "ingress"); err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(NetworkPolicyGVR).Namespace("shop").Update(ctx, edited, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	if err := dyn.Resource(NetworkPolicyGVR).Namespace("shop-db").Delete(ctx, "allow-app", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	live, _ = c.List(ctx, owner)
	drift := Drift(desired, live)
	if len(drift) != 2 || !strings.Contains(drift[0], "NetworkPolicy shop-db/allow-app: missing") || !strings.Contains(drift[1], "NetworkPolicy shop/allow-web: spec.ingress") {
		t.Fatalf("drift not detected as expected: %q", drift)
	}

	// Apply corrects both (the edit came through Update, so no SSA conflict).
	if _, err := c.Apply(ctx, owner, desired); err != nil {
		t.Fatal(err)
	}
	live, _ = c.List(ctx, owner)
	if d := Drift(desired, live); len(d) != 0 {
		t.Fatalf("drift after correcting apply: %v", d)
	}

	// A smaller desired set deletes what is no longer declared.
	res, err = c.Apply(ctx, owner, desired[:1])
	if err != nil {
		t.Fatal(err)
	}
	if keys(res.Deleted) != "AuthorizationPolicy shop/allow-web,NetworkPolicy shop-db/allow-app" {
		t.Fatalf("deleted %s", keys(res.Deleted))
	}
	deleted, err := c.DeleteAll(ctx, owner)
	if err != nil || len(deleted) != 1 {
		t.Fatalf("DeleteAll: %v %v", deleted, err)
	}
	if live, _ := c.List(ctx, owner); len(live) != 0 {
		t.Fatalf("%d objects left", len(live))
	}
}

func TestDriftReportsUndeclaredOwnedObject(t *testing.T) {
	ctx := context.Background()
	c, _ := testClient(t, "extra")
	owner := "seg-policy-extra"
	if _, err := c.Apply(ctx, owner, []*unstructured.Unstructured{netpol("extra", "a", 80), netpol("extra", "b", 81)}); err != nil {
		t.Fatal(err)
	}
	live, _ := c.List(ctx, owner)
	d := Drift([]*unstructured.Unstructured{netpol("extra", "a", 80)}, live)
	if len(d) != 1 || d[0] != "NetworkPolicy extra/b: not declared" {
		t.Fatalf("drift %q", d)
	}
	_, _ = c.DeleteAll(ctx, owner)
}

func TestApplyRefusesObjectItDoesNotOwn(t *testing.T) {
	ctx := context.Background()
	c, dyn := testClient(t, "foreign")
	foreign := netpol("foreign", "allow-web", 80)
	foreign.SetLabels(map[string]string{"team": "other"})
	if _, err := dyn.Resource(NetworkPolicyGVR).Namespace("foreign").Create(ctx, foreign, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Apply(ctx, "seg-policy-2", []*unstructured.Unstructured{netpol("foreign", "allow-web", 8443)})
	var notOwned *NotOwnedError
	if !errors.As(err, &notOwned) {
		t.Fatalf("want NotOwnedError, got %v", err)
	}
	got, _ := dyn.Resource(NetworkPolicyGVR).Namespace("foreign").Get(ctx, "allow-web", metav1.GetOptions{})
	if got.GetLabels()["team"] != "other" || got.GetLabels()[kubernetes.OwnerLabel] != "" {
		t.Fatalf("foreign object was touched: %v", got.GetLabels())
	}
}

func TestApplyConflictWithAnotherFieldManager(t *testing.T) {
	ctx := context.Background()
	c, dyn := testClient(t, "conflict")
	owner := "seg-policy-3"
	desired := []*unstructured.Unstructured{netpol("conflict", "allow-web", 8443)}
	if _, err := c.Apply(ctx, owner, desired); err != nil {
		t.Fatal(err)
	}
	// Another tool server-side applies (forcing) a different pod selector.
	patch := []byte(`{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"allow-web","namespace":"conflict"},"spec":{"podSelector":{"matchLabels":{"app":"other"}}}}`)
	force := true
	if _, err := dyn.Resource(NetworkPolicyGVR).Namespace("conflict").Patch(ctx, "allow-web", types.ApplyPatchType, patch, metav1.PatchOptions{FieldManager: "other-tool", Force: &force}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Apply(ctx, owner, desired)
	var conflict *ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("want ConflictError, got %v", err)
	}
	if !strings.Contains(conflict.Error(), "other-tool") || !strings.Contains(conflict.Error(), "force_conflicts") {
		t.Fatalf("conflict message does not name the manager and the way out: %v", conflict)
	}
	// Forced, the provider takes the field back.
	c.Force = true
	if _, err := c.Apply(ctx, owner, desired); err != nil {
		t.Fatal(err)
	}
	live, _ := c.List(ctx, owner)
	if d := Drift(desired, live); len(d) != 0 {
		t.Fatalf("drift after forced apply: %v", d)
	}
}

func TestFirstDifference(t *testing.T) {
	cases := []struct {
		name          string
		desired, live any
		want          string
	}{
		{"defaults added by the server are not drift", map[string]any{"a": int64(1)}, map[string]any{"a": float64(1), "b": "x"}, ""},
		{"changed scalar", map[string]any{"a": map[string]any{"b": "x"}}, map[string]any{"a": map[string]any{"b": "y"}}, "a.b"},
		{"list grew", map[string]any{"l": []any{"x"}}, map[string]any{"l": []any{"x", "y"}}, "l"},
		{"list element changed", map[string]any{"l": []any{map[string]any{"p": int64(1)}}}, map[string]any{"l": []any{map[string]any{"p": int64(2)}}}, "l[0].p"},
		{"missing map", map[string]any{"m": map[string]any{"k": "v"}}, map[string]any{}, "m"},
		{"unset optional", map[string]any{"m": nil}, map[string]any{"m": "server default"}, ""},
		{"empty desired list, absent live", map[string]any{"l": []any{}}, map[string]any{}, ""},
	}
	for _, tc := range cases {
		if got := firstDifference(tc.desired, tc.live, ""); got != tc.want {
			t.Errorf("%s: got %q want %q", tc.name, got, tc.want)
		}
	}
}
