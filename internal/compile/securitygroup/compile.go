// Package securitygroup compiles a segment's allowed flows into the EC2
// security-group rules that implement them: normalized (canonical CIDRs,
// merged port ranges, no duplicates), deterministic in order, within quota,
// and with both halves of every segment-to-segment flow. It does no I/O.
package securitygroup

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// DefaultMaxRulesPerDirection is the AWS default quota of inbound (and of
// outbound) rules per security group.
const DefaultMaxRulesPerDirection = 60

// maxDescription is EC2's limit on a rule description.
const maxDescription = 255

// Rule is one security-group rule. Exactly one of CIDRv4, CIDRv6,
// PrefixListID and ReferencedGroupID is set. Protocol is EC2's IpProtocol:
// tcp, udp, icmp, 58 (ICMPv6) or -1 (all); ports are -1 where EC2 has none.
type Rule struct {
	GroupID           string
	Egress            bool
	Protocol          string
	FromPort, ToPort  int32
	CIDRv4, CIDRv6    string
	PrefixListID      string
	ReferencedGroupID string
	Description       string
}

// Key identifies a rule by what it allows (description excluded).
func (r Rule) Key() string {
	return strings.Join([]string{r.GroupID, Direction(r.Egress), r.Protocol, strconv.Itoa(int(r.FromPort)), strconv.Itoa(int(r.ToPort)),
		r.CIDRv4, r.CIDRv6, r.PrefixListID, r.ReferencedGroupID}, "|")
}

// peerKey identifies what a rule's ports may be merged across.
func (r Rule) peerKey() string {
	return strings.Join([]string{r.GroupID, Direction(r.Egress), r.Protocol, r.CIDRv4, r.CIDRv6, r.PrefixListID, r.ReferencedGroupID}, "|")
}

// Direction names a rule direction as EC2 and the plan write it.
func Direction(egress bool) string {
	if egress {
		return "egress"
	}
	return "ingress"
}

// ModelProtocol maps EC2's IpProtocol back to the configuration's protocol
// name (the inverse of the mapping Compile applies).
func ModelProtocol(ec2Protocol string) string {
	switch ec2Protocol {
	case "-1":
		return "all"
	case "58":
		return "icmpv6"
	default:
		return ec2Protocol
	}
}

// Options tune compilation.
type Options struct {
	// MaxRulesPerDirection is the quota per group and direction (0 = default 60).
	MaxRulesPerDirection int
	// QuotaPath is where a quota problem is reported.
	QuotaPath model.Path
}

// Compile turns the flows of one governed segment into rules. Inbound flows
// become ingress rules on the segment's group, outbound flows egress rules;
// a flow whose peer is another segment also yields the mirrored rule on the
// peer's group (egress for an inbound flow, ingress for an outbound one),
// because with deny-by-default groups both halves are needed. Problems name
// the offending flow; no rules are returned when there is an error.
func Compile(target model.Segment, flows []model.Flow, opts Options) ([]Rule, model.Problems) {
	if opts.MaxRulesPerDirection <= 0 {
		opts.MaxRulesPerDirection = DefaultMaxRulesPerDirection
	}
	raw := make([]Rule, 0, 2*len(flows))
	// Each flow is judged alone, then the set for internet exposure, so
	// splitting 0.0.0.0/0 into many prefixes does not get through.
	problems, valid := model.ValidateFlows(target, flows)
	for _, f := range valid {
		if f.Peer.Segment != nil && f.Peer.Segment.SecurityGroupID == "" {
			problems.Errorf(f.PeerPath, "Segment without a security group",
				"segment %q has no security group, so an EC2 rule cannot reference it", f.Peer.Segment.Name)
			continue
		}
		if f.Peer.Segment != nil && f.Peer.Segment.Foreign {
			problems.Warnf(f.PeerPath, "Peer not managed by this provider",
				"security group %s is not a zerotrust_segment, so only this segment's half of the flow is written; the peer's own rules are left to its owner", f.Peer.Segment.SecurityGroupID)
		}
		raw = append(raw, rulesFor(target.SecurityGroupID, f)...)
	}
	if problems.HasErrors() {
		return nil, problems
	}
	rules := normalize(raw)
	problems.Append(checkQuota(rules, opts))
	if problems.HasErrors() {
		return nil, problems
	}
	return rules, problems
}

func rulesFor(groupID string, f model.Flow) []Rule {
	protocol, ranges := ec2Protocol(f.Protocol, f.Ports)
	base := Rule{GroupID: groupID, Egress: f.Direction == model.Outbound, Protocol: protocol, Description: f.Description}
	switch {
	case f.Peer.CIDR != "":
		cidr, _ := model.CanonicalCIDR(f.Peer.CIDR) // validated above
		if strings.Contains(cidr, ":") {
			base.CIDRv6 = cidr
		} else {
			base.CIDRv4 = cidr
		}
	case f.Peer.PrefixListID != "":
		base.PrefixListID = f.Peer.PrefixListID
	case f.Peer.Segment != nil:
		base.ReferencedGroupID = f.Peer.Segment.SecurityGroupID
	}
	out := make([]Rule, 0, 2*len(ranges))
	for _, pr := range ranges {
		r := base
		r.FromPort, r.ToPort = pr[0], pr[1]
		out = append(out, r)
		if r.ReferencedGroupID != "" && !f.Peer.Segment.Foreign {
			m := r
			m.GroupID, m.ReferencedGroupID, m.Egress = r.ReferencedGroupID, groupID, !r.Egress
			out = append(out, m)
		}
	}
	return out
}

// ec2Protocol maps a model protocol and ports to EC2's protocol and port pairs.
func ec2Protocol(protocol string, ports []model.PortRange) (string, [][2]int32) {
	switch protocol {
	case "tcp", "udp":
		out := make([][2]int32, len(ports))
		for i, p := range ports {
			out[i] = [2]int32{int32(p.From), int32(p.To)}
		}
		return protocol, out
	case "icmp":
		return "icmp", [][2]int32{{-1, -1}}
	case "icmpv6":
		return "58", [][2]int32{{-1, -1}}
	default: // all
		return "-1", [][2]int32{{-1, -1}}
	}
}

// normalize merges overlapping and adjacent port ranges per peer, removes
// duplicates, and sorts canonically. Descriptions of merged rules are joined.
// One keyed sort puts each peer's rules side by side in canonical order, so a
// single linear pass merges them: no per-peer maps or slices.
func normalize(rules []Rule) []Rule {
	keyed := sortKeyed(rules)
	out := make([]Rule, 0, len(rules))
	for i := 0; i < len(keyed); {
		j := i + 1
		for j < len(keyed) && keyed[j].key == keyed[i].key {
			j++
		}
		out = mergePeer(out, keyed[i:j])
		i = j
	}
	return out
}

// mergePeer appends the merged rules of one peer (sorted by ports).
func mergePeer(out []Rule, rs []keyedRule) []Rule {
	cur := rs[0].rule
	descs := descriptionSet{}
	descs.add(cur.Description)
	for _, kr := range rs[1:] {
		r := kr.rule
		if cur.FromPort >= 0 && r.FromPort <= cur.ToPort+1 {
			if r.ToPort > cur.ToPort {
				cur.ToPort = r.ToPort
			}
			descs.add(r.Description)
			continue
		}
		if cur.FromPort < 0 { // icmp / all: a single rule per peer
			descs.add(r.Description)
			continue
		}
		cur.Description = descs.String()
		out = append(out, cur)
		cur, descs = r, descriptionSet{}
		descs.add(r.Description)
	}
	cur.Description = descs.String()
	return append(out, cur)
}

type descriptionSet []string

func (d *descriptionSet) add(s string) {
	if s == "" {
		return
	}
	for _, v := range *d {
		if v == s {
			return
		}
	}
	*d = append(*d, s)
}

func (d descriptionSet) String() string {
	sorted := append([]string(nil), d...)
	sort.Strings(sorted)
	s := strings.Join(sorted, "; ")
	if len(s) > maxDescription {
		s = s[:maxDescription]
	}
	return s
}

// Sort orders rules canonically: group, direction, protocol, peer, then
// ports numerically.
func Sort(rules []Rule) {
	for i, kr := range sortKeyed(rules) {
		rules[i] = kr.rule
	}
}

// sortKeyed returns the rules in canonical order with their peer keys, each
// key built once rather than on every comparison. The sort moves small
// (key, ports, index) entries, not whole rules.
func sortKeyed(rules []Rule) []keyedRule {
	entries := make([]sortEntry, len(rules))
	for i, r := range rules {
		entries[i] = sortEntry{key: r.peerKey(), from: r.FromPort, to: r.ToPort, index: int32(i)}
	}
	// pdqsort (O(n log n)); the index breaks ties, so the order is total and
	// deterministic without the O(n log² n) of a stable sort.
	slices.SortFunc(entries, func(a, b sortEntry) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		if c := cmp.Compare(a.from, b.from); c != 0 {
			return c
		}
		if c := cmp.Compare(a.to, b.to); c != 0 {
			return c
		}
		return cmp.Compare(a.index, b.index)
	})
	keyed := make([]keyedRule, len(rules))
	for i, e := range entries {
		keyed[i] = keyedRule{key: e.key, rule: rules[e.index]}
	}
	return keyed
}

type sortEntry struct {
	key      string
	from, to int32
	index    int32
}

type keyedRule struct {
	key  string
	rule Rule
}

func checkQuota(rules []Rule, opts Options) model.Problems {
	counts := map[string]int{}
	for _, r := range rules {
		counts[r.GroupID+" "+Direction(r.Egress)]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var ps model.Problems
	for _, k := range keys {
		if n := counts[k]; n > opts.MaxRulesPerDirection {
			group, dir, _ := strings.Cut(k, " ")
			ps.Errorf(opts.QuotaPath, "Security group rule quota exceeded",
				"the flows compile to %d %s rules on security group %s, over the quota of %d per group and direction; "+
					"merge port ranges, use a prefix list for many CIDRs, or raise max_rules_per_direction after raising the AWS quota",
				n, dir, group, opts.MaxRulesPerDirection)
		}
	}
	return ps
}

// String renders a rule for messages and examples.
func (r Rule) String() string {
	peer := r.CIDRv4 + r.CIDRv6 + r.PrefixListID + r.ReferencedGroupID
	ports := fmt.Sprintf("%d-%d", r.FromPort, r.ToPort)
	if r.FromPort < 0 {
		ports = "all"
	}
	return fmt.Sprintf("%s %s %s %s %s", r.GroupID, Direction(r.Egress), r.Protocol, ports, peer)
}
