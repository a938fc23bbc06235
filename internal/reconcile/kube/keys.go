package kube

import (
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Key identifies an object: kind, namespace and name.
type Key struct{ Kind, Namespace, Name string }

func (k Key) String() string { return k.Kind + " " + k.Namespace + "/" + k.Name }

// KeyOf returns the key of an object.
func KeyOf(o *unstructured.Unstructured) Key {
	return Key{Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName()}
}

func sortObjects(objs []*unstructured.Unstructured) {
	sort.Slice(objs, func(i, j int) bool { return KeyOf(objs[i]).String() < KeyOf(objs[j]).String() })
}
