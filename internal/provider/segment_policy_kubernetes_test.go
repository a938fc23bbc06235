package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

var authzGVR = schema.GroupVersionResource{Group: "security.istio.io", Version: "v1", Resource: "authorizationpolicies"}

func kubeClients(t *testing.T) (*kubernetes.Clientset, dynamic.Interface) {
	t.Helper()
	acctest.RequireAcc(t)
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil {
		t.Fatalf("kubeconfig from the sandbox: %v", err)
	}
	return kubernetes.NewForConfigOrDie(cfg), dynamic.NewForConfigOrDie(cfg)
}

func ensureNamespace(t *testing.T, name string) {
	t.Helper()
	cs, _ := kubeClients(t)
	_, err := cs.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// ownedPolicies lists the provider's NetworkPolicies in a namespace, by name.
func ownedPolicies(t *testing.T, ns string) map[string]networkingv1.NetworkPolicy {
	t.Helper()
	cs, _ := kubeClients(t)
	list, err := cs.NetworkingV1().NetworkPolicies(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=terraform-provider-zerotrust"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]networkingv1.NetworkPolicy{}
	for _, np := range list.Items {
		out[np.Name] = np
	}
	return out
}

func policyNamed(pols map[string]networkingv1.NetworkPolicy, part string) (networkingv1.NetworkPolicy, bool) {
	names := make([]string, 0, len(pols))
	for n := range pols {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.Contains(n, part) {
			return pols[n], true
		}
	}
	return networkingv1.NetworkPolicy{}, false
}

func k8sPolicyConfig(vpcID, ns, port, policyExtra string) string {
	return `
provider "zerotrust" {
  aws {}
  kubernetes {}
}
` + fmt.Sprintf(`
resource "zerotrust_segment" "checkout" {
  name   = "checkout"
  vpc_id = %[1]q
  kubernetes {
    namespace       = %[2]q
    pod_labels      = { app = "checkout" }
    service_account = "checkout"
  }
}

resource "zerotrust_segment" "payments" {
  name        = "payments"
  vpc_id      = %[1]q
  sensitivity = "restricted"
  kubernetes {
    namespace       = %[2]q
    pod_labels      = { app = "payment-api" }
    service_account = "payment-api"
  }
}

resource "zerotrust_segment_policy" "test" {
  segment = zerotrust_segment.payments.id
  allow_from {
    segment      = zerotrust_segment.checkout.id
    ports        = [%[3]q]
    http_methods = ["POST"]
  }
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
    ports       = ["9090"]
  }
  kubernetes {
    istio = true
%[4]s
  }
}
`, vpcID, ns, port, policyExtra)
}

// TestAccSegmentPolicy_kubernetes drives the Kubernetes half of a segment
// policy against the sandbox's real kube-apiserver: create, manifests known
// in the plan, update, drift (an edited and a deleted object), a conflict
// with another field manager, import and destroy.
func TestAccSegmentPolicy_kubernetes(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.30.0.0/16")
	const ns = "acc-shop"
	ensureNamespace(t, ns)
	cs, dyn := kubeClients(t)
	ctx := context.Background()
	var policyID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if left := ownedPolicies(t, ns); len(left) != 0 {
				return fmt.Errorf("%d NetworkPolicies left after destroy", len(left))
			}
			ap, err := dyn.Resource(authzGVR).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=terraform-provider-zerotrust"})
			if err != nil || len(ap.Items) != 0 {
				return fmt.Errorf("AuthorizationPolicies left after destroy: %v %v", len(ap.Items), err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: k8sPolicyConfig(vpcID, ns, "8443", ""),
				Check: func(s *terraform.State) error {
					policyID = s.RootModule().Resources["zerotrust_segment_policy.test"].Primary.ID
					pols := ownedPolicies(t, ns)
					deny, ok := policyNamed(pols, "default-deny")
					if !ok || len(deny.Spec.PodSelector.MatchLabels) != 0 || len(deny.Spec.PolicyTypes) != 2 {
						return fmt.Errorf("no default-deny for the whole namespace among %d policies", len(pols))
					}
					in, ok := policyNamed(pols, "payments-ingress")
					if !ok {
						return fmt.Errorf("no ingress policy for payments among %v", keysOf(pols))
					}
					if in.Spec.PodSelector.MatchLabels["app"] != "payment-api" {
						return fmt.Errorf("ingress policy selects %v", in.Spec.PodSelector.MatchLabels)
					}
					if !policyAllowsPort(in, 8443) || !policyAllowsPort(in, 9090) {
						return fmt.Errorf("ingress policy does not allow 8443 and 9090: %+v", in.Spec.Ingress)
					}
					if _, ok := policyNamed(pols, "checkout-egress"); !ok {
						return fmt.Errorf("no egress policy for checkout among %v", keysOf(pols))
					}
					ap, err := dyn.Resource(authzGVR).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=terraform-provider-zerotrust"})
					if err != nil {
						return err
					}
					var principals []string
					for _, o := range ap.Items {
						rules, _, _ := unstructuredSlice(o.Object, "spec", "rules")
						for _, r := range rules {
							principals = append(principals, fmt.Sprint(r))
						}
					}
					if !strings.Contains(strings.Join(principals, " "), "cluster.local/ns/"+ns+"/sa/checkout") || !strings.Contains(strings.Join(principals, " "), "POST") {
						return fmt.Errorf("no AuthorizationPolicy rule for the checkout identity with POST: %v", principals)
					}
					return nil
				},
			},
			{
				// Inputs all known now: the manifests are in the plan, not "(known after apply)".
				Config: k8sPolicyConfig(vpcID, ns, "8444", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("zerotrust_segment_policy.test", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("zerotrust_segment_policy.test", tfjsonpath.New("kubernetes_manifests"), knownvalue.NotNull()),
					},
				},
				Check: func(*terraform.State) error {
					in, _ := policyNamed(ownedPolicies(t, ns), "payments-ingress")
					if !policyAllowsPort(in, 8444) || policyAllowsPort(in, 8443) {
						return fmt.Errorf("port not updated: %+v", in.Spec.Ingress)
					}
					return nil
				},
			},
			{
				// Out of band: someone opens the ingress policy to everyone
				// with kubectl edit, and deletes the default deny.
				PreConfig: func() {
					pols := ownedPolicies(t, ns)
					in, _ := policyNamed(pols, "payments-ingress")
					in.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{}}
					if _, err := cs.NetworkingV1().NetworkPolicies(ns).Update(ctx, &in, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
						t.Fatal(err)
					}
					deny, _ := policyNamed(pols, "default-deny")
					if err := cs.NetworkingV1().NetworkPolicies(ns).Delete(ctx, deny.Name, metav1.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				},
				Config: k8sPolicyConfig(vpcID, ns, "8444", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_segment_policy.test", plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					pols := ownedPolicies(t, ns)
					if _, ok := policyNamed(pols, "default-deny"); !ok {
						return fmt.Errorf("default-deny not restored")
					}
					in, _ := policyNamed(pols, "payments-ingress")
					if len(in.Spec.Ingress) != 2 || !policyAllowsPort(in, 8444) {
						return fmt.Errorf("ingress policy not restored: %+v", in.Spec.Ingress)
					}
					return nil
				},
			},
			{
				// Another tool server-side applies a different pod selector
				// onto our ingress policy: a conflict, reported by name.
				PreConfig: func() {
					in, _ := policyNamed(ownedPolicies(t, ns), "payments-ingress")
					patch := fmt.Sprintf(`{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":%q,"namespace":%q},"spec":{"podSelector":{"matchLabels":{"app":"hijacked"}}}}`, in.Name, ns)
					force := true
					if _, err := cs.NetworkingV1().NetworkPolicies(ns).Patch(ctx, in.Name, types.ApplyPatchType, []byte(patch), metav1.PatchOptions{FieldManager: "other-tool", Force: &force}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      k8sPolicyConfig(vpcID, ns, "8444", ""),
				ExpectError: regexp.MustCompile(`(?s)another field manager\s+owns fields.*other-tool.*force_conflicts`),
			},
			{
				Config: k8sPolicyConfig(vpcID, ns, "8444", "    force_conflicts = true"),
				Check: func(*terraform.State) error {
					in, _ := policyNamed(ownedPolicies(t, ns), "payments-ingress")
					if in.Spec.PodSelector.MatchLabels["app"] != "payment-api" {
						return fmt.Errorf("forced apply did not take the selector back: %v", in.Spec.PodSelector.MatchLabels)
					}
					return nil
				},
			},
			{
				ResourceName:      "zerotrust_segment_policy.test",
				ImportState:       true,
				ImportStateIdFunc: func(*terraform.State) (string, error) { return policyID, nil },
				ImportStateVerify: true,
				// Import rebuilds one flow block per rule and records the
				// cluster objects as placeholders; the next apply re-applies.
				ImportStateVerifyIgnore: []string{"allow_from", "allow_to", "kubernetes", "kubernetes_manifests"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					n := 0
					for k := range states[0].Attributes {
						if strings.HasPrefix(k, "kubernetes_manifests.") && k != "kubernetes_manifests.%" {
							n++
						}
					}
					if n < 4 {
						return fmt.Errorf("import found %d Kubernetes objects, want the policy's NetworkPolicies and AuthorizationPolicies", n)
					}
					return nil
				},
			},
		},
	})
}

func TestAccSegmentPolicy_kubernetesBadInput(t *testing.T) {
	cases := map[string]struct{ flow, want string }{
		"unknown method": {`
    cidr_blocks  = ["10.0.0.0/8"]
    ports        = ["443"]
    http_methods = ["FETCH"]`, `(?s)Attribute allow_from\[0\]\.http_methods\[0\] value must be one of`},
		"path not absolute": {`
    segment    = "sg-0123456789abcdef1"
    ports      = ["443"]
    http_paths = ["admin"]`, `(?s)Attribute allow_from\[0\]\.http_paths\[0\] must start with '/' or '\*'`},
		"http match on a CIDR peer": {`
    cidr_blocks  = ["10.0.0.0/8"]
    ports        = ["443"]
    http_methods = ["GET"]`, `(?s)HTTP matching needs a segment peer.*http_methods = \["GET"\]`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderConfig + "resource \"zerotrust_segment_policy\" \"test\" {\n  segment = \"sg-0123456789abcdef0\"\n  allow_from {" + tc.flow + "\n  }\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

func policyAllowsPort(np networkingv1.NetworkPolicy, port int) bool {
	for _, r := range np.Spec.Ingress {
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

func keysOf(m map[string]networkingv1.NetworkPolicy) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func unstructuredSlice(obj map[string]any, fields ...string) ([]any, bool, error) {
	var cur any = obj
	for _, f := range fields {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false, nil
		}
		cur = m[f]
	}
	s, ok := cur.([]any)
	return s, ok, nil
}
