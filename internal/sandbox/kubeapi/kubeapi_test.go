package kubeapi

import (
	"context"
	"os"
	"testing"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// TestStartServesNetworkPolicyAndIstioCRD starts a real control plane,
// talks to it through the written kubeconfig, and stops it.
func TestStartServesNetworkPolicyAndIstioCRD(t *testing.T) {
	ctx := context.Background()
	began := time.Now()
	requireBinaries(t)
	c, err := Start(ctx, Options{WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("control plane ready in %s", time.Since(began).Round(100*time.Millisecond))
	defer func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
		if c.apiserver.running() || c.etcd.running() {
			t.Error("processes still running after Stop")
		}
	}()

	cfg, err := clientcmd.BuildConfigFromFlags("", c.KubeconfigPath)
	if err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	if err := c.EnsureNamespace(ctx, "payments"); err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureNamespace(ctx, "payments"); err != nil {
		t.Fatalf("EnsureNamespace is not idempotent: %v", err)
	}
	np := &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "default-deny", Namespace: "payments"},
		Spec:       networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}},
	}
	if _, err := cs.NetworkingV1().NetworkPolicies("payments").Create(ctx, np, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := cs.NetworkingV1().NetworkPolicies("payments").Get(ctx, "default-deny", metav1.GetOptions{})
	if err != nil || len(got.Spec.PolicyTypes) != 2 {
		t.Fatalf("read back %v, %v", got, err)
	}

	dyn := dynamic.NewForConfigOrDie(cfg)
	gvr := schema.GroupVersionResource{Group: "security.istio.io", Version: "v1", Resource: "authorizationpolicies"}
	ap := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
		"metadata": map[string]any{"name": "payments-allow", "namespace": "payments"},
		"spec": map[string]any{
			"action":   "ALLOW",
			"selector": map[string]any{"matchLabels": map[string]any{"app": "payment-api"}},
			"rules":    []any{map[string]any{"from": []any{map[string]any{"source": map[string]any{"principals": []any{"cluster.local/ns/production/sa/checkout"}}}}}},
		},
	}}
	if _, err := dyn.Resource(gvr).Namespace("payments").Create(ctx, ap, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating an AuthorizationPolicy through the installed CRD: %v", err)
	}
	// The schema rejects an invalid action: the CRD is structural, not a blob.
	bad := ap.DeepCopy()
	bad.SetName("bad")
	_ = unstructured.SetNestedField(bad.Object, "PERMIT", "spec", "action")
	if _, err := dyn.Resource(gvr).Namespace("payments").Create(ctx, bad, metav1.CreateOptions{}); err == nil {
		t.Fatal("an AuthorizationPolicy with action PERMIT was accepted; want a schema rejection")
	}
}

// requireBinaries skips without etcd and kube-apiserver, or fails under
// ZT_REQUIRE_SANDBOX (make test); package sandboxtest says the same for
// other packages but cannot be imported here (it imports this package).
func requireBinaries(t *testing.T) {
	t.Helper()
	for _, b := range [][2]string{{EnvEtcd, "etcd"}, {EnvKubeAPIServer, "kube-apiserver"}} {
		if _, err := FindBinary("", b[0], b[1]); err != nil {
			if os.Getenv("ZT_REQUIRE_SANDBOX") != "" {
				t.Fatal(err)
			}
			t.Skipf("skipped: %v", err)
		}
	}
}

// TestEmbeddedSegmentRecordCRDIsTheShippedOne: the sandbox installs the
// very CRD users are told to apply (deploy/crds), not a copy that drifted.
func TestEmbeddedSegmentRecordCRDIsTheShippedOne(t *testing.T) {
	const name = "segmentrecords.zerotrust.ztforge.io.yaml"
	shipped, err := os.ReadFile("../../../deploy/crds/" + name)
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := crdFiles.ReadFile("crds/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if string(shipped) != string(embedded) {
		t.Fatalf("internal/sandbox/kubeapi/crds/%s differs from deploy/crds/%s: copy it", name, name)
	}
}
