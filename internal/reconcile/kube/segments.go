package kube

// A segment placed only in Kubernetes has no security group to carry its
// name, sensitivity and placement, so it is recorded in a SegmentRecord (a
// namespaced custom resource, zerotrust.ztforge.io/v1alpha1) of its
// namespace instead: the segment registry. Segment policies read it at plan
// time (one GET per segment), exactly as they read a security group's tags,
// and ownership works the same way: a random ownership id is written on the
// record and recorded in state, and a create interrupted before Terraform
// recorded it leaves the record marked pending, so the next create of the
// same segment adopts it once instead of failing on the name.
//
// Why a custom resource: policies of other states turn a record's pod
// labels into NetworkPolicy peers, so whoever can write a record decides
// which pods a policy admits. The 0.1 registry was a ConfigMap, which any
// holder of the built-in `edit` role may write (ordinary application
// access), and a consumer in another state shares no secret with the owner
// that could bind a ConfigMap's content to it. Write permission on
// segmentrecords is granted by no built-in role (the CRD carries no
// aggregation labels), so only the identities that run Terraform hold it.
// Readers still refuse, as a peer, a record that is pending, selects no pod
// labels, or is a legacy ConfigMap (see SegmentRecord.Refusal), so no
// record ever becomes an empty, namespace-wide selector.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// The registry's custom resource.
const (
	RecordGroup    = "zerotrust.ztforge.io"
	RecordVersion  = "v1alpha1"
	RecordKind     = "SegmentRecord"
	RecordResource = "segmentrecords"
	// RecordCRDName is the CustomResourceDefinition's name.
	RecordCRDName = RecordResource + "." + RecordGroup
	// RecordCRDFile is where the repository ships the CRD.
	RecordCRDFile = "deploy/crds/" + RecordCRDName + ".yaml"
)

// SegmentRecordGVR is the registry's resource.
var SegmentRecordGVR = schema.GroupVersionResource{Group: RecordGroup, Version: RecordVersion, Resource: RecordResource}

// Registry labels (on records and on legacy ConfigMaps) and the legacy
// ConfigMap's annotations and data keys.
const (
	RegistryLabel           = "zerotrust.ztforge.io/segment-registry"
	SegmentNameAnnotation   = "zerotrust.ztforge.io/segment"
	OwnershipAnnotation     = "zerotrust.ztforge.io/ownership"
	CreatePendingAnnotation = "zerotrust.ztforge.io/create-pending"

	dataSensitivity    = "sensitivity"
	dataPodLabels      = "pod-labels"
	dataServiceAccount = "service-account"
	dataDescription    = "description"
)

// LegacyConfigMapGVR is where provider 0.1 recorded segments.
var LegacyConfigMapGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// SegmentRecord is a Kubernetes-only segment as its registry record holds it.
type SegmentRecord struct {
	Segment     model.Segment // Kubernetes set; SecurityGroupID empty
	Description string
	// OwnershipID is the id of the resource that owns the record.
	OwnershipID string
	// Pending is set while the create that wrote the record is unfinished.
	Pending bool
	// Legacy is set for a record read from a ConfigMap written by provider
	// 0.1: its owner's next apply moves it to a SegmentRecord, and no
	// policy takes it as a peer before that.
	Legacy  bool
	uid     string
	version string
}

// ErrSegmentNotFound means no registry record exists for the segment.
var ErrSegmentNotFound = errors.New("segment not found")

// ErrRegistryNotInstalled means the cluster does not serve SegmentRecords.
var ErrRegistryNotInstalled = errors.New("the SegmentRecord custom resource definition (" + RecordCRDName + ") is not installed in the cluster; " +
	"install it with `kubectl apply -f " + RecordCRDFile + "` (from the provider's repository)")

// RegistryName is the name of the object recording segment name.
func RegistryName(name string) string { return kubernetes.RegistryObjectName(name) }

// RecordRef names the SegmentRecord of segment name in namespace ns:
// segmentrecords.zerotrust.ztforge.io/<namespace>/<object name>.
func RecordRef(ns, name string) string { return RecordCRDName + "/" + ns + "/" + RegistryName(name) }

// LegacyRecordRef names the 0.1 registry ConfigMap of segment name.
func LegacyRecordRef(ns, name string) string { return "configmaps/" + ns + "/" + RegistryName(name) }

// Ref names the object the record was read from.
func (r *SegmentRecord) Ref() string {
	ns := r.Segment.Kubernetes.Namespace
	if r.Legacy {
		return LegacyRecordRef(ns, r.Segment.Name)
	}
	return RecordRef(ns, r.Segment.Name)
}

// Refusal says why the record may not place a policy's peer (or governed
// segment), "" when it may: a legacy ConfigMap (anyone with ordinary
// `edit` access may have forged or edited it), a record whose create has
// not finished, or one that selects no pod labels — which as a selector
// would admit every pod of the namespace.
func (r *SegmentRecord) Refusal() string {
	id, ns := r.Segment.ID(), r.Segment.Kubernetes.Namespace
	switch {
	case r.Legacy:
		return fmt.Sprintf("Segment %s is recorded only in the ConfigMap %s/%s written by provider 0.1. Anyone who may edit ConfigMaps in namespace %s "+
			"(the built-in edit role) can forge or change such a record, so it is not trusted to place a policy's pods. Re-apply the Terraform "+
			"state that owns the segment: its apply moves the record to a %s (%s), which only the identities that run Terraform may write.",
			id, ns, RegistryName(r.Segment.Name), ns, RecordKind, RecordCRDName)
	case r.Pending:
		return fmt.Sprintf("The record of segment %s (%s) is marked create-pending: the create that wrote it has not finished, so its owner has not "+
			"recorded it. Re-apply the Terraform state that owns the segment.", id, r.Ref())
	case len(r.Segment.Kubernetes.PodLabels) == 0:
		return fmt.Sprintf("The record of segment %s (%s) selects no pod labels: as a selector it would take every pod of namespace %s, so it is "+
			"refused. It was changed outside Terraform: re-apply the Terraform state that owns the segment (its plan shows the change as drift).",
			id, r.Ref(), ns)
	}
	return ""
}

func (c *Client) records(ns string) dynamicResource {
	return c.dyn.Resource(SegmentRecordGVR).Namespace(ns)
}

func (c *Client) legacyConfigMaps(ns string) dynamicResource {
	return c.dyn.Resource(LegacyConfigMapGVR).Namespace(ns)
}

type dynamicResource interface {
	Get(ctx context.Context, name string, opts metav1.GetOptions, sub ...string) (*unstructured.Unstructured, error)
	Create(ctx context.Context, obj *unstructured.Unstructured, opts metav1.CreateOptions, sub ...string) (*unstructured.Unstructured, error)
	Update(ctx context.Context, obj *unstructured.Unstructured, opts metav1.UpdateOptions, sub ...string) (*unstructured.Unstructured, error)
	Delete(ctx context.Context, name string, opts metav1.DeleteOptions, sub ...string) error
}

// crdMissing tells a 404 for the resource type (the CRD is not installed)
// from a 404 for an object: the latter names the object.
func crdMissing(err error) bool {
	var status apierrors.APIStatus
	if !apierrors.IsNotFound(err) || !errors.As(err, &status) {
		return false
	}
	d := status.Status().Details
	return d == nil || d.Name == ""
}

// FindSegment reads the record of segment name in namespace ns: its
// SegmentRecord, or failing that the ConfigMap provider 0.1 wrote (Legacy
// set); ErrSegmentNotFound when there is neither (or the object of that
// name is not a record of this segment).
func (c *Client) FindSegment(ctx context.Context, ns, name string) (*SegmentRecord, error) {
	rec, err := c.findRecord(ctx, ns, name)
	if !errors.Is(err, ErrSegmentNotFound) {
		return rec, err
	}
	legacy, lerr := c.findLegacy(ctx, ns, name)
	if lerr == nil || !errors.Is(lerr, ErrSegmentNotFound) {
		return legacy, lerr
	}
	return nil, err
}

func (c *Client) findRecord(ctx context.Context, ns, name string) (*SegmentRecord, error) {
	id := model.KubernetesSegmentID(ns, name)
	u, err := c.records(ns).Get(ctx, RegistryName(name), metav1.GetOptions{})
	switch {
	case crdMissing(err):
		return nil, fmt.Errorf("reading segment %s: %w", id, ErrRegistryNotInstalled)
	case apierrors.IsNotFound(err):
		return nil, fmt.Errorf("segment %s: %w", id, ErrSegmentNotFound)
	case err != nil:
		return nil, fmt.Errorf("reading segment %s: %w", id, err)
	}
	rec := recordOf(u)
	if rec.Segment.Name != name {
		return nil, fmt.Errorf("segment %s: %s %s/%s records segment %q: %w", id, RecordKind, ns, u.GetName(), rec.Segment.Name, ErrSegmentNotFound)
	}
	return rec, nil
}

func (c *Client) findLegacy(ctx context.Context, ns, name string) (*SegmentRecord, error) {
	id := model.KubernetesSegmentID(ns, name)
	u, err := c.legacyConfigMaps(ns).Get(ctx, RegistryName(name), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("segment %s: %w", id, ErrSegmentNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading segment %s's 0.1 registry ConfigMap: %w", id, err)
	}
	rec, ok := legacyRecordOf(u)
	if !ok || rec.Segment.Name != name {
		return nil, fmt.Errorf("segment %s: ConfigMap %s/%s is not its registry record: %w", id, ns, u.GetName(), ErrSegmentNotFound)
	}
	return rec, nil
}

// ReadSegments reads Kubernetes-only segments by id (one GET each, two for
// a segment with no SegmentRecord); ids of segments that do not exist are
// absent from the result. A record that may not place a peer (see
// SegmentRecord.Refusal) is returned with Segment.Refused set.
func (c *Client) ReadSegments(ctx context.Context, ids []string) (map[string]model.Segment, error) {
	out := map[string]model.Segment{}
	for _, id := range ids {
		ns, name, ok := model.ParseKubernetesSegmentID(id)
		if !ok {
			continue
		}
		if _, done := out[id]; done {
			continue
		}
		rec, err := c.FindSegment(ctx, ns, name)
		if errors.Is(err, ErrSegmentNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		seg := rec.Segment
		seg.Refused = rec.Refusal()
		out[id] = seg
	}
	return out, nil
}

// CreateSegment writes the record of a new segment owned by ownership. The
// record is created marked pending and the mark is cleared once it exists;
// a pending record of the same segment left by an interrupted create is
// claimed (written with this ownership id) and brought to rec. Any other
// record holding the name — a SegmentRecord, or a complete 0.1 ConfigMap
// record — is refused with a model.OwnershipError; a pending 0.1 record is
// deleted once the SegmentRecord exists.
func (c *Client) CreateSegment(ctx context.Context, rec SegmentRecord, ownership string) (*SegmentRecord, error) {
	rec.OwnershipID, rec.Pending, rec.Legacy = ownership, true, false
	seg := rec.Segment
	if seg.Kubernetes == nil {
		return nil, fmt.Errorf("segment %s has no Kubernetes placement", seg.Name)
	}
	ns := seg.Kubernetes.Namespace
	legacy, err := c.findLegacy(ctx, ns, seg.Name)
	switch {
	case err == nil && !legacy.Pending:
		return nil, &model.OwnershipError{Kind: "Kubernetes segment", Name: seg.Name, ID: "ConfigMap " + ns + "/" + RegistryName(seg.Name),
			Owner: legacy.OwnershipID, Import: seg.ID()}
	case err != nil && !errors.Is(err, ErrSegmentNotFound):
		return nil, err
	case err != nil:
		legacy = nil
	}
	obj := recordObject(rec)
	var current *SegmentRecord
	created, err := c.records(ns).Create(ctx, obj, metav1.CreateOptions{FieldManager: FieldManager})
	switch {
	case apierrors.IsAlreadyExists(err):
		current, err = c.claimPending(ctx, rec)
	case crdMissing(err):
		err = fmt.Errorf("creating segment %s: %w", seg.ID(), ErrRegistryNotInstalled)
	case err == nil:
		current = recordOf(created)
	default:
		err = fmt.Errorf("creating segment %s: %w", seg.ID(), err)
	}
	if err != nil {
		return nil, err
	}
	rec.Pending = false
	rec.uid, rec.version = current.uid, current.version
	out, err := c.writeRecord(ctx, rec)
	if err != nil {
		return nil, err
	}
	if legacy != nil {
		if err := c.deleteLegacy(ctx, legacy); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// claimPending adopts the pending record of rec's segment for rec's owner.
func (c *Client) claimPending(ctx context.Context, rec SegmentRecord) (*SegmentRecord, error) {
	ns, name := rec.Segment.Kubernetes.Namespace, rec.Segment.Name
	u, err := c.records(ns).Get(ctx, RegistryName(name), metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading the %s that holds segment %s's name: %w", RecordKind, model.KubernetesSegmentID(ns, name), err)
	}
	existing := recordOf(u)
	if existing.Segment.Name != name || !existing.Pending {
		return nil, &model.OwnershipError{Kind: "Kubernetes segment", Name: name, ID: RecordKind + " " + ns + "/" + u.GetName(),
			Owner: existing.OwnershipID, Import: model.KubernetesSegmentID(ns, name)}
	}
	rec.uid, rec.version = string(u.GetUID()), u.GetResourceVersion()
	rec.Pending = true
	return c.writeRecord(ctx, rec)
}

// UpdateSegment writes rec over the record owned by ownership; a record
// whose ownership id differs is left untouched. A 0.1 ConfigMap record is
// migrated: the SegmentRecord is created with the record's ownership id,
// then the ConfigMap is deleted.
func (c *Client) UpdateSegment(ctx context.Context, rec SegmentRecord, ownership string) (*SegmentRecord, error) {
	live, err := c.FindSegment(ctx, rec.Segment.Kubernetes.Namespace, rec.Segment.Name)
	if err != nil {
		return nil, err
	}
	if err := checkRecordOwner(live, ownership); err != nil {
		return nil, err
	}
	rec.OwnershipID, rec.Pending, rec.Legacy = live.OwnershipID, false, false
	if !live.Legacy {
		rec.uid, rec.version = live.uid, live.version
		return c.writeRecord(ctx, rec)
	}
	ns := rec.Segment.Kubernetes.Namespace
	created, err := c.records(ns).Create(ctx, recordObject(rec), metav1.CreateOptions{FieldManager: FieldManager})
	if crdMissing(err) {
		err = ErrRegistryNotInstalled
	}
	if err != nil {
		return nil, fmt.Errorf("moving segment %s's record from ConfigMap %s/%s to a %s: %w", rec.Segment.ID(), ns, RegistryName(rec.Segment.Name), RecordKind, err)
	}
	if err := c.deleteLegacy(ctx, live); err != nil {
		return nil, err
	}
	return recordOf(created), nil
}

// DeleteSegment deletes the record owned by ownership (and a 0.1 ConfigMap
// record of the same owner left beside it). Preconditions on the UID and
// resource version make sure the record deleted is the one whose ownership
// was checked.
func (c *Client) DeleteSegment(ctx context.Context, ns, name, ownership string) error {
	live, err := c.FindSegment(ctx, ns, name)
	if errors.Is(err, ErrSegmentNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := checkRecordOwner(live, ownership); err != nil {
		return err
	}
	if live.Legacy {
		return c.deleteLegacy(ctx, live)
	}
	uid, rv := live.uid, live.version
	err = c.records(ns).Delete(ctx, RegistryName(name), metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: (*types.UID)(&uid), ResourceVersion: &rv}})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting segment %s: %w", model.KubernetesSegmentID(ns, name), err)
	}
	if legacy, err := c.findLegacy(ctx, ns, name); err == nil && legacy.OwnershipID == live.OwnershipID {
		return c.deleteLegacy(ctx, legacy)
	}
	return nil
}

// deleteLegacy deletes a 0.1 ConfigMap record as it was read.
func (c *Client) deleteLegacy(ctx context.Context, legacy *SegmentRecord) error {
	ns, name := legacy.Segment.Kubernetes.Namespace, legacy.Segment.Name
	uid, rv := legacy.uid, legacy.version
	err := c.legacyConfigMaps(ns).Delete(ctx, RegistryName(name), metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: (*types.UID)(&uid), ResourceVersion: &rv}})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting segment %s's 0.1 registry ConfigMap %s/%s: %w", legacy.Segment.ID(), ns, RegistryName(name), err)
	}
	return nil
}

func checkRecordOwner(live *SegmentRecord, ownership string) error {
	if ownership == "" || live.OwnershipID == ownership {
		return nil
	}
	return fmt.Errorf("segment %s (Kubernetes) now carries ownership id %q, not %q recorded in this state: another zerotrust resource took it over "+
		"(by import). It is left untouched; remove it from this state (`terraform state rm`) or from the other one", live.Segment.ID(), live.OwnershipID, ownership)
}

// writeRecord replaces the SegmentRecord with rec, conditional on the
// resource version rec was read at.
func (c *Client) writeRecord(ctx context.Context, rec SegmentRecord) (*SegmentRecord, error) {
	obj := recordObject(rec)
	obj.SetUID(types.UID(rec.uid))
	obj.SetResourceVersion(rec.version)
	u, err := c.records(rec.Segment.Kubernetes.Namespace).Update(ctx, obj, metav1.UpdateOptions{FieldManager: FieldManager})
	if err != nil {
		return nil, fmt.Errorf("writing segment %s: %w", rec.Segment.ID(), err)
	}
	return recordOf(u), nil
}

// recordObject is the SegmentRecord of rec.
func recordObject(rec SegmentRecord) *unstructured.Unstructured {
	seg := rec.Segment
	labels := map[string]any{}
	for k, v := range seg.Kubernetes.PodLabels {
		labels[k] = v
	}
	spec := map[string]any{
		"segment":     seg.Name,
		"sensitivity": seg.Sensitivity,
		"podLabels":   labels,
		"ownershipID": rec.OwnershipID,
	}
	if seg.Kubernetes.ServiceAccount != "" {
		spec["serviceAccount"] = seg.Kubernetes.ServiceAccount
	}
	if rec.Description != "" {
		spec["description"] = rec.Description
	}
	if rec.Pending {
		spec["createPending"] = true
	}
	if seg.Exclusive {
		spec["exclusive"] = true
	}
	if seg.Kubernetes.DenyDNS {
		spec["denyDNS"] = true
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": RecordGroup + "/" + RecordVersion,
		"kind":       RecordKind,
		"metadata": map[string]any{
			"name":      RegistryName(seg.Name),
			"namespace": seg.Kubernetes.Namespace,
			"labels":    map[string]any{kubernetes.ManagedByLabel: kubernetes.ManagedByValue, RegistryLabel: "true"},
		},
		"spec": spec,
	}}
}

// recordOf reads a SegmentRecord. Its content is trusted as far as its
// kind's write permission is (see the package comment); what it holds is
// checked by the API server's schema, and again by Refusal.
func recordOf(u *unstructured.Unstructured) *SegmentRecord {
	spec, _, _ := unstructured.NestedMap(u.Object, "spec")
	str := func(k string) string { s, _ := spec[k].(string); return s }
	sel := &model.KubernetesSelector{Namespace: u.GetNamespace(), ServiceAccount: str("serviceAccount"), PodLabels: map[string]string{}}
	if m, ok := spec["podLabels"].(map[string]any); ok {
		for k, v := range m {
			if s, ok := v.(string); ok {
				sel.PodLabels[k] = s
			}
		}
	}
	sensitivity := str("sensitivity")
	if sensitivity == "" {
		sensitivity = model.DefaultSensitivity
	}
	pending, _ := spec["createPending"].(bool)
	exclusive, _ := spec["exclusive"].(bool)
	sel.DenyDNS, _ = spec["denyDNS"].(bool)
	return &SegmentRecord{
		Segment:     model.Segment{Name: str("segment"), Sensitivity: sensitivity, Kubernetes: sel, Exclusive: exclusive},
		Description: str("description"),
		OwnershipID: str("ownershipID"),
		Pending:     pending,
		uid:         string(u.GetUID()),
		version:     u.GetResourceVersion(),
	}
}

// LegacyRecordObject is the ConfigMap provider 0.1 wrote for rec (tests
// and migration checks).
func LegacyRecordObject(rec SegmentRecord) (*unstructured.Unstructured, error) {
	seg := rec.Segment
	if seg.Kubernetes == nil {
		return nil, fmt.Errorf("segment %s has no Kubernetes placement", seg.Name)
	}
	labels := seg.Kubernetes.PodLabels
	if labels == nil {
		labels = map[string]string{}
	}
	encoded, err := json.Marshal(labels)
	if err != nil {
		return nil, err
	}
	annotations := map[string]string{SegmentNameAnnotation: seg.Name, OwnershipAnnotation: rec.OwnershipID}
	if rec.Pending {
		annotations[CreatePendingAnnotation] = rec.OwnershipID
	}
	cm := corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        RegistryName(seg.Name),
			Namespace:   seg.Kubernetes.Namespace,
			Labels:      map[string]string{kubernetes.ManagedByLabel: kubernetes.ManagedByValue, RegistryLabel: "true"},
			Annotations: annotations,
		},
		Data: map[string]string{
			dataSensitivity:    seg.Sensitivity,
			dataPodLabels:      string(encoded),
			dataServiceAccount: seg.Kubernetes.ServiceAccount,
			dataDescription:    rec.Description,
		},
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&cm)
	if err != nil {
		return nil, err
	}
	return &unstructured.Unstructured{Object: m}, nil
}

// legacyRecordOf reads a 0.1 registry ConfigMap; ok is false for a
// ConfigMap that is not one.
func legacyRecordOf(u *unstructured.Unstructured) (*SegmentRecord, bool) {
	if u.GetLabels()[kubernetes.ManagedByLabel] != kubernetes.ManagedByValue || u.GetLabels()[RegistryLabel] != "true" {
		return nil, false
	}
	var cm corev1.ConfigMap
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &cm); err != nil {
		return nil, false
	}
	sel := &model.KubernetesSelector{Namespace: cm.Namespace, ServiceAccount: cm.Data[dataServiceAccount], PodLabels: map[string]string{}}
	// A label set edited into something unreadable reads as empty, which
	// differs from any configured one and so shows as drift.
	_ = json.Unmarshal([]byte(cm.Data[dataPodLabels]), &sel.PodLabels)
	sensitivity := cm.Data[dataSensitivity]
	if sensitivity == "" {
		sensitivity = model.DefaultSensitivity
	}
	return &SegmentRecord{
		Segment:     model.Segment{Name: cm.Annotations[SegmentNameAnnotation], Sensitivity: sensitivity, Kubernetes: sel},
		Description: cm.Data[dataDescription],
		OwnershipID: cm.Annotations[OwnershipAnnotation],
		Pending:     cm.Annotations[CreatePendingAnnotation] != "" && cm.Annotations[CreatePendingAnnotation] == cm.Annotations[OwnershipAnnotation],
		Legacy:      true,
		uid:         string(cm.UID),
		version:     cm.ResourceVersion,
	}, true
}

// RecordSegmentName is the name of the segment a registry object records:
// a SegmentRecord's, or a 0.1 registry ConfigMap's; false for any other
// object.
func RecordSegmentName(u *unstructured.Unstructured) (string, bool) {
	if u.GetKind() == RecordKind {
		name := recordOf(u).Segment.Name
		return name, name != ""
	}
	if rec, ok := legacyRecordOf(u); ok {
		return rec.Segment.Name, rec.Segment.Name != ""
	}
	return "", false
}
