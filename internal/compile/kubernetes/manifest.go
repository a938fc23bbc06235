package kubernetes

import (
	"bytes"
	"encoding/json"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Manifest is one compiled object rendered for display.
type Manifest struct {
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
	// YAML is the canonical single-document manifest: keys sorted, two-space
	// indent, trailing newline, no document separator.
	YAML string
}

// ID is "<apiVersion>/<kind>/<namespace>/<name>", unique among the objects.
func (m Manifest) ID() string {
	return m.APIVersion + "/" + m.Kind + "/" + m.Namespace + "/" + m.Name
}

// objects lists the compiled objects in rendering order: NetworkPolicies,
// then AuthorizationPolicies, each by namespace and name.
func (o Objects) objects() []any {
	out := make([]any, 0, len(o.NetworkPolicies)+len(o.AuthorizationPolicies))
	for i := range o.NetworkPolicies {
		out = append(out, &o.NetworkPolicies[i])
	}
	for i := range o.AuthorizationPolicies {
		out = append(out, &o.AuthorizationPolicies[i])
	}
	return out
}

// Manifests renders every object as canonical YAML, in canonical order:
// byte-for-byte what sigs.k8s.io/yaml.Marshal writes (see yamlRenderer), so
// strings are quoted and escaped by an encoder, never by hand.
func (o Objects) Manifests() ([]Manifest, error) {
	out := make([]Manifest, 0, len(o.NetworkPolicies)+len(o.AuthorizationPolicies))
	err := o.render(func(_ int, m Manifest, y []byte) {
		m.YAML = string(y)
		out = append(out, m)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// YAML renders every object as one multi-document YAML stream, documents
// separated by "---" lines, in canonical order; byte-for-byte deterministic.
// No objects render as an empty stream.
func (o Objects) YAML() (string, error) {
	const separator = "---\n"
	// The stream is allocated once, at the size the objects written so far
	// predict for all of them by their lines (see lines), and an eighth
	// more; it is regrown only when the prediction falls short. A
	// strings.Builder grows without zeroing: a stream of megabytes would
	// otherwise be cleared once before it is written.
	weights := o.lines()
	total, done := 0, 0
	for _, w := range weights {
		total += w
	}
	var out strings.Builder
	err := o.render(func(i int, _ Manifest, y []byte) {
		if i > 0 {
			if need := out.Len() + len(separator) + len(y); need > out.Cap() {
				out.Grow(max(need, need*total/(done+weights[i])*9/8) - out.Len())
			}
			out.WriteString(separator)
		}
		out.Write(y)
		done += weights[i]
	})
	if err != nil {
		return "", err
	}
	return out.String(), nil
}

// lines approximates each object's YAML line count, in rendering order:
// what makes one object's text longer than another's is how many labels,
// rules, ports and peers it lists, not the order they come in.
func (o Objects) lines() []int {
	out := make([]int, 0, len(o.NetworkPolicies)+len(o.AuthorizationPolicies))
	selector := func(s *metav1.LabelSelector) int {
		if s == nil {
			return 0
		}
		return 2 + len(s.MatchLabels) + 3*len(s.MatchExpressions)
	}
	for i := range o.NetworkPolicies {
		np := &o.NetworkPolicies[i]
		n := 8 + len(np.Labels) + len(np.Annotations) + selector(&np.Spec.PodSelector) + len(np.Spec.PolicyTypes)
		rule := func(ports int, peers []networkingv1.NetworkPolicyPeer) int {
			n := 2 + 3*ports
			for j := range peers {
				n += 1 + selector(peers[j].PodSelector) + selector(peers[j].NamespaceSelector)
				if peers[j].IPBlock != nil {
					n += 2 + len(peers[j].IPBlock.Except)
				}
			}
			return n
		}
		for _, r := range np.Spec.Ingress {
			n += rule(len(r.Ports), r.From)
		}
		for _, r := range np.Spec.Egress {
			n += rule(len(r.Ports), r.To)
		}
		out = append(out, n)
	}
	for i := range o.AuthorizationPolicies {
		ap := &o.AuthorizationPolicies[i]
		n := 8 + len(ap.Labels) + len(ap.Annotations)
		if ap.Spec.Selector != nil {
			n += 2 + len(ap.Spec.Selector.MatchLabels)
		}
		for _, r := range ap.Spec.Rules {
			n++
			for _, f := range r.From {
				n += 3 + len(f.Source.Principals) + len(f.Source.IPBlocks) + len(f.Source.Namespaces)
			}
			for _, t := range r.To {
				n += 3 + len(t.Operation.Ports) + len(t.Operation.Methods) + len(t.Operation.Paths)
			}
		}
		out = append(out, n)
	}
	return out
}

// render renders each object in canonical order (NetworkPolicies, then
// AuthorizationPolicies, each by namespace and name) and passes emit its
// position i, its identity, and its YAML, which is valid only during
// the call.
func (o Objects) render(emit func(i int, m Manifest, y []byte)) error {
	var r yamlRenderer
	for i := range o.NetworkPolicies {
		np := &o.NetworkPolicies[i]
		y, err := r.renderBytes(np)
		if err != nil {
			return renderError("NetworkPolicy", np.Namespace, np.Name, err)
		}
		emit(i, Manifest{APIVersion: np.APIVersion, Kind: np.Kind, Namespace: np.Namespace, Name: np.Name}, y)
	}
	for i := range o.AuthorizationPolicies {
		ap := &o.AuthorizationPolicies[i]
		y, err := r.renderBytes(ap)
		if err != nil {
			return renderError("AuthorizationPolicy", ap.Namespace, ap.Name, err)
		}
		emit(len(o.NetworkPolicies)+i, Manifest{APIVersion: ap.APIVersion, Kind: ap.Kind, Namespace: ap.Namespace, Name: ap.Name}, y)
	}
	return nil
}

// JSON renders every object as a canonical JSON v1 List: object keys sorted,
// two-space indent, no HTML escaping, trailing newline.
func (o Objects) JSON() ([]byte, error) {
	items := make([]any, 0, len(o.NetworkPolicies)+len(o.AuthorizationPolicies))
	for _, obj := range o.objects() {
		v, err := canonicalValue(obj)
		if err != nil {
			return nil, err
		}
		items = append(items, v)
	}
	list := map[string]any{"apiVersion": "v1", "kind": "List", "items": items}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(list); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// canonicalValue turns an object into generic JSON values, so that encoding
// it again sorts every object's keys.
func canonicalValue(obj any) (any, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}
