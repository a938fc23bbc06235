package kube

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

func registrySegment(ns, name, sensitivity string) SegmentRecord {
	return SegmentRecord{Segment: model.Segment{Name: name, Sensitivity: sensitivity,
		Kubernetes: &model.KubernetesSelector{Namespace: ns, PodLabels: map[string]string{"app": name}, ServiceAccount: name}}}
}

// TestSegmentRegistry: a Kubernetes-only segment is recorded in a ConfigMap,
// read back by id, updated and deleted by its owner only; a second create
// of the same segment by another owner is refused and changes nothing.
func TestSegmentRegistry(t *testing.T) {
	ctx := context.Background()
	c, _ := testClient(t, "registry")
	owner := uuid.NewString()
	rec, err := c.CreateSegment(ctx, registrySegment("registry", "Payments_API", "restricted"), owner)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Pending || rec.OwnershipID != owner {
		t.Fatalf("created record: pending=%v owner=%q, want complete and owned by %q", rec.Pending, rec.OwnershipID, owner)
	}
	id := model.KubernetesSegmentID("registry", "Payments_API")
	got, err := c.ReadSegments(ctx, []string{id, "k8s/registry/absent", "sg-0123456789abcdef0"})
	if err != nil {
		t.Fatal(err)
	}
	seg, ok := got[id]
	if len(got) != 1 || !ok {
		t.Fatalf("ReadSegments = %v, want only %s", got, id)
	}
	if seg.Sensitivity != "restricted" || seg.Kubernetes.PodLabels["app"] != "Payments_API" || seg.Kubernetes.ServiceAccount != "Payments_API" || seg.ID() != id {
		t.Fatalf("segment read back as %+v / %+v", seg, seg.Kubernetes)
	}

	other := uuid.NewString()
	_, err = c.CreateSegment(ctx, registrySegment("registry", "Payments_API", "public"), other)
	var oe *model.OwnershipError
	if !errors.As(err, &oe) || oe.Owner != owner || oe.Import != id {
		t.Fatalf("second create by another owner: %v, want an OwnershipError naming owner %s and import id %s", err, owner, id)
	}
	if _, err := c.UpdateSegment(ctx, registrySegment("registry", "Payments_API", "public"), other); err == nil {
		t.Fatal("update by another owner succeeded")
	}
	if err := c.DeleteSegment(ctx, "registry", "Payments_API", other); err == nil {
		t.Fatal("delete by another owner succeeded")
	}
	if live, _ := c.FindSegment(ctx, "registry", "Payments_API"); live.Segment.Sensitivity != "restricted" || live.OwnershipID != owner {
		t.Fatalf("another owner changed the record: %+v", live)
	}

	upd := registrySegment("registry", "Payments_API", "confidential")
	upd.Segment.Kubernetes.PodLabels = map[string]string{"app": "payments", "tier": "api"}
	if _, err := c.UpdateSegment(ctx, upd, owner); err != nil {
		t.Fatal(err)
	}
	live, err := c.FindSegment(ctx, "registry", "Payments_API")
	if err != nil || live.Segment.Sensitivity != "confidential" || live.Segment.Kubernetes.PodLabels["tier"] != "api" {
		t.Fatalf("after update: %+v %v", live, err)
	}
	if err := c.DeleteSegment(ctx, "registry", "Payments_API", owner); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindSegment(ctx, "registry", "Payments_API"); !errors.Is(err, ErrSegmentNotFound) {
		t.Fatalf("after delete: %v, want ErrSegmentNotFound", err)
	}
	if err := c.DeleteSegment(ctx, "registry", "Payments_API", owner); err != nil {
		t.Fatalf("deleting a deleted segment: %v", err)
	}
}

// TestSegmentRegistryPendingAdoption: a record left pending by an
// interrupted create is adopted exactly once by the next create of that
// segment; a foreign ConfigMap holding the name is never taken over.
func TestSegmentRegistryPendingAdoption(t *testing.T) {
	ctx := context.Background()
	c, dyn := testClient(t, "registry-pending")
	// What an interrupted create leaves: the record, still marked pending.
	left := registrySegment("registry-pending", "web", "internal")
	left.OwnershipID, left.Pending = uuid.NewString(), true
	obj, err := recordObject(left)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(configMapGVR).Namespace("registry-pending").Create(ctx, obj, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rerun := uuid.NewString()
	want := registrySegment("registry-pending", "web", "confidential")
	rec, err := c.CreateSegment(ctx, want, rerun)
	if err != nil {
		t.Fatalf("rerun create: %v", err)
	}
	if rec.OwnershipID != rerun || rec.Pending || rec.Segment.Sensitivity != "confidential" {
		t.Fatalf("adopted record %+v, want owned by the rerun, complete, confidential", rec)
	}
	// Adopted once: a third create is refused.
	if _, err := c.CreateSegment(ctx, want, uuid.NewString()); !errors.As(err, new(*model.OwnershipError)) {
		t.Fatalf("third create: %v, want an OwnershipError", err)
	}

	foreign := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": RegistryName("db"), "namespace": "registry-pending"},
		"data":     map[string]any{"sensitivity": "public"},
	}}
	if _, err := dyn.Resource(configMapGVR).Namespace("registry-pending").Create(ctx, foreign, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSegment(ctx, registrySegment("registry-pending", "db", "restricted"), uuid.NewString()); !errors.As(err, new(*model.OwnershipError)) {
		t.Fatalf("create over a foreign ConfigMap: %v, want an OwnershipError", err)
	}
	live, err := dyn.Resource(configMapGVR).Namespace("registry-pending").Get(ctx, RegistryName("db"), metav1.GetOptions{})
	if err != nil || live.GetLabels()[RegistryLabel] != "" {
		t.Fatalf("the foreign ConfigMap was changed: %v %v", live.GetLabels(), err)
	}
	if _, err := c.FindSegment(ctx, "registry-pending", "db"); !errors.Is(err, ErrSegmentNotFound) {
		t.Fatalf("a foreign ConfigMap reads as a segment: %v", err)
	}
}
