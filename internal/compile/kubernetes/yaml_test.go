package kubernetes

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// hostileParts are pieces random strings are made of: YAML indicators,
// words YAML 1.1 retypes, numbers, timestamps, spaces, line breaks, quotes,
// non-ASCII and escapes encoding/json writes.
var hostileParts = []string{
	"a", "Z", "app", "k8s.io/", "-", "_", ".", "/", ":", ": ", " #", "#", "- ", "? ", "---", "...",
	"'", "\"", "\\", "\t", "é", "日本", "\U0001F600",
	"<", ">", "&", "|", "*", "!", "%", "@", "`", "[", "]", "{", "}", ",", "=",
	"y", "n", "yes", "No", "on", "OFF", "true", "False", "null", "~", "<<", ".inf", "-.Inf", ".nan",
	"0", "1", "007", "0x1F", "0b101", "0o17", "1e3", "1_000", "1:20", "3.14", "+5", "-5", "2006-01-02",
	"2001:db8::/32", "10.0.0.0/8", " ", "  ", strings.Repeat("x", 70), strings.Repeat("word ", 15),
}

// breakingParts are line breaks and characters YAML cannot hold: rarer, as
// each sends its whole object to the fallback (or to an error both ways).
var breakingParts = []string{"\n", "\r", "\r\n", "\u2028", "\u2029", "\u0085", "\x00", "\x7f", "\x1b"}

func hostileString(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(5) {
		if r.IntN(200) == 0 {
			b.WriteString(breakingParts[r.IntN(len(breakingParts))])
			continue
		}
		b.WriteString(hostileParts[r.IntN(len(hostileParts))])
	}
	return b.String()
}

func randomLabels(r *rand.Rand) map[string]string {
	if r.IntN(4) == 0 {
		return nil
	}
	m := map[string]string{}
	for range r.IntN(5) {
		m[hostileString(r)] = hostileString(r)
	}
	return m
}

func randomSelector(r *rand.Rand) *metav1.LabelSelector {
	if r.IntN(3) == 0 {
		return nil
	}
	s := &metav1.LabelSelector{MatchLabels: randomLabels(r)}
	for range r.IntN(3) {
		s.MatchExpressions = append(s.MatchExpressions, metav1.LabelSelectorRequirement{
			Key: hostileString(r), Operator: metav1.LabelSelectorOperator(hostileString(r)), Values: randomStrings(r)})
	}
	return s
}

func randomStrings(r *rand.Rand) []string {
	var out []string
	for range r.IntN(4) {
		out = append(out, hostileString(r))
	}
	return out
}

func randomPeers(r *rand.Rand) []networkingv1.NetworkPolicyPeer {
	var out []networkingv1.NetworkPolicyPeer
	for range r.IntN(4) {
		p := networkingv1.NetworkPolicyPeer{PodSelector: randomSelector(r), NamespaceSelector: randomSelector(r)}
		if r.IntN(3) == 0 {
			p.IPBlock = &networkingv1.IPBlock{CIDR: hostileString(r), Except: randomStrings(r)}
		}
		out = append(out, p)
	}
	return out
}

func randomPorts(r *rand.Rand) []networkingv1.NetworkPolicyPort {
	var out []networkingv1.NetworkPolicyPort
	for range r.IntN(4) {
		var p networkingv1.NetworkPolicyPort
		if r.IntN(2) == 0 {
			proto := []corev1.Protocol{"TCP", "UDP", "SCTP", corev1.Protocol(hostileString(r))}[r.IntN(4)]
			p.Protocol = &proto
		}
		switch r.IntN(4) {
		case 0:
			v := intstr.FromInt32(r.Int32N(70000) - 100)
			p.Port = &v
		case 1:
			v := intstr.FromString(hostileString(r))
			p.Port = &v
		}
		if r.IntN(3) == 0 {
			end := r.Int32()
			p.EndPort = &end
		}
		out = append(out, p)
	}
	return out
}

func randomMeta(r *rand.Rand) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: hostileString(r), Namespace: hostileString(r), Labels: randomLabels(r), Annotations: randomLabels(r)}
}

func randomNetworkPolicy(r *rand.Rand) *networkingv1.NetworkPolicy {
	np := &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: randomMeta(r),
	}
	if s := randomSelector(r); s != nil {
		np.Spec.PodSelector = *s
	}
	for range r.IntN(3) {
		np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{From: randomPeers(r), Ports: randomPorts(r)})
	}
	for range r.IntN(3) {
		np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{To: randomPeers(r), Ports: randomPorts(r)})
	}
	for range r.IntN(3) {
		np.Spec.PolicyTypes = append(np.Spec.PolicyTypes, networkingv1.PolicyType(hostileString(r)))
	}
	return np
}

func randomAuthorizationPolicy(r *rand.Rand) *AuthorizationPolicy {
	ap := &AuthorizationPolicy{TypeMeta: metav1.TypeMeta{APIVersion: "security.istio.io/v1", Kind: "AuthorizationPolicy"}, ObjectMeta: randomMeta(r)}
	if r.IntN(2) == 0 {
		ap.Spec.Selector = &WorkloadSelector{MatchLabels: randomLabels(r)}
	}
	if r.IntN(2) == 0 {
		ap.Spec.Action = hostileString(r)
	}
	for range r.IntN(3) {
		var rule AuthorizationRule
		for range r.IntN(3) {
			rule.From = append(rule.From, RuleFrom{Source: Source{Principals: randomStrings(r), IPBlocks: randomStrings(r), Namespaces: randomStrings(r)}})
		}
		for range r.IntN(3) {
			rule.To = append(rule.To, RuleTo{Operation: Operation{Ports: randomStrings(r), Methods: randomStrings(r), Paths: randomStrings(r)}})
		}
		ap.Spec.Rules = append(ap.Spec.Rules, rule)
	}
	return ap
}

// randomTree is any JSON-shaped value: nested maps and lists, empty ones,
// floats, large and negative numbers, bools and nulls.
func randomTree(r *rand.Rand, depth int) any {
	k := r.IntN(9)
	if depth > 3 {
		k = r.IntN(5)
	}
	switch k {
	case 0:
		return hostileString(r)
	case 1:
		return []any{r.IntN(100), -r.Int64(), r.Uint64(), r.Float64() * 1e6, 1.0, 1e21, 0}[r.IntN(7)]
	case 2:
		return r.IntN(2) == 0
	case 3:
		return nil
	case 4:
		return []any{map[string]any{}, []any{}}[r.IntN(2)]
	case 5, 6:
		m := map[string]any{}
		for range 1 + r.IntN(4) {
			m[hostileString(r)] = randomTree(r, depth+1)
		}
		return m
	default:
		var l []any
		for range 1 + r.IntN(4) {
			l = append(l, randomTree(r, depth+1))
		}
		return l
	}
}

// The direct renderer writes exactly what sigs.k8s.io/yaml.Marshal writes:
// manifests are compared byte-for-byte with the cluster and hashed, so a
// single differing byte would be a spurious change.
func TestYAMLRendererEqualsSigsYAML(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 4))
	var rend yamlRenderer
	fast, direct, failures := 0, 0, 0
	check := func(obj any) {
		t.Helper()
		want, wantErr := yaml.Marshal(obj)
		got, err := rend.render(obj)
		if wantErr != nil {
			// Text YAML cannot hold (control characters) is an error both ways.
			if err == nil {
				t.Fatalf("sigs.k8s.io/yaml fails (%v), the renderer wrote:\n%s", wantErr, got)
			}
			failures++
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		_, jsonTree := rend.fromJSON(raw)
		if jsonTree {
			fast++
		}
		if np, ok := obj.(*networkingv1.NetworkPolicy); ok {
			// The random policies hold only fields the tree is built
			// from, all UTF-8: it must render exactly those the JSON tree
			// renders.
			_, fromFields := rend.networkPolicyYAML(np)
			if fromFields != jsonTree {
				t.Fatalf("tree from fields renders: %v, JSON tree: %v, for %#v", fromFields, jsonTree, np)
			}
			if fromFields {
				direct++
			}
		}
		// Rendered from a tree (a NetworkPolicy's built from its fields,
		// or the JSON one), the bytes are sigs.k8s.io/yaml's. The
		// fallback is sigs.k8s.io/yaml.Marshal itself, whose order of
		// some keys follows map iteration, so it is not compared.
		if jsonTree && got != string(want) {
			t.Fatalf("renderer differs from sigs.k8s.io/yaml for %#v\ngot:\n%s\nwant:\n%s", obj, got, want)
		}
	}
	const n = 1500
	for range n {
		check(randomNetworkPolicy(r))
		check(randomAuthorizationPolicy(r))
		tree := map[string]any{}
		for range 1 + r.IntN(5) {
			tree[hostileString(r)] = randomTree(r, 0)
		}
		check(tree)
	}
	// The comparison means something only if the direct paths ran often.
	if fast < n/2 || direct < n/20 {
		t.Fatalf("only %d of %d random objects took the JSON tree, %d of %d NetworkPolicies the tree from fields", fast, 3*n, direct, n)
	}
	t.Logf("%d of %d random objects rendered from the JSON tree, %d of %d NetworkPolicies from their fields, %d unrenderable both ways, the rest by the fallback", fast, 3*n, direct, n, failures)
}

// Compiled objects (names, labels, CIDRs, ports) all take the direct path:
// the fallback is for hostile strings, not the common case.
func TestCompiledObjectsRenderDirectly(t *testing.T) {
	objs, ps := CompileAll(benchPolicies(1000), Options{Owner: "sg-0123456789abcdef0/default", Istio: &IstioOptions{}})
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	var rend yamlRenderer
	for _, obj := range objs.objects() {
		raw, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := rend.fromJSON(raw)
		if !ok {
			t.Fatalf("%s fell back to the slow path", raw)
		}
		want, err := yaml.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("got:\n%s\nwant:\n%s", got, want)
		}
		if np, ok := obj.(*networkingv1.NetworkPolicy); ok {
			fields, ok := rend.networkPolicyYAML(np)
			if !ok {
				t.Fatalf("%s/%s was not rendered from its fields", np.Namespace, np.Name)
			}
			if string(fields) != string(want) {
				t.Fatalf("from fields:\n%s\nwant:\n%s", fields, want)
			}
		}
	}
	if len(objs.objects()) < 100 {
		t.Fatalf("only %d objects", len(objs.objects()))
	}
}

func TestYAMLKeyOrder(t *testing.T) {
	// yaml.v2 orders keys with digit runs compared as numbers and letters
	// after other characters.
	m := map[string]any{"a10": 1, "a9": 1, "a09": 1, "b": 1, "B": 1, "_x": 1, "1": 1, "10": 1, "2": 1, "a-b": 1, "ab": 1}
	want, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var rend yamlRenderer
	got, err := rend.render(m)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

// plainWord's strings are exactly those yaml.v2 writes unquoted.
func TestPlainWordIsPlainInYAML(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	parts := []string{"a", "Z", "0", "7", "1e", "0x", "0b", "-", ".", "_", "/", ":", "::", "10.0.0.0", "/24", "2001:db8", "inf", "nan", "y", "no", "true", "null", "2006-01-02", "T15:04:05"}
	plain := 0
	for range 20000 {
		var b strings.Builder
		for range 1 + r.IntN(4) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		s := b.String()
		if !plainWord([]byte(s)) {
			continue
		}
		plain++
		y, err := yaml.Marshal(map[string]string{"k": s})
		if err != nil {
			t.Fatal(err)
		}
		if string(y) != "k: "+s+"\n" {
			t.Fatalf("plainWord(%q) but yaml.v2 writes %q", s, y)
		}
	}
	if plain < 5000 {
		t.Fatalf("only %d plain words checked", plain)
	}
}

// A NetworkPolicy holding what the tree from fields does not build (fields
// the compiler never writes, a string encoding/json would change, an
// IntOrString of no type) takes the JSON path, and the bytes (or the
// error) are still sigs.k8s.io/yaml's.
func TestNetworkPolicyOutsideTheTreeTakesTheJSONPath(t *testing.T) {
	base := func() *networkingv1.NetworkPolicy {
		port := intstr.FromInt32(443)
		return &networkingv1.NetworkPolicy{
			TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
			ObjectMeta: metav1.ObjectMeta{Name: "np", Namespace: "prod", Labels: map[string]string{"app": "api"}},
			Spec: networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{
				Ports: []networkingv1.NetworkPolicyPort{{Port: &port}},
				From:  []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0/8"}}},
			}}},
		}
	}
	cases := map[string]func(*networkingv1.NetworkPolicy){
		"uid":                func(np *networkingv1.NetworkPolicy) { np.UID = "0f0e" },
		"resource version":   func(np *networkingv1.NetworkPolicy) { np.ResourceVersion = "42" },
		"finalizers":         func(np *networkingv1.NetworkPolicy) { np.Finalizers = []string{"x"} },
		"owner reference":    func(np *networkingv1.NetworkPolicy) { np.OwnerReferences = []metav1.OwnerReference{{Name: "o"}} },
		"creation timestamp": func(np *networkingv1.NetworkPolicy) { np.CreationTimestamp = metav1.Unix(1, 0) },
		"invalid UTF-8 label": func(np *networkingv1.NetworkPolicy) {
			np.Labels["bad"] = "\xff\xfe"
		},
		"invalid UTF-8 cidr": func(np *networkingv1.NetworkPolicy) { np.Spec.Ingress[0].From[0].IPBlock.CIDR = "10.\xc3" },
		"intstr of no type": func(np *networkingv1.NetworkPolicy) {
			np.Spec.Ingress[0].Ports[0].Port = &intstr.IntOrString{Type: 7}
		},
	}
	var rend yamlRenderer
	if _, ok := rend.networkPolicyYAML(base()); !ok {
		t.Fatal("the base policy should be rendered from its fields")
	}
	for name, change := range cases {
		np := base()
		change(np)
		if _, ok := rend.networkPolicyYAML(np); ok {
			t.Errorf("%s: rendered from its fields", name)
		}
		want, wantErr := yaml.Marshal(np)
		got, err := rend.render(np)
		switch {
		case (err == nil) != (wantErr == nil):
			t.Errorf("%s: error %v, sigs.k8s.io/yaml's %v", name, err, wantErr)
		case err == nil && got != string(want):
			t.Errorf("%s: got\n%s\nwant\n%s", name, got, want)
		}
	}
}
