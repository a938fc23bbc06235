package kubernetes

import (
	"slices"
	"strings"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

func TestBadInput(t *testing.T) {
	withNS := func(s model.Segment, ns string) model.Segment {
		k := *s.Kubernetes
		k.Namespace = ns
		s.Kubernetes = &k
		return s
	}
	withLabels := func(s model.Segment, l map[string]string) model.Segment {
		k := *s.Kubernetes
		k.PodLabels = l
		s.Kubernetes = &k
		return s
	}
	withSA := func(s model.Segment, sa string) model.Segment {
		k := *s.Kubernetes
		k.ServiceAccount = sa
		s.Kubernetes = &k
		return s
	}
	istio := Options{Istio: &IstioOptions{}}
	restricted := payments
	restricted.Sensitivity = "restricted"

	tests := []struct {
		name     string
		policy   Policy
		opts     Options
		want     []string // "<path>: <summary>", sorted
		warnOnly bool
	}{
		{"segment without kubernetes", Policy{Segment: model.Segment{Name: "x"}}, Options{},
			[]string{"kubernetes: Segment not placed on Kubernetes"}, false},
		{"namespace not a DNS label", Policy{Segment: withNS(payments, "Prod_NS")}, Options{},
			[]string{"kubernetes.namespace: Invalid namespace"}, false},
		{"namespace missing", Policy{Segment: withNS(payments, "")}, Options{},
			[]string{"kubernetes.namespace: Namespace required"}, false},
		{"system namespace", Policy{Segment: withNS(payments, "kube-system")}, Options{},
			[]string{"kubernetes.namespace: System namespace"}, false},
		{"segment path prefix", Policy{Segment: withNS(payments, "-x"), SegmentPath: model.Root("segment")}, Options{},
			[]string{"segment.kubernetes.namespace: Invalid namespace"}, false},
		{"label key and value", Policy{Segment: withLabels(payments, map[string]string{"bad key": "ok", "app": strings.Repeat("v", 64), "x/y/z": "-bad-"})}, Options{},
			[]string{
				`kubernetes.pod_labels["app"]: Invalid pod label value`,
				`kubernetes.pod_labels["bad key"]: Invalid pod label key`,
				`kubernetes.pod_labels["x/y/z"]: Invalid pod label key`,
				`kubernetes.pod_labels["x/y/z"]: Invalid pod label value`,
			}, false},
		{"service account", Policy{Segment: withSA(payments, "Bad_SA")}, Options{},
			[]string{"kubernetes.service_account: Invalid service account"}, false},
		{"icmp", Policy{Segment: payments, Flows: []model.Flow{in(0, peerOf(checkout), "icmp")}}, Options{},
			[]string{"allow_from[0].protocol: ICMP not representable in Kubernetes"}, false},
		{"icmpv6 outbound", Policy{Segment: payments, Flows: []model.Flow{out(0, model.Peer{CIDR: "2001:db8::/32"}, "icmpv6")}}, Options{},
			[]string{"allow_to[0].protocol: ICMP not representable in Kubernetes"}, false},
		{"prefix list", Policy{Segment: payments, Flows: []model.Flow{in(0, model.Peer{PrefixListID: "pl-0123456789abcdef0"}, "tcp", pr(443, 443))}}, Options{},
			[]string{"allow_from[0].prefix_list_ids[0]: Prefix list not representable in Kubernetes"}, false},
		{"port 0 alone", Policy{Segment: payments, Flows: []model.Flow{in(0, peerOf(checkout), "tcp", pr(80, 80), pr(0, 0))}}, Options{},
			[]string{"allow_from[0].ports[1]: Port 0"}, false},
		{"port out of range (model validation)", Policy{Segment: payments, Flows: []model.Flow{in(0, peerOf(checkout), "tcp", pr(70000, 70000))}}, Options{},
			[]string{"allow_from[0].ports[0]: Port out of range"}, false},
		{"tcp without ports (model validation)", Policy{Segment: payments, Flows: []model.Flow{in(0, peerOf(checkout), "tcp")}}, Options{},
			[]string{"allow_from[0].ports: Ports required"}, false},
		{"unknown protocol (model validation)", Policy{Segment: payments, Flows: []model.Flow{in(0, peerOf(checkout), "sctp", pr(1, 1))}}, Options{},
			[]string{"allow_from[0].protocol: Unknown protocol"}, false},
		{"open internet into restricted (model validation)", Policy{Segment: restricted, Flows: []model.Flow{in(0, model.Peer{CIDR: "0.0.0.0/0"}, "tcp", pr(443, 443))}}, Options{},
			[]string{"allow_from[0].cidr_blocks[0]: Open internet into a restricted segment"}, false},
		{"bad cidr (model validation)", Policy{Segment: payments, Flows: []model.Flow{in(0, model.Peer{CIDR: "10.0.0.0/33"}, "tcp", pr(443, 443))}}, Options{},
			[]string{"allow_from[0].cidr_blocks[0]: Invalid CIDR block"}, false},
		{"two peers", Policy{Segment: payments, Flows: []model.Flow{in(0, model.Peer{CIDR: "10.0.0.0/8", PrefixListID: "pl-0123456789abcdef0"}, "tcp", pr(443, 443))}}, Options{},
			[]string{"allow_from[0]: One peer per flow"}, false},
		{"peer segment with a malformed security group", Policy{Segment: payments, Flows: []model.Flow{in(0, model.Peer{Segment: &model.Segment{Name: "c", SecurityGroupID: "sg-XYZ", Kubernetes: checkout.Kubernetes}}, "tcp", pr(1, 1))}}, Options{},
			[]string{"allow_from[0].segment: Invalid segment"}, false},
		{"peer segment invalid placement", Policy{Segment: payments, Flows: []model.Flow{out(3, peerOf(withNS(checkout, "UPPER")), "tcp", pr(1, 1))}}, Options{},
			[]string{"allow_to[3].segment: Invalid namespace"}, false},
		{"peer segment not on kubernetes", Policy{Segment: payments, Flows: []model.Flow{out(0, model.Peer{Segment: &model.Segment{Name: "vm"}}, "tcp", pr(1, 1))}}, Options{},
			[]string{"allow_to[0].segment: Segment not placed on Kubernetes"}, false},
		{"peer in the DNS namespace", Policy{Segment: payments, Flows: []model.Flow{out(0, peerOf(withNS(checkout, "dns")), "tcp", pr(1, 1))}}, Options{DNS: &DNSTarget{Namespace: "dns"}},
			[]string{"allow_to[0].segment: System namespace"}, false},
		{"istio: peer source without service account", Policy{Segment: payments, Flows: []model.Flow{in(0, peerOf(withSA(checkout, "")), "tcp", pr(1, 1))}}, istio,
			[]string{"allow_from[0].segment: Service account required for Istio"}, false},
		{"istio: governed source without service account", Policy{Segment: withSA(payments, ""), Flows: []model.Flow{out(0, peerOf(checkout), "tcp", pr(1, 1)), out(1, peerOf(ledger), "all")}}, istio,
			[]string{"kubernetes.service_account: Service account required for Istio"}, false},
		{"istio: udp needs no identity", Policy{Segment: payments, Flows: []model.Flow{in(0, peerOf(withSA(checkout, "")), "udp", pr(1, 1))}}, istio,
			nil, false},
		{"istio: bad trust domain", Policy{Segment: payments}, Options{Istio: &IstioOptions{TrustDomain: "not a domain"}},
			[]string{"istio.trust_domain: Invalid trust domain"}, false},
		{"http without istio", Policy{Segment: payments, Flows: []model.Flow{withHTTP(in(0, peerOf(checkout), "tcp", pr(80, 80)), model.HTTPMatch{Methods: []string{"GET"}})}}, Options{},
			[]string{"allow_from[0].http_methods: HTTP match needs Istio"}, false},
		{"http paths without istio", Policy{Segment: payments, Flows: []model.Flow{withHTTP(in(0, peerOf(checkout), "tcp", pr(80, 80)), model.HTTPMatch{Paths: []string{"/x"}})}}, Options{},
			[]string{"allow_from[0].http_paths: HTTP match needs Istio"}, false},
		{"http bad method and path", Policy{Segment: payments, Flows: []model.Flow{withHTTP(in(0, peerOf(checkout), "tcp", pr(80, 80)), model.HTTPMatch{Methods: []string{"GET", "get"}, Paths: []string{"/ok", "no-slash", "/has space"}})}}, istio,
			[]string{"allow_from[0].http_methods[1]: Invalid HTTP method", "allow_from[0].http_paths[1]: Invalid HTTP path", "allow_from[0].http_paths[2]: Invalid HTTP path"}, false},
		{"http on udp", Policy{Segment: payments, Flows: []model.Flow{withHTTP(in(0, peerOf(checkout), "udp", pr(80, 80)), model.HTTPMatch{Methods: []string{"GET"}})}}, istio,
			[]string{"allow_from[0].protocol: HTTP match needs tcp"}, false},
		{"http to a cidr (model validation)", Policy{Segment: payments, Flows: []model.Flow{withHTTP(out(0, model.Peer{CIDR: "10.0.0.0/8"}, "tcp", pr(80, 80)), model.HTTPMatch{Methods: []string{"GET"}})}}, istio,
			[]string{"allow_to[0].http_methods: HTTP matching needs a segment peer"}, false},
		{"alongside security groups: inexpressible flows left out", Policy{Segment: payments, Flows: []model.Flow{in(0, peerOf(checkout), "icmp"), in(1, model.Peer{PrefixListID: "pl-0123456789abcdef0"}, "tcp", pr(443, 443)), in(2, model.Peer{Segment: &model.Segment{Name: "vm", SecurityGroupID: "sg-0123456789abcdef0"}}, "tcp", pr(1, 1))}}, Options{AlongsideSecurityGroups: true},
			nil, false},
		{"bad dns target", Policy{Segment: payments}, Options{DNS: &DNSTarget{Namespace: "Kube System", PodLabels: map[string]string{"k8s-app": "kube dns"}}},
			[]string{"dns.namespace: Invalid namespace", `dns.pod_labels["k8s-app"]: Invalid pod label`}, false},
		{"bad dns target ignored when DNS is off", Policy{Segment: payments}, Options{AllowDNS: Bool(false), DNS: &DNSTarget{Namespace: "Kube System"}},
			nil, false},
		{"wide istio port range is a warning", Policy{Segment: payments, Flows: []model.Flow{in(0, peerOf(checkout), "tcp", pr(8000, 9000))}}, istio,
			[]string{"allow_from[0].ports: Ports not listed in the Istio policy"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Owner = "owner"
			objs, ps := CompileAll([]Policy{tt.policy}, opts)
			var got []string
			for _, p := range ps.Sorted() {
				got = append(got, p.String())
				if p.Detail == "" {
					t.Errorf("%s: no detail", p)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
			switch {
			case len(tt.want) > 0 && !tt.warnOnly:
				if !ps.HasErrors() || len(objs.NetworkPolicies)+len(objs.AuthorizationPolicies) > 0 {
					t.Fatalf("an error must yield no objects (errors %v, %d objects)", ps.HasErrors(), len(objs.NetworkPolicies))
				}
			default:
				if ps.HasErrors() || len(objs.NetworkPolicies) == 0 {
					t.Fatalf("want objects and no errors, got %v", ps)
				}
			}
		})
	}
}

func TestOwnerRequired(t *testing.T) {
	_, ps := Compile(payments, nil, Options{})
	if got := ps.Error(); got != "owner: Owner required" {
		t.Fatalf("got %q", got)
	}
}

func TestPeerProblemDetailNamesTheField(t *testing.T) {
	bad := checkout
	bad.Kubernetes = &model.KubernetesSelector{Namespace: "prod", PodLabels: map[string]string{"app": "bad value!"}}
	_, ps := Compile(payments, []model.Flow{in(0, peerOf(bad), "tcp", pr(1, 1))}, Options{Owner: "o"})
	if len(ps) != 1 || !strings.Contains(ps[0].Detail, `peer segment "checkout", kubernetes.pod_labels["app"]`) {
		t.Fatalf("got %#v", ps)
	}
}
