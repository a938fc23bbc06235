package kubernetes

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// AuthorizationPolicyGVK is the group, version and kind of Istio's
// AuthorizationPolicy as compiled here (security.istio.io/v1).
var AuthorizationPolicyGVK = schema.GroupVersionKind{Group: "security.istio.io", Version: "v1", Kind: "AuthorizationPolicy"}

// AuthorizationPolicy is the subset of Istio's security.istio.io/v1
// AuthorizationPolicy that this compiler writes. It is defined here instead
// of importing istio.io modules; the JSON field names are Istio's.
type AuthorizationPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              AuthorizationPolicySpec `json:"spec"`
}

// AuthorizationPolicySpec is the policy body. An empty spec (no selector,
// no action, no rules) is Istio's "allow-nothing" policy: ALLOW with no rule
// matches no request, so every request to the selected workloads is denied.
type AuthorizationPolicySpec struct {
	// Selector picks the workloads in the policy's namespace; nil selects all.
	Selector *WorkloadSelector `json:"selector,omitempty"`
	// Action is ALLOW, DENY, AUDIT or CUSTOM; empty means ALLOW.
	Action string `json:"action,omitempty"`
	// Rules are ORed; a request is allowed when any rule matches.
	Rules []AuthorizationRule `json:"rules,omitempty"`
}

// WorkloadSelector selects pods by labels.
type WorkloadSelector struct {
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}

// AuthorizationRule matches when any From entry and any To entry match.
type AuthorizationRule struct {
	From []RuleFrom `json:"from,omitempty"`
	To   []RuleTo   `json:"to,omitempty"`
}

// RuleFrom is one source alternative.
type RuleFrom struct {
	Source Source `json:"source"`
}

// Source fields are ANDed; values inside one field are ORed.
type Source struct {
	// Principals are SPIFFE identities without the spiffe:// scheme,
	// <trust-domain>/ns/<namespace>/sa/<service-account>.
	Principals []string `json:"principals,omitempty"`
	// IPBlocks are source addresses or CIDR blocks of the direct peer.
	IPBlocks []string `json:"ipBlocks,omitempty"`
	// Namespaces are source namespaces (mTLS required).
	Namespaces []string `json:"namespaces,omitempty"`
}

// RuleTo is one destination alternative.
type RuleTo struct {
	Operation Operation `json:"operation"`
}

// Operation fields are ANDed; values inside one field are ORed.
type Operation struct {
	Ports   []string `json:"ports,omitempty"`
	Methods []string `json:"methods,omitempty"`
	Paths   []string `json:"paths,omitempty"`
}

// DeepCopyInto copies the receiver into out.
func (in *AuthorizationPolicy) DeepCopyInto(out *AuthorizationPolicy) {
	*out = *in
	out.TypeMeta = in.TypeMeta
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	in.Spec.DeepCopyInto(&out.Spec)
}

// DeepCopy returns a deep copy, or nil for nil.
func (in *AuthorizationPolicy) DeepCopy() *AuthorizationPolicy {
	if in == nil {
		return nil
	}
	out := new(AuthorizationPolicy)
	in.DeepCopyInto(out)
	return out
}

// DeepCopyObject makes AuthorizationPolicy a runtime.Object.
func (in *AuthorizationPolicy) DeepCopyObject() runtime.Object {
	if c := in.DeepCopy(); c != nil {
		return c
	}
	return nil
}

// DeepCopyInto copies the receiver into out.
func (in *AuthorizationPolicySpec) DeepCopyInto(out *AuthorizationPolicySpec) {
	*out = *in
	if in.Selector != nil {
		out.Selector = &WorkloadSelector{MatchLabels: copyMap(in.Selector.MatchLabels)}
	}
	if in.Rules != nil {
		out.Rules = make([]AuthorizationRule, len(in.Rules))
		for i, r := range in.Rules {
			var c AuthorizationRule
			if r.From != nil {
				c.From = make([]RuleFrom, len(r.From))
				for j, f := range r.From {
					c.From[j] = RuleFrom{Source: Source{
						Principals: copyStrings(f.Source.Principals),
						IPBlocks:   copyStrings(f.Source.IPBlocks),
						Namespaces: copyStrings(f.Source.Namespaces),
					}}
				}
			}
			if r.To != nil {
				c.To = make([]RuleTo, len(r.To))
				for j, t := range r.To {
					c.To[j] = RuleTo{Operation: Operation{
						Ports:   copyStrings(t.Operation.Ports),
						Methods: copyStrings(t.Operation.Methods),
						Paths:   copyStrings(t.Operation.Paths),
					}}
				}
			}
			out.Rules[i] = c
		}
	}
}

func copyStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}

// copyMap copies m; empty becomes nil, the form a manifest reads back as.
func copyMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
