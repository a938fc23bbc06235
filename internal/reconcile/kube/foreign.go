package kube

import (
	"context"
	"fmt"
	"sort"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
)

// ForeignPolicy is a NetworkPolicy the caller does not own whose pod
// selector can select pods of a segment. NetworkPolicies add up: whatever
// it allows, those pods are allowed too, whatever the segment's own
// policies say.
type ForeignPolicy struct {
	Key Key
	// ClaimedOwner is the owner a NetworkPolicy labelled as this provider's
	// names (another state's policy governing the segment, or copied
	// labels); "" for one not labelled as the provider's.
	ClaimedOwner string
	// Allows says, for a person, what it admits.
	Allows string
}

func (f ForeignPolicy) String() string {
	if f.ClaimedOwner != "" {
		return fmt.Sprintf("%s, labelled as this provider's for %q, selects pods of the segment and %s", f.Key, f.ClaimedOwner, f.Allows)
	}
	return fmt.Sprintf("%s selects pods of the segment and %s", f.Key, f.Allows)
}

// ForeignPolicies lists the NetworkPolicies in namespace that the caller
// does not own (own: the UIDs of its objects; when none is recorded yet, as
// after an upgrade, the objects labelled for self), that allow some traffic and
// whose pod selector can select a pod the segment selector selects —
// decided from the two selectors, so whether such pods run yet does not
// matter. One LIST of the namespace's NetworkPolicies (shared through the
// read cache).
//
// Ownership is the UID, not a label: a NetworkPolicy labelled as this
// provider's that the caller does not own is reported too when it admits
// ingress — only a policy governing the segment writes ingress rules for its
// pods, so that is another state's policy over the segment, or copied
// labels. (Its egress rules are a peer policy's flows out of the segment,
// and are not reported.)
func (c *Client) ForeignPolicies(ctx context.Context, namespace string, segment map[string]string, own map[string]bool, self string) ([]ForeignPolicy, error) {
	nps, err := c.namespaceList(ctx, NetworkPolicyGVR, namespace)
	if err != nil {
		return nil, err
	}
	var out []ForeignPolicy
	for _, u := range nps {
		managed := u.GetLabels()[kubernetes.ManagedByLabel] == kubernetes.ManagedByValue
		claimed := valueOr(u.GetAnnotations()[kubernetes.OwnerAnnotation], u.GetLabels()[kubernetes.OwnerLabel])
		if own[string(u.GetUID())] || len(own) == 0 && managed && claimed == self {
			continue
		}
		var np networkingv1.NetworkPolicy
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &np); err != nil {
			return nil, fmt.Errorf("reading NetworkPolicy %s/%s: %w", namespace, u.GetName(), err)
		}
		if !selectorsOverlap(segment, np.Spec.PodSelector) {
			continue
		}
		f := ForeignPolicy{Key: KeyOf(u)}
		if managed {
			f.ClaimedOwner = valueOr(claimed, "an unnamed owner")
			np.Spec.Egress = nil
		}
		if f.Allows = describeAllows(np); f.Allows != "" {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key.String() < out[j].Key.String() })
	return out, nil
}

func valueOr(s, otherwise string) string {
	if s != "" {
		return s
	}
	return otherwise
}

// selectorsOverlap reports whether some set of labels satisfies both a
// segment's selector (exact labels) and a label selector: whether a pod of
// the segment could be selected. An invalid selector selects nothing.
func selectorsOverlap(segment map[string]string, sel metav1.LabelSelector) bool {
	type constraint struct {
		fixed          *string
		in             map[string]bool // nil: any value
		notIn          map[string]bool
		exists, absent bool
	}
	cons := map[string]*constraint{}
	get := func(k string) *constraint {
		if cons[k] == nil {
			cons[k] = &constraint{notIn: map[string]bool{}}
		}
		return cons[k]
	}
	fix := func(k, v string) bool {
		c := get(k)
		if c.fixed != nil && *c.fixed != v {
			return false
		}
		c.fixed = &v
		return true
	}
	for k, v := range segment {
		fix(k, v)
	}
	for k, v := range sel.MatchLabels {
		if !fix(k, v) {
			return false
		}
	}
	for _, e := range sel.MatchExpressions {
		c := get(e.Key)
		switch e.Operator {
		case metav1.LabelSelectorOpIn:
			allowed := map[string]bool{}
			for _, v := range e.Values {
				if c.in == nil || c.in[v] {
					allowed[v] = true
				}
			}
			c.in = allowed
		case metav1.LabelSelectorOpNotIn:
			for _, v := range e.Values {
				c.notIn[v] = true
			}
		case metav1.LabelSelectorOpExists:
			c.exists = true
		case metav1.LabelSelectorOpDoesNotExist:
			c.absent = true
		default:
			return false
		}
	}
	for _, c := range cons {
		switch {
		case c.absent:
			// NotIn holds for an absent label; nothing else does.
			if c.fixed != nil || c.in != nil || c.exists {
				return false
			}
		case c.fixed != nil:
			if (c.in != nil && !c.in[*c.fixed]) || c.notIn[*c.fixed] {
				return false
			}
		case c.in != nil:
			ok := false
			for v := range c.in {
				if !c.notIn[v] {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
		// Otherwise (exists, or only NotIn): a fresh value satisfies it.
	}
	return true
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
