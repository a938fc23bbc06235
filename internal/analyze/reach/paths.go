package reach

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Pair is one cell of the segment × segment matrix: everything a declared
// flow lets From open to To on one protocol, all flows merged.
type Pair struct {
	From, To Side
	Protocol string
	Ports    []model.PortRange // tcp and udp only; sorted, merged
}

// PortStrings renders the ports as configuration spells them ("443",
// "8000-8100").
func (p Pair) PortStrings() []string {
	out := make([]string, 0, len(p.Ports))
	for _, r := range p.Ports {
		if r.From == r.To {
			out = append(out, strconv.Itoa(r.From))
		} else {
			out = append(out, strconv.Itoa(r.From)+"-"+strconv.Itoa(r.To))
		}
	}
	return out
}

// Matrix merges the grants per (from, to, protocol): two flows that both
// allow web -> api on tcp become one cell with the union of their ports,
// so a reader sees each pair once. Order is the grants' canonical order
// (destination, source, protocol).
func (g *Graph) Matrix() []Pair {
	var out []Pair
	for _, gr := range g.grants {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if compareSides(last.From, gr.From) == 0 && compareSides(last.To, gr.To) == 0 && last.Protocol == gr.Protocol {
				last.Ports = model.MergePortRanges(append(last.Ports, gr.Ports...))
				continue
			}
		}
		out = append(out, Pair{From: gr.From, To: gr.To, Protocol: gr.Protocol, Ports: slices.Clone(gr.Ports)})
	}
	return out
}

// Route is one way into a sensitive segment: Nodes[0] is where it starts
// (a segment id, a CIDR block or a prefix list id) and every following node
// is a segment reached from the one before through a declared grant on some
// protocol. Into is the last node.
type Route struct {
	Nodes       []string
	Into        string
	Sensitivity string // of Into
	// FromCIDR: Nodes[0] is a CIDR block; FromInternet: one covering the
	// whole address space (0.0.0.0/0 or ::/0).
	FromCIDR, FromInternet bool
}

// Hops is the number of grants the route crosses.
func (r Route) Hops() int { return len(r.Nodes) - 1 }

func (r Route) String() string { return strings.Join(r.Nodes, " -> ") }

// RouteOptions bound the enumeration. The number of simple paths grows
// exponentially with the graph's density, so both bounds are needed to keep
// a plan fast on a large, well-connected declaration.
type RouteOptions struct {
	// MinSensitivity: only segments at least this sensitive are targets
	// (default confidential).
	MinSensitivity string
	// MaxHops bounds a route's length (default 6).
	MaxHops int
	// MaxRoutes stops the enumeration after this many routes (default 1000);
	// Routes then reports truncated.
	MaxRoutes int
}

// Routes enumerates every simple route (no node visited twice, which is how
// cycles are handled: a route never loops) of 1..MaxHops grants that ends
// in a segment at least MinSensitivity sensitive, starting from any segment
// or CIDR/prefix-list source. Every suffix of a route is a route too: each
// is a distinct foothold from which the target is reachable. sensitivity
// maps segment ids to their sensitivity; segments missing from it are not
// targets. Routes are sorted by target, hop count, then node names; truncated
// is true when MaxRoutes cut the enumeration short (the result is then the
// routes of the targets visited first, in that order, and is still
// deterministic).
func (g *Graph) Routes(sensitivity map[string]string, opts RouteOptions) (routes []Route, truncated bool) {
	if opts.MinSensitivity == "" {
		opts.MinSensitivity = "confidential"
	}
	if opts.MaxHops <= 0 {
		opts.MaxHops = 6
	}
	if opts.MaxRoutes <= 0 {
		opts.MaxRoutes = 1000
	}
	floor := model.SensitivityRank(opts.MinSensitivity)
	var targets []string
	for id, s := range sensitivity {
		if r := model.SensitivityRank(s); r >= 0 && r >= floor {
			targets = append(targets, id)
		}
	}
	slices.Sort(targets)

	// preds[x] are the distinct sources of grants into segment x, in
	// canonical order; several grants (protocols, flows) between the same
	// pair are one edge for routing.
	preds := func(to string) []Side {
		var out []Side
		for _, j := range g.byTo[to] {
			from := g.grants[j].From
			if !slices.ContainsFunc(out, func(s Side) bool { return compareSides(s, from) == 0 }) {
				out = append(out, from)
			}
		}
		return out
	}

	for _, target := range targets {
		var found []Route
		// Walk backwards from the target; rev holds the nodes from the target
		// outwards, onPath guards against revisiting (cycles).
		rev := []string{target}
		onPath := map[string]bool{target: true}
		var walk func(at string) bool
		walk = func(at string) bool {
			if len(rev)-1 >= opts.MaxHops {
				return true
			}
			for _, src := range preds(at) {
				if len(routes)+len(found) >= opts.MaxRoutes {
					truncated = true
					return false
				}
				name := sideName(src)
				if onPath[name] {
					continue
				}
				route := Route{Nodes: make([]string, 0, len(rev)+1), Into: target, Sensitivity: sensitivity[target]}
				route.Nodes = append(route.Nodes, name)
				for i := len(rev) - 1; i >= 0; i-- {
					route.Nodes = append(route.Nodes, rev[i])
				}
				if src.CIDR.IsValid() {
					route.FromCIDR = true
					route.FromInternet = src.CIDR.Bits() == 0
				}
				found = append(found, route)
				if src.Segment == "" {
					continue // CIDR blocks and prefix lists are only ever a start
				}
				rev = append(rev, name)
				onPath[name] = true
				ok := walk(name)
				rev = rev[:len(rev)-1]
				delete(onPath, name)
				if !ok {
					return false
				}
			}
			return true
		}
		ok := walk(target)
		slices.SortFunc(found, func(a, b Route) int {
			return cmp.Or(cmp.Compare(a.Hops(), b.Hops()), slices.Compare(a.Nodes, b.Nodes))
		})
		routes = append(routes, found...)
		if !ok {
			break
		}
	}
	return routes, truncated
}

// sideName names a route's node: segment id, canonical CIDR, prefix list id.
func sideName(s Side) string {
	switch {
	case s.Segment != "":
		return s.Segment
	case s.CIDR.IsValid():
		return s.CIDR.String()
	}
	return s.PrefixList
}
