package kubernetes

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

func seg(name, ns, sa string, labels ...string) model.Segment {
	l := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		l[labels[i]] = labels[i+1]
	}
	return model.Segment{Name: name, Sensitivity: "internal", Kubernetes: &model.KubernetesSelector{Namespace: ns, PodLabels: l, ServiceAccount: sa}}
}

var (
	payments = seg("payments", "prod", "payment-api", "app", "payment-api")
	checkout = seg("checkout", "prod", "checkout", "app", "checkout")
	ledger   = seg("ledger", "finance", "ledger", "app", "ledger", "tier", "db")
)

func pr(from, to int) model.PortRange { return model.PortRange{From: from, To: to} }

func in(i int, peer model.Peer, protocol string, ports ...model.PortRange) model.Flow {
	f := model.Flow{Direction: model.Inbound, Peer: peer, Protocol: protocol, Ports: ports, Path: model.Root("allow_from").Index(i)}
	switch {
	case peer.Segment != nil:
		f.PeerPath = f.Path.At("segment")
	case peer.CIDR != "":
		f.PeerPath = f.Path.At("cidr_blocks").Index(0)
	case peer.PrefixListID != "":
		f.PeerPath = f.Path.At("prefix_list_ids").Index(0)
	}
	return f
}

func out(i int, peer model.Peer, protocol string, ports ...model.PortRange) model.Flow {
	f := in(i, peer, protocol, ports...)
	f.Direction = model.Outbound
	f.Path[0].Name = "allow_to"
	if f.PeerPath != nil {
		f.PeerPath[0].Name = "allow_to"
	}
	return f
}

func peerOf(s model.Segment) model.Peer { return model.Peer{Segment: &s} }

func withHTTP(f model.Flow, m model.HTTPMatch) model.Flow {
	f.HTTP = &m
	return f
}

// describe renders a NetworkPolicy compactly: "<ns> <kind>(<selector>): rule; rule".
func describe(np networkingv1.NetworkPolicy) string {
	kind := "deny"
	switch {
	case len(np.Spec.PolicyTypes) == 1 && np.Spec.PolicyTypes[0] == networkingv1.PolicyTypeIngress:
		kind = "ingress"
	case len(np.Spec.PolicyTypes) == 1:
		kind = "egress"
	}
	var rules []string
	for _, r := range np.Spec.Ingress {
		rules = append(rules, describeRule(r.From, r.Ports))
	}
	for _, r := range np.Spec.Egress {
		rules = append(rules, describeRule(r.To, r.Ports))
	}
	return fmt.Sprintf("%s %s(%s): %s", np.Namespace, kind, selector(&np.Spec.PodSelector), strings.Join(rules, "; "))
}

func selector(s *metav1.LabelSelector) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(s.MatchLabels)) {
		parts = append(parts, k+"="+s.MatchLabels[k])
	}
	return strings.Join(parts, ",")
}

func describeRule(peers []networkingv1.NetworkPolicyPeer, ports []networkingv1.NetworkPolicyPort) string {
	var ps, qs []string
	for _, p := range peers {
		switch {
		case p.IPBlock != nil:
			ps = append(ps, p.IPBlock.CIDR)
		default:
			ps = append(ps, p.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]+"/"+selector(p.PodSelector))
		}
	}
	for _, q := range ports {
		s := string(*q.Protocol)
		if q.Port != nil {
			s += " " + q.Port.String()
		}
		if q.EndPort != nil {
			s += fmt.Sprintf("-%d", *q.EndPort)
		}
		qs = append(qs, s)
	}
	if len(qs) == 0 {
		qs = []string{"any"}
	}
	return "[" + strings.Join(ps, " ") + "] " + strings.Join(qs, ",")
}

func describeAll(nps []networkingv1.NetworkPolicy) []string {
	out := make([]string, len(nps))
	for i, np := range nps {
		out[i] = describe(np)
	}
	return out
}

func mustCompile(t testing.TB, policies []Policy, opts Options) Objects {
	t.Helper()
	if opts.Owner == "" {
		opts.Owner = "test"
	}
	objs, ps := CompileAll(policies, opts)
	if ps.HasErrors() {
		t.Fatalf("unexpected problems: %v", ps)
	}
	return objs
}

func TestEmptyPolicyIsolatesTheNamespace(t *testing.T) {
	objs := mustCompile(t, []Policy{{Segment: payments}}, Options{})
	// The namespace is denied; DNS is granted to the segment's pods only.
	want := []string{
		"prod deny(): ",
		"prod egress(app=payment-api): [kube-system/k8s-app=kube-dns] TCP 53,UDP 53",
	}
	if got := describeAll(objs.NetworkPolicies); !slices.Equal(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(objs.AuthorizationPolicies) != 0 {
		t.Fatalf("no Istio requested, got %d AuthorizationPolicies", len(objs.AuthorizationPolicies))
	}
}

func TestCompile(t *testing.T) {
	noDNS := Options{AllowDNS: Bool(false)}
	tests := []struct {
		name   string
		target model.Segment
		flows  []model.Flow
		want   []string
	}{
		{
			"segment to segment: ingress on the destination, egress on the source",
			payments, []model.Flow{in(0, peerOf(checkout), "tcp", pr(8443, 8443))},
			[]string{
				"prod egress(app=checkout): [prod/app=payment-api] TCP 8443",
				"prod deny(): ",
				"prod ingress(app=payment-api): [prod/app=checkout] TCP 8443",
			},
		},
		{
			"outbound across namespaces isolates both namespaces",
			payments, []model.Flow{out(0, peerOf(ledger), "tcp", pr(5432, 5432))},
			[]string{
				"finance deny(): ",
				"finance ingress(app=ledger,tier=db): [prod/app=payment-api] TCP 5432",
				"prod deny(): ",
				"prod egress(app=payment-api): [finance/app=ledger,tier=db] TCP 5432",
			},
		},
		{
			"cidr canonicalized, ranges merged per peer, peers with equal ports share a rule",
			payments, []model.Flow{
				in(0, model.Peer{CIDR: "10.1.2.3/8"}, "tcp", pr(443, 443), pr(444, 444), pr(8000, 8080), pr(8050, 8100)),
				in(1, model.Peer{CIDR: "2001:DB8::/32"}, "tcp", pr(8000, 8100), pr(443, 444)),
				in(2, peerOf(checkout), "udp", pr(53, 53)),
			},
			[]string{
				"prod egress(app=checkout): [prod/app=payment-api] UDP 53",
				"prod deny(): ",
				"prod ingress(app=payment-api): [10.0.0.0/8 2001:db8::/32] TCP 443-444,TCP 8000-8100; [prod/app=checkout] UDP 53",
			},
		},
		{
			"all protocols has no ports; 0-65535 is every port of the protocol",
			payments, []model.Flow{
				in(0, peerOf(checkout), "all"),
				out(1, model.Peer{CIDR: "192.0.2.0/24"}, "tcp", pr(0, 65535)),
				out(2, model.Peer{CIDR: "198.51.100.0/24"}, "udp", pr(0, 1023)),
			},
			[]string{
				"prod egress(app=checkout): [prod/app=payment-api] any",
				"prod deny(): ",
				"prod egress(app=payment-api): [192.0.2.0/24] TCP; [198.51.100.0/24] UDP 1-1023",
				"prod ingress(app=payment-api): [prod/app=checkout] any",
			},
		},
		{
			"an all flow and a port flow from one peer merge to all",
			payments, []model.Flow{
				in(0, peerOf(checkout), "tcp", pr(80, 80)),
				in(1, peerOf(checkout), "all"),
			},
			[]string{
				"prod egress(app=checkout): [prod/app=payment-api] any",
				"prod deny(): ",
				"prod ingress(app=payment-api): [prod/app=checkout] any",
			},
		},
		{
			"a segment may talk to itself",
			payments, []model.Flow{in(0, peerOf(payments), "tcp", pr(7000, 7001))},
			[]string{
				"prod deny(): ",
				"prod egress(app=payment-api): [prod/app=payment-api] TCP 7000-7001",
				"prod ingress(app=payment-api): [prod/app=payment-api] TCP 7000-7001",
			},
		},
		{
			"a segment without pod labels is the whole namespace",
			seg("everything", "batch", ""), []model.Flow{in(0, model.Peer{CIDR: "10.0.0.0/8"}, "tcp", pr(80, 80))},
			[]string{
				"batch deny(): ",
				"batch ingress(): [10.0.0.0/8] TCP 80",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := noDNS
			objs := mustCompile(t, []Policy{{Segment: tt.target, Flows: tt.flows}}, opts)
			got := describeAll(objs.NetworkPolicies)
			// Names carry hashes; compare the shape in canonical (namespace, name) order.
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for _, np := range objs.NetworkPolicies {
				shared := np.Labels[SharedLabel] == "true"
				owned := np.Labels[OwnerLabel] == "test" && np.Annotations[OwnerAnnotation] == "test"
				// A namespace's default-deny is shared by every policy (no
				// owner); the allow policies are the owner's alone.
				if np.Labels[ManagedByLabel] != ManagedByValue || shared == owned || shared != (len(np.Spec.Ingress)+len(np.Spec.Egress) == 0) {
					t.Errorf("%s: labels %v annotations %v", np.Name, np.Labels, np.Annotations)
				}
			}
		})
	}
}

func TestDNSOption(t *testing.T) {
	// Two segments in one namespace and one in another: DNS is granted to
	// each segment's pods, never to the whole namespace.
	policies := []Policy{{Segment: payments, Flows: []model.Flow{out(0, peerOf(ledger), "tcp", pr(1, 1)), in(1, peerOf(checkout), "tcp", pr(2, 2))}}}
	count := func(opts Options) (dns []networkingv1.NetworkPolicy) {
		for _, p := range mustCompile(t, policies, opts).NetworkPolicies {
			if strings.Contains(p.Name, "-allow-dns-") {
				dns = append(dns, p)
			}
		}
		return dns
	}
	subjects := 3 // payments, ledger, checkout
	dns := count(Options{})
	if len(dns) != subjects {
		t.Fatalf("default: %d DNS policies, want one per segment selector (%d)", len(dns), subjects)
	}
	for _, np := range dns {
		if len(np.Spec.PodSelector.MatchLabels) == 0 || np.Labels[SharedLabel] != "true" || np.Labels[OwnerLabel] != "" {
			t.Errorf("%s: selects %v with labels %v; want the segment's pods only, shared", np.Name, np.Spec.PodSelector.MatchLabels, np.Labels)
		}
	}
	if n := len(count(Options{AllowDNS: Bool(true)})); n != subjects {
		t.Errorf("AllowDNS true: %d DNS policies, want %d", n, subjects)
	}
	if n := len(count(Options{AllowDNS: Bool(false)})); n != 0 {
		t.Errorf("AllowDNS false: %d DNS policies, want 0", n)
	}
	// DNS egress is the segment's: ledger denying it loses its own DNS
	// policy, and only that one — payments and checkout keep theirs.
	denied := *ledger.Kubernetes
	denied.DenyDNS = true
	ledgerNoDNS := ledger
	ledgerNoDNS.Kubernetes = &denied
	policies = []Policy{{Segment: payments, Flows: []model.Flow{out(0, peerOf(ledgerNoDNS), "tcp", pr(1, 1)), in(1, peerOf(checkout), "tcp", pr(2, 2))}}}
	var selected []string
	for _, np := range count(Options{}) {
		selected = append(selected, labelsReadable(np.Spec.PodSelector.MatchLabels))
	}
	slices.Sort(selected)
	if want := []string{"checkout", "payment-api"}; !slices.Equal(selected, want) {
		t.Errorf("with ledger's DNS denied, DNS policies select %q, want %q", selected, want)
	}
	policies = []Policy{{Segment: payments, Flows: []model.Flow{out(0, peerOf(ledger), "tcp", pr(1, 1)), in(1, peerOf(checkout), "tcp", pr(2, 2))}}}
	custom := count(Options{DNS: &DNSTarget{Namespace: "dns", PodLabels: map[string]string{"app": "coredns"}}})
	var described []string
	for _, np := range custom {
		described = append(described, describe(np))
	}
	want := []string{"finance egress(app=ledger,tier=db): [dns/app=coredns] TCP 53,UDP 53", "prod egress(app=checkout): [dns/app=coredns] TCP 53,UDP 53", "prod egress(app=payment-api): [dns/app=coredns] TCP 53,UDP 53"}
	slices.Sort(described)
	if !slices.Equal(described, want) {
		t.Errorf("custom DNS target:\n got %q\nwant %q", described, want)
	}
	// Another target is another object, so two policies with different
	// targets never fight over one.
	if custom[0].Name == dns[0].Name {
		t.Errorf("the DNS object of another target has the same name %s", dns[0].Name)
	}
}

func TestNamesAreValidUniquePerOwnerAndStable(t *testing.T) {
	long := seg(strings.Repeat("Very Long Segment Name ", 10), "prod", "sa", "app", "x")
	policies := []Policy{{Segment: long, Flows: []model.Flow{in(0, peerOf(checkout), "tcp", pr(1, 1))}}}
	opts := Options{Istio: &IstioOptions{}}
	a := mustCompile(t, policies, Options{Owner: "sg-0123456789abcdef0/default", Istio: opts.Istio})
	b := mustCompile(t, policies, Options{Owner: "sg-0123456789abcdef0/other", Istio: opts.Istio})
	seen := map[string]string{}
	sharedByBoth := 0
	for _, objs := range []Objects{a, b} {
		ms, err := objs.Manifests()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if errs := validation.IsDNS1123Label(m.Name); len(errs) > 0 {
				t.Errorf("%s: %v", m.Name, errs)
			}
			prev, twice := seen[m.ID()]
			switch {
			case twice && (prev != m.YAML || !strings.Contains(m.YAML, SharedLabel)):
				t.Errorf("two owners both compiled %s, and it is not one shared object", m.ID())
			case twice:
				sharedByBoth++
			}
			seen[m.ID()] = m.YAML
		}
	}
	// default-deny, allow-nothing and DNS for both segments' selectors.
	if sharedByBoth != 4 {
		t.Errorf("%d objects shared by both owners, want 4", sharedByBoth)
	}
	var longest string
	for _, np := range a.NetworkPolicies {
		if len(np.Name) > len(longest) {
			longest = np.Name
		}
	}
	if !strings.HasPrefix(longest, "zt-very-long-segment-name-very-long") || len(longest) != 63 {
		t.Errorf("long name cut to %q (%d)", longest, len(longest))
	}
	for _, np := range a.NetworkPolicies {
		if np.Labels[SharedLabel] == "" && np.Labels[OwnerLabel] != OwnerLabelValue("sg-0123456789abcdef0/default") {
			t.Errorf("%s: owner label %q", np.Name, np.Labels[OwnerLabel])
		}
	}
	// Stable across releases: these names are what the cluster holds.
	c := mustCompile(t, []Policy{{Segment: payments}}, Options{Owner: "sg-0123456789abcdef0/default", AllowDNS: Bool(false)})
	if got, want := c.NetworkPolicies[0].Name, "zt-default-deny-"+shortHash("shared", kindDefaultDeny, "prod"); got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestDeterministicWhateverTheInputOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var flows []model.Flow
	segs := []model.Segment{payments, checkout, ledger, seg("web", "edge", "web", "app", "web")}
	for i := range 60 {
		s := segs[rng.IntN(len(segs))]
		var f model.Flow
		switch rng.IntN(3) {
		case 0:
			f = in(i, peerOf(s), "tcp", pr(1000+rng.IntN(50), 1000+50+rng.IntN(50)))
		case 1:
			f = out(i, model.Peer{CIDR: fmt.Sprintf("10.%d.0.0/16", rng.IntN(5))}, "udp", pr(53, 53))
		default:
			f = in(i, peerOf(s), "all")
		}
		flows = append(flows, f)
	}
	opts := Options{Owner: "o", Istio: &IstioOptions{}}
	first := mustCompile(t, []Policy{{Segment: payments, Flows: flows}}, opts)
	want, err := first.YAML()
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, err := first.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		shuffled := slices.Clone(flows)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		objs := mustCompile(t, []Policy{{Segment: payments, Flows: shuffled}}, opts)
		got, _ := objs.YAML()
		gotJSON, _ := objs.JSON()
		if got != want || string(gotJSON) != string(wantJSON) {
			t.Fatalf("output depends on flow order:\n%s\n----\n%s", got, want)
		}
	}
}

// sortedByName moves objects along the permutation's cycles in place: for
// any order of input, the result is the objects sorted by namespace and
// name, each object whole.
func TestSortedByNameInPlace(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 9))
	for n := range 40 {
		objs := make([]networkingv1.NetworkPolicy, n)
		for i := range objs {
			objs[i].Namespace = fmt.Sprintf("ns-%d", r.IntN(3))
			objs[i].Name = fmt.Sprintf("np-%03d", i)
			objs[i].Annotations = map[string]string{"was": objs[i].Name} // travels with its object
		}
		r.Shuffle(n, func(i, j int) { objs[i], objs[j] = objs[j], objs[i] })
		want := slices.Clone(objs)
		slices.SortFunc(want, func(a, b networkingv1.NetworkPolicy) int {
			return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
		})
		got := sortedByName(objs, func(np *networkingv1.NetworkPolicy) *metav1.ObjectMeta { return &np.ObjectMeta })
		for i := range want {
			if got[i].Namespace != want[i].Namespace || got[i].Name != want[i].Name || got[i].Annotations["was"] != want[i].Name {
				t.Fatalf("n=%d: position %d holds %s/%s (was %s), want %s/%s", n, i, got[i].Namespace, got[i].Name, got[i].Annotations["was"], want[i].Namespace, want[i].Name)
			}
		}
	}
}
