package model

import (
	"fmt"
	"math/big"
	"net/netip"
	"slices"
	"strings"
)

// Internet exposure is decided by how much public address space a set of
// sources covers, never by how a CIDR is spelled: 0.0.0.0/1 + 128.0.0.0/1,
// four /2s, ::/1 + 8000::/1 or ::ffff:0.0.0.0/96 are as open as 0.0.0.0/0.
//
// Public IPv4 is every address except these blocks, which cannot be the
// source of a connection arriving from the internet (IANA special-purpose
// registry, RFC 6890):
//
//	0.0.0.0/8       "this network"          RFC 791
//	10.0.0.0/8      private                 RFC 1918
//	100.64.0.0/10   carrier-grade NAT       RFC 6598
//	127.0.0.0/8     loopback                RFC 1122
//	169.254.0.0/16  link local              RFC 3927
//	172.16.0.0/12   private                 RFC 1918
//	192.168.0.0/16  private                 RFC 1918
//	224.0.0.0/4     multicast               RFC 5771
//	240.0.0.0/4     reserved, broadcast     RFC 1112, RFC 919
//
// Smaller special-purpose blocks (documentation 192.0.2.0/24 and friends,
// benchmarking 198.18.0.0/15, 192.0.0.0/24) count as public on purpose: the
// list of exclusions is what an attacker would hide behind, so it holds only
// the large blocks that are unambiguously unroutable, and counting a few
// hundred thousand odd addresses as public can only make the check stricter.
//
// Public IPv6 is 2000::/3, the only global-unicast space IANA allocates.
// Two IPv6 prefixes carry IPv4 addresses and are folded onto IPv4 before
// counting, so an IPv4 exposure cannot be spelled in IPv6:
// ::ffff:0:0/96 (IPv4-mapped, RFC 4291) and 64:ff9b::/96 (NAT64 well-known
// prefix, RFC 6052). An IPv6 prefix that contains either (::/1, ::/0)
// therefore covers all of IPv4 as well.
//
// Threshold. Sources are open to the internet when, counted without
// overlap, they cover at least
//
//	IPv4: 2^24 public addresses      (as many as one /8), or
//	IPv6: 2^117 addresses of 2000::/3 (1/256 of global unicast, as many as one /11).
//
// Why there: the largest allow-lists that are legitimately "somebody in
// particular" (a partner's ranges, a CDN's published ranges, a /16 campus)
// stay well below a /8, while anything at or above it is a slice of the
// internet at large, where an attacker can rent an address. The same
// fraction, 1/256 of the family's routable space, sets the IPv6 line. The
// rule is a plain count, so a reviewer can predict it: any mix of prefixes
// whose public part adds up to a /8 (IPv4) or a /11 (IPv6) is open.
const (
	InternetScaleIPv4Bits = 8  // a source set covering a /8 worth of public IPv4 is open
	InternetScaleIPv6Bits = 11 // a source set covering a /11 worth of 2000::/3 is open
)

var (
	nonPublicIPv4 = mustPrefixes("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4")
	publicIPv4   = complement(netip.MustParsePrefix("0.0.0.0/0"), nonPublicIPv4)
	publicIPv6   = []addrRange{rangeOf(netip.MustParsePrefix("2000::/3"))}
	ipv4InIPv6   = mustPrefixes("::ffff:0:0/96", "64:ff9b::/96")
	ipv4Internet = new(big.Int).Lsh(big.NewInt(1), 32-InternetScaleIPv4Bits)
	ipv6Internet = new(big.Int).Lsh(big.NewInt(1), 128-InternetScaleIPv6Bits)
	publicIPv4N  = size(publicIPv4)
	publicIPv6N  = size(publicIPv6)
)

// Exposure is how much public address space a set of sources covers.
type Exposure struct {
	IPv4 *big.Int // public IPv4 addresses, IPv4 carried in IPv6 included
	IPv6 *big.Int // addresses of 2000::/3
}

// Open reports whether the exposure reaches the internet-scale threshold in
// either family (see the threshold above).
func (e Exposure) Open() bool {
	return e.IPv4.Cmp(ipv4Internet) >= 0 || e.IPv6.Cmp(ipv6Internet) >= 0
}

// String says how much is covered, e.g.
// "100% of public IPv4 (3702258688 addresses), 0% of public IPv6".
func (e Exposure) String() string {
	return fmt.Sprintf("%s of public IPv4 (%s addresses), %s of public IPv6", percent(e.IPv4, publicIPv4N), e.IPv4, percent(e.IPv6, publicIPv6N))
}

func percent(n, of *big.Int) string {
	f, _ := new(big.Rat).SetFrac(new(big.Int).Mul(n, big.NewInt(100)), of).Float64()
	switch {
	case n.Sign() == 0:
		return "0%"
	case f < 0.01:
		return "<0.01%"
	}
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".") + "%"
}

// PublicExposure returns the public address space covered by the union of
// prefixes (overlaps counted once; IPv4-mapped and NAT64 IPv6 folded onto
// IPv4).
func PublicExposure(prefixes []netip.Prefix) Exposure {
	var v4, v6 []addrRange
	for _, p := range prefixes {
		p4, p6 := publicRanges(p)
		v4, v6 = append(v4, p4...), append(v6, p6...)
	}
	return Exposure{IPv4: size(merge(v4)), IPv6: size(merge(v6))}
}

// publicRanges returns the public IPv4 and IPv6 addresses of one prefix,
// IPv4 carried in IPv6 folded onto IPv4.
func publicRanges(p netip.Prefix) (v4, v6 []addrRange) {
	p = p.Masked()
	switch {
	case !p.IsValid():
		return nil, nil
	case p.Addr().Is4():
		return intersect([]addrRange{rangeOf(p)}, publicIPv4), nil
	}
	return intersect(merge(embeddedIPv4(p)), publicIPv4), intersect([]addrRange{rangeOf(p)}, publicIPv6)
}

// CIDRExposure is PublicExposure of one CIDR string; ok is false when it does
// not parse.
func CIDRExposure(cidr string) (e Exposure, ok bool) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return Exposure{IPv4: new(big.Int), IPv6: new(big.Int)}, false
	}
	return PublicExposure([]netip.Prefix{p}), true
}

// embeddedIPv4 returns the IPv4 addresses an IPv6 prefix carries inside the
// IPv4-mapped and NAT64 prefixes.
func embeddedIPv4(p netip.Prefix) []addrRange {
	var out []addrRange
	for _, e := range ipv4InIPv6 {
		switch {
		case p.Bits() <= e.Bits() && p.Contains(e.Addr()):
			out = append(out, rangeOf(netip.MustParsePrefix("0.0.0.0/0")))
		case p.Bits() > e.Bits() && e.Contains(p.Addr()):
			b := p.Addr().As16()
			out = append(out, rangeOf(netip.PrefixFrom(netip.AddrFrom4([4]byte(b[12:])), p.Bits()-96)))
		}
	}
	return out
}

// addrRange is an inclusive range of addresses of one family.
type addrRange struct{ lo, hi netip.Addr }

func rangeOf(p netip.Prefix) addrRange {
	p = p.Masked()
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	hi, _ := netip.AddrFromSlice(b)
	return addrRange{p.Addr(), hi}
}

// merge sorts ranges and joins overlapping and adjacent ones.
func merge(rs []addrRange) []addrRange {
	slices.SortFunc(rs, func(a, b addrRange) int { return a.lo.Compare(b.lo) })
	var out []addrRange
	for _, r := range rs {
		if n := len(out); n > 0 {
			last := &out[n-1]
			next := last.hi.Next() // invalid when last.hi is the family's last address
			if !next.IsValid() || r.lo.Compare(next) <= 0 {
				if r.hi.Compare(last.hi) > 0 {
					last.hi = r.hi
				}
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// intersect returns the parts of a that lie in b; both sorted and disjoint.
func intersect(a, b []addrRange) []addrRange {
	var out []addrRange
	for i, j := 0, 0; i < len(a) && j < len(b); {
		lo, hi := maxAddr(a[i].lo, b[j].lo), minAddr(a[i].hi, b[j].hi)
		if lo.Compare(hi) <= 0 {
			out = append(out, addrRange{lo, hi})
		}
		if a[i].hi.Compare(b[j].hi) < 0 {
			i++
		} else {
			j++
		}
	}
	return out
}

// complement returns the parts of whole not covered by holes, sorted.
func complement(whole netip.Prefix, holes []netip.Prefix) []addrRange {
	rs := make([]addrRange, len(holes))
	for i, h := range holes {
		rs[i] = rangeOf(h)
	}
	w := rangeOf(whole)
	var out []addrRange
	cur := w.lo
	for _, h := range merge(rs) {
		if cur.Compare(h.lo) < 0 {
			out = append(out, addrRange{cur, h.lo.Prev()})
		}
		if cur = h.hi.Next(); !cur.IsValid() {
			return out
		}
	}
	return append(out, addrRange{cur, w.hi})
}

func size(rs []addrRange) *big.Int {
	n := new(big.Int)
	for _, r := range rs {
		d := new(big.Int).Sub(new(big.Int).SetBytes(r.hi.AsSlice()), new(big.Int).SetBytes(r.lo.AsSlice()))
		n.Add(n, d.Add(d, big.NewInt(1)))
	}
	return n
}

func maxAddr(a, b netip.Addr) netip.Addr {
	if a.Compare(b) >= 0 {
		return a
	}
	return b
}

func minAddr(a, b netip.Addr) netip.Addr {
	if a.Compare(b) <= 0 {
		return a
	}
	return b
}

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// exposureMatters: deny by default keeps the internet out of confidential
// and restricted segments; public and internal ones may be reachable.
func exposureMatters(target Segment) bool {
	return SensitivityRank(target.Sensitivity) >= SensitivityRank("confidential")
}

// ValidateFlows is the one door for the flows of one governed segment: each
// flow is judged alone (Flow.Validate), then the flows that passed are
// judged together for internet exposure by coverage (ValidateExposure), so
// the internet written as a split into prefixes, or as mapped IPv6, is
// refused as the whole space is. Every caller that decides whether a set of
// flows may reach a segment — the resources at plan and apply, both
// compilers, a sensitivity raise, the reachability data source — goes
// through it. It returns the problems and the flows that passed alone.
func ValidateFlows(target Segment, flows []Flow) (Problems, []Flow) {
	var ps Problems
	valid := make([]Flow, 0, len(flows))
	for _, f := range flows {
		fp := f.Validate(target)
		ps.Append(fp)
		if !fp.HasErrors() {
			valid = append(valid, f)
		}
	}
	ps.Append(ValidateExposure(target, valid))
	return ps, valid
}

// ValidateExposure judges the inbound CIDR flows into a segment as a set, so
// that splitting the internet into prefixes each below the threshold (512
// /9s, a million /20s) does not route around the rule that Flow.Validate
// applies to each CIDR alone.
//
// The set is judged per service: for every protocol and port, the union of
// the CIDRs allowed there that are not open by themselves is computed; when
// that union is open, each of those flows is reported at its CIDR's path —
// an error, or a warning when the flow carries an acknowledgement. Flows
// whose CIDR is open by itself are left to Flow.Validate, which already
// reports them, and are not counted here: an acknowledged 0.0.0.0/0 on 443
// does not turn an office /24 on 22 into a finding, while 512 /9s on 22
// are one. Together the two checks guarantee that whenever the sources
// allowed on some port cover internet-scale public space, at least one of
// them is reported. A CIDR with no public address (10.0.0.0/8) is never
// part of an exposure. Prefix lists are not expanded (their entries are not
// known at plan time) and outbound flows are not judged.
func ValidateExposure(target Segment, flows []Flow) Problems {
	if !exposureMatters(target) {
		return nil
	}
	var sources []exposureSource
	for _, f := range flows {
		if f.Direction != Inbound || f.Peer.CIDR == "" {
			continue
		}
		p, err := netip.ParsePrefix(f.Peer.CIDR)
		if err != nil {
			continue // Flow.Validate reports it
		}
		switch e := PublicExposure([]netip.Prefix{p}); {
		case e.Open():
			continue // Flow.Validate reports it
		case e.IPv4.Sign() == 0 && e.IPv6.Sign() == 0:
			continue // private addresses add nothing to an exposure
		}
		sources = append(sources, exposureSource{flow: f, prefix: p, spans: spansOf(f)})
	}
	if len(sources) < 2 {
		return nil // one source is judged alone by Flow.Validate
	}
	found := openServices(sources)
	var ps Problems
	for i, s := range sources {
		o, ok := found[i]
		if !ok {
			continue
		}
		at := s.flow.PeerPath
		if at == nil {
			at = s.flow.Path
		}
		others := make([]string, 0, 3)
		for _, j := range o.members {
			if j != i && len(others) < cap(others) {
				others = append(others, sourceName(sources[j]))
			}
		}
		if rest := len(o.members) - 1 - len(others); rest > 0 {
			others = append(others, fmt.Sprintf("%d more", rest))
		}
		together := fmt.Sprintf("%s, together with %s, opens segment %q (sensitivity %s) to the internet on %s: the %d sources cover %s",
			s.flow.Peer.CIDR, strings.Join(others, ", "), target.Name, target.Sensitivity, o.service, len(o.members), o.exposure)
		if s.flow.Acknowledgement == "" {
			ps.Errorf(at, "Open internet into a "+target.Sensitivity+" segment (combined sources)",
				"%s. Deny by default: narrow the sources, or set acknowledgement on each of them to the reason this is acceptable.", together)
		} else {
			ps.Warnf(at, "Acknowledged: open internet into a "+target.Sensitivity+" segment (combined sources)",
				"%s; acknowledged because: %s", together, s.flow.Acknowledgement)
		}
	}
	return ps
}

type exposureSource struct {
	flow   Flow
	prefix netip.Prefix
	spans  []serviceSpan
}

func sourceName(s exposureSource) string {
	if s.flow.PeerPath != nil {
		return s.flow.Peer.CIDR + " (" + s.flow.PeerPath.String() + ")"
	}
	return s.flow.Peer.CIDR
}

// serviceSpan is a run of ports of one protocol; protocols without ports use
// port 0.
type serviceSpan struct {
	protocol string
	from, to int
}

// spansOf returns what a flow allows. "all" (and, conservatively, an unknown
// protocol, which Flow.Validate rejects anyway) allows every protocol.
func spansOf(f Flow) []serviceSpan {
	switch f.Protocol {
	case "tcp", "udp":
		var out []serviceSpan
		for _, r := range f.Ports {
			from, to := max(r.From, 0), min(r.To, 65535)
			if from <= to {
				out = append(out, serviceSpan{f.Protocol, from, to})
			}
		}
		return out
	case "icmp", "icmpv6":
		return []serviceSpan{{f.Protocol, 0, 0}}
	}
	return []serviceSpan{{"tcp", 0, 65535}, {"udp", 0, 65535}, {"icmp", 0, 0}, {"icmpv6", 0, 0}, {"other protocols", 0, 0}}
}

// openService is the first service at which a source takes part in an open
// union, with that union's members and coverage.
type openService struct {
	service  string
	members  []int
	exposure Exposure
}

// openServices finds, for each source, the first protocol and port range
// where the sources allowed there are open together. Ports are cut into
// elementary ranges at every span boundary, so each range has one fixed
// member set, whose union is measured by one sweep over the sources' public
// ranges, sorted once. When all sources together are not open, no subset
// is, and nothing is measured per range.
func openServices(sources []exposureSource) map[int]openService {
	var v4, v6 []sourceRange
	for i, s := range sources {
		p4, p6 := publicRanges(s.prefix)
		for _, r := range p4 {
			v4 = append(v4, sourceRange{r, i})
		}
		for _, r := range p6 {
			v6 = append(v6, sourceRange{r, i})
		}
	}
	all := make([]bool, len(sources))
	for i := range all {
		all[i] = true
	}
	var buf []addrRange
	if !unionExposure(v4, v6, all, &buf).Open() {
		return nil
	}
	byStart := func(a, b sourceRange) int { return a.r.lo.Compare(b.r.lo) }
	slices.SortFunc(v4, byStart)
	slices.SortFunc(v6, byStart)

	cuts := map[string][]int{}
	for _, s := range sources {
		for _, sp := range s.spans {
			cuts[sp.protocol] = append(cuts[sp.protocol], sp.from, sp.to+1)
		}
	}
	protocols := make([]string, 0, len(cuts))
	for p := range cuts {
		protocols = append(protocols, p)
	}
	slices.Sort(protocols)
	found := map[int]openService{}
	member := make([]bool, len(sources))
	for _, proto := range protocols {
		bounds := cuts[proto]
		slices.Sort(bounds)
		bounds = slices.Compact(bounds)
		for k := 0; k+1 < len(bounds); k++ {
			from, to := bounds[k], bounds[k+1]-1
			n := 0
			for i, s := range sources {
				member[i] = slices.ContainsFunc(s.spans, func(sp serviceSpan) bool { return sp.protocol == proto && sp.from <= from && from <= sp.to })
				if member[i] {
					n++
				}
			}
			if n < 2 {
				continue
			}
			e := unionExposure(v4, v6, member, &buf)
			if !e.Open() {
				continue
			}
			o := openService{service: serviceName(proto, from, to), exposure: e}
			for i := range sources {
				if member[i] {
					o.members = append(o.members, i)
				}
			}
			for _, i := range o.members {
				if _, seen := found[i]; !seen {
					found[i] = o
				}
			}
		}
	}
	return found
}

// sourceRange is a public address range of source src.
type sourceRange struct {
	r   addrRange
	src int
}

// unionExposure measures the union of the members' ranges. merge sorts
// what is picked; callers that measure many member sets sort v4 and v6 by
// start once, which makes that sort nearly linear. buf is scratch space.
func unionExposure(v4, v6 []sourceRange, member []bool, buf *[]addrRange) Exposure {
	pick := func(rs []sourceRange) []addrRange {
		*buf = (*buf)[:0]
		for _, r := range rs {
			if member[r.src] {
				*buf = append(*buf, r.r)
			}
		}
		return merge(*buf)
	}
	return Exposure{IPv4: size(pick(v4)), IPv6: size(pick(v6))}
}

func serviceName(protocol string, from, to int) string {
	switch {
	case protocol != "tcp" && protocol != "udp":
		return protocol
	case from == to:
		return fmt.Sprintf("%s port %d", protocol, from)
	}
	return fmt.Sprintf("%s ports %d-%d", protocol, from, to)
}
