package reach_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze/reach"
	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// These tests prove the Kubernetes compiler against the model: evaluated
// with NetworkPolicy semantics, the compiled policies allow a connection
// exactly when the model declares it (plus DNS for segment pods when on —
// pods of no segment get none), and everything
// outside the namespaces involved is left alone.

var protocols = []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP}

// actor is a workload with what the oracle needs to know about it.
type actor struct {
	name     string
	w        reach.Workload
	segments []string // segments whose selector picks this pod
}

// oracle decides from the model alone what the compiled policies must allow.
type oracle struct {
	g        *reach.Graph
	isolated map[string]bool // namespaces the compiler isolates
	dns      bool
	// placed: segments a policy governs or names, whose pods get DNS; a
	// segment no policy involves compiles to nothing.
	placed map[string]bool
}

func (o oracle) allowed(a, b actor, proto corev1.Protocol, port int) bool {
	p := strings.ToLower(string(proto))
	egress := a.w.Namespace == "" || !o.isolated[a.w.Namespace] ||
		(o.dns && slices.ContainsFunc(a.segments, func(s string) bool { return o.placed[s] }) && isDNS(b) && port == 53 && proto != corev1.ProtocolSCTP) ||
		o.declared(a, b, p, port, true)
	ingress := b.w.Namespace == "" || !o.isolated[b.w.Namespace] || o.declared(a, b, p, port, false)
	return egress && ingress
}

// declared: some flow from a segment of a (fromSide) or into a segment of b
// (!fromSide) covers the connection. The other end may match by segment or
// by address.
func (o oracle) declared(a, b actor, proto string, port int, fromSide bool) bool {
	if fromSide {
		for _, s := range a.segments {
			for _, t := range append([]string{""}, b.segments...) {
				if o.g.Allows(reach.Endpoint{Segment: s}, reach.Endpoint{Segment: t, Addr: b.w.IP}, proto, port) {
					return true
				}
			}
		}
		return false
	}
	for _, t := range b.segments {
		for _, s := range append([]string{""}, a.segments...) {
			if o.g.Allows(reach.Endpoint{Segment: s, Addr: a.w.IP}, reach.Endpoint{Segment: t}, proto, port) {
				return true
			}
		}
	}
	return false
}

func isDNS(b actor) bool {
	return b.w.Namespace == "kube-system" && b.w.Labels["k8s-app"] == "kube-dns"
}

func membership(w reach.Workload, segs []model.Segment) []string {
	var out []string
	if w.Namespace == "" {
		return nil
	}
	for _, s := range segs {
		k := s.Kubernetes
		if k.Namespace != w.Namespace {
			continue
		}
		ok := true
		for key, v := range k.PodLabels {
			if w.Labels[key] != v {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, reach.SegmentID(s))
		}
	}
	return out
}

// evaluator builds an Evaluator from the manifests as rendered for the plan,
// so what is proven is what a reviewer reads.
func evaluator(t testing.TB, objs kubernetes.Objects) *reach.Evaluator {
	t.Helper()
	ms, err := objs.Manifests()
	if err != nil {
		t.Fatal(err)
	}
	var nps []networkingv1.NetworkPolicy
	for _, m := range ms {
		if m.Kind != "NetworkPolicy" {
			continue
		}
		var np networkingv1.NetworkPolicy
		if err := yaml.UnmarshalStrict([]byte(m.YAML), &np); err != nil {
			t.Fatal(err)
		}
		nps = append(nps, np)
	}
	e, err := reach.NewEvaluator(nil, nps)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// involvedSegments names the segments the policies govern or name.
func involvedSegments(policies []kubernetes.Policy) map[string]bool {
	out := map[string]bool{}
	for _, p := range policies {
		out[p.Segment.Name] = true
		for _, f := range p.Flows {
			if f.Peer.Segment != nil {
				out[f.Peer.Segment.Name] = true
			}
		}
	}
	return out
}

func involved(policies []kubernetes.Policy) map[string]bool {
	out := map[string]bool{}
	for _, p := range policies {
		out[p.Segment.Kubernetes.Namespace] = true
		for _, f := range p.Flows {
			if f.Peer.Segment != nil {
				out[f.Peer.Segment.Kubernetes.Namespace] = true
			}
		}
	}
	return out
}

func graphOf(policies []kubernetes.Policy) *reach.Graph {
	rp := make([]reach.Policy, len(policies))
	for i, p := range policies {
		rp[i] = reach.Policy{Segment: p.Segment, Flows: p.Flows}
	}
	return reach.NewGraph(rp)
}

func k8sSeg(name, ns, sa string, kv ...string) model.Segment {
	l := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		l[kv[i]] = kv[i+1]
	}
	return model.Segment{Name: name, Sensitivity: "internal", Kubernetes: &model.KubernetesSelector{Namespace: ns, PodLabels: l, ServiceAccount: sa}}
}

func podOf(name, ns, ip string, kv ...string) actor {
	l := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		l[kv[i]] = kv[i+1]
	}
	a := actor{name: name, w: reach.Workload{Namespace: ns, Labels: l}}
	if ip != "" {
		a.w.IP = netip.MustParseAddr(ip)
	}
	return a
}

func hostAt(ip string) actor {
	return actor{name: "host " + ip, w: reach.Workload{IP: netip.MustParseAddr(ip)}}
}

// The hand-written shop: checkout calls payments on 8443, payments calls the
// ledger database in another namespace, the load balancer range reaches
// checkout on 443.
func TestCompiledShopAllowsExactlyTheDeclaredFlows(t *testing.T) {
	checkout := k8sSeg("checkout", "shop", "checkout", "app", "checkout")
	payments := k8sSeg("payments", "shop", "payments", "app", "payments")
	ledger := k8sSeg("ledger", "finance", "ledger", "app", "ledger")
	policies := []kubernetes.Policy{
		{Segment: payments, Flows: []model.Flow{
			{Direction: model.Inbound, Peer: model.Peer{Segment: &checkout}, Protocol: "tcp", Ports: []model.PortRange{{From: 8443, To: 8443}}, Path: model.Root("allow_from").Index(0)},
			{Direction: model.Outbound, Peer: model.Peer{Segment: &ledger}, Protocol: "tcp", Ports: []model.PortRange{{From: 5432, To: 5432}}, Path: model.Root("allow_to").Index(0)},
		}},
		{Segment: checkout, Flows: []model.Flow{
			{Direction: model.Inbound, Peer: model.Peer{CIDR: "10.0.1.0/24"}, Protocol: "tcp", Ports: []model.PortRange{{From: 443, To: 443}}, Path: model.Root("allow_from").Index(0)},
		}},
	}
	co := podOf("checkout", "shop", "10.244.0.10", "app", "checkout", "pod-template-hash", "abc")
	pay := podOf("payments", "shop", "10.244.0.11", "app", "payments")
	led := podOf("ledger", "finance", "10.244.1.10", "app", "ledger")
	stranger := podOf("stranger", "shop", "10.244.0.12", "app", "debug")
	outside := podOf("outside", "other", "10.244.2.10", "app", "whatever")
	dnsPod := podOf("coredns", "kube-system", "10.244.9.2", "k8s-app", "kube-dns")
	lb, internet := hostAt("10.0.1.7"), hostAt("203.0.113.5")

	for _, dns := range []bool{true, false} {
		objs, ps := kubernetes.CompileAll(policies, kubernetes.Options{Owner: "shop", AllowDNS: kubernetes.Bool(dns)})
		if ps.HasErrors() {
			t.Fatal(ps)
		}
		e := evaluator(t, objs)
		tests := []struct {
			src, dst actor
			proto    corev1.Protocol
			port     int32
			want     bool
		}{
			{co, pay, corev1.ProtocolTCP, 8443, true},
			{co, pay, corev1.ProtocolTCP, 8444, false},
			{co, pay, corev1.ProtocolUDP, 8443, false},
			{pay, co, corev1.ProtocolTCP, 8443, false},
			{pay, led, corev1.ProtocolTCP, 5432, true},
			{co, led, corev1.ProtocolTCP, 5432, false},
			{led, pay, corev1.ProtocolTCP, 5432, false},
			{lb, co, corev1.ProtocolTCP, 443, true},
			{internet, co, corev1.ProtocolTCP, 443, false},
			{lb, pay, corev1.ProtocolTCP, 443, false},
			{stranger, pay, corev1.ProtocolTCP, 8443, false},
			{pay, stranger, corev1.ProtocolTCP, 80, false},
			{pay, internet, corev1.ProtocolTCP, 443, false},
			{outside, co, corev1.ProtocolTCP, 443, false}, // ingress of shop is isolated
			{outside, internet, corev1.ProtocolTCP, 443, true},
			{internet, outside, corev1.ProtocolTCP, 80, true}, // namespace other is not governed
			{co, dnsPod, corev1.ProtocolUDP, 53, dns},
			{stranger, dnsPod, corev1.ProtocolTCP, 53, false}, // in no segment: no DNS either
			{led, dnsPod, corev1.ProtocolUDP, 53, dns},
			{co, dnsPod, corev1.ProtocolUDP, 54, false},
		}
		for _, tt := range tests {
			if got := e.Allowed(tt.src.w, tt.dst.w, tt.proto, tt.port); got != tt.want {
				t.Errorf("dns=%v: %s -> %s %s/%d: got %v want %v\n%+v", dns, tt.src.name, tt.dst.name, tt.proto, tt.port, got, tt.want,
					e.Check(tt.src.w, tt.dst.w, tt.proto, tt.port))
			}
		}
	}
}

// randomGraph draws segments over three namespaces from a small label
// vocabulary (so selectors overlap and pods belong to several segments),
// and flows between them and CIDR blocks, some of which cover pod IPs.
func randomGraph(rng *rand.Rand) ([]model.Segment, []kubernetes.Policy) {
	namespaces := []string{"alpha", "beta", "gamma"}
	keys := []string{"app", "tier"}
	values := []string{"x", "y"}
	segs := make([]model.Segment, 2+rng.IntN(5))
	for i := range segs {
		var kv []string
		for _, k := range keys {
			if rng.IntN(2) == 0 {
				kv = append(kv, k, values[rng.IntN(len(values))])
			}
		}
		segs[i] = k8sSeg(fmt.Sprintf("s%d", i), namespaces[rng.IntN(len(namespaces))], "sa", kv...)
	}
	cidrs := []string{"10.244.0.0/16", "10.244.1.0/24", "192.0.2.0/24", "198.51.100.0/25", "2001:db8::/32", "0.0.0.0/0"}
	var policies []kubernetes.Policy
	for i := range segs {
		if rng.IntN(10) < 3 {
			continue
		}
		p := kubernetes.Policy{Segment: segs[i], SegmentPath: model.Root("segment").Index(i)}
		for j := range rng.IntN(5) {
			f := model.Flow{Direction: model.Inbound, Path: model.Root("allow_from").Index(j)}
			if rng.IntN(2) == 0 {
				f.Direction = model.Outbound
				f.Path = model.Root("allow_to").Index(j)
			}
			if rng.IntN(10) < 6 {
				s := segs[rng.IntN(len(segs))]
				f.Peer.Segment = &s
			} else {
				f.Peer.CIDR = cidrs[rng.IntN(len(cidrs))]
			}
			f.Protocol = []string{"tcp", "udp", "all"}[rng.IntN(3)]
			if f.Protocol != "all" {
				for range 1 + rng.IntN(2) {
					switch rng.IntN(8) {
					case 0:
						f.Ports = append(f.Ports, model.PortRange{From: 0, To: 65535})
					default:
						from := 1 + rng.IntN(12)
						f.Ports = append(f.Ports, model.PortRange{From: from, To: from + rng.IntN(3)})
					}
				}
			}
			p.Flows = append(p.Flows, f)
		}
		policies = append(policies, p)
	}
	return segs, policies
}

// actors places pods so that every segment, every overlap and every stranger
// is represented, plus cluster DNS and hosts inside and outside each CIDR.
func actors(rng *rand.Rand, segs []model.Segment) []actor {
	var out []actor
	ip := 0
	nextIP := func() string { ip++; return fmt.Sprintf("10.244.%d.%d", ip/200, ip%200+1) }
	add := func(name, ns string, labels map[string]string) {
		a := actor{name: name, w: reach.Workload{Namespace: ns, Labels: labels, IP: netip.MustParseAddr(nextIP())}}
		a.segments = membership(a.w, segs)
		out = append(out, a)
	}
	for _, s := range segs {
		l := map[string]string{"pod": s.Name}
		for k, v := range s.Kubernetes.PodLabels {
			l[k] = v
		}
		add("pod of "+s.Name, s.Kubernetes.Namespace, l)
	}
	for _, ns := range []string{"alpha", "beta", "gamma", "delta"} {
		for i := range 2 {
			l := map[string]string{}
			if rng.IntN(2) == 0 {
				l["app"] = []string{"x", "y"}[rng.IntN(2)]
			}
			if rng.IntN(2) == 0 {
				l["tier"] = []string{"x", "y"}[rng.IntN(2)]
			}
			add(fmt.Sprintf("%s pod %d %v", ns, i, l), ns, l)
		}
	}
	add("coredns", "kube-system", map[string]string{"k8s-app": "kube-dns"})
	for _, h := range []string{"10.244.1.77", "192.0.2.9", "198.51.100.200", "2001:db8::9", "203.0.113.1"} {
		out = append(out, hostAt(h))
	}
	return out
}

func TestCompiledRandomGraphsAllowExactlyTheDeclaredFlows(t *testing.T) {
	graphs := 200
	if testing.Short() {
		graphs = 30
	}
	ports := []int{1, 2, 3, 5, 8, 12, 13, 14, 15, 53, 1000, 65535}
	checked, allowed, declaredPairs := 0, 0, 0
	for seed := range uint64(graphs) {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		segs, policies := randomGraph(rng)
		dns := rng.IntN(2) == 0
		perOwner := rng.IntN(2) == 0

		var objs kubernetes.Objects
		if perOwner { // one owner per segment policy, as the provider's resources do
			for _, p := range policies {
				o, ps := kubernetes.CompileAll([]kubernetes.Policy{p}, kubernetes.Options{Owner: p.Segment.Name + "/default", AllowDNS: kubernetes.Bool(dns)})
				if ps.HasErrors() {
					t.Fatalf("seed %d: %v", seed, ps)
				}
				objs.NetworkPolicies = append(objs.NetworkPolicies, o.NetworkPolicies...)
			}
		} else {
			o, ps := kubernetes.CompileAll(policies, kubernetes.Options{Owner: "all", AllowDNS: kubernetes.Bool(dns)})
			if ps.HasErrors() {
				t.Fatalf("seed %d: %v", seed, ps)
			}
			objs = o
		}
		e := evaluator(t, objs)
		or := oracle{g: graphOf(policies), isolated: involved(policies), dns: dns, placed: involvedSegments(policies)}
		as := actors(rng, segs)
		for _, a := range as {
			for _, b := range as {
				for _, proto := range protocols {
					for _, port := range ports {
						got := e.Allowed(a.w, b.w, proto, int32(port))
						want := or.allowed(a, b, proto, port)
						checked++
						if got {
							allowed++
						}
						if got != want {
							t.Fatalf("seed %d (dns=%v, perOwner=%v): %s -> %s %s/%d: compiled %v, model %v\nverdict %+v\ngrants %v",
								seed, dns, perOwner, a.name, b.name, proto, port, got, want, e.Check(a.w, b.w, proto, int32(port)), or.g.Grants())
						}
					}
				}
			}
		}
		// Not vacuous: every declared segment-to-segment grant is witnessed
		// between the segments' own pods.
		for _, gr := range or.g.Grants() {
			if gr.From.Segment == "" || gr.To.Segment == "" {
				continue
			}
			declaredPairs++
			src, dst := podFor(as, gr.From.Segment), podFor(as, gr.To.Segment)
			proto, port := corev1.ProtocolSCTP, 1
			if gr.Protocol != "all" {
				proto, port = corev1.Protocol(strings.ToUpper(gr.Protocol)), gr.Ports[0].From
				port = max(port, 1)
			}
			if !e.Allowed(src.w, dst.w, proto, int32(port)) {
				t.Fatalf("seed %d: declared %s not allowed", seed, gr)
			}
		}
	}
	t.Logf("%d graphs, %d connections checked, %d allowed, %d declared segment pairs witnessed", graphs, checked, allowed, declaredPairs)
	if allowed == 0 || allowed == checked || declaredPairs == 0 {
		t.Fatal("the property is vacuous")
	}
}

func podFor(as []actor, segment string) actor {
	for _, a := range as {
		if a.name == "pod of "+segment {
			return a
		}
	}
	panic("no pod for " + segment)
}
