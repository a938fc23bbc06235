package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

func k8sPolicyConfig(vpcID, ns, port, policyExtra string) string {
	return acctest.ProviderBlock(acctest.WithKubernetes) + fmt.Sprintf(`
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
	acctest.SafeInRealAccounts(t, acctest.RealEC2, acctest.RealKubernetes)
	vpcID := acctest.CreateVPC(t, "10.30.0.0/16")
	ns := acctest.RandomName("acc-shop")
	acctest.EnsureNamespace(t, ns)
	var policyID string
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKubernetesPoliciesGone(t, ns),
		Steps: []resource.TestStep{
			{
				Config: k8sPolicyConfig(vpcID, ns, "8443", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CaptureID("zerotrust_segment_policy.test", &policyID),
					// A default deny for the whole namespace, both directions.
					acctest.ExpectNetworkPolicy(ns, "default-deny", acctest.NetworkPolicyWant{SelectsAll: true, PolicyTypes: 2}),
					acctest.ExpectNetworkPolicy(ns, "payments-ingress", acctest.NetworkPolicyWant{Labels: map[string]string{"app": "payment-api"}, Allows: []int{8443, 9090}}),
					acctest.ExpectNetworkPolicy(ns, "checkout-egress", acctest.NetworkPolicyWant{}),
					// The checkout identity, with POST.
					acctest.ExpectAuthorizationPolicyRules(ns, "cluster.local/ns/"+ns+"/sa/checkout", "POST"),
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
				ConfigStateChecks: []statecheck.StateCheck{
					// The port is updated.
					acctest.ExpectNetworkPolicy(ns, "payments-ingress", acctest.NetworkPolicyWant{Allows: []int{8444}, Denies: []int{8443}}),
				},
			},
			{
				// Out of band: someone opens the ingress policy to everyone
				// with kubectl edit, and deletes the default deny.
				PreConfig: func() {
					pols := acctest.OwnedNetworkPolicies(t, ns)
					in, _ := acctest.NetworkPolicyNamed(pols, "payments-ingress")
					acctest.OpenNetworkPolicyIngress(t, ns, in.Name, "kubectl-edit")
					deny, _ := acctest.NetworkPolicyNamed(pols, "default-deny")
					acctest.DeleteNetworkPolicy(t, ns, deny.Name)
				},
				Config: k8sPolicyConfig(vpcID, ns, "8444", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_segment_policy.test", plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// Both restored.
					acctest.ExpectNetworkPolicy(ns, "default-deny", acctest.NetworkPolicyWant{}),
					acctest.ExpectNetworkPolicy(ns, "payments-ingress", acctest.NetworkPolicyWant{IngressRules: 2, Allows: []int{8444}}),
				},
			},
			{
				// Another tool server-side applies a different pod selector
				// onto our ingress policy: a conflict, reported by name.
				PreConfig: func() {
					in, _ := acctest.NetworkPolicyNamed(acctest.OwnedNetworkPolicies(t, ns), "payments-ingress")
					acctest.ForceApplyPodSelector(t, ns, in.Name, "other-tool", map[string]string{"app": "hijacked"})
				},
				Config:      k8sPolicyConfig(vpcID, ns, "8444", ""),
				ExpectError: regexp.MustCompile(`(?s)another\s+field\s+manager\s+owns\s+fields.*other-tool.*force_conflicts`),
			},
			{
				Config: k8sPolicyConfig(vpcID, ns, "8444", "    force_conflicts = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					// The forced apply took the selector back.
					acctest.ExpectNetworkPolicy(ns, "payments-ingress", acctest.NetworkPolicyWant{Labels: map[string]string{"app": "payment-api"}}),
				},
			},
			{
				// Out of band: the ingress policy is deleted and another one
				// of that name created, carrying the provider's owner labels.
				// The labels are not proof: the refresh reports it replaced
				// and the apply refuses to write to it.
				PreConfig: func() {
					in, _ := acctest.NetworkPolicyNamed(acctest.OwnedNetworkPolicies(t, ns), "payments-ingress")
					acctest.ReplaceNetworkPolicy(t, ns, in.Name)
				},
				Config:      k8sPolicyConfig(vpcID, ns, "8444", "    force_conflicts = true"),
				ExpectError: regexp.MustCompile(`(?s)payments-ingress.*carries\s+this\s+resource's\s+owner\s+labels\s+but\s+is\s+not\s+the\s+object\s+it\s+wrote`),
			},
			{
				// Once it is deleted, the apply re-creates the policy's own.
				PreConfig: func() {
					in, _ := acctest.NetworkPolicyNamed(acctest.OwnedNetworkPolicies(t, ns), "payments-ingress")
					if in.IngressRules != 1 || in.AllowsIngressPort(8444) {
						t.Errorf("the replacing policy was written to: %s", in.Ingress())
					}
					acctest.DeleteNetworkPolicy(t, ns, in.Name)
				},
				Config: k8sPolicyConfig(vpcID, ns, "8444", "    force_conflicts = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					// Re-created.
					acctest.ExpectNetworkPolicy(ns, "payments-ingress", acctest.NetworkPolicyWant{IngressRules: 2, Allows: []int{8444}}),
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
				ImportStateCheck:        checkImportedManifests,
			},
		},
	})
}

// checkImportedManifests checks that an imported segment policy records
// the policy's cluster objects: its NetworkPolicies and
// AuthorizationPolicies, at least four.
func checkImportedManifests(states []*terraform.InstanceState) error {
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
}

func TestAccSegmentPolicy_kubernetesBadInput(t *testing.T) {
	acctest.SafeInRealAccounts(t)
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
			t.Parallel() // plan-only, nothing in the sandbox is read or written
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderBlock() + "resource \"zerotrust_segment_policy\" \"test\" {\n  segment = \"sg-0123456789abcdef0\"\n  allow_from {" + tc.flow + "\n  }\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
