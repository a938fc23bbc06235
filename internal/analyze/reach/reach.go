// Package reach answers reachability questions about a zero-trust model.
//
// Graph works at the model level: given governed segments and their flows,
// may A open a connection to B on a protocol and port, and what can reach X
// (directly, or through a chain of segments). Evaluator works on compiled
// Kubernetes NetworkPolicies with the API's semantics, so tests can prove
// that what was compiled allows exactly what was declared.
//
// The package is pure: no I/O, no API clients.
package reach

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// SegmentID identifies a segment in this package: its security group id, or
// its name when it has none.
func SegmentID(s model.Segment) string {
	if s.SecurityGroupID != "" {
		return s.SecurityGroupID
	}
	return s.Name
}

// Endpoint is one end of a connection to ask about: a member of a segment,
// an address, or both (a pod of a segment with its address).
type Endpoint struct {
	Segment string     // SegmentID, or empty
	Addr    netip.Addr // optional
}

// Side is one end of a declared grant; exactly one field is set.
type Side struct {
	Segment    string
	CIDR       netip.Prefix
	PrefixList string // members unknown to this package; never matches an Endpoint
}

func (s Side) String() string {
	switch {
	case s.Segment != "":
		return "segment " + s.Segment
	case s.CIDR.IsValid():
		return s.CIDR.String()
	default:
		return "prefix list " + s.PrefixList
	}
}

// Contains reports whether e is on this side: a member of the segment, or
// an address inside the CIDR block.
func (s Side) Contains(e Endpoint) bool {
	switch {
	case s.Segment != "":
		return e.Segment == s.Segment
	case s.CIDR.IsValid():
		return e.Addr.IsValid() && s.CIDR.Contains(e.Addr.Unmap())
	default:
		return false
	}
}

// Grant is one declared permission: From may open connections to To.
type Grant struct {
	From, To Side
	Protocol string            // tcp | udp | icmp | icmpv6 | all
	Ports    []model.PortRange // tcp and udp only; sorted, merged
	Path     model.Path        // the flow that declared it
}

func (g Grant) String() string {
	return fmt.Sprintf("%s -> %s %s %v", g.From, g.To, g.Protocol, g.Ports)
}

// Matches reports whether the grant covers protocol and port. "all" covers
// every protocol; icmp and icmpv6 ignore the port.
func (g Grant) Matches(protocol string, port int) bool {
	switch {
	case g.Protocol == "all":
		return true
	case g.Protocol != protocol:
		return false
	case protocol == "tcp" || protocol == "udp":
		for _, r := range g.Ports {
			if port >= r.From && port <= r.To {
				return true
			}
		}
		return false
	default:
		return true
	}
}

// Policy is one governed segment and its flows, as the compilers take them.
type Policy struct {
	Segment model.Segment
	Flows   []model.Flow
}

// Graph is the declared reachability of a set of policies. A flow declared
// by either end's policy grants the connection (as the compilers write both
// halves of a segment-to-segment flow).
type Graph struct {
	grants []Grant
	byTo   map[string][]int // segment id -> grants whose To is that segment
}

// NewGraph builds the graph. Flows are taken as valid (run the model's and
// the compilers' validation first); a flow with an unknown protocol or
// without a peer is skipped, a CIDR is canonicalized.
func NewGraph(policies []Policy) *Graph {
	g := &Graph{byTo: map[string][]int{}}
	for _, p := range policies {
		self := Side{Segment: SegmentID(p.Segment)}
		for _, f := range p.Flows {
			peer, ok := peerSide(f.Peer)
			if !ok {
				continue
			}
			switch f.Protocol {
			case "tcp", "udp", "icmp", "icmpv6", "all":
			default:
				continue
			}
			gr := Grant{From: peer, To: self, Protocol: f.Protocol, Path: f.Path}
			if f.Direction == model.Outbound {
				gr.From, gr.To = self, peer
			}
			if f.Protocol == "tcp" || f.Protocol == "udp" {
				gr.Ports = model.MergePortRanges(f.Ports)
			}
			g.grants = append(g.grants, gr)
		}
	}
	slices.SortStableFunc(g.grants, compareGrants)
	for i, gr := range g.grants {
		if gr.To.Segment != "" {
			g.byTo[gr.To.Segment] = append(g.byTo[gr.To.Segment], i)
		}
	}
	return g
}

func peerSide(p model.Peer) (Side, bool) {
	switch {
	case p.Segment != nil:
		return Side{Segment: SegmentID(*p.Segment)}, true
	case p.CIDR != "":
		pre, err := netip.ParsePrefix(p.CIDR)
		if err != nil {
			return Side{}, false
		}
		return Side{CIDR: pre.Masked()}, true
	case p.PrefixListID != "":
		return Side{PrefixList: p.PrefixListID}, true
	}
	return Side{}, false
}

func (s Side) kind() int {
	switch {
	case s.Segment != "":
		return 0
	case s.CIDR.IsValid():
		return 1
	default:
		return 2
	}
}

// compareSides orders segments (by id), then CIDR blocks (IPv4 first, by
// address and length), then prefix lists.
func compareSides(a, b Side) int {
	return cmp.Or(cmp.Compare(a.kind(), b.kind()), cmp.Compare(a.Segment, b.Segment), a.CIDR.Addr().Compare(b.CIDR.Addr()), cmp.Compare(a.CIDR.Bits(), b.CIDR.Bits()), cmp.Compare(a.PrefixList, b.PrefixList))
}

func compareGrants(a, b Grant) int {
	if c := cmp.Or(compareSides(a.To, b.To), compareSides(a.From, b.From), cmp.Compare(a.Protocol, b.Protocol)); c != 0 {
		return c
	}
	return slices.CompareFunc(a.Ports, b.Ports, func(x, y model.PortRange) int { return cmp.Or(cmp.Compare(x.From, y.From), cmp.Compare(x.To, y.To)) })
}

// Grants returns every grant, ordered by destination, source, protocol, ports.
func (g *Graph) Grants() []Grant { return slices.Clone(g.grants) }

// Allows reports whether a declared flow lets from open a connection to to
// on protocol (tcp, udp, icmp, icmpv6; any other protocol only under "all")
// and port.
func (g *Graph) Allows(from, to Endpoint, protocol string, port int) bool {
	for _, gr := range g.grants {
		if gr.From.Contains(from) && gr.To.Contains(to) && gr.Matches(protocol, port) {
			return true
		}
	}
	return false
}

// Reaching answers "what can reach segment to": the grants into it, in
// canonical order.
func (g *Graph) Reaching(to string) []Grant {
	idx := g.byTo[to]
	out := make([]Grant, len(idx))
	for i, j := range idx {
		out[i] = g.grants[j]
	}
	return out
}

// Upstream returns, sorted, every segment from which segment to can be
// reached through one or more segment-to-segment grants on any protocol:
// the segments an attacker could move laterally from. to itself is included
// only when it lies on a cycle.
func (g *Graph) Upstream(to string) []string {
	seen := map[string]bool{}
	queue := []string{to}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, j := range g.byTo[cur] {
			if src := g.grants[j].From.Segment; src != "" && !seen[src] {
				seen[src] = true
				queue = append(queue, src)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}
