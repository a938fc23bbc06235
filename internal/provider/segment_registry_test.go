package provider_test

import (
	"context"
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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// The segment registry (issue 23): a Kubernetes-only segment is recorded in
// a SegmentRecord, which policies of other states read to place their
// peers. Ordinary application access cannot write one, a record that could
// widen a policy is refused as a peer, a 0.1 ConfigMap record is refused
// until its owner's apply moves it, and a peer that moves is pointed out in
// the consuming plan.

// consumerConfig is another state's view: its own segment db and a policy
// admitting the Kubernetes-only segment k8s/<ns>/web, named by id only.
func consumerConfig(ns string) string {
	return acctest.KubernetesOnlyProviderBlock + fmt.Sprintf(`
resource "zerotrust_segment" "db" {
  name = "db"
  kubernetes {
    namespace  = %[1]q
    pod_labels = { app = "db" }
  }
}

resource "zerotrust_segment_policy" "db" {
  segment = zerotrust_segment.db.id
  allow_from {
    segment = "k8s/%[1]s/web"
    ports   = ["5432"]
  }
}
`, ns)
}

func ownerConfig(ns string) string {
	return acctest.KubernetesOnlyProviderBlock + fmt.Sprintf(`
resource "zerotrust_segment" "web" {
  name = "web"
  kubernetes {
    namespace  = %q
    pod_labels = { app = "web" }
  }
}
`, ns)
}

// TestAccSegmentKubernetesRegistry_editRoleCannotWrite: a user bound in the
// namespace to the built-in edit ClusterRole — ordinary application access,
// which may write ConfigMaps, where provider 0.1 kept the registry — can
// neither create, edit nor delete a SegmentRecord; nor can a user bound to
// the built-in admin role, and no role aggregated into the built-in ones
// grants writing one. The sandbox runs kube-apiserver with
// --authorization-mode=RBAC; the edit role's aggregation is done by the
// test, as kube-controller-manager would.
func TestAccSegmentKubernetesRegistry_editRoleCannotWrite(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2, acctest.RealKubernetes)
	ns := acctest.RandomName("acc-registry-rbac")
	acctest.EnsureNamespace(t, ns)
	user := "app-developer@" + ns
	acctest.BindBuiltinRole(t, ns, user, "edit")
	dev := acctest.ImpersonatedDynamic(t, user)
	acctest.BindBuiltinRole(t, ns, "app-owner@"+ns, "admin")
	nsAdmin := acctest.ImpersonatedDynamic(t, "app-owner@"+ns)
	ctx := context.Background()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKubernetesPoliciesGone(t, ns),
		Steps: []resource.TestStep{{
			Config: ownerConfig(ns),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("zerotrust_segment.web", tfjsonpath.New("kubernetes_record"),
					knownvalue.StringRegexp(regexp.MustCompile(`^segmentrecords\.zerotrust\.ztforge\.io/`+ns+`/zt-web-segment-`))),
				acctest.ExpectSegmentRecords(ns, map[string]map[string]string{"web": {"record": "SegmentRecord", "pod-labels": `{"app":"web"}`}}),
			},
			Check: func(*terraform.State) error {
				// The edit role is effective: ConfigMaps, the 0.1 registry, are writable.
				cm := acctest.PlainConfigMap(ns, "probe")
				if _, err := dev.Resource(acctest.ConfigMapGVR).Namespace(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
					return fmt.Errorf("the edit user cannot create a ConfigMap (the role is not effective): %v", err)
				}
				if err := acctest.EditSegmentRecord(t, dev, ns, "web", func(spec map[string]any) { spec["podLabels"] = map[string]any{"app": "attacker"} }); !apierrors.IsForbidden(err) {
					return fmt.Errorf("the edit user edited the SegmentRecord: %v, want Forbidden", err)
				}
				forged := acctest.SegmentRecordObject(ns, "forged", map[string]any{"app": "x"})
				if _, err := dev.Resource(acctest.SegmentRecordGVR).Namespace(ns).Create(ctx, forged, metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
					return fmt.Errorf("the edit user created a SegmentRecord: %v, want Forbidden", err)
				}
				if err := dev.Resource(acctest.SegmentRecordGVR).Namespace(ns).Delete(ctx, acctest.RegistryName("web"), metav1.DeleteOptions{}); !apierrors.IsForbidden(err) {
					return fmt.Errorf("the edit user deleted the SegmentRecord: %v, want Forbidden", err)
				}
				if _, err := nsAdmin.Resource(acctest.SegmentRecordGVR).Namespace(ns).Create(ctx, forged, metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
					return fmt.Errorf("the namespace admin created a SegmentRecord: %v, want Forbidden", err)
				}
				// No role aggregated into the built-in ones grants a write.
				for _, verb := range []string{"create", "update", "patch", "delete"} {
					for _, role := range acctest.ClusterRolesGranting(t, "zerotrust.ztforge.io", "segmentrecords", verb) {
						if role == "admin" || role == "edit" || role == "view" || strings.HasPrefix(role, "system:aggregate-to-") {
							return fmt.Errorf("ClusterRole %s grants %s on segmentrecords", role, verb)
						}
					}
				}
				return nil
			},
		}},
	})
}

// TestAccSegmentKubernetesRegistry_unsafeRecordRefused: another state's
// record cannot be made to select every pod of the namespace — the API
// server's schema refuses empty or missing pod labels — and a record marked
// create-pending (what the forger pre-created) is refused as a peer
// at plan, with nothing written.
func TestAccSegmentKubernetesRegistry_unsafeRecordRefused(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2, acctest.RealKubernetes)
	ns := acctest.RandomName("acc-registry-unsafe")
	acctest.EnsureNamespace(t, ns)
	acctest.CreateSegmentRecord(t, ns, "web", map[string]string{"app": "web"})
	rec := &acctest.DiagnosticsRecorder{}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: rec.Factories(),
		Steps: []resource.TestStep{
			{
				Config: consumerConfig(ns),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectNetworkPolicy(ns, "db-ingress", acctest.NetworkPolicyWant{Labels: map[string]string{"app": "db"}, Allows: []int{5432}}),
				},
			},
			{
				PreConfig: func() {
					for name, edit := range map[string]func(map[string]any){
						"empty pod labels": func(spec map[string]any) { spec["podLabels"] = map[string]any{} },
						"no pod labels":    func(spec map[string]any) { delete(spec, "podLabels") },
					} {
						if err := acctest.EditSegmentRecord(t, nil, ns, "web", edit); !apierrors.IsInvalid(err) {
							t.Fatalf("an out-of-band edit to %s: %v, want Invalid", name, err)
						}
					}
					if err := acctest.EditSegmentRecord(t, nil, ns, "web", func(spec map[string]any) { spec["createPending"] = true }); err != nil {
						t.Fatal(err)
					}
					rec.Reset()
				},
				Config:      consumerConfig(ns),
				ExpectError: regexp.MustCompile(`(?s)Peer segment's record refused.*k8s/` + ns + `/web.*create-pending`),
			},
			{
				// The refusal is at the peer; the policy's objects are as
				// the first apply left them.
				PreConfig: func() {
					rec.RequireDiagnostic(t, regexp.MustCompile(`^error: allow_from\[0\]\.segment: Peer segment's record refused: `))
					if err := acctest.EditSegmentRecord(t, nil, ns, "web", func(spec map[string]any) { delete(spec, "createPending") }); err != nil {
						t.Fatal(err)
					}
				},
				Config:   consumerConfig(ns),
				PlanOnly: true,
			},
		},
	})
}

// TestAccSegmentKubernetesRegistry_legacyConfigMapMigrated: a segment whose
// record is still the ConfigMap provider 0.1 wrote is refused as another
// state's peer — anyone with ConfigMap write access could have forged it —
// until its owner's next apply moves it to a SegmentRecord (a planned
// change of kubernetes_record), keeping its ownership id and deleting the
// ConfigMap; then the peer is accepted.
func TestAccSegmentKubernetesRegistry_legacyConfigMapMigrated(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2, acctest.RealKubernetes)
	ns := acctest.RandomName("acc-registry-legacy")
	acctest.EnsureNamespace(t, ns)
	const owner = "0a0b0c0d-1111-4222-8333-444455556666"
	acctest.CleanupSegmentRecord(t, ns, "web")
	acctest.CreateLegacySegmentRecord(t, ns, "web", map[string]string{"app": "web"}, owner)
	rec := &acctest.DiagnosticsRecorder{}
	importOwner := fmt.Sprintf("import {\n  to = zerotrust_segment.web\n  id = \"k8s/%s/web\"\n}\n", ns)
	ownerGone := acctest.RemovedKeepingObjects("zerotrust_segment.web")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: rec.Factories(),
		Steps: []resource.TestStep{
			{
				// Another state (this one, before it takes the owner in)
				// names the segment: refused at the peer, nothing written.
				PreConfig:   rec.Reset,
				Config:      consumerConfig(ns),
				ExpectError: regexp.MustCompile(`(?s)Peer segment's record refused.*ConfigMap.*Re-apply the Terraform\s+state that owns the segment`),
			},
			{
				// The owner's state (its segment imported as 0.1 left it)
				// applies: the record moves.
				PreConfig: func() {
					rec.RequireDiagnostic(t, regexp.MustCompile(`^error: allow_from\[0\]\.segment: Peer segment's record refused: Segment k8s/`+ns+`/web is recorded only in the ConfigMap`))
				},
				Config: ownerConfig(ns) + importOwner,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_segment.web", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue("zerotrust_segment.web", tfjsonpath.New("kubernetes_record"),
						knownvalue.StringRegexp(regexp.MustCompile(`^segmentrecords\.zerotrust\.ztforge\.io/`))),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_segment.web", tfjsonpath.New("ownership_id"), knownvalue.StringExact(owner)),
					acctest.ExpectSegmentRecords(ns, map[string]map[string]string{"web": {"record": "SegmentRecord", "ownership": owner, "pod-labels": `{"app":"web"}`}}),
				},
				Check: func(*terraform.State) error {
					if got := acctest.SegmentRecords(t, ns)["web"]["record"]; got != "SegmentRecord" {
						return fmt.Errorf("the 0.1 ConfigMap survived the migration: %v", acctest.SegmentRecords(t, ns))
					}
					return nil
				},
			},
			{
				// Migrated: another state's policy takes it as a peer.
				Config: consumerConfig(ns) + ownerGone,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectNetworkPolicy(ns, "db-ingress", acctest.NetworkPolicyWant{Labels: map[string]string{"app": "db"}, Allows: []int{5432}}),
				},
			},
		},
	})
}

// TestAccSegmentKubernetesRegistry_peerMoveWarned: when another state moves
// a peer's pods (its pod labels change), the consuming policy's plan
// updates its NetworkPolicies and warns, at the peer's attribute, naming the
// peer and what changed.
func TestAccSegmentKubernetesRegistry_peerMoveWarned(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2, acctest.RealKubernetes)
	ns := acctest.RandomName("acc-registry-move")
	acctest.EnsureNamespace(t, ns)
	acctest.CreateSegmentRecord(t, ns, "web", map[string]string{"app": "web"})
	rec := &acctest.DiagnosticsRecorder{}
	moved := regexp.MustCompile(`^warning: allow_from\[0\]\.segment: Segment placement changed since the last apply: Segment k8s/` + ns + `/web.*pod labels \{app=web\} → \{app=web-v2\}`)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: rec.Factories(),
		Steps: []resource.TestStep{
			{
				Config: consumerConfig(ns),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					rec.ExpectWarning(regexp.MustCompile(`placement changed`), false),
				}},
			},
			{
				PreConfig: func() {
					rec.Reset()
					acctest.UpdateSegmentRecordLabels(t, ns, "web", map[string]string{"app": "web-v2"})
				},
				Config: consumerConfig(ns),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("zerotrust_segment_policy.db", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("zerotrust_segment.db", plancheck.ResourceActionNoop),
					rec.ExpectWarning(moved, true),
				}},
			},
			{
				// Applied: the next plan has nothing to say.
				PreConfig: rec.Reset,
				Config:    consumerConfig(ns),
				PlanOnly:  true,
			},
		},
	})
}
