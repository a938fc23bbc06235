package reach

import (
	"net/netip"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func sel(kv ...string) *metav1.LabelSelector {
	s := &metav1.LabelSelector{MatchLabels: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		s.MatchLabels[kv[i]] = kv[i+1]
	}
	return s
}

func np(ns, name string, pods *metav1.LabelSelector, types []networkingv1.PolicyType, in []networkingv1.NetworkPolicyIngressRule, out []networkingv1.NetworkPolicyEgressRule) networkingv1.NetworkPolicy {
	return networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       networkingv1.NetworkPolicySpec{PodSelector: *pods, PolicyTypes: types, Ingress: in, Egress: out},
	}
}

func tcp(port int32) networkingv1.NetworkPolicyPort {
	p := corev1.ProtocolTCP
	v := intstr.FromInt32(port)
	return networkingv1.NetworkPolicyPort{Protocol: &p, Port: &v}
}

var (
	ingressOnly = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
	egressOnly  = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
	both        = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}
)

func pod(ns string, kv ...string) Workload {
	return Workload{Namespace: ns, Labels: sel(kv...).MatchLabels}
}

func host(ip string) Workload { return Workload{IP: netip.MustParseAddr(ip)} }

func TestEvaluatorSemantics(t *testing.T) {
	udp := corev1.ProtocolUDP
	sctp := corev1.ProtocolSCTP
	end := int32(9100)
	rangePort := tcp(9000)
	rangePort.EndPort = &end
	named := intstr.FromString("metrics")
	namedPort := networkingv1.NetworkPolicyPort{Port: &named} // protocol defaults to TCP
	policies := []networkingv1.NetworkPolicy{
		// a: ingress isolated; allows b (same namespace) on 80 and anything from namespace team=ops.
		np("app", "a-in", sel("role", "a"), ingressOnly, []networkingv1.NetworkPolicyIngressRule{
			{From: []networkingv1.NetworkPolicyPeer{{PodSelector: sel("role", "b")}}, Ports: []networkingv1.NetworkPolicyPort{tcp(80)}},
			{From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: sel("team", "ops")}}},
		}, nil),
		// a: a second policy adds a port range from an ipBlock with an exception (union).
		np("app", "a-in-2", sel("role", "a"), nil, []networkingv1.NetworkPolicyIngressRule{
			{From: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.9.0.0/16"}}}}, Ports: []networkingv1.NetworkPolicyPort{rangePort}},
		}, nil),
		// c: named port from anywhere (empty from).
		np("app", "c-in", sel("role", "c"), nil, []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{namedPort}}}, nil),
		// b: egress isolated; may reach a on any TCP 80, and pods role=x in namespaces team=ops (AND of both selectors).
		np("app", "b-out", sel("role", "b"), egressOnly, nil, []networkingv1.NetworkPolicyEgressRule{
			{To: []networkingv1.NetworkPolicyPeer{{PodSelector: sel("role", "a")}}, Ports: []networkingv1.NetworkPolicyPort{tcp(80)}},
			{To: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: sel("team", "ops"), PodSelector: sel("role", "x")}}, Ports: []networkingv1.NetworkPolicyPort{{Protocol: &udp}}},
		}),
		// policy types defaulted from the spec: egress rules present -> Ingress+Egress.
		np("app", "d-both", sel("role", "d"), nil, nil, []networkingv1.NetworkPolicyEgressRule{{Ports: []networkingv1.NetworkPolicyPort{{Protocol: &sctp}}}}),
		// deny everything in namespace locked, both directions.
		np("locked", "deny", sel(), both, nil, nil),
	}
	e, err := NewEvaluator(map[string]map[string]string{"ops": {"team": "ops"}}, policies)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c, d := pod("app", "role", "a"), pod("app", "role", "b"), pod("app", "role", "c"), pod("app", "role", "d")
	c.Ports = []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9090}, {Name: "dns", ContainerPort: 53, Protocol: corev1.ProtocolUDP}}
	free := pod("app", "role", "free")
	opsX, opsY := pod("ops", "role", "x"), pod("ops", "role", "y")
	otherX := pod("other", "role", "x")
	locked := pod("locked", "role", "a")
	tests := []struct {
		name     string
		src, dst Workload
		proto    corev1.Protocol
		port     int32
		want     bool
	}{
		{"unisolated pods talk freely", free, opsY, corev1.ProtocolTCP, 1, true},
		{"b -> a 80 allowed by both sides", b, a, corev1.ProtocolTCP, 80, true},
		{"b -> a 81: ingress port mismatch", b, a, corev1.ProtocolTCP, 81, false},
		{"b -> a UDP 80: protocol mismatch", b, a, corev1.ProtocolUDP, 80, false},
		{"free -> a 80: ingress peer mismatch", free, a, corev1.ProtocolTCP, 80, false},
		{"ops pod -> a any port via namespaceSelector", opsY, a, corev1.ProtocolUDP, 5, true},
		{"host in ipBlock -> a in range", host("10.1.2.3"), a, corev1.ProtocolTCP, 9050, true},
		{"host in ipBlock -> a at range end", host("10.1.2.3"), a, corev1.ProtocolTCP, 9100, true},
		{"host in ipBlock -> a past range", host("10.1.2.3"), a, corev1.ProtocolTCP, 9101, false},
		{"host in except -> a", host("10.9.0.1"), a, corev1.ProtocolTCP, 9050, false},
		{"host outside ipBlock -> a", host("192.0.2.1"), a, corev1.ProtocolTCP, 9050, false},
		{"named port resolves on the destination", free, c, corev1.ProtocolTCP, 9090, true},
		{"named port: other number", free, c, corev1.ProtocolTCP, 9091, false},
		{"named port: protocol must match", free, c, corev1.ProtocolUDP, 9090, false},
		{"named port absent on destination", free, a, corev1.ProtocolTCP, 9090, false},
		{"b egress isolated: b -> free denied", b, free, corev1.ProtocolTCP, 80, false},
		{"b -> ops x UDP (ns AND pod selector)", b, opsX, corev1.ProtocolUDP, 1234, true},
		{"b -> ops y: pod selector fails", b, opsY, corev1.ProtocolUDP, 1234, false},
		{"b -> other x: namespace selector fails", b, otherX, corev1.ProtocolUDP, 1234, false},
		{"b -> external host: egress isolated", b, host("192.0.2.1"), corev1.ProtocolTCP, 80, false},
		{"free -> external host", free, host("192.0.2.1"), corev1.ProtocolTCP, 80, true},
		{"d: defaulted types isolate ingress", free, d, corev1.ProtocolTCP, 80, false},
		{"d: egress SCTP anywhere", d, free, corev1.ProtocolSCTP, 7, true},
		{"d: egress TCP denied", d, free, corev1.ProtocolTCP, 7, false},
		{"locked namespace: in", free, locked, corev1.ProtocolTCP, 80, false},
		{"locked namespace: out", locked, free, corev1.ProtocolTCP, 80, false},
		{"policies are namespaced: same labels elsewhere are free", free, pod("other", "role", "a"), corev1.ProtocolTCP, 80, true},
	}
	for _, tt := range tests {
		if got := e.Allowed(tt.src, tt.dst, tt.proto, tt.port); got != tt.want {
			t.Errorf("%s: got %v want %v (%+v)", tt.name, got, tt.want, e.Check(tt.src, tt.dst, tt.proto, tt.port))
		}
	}

	v := e.Check(opsY, a, corev1.ProtocolTCP, 80)
	if !v.Allowed || v.Egress.Isolated || !v.Ingress.Isolated || !slices.Equal(v.Ingress.AllowedBy, []string{"app/a-in"}) {
		t.Errorf("explanation: %+v", v)
	}
}

func TestEvaluatorRejectsMalformedPolicies(t *testing.T) {
	bad := []networkingv1.NetworkPolicy{
		np("x", "bad-cidr", sel(), nil, []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "nope"}}}}}, nil),
		np("x", "empty-peer", sel(), nil, []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{}}}}, nil),
		np("x", "bad-type", sel(), []networkingv1.PolicyType{"Sideways"}, nil, nil),
		np("x", "bad-selector", &metav1.LabelSelector{MatchLabels: map[string]string{"bad key": "v"}}, nil, nil, nil),
	}
	for _, p := range bad {
		if _, err := NewEvaluator(nil, []networkingv1.NetworkPolicy{p}); err == nil {
			t.Errorf("%s accepted", p.Name)
		}
	}
}
