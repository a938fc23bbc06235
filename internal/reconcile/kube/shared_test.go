package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// compiledFor compiles one policy of owner into manifests: segment's pods
// accept tcp/port from peer's.
func compiledFor(t *testing.T, owner string, segment, peer model.Segment, port int) map[string]string {
	t.Helper()
	objs, ps := kubernetes.Compile(segment, []model.Flow{{Direction: model.Inbound, Protocol: "tcp", Peer: model.Peer{Segment: &peer},
		Ports: []model.PortRange{{From: port, To: port}}, Path: model.Root("allow_from").Index(0)}}, kubernetes.Options{Owner: owner})
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	ms, err := objs.Manifests()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range ms {
		out[m.ID()] = m.YAML
	}
	return out
}

// twoPolicies compiles the two policies the shared-object tests hold jointly
// in ns: api accepts web, db accepts api (so api's pods are in both).
func twoPolicies(t *testing.T, ns string) (apiPolicy, dbPolicy map[string]string, ownerA, ownerB string) {
	t.Helper()
	place := func(name string) model.Segment {
		return model.Segment{Name: name, Kubernetes: &model.KubernetesSelector{Namespace: ns, PodLabels: map[string]string{"app": name}}}
	}
	web, api, db := place("web"), place("api"), place("db")
	return compiledFor(t, "api-in", api, web, 8443), compiledFor(t, "db-in", db, api, 5432),
		kubernetes.OwnerLabelValue("api-in"), kubernetes.OwnerLabelValue("db-in")
}

func sharedIn(t *testing.T, c *Client, ns string) map[string][]string {
	t.Helper()
	live, err := c.listShared(context.Background(), allKinds())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for k, o := range live {
		if k.Namespace == ns {
			out[k.Name] = holders(o)
		}
	}
	return out
}

// TestSharedObjectsHeldJointly: two policies placing segments in one
// namespace hold one default-deny and one DNS policy per segment selector
// between them; the first to go lets go of them, the last deletes them.
func TestSharedObjectsHeldJointly(t *testing.T) {
	ctx := context.Background()
	const ns = "shared-ns"
	c, rc := countingClient(t, ns)
	apiPolicy, dbPolicy, ownerA, ownerB := twoPolicies(t, ns)

	rc.take()
	if _, err := c.ApplyManifestsRecorded(ctx, ownerA, apiPolicy, nil, nil, false); err != nil {
		t.Fatal(err)
	}
	// The owner's LIST (unfiltered across namespaces, as it gains names)
	// also tells which shared objects exist and which names a foreign
	// object holds: no other LIST. Then one APPLY per object (3 shared + 2
	// own).
	expect(t, rc, "first policy", "apply networkpolicies=5, list networkpolicies=1")
	if _, err := c.ApplyManifestsRecorded(ctx, ownerB, dbPolicy, nil, nil, false); err != nil {
		t.Fatal(err)
	}
	// The deny and api's DNS exist: joined (APPLY); db's DNS is new, its
	// name checked in the same single LIST.
	expect(t, rc, "second policy", "apply networkpolicies=5, list networkpolicies=1")

	shared := sharedIn(t, c, ns)
	var deny, dnsAPI string
	for name, hs := range shared {
		switch {
		case strings.Contains(name, "default-deny"):
			deny = name
			if !slices.Equal(hs, []string{ownerA, ownerB}) {
				t.Errorf("default-deny held by %v, want both policies", hs)
			}
		case strings.Contains(name, "api-allow-dns"):
			dnsAPI = name
			if !slices.Equal(hs, []string{ownerA, ownerB}) {
				t.Errorf("api's DNS held by %v, want both policies (api is in both)", hs)
			}
		}
	}
	if len(shared) != 4 || deny == "" || dnsAPI == "" {
		t.Fatalf("shared objects in %s: %v; want one default-deny and one DNS per segment (web, api, db)", ns, shared)
	}

	// Unchanged re-apply of the first: one LIST of the managed objects
	// tells its own and the shared ones.
	rc.take()
	if _, err := c.ApplyManifestsRecorded(ctx, ownerA, apiPolicy, apiPolicy, nil, false); err != nil {
		t.Fatal(err)
	}
	expect(t, rc, "unchanged", "list networkpolicies=1")

	view, err := c.ReadManifests(ctx, ownerA, apiPolicy, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, text := range view {
		if text != apiPolicy[k] {
			t.Errorf("refresh sees drift in %s: %s", k, text)
		}
	}

	// A refresh of both policies with the read cache on (as the provider
	// runs): one LIST of the namespace's NetworkPolicies serves both
	// policies' reads and the foreign-policy check.
	c.CacheReads()
	rc.take()
	for owner, recorded := range map[string]map[string]string{ownerA: apiPolicy, ownerB: dbPolicy} {
		view, err := c.ReadManifests(ctx, owner, recorded, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, text := range view {
			if text != recorded[k] {
				t.Errorf("cached refresh of %s sees drift in %s: %s", owner, k, text)
			}
		}
	}
	if foreign, err := c.ForeignPolicies(ctx, ns, map[string]string{"app": "db"}, nil, ownerB); err != nil || len(foreign) != 0 {
		t.Fatalf("foreign policies: %v %v", foreign, err)
	}
	expect(t, rc, "cached refresh of two policies", "list networkpolicies=1")
	// A write through the client: the next read lists again and sees it.
	if err := c.dyn.Resource(NetworkPolicyGVR).Namespace(ns).Delete(ctx, deny, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	view, err = c.ReadManifests(ctx, ownerA, apiPolicy, nil)
	if err != nil {
		t.Fatal(err)
	}
	denyKey := "networking.k8s.io/v1/NetworkPolicy/" + ns + "/" + deny
	if !strings.HasPrefix(view[denyKey], DriftPrefix+"missing") {
		t.Fatalf("after deleting %s the cached refresh reads %q", deny, view[denyKey])
	}
	expect(t, rc, "refresh after a write", "delete networkpolicies=1, list networkpolicies=1")
	// Both policies' next applies restore it, held by both again.
	if _, err := c.ApplyManifestsRecorded(ctx, ownerA, apiPolicy, apiPolicy, nil, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ApplyManifestsRecorded(ctx, ownerB, dbPolicy, dbPolicy, nil, false); err != nil {
		t.Fatal(err)
	}
	rc.take()

	// The first policy goes: its own objects are deleted, the shared ones
	// stay for the second, without the first's claim.
	deleted, err := c.DeleteRecorded(ctx, ownerA, apiPolicy, nil)
	if err != nil {
		t.Fatal(err)
	}
	shared = sharedIn(t, c, ns)
	if len(shared) != 3 || !slices.Equal(shared[deny], []string{ownerB}) || !slices.Equal(shared[dnsAPI], []string{ownerB}) {
		t.Fatalf("after the first policy went: %v (deleted %v)", shared, deleted)
	}
	for _, k := range deleted {
		if k.Name == deny || k.Name == dnsAPI {
			t.Errorf("%s deleted while another policy holds it", k)
		}
	}
	live, err := c.dyn.Resource(NetworkPolicyGVR).Namespace(ns).Get(ctx, deny, metav1.GetOptions{})
	if err != nil || len(live.Object["spec"].(map[string]any)["policyTypes"].([]any)) != 2 {
		t.Fatalf("default-deny lost its content when a holder let go: %v %v", live, err)
	}

	if _, err := c.DeleteRecorded(ctx, ownerB, dbPolicy, nil); err != nil {
		t.Fatal(err)
	}
	if left := sharedIn(t, c, ns); len(left) != 0 {
		t.Fatalf("shared objects left after the last holder: %v", left)
	}
	all, _ := c.dyn.Resource(NetworkPolicyGVR).Namespace(ns).List(ctx, metav1.ListOptions{})
	if len(all.Items) != 0 {
		t.Fatalf("%d NetworkPolicies left", len(all.Items))
	}
}

// TestSharedDenySurvivesOutOfBandDelete: the default-deny two policies hold
// is deleted out of band; the first policy's next apply recreates it as its
// only recorded holder; that policy's destroy keeps it, since the other
// policy's objects are still in the namespace; the other's destroy, the last
// of the namespace, deletes it.
func TestSharedDenySurvivesOutOfBandDelete(t *testing.T) {
	ctx := context.Background()
	const ns = "shared-oob"
	c, _ := testClient(t, ns)
	apiPolicy, dbPolicy, ownerA, ownerB := twoPolicies(t, ns)
	for owner, m := range map[string]map[string]string{ownerA: apiPolicy, ownerB: dbPolicy} {
		if _, err := c.ApplyManifestsRecorded(ctx, owner, m, nil, nil, false); err != nil {
			t.Fatal(err)
		}
	}
	var deny string
	for name := range sharedIn(t, c, ns) {
		if strings.Contains(name, "default-deny") {
			deny = name
		}
	}
	if deny == "" {
		t.Fatal("no default-deny")
	}
	if err := c.dyn.Resource(NetworkPolicyGVR).Namespace(ns).Delete(ctx, deny, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ApplyManifestsRecorded(ctx, ownerA, apiPolicy, apiPolicy, nil, false); err != nil {
		t.Fatal(err)
	}
	if hs := sharedIn(t, c, ns)[deny]; !slices.Equal(hs, []string{ownerA}) {
		t.Fatalf("recreated default-deny held by %v, want the re-applying policy alone", hs)
	}

	if _, err := c.DeleteRecorded(ctx, ownerA, apiPolicy, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.dyn.Resource(NetworkPolicyGVR).Namespace(ns).Get(ctx, deny, metav1.GetOptions{}); err != nil {
		t.Fatalf("the default-deny went with its last recorded holder while another policy's objects are in %s: %v", ns, err)
	}

	if _, err := c.DeleteRecorded(ctx, ownerB, dbPolicy, nil); err != nil {
		t.Fatal(err)
	}
	all, err := c.dyn.Resource(NetworkPolicyGVR).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Items) != 0 {
		var names []string
		for _, o := range all.Items {
			names = append(names, o.GetName())
		}
		t.Fatalf("left after the last policy of the namespace: %v", names)
	}
}

// TestSharedObjectRefusesForeignName: a NetworkPolicy someone else made
// under a shared object's name is never taken over, and nothing is written.
func TestSharedObjectRefusesForeignName(t *testing.T) {
	ctx := context.Background()
	const ns = "shared-foreign"
	c, dyn := testClient(t, ns)
	seg := model.Segment{Name: "web", Kubernetes: &model.KubernetesSelector{Namespace: ns, PodLabels: map[string]string{"app": "web"}}}
	peer := model.Segment{Name: "lb", Kubernetes: &model.KubernetesSelector{Namespace: ns, PodLabels: map[string]string{"app": "lb"}}}
	manifests := compiledFor(t, "web-in", seg, peer, 80)
	var denyName string
	for k := range manifests {
		if strings.Contains(k, "default-deny") {
			denyName = k[strings.LastIndex(k, "/")+1:]
		}
	}
	foreign := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
		"metadata": map[string]any{"name": denyName, "namespace": ns},
		"spec":     map[string]any{"podSelector": map[string]any{}, "ingress": []any{map[string]any{}}},
	}}
	if _, err := dyn.Resource(NetworkPolicyGVR).Namespace(ns).Create(ctx, foreign, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := c.ApplyManifestsRecorded(ctx, kubernetes.OwnerLabelValue("web-in"), manifests, nil, nil, false)
	var notOwned *NotOwnedError
	if !errors.As(err, &notOwned) || notOwned.Object.Name != denyName {
		t.Fatalf("want NotOwnedError on %s, got %v", denyName, err)
	}
	all, _ := dyn.Resource(NetworkPolicyGVR).Namespace(ns).List(ctx, metav1.ListOptions{})
	if len(all.Items) != 1 || all.Items[0].GetLabels()[kubernetes.ManagedByLabel] != "" {
		t.Fatalf("something was written: %d objects", len(all.Items))
	}
}

// TestSharedObjectsReleasedConcurrently: Terraform destroys policies in
// parallel; when the last two holders let go at the same moment, each may
// see the other still holding the object, and the object must still go.
func TestSharedObjectsReleasedConcurrently(t *testing.T) {
	ctx := context.Background()
	const ns = "shared-race"
	c, dyn := testClient(t, ns)
	a, b, ownerA, ownerB := twoPolicies(t, ns)
	for round := range 8 {
		if _, err := c.ApplyManifestsRecorded(ctx, ownerA, a, nil, nil, false); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ApplyManifestsRecorded(ctx, ownerB, b, nil, nil, false); err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 2)
		for owner, recorded := range map[string]map[string]string{ownerA: a, ownerB: b} {
			go func() {
				_, err := NewFromDynamic(dyn).DeleteRecorded(ctx, owner, recorded, nil)
				errs <- err
			}()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		all, err := dyn.Resource(NetworkPolicyGVR).Namespace(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Items) != 0 {
			var names []string
			for _, o := range all.Items {
				names = append(names, o.GetName()+fmt.Sprint(o.GetLabels()))
			}
			t.Fatalf("round %d: left after both policies went: %v", round, names)
		}
	}
}
