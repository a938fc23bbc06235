package model

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
)

var restricted = Segment{Name: "payments", SecurityGroupID: "sg-0000000000000000a", Sensitivity: "restricted"}

// inboundFlows makes one tcp/443 inbound flow per CIDR, each at its own
// cidr_blocks path, as the provider expands an allow_from block.
func inboundFlows(cidrs ...string) []Flow {
	flows := make([]Flow, len(cidrs))
	for i, c := range cidrs {
		at := Root("allow_from").Index(0)
		flows[i] = Flow{Direction: Inbound, Peer: Peer{CIDR: c}, Protocol: "tcp", Ports: []PortRange{{443, 443}},
			Path: at, PeerPath: at.At("cidr_blocks").Index(i)}
	}
	return flows
}

// judge runs both exposure checks the security-group compiler runs: each
// flow alone, then the set.
func judge(target Segment, flows []Flow) Problems {
	var ps Problems
	for _, f := range flows {
		ps.Append(f.Validate(target))
	}
	ps.Append(ValidateExposure(target, flows))
	return ps
}

func prefixes(cidrs []string) []netip.Prefix {
	out := make([]netip.Prefix, len(cidrs))
	for i, c := range cidrs {
		out[i] = netip.MustParsePrefix(c)
	}
	return out
}

func publicSlash8s() []string {
	var out []string
	for i := 1; i < 224; i++ {
		if i != 10 && i != 100 && i != 127 {
			out = append(out, fmt.Sprintf("%d.0.0.0/8", i))
		}
	}
	return out
}

func TestExposureByCoverage(t *testing.T) {
	tests := []struct {
		name  string
		cidrs []string
		open  bool
	}{
		{"0.0.0.0/0", []string{"0.0.0.0/0"}, true},
		{"0.0.0.0/0 spelled with host bits", []string{"1.2.3.4/0"}, true},
		{"::/0", []string{"::/0"}, true},
		{"two /1s", []string{"0.0.0.0/1", "128.0.0.0/1"}, true},
		{"four /2s", []string{"0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"}, true},
		{"two IPv6 /1s", []string{"::/1", "8000::/1"}, true},
		{"IPv4-mapped IPv6 whole space", []string{"::ffff:0.0.0.0/96"}, true},
		{"NAT64 well-known prefix", []string{"64:ff9b::/96"}, true},
		{"IPv4-mapped half plus IPv4 half", []string{"::ffff:0.0.0.0/97", "128.0.0.0/1"}, true},
		{"global unicast", []string{"2000::/3"}, true},
		{"every public /8", publicSlash8s(), true},
		{"two public /9s reach the threshold", []string{"1.0.0.0/9", "1.128.0.0/9"}, true},
		{"two IPv6 /12s reach the threshold", []string{"2400::/12", "2410::/12"}, true},
		{"public /9 and /10 stay below", []string{"1.0.0.0/9", "2.0.0.0/10"}, false},
		{"overlap counted once", []string{"1.0.0.0/9", "1.0.0.0/10", "1.64.0.0/10"}, false},
		{"100.0.0.0/8 less carrier-grade NAT stays below", []string{"100.0.0.0/8"}, false},
		{"IPv6 /12 alone stays below", []string{"2400::/12"}, false},
		{"private only", []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16"}, false},
		{"multicast and reserved", []string{"224.0.0.0/3", "0.0.0.0/8"}, false},
		{"IPv6 non-global", []string{"fc00::/7", "fe80::/10", "::1/128", "ff00::/8"}, false},
		{"IPv4-mapped private", []string{"::ffff:10.0.0.0/104", "::ffff:192.168.0.0/112"}, false},
		{"documentation ranges", []string{"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PublicExposure(prefixes(tt.cidrs)); got.Open() != tt.open {
				t.Fatalf("PublicExposure(%v) = %s, open %v; want open %v", tt.cidrs, got, got.Open(), tt.open)
			}
			ps := judge(restricted, inboundFlows(tt.cidrs...))
			if ps.HasErrors() != tt.open {
				t.Fatalf("flow set %v: errors %v, want %v: %v", tt.cidrs, ps.HasErrors(), tt.open, ps)
			}
			if !tt.open && len(ps) > 0 {
				t.Fatalf("closed set reported %v", ps)
			}
			// The same set into an internal segment is allowed.
			if ps := judge(Segment{Name: "web", Sensitivity: "internal"}, inboundFlows(tt.cidrs...)); len(ps) > 0 {
				t.Fatalf("internal segment: %v", ps)
			}
		})
	}
}

func TestExposureCountsExactly(t *testing.T) {
	e := PublicExposure(prefixes([]string{"0.0.0.0/0"}))
	// 2^32 less 0/8, 10/8, 127/8 (3·2^24), 100.64/10 (2^22), 169.254/16,
	// 172.16/12, 192.168/16 and 224/3 (multicast + reserved, 2^29).
	want := int64(1<<32 - 3<<24 - 1<<22 - 1<<16 - 1<<20 - 1<<16 - 1<<29)
	if e.IPv4.Int64() != want || e.IPv6.Sign() != 0 {
		t.Fatalf("0.0.0.0/0 covers %s, want %d public IPv4 and no IPv6", e, want)
	}
	if got := e.String(); got != fmt.Sprintf("100%% of public IPv4 (%d addresses), 0%% of public IPv6", want) {
		t.Fatalf("String() = %q", got)
	}
	if e := PublicExposure(prefixes([]string{"::/0"})); e.IPv4.Int64() != want || e.IPv6.BitLen() != 126 {
		t.Fatalf("::/0 covers %s; want all public IPv4 (folded) and 2^125 IPv6", e)
	}
}

func TestIsOpenInternet(t *testing.T) {
	for cidr, want := range map[string]bool{
		"0.0.0.0/0": true, "::/0": true, "1.2.3.4/0": true, "0.0.0.0/1": true, "::ffff:0.0.0.0/96": true, "2000::/3": true,
		"8.0.0.0/8": true, "8.0.0.0/9": false, "10.0.0.0/8": false, "203.0.113.7/32": false, "not a cidr": false, "": false,
	} {
		if got := IsOpenInternet(cidr); got != want {
			t.Errorf("IsOpenInternet(%q) = %v, want %v", cidr, got, want)
		}
	}
}

func TestValidateExposureReportsEachContributingCIDR(t *testing.T) {
	flows := inboundFlows("1.0.0.0/9", "1.128.0.0/9", "10.0.0.0/8", "2.0.0.0/10")
	flows[1].Acknowledgement = "partner range, SEC-7"
	ps := ValidateExposure(restricted, flows)
	got := map[string]Severity{}
	for _, p := range ps {
		got[p.Path.String()] = p.Severity
	}
	want := map[string]Severity{
		"allow_from[0].cidr_blocks[0]": Error,
		"allow_from[0].cidr_blocks[1]": Warning, // acknowledged
		"allow_from[0].cidr_blocks[3]": Error,   // public, so part of the union
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v\nwant %v\n%v", got, want, ps)
	}
	d := ps[0].Detail
	for _, s := range []string{"1.0.0.0/9", "1.128.0.0/9 (allow_from[0].cidr_blocks[1])", "tcp port 443", "restricted", "acknowledgement"} {
		if !strings.Contains(d, s) {
			t.Errorf("detail %q lacks %q", d, s)
		}
	}
}

func TestValidateExposureIsPerService(t *testing.T) {
	a, b := inboundFlows("1.0.0.0/9")[0], inboundFlows("1.128.0.0/9")[0]
	b.PeerPath = Root("allow_from").Index(1).At("cidr_blocks").Index(0)
	b.Ports = []PortRange{{22, 22}}
	if ps := ValidateExposure(restricted, []Flow{a, b}); len(ps) != 0 {
		t.Fatalf("halves on different ports reported: %v", ps)
	}
	b.Ports = []PortRange{{400, 500}}
	if ps := ValidateExposure(restricted, []Flow{a, b}); len(ps) != 2 || !strings.Contains(ps[0].Detail, "tcp port 443") {
		t.Fatalf("overlapping port ranges: %v", ps)
	}
	b.Protocol, b.Ports = "all", nil
	if ps := ValidateExposure(restricted, []Flow{a, b}); len(ps) != 2 {
		t.Fatalf("protocol all covers tcp/443: %v", ps)
	}
	b.Direction = Outbound
	if ps := ValidateExposure(restricted, []Flow{a, b}); len(ps) != 0 {
		t.Fatalf("outbound flow counted: %v", ps)
	}
}

func TestAcknowledgedOpenFlowDoesNotTaintOthers(t *testing.T) {
	flows := inboundFlows("0.0.0.0/0", "198.51.100.0/24")
	flows[0].Acknowledgement = "public checkout page behind WAF"
	flows[1].Ports = []PortRange{{22, 22}}
	ps := judge(restricted, flows)
	if len(ps) != 1 || ps[0].Severity != Warning || ps[0].Path.String() != "allow_from[0].cidr_blocks[0]" {
		t.Fatalf("want one warning on the acknowledged flow, got %v", ps)
	}
}

// splitRandomly cuts a prefix into disjoint prefixes that exactly cover it:
// every part at least minBits long, and each part split further at random
// (probability 1/3, at most 6 more bits), so parts have mixed sizes.
func splitRandomly(rng *rand.Rand, p netip.Prefix, minBits int) []string {
	if p.Bits() >= p.Addr().BitLen() || (p.Bits() >= minBits && (p.Bits() >= minBits+6 || rng.IntN(3) != 0)) {
		return []string{p.String()}
	}
	lo := netip.PrefixFrom(p.Addr(), p.Bits()+1)
	hi := netip.PrefixFrom(rangeOf(p).hi, p.Bits()+1).Masked()
	return append(splitRandomly(rng, lo, minBits), splitRandomly(rng, hi, minBits)...)
}

// TestPropertySplitsOfTheInternetAreAlwaysOpen: however the internet is cut
// into prefixes — some open by themselves, or every one below the threshold
// so that only the union is open — and in whatever order, the flow set is
// reported.
func TestPropertySplitsOfTheInternetAreAlwaysOpen(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	wholes := []struct {
		cidr     string
		maxSplit int // splitting every part to this length leaves each below the threshold
	}{{"0.0.0.0/0", 9}, {"::/0", 12}, {"2000::/3", 12}, {"::ffff:0.0.0.0/96", 105}}
	for iter := 0; iter < 80; iter++ {
		w := wholes[iter%len(wholes)]
		whole := netip.MustParsePrefix(w.cidr)
		cidrs := splitRandomly(rng, whole, whole.Bits()+1+rng.IntN(w.maxSplit-whole.Bits()))
		rng.Shuffle(len(cidrs), func(i, j int) { cidrs[i], cidrs[j] = cidrs[j], cidrs[i] })
		flows := inboundFlows(cidrs...)
		for i := range flows {
			if rng.IntN(2) == 0 { // extra ports must not hide the shared one
				flows[i].Ports = append(flows[i].Ports, PortRange{1000 + rng.IntN(100), 1100 + rng.IntN(100)})
			}
		}
		if ps := judge(restricted, flows); !ps.HasErrors() {
			t.Fatalf("split of %s into %d prefixes not reported: %v", w.cidr, len(cidrs), cidrs)
		}
	}
}

func TestPropertyPrivateSetsAreNeverOpen(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	private := prefixes([]string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"})
	for iter := 0; iter < 500; iter++ {
		var cidrs []string
		for i := 0; i < 1+rng.IntN(50); i++ {
			base := private[rng.IntN(len(private))]
			b := base.Addr().As4()
			for k := base.Bits() / 8; k < 4; k++ {
				b[k] |= byte(rng.IntN(256)) & byte(0xff>>max(0, base.Bits()-8*k))
			}
			p := netip.PrefixFrom(netip.AddrFrom4(b), base.Bits()+rng.IntN(33-base.Bits())).Masked()
			if rng.IntN(4) == 0 { // the same block written IPv4-mapped
				p = netip.PrefixFrom(netip.AddrFrom16(p.Addr().As16()), p.Bits()+96)
			}
			cidrs = append(cidrs, p.String())
		}
		if e := PublicExposure(prefixes(cidrs)); e.IPv4.Sign() != 0 || e.IPv6.Sign() != 0 {
			t.Fatalf("private set %v covers public space: %s", cidrs, e)
		}
		if ps := judge(restricted, inboundFlows(cidrs...)); len(ps) > 0 {
			t.Fatalf("private set %v reported: %v", cidrs, ps)
		}
	}
}

// BenchmarkValidateExposure: every flow a different public prefix on a
// different, overlapping port range, so each elementary range has its own
// member set. With /20s the whole set stays below the threshold (the
// common case, decided by one measurement); with /16s every range is open
// (the worst case: one sweep per elementary range).
func BenchmarkValidateExposure(b *testing.B) {
	for _, bits := range []int{20, 16} {
		for _, n := range []int{60, 1000} {
			flows := make([]Flow, n)
			for i := range flows {
				flows[i] = inboundFlows(fmt.Sprintf("%d.%d.0.0/%d", 1+i/200, i%200, bits))[0]
				flows[i].Ports = []PortRange{{1000 + i, 2000 + i}}
			}
			b.Run(fmt.Sprintf("/%d×%d", bits, n), func(b *testing.B) {
				for b.Loop() {
					ValidateExposure(restricted, flows)
				}
			})
		}
	}
}

func TestValidateFlowsJudgesEachThenTheSet(t *testing.T) {
	// Two halves of a /8, also written IPv4-mapped: each passes alone, the
	// set is internet-scale.
	for _, cidrs := range [][]string{{"1.0.0.0/9", "1.128.0.0/9"}, {"::ffff:1.0.0.0/105", "::ffff:1.128.0.0/105"}} {
		ps, valid := ValidateFlows(restricted, inboundFlows(cidrs...))
		if len(valid) != 2 {
			t.Fatalf("%v: %d flows passed alone, want 2: %v", cidrs, len(valid), ps)
		}
		if !ps.HasErrors() {
			t.Errorf("%v into a restricted segment: no error", cidrs)
		}
	}
	// A flow refused alone is not passed on, nor counted in the set.
	bad := inboundFlows("0.0.0.0/0", "10.0.0.0/8")
	ps, valid := ValidateFlows(restricted, bad)
	if len(valid) != 1 || valid[0].Peer.CIDR != "10.0.0.0/8" {
		t.Fatalf("valid = %v, want only 10.0.0.0/8", valid)
	}
	if len(ps) != 1 || ps[0].Summary != "Open internet into a restricted segment" {
		t.Fatalf("problems = %v, want the open flow alone", ps)
	}
	// A private set into a restricted segment is fine.
	if ps, valid := ValidateFlows(restricted, inboundFlows("10.0.0.0/9", "10.128.0.0/9")); len(ps) != 0 || len(valid) != 2 {
		t.Fatalf("private halves: %v %v", ps, valid)
	}
}
