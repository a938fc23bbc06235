package reach

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

func segment(name string) model.Segment {
	return model.Segment{Name: name, Kubernetes: &model.KubernetesSelector{Namespace: "prod", PodLabels: map[string]string{"app": name}}}
}

func flow(dir model.FlowDirection, peer model.Peer, protocol string, ports ...model.PortRange) model.Flow {
	return model.Flow{Direction: dir, Peer: peer, Protocol: protocol, Ports: ports}
}

func ports(from, to int) model.PortRange { return model.PortRange{From: from, To: to} }

func TestGraph(t *testing.T) {
	web, api, db := segment("web"), segment("api"), segment("db")
	db.SecurityGroupID = "sg-0000000000000000d"
	g := NewGraph([]Policy{
		{Segment: api, Flows: []model.Flow{
			flow(model.Inbound, model.Peer{Segment: &web}, "tcp", ports(8443, 8443), ports(9000, 9100)),
			flow(model.Inbound, model.Peer{CIDR: "10.1.2.3/16"}, "udp", ports(53, 53)),
			flow(model.Outbound, model.Peer{Segment: &db}, "tcp", ports(5432, 5432)),
			flow(model.Inbound, model.Peer{PrefixListID: "pl-0123456789abcdef0"}, "tcp", ports(443, 443)),
		}},
		{Segment: web, Flows: []model.Flow{
			flow(model.Inbound, model.Peer{CIDR: "0.0.0.0/0"}, "tcp", ports(443, 443)),
			flow(model.Outbound, model.Peer{CIDR: "2001:db8::/32"}, "all"),
		}},
		{Segment: db, Flows: []model.Flow{
			flow(model.Inbound, model.Peer{Segment: &db}, "icmp"),
			flow(model.Inbound, model.Peer{CIDR: "bogus"}, "tcp", ports(1, 1)), // invalid: skipped
		}},
	})
	seg := func(s string) Endpoint { return Endpoint{Segment: s} }
	addr := func(s string) Endpoint { return Endpoint{Addr: netip.MustParseAddr(s)} }
	tests := []struct {
		from, to Endpoint
		protocol string
		port     int
		want     bool
	}{
		{seg("web"), seg("api"), "tcp", 8443, true},
		{seg("web"), seg("api"), "tcp", 9050, true},
		{seg("web"), seg("api"), "tcp", 8444, false},
		{seg("web"), seg("api"), "udp", 8443, false},
		{seg("api"), seg("web"), "tcp", 8443, false}, // direction matters
		{seg("api"), seg("sg-0000000000000000d"), "tcp", 5432, true},
		{seg("db"), seg("api"), "tcp", 5432, false},
		{seg("web"), seg("sg-0000000000000000d"), "tcp", 5432, false}, // no transitivity in Allows
		{addr("10.1.200.1"), seg("api"), "udp", 53, true},
		{addr("10.2.0.1"), seg("api"), "udp", 53, false},
		{Endpoint{Segment: "db", Addr: netip.MustParseAddr("10.1.0.9")}, seg("api"), "udp", 53, true}, // a pod's address counts too
		{addr("203.0.113.9"), seg("web"), "tcp", 443, true},
		{seg("web"), addr("2001:db8::1"), "sctp", 9, true}, // all covers every protocol
		{seg("web"), addr("2001:db9::1"), "tcp", 9, false},
		{seg("sg-0000000000000000d"), seg("sg-0000000000000000d"), "icmp", 0, true},
		{seg("sg-0000000000000000d"), seg("sg-0000000000000000d"), "icmpv6", 0, false},
		{addr("192.0.2.1"), seg("api"), "tcp", 443, false}, // prefix list members are unknown here
	}
	for _, tt := range tests {
		if got := g.Allows(tt.from, tt.to, tt.protocol, tt.port); got != tt.want {
			t.Errorf("Allows(%v, %v, %s, %d) = %v, want %v", tt.from, tt.to, tt.protocol, tt.port, got, tt.want)
		}
	}

	var got []string
	for _, gr := range g.Reaching("api") {
		got = append(got, gr.String())
	}
	want := []string{
		"segment web -> segment api tcp [8443 9000-9100]",
		"10.1.0.0/16 -> segment api udp [53]",
		"prefix list pl-0123456789abcdef0 -> segment api tcp [443]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Reaching(api):\n%q\nwant\n%q", got, want)
	}
	if got := g.Upstream("sg-0000000000000000d"); !slices.Equal(got, []string{"api", "sg-0000000000000000d", "web"}) {
		t.Errorf("Upstream(db) = %v", got)
	}
	if got := g.Upstream("web"); len(got) != 0 {
		t.Errorf("Upstream(web) = %v", got)
	}
	if n := len(g.Grants()); n != 7 {
		t.Errorf("%d grants, want 7 (the bogus CIDR skipped)", n)
	}
}
