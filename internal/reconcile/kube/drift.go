package kube

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
)

// Drift compares desired objects with the live owned ones and describes
// every difference: missing objects, unexpected owned objects, and desired
// fields whose live value differs. The comparison is "desired ⊆ live": the
// API server adds defaults and metadata the compiler never set, which is not
// drift, while every field the compiler did set must read back equal (lists
// element by element and of the same length, so an added rule is drift).
func Drift(desired, live []*unstructured.Unstructured) []string {
	liveByKey := map[Key]*unstructured.Unstructured{}
	for _, o := range live {
		liveByKey[KeyOf(o)] = o
	}
	var out []string
	seen := map[Key]bool{}
	for _, d := range desired {
		key := KeyOf(d)
		seen[key] = true
		l, ok := liveByKey[key]
		if !ok {
			out = append(out, key.String()+": missing")
			continue
		}
		if p := ObjectDrift(d, l); p != "" {
			out = append(out, key.String()+": "+p+" differs")
		}
	}
	for _, l := range live {
		if key := KeyOf(l); !seen[key] {
			out = append(out, key.String()+": not declared")
		}
	}
	sort.Strings(out)
	return out
}

// ObjectDrift returns the path of the first field the compiler set whose
// live value differs ("" when the live object matches), ignoring what the
// server adds and the fields the reconciler itself sets.
func ObjectDrift(desired, live *unstructured.Unstructured) string {
	want := desired.DeepCopy()
	delete(want.Object, "status")
	unstructured.RemoveNestedField(want.Object, "metadata", "labels", kubernetes.OwnerLabel)
	unstructured.RemoveNestedField(want.Object, "metadata", "creationTimestamp")
	return firstDifference(want.Object, live.Object, "")
}

// firstDifference returns the path of the first desired value the live value
// does not match, or "" when desired ⊆ live.
func firstDifference(desired, live any, path string) string {
	switch d := desired.(type) {
	case nil:
		return "" // an unset optional field: the server may default it
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			if len(d) == 0 && live == nil {
				return ""
			}
			return orRoot(path)
		}
		keys := make([]string, 0, len(d))
		for k := range d {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p := firstDifference(d[k], l[k], path+"."+k); p != "" {
				return p
			}
		}
		return ""
	case []any:
		l, ok := live.([]any)
		if !ok {
			if len(d) == 0 && live == nil {
				return ""
			}
			return orRoot(path)
		}
		if len(l) != len(d) {
			return orRoot(path)
		}
		for i := range d {
			if p := firstDifference(d[i], l[i], fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
		return ""
	default:
		if !scalarEqual(d, live) {
			return orRoot(path)
		}
		return ""
	}
}

// scalarEqual compares JSON scalars; numbers may come back as int64 or float64.
func scalarEqual(a, b any) bool {
	if fa, ok := number(a); ok {
		fb, ok := number(b)
		return ok && fa == fb
	}
	return reflect.DeepEqual(a, b)
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func orRoot(path string) string {
	if path == "" {
		return "."
	}
	return strings.TrimPrefix(path, ".")
}
