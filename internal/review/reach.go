package review

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze/reach"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// ReachChange is a cell of the reachability matrix (from, to, protocol)
// whose ports the change opens (Gained) or closes.
type ReachChange struct {
	From, To reach.Side
	Protocol string
	Ports    []model.PortRange // tcp and udp; nil for a protocol without ports
	Gained   bool
	// ToSensitivity is the destination segment's sensitivity ("" for a
	// CIDR block or a segment the plan does not declare).
	ToSensitivity string
}

// RouteChange is a route into a confidential or restricted segment that
// the change opens (Gained) or closes: every hop is a declared grant.
type RouteChange struct {
	Route  reach.Route
	Gained bool
}

// Exposure is an internet-facing flow the change adds: sources whose
// addresses cover internet-scale public space (decided by coverage, as the
// provider's plan-time check does, not by spelling).
type Exposure struct {
	Address       string // the policy or set declaring it
	To            string // segment id
	ToSensitivity string
	Sources       []string // the CIDR blocks
	Coverage      string   // e.g. "100% of public IPv4 (…), 0% of public IPv6"
	Protocol      string
	Ports         []model.PortRange
	// Acknowledgement is the reason configuration gives for it ("" when
	// none: then the destination is public or internal).
	Acknowledgement string
}

// Acknowledgement is a reason, new or changed in this change, for accepting
// what the provider would otherwise refuse (an internet flow into a
// sensitive segment, an access rule below its surface's floor,
// over-privilege).
type Acknowledgement struct {
	Address  string
	Subject  string // what it acknowledges, e.g. "access_rule \"break-glass\""
	Reason   string
	Previous string // the reason before; "" when new
}

// network is the segments and flows on one side of the change.
type network struct {
	sensitivity map[string]string // segment id -> sensitivity
	policies    []reach.Policy
	// flows records each declared flow with its declaring resource, for
	// exposure and acknowledgements.
	flows []declaredFlow
}

type declaredFlow struct {
	address string
	segment string // the governed segment id
	flow    model.Flow
}

// segmentIndex maps segment ids to the segments' names and sensitivities on
// one side (before: prior state; after: planned values). canonical maps
// every id a segment is known by (its id, its security group's id) to its
// id, so a flow naming a created segment by its group id meets the policy
// that names it by its segment id in one node.
func segmentIndex(p *Plan, after bool) (names, sensitivity, canonical map[string]string) {
	names, sensitivity, canonical = map[string]string{}, map[string]string{}, map[string]string{}
	for _, r := range p.ByType("zerotrust_segment") {
		obj := r.Before
		if after {
			obj = r.After
		}
		if obj == nil {
			continue
		}
		id, ok := str(obj, "id")
		if !ok || id == "" {
			continue
		}
		name, _ := str(obj, "name")
		sens, ok := str(obj, "sensitivity")
		if !ok || sens == "" {
			sens = model.DefaultSensitivity
		}
		names[id], sensitivity[id], canonical[id] = name, sens, id
		if sg, ok := str(obj, "security_group_id"); ok && sg != "" && sg != id {
			names[sg], canonical[sg] = name, id
		}
	}
	return names, sensitivity, canonical
}

// policyBlocks lists the (segment, flow blocks) a policy resource declares:
// one for zerotrust_segment_policy, one per policy block of a set.
func policyBlocks(r Resource, obj map[string]any) ([]map[string]any, bool) {
	if r.Type == "zerotrust_segment_policy" {
		return []map[string]any{obj}, true
	}
	return objects(obj, "policy")
}

// flowsOf reads one policy block's flows; unknown lists what the plan
// leaves unknown.
func flowsOf(block map[string]any, at string) (segment string, flows []model.Flow, unknown []string) {
	segment, ok := str(block, "segment")
	if !ok {
		unknown = append(unknown, at+"segment")
	}
	for _, dir := range []struct {
		attr string
		dir  model.FlowDirection
	}{{"allow_from", model.Inbound}, {"allow_to", model.Outbound}} {
		blocks, ok := objects(block, dir.attr)
		if !ok {
			unknown = append(unknown, at+dir.attr)
		}
		for i, b := range blocks {
			bat := fmt.Sprintf("%s%s[%d]", at, dir.attr, i)
			base := model.Flow{Direction: dir.dir, Path: model.Root(dir.attr).Index(i)}
			var ok bool
			base.Protocol, ok = str(b, "protocol")
			if !ok {
				unknown = append(unknown, bat+".protocol")
			}
			if base.Protocol == "" {
				base.Protocol = "tcp"
			}
			base.Acknowledgement, _ = str(b, "acknowledgement")
			ports, ok := strs(b, "ports")
			if !ok {
				unknown = append(unknown, bat+".ports")
			}
			for _, spec := range ports {
				if pr, err := model.ParsePortSpec(spec); err == nil {
					base.Ports = append(base.Ports, pr)
				}
			}
			peer, ok := str(b, "segment")
			if !ok {
				unknown = append(unknown, bat+".segment")
			} else if peer != "" {
				f := base
				f.Peer = model.Peer{Segment: &model.Segment{Name: peer}}
				flows = append(flows, f)
			}
			for _, list := range []struct {
				attr string
				set  func(*model.Flow, string)
			}{{"cidr_blocks", func(f *model.Flow, v string) { f.Peer.CIDR = v }}, {"prefix_list_ids", func(f *model.Flow, v string) { f.Peer.PrefixListID = v }}} {
				vals, ok := strs(b, list.attr)
				if !ok {
					unknown = append(unknown, bat+"."+list.attr)
				}
				for _, v := range vals {
					f := base
					list.set(&f, v)
					flows = append(flows, f)
				}
			}
		}
	}
	return segment, flows, unknown
}

// buildNetwork assembles one side's flows; resources in skip are left out
// (their effect is undecided).
func buildNetwork(p *Plan, after bool, skip map[string]bool) network {
	_, sens, canonical := segmentIndex(p, after)
	n := network{sensitivity: sens}
	canon := func(id string) string {
		if c, ok := canonical[id]; ok {
			return c
		}
		return id
	}
	for _, r := range p.Resources {
		if r.Type != "zerotrust_segment_policy" && r.Type != "zerotrust_segment_policy_set" || skip[r.Address] {
			continue
		}
		obj := r.Before
		if after {
			obj = r.After
		}
		if obj == nil {
			continue
		}
		blocks, _ := policyBlocks(r, obj)
		for _, b := range blocks {
			seg, flows, _ := flowsOf(b, "")
			if seg == "" {
				continue
			}
			seg = canon(seg)
			for i := range flows {
				if flows[i].Peer.Segment != nil {
					flows[i].Peer.Segment.Name = canon(flows[i].Peer.Segment.Name)
				}
			}
			// A set's deprecated segment_sensitivity, when stricter, is how
			// the provider judges the segment's flows.
			if declared, _ := str(b, "segment_sensitivity"); model.SensitivityRank(declared) > model.SensitivityRank(sens[seg]) {
				sens[seg] = declared
			}
			s := model.Segment{Name: seg, Sensitivity: sens[seg]}
			n.policies = append(n.policies, reach.Policy{Segment: s, Flows: flows})
			for _, f := range flows {
				n.flows = append(n.flows, declaredFlow{address: r.Address, segment: seg, flow: f})
			}
		}
	}
	return n
}

// undecidedPolicies lists the policies and sets whose planned flows are not
// all known.
func undecidedPolicies(p *Plan) (map[string]bool, []Undecided) {
	skip := map[string]bool{}
	var out []Undecided
	for _, r := range p.Resources {
		if r.Type != "zerotrust_segment_policy" && r.Type != "zerotrust_segment_policy_set" || r.After == nil {
			continue
		}
		var unknown []string
		blocks, ok := policyBlocks(r, r.After)
		if !ok {
			unknown = append(unknown, "policy")
		}
		for i, b := range blocks {
			at := ""
			if r.Type == "zerotrust_segment_policy_set" {
				at = fmt.Sprintf("policy[%d].", i)
			}
			_, _, u := flowsOf(b, at)
			unknown = append(unknown, u...)
		}
		if len(unknown) > 0 {
			skip[r.Address] = true
			out = append(out, Undecided{Address: r.Address, Reason: "reachability through it cannot be computed until apply (left out before and after): unknown " + strings.Join(unknown, ", ")})
		}
	}
	return skip, out
}

// diffReach compares the reachability matrices and the routes into
// sensitive segments of two networks.
func diffReach(before, after network) (cells []ReachChange, routes []RouteChange) {
	gb, ga := reach.NewGraph(before.policies), reach.NewGraph(after.policies)
	type cellKey struct{ from, to, protocol string }
	index := func(g *reach.Graph) (map[cellKey]reach.Pair, []cellKey) {
		m := map[cellKey]reach.Pair{}
		var order []cellKey
		for _, p := range g.Matrix() {
			k := cellKey{p.From.String(), p.To.String(), p.Protocol}
			m[k] = p
			order = append(order, k)
		}
		return m, order
	}
	mb, ob := index(gb)
	ma, oa := index(ga)
	sensOf := func(s reach.Side, n network) string {
		if s.Segment == "" {
			return ""
		}
		return n.sensitivity[s.Segment]
	}
	// only lists, in order, the cells of x with the ports y lacks: gained
	// when x is after and y before, lost the other way round.
	only := func(x map[cellKey]reach.Pair, order []cellKey, y map[cellKey]reach.Pair, gained bool, n network) {
		for _, k := range order {
			a := x[k]
			ports := a.Ports
			if b, had := y[k]; had {
				if len(a.Ports) == 0 {
					continue
				}
				if ports = subtractPorts(a.Ports, b.Ports); len(ports) == 0 {
					continue
				}
			}
			cells = append(cells, ReachChange{From: a.From, To: a.To, Protocol: a.Protocol, Ports: ports, Gained: gained, ToSensitivity: sensOf(a.To, n)})
		}
	}
	only(ma, oa, mb, true, after)
	only(mb, ob, ma, false, before)

	opts := reach.RouteOptions{MinSensitivity: "confidential"}
	rb, _ := gb.Routes(before.sensitivity, opts)
	ra, _ := ga.Routes(after.sensitivity, opts)
	had := map[string]bool{}
	for _, r := range rb {
		had[r.String()] = true
	}
	has := map[string]bool{}
	for _, r := range ra {
		has[r.String()] = true
		if !had[r.String()] {
			routes = append(routes, RouteChange{Route: r, Gained: true})
		}
	}
	for _, r := range rb {
		if !has[r.String()] {
			routes = append(routes, RouteChange{Route: r})
		}
	}
	return cells, routes
}

// subtractPorts is the ports of a not in b (both sorted and merged).
func subtractPorts(a, b []model.PortRange) []model.PortRange {
	var out []model.PortRange
	for _, r := range a {
		cur := []model.PortRange{r}
		for _, s := range b {
			var next []model.PortRange
			for _, c := range cur {
				if s.To < c.From || s.From > c.To {
					next = append(next, c)
					continue
				}
				if s.From > c.From {
					next = append(next, model.PortRange{From: c.From, To: s.From - 1})
				}
				if s.To < c.To {
					next = append(next, model.PortRange{From: s.To + 1, To: c.To})
				}
			}
			cur = next
		}
		out = append(out, cur...)
	}
	return out
}

// diffExposure finds the inbound CIDR flows of after that open a segment
// to the internet and were not declared before: each source that covers
// internet-scale space alone, and the sources into a segment that together
// first do so.
func diffExposure(before, after network) []Exposure {
	key := func(d declaredFlow) string {
		return d.segment + "\x00" + d.flow.Peer.CIDR + "\x00" + d.flow.Protocol + "\x00" + fmt.Sprint(model.MergePortRanges(d.flow.Ports))
	}
	had := map[string]bool{}
	sourcesBefore := map[string][]netip.Prefix{}
	for _, d := range before.flows {
		if d.flow.Direction == model.Inbound && d.flow.Peer.CIDR != "" {
			had[key(d)] = true
			if p, err := netip.ParsePrefix(d.flow.Peer.CIDR); err == nil {
				sourcesBefore[d.segment] = append(sourcesBefore[d.segment], p)
			}
		}
	}
	var out []Exposure
	sourcesAfter := map[string][]netip.Prefix{}
	addrOf := map[string]string{}
	var segments []string
	for _, d := range after.flows {
		if d.flow.Direction != model.Inbound || d.flow.Peer.CIDR == "" {
			continue
		}
		p, err := netip.ParsePrefix(d.flow.Peer.CIDR)
		if err != nil {
			continue
		}
		if _, seen := sourcesAfter[d.segment]; !seen {
			segments = append(segments, d.segment)
		}
		sourcesAfter[d.segment] = append(sourcesAfter[d.segment], p)
		addrOf[d.segment] = d.address
		if had[key(d)] || !model.IsOpenInternet(d.flow.Peer.CIDR) {
			continue
		}
		e, _ := model.CIDRExposure(d.flow.Peer.CIDR)
		out = append(out, Exposure{Address: d.address, To: d.segment, ToSensitivity: after.sensitivity[d.segment], Sources: []string{p.Masked().String()},
			Coverage: e.String(), Protocol: d.flow.Protocol, Ports: model.MergePortRanges(d.flow.Ports), Acknowledgement: d.flow.Acknowledgement})
	}
	for _, seg := range segments {
		ea, eb := model.PublicExposure(sourcesAfter[seg]), model.PublicExposure(sourcesBefore[seg])
		if !ea.Open() || eb.Open() || slices.ContainsFunc(out, func(e Exposure) bool { return e.To == seg }) {
			continue
		}
		var srcs []string
		for _, p := range sourcesAfter[seg] {
			srcs = append(srcs, p.Masked().String())
		}
		slices.Sort(srcs)
		out = append(out, Exposure{Address: addrOf[seg], To: seg, ToSensitivity: after.sensitivity[seg], Sources: slices.Compact(srcs), Coverage: ea.String() + " (together)"})
	}
	return out
}

// flowAcknowledgements lists the acknowledgements of after's flows that are
// new or changed.
func flowAcknowledgements(before, after network) []Acknowledgement {
	key := func(d declaredFlow) string {
		return d.address + "\x00" + d.segment + "\x00" + string(d.flow.Direction) + "\x00" + peerName(d.flow.Peer) + "\x00" + d.flow.Protocol
	}
	prev := map[string]string{}
	for _, d := range before.flows {
		if d.flow.Acknowledgement != "" {
			prev[key(d)] = d.flow.Acknowledgement
		}
	}
	var out []Acknowledgement
	seen := map[string]bool{}
	for _, d := range after.flows {
		k := key(d)
		if d.flow.Acknowledgement == "" || prev[k] == d.flow.Acknowledgement || seen[k] {
			continue
		}
		seen[k] = true
		arrow := peerName(d.flow.Peer) + " -> " + d.segment
		if d.flow.Direction == model.Outbound {
			arrow = d.segment + " -> " + peerName(d.flow.Peer)
		}
		out = append(out, Acknowledgement{Address: d.address, Subject: "flow " + arrow + " " + d.flow.Protocol + " " + portsString(model.MergePortRanges(d.flow.Ports)), Reason: d.flow.Acknowledgement, Previous: prev[k]})
	}
	return out
}

func peerName(p model.Peer) string {
	switch {
	case p.Segment != nil:
		return p.Segment.Name
	case p.CIDR != "":
		if c, err := model.CanonicalCIDR(p.CIDR); err == nil {
			return c
		}
		return p.CIDR
	}
	return p.PrefixListID
}

func portsString(ps []model.PortRange) string {
	if len(ps) == 0 {
		return ""
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}
