package kube

// A segment placed only in Kubernetes has no security group to carry its
// name, sensitivity and placement, so it is recorded in a ConfigMap of its
// namespace instead: the segment registry. Segment policies read it at plan
// time (one GET per segment), exactly as they read a security group's tags,
// and ownership works the same way: a random ownership id is written on the
// ConfigMap and recorded in state, and a create interrupted before Terraform
// recorded it leaves the ConfigMap marked pending, so the next create of the
// same segment adopts it once instead of failing on the name.

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

// Registry labels, annotations and data keys.
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

var configMapGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// SegmentRecord is a Kubernetes-only segment as its registry ConfigMap holds it.
type SegmentRecord struct {
	Segment     model.Segment // Kubernetes set; SecurityGroupID empty
	Description string
	// OwnershipID is the id of the resource that owns the record.
	OwnershipID string
	// Pending is set while the create that wrote the record is unfinished.
	Pending bool
	uid     string
	version string
}

// ErrSegmentNotFound means no registry record exists for the segment.
var ErrSegmentNotFound = errors.New("segment not found")

// RegistryName is the ConfigMap name recording segment name.
func RegistryName(name string) string { return kubernetes.RegistryObjectName(name) }

func (c *Client) configMaps(ns string) interface {
	Get(ctx context.Context, name string, opts metav1.GetOptions, sub ...string) (*unstructured.Unstructured, error)
	Create(ctx context.Context, obj *unstructured.Unstructured, opts metav1.CreateOptions, sub ...string) (*unstructured.Unstructured, error)
	Update(ctx context.Context, obj *unstructured.Unstructured, opts metav1.UpdateOptions, sub ...string) (*unstructured.Unstructured, error)
	Delete(ctx context.Context, name string, opts metav1.DeleteOptions, sub ...string) error
} {
	return c.dyn.Resource(configMapGVR).Namespace(ns)
}

// FindSegment reads the record of segment name in namespace ns;
// ErrSegmentNotFound when there is none (or the ConfigMap of that name is
// not a registry record of this segment).
func (c *Client) FindSegment(ctx context.Context, ns, name string) (*SegmentRecord, error) {
	u, err := c.configMaps(ns).Get(ctx, RegistryName(name), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("segment %s: %w", model.KubernetesSegmentID(ns, name), ErrSegmentNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading segment %s: %w", model.KubernetesSegmentID(ns, name), err)
	}
	rec, ok := recordOf(u)
	if !ok || rec.Segment.Name != name {
		return nil, fmt.Errorf("segment %s: ConfigMap %s/%s is not its registry record: %w", model.KubernetesSegmentID(ns, name), ns, u.GetName(), ErrSegmentNotFound)
	}
	return rec, nil
}

// ReadSegments reads Kubernetes-only segments by id (one GET each); ids of
// segments that do not exist are absent from the result.
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
		out[id] = rec.Segment
	}
	return out, nil
}

// CreateSegment writes the record of a new segment owned by ownership. The
// record is created marked pending and the mark is cleared once it exists;
// a pending record of the same segment left by an interrupted create is
// claimed (written with this ownership id) and brought to rec. Any other
// ConfigMap holding the name is refused with a model.OwnershipError.
func (c *Client) CreateSegment(ctx context.Context, rec SegmentRecord, ownership string) (*SegmentRecord, error) {
	rec.OwnershipID, rec.Pending = ownership, true
	seg := rec.Segment
	ns := seg.Kubernetes.Namespace
	obj, err := recordObject(rec)
	if err != nil {
		return nil, err
	}
	var current *SegmentRecord
	created, err := c.configMaps(ns).Create(ctx, obj, metav1.CreateOptions{FieldManager: FieldManager})
	switch {
	case apierrors.IsAlreadyExists(err):
		current, err = c.claimPending(ctx, rec)
	case err == nil:
		current, _ = recordOf(created)
	default:
		err = fmt.Errorf("creating segment %s: %w", seg.ID(), err)
	}
	if err != nil {
		return nil, err
	}
	rec.Pending = false
	rec.uid, rec.version = current.uid, current.version
	return c.writeRecord(ctx, rec)
}

// claimPending adopts the pending record of rec's segment for rec's owner.
func (c *Client) claimPending(ctx context.Context, rec SegmentRecord) (*SegmentRecord, error) {
	ns, name := rec.Segment.Kubernetes.Namespace, rec.Segment.Name
	u, err := c.configMaps(ns).Get(ctx, RegistryName(name), metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading the ConfigMap that holds segment %s's name: %w", model.KubernetesSegmentID(ns, name), err)
	}
	existing, ok := recordOf(u)
	if !ok || existing.Segment.Name != name || !existing.Pending {
		owner := ""
		if ok {
			owner = existing.OwnershipID
		}
		return nil, &model.OwnershipError{Kind: "Kubernetes segment", Name: name, ID: "ConfigMap " + ns + "/" + u.GetName(),
			Owner: owner, Import: model.KubernetesSegmentID(ns, name)}
	}
	rec.uid, rec.version = string(u.GetUID()), u.GetResourceVersion()
	rec.Pending = true
	return c.writeRecord(ctx, rec)
}

// UpdateSegment writes rec over the record owned by ownership; a record
// whose ownership id differs is left untouched.
func (c *Client) UpdateSegment(ctx context.Context, rec SegmentRecord, ownership string) (*SegmentRecord, error) {
	live, err := c.FindSegment(ctx, rec.Segment.Kubernetes.Namespace, rec.Segment.Name)
	if err != nil {
		return nil, err
	}
	if err := checkRecordOwner(live, ownership); err != nil {
		return nil, err
	}
	rec.OwnershipID, rec.Pending, rec.uid, rec.version = live.OwnershipID, false, live.uid, live.version
	return c.writeRecord(ctx, rec)
}

// DeleteSegment deletes the record owned by ownership. Preconditions on
// the UID and resource version make sure the record deleted is the one
// whose ownership was checked.
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
	uid, rv := live.uid, live.version
	err = c.configMaps(ns).Delete(ctx, RegistryName(name), metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: (*types.UID)(&uid), ResourceVersion: &rv}})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting segment %s: %w", model.KubernetesSegmentID(ns, name), err)
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

// writeRecord replaces the ConfigMap with rec, conditional on the resource
// version rec was read at.
func (c *Client) writeRecord(ctx context.Context, rec SegmentRecord) (*SegmentRecord, error) {
	obj, err := recordObject(rec)
	if err != nil {
		return nil, err
	}
	obj.SetUID(types.UID(rec.uid))
	obj.SetResourceVersion(rec.version)
	u, err := c.configMaps(rec.Segment.Kubernetes.Namespace).Update(ctx, obj, metav1.UpdateOptions{FieldManager: FieldManager})
	if err != nil {
		return nil, fmt.Errorf("writing segment %s: %w", rec.Segment.ID(), err)
	}
	out, _ := recordOf(u)
	return out, nil
}

func recordObject(rec SegmentRecord) (*unstructured.Unstructured, error) {
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

// recordOf reads a registry record; ok is false for a ConfigMap that is
// not one.
func recordOf(u *unstructured.Unstructured) (*SegmentRecord, bool) {
	if u.GetLabels()[kubernetes.ManagedByLabel] != kubernetes.ManagedByValue || u.GetLabels()[RegistryLabel] != "true" {
		return nil, false
	}
	var cm corev1.ConfigMap
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &cm); err != nil {
		return nil, false
	}
	sel := &model.KubernetesSelector{Namespace: cm.Namespace, ServiceAccount: cm.Data[dataServiceAccount], PodLabels: map[string]string{}}
	// A label set edited out of band into something unreadable reads as
	// empty, which differs from any configured one and so shows as drift.
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
		uid:         string(cm.UID),
		version:     cm.ResourceVersion,
	}, true
}
