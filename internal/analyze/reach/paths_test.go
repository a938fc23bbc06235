package reach

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

func routeStrings(rs []Route) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmt.Sprintf("%s (%d, into %s %s, internet=%v)", r, r.Hops(), r.Into, r.Sensitivity, r.FromInternet)
	}
	return out
}

// A three-tier shop with a cycle (web <-> api) and a back door from the
// internet into api: every route into db is found, none loops.
func TestRoutes_threeTierWithCycle(t *testing.T) {
	web, api, db := segment("web"), segment("api"), segment("db")
	g := NewGraph([]Policy{
		{Segment: web, Flows: []model.Flow{
			flow(model.Inbound, model.Peer{CIDR: "0.0.0.0/0"}, "tcp", ports(443, 443)),
			flow(model.Inbound, model.Peer{Segment: &api}, "tcp", ports(8080, 8080)), // api -> web: the cycle
		}},
		{Segment: api, Flows: []model.Flow{
			flow(model.Inbound, model.Peer{Segment: &web}, "tcp", ports(8443, 8443)),
			flow(model.Inbound, model.Peer{Segment: &web}, "udp", ports(53, 53)), // same pair, one edge
			flow(model.Inbound, model.Peer{CIDR: "10.9.0.0/16"}, "tcp", ports(22, 22)),
		}},
		{Segment: db, Flows: []model.Flow{
			flow(model.Inbound, model.Peer{Segment: &api}, "tcp", ports(5432, 5432)),
		}},
	})
	sens := map[string]string{"web": "public", "api": "internal", "db": "restricted"}
	routes, truncated := g.Routes(sens, RouteOptions{})
	if truncated {
		t.Fatal("truncated without reaching the bound")
	}
	want := []string{
		"api -> db (1, into db restricted, internet=false)",
		"10.9.0.0/16 -> api -> db (2, into db restricted, internet=false)",
		"web -> api -> db (2, into db restricted, internet=false)",
		"0.0.0.0/0 -> web -> api -> db (3, into db restricted, internet=true)",
	}
	if got := routeStrings(routes); !slices.Equal(got, want) {
		t.Errorf("routes:\n got %q\nwant %q", got, want)
	}
}

// Confidential targets count by default; raising MinSensitivity drops them.
func TestRoutes_minSensitivity(t *testing.T) {
	a, b, c := segment("a"), segment("b"), segment("c")
	g := NewGraph([]Policy{
		{Segment: b, Flows: []model.Flow{flow(model.Inbound, model.Peer{Segment: &a}, "all")}},
		{Segment: c, Flows: []model.Flow{flow(model.Outbound, model.Peer{Segment: &b}, "icmp")}}, // c -> b
	})
	sens := map[string]string{"a": "internal", "b": "confidential", "c": "public"}
	got, _ := g.Routes(sens, RouteOptions{})
	if want := []string{"a -> b", "c -> b"}; !slices.Equal(nodes(got), want) {
		t.Errorf("default: got %q, want %q", nodes(got), want)
	}
	got, _ = g.Routes(sens, RouteOptions{MinSensitivity: "restricted"})
	if len(got) != 0 {
		t.Errorf("restricted only: got %q, want none", nodes(got))
	}
}

func nodes(rs []Route) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

// A complete graph of n segments has a factorial number of simple paths; the
// bounds keep the enumeration finite and say so.
func TestRoutes_bounds(t *testing.T) {
	const n = 9
	segs := make([]model.Segment, n)
	for i := range segs {
		segs[i] = segment(fmt.Sprintf("s%d", i))
	}
	var policies []Policy
	for i := range segs {
		p := Policy{Segment: segs[i]}
		for j := range segs {
			if i != j {
				p.Flows = append(p.Flows, flow(model.Inbound, model.Peer{Segment: &segs[j]}, "tcp", ports(443, 443)))
			}
		}
		policies = append(policies, p)
	}
	g := NewGraph(policies)
	sens := map[string]string{"s0": "restricted"}

	routes, truncated := g.Routes(sens, RouteOptions{MaxHops: 2, MaxRoutes: 1_000_000})
	// 8 direct sources + 8*7 two-hop routes.
	if truncated || len(routes) != 8+8*7 {
		t.Fatalf("MaxHops 2: %d routes (truncated %v), want 64", len(routes), truncated)
	}
	for _, r := range routes {
		if r.Hops() > 2 || r.Into != "s0" {
			t.Fatalf("route %s breaks the bound", r)
		}
		seen := map[string]bool{}
		for _, node := range r.Nodes {
			if seen[node] {
				t.Fatalf("route %s repeats %s", r, node)
			}
			seen[node] = true
		}
	}

	routes, truncated = g.Routes(sens, RouteOptions{MaxRoutes: 100})
	if !truncated || len(routes) != 100 {
		t.Fatalf("MaxRoutes 100: %d routes (truncated %v)", len(routes), truncated)
	}
}

// A self-loop (a segment allowing itself) is no route.
func TestRoutes_selfLoop(t *testing.T) {
	db := segment("db")
	g := NewGraph([]Policy{{Segment: db, Flows: []model.Flow{flow(model.Inbound, model.Peer{Segment: &db}, "tcp", ports(5432, 5432))}}})
	if got, _ := g.Routes(map[string]string{"db": "restricted"}, RouteOptions{}); len(got) != 0 {
		t.Errorf("got %q, want none", nodes(got))
	}
}

func TestMatrix_mergesFlowsPerPair(t *testing.T) {
	web, api := segment("web"), segment("api")
	g := NewGraph([]Policy{
		{Segment: api, Flows: []model.Flow{
			flow(model.Inbound, model.Peer{Segment: &web}, "tcp", ports(8443, 8443)),
			flow(model.Inbound, model.Peer{Segment: &web}, "tcp", ports(8000, 8100), ports(8444, 8444)),
			flow(model.Inbound, model.Peer{Segment: &web}, "udp", ports(53, 53)),
		}},
		{Segment: web, Flows: []model.Flow{flow(model.Outbound, model.Peer{Segment: &api}, "tcp", ports(9000, 9000))}},
	})
	var got []string
	for _, p := range g.Matrix() {
		got = append(got, fmt.Sprintf("%s>%s %s %s", sideName(p.From), sideName(p.To), p.Protocol, strings.Join(p.PortStrings(), ",")))
	}
	want := []string{"web>api tcp 8000-8100,8443-8444,9000", "web>api udp 53"}
	if !slices.Equal(got, want) {
		t.Errorf("matrix: got %q, want %q", got, want)
	}
}
