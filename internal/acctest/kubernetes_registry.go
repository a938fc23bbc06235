package acctest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/provider"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/kube"
)

// The segment registry as another state, or someone with ordinary
// application access, sees it: SegmentRecords written or edited outside
// the configuration under test, and clients acting as a user of the
// built-in roles.

// OtherStateOwnership is the ownership id of the records these helpers
// write: a segment owned by a state other than the test's.
const OtherStateOwnership = "11111111-2222-4333-8444-555555555555"

// kubeRESTConfig is the sandbox's admin configuration.
func kubeRESTConfig(t *testing.T) *rest.Config {
	t.Helper()
	RequireAcc(t)
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil {
		t.Fatalf("kubeconfig from the sandbox: %v", err)
	}
	return cfg
}

// ImpersonatedDynamic is a client acting as user (the admin impersonates).
func ImpersonatedDynamic(t *testing.T, user string) dynamic.Interface {
	t.Helper()
	cfg := rest.CopyConfig(kubeRESTConfig(t))
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return dyn
}

// BindBuiltinRole binds the built-in ClusterRole role (edit, admin, view)
// to user in namespace ns. The sandbox runs no kube-controller-manager, so
// first the role's aggregation is done here as its clusterrole-aggregation
// controller does it: the role's rules become the union of the rules of
// every ClusterRole its aggregationRule selects. A CRD whose roles carried
// the aggregate-to-edit label would so reach the user, as in a cluster.
func BindBuiltinRole(t *testing.T, ns, user, role string) {
	t.Helper()
	ctx := context.Background()
	cs, err := kubernetes.NewForConfig(kubeRESTConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	cr, err := cs.RbacV1().ClusterRoles().Get(ctx, role, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cr.AggregationRule != nil {
		var rules []rbacv1.PolicyRule
		for _, sel := range cr.AggregationRule.ClusterRoleSelectors {
			s, err := metav1.LabelSelectorAsSelector(&sel)
			if err != nil {
				t.Fatal(err)
			}
			list, err := cs.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{LabelSelector: s.String()})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range list.Items {
				if r.Name != role {
					rules = append(rules, r.Rules...)
				}
			}
		}
		cr.Rules = rules
		if _, err := cs.RbacV1().ClusterRoles().Update(ctx, cr, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-" + role, Namespace: ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: user}},
	}
	if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// ClusterRolesGranting lists the ClusterRoles with a rule allowing verb on
// resource of group (wildcards included), sorted by the API's order.
func ClusterRolesGranting(t *testing.T, group, resource, verb string) []string {
	t.Helper()
	cs, err := kubernetes.NewForConfig(kubeRESTConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	list, err := cs.RbacV1().ClusterRoles().List(context.Background(), metav1.ListOptions{LabelSelector: labels.Everything().String()})
	if err != nil {
		t.Fatal(err)
	}
	has := func(xs []string, x string) bool {
		for _, v := range xs {
			if v == x || v == "*" {
				return true
			}
		}
		return false
	}
	var out []string
	for _, r := range list.Items {
		for _, rule := range r.Rules {
			if has(rule.APIGroups, group) && has(rule.Resources, resource) && has(rule.Verbs, verb) {
				out = append(out, r.Name)
				break
			}
		}
	}
	return out
}

// CreateSegmentRecord records segment name in ns as another state's
// zerotrust_segment would (ownership OtherStateOwnership), and deletes the
// record when the test ends.
func CreateSegmentRecord(t *testing.T, ns, name string, podLabels map[string]string) {
	t.Helper()
	_, dyn := kubeClients(t)
	c := kube.NewFromDynamic(dyn)
	rec := kube.SegmentRecord{Segment: model.Segment{Name: name, Sensitivity: model.DefaultSensitivity,
		Kubernetes: &model.KubernetesSelector{Namespace: ns, PodLabels: podLabels}}}
	if _, err := c.CreateSegment(context.Background(), rec, OtherStateOwnership); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.DeleteSegment(context.Background(), ns, name, "") })
}

// UpdateSegmentRecordLabels changes the pod labels of another state's
// segment, as its owner's apply would.
func UpdateSegmentRecordLabels(t *testing.T, ns, name string, podLabels map[string]string) {
	t.Helper()
	_, dyn := kubeClients(t)
	c := kube.NewFromDynamic(dyn)
	live, err := c.FindSegment(context.Background(), ns, name)
	if err != nil {
		t.Fatal(err)
	}
	live.Segment.Kubernetes.PodLabels = podLabels
	if _, err := c.UpdateSegment(context.Background(), *live, OtherStateOwnership); err != nil {
		t.Fatal(err)
	}
}

// EditSegmentRecord edits the SegmentRecord of segment name in ns out of
// band through client dyn (nil: the sandbox's admin) and returns the API
// server's answer.
func EditSegmentRecord(t *testing.T, dyn dynamic.Interface, ns, name string, edit func(spec map[string]any)) error {
	t.Helper()
	_, admin := kubeClients(t)
	if dyn == nil {
		dyn = admin
	}
	u, err := admin.Resource(kube.SegmentRecordGVR).Namespace(ns).Get(context.Background(), kube.RegistryName(name), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	spec, _, _ := unstructured.NestedMap(u.Object, "spec")
	edit(spec)
	if err := unstructured.SetNestedMap(u.Object, spec, "spec"); err != nil {
		t.Fatal(err)
	}
	_, err = dyn.Resource(kube.SegmentRecordGVR).Namespace(ns).Update(context.Background(), u, metav1.UpdateOptions{})
	return err
}

// SegmentRecordObject is a SegmentRecord of segment name in ns as a
// forger would write it.
func SegmentRecordObject(ns, name string, podLabels map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": kube.RecordGroup + "/" + kube.RecordVersion, "kind": kube.RecordKind,
		"metadata": map[string]any{"name": kube.RegistryName(name), "namespace": ns},
		"spec": map[string]any{"segment": name, "sensitivity": "public", "podLabels": podLabels, "ownershipID": OtherStateOwnership,
			"createPending": true},
	}}
}

// ReplaceWithLegacyRecord turns segment name's SegmentRecord into the
// ConfigMap provider 0.1 wrote for it — same content and ownership id —
// as a state last applied with 0.1 left it.
func ReplaceWithLegacyRecord(t *testing.T, ns, name string) {
	t.Helper()
	ctx := context.Background()
	_, dyn := kubeClients(t)
	live, err := kube.NewFromDynamic(dyn).FindSegment(ctx, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	CreateLegacySegmentRecord(t, ns, name, live.Segment.Kubernetes.PodLabels, live.OwnershipID)
	if err := dyn.Resource(kube.SegmentRecordGVR).Namespace(ns).Delete(ctx, kube.RegistryName(name), metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
}

// CreateLegacySegmentRecord writes the 0.1 registry ConfigMap of segment
// name, owned by ownership.
func CreateLegacySegmentRecord(t *testing.T, ns, name string, podLabels map[string]string, ownership string) {
	t.Helper()
	_, dyn := kubeClients(t)
	cm, err := kube.LegacyRecordObject(kube.SegmentRecord{Segment: model.Segment{Name: name, Sensitivity: model.DefaultSensitivity,
		Kubernetes: &model.KubernetesSelector{Namespace: ns, PodLabels: podLabels}}, OwnershipID: ownership,
		Description: "Zero-trust segment " + name + " (managed by terraform-provider-zerotrust)"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(kube.LegacyConfigMapGVR).Namespace(ns).Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// DiagnosticsRecorder serves the provider and records the warnings its
// plans return, so a test can check what the reviewer of a plan is told.
type DiagnosticsRecorder struct {
	mu    sync.Mutex
	diags []string
}

// Factories are ProtoV6ProviderFactories serving the recording provider.
func (r *DiagnosticsRecorder) Factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"zerotrust": func() (tfprotov6.ProviderServer, error) {
			s, err := providerserver.NewProtocol6WithError(provider.New("test")())()
			return recordingServer{ProviderServer: s, r: r}, err
		},
	}
}

// Reset forgets the diagnostics recorded so far.
func (r *DiagnosticsRecorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.diags = nil
}

// Diagnostics are the plan diagnostics recorded since the last Reset, each
// as "<error|warning>: <attribute path>: <summary>: <detail>".
func (r *DiagnosticsRecorder) Diagnostics() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.diags...)
}

// RequireDiagnostic fails the test unless a diagnostic recorded since the
// last Reset matches re.
func (r *DiagnosticsRecorder) RequireDiagnostic(t *testing.T, re *regexp.Regexp) {
	t.Helper()
	for _, d := range r.Diagnostics() {
		if re.MatchString(d) {
			return
		}
	}
	t.Fatalf("no plan diagnostic matches %q; recorded:\n%s", re, strings.Join(r.Diagnostics(), "\n"))
}

// ExpectWarning is a plan check: a plan diagnostic since the last Reset
// matches re (with want true), or none does (want false). Write re
// starting "warning: " to match warnings only.
func (r *DiagnosticsRecorder) ExpectWarning(re *regexp.Regexp, want bool) plancheck.PlanCheck {
	return warningCheck{r: r, re: re, want: want}
}

type warningCheck struct {
	r    *DiagnosticsRecorder
	re   *regexp.Regexp
	want bool
}

func (c warningCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	ws := c.r.Diagnostics()
	found := false
	for _, w := range ws {
		found = found || c.re.MatchString(w)
	}
	if found != c.want {
		resp.Error = fmt.Errorf("plan warnings matching %q: %v, want %v; warnings:\n%s", c.re, found, c.want, strings.Join(ws, "\n"))
	}
}

type recordingServer struct {
	tfprotov6.ProviderServer
	r *DiagnosticsRecorder
}

func (s recordingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := s.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		s.r.mu.Lock()
		for _, d := range resp.Diagnostics {
			severity := "error"
			if d.Severity == tfprotov6.DiagnosticSeverityWarning {
				severity = "warning"
			}
			s.r.diags = append(s.r.diags, severity+": "+attributePath(d.Attribute)+": "+d.Summary+": "+d.Detail)
		}
		s.r.mu.Unlock()
	}
	return resp, err
}

// attributePath writes a path as the configuration does: allow_from[0].segment.
func attributePath(p *tftypes.AttributePath) string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	for _, step := range p.Steps() {
		switch v := step.(type) {
		case tftypes.AttributeName:
			if b.Len() > 0 {
				b.WriteString(".")
			}
			b.WriteString(string(v))
		case tftypes.ElementKeyInt:
			fmt.Fprintf(&b, "[%d]", int64(v))
		case tftypes.ElementKeyString:
			fmt.Fprintf(&b, "[%q]", string(v))
		}
	}
	return b.String()
}

// ConfigMapGVR and SegmentRecordGVR are the resources of the 0.1 registry
// and of the current one.
var (
	ConfigMapGVR     = kube.LegacyConfigMapGVR
	SegmentRecordGVR = kube.SegmentRecordGVR
)

// RegistryName is the object name of segment name's record.
func RegistryName(name string) string { return kube.RegistryName(name) }

// PlainConfigMap is an ordinary ConfigMap named name in ns.
func PlainConfigMap(ns, name string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name, "namespace": ns},
		"data":     map[string]any{"k": "v"},
	}}
}

// CleanupSegmentRecord deletes, when the test ends, segment name's
// records in ns (SegmentRecord and 0.1 ConfigMap) whoever owns them.
func CleanupSegmentRecord(t *testing.T, ns, name string) {
	t.Helper()
	_, dyn := kubeClients(t)
	t.Cleanup(func() {
		ctx := context.Background()
		_ = dyn.Resource(kube.SegmentRecordGVR).Namespace(ns).Delete(ctx, kube.RegistryName(name), metav1.DeleteOptions{})
		_ = dyn.Resource(kube.LegacyConfigMapGVR).Namespace(ns).Delete(ctx, kube.RegistryName(name), metav1.DeleteOptions{})
	})
}
