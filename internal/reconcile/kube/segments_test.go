package kube

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

func registrySegment(ns, name, sensitivity string) SegmentRecord {
	return SegmentRecord{Segment: model.Segment{Name: name, Sensitivity: sensitivity,
		Kubernetes: &model.KubernetesSelector{Namespace: ns, PodLabels: map[string]string{"app": name}, ServiceAccount: name}}}
}

// TestSegmentRegistry: a Kubernetes-only segment is recorded in a SegmentRecord,
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
// segment, and read as no peer while pending; a record of another owner
// holding the name is never taken over.
func TestSegmentRegistryPendingAdoption(t *testing.T) {
	ctx := context.Background()
	const ns = "registry-pending"
	c, dyn := testClient(t, ns)
	// What an interrupted create leaves: the record, still marked pending.
	left := registrySegment(ns, "web", "internal")
	left.OwnershipID, left.Pending = uuid.NewString(), true
	if _, err := dyn.Resource(SegmentRecordGVR).Namespace(ns).Create(ctx, recordObject(left), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	id := model.KubernetesSegmentID(ns, "web")
	if got, err := c.ReadSegments(ctx, []string{id}); err != nil || !strings.Contains(got[id].Refused, "create-pending") {
		t.Fatalf("a pending record read as %+v (%v), want refused as create-pending", got[id], err)
	}
	rerun := uuid.NewString()
	want := registrySegment(ns, "web", "confidential")
	rec, err := c.CreateSegment(ctx, want, rerun)
	if err != nil {
		t.Fatalf("rerun create: %v", err)
	}
	if rec.OwnershipID != rerun || rec.Pending || rec.Segment.Sensitivity != "confidential" {
		t.Fatalf("adopted record %+v, want owned by the rerun, complete, confidential", rec)
	}
	if got, err := c.ReadSegments(ctx, []string{id}); err != nil || got[id].Refused != "" {
		t.Fatalf("the adopted record read as %+v (%v), want accepted", got[id], err)
	}
	// Adopted once: a third create is refused.
	if _, err := c.CreateSegment(ctx, want, uuid.NewString()); !errors.As(err, new(*model.OwnershipError)) {
		t.Fatalf("third create: %v, want an OwnershipError", err)
	}

	// A complete 0.1 ConfigMap record of another owner holds the name.
	other := registrySegment(ns, "db", "public")
	other.OwnershipID = uuid.NewString()
	cm, err := LegacyRecordObject(other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(LegacyConfigMapGVR).Namespace(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSegment(ctx, registrySegment(ns, "db", "restricted"), uuid.NewString()); !errors.As(err, new(*model.OwnershipError)) {
		t.Fatalf("create over another owner's 0.1 record: %v, want an OwnershipError", err)
	}
	if _, err := dyn.Resource(SegmentRecordGVR).Namespace(ns).Get(ctx, RegistryName("db"), metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("a refused create left a SegmentRecord: %v", err)
	}
}

// TestSegmentRegistryLegacyConfigMap: a record provider 0.1 wrote in a
// ConfigMap is read by its owner but refused as a peer (anyone with
// ConfigMap write access could have forged it); the owner's update moves it
// to a SegmentRecord and deletes the ConfigMap; a foreign ConfigMap is no
// record at all.
func TestSegmentRegistryLegacyConfigMap(t *testing.T) {
	ctx := context.Background()
	const ns = "registry-legacy"
	c, dyn := testClient(t, ns)
	old := registrySegment(ns, "api", "confidential")
	old.OwnershipID = uuid.NewString()
	cm, err := LegacyRecordObject(old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dyn.Resource(LegacyConfigMapGVR).Namespace(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	live, err := c.FindSegment(ctx, ns, "api")
	if err != nil || !live.Legacy || live.OwnershipID != old.OwnershipID || live.Ref() != LegacyRecordRef(ns, "api") {
		t.Fatalf("owner's read of the 0.1 record: %+v %v", live, err)
	}
	id := model.KubernetesSegmentID(ns, "api")
	got, err := c.ReadSegments(ctx, []string{id})
	if err != nil || !strings.Contains(got[id].Refused, "Re-apply the Terraform state that owns the segment") {
		t.Fatalf("a 0.1 record read as a peer: %+v (%v), want refused", got[id], err)
	}
	if _, err := c.UpdateSegment(ctx, old, uuid.NewString()); err == nil {
		t.Fatal("another owner migrated the record")
	}
	moved, err := c.UpdateSegment(ctx, old, old.OwnershipID)
	if err != nil || moved.Legacy || moved.OwnershipID != old.OwnershipID {
		t.Fatalf("migration: %+v %v", moved, err)
	}
	if _, err := dyn.Resource(LegacyConfigMapGVR).Namespace(ns).Get(ctx, RegistryName("api"), metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("the ConfigMap survived the migration: %v", err)
	}
	got, err = c.ReadSegments(ctx, []string{id})
	if err != nil || got[id].Refused != "" || got[id].Kubernetes.PodLabels["app"] != "api" {
		t.Fatalf("after migration read as %+v (%v), want accepted", got[id], err)
	}

	foreign := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": RegistryName("db"), "namespace": ns},
		"data":     map[string]any{"sensitivity": "public"},
	}}
	if _, err := dyn.Resource(LegacyConfigMapGVR).Namespace(ns).Create(ctx, foreign, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindSegment(ctx, ns, "db"); !errors.Is(err, ErrSegmentNotFound) {
		t.Fatalf("a foreign ConfigMap reads as a segment: %v", err)
	}
	if _, err := c.CreateSegment(ctx, registrySegment(ns, "db", "restricted"), uuid.NewString()); err != nil {
		t.Fatalf("create beside a foreign ConfigMap: %v", err)
	}
	live2, err := dyn.Resource(LegacyConfigMapGVR).Namespace(ns).Get(ctx, RegistryName("db"), metav1.GetOptions{})
	if err != nil || live2.GetLabels()[RegistryLabel] != "" {
		t.Fatalf("the foreign ConfigMap was changed: %v %v", live2, err)
	}
}

// TestSegmentRecordSchema: the API server refuses a record that selects no
// pod labels, and a reader refuses one anyway (a CRD installed without the
// schema's minimum), so a record never becomes a namespace-wide selector.
func TestSegmentRecordSchema(t *testing.T) {
	ctx := context.Background()
	const ns = "registry-schema"
	c, dyn := testClient(t, ns)
	owner := uuid.NewString()
	if _, err := c.CreateSegment(ctx, registrySegment(ns, "web", "internal"), owner); err != nil {
		t.Fatal(err)
	}
	u, err := dyn.Resource(SegmentRecordGVR).Namespace(ns).Get(ctx, RegistryName("web"), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*unstructured.Unstructured){
		"empty pod labels": func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedMap(u.Object, map[string]any{}, "spec", "podLabels")
		},
		"no pod labels": func(u *unstructured.Unstructured) { unstructured.RemoveNestedField(u.Object, "spec", "podLabels") },
		"unknown sensitivity": func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(u.Object, "secret", "spec", "sensitivity")
		},
	} {
		e := u.DeepCopy()
		edit(e)
		if _, err := dyn.Resource(SegmentRecordGVR).Namespace(ns).Update(ctx, e, metav1.UpdateOptions{}); !apierrors.IsInvalid(err) {
			t.Errorf("an update with %s: %v, want Invalid", name, err)
		}
	}
	e := u.DeepCopy()
	_ = unstructured.SetNestedMap(e.Object, map[string]any{}, "spec", "podLabels")
	if r := recordOf(e).Refusal(); !strings.Contains(r, "selects no pod labels") {
		t.Fatalf("a record with no pod labels: refusal %q", r)
	}
	if r := recordOf(u).Refusal(); r != "" {
		t.Fatalf("a complete record refused: %q", r)
	}
}
