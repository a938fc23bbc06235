package acctest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/kube"
)

// Kubernetes: the NetworkPolicies and Istio AuthorizationPolicies a segment
// policy applies, read and edited through the sandbox's kube-apiserver.

var authzGVR = schema.GroupVersionResource{Group: "security.istio.io", Version: "v1", Resource: "authorizationpolicies"}

// ownedSelector selects the objects the provider manages.
const ownedSelector = "app.kubernetes.io/managed-by=terraform-provider-zerotrust"

func kubeClients(t *testing.T) (*kubernetes.Clientset, dynamic.Interface) {
	t.Helper()
	RequireAcc(t)
	cs, dyn, err := kubeClientsFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	return cs, dyn
}

// kubeClientsFromEnv builds clients from the kubeconfig the sandbox exported.
func kubeClientsFromEnv() (*kubernetes.Clientset, dynamic.Interface, error) {
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil {
		return nil, nil, fmt.Errorf("kubeconfig from the sandbox: %v", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	return cs, dyn, err
}

// EnsureNamespace creates a namespace unless it exists.
func EnsureNamespace(t *testing.T, name string) {
	t.Helper()
	cs, _ := kubeClients(t)
	_, err := cs.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// NetworkPolicy is a live NetworkPolicy.
type NetworkPolicy struct {
	Name        string
	PodSelector map[string]string
	PolicyTypes []string
	// IngressRules counts the ingress rules.
	IngressRules int
	ingress      []networkingv1.NetworkPolicyIngressRule
}

// AllowsIngressPort says whether an ingress rule allows the port.
func (np NetworkPolicy) AllowsIngressPort(port int) bool {
	for _, r := range np.ingress {
		for _, p := range r.Ports {
			if p.Port == nil {
				continue
			}
			end := p.Port.IntValue()
			if p.EndPort != nil {
				end = int(*p.EndPort)
			}
			if p.Port.IntValue() <= port && port <= end {
				return true
			}
		}
	}
	return false
}

// Ingress renders the ingress rules for a failure message.
func (np NetworkPolicy) Ingress() string { return fmt.Sprintf("%+v", np.ingress) }

// OwnedNetworkPolicies lists the provider's NetworkPolicies in a namespace, by name.
func OwnedNetworkPolicies(t *testing.T, ns string) map[string]NetworkPolicy {
	t.Helper()
	cs, _ := kubeClients(t)
	pols, err := ownedNetworkPolicies(context.Background(), cs, ns)
	if err != nil {
		t.Fatal(err)
	}
	return pols
}

func ownedNetworkPolicies(ctx context.Context, cs *kubernetes.Clientset, ns string) (map[string]NetworkPolicy, error) {
	list, err := cs.NetworkingV1().NetworkPolicies(ns).List(ctx, metav1.ListOptions{LabelSelector: ownedSelector})
	if err != nil {
		return nil, err
	}
	out := map[string]NetworkPolicy{}
	for _, np := range list.Items {
		var types []string
		for _, pt := range np.Spec.PolicyTypes {
			types = append(types, string(pt))
		}
		out[np.Name] = NetworkPolicy{Name: np.Name, PodSelector: np.Spec.PodSelector.MatchLabels, PolicyTypes: types,
			IngressRules: len(np.Spec.Ingress), ingress: np.Spec.Ingress}
	}
	return out, nil
}

// NetworkPolicyNamed finds the first policy (by sorted name) whose name contains part.
func NetworkPolicyNamed(pols map[string]NetworkPolicy, part string) (NetworkPolicy, bool) {
	for _, n := range NetworkPolicyNames(pols) {
		if strings.Contains(n, part) {
			return pols[n], true
		}
	}
	return NetworkPolicy{}, false
}

// NetworkPolicyNames lists the policies' names, sorted.
func NetworkPolicyNames(pols map[string]NetworkPolicy) []string {
	out := make([]string, 0, len(pols))
	for k := range pols {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func getNetworkPolicy(t *testing.T, ns, name string) (*kubernetes.Clientset, context.Context, *networkingv1.NetworkPolicy) {
	t.Helper()
	cs, _ := kubeClients(t)
	ctx := context.Background()
	np, err := cs.NetworkingV1().NetworkPolicies(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cs, ctx, np
}

// OpenNetworkPolicyIngress edits a NetworkPolicy out of band (as kubectl
// edit would, with that field manager) so its ingress allows everyone.
func OpenNetworkPolicyIngress(t *testing.T, ns, name, fieldManager string) {
	t.Helper()
	cs, ctx, np := getNetworkPolicy(t, ns, name)
	np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{}}
	if _, err := cs.NetworkingV1().NetworkPolicies(ns).Update(ctx, np, metav1.UpdateOptions{FieldManager: fieldManager}); err != nil {
		t.Fatal(err)
	}
}

// DeleteNetworkPolicy deletes a NetworkPolicy out of band.
func DeleteNetworkPolicy(t *testing.T, ns, name string) {
	t.Helper()
	cs, _ := kubeClients(t)
	if err := cs.NetworkingV1().NetworkPolicies(ns).Delete(context.Background(), name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
}

// ReplaceNetworkPolicy deletes a NetworkPolicy out of band and creates
// another of the same name carrying the same labels (the provider's owner
// labels included) whose ingress allows everyone.
func ReplaceNetworkPolicy(t *testing.T, ns, name string) {
	t.Helper()
	cs, ctx, np := getNetworkPolicy(t, ns, name)
	if err := cs.NetworkingV1().NetworkPolicies(ns).Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	impostor := &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: np.Labels},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: np.Spec.PodSelector,
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{}},
		},
	}
	if _, err := cs.NetworkingV1().NetworkPolicies(ns).Create(ctx, impostor, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// ForceApplyPodSelector server-side applies, as fieldManager and forcing
// conflicts, a pod selector onto a NetworkPolicy (another tool taking it).
func ForceApplyPodSelector(t *testing.T, ns, name, fieldManager string, labels map[string]string) {
	t.Helper()
	cs, _ := kubeClients(t)
	patch := fmt.Sprintf(`{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":%q,"namespace":%q},"spec":{"podSelector":{"matchLabels":%s}}}`, name, ns, jsonLabels(labels))
	force := true
	if _, err := cs.NetworkingV1().NetworkPolicies(ns).Patch(context.Background(), name, types.ApplyPatchType, []byte(patch), metav1.PatchOptions{FieldManager: fieldManager, Force: &force}); err != nil {
		t.Fatal(err)
	}
}

func jsonLabels(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%q:%q", k, labels[k]))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// OwnedAuthorizationPolicyRules renders each spec.rules entry of the
// provider's AuthorizationPolicies in a namespace.
func OwnedAuthorizationPolicyRules(t *testing.T, ns string) ([]string, error) {
	t.Helper()
	_, dyn := kubeClients(t)
	return ownedAuthorizationPolicyRules(context.Background(), dyn, ns)
}

func ownedAuthorizationPolicyRules(ctx context.Context, dyn dynamic.Interface, ns string) ([]string, error) {
	ap, err := dyn.Resource(authzGVR).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: ownedSelector})
	if err != nil {
		return nil, err
	}
	var rules []string
	for _, o := range ap.Items {
		spec, _ := o.Object["spec"].(map[string]any)
		rs, _ := spec["rules"].([]any)
		for _, r := range rs {
			rules = append(rules, fmt.Sprint(r))
		}
	}
	return rules, nil
}

// CheckKubernetesPoliciesGone is a CheckDestroy: no NetworkPolicy,
// AuthorizationPolicy or segment record of the provider is left in the
// namespace.
func CheckKubernetesPoliciesGone(t *testing.T, ns string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if left := OwnedNetworkPolicies(t, ns); len(left) != 0 {
			return fmt.Errorf("%d NetworkPolicies left after destroy: %v", len(left), NetworkPolicyNames(left))
		}
		if left := SegmentRecords(t, ns); len(left) != 0 {
			return fmt.Errorf("%d segment records left after destroy", len(left))
		}
		_, dyn := kubeClients(t)
		ap, err := dyn.Resource(authzGVR).Namespace(ns).List(context.Background(), metav1.ListOptions{LabelSelector: ownedSelector})
		if err != nil || len(ap.Items) != 0 {
			n := 0
			if ap != nil {
				n = len(ap.Items)
			}
			return fmt.Errorf("AuthorizationPolicies left after destroy: %v %v", n, err)
		}
		return nil
	}
}

// SegmentRecords returns the registry records of Kubernetes-only segments
// in a namespace — SegmentRecords, and ConfigMaps provider 0.1 wrote — as
// segment name → data, with the 0.1 ConfigMap's data keys (sensitivity,
// pod-labels as canonical JSON, service-account, description) plus
// "ownership", "pending" ("true" when marked create-pending) and "record"
// (SegmentRecord or ConfigMap).
func SegmentRecords(t *testing.T, ns string) map[string]map[string]string {
	t.Helper()
	cs, dyn := kubeClients(t)
	records, err := segmentRecords(context.Background(), cs, dyn, ns)
	if err != nil {
		t.Fatal(err)
	}
	return records
}

func segmentRecords(ctx context.Context, cs *kubernetes.Clientset, dyn dynamic.Interface, ns string) (map[string]map[string]string, error) {
	list, err := dyn.Resource(kube.SegmentRecordGVR).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for _, o := range list.Items {
		spec, _, _ := unstructured.NestedMap(o.Object, "spec")
		str := func(k string) string { s, _ := spec[k].(string); return s }
		labels, _ := json.Marshal(spec["podLabels"])
		pending, _ := spec["createPending"].(bool)
		out[str("segment")] = map[string]string{
			"sensitivity": str("sensitivity"), "pod-labels": string(labels), "service-account": str("serviceAccount"),
			"description": str("description"), "ownership": str("ownershipID"), "pending": fmt.Sprint(pending), "record": kube.RecordKind,
		}
	}
	cms, err := cs.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{LabelSelector: ownedSelector + "," + kube.RegistryLabel + "=true"})
	if err != nil {
		return nil, err
	}
	for _, cm := range cms.Items {
		data := map[string]string{"ownership": cm.Annotations[kube.OwnershipAnnotation], "record": "ConfigMap",
			"pending": fmt.Sprint(cm.Annotations[kube.CreatePendingAnnotation] != "")}
		for k, v := range cm.Data {
			data[k] = v
		}
		out[cm.Annotations[kube.SegmentNameAnnotation]] = data
	}
	return out, nil
}
