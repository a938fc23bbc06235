package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

func kubernetesOnlyConfig(ns, dbApp, extra string) string {
	return acctest.KubernetesOnlyProviderBlock + fmt.Sprintf(`
resource "zerotrust_segment" "web" {
  name = "web"
  kubernetes {
    namespace  = %[1]q
    pod_labels = { app = "web" }
  }
}

resource "zerotrust_segment" "db" {
  name        = "db"
  sensitivity = "restricted"
  kubernetes {
    namespace  = %[1]q
    pod_labels = { app = %[2]q }
  }
}

resource "zerotrust_segment_policy" "db" {
  segment = zerotrust_segment.db.id
  allow_from {
    segment = zerotrust_segment.web.id
    ports   = ["5432"]
  }
}
%[3]s
`, ns, dbApp, extra)
}

// TestAccSegment_kubernetesOnly: segments placed only in Kubernetes and a
// policy between them plan and apply with only a kubernetes provider block —
// every AWS endpoint points at a closed port, so any AWS call would fail.
// Ids and compiled manifests are known in the first plan; a placement
// change reaches the policy in the same apply; import; destroy leaves
// nothing.
func TestAccSegment_kubernetesOnly(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2, acctest.RealKubernetes)
	ns := acctest.RandomName("acc-k8s-only")
	// Serial: t.Setenv changes the environment of the whole test binary.
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	acctest.EnsureNamespace(t, ns)
	manifestsKnown := plancheck.ExpectKnownValue("zerotrust_segment_policy.db", tfjsonpath.New("kubernetes_manifests"), knownvalue.MapSizeExact(5)) // deny, DNS for db and web, db ingress, web egress
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKubernetesPoliciesGone(t, ns),
		Steps: []resource.TestStep{
			{
				Config: kubernetesOnlyConfig(ns, "db", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("zerotrust_segment.db", tfjsonpath.New("id"), knownvalue.StringExact("k8s/"+ns+"/db")),
					plancheck.ExpectKnownValue("zerotrust_segment.db", tfjsonpath.New("security_group_id"), knownvalue.Null()),
					plancheck.ExpectKnownValue("zerotrust_segment_policy.db", tfjsonpath.New("id"), knownvalue.StringExact("k8s/"+ns+"/db/default")),
					plancheck.ExpectKnownValue("zerotrust_segment_policy.db", tfjsonpath.New("rules"), knownvalue.ListSizeExact(0)),
					manifestsKnown,
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_segment.web", tfjsonpath.New("ownership_id"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue("zerotrust_segment_policy.db", tfjsonpath.New("segment_sensitivity"), knownvalue.StringExact("restricted")),
					acctest.ExpectSegmentRecords(ns, map[string]map[string]string{"db": {"sensitivity": "restricted"}, "web": {"pod-labels": `{"app":"web"}`}}),
					acctest.ExpectNetworkPolicy(ns, "db-ingress", acctest.NetworkPolicyWant{Labels: map[string]string{"app": "db"}, Allows: []int{5432}, Denies: []int{5433}}),
					acctest.ExpectNetworkPolicy(ns, "web-egress", acctest.NetworkPolicyWant{}),
					// One DNS policy per segment, neither granting DNS to every pod of the namespace.
					acctest.ExpectNetworkPolicies(ns, "allow-dns", 2, acctest.NetworkPolicyWant{SelectsSome: true}),
				},
			},
			{
				// The db pods are relabelled: the segment and the policy
				// change in one apply, the policy planned against the new
				// placement (known in the plan).
				Config: kubernetesOnlyConfig(ns, "postgres", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_segment.db", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("zerotrust_segment_policy.db", plancheck.ResourceActionUpdate),
					manifestsKnown,
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectNetworkPolicy(ns, "db-ingress", acctest.NetworkPolicyWant{Labels: map[string]string{"app": "postgres"}}),
				},
			},
			{ResourceName: "zerotrust_segment.db", ImportState: true, ImportStateVerify: true},
			{ResourceName: "zerotrust_segment_policy.db", ImportState: true, ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"allow_from", "kubernetes_manifests"}},
			{
				// ICMP has no NetworkPolicy form, and a Kubernetes-only
				// segment has nothing else to enforce it with.
				Config: kubernetesOnlyConfig(ns, "postgres", `
resource "zerotrust_segment_policy" "web" {
  segment = zerotrust_segment.web.id
  allow_to {
    cidr_blocks = ["10.0.0.0/8"]
    protocol    = "icmp"
  }
}`),
				ExpectError: regexp.MustCompile(`ICMP not representable in Kubernetes`),
			},
			{
				Config: kubernetesOnlyConfig(ns, "postgres", `
resource "zerotrust_segment" "tagged" {
  name = "tagged"
  tags = { team = "x" }
  kubernetes { namespace = "`+ns+`" }
}`),
				ExpectError: regexp.MustCompile(`Tags on a Kubernetes-only segment`),
			},
			// Refused changes left everything as it was: no diff.
			{Config: kubernetesOnlyConfig(ns, "postgres", ""), PlanOnly: true},
		},
	})
}

// TestAccSegment_exclusiveKubernetesOnly: a segment placed only in
// Kubernetes records exclusive in its SegmentRecord (whose write RBAC is the
// Terraform identity's alone); once it belongs to another configuration, a
// policy of this one naming it as a peer is refused at plan, at the peer's
// attribute — and nothing is written.
func TestAccSegment_exclusiveKubernetesOnly(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealKubernetes)
	ns := acctest.RandomName("acc-k8s-excl")
	acctest.EnsureNamespace(t, ns)
	segment := func(label, name, lines string) string {
		return fmt.Sprintf(`
resource "zerotrust_segment" %[1]q {
  name = %[2]q
  %[4]s
  kubernetes {
    namespace  = %[3]q
    pod_labels = { app = %[2]q }
  }
}
`, label, name, ns, lines)
	}
	removed := acctest.RemovedKeepingObjects("zerotrust_segment.db")
	intruder := fmt.Sprintf(`
resource "zerotrust_segment_policy" "web" {
  segment = zerotrust_segment.web.id
  allow_to {
    segment = "k8s/%s/db"
    ports   = ["5432"]
  }
}
`, ns)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: acctest.KubernetesOnlyProviderBlock + segment("db", "db", "exclusive = true") + segment("web", "web", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_segment.db", tfjsonpath.New("exclusive"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("zerotrust_segment.db", tfjsonpath.New("governing_policies"), knownvalue.ListSizeExact(0)),
				},
			},
			{
				Config:      acctest.KubernetesOnlyProviderBlock + removed + segment("web", "web", "") + intruder,
				ExpectError: regexp.MustCompile(`(?s)Segment exclusive to another configuration.*segment = "k8s/[^"]+/db".*is exclusive`),
			},
			{
				Config: acctest.KubernetesOnlyProviderBlock + removed + segment("web", "web", ""),
				Check: func(*terraform.State) error {
					if pols := acctest.OwnedNetworkPolicies(t, ns); len(pols) != 0 {
						return fmt.Errorf("the refused policy wrote %v", acctest.NetworkPolicyNames(pols))
					}
					return nil
				},
			},
		},
	})
}
