package kube

import (
	"context"
	"fmt"
	"sort"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
)

var podGVR = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// ForeignPolicy is a NetworkPolicy this provider does not own that selects
// pods of a segment. NetworkPolicies add up: whatever it allows, those pods
// are allowed too, whatever the segment's own policies say.
type ForeignPolicy struct {
	Key Key
	// Pods is how many of the segment's pods it selects.
	Pods int
	// Allows says, for a person, what it admits.
	Allows string
}

func (f ForeignPolicy) String() string {
	return fmt.Sprintf("%s selects %d pod(s) of the segment and %s", f.Key, f.Pods, f.Allows)
}

// ForeignPolicies lists the NetworkPolicies in namespace that are not the
// provider's, allow some traffic and select at least one pod the segment
// selector selects: one LIST of the namespace's NetworkPolicies (shared
// through the read cache), and one of the segment's pods only when a
// foreign one allows anything.
func (c *Client) ForeignPolicies(ctx context.Context, namespace string, segment map[string]string) ([]ForeignPolicy, error) {
	nps, err := c.namespaceList(ctx, NetworkPolicyGVR, namespace)
	if err != nil {
		return nil, err
	}
	type candidate struct {
		key    Key
		sel    labels.Selector
		allows string
	}
	var candidates []candidate
	for _, u := range nps {
		if u.GetLabels()[kubernetes.ManagedByLabel] == kubernetes.ManagedByValue {
			continue // the provider's own
		}
		var np networkingv1.NetworkPolicy
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &np); err != nil {
			return nil, fmt.Errorf("reading NetworkPolicy %s/%s: %w", namespace, u.GetName(), err)
		}
		sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
		if err != nil {
			continue // the API server refuses such a selector; it selects nothing
		}
		if allows := describeAllows(np); allows != "" {
			candidates = append(candidates, candidate{KeyOf(u), sel, allows})
		}
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	pods, err := c.dyn.Resource(podGVR).Namespace(namespace).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(segment).String()})
	if err != nil {
		return nil, fmt.Errorf("listing the segment's pods in %s: %w", namespace, err)
	}
	var out []ForeignPolicy
	for _, cand := range candidates {
		selected := 0
		for _, p := range pods.Items {
			if cand.sel.Matches(labels.Set(p.GetLabels())) {
				selected++
			}
		}
		if selected > 0 {
			out = append(out, ForeignPolicy{Key: cand.key, Pods: selected, Allows: cand.allows})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key.String() < out[j].Key.String() })
	return out, nil
}

// describeAllows says what a NetworkPolicy admits ("" when nothing).
func describeAllows(np networkingv1.NetworkPolicy) string {
	var parts []string
	for _, r := range np.Spec.Ingress {
		parts = append(parts, "allows ingress "+peersAndPorts(len(r.From), r.Ports, "from"))
	}
	for _, r := range np.Spec.Egress {
		parts = append(parts, "allows egress "+peersAndPorts(len(r.To), r.Ports, "to"))
	}
	return strings.Join(parts, "; ")
}

func peersAndPorts(peers int, ports []networkingv1.NetworkPolicyPort, word string) string {
	who := word + " everywhere"
	if peers > 0 {
		who = fmt.Sprintf("%s %d peer(s)", word, peers)
	}
	if len(ports) == 0 {
		return who + " on every port"
	}
	ps := make([]string, 0, len(ports))
	for _, p := range ports {
		proto := "TCP"
		if p.Protocol != nil {
			proto = string(*p.Protocol)
		}
		port := "all"
		if p.Port != nil {
			port = p.Port.String()
		}
		ps = append(ps, proto+"/"+port)
	}
	return who + " on " + strings.Join(ps, ", ")
}
