package kube

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
)

// TestForeignPolicies: a NetworkPolicy the caller does not own that can
// select a segment's pods and admits traffic is reported with what it
// admits — decided from the selectors, before any pod runs; one labelled as
// the provider's but not owned (by UID) is reported when it admits
// ingress, naming the owner it claims. The caller's own objects, policies
// whose selector cannot select the segment's pods and deny-only policies
// are not.
func TestForeignPolicies(t *testing.T) {
	ctx := context.Background()
	c, dyn := testClient(t, "foreign-np")
	create := func(o *unstructured.Unstructured) *unstructured.Unstructured {
		t.Helper()
		got, err := dyn.Resource(NetworkPolicyGVR).Namespace("foreign-np").Create(ctx, o, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	segment := map[string]string{"app": "api"}
	np := func(name string, labels map[string]any, selector map[string]any, spec map[string]any) *unstructured.Unstructured {
		spec["podSelector"] = selector
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
			"metadata": map[string]any{"name": name, "namespace": "foreign-np", "labels": labels},
			"spec":     spec,
		}}
	}
	ingressAll := func() map[string]any { return map[string]any{"ingress": []any{map[string]any{}}} }

	const self = "sg/vpc-1/api/default"
	labelled := func(name, owner string, port int64) *unstructured.Unstructured {
		o := netpol("foreign-np", name, port) // the managed-by label
		o.SetAnnotations(map[string]string{kubernetes.OwnerAnnotation: owner})
		return o
	}
	ours := create(labelled("ours", self, 8443))
	create(labelled("copied", self, 8080)) // the caller's labels, not its UID
	create(labelled("other-state", "sg/vpc-1/api/team-b", 22))
	create(np("allow-all", nil, map[string]any{"matchLabels": map[string]any{"tier": "backend"}}, ingressAll()))
	create(np("web-only", map[string]any{"team": "web"}, map[string]any{"matchLabels": map[string]any{"app": "web"}}, ingressAll()))
	create(np("not-api", nil, map[string]any{"matchExpressions": []any{map[string]any{"key": "app", "operator": "NotIn", "values": []any{"api"}}}}, ingressAll()))
	create(np("deny-all", nil, map[string]any{}, map[string]any{"policyTypes": []any{"Ingress"}}))
	create(np("peer-egress", map[string]any{"app.kubernetes.io/managed-by": kubernetes.ManagedByValue}, map[string]any{"matchLabels": map[string]any{"app": "api"}},
		map[string]any{"policyTypes": []any{"Egress"}, "egress": []any{map[string]any{}}}))

	report := func(own map[string]bool) string {
		t.Helper()
		got, err := c.ForeignPolicies(ctx, "foreign-np", segment, own, self)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, f := range got {
			texts = append(texts, f.String())
		}
		return strings.Join(texts, "\n")
	}
	const (
		allowAll   = "NetworkPolicy foreign-np/allow-all selects pods of the segment and allows ingress from everywhere on every port"
		copied     = `NetworkPolicy foreign-np/copied, labelled as this provider's for "sg/vpc-1/api/default", selects pods of the segment and allows ingress from 1 peer(s) on TCP/8080`
		otherState = `NetworkPolicy foreign-np/other-state, labelled as this provider's for "sg/vpc-1/api/team-b", selects pods of the segment and allows ingress from 1 peer(s) on TCP/22`
	)
	// No pod runs in the namespace: the selectors decide. Ownership is the
	// UID: the copied labels do not make "copied" the caller's.
	if got, want := report(map[string]bool{string(ours.GetUID()): true}), strings.Join([]string{allowAll, copied, otherState}, "\n"); got != want {
		t.Fatalf("foreign policies:\n%s\nwant:\n%s", got, want)
	}
	// Before any UID is recorded (a state from an earlier release), the
	// objects labelled for the caller count as its own.
	if got, want := report(nil), strings.Join([]string{allowAll, otherState}, "\n"); got != want {
		t.Fatalf("foreign policies without recorded UIDs:\n%s\nwant:\n%s", got, want)
	}
}

func TestSelectorsOverlap(t *testing.T) {
	expr := func(key string, op metav1.LabelSelectorOperator, values ...string) metav1.LabelSelectorRequirement {
		return metav1.LabelSelectorRequirement{Key: key, Operator: op, Values: values}
	}
	segment := map[string]string{"app": "api", "tier": "backend"}
	cases := []struct {
		name string
		sel  metav1.LabelSelector
		want bool
	}{
		{"empty selects every pod", metav1.LabelSelector{}, true},
		{"same label", metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}}, true},
		{"another label the pods may carry", metav1.LabelSelector{MatchLabels: map[string]string{"team": "x"}}, true},
		{"conflicting value", metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, false},
		{"In holding the value", metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr("app", metav1.LabelSelectorOpIn, "web", "api")}}, true},
		{"In without the value", metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr("app", metav1.LabelSelectorOpIn, "web")}}, false},
		{"NotIn the value", metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr("tier", metav1.LabelSelectorOpNotIn, "backend")}}, false},
		{"NotIn another value", metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr("tier", metav1.LabelSelectorOpNotIn, "frontend")}}, true},
		{"Exists", metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr("app", metav1.LabelSelectorOpExists)}}, true},
		{"DoesNotExist on a segment label", metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr("app", metav1.LabelSelectorOpDoesNotExist)}}, false},
		{"DoesNotExist on another label", metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr("debug", metav1.LabelSelectorOpDoesNotExist)}}, true},
		{"two In on a free key, disjoint", metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr("zone", metav1.LabelSelectorOpIn, "a"), expr("zone", metav1.LabelSelectorOpIn, "b")}}, false},
		{"In then NotIn excluding all", metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr("zone", metav1.LabelSelectorOpIn, "a"), expr("zone", metav1.LabelSelectorOpNotIn, "a")}}, false},
		{"Exists and DoesNotExist", metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr("zone", metav1.LabelSelectorOpExists), expr("zone", metav1.LabelSelectorOpDoesNotExist)}}, false},
		{"matchLabels and In agree", metav1.LabelSelector{MatchLabels: map[string]string{"zone": "a"}, MatchExpressions: []metav1.LabelSelectorRequirement{expr("zone", metav1.LabelSelectorOpIn, "a", "b")}}, true},
	}
	for _, c := range cases {
		if got := selectorsOverlap(segment, c.sel); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
