package kube

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
)

// requestCounter counts the API requests a client makes on the managed
// kinds, as "verb resource" (list, get, apply, delete, deletecollection…).
type requestCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (rc *requestCounter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		rc.record(req)
		return rt.RoundTrip(req)
	})
}

func (rc *requestCounter) record(req *http.Request) {
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	// /apis/<group>/<version>[/namespaces/<ns>]/<resource>[/<name>]
	if len(parts) < 4 || parts[0] != "apis" {
		return
	}
	rest := parts[3:]
	if rest[0] == "namespaces" && len(rest) >= 3 {
		rest = rest[2:]
	}
	resource := rest[0]
	if resource != NetworkPolicyGVR.Resource && resource != AuthorizationPolicyGVR.Resource {
		return
	}
	named := len(rest) > 1
	var verb string
	switch req.Method {
	case http.MethodGet:
		verb = map[bool]string{true: "get", false: "list"}[named]
	case http.MethodPatch:
		verb = "patch"
		if strings.HasPrefix(req.Header.Get("Content-Type"), "application/apply-patch") {
			verb = "apply"
		}
	case http.MethodDelete:
		verb = map[bool]string{true: "delete", false: "deletecollection"}[named]
	case http.MethodPost:
		verb = "create"
	case http.MethodPut:
		verb = "update"
	default:
		verb = req.Method
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.counts == nil {
		rc.counts = map[string]int{}
	}
	rc.counts[verb+" "+resource]++
}

// take returns the counts since the last take ("apply networkpolicies=3, …")
// and the total, and resets them.
func (rc *requestCounter) take() (string, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var parts []string
	total := 0
	for k, n := range rc.counts {
		parts = append(parts, fmt.Sprintf("%s=%d", k, n))
		total += n
	}
	sort.Strings(parts)
	rc.counts = nil
	return strings.Join(parts, ", "), total
}

// countingClient is a Client built with kube.New over a configuration whose
// transport counts requests.
func countingClient(t *testing.T, namespaces ...string) (*Client, *requestCounter) {
	t.Helper()
	for _, ns := range namespaces {
		if err := cluster.EnsureNamespace(context.Background(), ns); err != nil {
			t.Fatal(err)
		}
	}
	rc := &requestCounter{}
	cfg := rest.CopyConfig(cluster.RESTConfig())
	cfg.QPS, cfg.Burst = 1000, 1000
	cfg.WrapTransport = rc.wrap
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, rc
}

// twelve is a segment of 12 objects: 5 NetworkPolicies and one
// AuthorizationPolicy in each of two namespaces.
func twelve(a, b string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, ns := range []string{a, b} {
		for i := range 5 {
			out = append(out, netpol(ns, fmt.Sprintf("flow-%d", i), int64(8000+i)))
		}
		out = append(out, authz(ns, "flow-authz"))
	}
	return out
}

// expect checks the requests made since the last take.
func expect(t *testing.T, rc *requestCounter, step, want string) {
	t.Helper()
	got, n := rc.take()
	t.Logf("%-34s %2d requests: %s", step, n, got)
	if got != want {
		t.Errorf("%s: requests\n got %s\nwant %s", step, got, want)
	}
}

func manifestsOf(t *testing.T, objs []*unstructured.Unstructured) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, o := range objs {
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		out[ManifestKey(o)] = string(b)
	}
	return out
}

// TestApplyRequestCounts counts the requests of Apply, which knows no
// recorded state and so lists, for every managed kind, every object this
// provider manages (the owner's and the shared objects it may hold, in one
// LIST): create of N objects = a LIST per kind + a LIST per (kind,
// namespace) gaining names + N applies; unchanged = the LISTs; one change =
// the LISTs + 1 apply; DeleteAll = two LISTs per kind + a DeleteCollection
// per (kind, namespace), leaving other owners' and foreign objects alone.
// The provider uses the Recorded variants, which list all managed objects
// of a kind only when it holds or wants a shared one of it.
func TestApplyRequestCounts(t *testing.T) {
	ctx := context.Background()
	c, rc := countingClient(t, "rq-a", "rq-b")
	owner := "seg-rq"
	desired := twelve("rq-a", "rq-b")

	// Another owner's objects and an unlabelled one share the namespaces.
	other, _ := testClient(t)
	if _, err := other.Apply(ctx, "seg-rq-other", []*unstructured.Unstructured{netpol("rq-a", "other-flow", 80), authz("rq-b", "other-authz")}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.dyn.Resource(NetworkPolicyGVR).Namespace("rq-b").Create(ctx, netpol("rq-b", "hand-made", 81), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	rc.take()
	res, err := c.Apply(ctx, owner, desired)
	if err != nil || len(res.Applied) != 12 {
		t.Fatalf("create: applied %d (%v)", len(res.Applied), err)
	}
	expect(t, rc, "create 12", "apply authorizationpolicies=2, apply networkpolicies=10, list authorizationpolicies=3, list networkpolicies=3")

	res, err = c.Apply(ctx, owner, desired)
	if err != nil || len(res.Applied) != 0 || len(res.Unchanged) != 12 {
		t.Fatalf("unchanged: applied %s unchanged %d (%v)", keys(res.Applied), len(res.Unchanged), err)
	}
	expect(t, rc, "re-apply unchanged", "list authorizationpolicies=1, list networkpolicies=1")

	changed := twelve("rq-a", "rq-b")
	changed[2] = netpol("rq-a", "flow-2", 9999)
	res, err = c.Apply(ctx, owner, changed)
	if err != nil || keys(res.Applied) != "NetworkPolicy rq-a/flow-2" {
		t.Fatalf("one change: applied %s (%v)", keys(res.Applied), err)
	}
	expect(t, rc, "one changed", "apply networkpolicies=1, list authorizationpolicies=1, list networkpolicies=1")
	live, _ := c.List(ctx, owner)
	if d := Drift(changed, live); len(d) != 0 {
		t.Fatalf("drift after the change: %v", d)
	}
	rc.take()

	deleted, err := c.DeleteAll(ctx, owner)
	if err != nil || len(deleted) != 12 {
		t.Fatalf("DeleteAll: %d deleted (%v)", len(deleted), err)
	}
	expect(t, rc, "delete all", "deletecollection authorizationpolicies=2, deletecollection networkpolicies=2, list authorizationpolicies=2, list networkpolicies=2")
	if live, _ := c.List(ctx, owner); len(live) != 0 {
		t.Fatalf("%d owned objects left", len(live))
	}
	if left, _ := other.List(ctx, "seg-rq-other"); len(left) != 2 {
		t.Fatalf("the other owner's objects: %d left, want 2", len(left))
	}
	if _, err := other.dyn.Resource(NetworkPolicyGVR).Namespace("rq-b").Get(ctx, "hand-made", metav1.GetOptions{}); err != nil {
		t.Fatalf("the unlabelled object is gone: %v", err)
	}
}

// TestApplyManifestsRecordedRequestCounts counts the requests of the
// variant that knows the recorded manifests: a kind gaining names is listed
// once across namespaces (create of N = a LIST per kind + N applies), and a
// kind neither planned nor recorded (Istio for a NetworkPolicy-only policy)
// is never requested.
func TestApplyManifestsRecordedRequestCounts(t *testing.T) {
	ctx := context.Background()
	c, rc := countingClient(t, "rr-a", "rr-b", "rr-c", "rr-d")
	owner := "seg-rr"
	planned := manifestsOf(t, twelve("rr-a", "rr-b"))

	rc.take()
	if res, err := c.ApplyManifestsRecorded(ctx, owner, planned, nil, nil, false); err != nil || len(res.Applied) != 12 {
		t.Fatalf("create: %v %v", res, err)
	}
	expect(t, rc, "create 12 (recorded)", "apply authorizationpolicies=2, apply networkpolicies=10, list authorizationpolicies=1, list networkpolicies=1")
	if res, err := c.ApplyManifestsRecorded(ctx, owner, planned, planned, nil, false); err != nil || len(res.Applied) != 0 {
		t.Fatalf("unchanged: %v %v", res, err)
	}
	expect(t, rc, "re-apply unchanged (recorded)", "list authorizationpolicies=1, list networkpolicies=1")
	changedObjs := twelve("rr-a", "rr-b")
	changedObjs[7] = netpol("rr-b", "flow-1", 9999)
	changed := manifestsOf(t, changedObjs)
	if res, err := c.ApplyManifestsRecorded(ctx, owner, changed, planned, nil, false); err != nil || keys(res.Applied) != "NetworkPolicy rr-b/flow-1" {
		t.Fatalf("one change: %v %v", res, err)
	}
	expect(t, rc, "one changed (recorded)", "apply networkpolicies=1, list authorizationpolicies=1, list networkpolicies=1")
	view, err := c.ReadManifests(ctx, owner, changed, nil)
	if err != nil || !maps.Equal(view, changed) {
		t.Fatalf("refresh view differs: %v", err)
	}
	expect(t, rc, "refresh", "list authorizationpolicies=1, list networkpolicies=1")

	// A NetworkPolicy-only policy never lists Istio's kind.
	npOnly := map[string]string{}
	for k, v := range manifestsOf(t, twelve("rr-c", "rr-d")) {
		if strings.Contains(k, "/NetworkPolicy/") {
			npOnly[k] = v
		}
	}
	res, err := c.ApplyManifestsRecorded(ctx, "seg-rr-np", npOnly, nil, nil, false)
	if err != nil || len(res.Applied) != 10 {
		t.Fatalf("np-only create: %v %v", res, err)
	}
	expect(t, rc, "create 10 NetworkPolicies", "apply networkpolicies=10, list networkpolicies=1")
	if _, err := c.ApplyManifestsRecorded(ctx, "seg-rr-np", npOnly, npOnly, nil, false); err != nil {
		t.Fatal(err)
	}
	expect(t, rc, "re-apply NetworkPolicies", "list networkpolicies=1")
	if _, err := c.ReadManifests(ctx, "seg-rr-np", npOnly, nil); err != nil {
		t.Fatal(err)
	}
	expect(t, rc, "refresh NetworkPolicies", "list networkpolicies=1")
	if deleted, err := c.DeleteRecorded(ctx, "seg-rr-np", npOnly, nil); err != nil || len(deleted) != 10 {
		t.Fatalf("DeleteRecorded: %d (%v)", len(deleted), err)
	}
	expect(t, rc, "delete NetworkPolicies", "deletecollection networkpolicies=2, list networkpolicies=1")

	// Dropping the AuthorizationPolicies: the recorded ones are still
	// listed, and deleted.
	npOnly = map[string]string{}
	for k, v := range changed {
		if strings.Contains(k, "/NetworkPolicy/") {
			npOnly[k] = v
		}
	}
	res, err = c.ApplyManifestsRecorded(ctx, owner, npOnly, changed, nil, false)
	if err != nil || keys(res.Deleted) != "AuthorizationPolicy rr-a/flow-authz,AuthorizationPolicy rr-b/flow-authz" || len(res.Applied) != 0 {
		t.Fatalf("dropping Istio: %v %v", res, err)
	}
	expect(t, rc, "drop the AuthorizationPolicies", "delete authorizationpolicies=2, list authorizationpolicies=1, list networkpolicies=1")
	if _, err := c.DeleteAll(ctx, owner); err != nil {
		t.Fatal(err)
	}
}

// TestApplyRefusesForeignNameBeforeWriting: a foreign object holding a
// desired name is refused (NotOwnedError) and left untouched, and nothing
// is written, whichever way the names were learnt.
func TestApplyRefusesForeignNameBeforeWriting(t *testing.T) {
	ctx := context.Background()
	c, rc := countingClient(t, "rf")
	_, dyn := testClient(t)
	foreign := netpol("rf", "flow-3", 80)
	foreign.SetLabels(map[string]string{"team": "other"})
	if _, err := dyn.Resource(NetworkPolicyGVR).Namespace("rf").Create(ctx, foreign, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	desired := []*unstructured.Unstructured{netpol("rf", "flow-1", 81), netpol("rf", "flow-3", 8443), authz("rf", "flow-authz")}
	var notOwned *NotOwnedError
	rc.take()
	if _, err := c.Apply(ctx, "seg-rf", desired); !errors.As(err, &notOwned) || notOwned.Object.Name != "flow-3" {
		t.Fatalf("Apply: want NotOwnedError on flow-3, got %v", err)
	}
	expect(t, rc, "refused (Apply)", "list authorizationpolicies=2, list networkpolicies=2")
	if _, err := c.ApplyManifestsRecorded(ctx, "seg-rf", manifestsOf(t, desired), nil, nil, false); !errors.As(err, &notOwned) {
		t.Fatalf("ApplyManifestsRecorded: want NotOwnedError, got %v", err)
	}
	expect(t, rc, "refused (recorded)", "list authorizationpolicies=1, list networkpolicies=1")
	got, err := dyn.Resource(NetworkPolicyGVR).Namespace("rf").Get(ctx, "flow-3", metav1.GetOptions{})
	if err != nil || got.GetLabels()["team"] != "other" || got.GetLabels()[kubernetes.OwnerLabel] != "" || len(got.GetAnnotations()) != 0 {
		t.Fatalf("foreign object was touched: %v %v", got, err)
	}
	if live, _ := c.List(ctx, "seg-rf"); len(live) != 0 {
		t.Fatalf("%d objects written before the refusal", len(live))
	}
}

// TestApplyCorrectsImperativeEditAndDroppedField: an owned object edited by
// another client is re-applied (and only it), and so is an object whose
// desired form only lost a field, which "desired ⊆ live" alone would miss.
func TestApplyCorrectsImperativeEditAndDroppedField(t *testing.T) {
	ctx := context.Background()
	c, rc := countingClient(t, "re")
	_, dyn := testClient(t)
	owner := "seg-re"
	withNS := func() *unstructured.Unstructured {
		o := authz("re", "flow-authz")
		rules := o.Object["spec"].(map[string]any)["rules"].([]any)
		src := rules[0].(map[string]any)["from"].([]any)[0].(map[string]any)["source"].(map[string]any)
		src["namespaces"] = []any{"re"}
		return o
	}
	desired := []*unstructured.Unstructured{netpol("re", "flow-1", 81), netpol("re", "flow-2", 82), withNS()}
	if _, err := c.Apply(ctx, owner, desired); err != nil {
		t.Fatal(err)
	}

	edited, err := dyn.Resource(NetworkPolicyGVR).Namespace("re").Get(ctx, "flow-2", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := unstructured.SetNestedField(edited.Object, map[string]any{"app": "everything"}, "spec", "podSelector", "matchLabels"); err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(NetworkPolicyGVR).Namespace("re").Update(ctx, edited, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}
	rc.take()
	res, err := c.Apply(ctx, owner, desired)
	if err != nil || keys(res.Applied) != "NetworkPolicy re/flow-2" {
		t.Fatalf("edit not corrected: applied %s (%v)", keys(res.Applied), err)
	}
	// The edit made kubectl-edit the owner of the field: the apply
	// conflicts, and as the conflicting manager is imperative the apply is
	// forced (the conflict handling of Apply), hence two applies.
	expect(t, rc, "correct an imperative edit", "apply networkpolicies=2, list authorizationpolicies=1, list networkpolicies=1")
	live, _ := c.List(ctx, owner)
	if d := Drift(desired, live); len(d) != 0 {
		t.Fatalf("drift after correcting: %v", d)
	}
	rc.take()

	// The compiled policy drops the namespaces condition: live ⊇ desired,
	// yet the field must go.
	desired[2] = authz("re", "flow-authz")
	res, err = c.Apply(ctx, owner, desired)
	if err != nil || keys(res.Applied) != "AuthorizationPolicy re/flow-authz" {
		t.Fatalf("dropped field not applied: applied %s (%v)", keys(res.Applied), err)
	}
	expect(t, rc, "drop a field", "apply authorizationpolicies=1, list authorizationpolicies=1, list networkpolicies=1")
	got, err := dyn.Resource(AuthorizationPolicyGVR).Namespace("re").Get(ctx, "flow-authz", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, found, _ := unstructured.NestedFieldNoCopy(got.Object, "spec", "rules"); !found || strings.Contains(fmt.Sprint(got.Object["spec"]), "namespaces") {
		t.Fatalf("the dropped field is still live: %v", got.Object["spec"])
	}
	_, _ = c.DeleteAll(ctx, owner)
}

// TestCachedReadsListOnceWhenConcurrent: policies of one namespace are
// refreshed in parallel; with the read cache on, readers of the same list
// at the same moment wait for one LIST instead of sending their own.
func TestCachedReadsListOnceWhenConcurrent(t *testing.T) {
	ctx := context.Background()
	const ns = "rq-parallel"
	writer, _ := countingClient(t, ns)
	owners := []string{"seg-par-a", "seg-par-b", "seg-par-c", "seg-par-d"}
	recorded := map[string]map[string]string{}
	for i, owner := range owners {
		objs := []*unstructured.Unstructured{netpol(ns, fmt.Sprintf("par-%d", i), int64(7000+i))}
		if _, err := writer.Apply(ctx, owner, objs); err != nil {
			t.Fatal(err)
		}
		recorded[owner] = manifestsOf(t, objs)
	}
	t.Cleanup(func() {
		for _, owner := range owners {
			_, _ = writer.DeleteAll(ctx, owner)
		}
	})

	c, rc := countingClient(t, ns)
	c.CacheReads()
	rc.take()
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(owners))
	for range 4 {
		for _, owner := range owners {
			wg.Add(1)
			go func() {
				defer wg.Done()
				view, err := c.ReadManifests(ctx, owner, recorded[owner], nil)
				if err == nil && !maps.Equal(view, recorded[owner]) {
					err = fmt.Errorf("%s reads %v, want %v", owner, view, recorded[owner])
				}
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	expect(t, rc, "16 parallel refreshes", "list networkpolicies=1")
}
