package e2e

import (
	"bufio"
	"context"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/gruntwork-io/terratest/modules/terraform"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze/reach"
)

// TestMicrosegmentationExampleKubernetes applies the same example with the
// tiers also placed in a namespace: one module call yields security-group
// rules and NetworkPolicies. The live NetworkPolicies, read back with
// client-go, are evaluated with Kubernetes semantics to prove they allow the
// declared flows and nothing else; the API server's own request counters
// measure the traffic of apply and of a refresh.
func TestMicrosegmentationExampleKubernetes(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil {
		t.Fatalf("kubeconfig from the sandbox: %v", err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	const ns = "shop"
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	vpcID := acctest.CreateVPC(t, "10.78.0.0/16")
	opts := options(t, "examples/microsegmentation", map[string]any{"vpc_id": vpcID, "kubernetes_namespace": ns})
	managed := metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=terraform-provider-zerotrust"}
	defer func() {
		terraform.Destroy(t, opts)
		if left := managedGroups(t, vpcID); len(left) != 0 {
			t.Errorf("security groups left after destroy: %v", left)
		}
		// Every object the provider named (zt-…), labelled or not: a shared
		// object let go of by all its holders must be gone too.
		list, err := cs.NetworkingV1().NetworkPolicies(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, np := range list.Items {
			if strings.HasPrefix(np.Name, "zt-") {
				t.Errorf("NetworkPolicy %s left after destroy (labels %v)", np.Name, np.Labels)
			}
		}
	}()

	before := apiRequests(t, cs)
	terraform.InitAndApply(t, opts)
	afterApply := apiRequests(t, cs)

	ids := terraform.OutputMap(t, opts, "security_group_ids")
	c := acctest.EC2(t)
	assertRules(t, c, ids["db"], []string{"in tcp 5432-5432 " + ids["app"]})

	list, err := cs.NetworkingV1().NetworkPolicies(ns).List(ctx, managed)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) == 0 {
		t.Fatal("no NetworkPolicies in the namespace")
	}
	ev, err := reach.NewEvaluator(map[string]map[string]string{
		ns:            {"kubernetes.io/metadata.name": ns},
		"kube-system": {"kubernetes.io/metadata.name": "kube-system"},
	}, list.Items)
	if err != nil {
		t.Fatal(err)
	}
	pod := func(tier string) reach.Workload {
		return reach.Workload{Namespace: ns, Labels: map[string]string{"app.kubernetes.io/component": tier}, IP: netip.MustParseAddr("192.168.0.1")}
	}
	outside := reach.Workload{Namespace: "elsewhere", IP: netip.MustParseAddr("10.1.2.3")}
	dns := reach.Workload{Namespace: "kube-system", Labels: map[string]string{"k8s-app": "kube-dns"}}
	for _, tc := range []struct {
		name     string
		src, dst reach.Workload
		port     int32
		want     bool
	}{
		{"web -> app:8443", pod("web"), pod("app"), 8443, true},
		{"app -> db:5432", pod("app"), pod("db"), 5432, true},
		{"corporate range -> web:443", outside, pod("web"), 443, true},
		{"web -> db:5432 (skips a tier)", pod("web"), pod("db"), 5432, false},
		{"app -> db:22 (undeclared port)", pod("app"), pod("db"), 22, false},
		{"db -> app:8443 (reverse)", pod("db"), pod("app"), 8443, false},
		{"corporate range -> db:5432", outside, pod("db"), 5432, false},
		{"an unlabelled pod -> app:8443", reach.Workload{Namespace: ns}, pod("app"), 8443, false},
	} {
		if got := ev.Allowed(tc.src, tc.dst, corev1.ProtocolTCP, tc.port); got != tc.want {
			t.Errorf("%s: allowed=%v, want %v", tc.name, got, tc.want)
		}
	}
	if !ev.Allowed(pod("db"), dns, corev1.ProtocolUDP, 53) {
		t.Error("DNS egress is not allowed")
	}
	if ev.Allowed(reach.Workload{Namespace: ns, Labels: map[string]string{"app": "batch"}}, dns, corev1.ProtocolUDP, 53) {
		t.Error("a pod of no segment may reach DNS: DNS egress must select segment pods only")
	}
	// Three policies place segments in the namespace: one default-deny
	// and one DNS policy per segment selector between them, not one per policy.
	denies, dnsPolicies := 0, 0
	for _, np := range list.Items {
		switch {
		case strings.Contains(np.Name, "default-deny"):
			denies++
		case strings.Contains(np.Name, "allow-dns"):
			dnsPolicies++
		}
	}
	if denies != 1 || dnsPolicies != 3 {
		t.Errorf("%d default-deny and %d DNS NetworkPolicies in %s, want 1 and 3 (web, app, db)", denies, dnsPolicies, ns)
	}

	beforeRefresh := apiRequests(t, cs)
	if code := terraform.PlanExitCode(t, opts); code != 0 {
		t.Fatalf("re-plan after apply: exit code %d, want 0 (no changes)", code)
	}
	afterRefresh := apiRequests(t, cs)
	t.Logf("kube-apiserver requests: apply %d (%s), refresh+plan %d (%s)",
		total(diff(afterApply, before)), render(diff(afterApply, before)), total(diff(afterRefresh, beforeRefresh)), render(diff(afterRefresh, beforeRefresh)))

	// Someone adds an allow-all NetworkPolicy over the db pods: the plan
	// stays empty (it is not the provider's to remove) but warns, naming
	// it — before any db pod runs: the selectors decide, not the pods.
	if _, err := cs.NetworkingV1().NetworkPolicies(ns).Create(ctx, &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "debug-allow-all"},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/component": "db"}},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{}},
		},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cs.NetworkingV1().NetworkPolicies(ns).Delete(ctx, "debug-allow-all", metav1.DeleteOptions{})
	}()
	out := terraform.RunTerraformCommand(t, opts, terraform.FormatArgs(opts, "plan", "-input=false", "-lock=false")...)
	if !strings.Contains(out, "NetworkPolicy not managed by this provider selects segment pods") ||
		!strings.Contains(out, "debug-allow-all selects pods of the segment and allows") {
		t.Errorf("the plan does not warn about the foreign allow-all NetworkPolicy:\n%s", out)
	}
}

// apiRequests reads apiserver_request_total from the API server's metrics,
// summed by verb and resource, for the kinds the provider manages.
func apiRequests(t *testing.T, cs *kubernetes.Clientset) map[string]int {
	t.Helper()
	raw, err := cs.RESTClient().Get().AbsPath("/metrics").DoRaw(context.Background())
	if err != nil {
		t.Fatalf("reading /metrics: %v", err)
	}
	out := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "apiserver_request_total{") {
			continue
		}
		labels, value, _ := strings.Cut(line[len("apiserver_request_total{"):], "} ")
		resource, verb := label(labels, "resource"), label(labels, "verb")
		if resource != "networkpolicies" && resource != "authorizationpolicies" {
			continue
		}
		n, _ := strconv.ParseFloat(value, 64)
		out[verb+" "+resource] += int(n)
	}
	return out
}

func label(labels, name string) string {
	_, rest, ok := strings.Cut(labels, name+`="`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

func diff(a, b map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range a {
		if d := v - b[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func render(m map[string]int) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+"="+strconv.Itoa(v))
	}
	sortStrings(parts)
	return strings.Join(parts, ", ")
}
