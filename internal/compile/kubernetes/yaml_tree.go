package kubernetes

import (
	"strconv"
	"unicode/utf8"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// A NetworkPolicy's tree, built from its fields.
//
// The renderer writes YAML from the tree encoding/json's output parses to.
// For a NetworkPolicy that tree is built here from the fields themselves,
// by the rules encoding/json follows for the API types' tags (omitempty,
// the intstr encoding, metadata and spec always present), without writing
// JSON and parsing it back, which was half the cost of a render. Anything
// outside the fields the compiler writes (managed fields, owner
// references, a string that is not UTF-8, which encoding/json would
// change) sends the object to the JSON path, and the differential test
// holds both paths to sigs.k8s.io/yaml's bytes.

// networkPolicyYAML renders np into the renderer's buffer; false means it
// takes the JSON path.
func (r *yamlRenderer) networkPolicyYAML(np *networkingv1.NetworkPolicy) ([]byte, bool) {
	if !directMeta(&np.ObjectMeta) {
		return nil, false
	}
	t := treeBuilder{p: &r.parser, text: r.treeText[:0], ok: true}
	t.p.resetTree()
	v := t.networkPolicy(np)
	r.treeText = t.text
	if !t.ok {
		return nil, false
	}
	r.buf, r.lineStart = r.buf[:0], 0
	if !r.mapping(&v, 0, false) {
		return nil, false
	}
	return r.buf, true
}

// directMeta reports whether m holds only what the compiler writes: name,
// namespace, labels and annotations.
func directMeta(m *metav1.ObjectMeta) bool {
	return m.GenerateName == "" && m.SelfLink == "" && m.UID == "" && m.ResourceVersion == "" && //nolint:staticcheck // SelfLink is deprecated, and still encoded when set
		m.Generation == 0 && m.CreationTimestamp.IsZero() && m.DeletionTimestamp == nil &&
		m.DeletionGracePeriodSeconds == nil && len(m.OwnerReferences) == 0 && len(m.Finalizers) == 0 &&
		len(m.ManagedFields) == 0
}

// treeBuilder builds a tree with the parser's stacks and slabs, its texts
// copied into one buffer the renderer keeps for the next object.
type treeBuilder struct {
	p    *jsonParser
	text []byte
	ok   bool // false once a string is not UTF-8
}

// str is s as the parser would decode it from encoding/json's output.
func (t *treeBuilder) str(s string) []byte {
	if !utf8.ValidString(s) {
		t.ok = false // encoding/json writes U+FFFD for the invalid bytes
	}
	start := len(t.text)
	t.text = append(t.text, s...)
	// A slice of the buffer as it is now: if a later append moves the
	// buffer, this slice keeps the old array, which nothing writes again.
	return t.text[start:len(t.text):len(t.text)]
}

func (t *treeBuilder) member(key string, v jsonValue) {
	t.p.memberStack = append(t.p.memberStack, jsonMember{key: t.str(key), value: v})
}

func (t *treeBuilder) object(from int) jsonValue {
	return jsonValue{kind: jsonObject, members: t.p.memberSlice(from)}
}

func (t *treeBuilder) array(from int) jsonValue {
	return jsonValue{kind: jsonArray, items: t.p.itemSlice(from)}
}

func (t *treeBuilder) item(v jsonValue) { t.p.itemStack = append(t.p.itemStack, v) }

func (t *treeBuilder) string(s string) jsonValue { return jsonValue{kind: jsonString, text: t.str(s)} }

func (t *treeBuilder) int(n int64) jsonValue {
	start := len(t.text)
	t.text = strconv.AppendInt(t.text, n, 10)
	return jsonValue{kind: jsonNumber, text: t.text[start:len(t.text):len(t.text)]}
}

func (t *treeBuilder) strings(ss []string) jsonValue {
	from := len(t.p.itemStack)
	for _, s := range ss {
		t.item(t.string(s))
	}
	return t.array(from)
}

func (t *treeBuilder) stringMap(m map[string]string) jsonValue {
	from := len(t.p.memberStack)
	for k, v := range m { // the renderer sorts the members
		t.member(k, t.string(v))
	}
	return t.object(from)
}

func (t *treeBuilder) networkPolicy(np *networkingv1.NetworkPolicy) jsonValue {
	from := len(t.p.memberStack)
	if np.Kind != "" {
		t.member("kind", t.string(np.Kind))
	}
	if np.APIVersion != "" {
		t.member("apiVersion", t.string(np.APIVersion))
	}
	t.member("metadata", t.meta(&np.ObjectMeta))
	t.member("spec", t.spec(&np.Spec))
	return t.object(from)
}

func (t *treeBuilder) meta(m *metav1.ObjectMeta) jsonValue {
	from := len(t.p.memberStack)
	if m.Name != "" {
		t.member("name", t.string(m.Name))
	}
	if m.Namespace != "" {
		t.member("namespace", t.string(m.Namespace))
	}
	if len(m.Labels) > 0 {
		t.member("labels", t.stringMap(m.Labels))
	}
	if len(m.Annotations) > 0 {
		t.member("annotations", t.stringMap(m.Annotations))
	}
	return t.object(from)
}

func (t *treeBuilder) spec(s *networkingv1.NetworkPolicySpec) jsonValue {
	from := len(t.p.memberStack)
	t.member("podSelector", t.selector(&s.PodSelector))
	if len(s.Ingress) > 0 {
		rules := len(t.p.itemStack)
		for i := range s.Ingress {
			t.item(t.rule(s.Ingress[i].Ports, "from", s.Ingress[i].From))
		}
		t.member("ingress", t.array(rules))
	}
	if len(s.Egress) > 0 {
		rules := len(t.p.itemStack)
		for i := range s.Egress {
			t.item(t.rule(s.Egress[i].Ports, "to", s.Egress[i].To))
		}
		t.member("egress", t.array(rules))
	}
	if len(s.PolicyTypes) > 0 {
		types := len(t.p.itemStack)
		for _, pt := range s.PolicyTypes {
			t.item(t.string(string(pt)))
		}
		t.member("policyTypes", t.array(types))
	}
	return t.object(from)
}

func (t *treeBuilder) selector(s *metav1.LabelSelector) jsonValue {
	from := len(t.p.memberStack)
	if len(s.MatchLabels) > 0 {
		t.member("matchLabels", t.stringMap(s.MatchLabels))
	}
	if len(s.MatchExpressions) > 0 {
		exprs := len(t.p.itemStack)
		for _, e := range s.MatchExpressions {
			members := len(t.p.memberStack)
			t.member("key", t.string(e.Key))
			t.member("operator", t.string(string(e.Operator)))
			if len(e.Values) > 0 {
				t.member("values", t.strings(e.Values))
			}
			t.item(t.object(members))
		}
		t.member("matchExpressions", t.array(exprs))
	}
	return t.object(from)
}

// rule is an ingress rule (peersKey "from") or an egress rule ("to").
func (t *treeBuilder) rule(ports []networkingv1.NetworkPolicyPort, peersKey string, peers []networkingv1.NetworkPolicyPeer) jsonValue {
	from := len(t.p.memberStack)
	if len(ports) > 0 {
		items := len(t.p.itemStack)
		for i := range ports {
			t.item(t.port(&ports[i]))
		}
		t.member("ports", t.array(items))
	}
	if len(peers) > 0 {
		items := len(t.p.itemStack)
		for i := range peers {
			t.item(t.peer(&peers[i]))
		}
		t.member(peersKey, t.array(items))
	}
	return t.object(from)
}

func (t *treeBuilder) port(p *networkingv1.NetworkPolicyPort) jsonValue {
	from := len(t.p.memberStack)
	if p.Protocol != nil {
		t.member("protocol", t.string(string(*p.Protocol)))
	}
	if p.Port != nil {
		switch p.Port.Type {
		case intstr.Int:
			t.member("port", t.int(int64(p.Port.IntVal)))
		case intstr.String:
			t.member("port", t.string(p.Port.StrVal))
		default:
			t.ok = false // encoding/json fails on it: the JSON path reports the error
		}
	}
	if p.EndPort != nil {
		t.member("endPort", t.int(int64(*p.EndPort)))
	}
	return t.object(from)
}

func (t *treeBuilder) peer(p *networkingv1.NetworkPolicyPeer) jsonValue {
	from := len(t.p.memberStack)
	if p.PodSelector != nil {
		t.member("podSelector", t.selector(p.PodSelector))
	}
	if p.NamespaceSelector != nil {
		t.member("namespaceSelector", t.selector(p.NamespaceSelector))
	}
	if b := p.IPBlock; b != nil {
		members := len(t.p.memberStack)
		t.member("cidr", t.string(b.CIDR))
		if len(b.Except) > 0 {
			t.member("except", t.strings(b.Except))
		}
		t.member("ipBlock", t.object(members))
	}
	return t.object(from)
}
