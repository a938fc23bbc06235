package kube

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
)

// NotOwnedError means an object with a desired name exists but was not
// written by this owner; the provider never takes such objects over.
type NotOwnedError struct {
	Object Key
	Labels map[string]string
}

func (e *NotOwnedError) Error() string {
	return fmt.Sprintf("%s already exists and is not owned by this resource (labels %v); rename the segment or delete the object", e.Object, e.Labels)
}

// ReplacedError: an object carries the owner's labels under a name the
// owner recorded, but its UID is not the recorded one, so it is not the
// object the owner wrote.
type ReplacedError struct {
	Object           Key
	UID, RecordedUID string
}

func (e *ReplacedError) Error() string {
	return fmt.Sprintf("%s carries this resource's owner labels but is not the object it wrote (uid %s, recorded %s): it was replaced outside Terraform. Delete it so that the apply re-creates it, or remove its owner labels to keep it", e.Object, e.UID, e.RecordedUID)
}

// Selector selects the objects of one owner.
func Selector(owner string) labels.Selector {
	return labels.SelectorFromSet(labels.Set{kubernetes.ManagedByLabel: kubernetes.ManagedByValue, kubernetes.OwnerLabel: owner})
}

func setOwnerLabels(o *unstructured.Unstructured, owner string) {
	l := o.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	l[kubernetes.ManagedByLabel] = kubernetes.ManagedByValue
	l[kubernetes.OwnerLabel] = owner
	o.SetLabels(l)
}
