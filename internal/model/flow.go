package model

import (
	"cmp"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Segment is a set of workloads that share a trust level: on AWS a security
// group, on Kubernetes a namespace and pod selector.
type Segment struct {
	Name string
	// SecurityGroupID is empty for a segment placed only in Kubernetes.
	SecurityGroupID string
	Sensitivity     string // public | internal | confidential | restricted
	// VPCID is the VPC of the segment's security group; empty when not
	// known (a segment placed only in Kubernetes, or an adopted group before
	// it is read).
	VPCID      string
	Kubernetes *KubernetesSelector
	// Exclusive: the segment's owner refuses policies and sets of other
	// configurations over it (governing it, or naming it as a peer).
	Exclusive bool
	// Foreign marks a security group the provider does not manage (no
	// segment created or adopted it): flows may name it as a peer, but its
	// own rules are its owner's, so it receives none.
	Foreign bool
	// Refused, when set, says why the segment as read may not place a
	// policy's pods (a Kubernetes-only segment whose registry record is not
	// trusted: see reconcile/kube's SegmentRecord.Refusal). A policy naming
	// it is refused with this text.
	Refused string
}

// ID is the segment's id: its security group id, or for a segment placed
// only in Kubernetes, k8s/<namespace>/<name>.
func (s Segment) ID() string {
	if s.SecurityGroupID == "" && s.Kubernetes != nil {
		return KubernetesSegmentID(s.Kubernetes.Namespace, s.Name)
	}
	return s.SecurityGroupID
}

// KubernetesSelector places a segment's pods.
type KubernetesSelector struct {
	Namespace      string
	PodLabels      map[string]string
	ServiceAccount string
	// DenyDNS: the segment's pods get no egress to cluster DNS from the
	// policies placing them (a property of the segment, so every policy
	// agrees). The zero value allows it.
	DenyDNS bool
}

// FlowDirection says which side of the governed segment the peer is on.
type FlowDirection string

const (
	Inbound  FlowDirection = "inbound"  // peer -> segment
	Outbound FlowDirection = "outbound" // segment -> peer
)

// Peer is the other end of a flow: exactly one field is set. A segment peer
// carries the whole segment (its security group, sensitivity and placement),
// so every compiler and check reads the same facts.
type Peer struct {
	Segment      *Segment
	CIDR         string
	PrefixListID string
}

// HTTPMatch restricts a flow's requests by method (ORed) and path (ORed);
// both present means both must match. Empty fields do not restrict. Only a
// tcp flow between segments can carry one (enforced by a service mesh).
type HTTPMatch struct {
	Methods []string
	Paths   []string
}

// PortRange is an inclusive range; From == To for a single port.
type PortRange struct{ From, To int }

// String renders a range as configuration writes it: "443" or "8000-8080".
func (r PortRange) String() string {
	if r.From == r.To {
		return strconv.Itoa(r.From)
	}
	return strconv.Itoa(r.From) + "-" + strconv.Itoa(r.To)
}

// ParsePortSpec reads a port ("443") or an inclusive range ("8000-8080").
// It checks syntax only (digits, one dash); Flow.Validate checks the values,
// so the schema validator, the expander and the compilers share one parser.
func ParsePortSpec(s string) (PortRange, error) {
	from, to, isRange := strings.Cut(s, "-")
	a, errA := strconv.Atoi(from)
	b, errB := a, error(nil)
	if isRange {
		b, errB = strconv.Atoi(to)
	}
	if errA != nil || errB != nil || strings.HasPrefix(from, "+") || strings.HasPrefix(to, "+") {
		return PortRange{}, fmt.Errorf("must be a port (\"443\") or an inclusive range (\"8000-8080\") between 0 and 65535, got %q", s)
	}
	return PortRange{From: a, To: b}, nil
}

// MergePortRanges sorts ranges and merges overlapping and adjacent ones.
func MergePortRanges(rs []PortRange) []PortRange {
	return MergePortRangesInPlace(slices.Clone(rs))
}

// MergePortRangesInPlace is MergePortRanges writing over rs, for a caller
// that owns it: the merged ranges are a prefix of rs.
func MergePortRangesInPlace(rs []PortRange) []PortRange {
	slices.SortFunc(rs, func(a, b PortRange) int { return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To)) })
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && r.From <= out[n-1].To+1 {
			out[n-1].To = max(out[n-1].To, r.To)
			continue
		}
		out = append(out, r)
	}
	return out
}

// Flow is one allowed connection between the governed segment and a peer.
type Flow struct {
	Direction       FlowDirection
	Peer            Peer
	Protocol        string // tcp | udp | icmp | icmpv6 | all
	Ports           []PortRange
	Description     string
	Acknowledgement string // reason an otherwise refused flow is accepted
	// HTTP narrows a flow between segments to methods and paths where a
	// service mesh enforces it; nil means any request.
	HTTP *HTTPMatch
	// Path locates the flow in configuration (e.g. allow_from[2]) for diagnostics.
	Path Path
	// PeerPath locates the peer attribute (e.g. allow_from[2].cidr_blocks[0]).
	PeerPath Path
}

// Identifier syntax shared by the schema validators and the model.
var (
	PrefixListIDPattern    = regexp.MustCompile(`^pl-[0-9a-f]{8,17}$`)
	SecurityGroupIDPattern = regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`)
	// KubernetesSegmentIDPattern is the id of a segment placed only in
	// Kubernetes: k8s/<namespace>/<segment name>.
	KubernetesSegmentIDPattern = regexp.MustCompile(`^k8s/[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	// AWSSegmentIDPattern is the id of a segment whose security group the
	// provider creates: sg/<vpc id>/<segment name>, known before the group
	// exists.
	AWSSegmentIDPattern = regexp.MustCompile(`^sg/vpc-[0-9a-f]{8,17}/[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	// SegmentIDPattern accepts every form of segment id: a created
	// segment's, a security group id (an adopted segment, or any group as a
	// peer) and a Kubernetes-only segment's.
	SegmentIDPattern = regexp.MustCompile(AWSSegmentIDPattern.String() + "|" + SecurityGroupIDPattern.String() + "|" + KubernetesSegmentIDPattern.String())
)

// AWSSegmentID is the id of a segment whose security group the provider
// creates in vpc: derived from what the configuration writes, so it is known
// at plan, before the group (and its cloud-assigned id) exists.
func AWSSegmentID(vpc, name string) string { return "sg/" + vpc + "/" + name }

// ParseAWSSegmentID splits a created segment's id; ok is false for any other
// form.
func ParseAWSSegmentID(id string) (vpc, name string, ok bool) {
	if !AWSSegmentIDPattern.MatchString(id) {
		return "", "", false
	}
	vpc, name, _ = strings.Cut(strings.TrimPrefix(id, "sg/"), "/")
	return vpc, name, true
}

// KubernetesSegmentID is the id of a segment placed only in Kubernetes.
func KubernetesSegmentID(namespace, name string) string { return "k8s/" + namespace + "/" + name }

// ParseKubernetesSegmentID splits a Kubernetes-only segment id; ok is false
// for any other id (a security group id).
func ParseKubernetesSegmentID(id string) (namespace, name string, ok bool) {
	if !KubernetesSegmentIDPattern.MatchString(id) {
		return "", "", false
	}
	namespace, name, _ = strings.Cut(strings.TrimPrefix(id, "k8s/"), "/")
	return namespace, name, true
}

// MaxRuleDescriptionLength is EC2's limit on a security-group rule description.
const MaxRuleDescriptionLength = 255

// ruleDescriptionChar is the character set EC2 documents for a
// security-group rule description (IpRange, Ipv6Range, PrefixListId and
// UserIdGroupPair Description): "a-z, A-Z, 0-9, spaces, and
// ._-:/()#,@[]+=&;{}!$*". Anything else — non-ASCII, quotes, NUL, line
// breaks — passes plan and fails AuthorizeSecurityGroupIngress.
func ruleDescriptionChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte(" ._-:/()#,@[]+=&;{}!$*", c) >= 0
}

func checkRuleDescription(flow Path, d string) Problems {
	var ps Problems
	if len(d) > MaxRuleDescriptionLength {
		ps.Errorf(flow.At("description"), "Description too long", "a security-group rule description is at most %d characters; this one has %d bytes", MaxRuleDescriptionLength, len(d))
	}
	for i := 0; i < len(d); i++ {
		if !ruleDescriptionChar(d[i]) {
			r, _ := utf8.DecodeRuneInString(d[i:])
			ps.Errorf(flow.At("description"), "Unsupported character in description",
				"EC2 accepts only letters a-z and A-Z, digits, spaces and ._-:/()#,@[]+=&;{}!$* in a rule description; found %q (%U) at byte %d", r, r, i)
			break
		}
	}
	return ps
}

// Sensitivities in increasing order.
var Sensitivities = []string{"public", "internal", "confidential", "restricted"}

// DefaultSensitivity is what a segment or surface is when none is declared.
const DefaultSensitivity = "internal"

// SensitivityRank orders sensitivities; -1 for an unknown one.
func SensitivityRank(s string) int {
	for i, v := range Sensitivities {
		if v == s {
			return i
		}
	}
	return -1
}

// IsOpenInternet reports whether one CIDR by itself covers internet-scale
// public address space (see PublicExposure and the threshold in
// exposure.go): 0.0.0.0/0 and ::/0 however spelled, but also 0.0.0.0/1,
// 2000::/3 or ::ffff:0.0.0.0/96. A set of narrower CIDRs can be open
// together; ValidateExposure judges the set.
func IsOpenInternet(cidr string) bool {
	e, ok := CIDRExposure(cidr)
	return ok && e.Open()
}

// CanonicalCIDR parses a CIDR and returns its masked, canonical form
// (10.1.2.3/8 -> 10.0.0.0/8, 2001:DB8::/32 -> 2001:db8::/32).
func CanonicalCIDR(s string) (string, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a CIDR block (e.g. 10.0.0.0/8 or 2001:db8::/32)", s)
	}
	return p.Masked().String(), nil
}

// Validate checks one flow against its governed segment: protocol and port
// semantics, peer syntax, and the deny-by-default rule that the open internet
// may not reach a confidential or restricted segment unless acknowledged.
func (f Flow) Validate(target Segment) Problems {
	var ps Problems
	switch f.Protocol {
	case "tcp", "udp":
		if len(f.Ports) == 0 {
			ps.Errorf(f.Path.At("ports"), "Ports required", "a %s flow must list its ports; to allow every port write \"0-65535\" explicitly", f.Protocol)
		}
	case "icmp", "icmpv6", "all":
		if len(f.Ports) > 0 {
			ps.Errorf(f.Path.At("ports"), "Ports not allowed", "a %s flow has no ports; remove ports or use tcp/udp", f.Protocol)
		}
	default:
		ps.Errorf(f.Path.At("protocol"), "Unknown protocol", "protocol must be tcp, udp, icmp, icmpv6 or all, got %q", f.Protocol)
	}
	for i, r := range f.Ports {
		switch {
		case r.From < 0 || r.From > 65535 || r.To < 0 || r.To > 65535:
			ps.Errorf(f.Path.At("ports").Index(i), "Port out of range", "ports are 0–65535, got %d-%d", r.From, r.To)
		case r.From > r.To:
			ps.Errorf(f.Path.At("ports").Index(i), "Port range upside down", "range %d-%d starts after it ends", r.From, r.To)
		case r.From == 0 && r.To == 0 && (f.Protocol == "tcp" || f.Protocol == "udp"):
			// No TCP or UDP connection uses port 0, and it passed plan only to
			// fail at apply (Kubernetes rejects it). A range may still start
			// at 0: "0-65535" is every port.
			ps.Errorf(f.Path.At("ports").Index(i), "Port 0", "port 0 carries no %s connection; give ports 1–65535, or \"0-65535\" for every port", f.Protocol)
		}
	}
	ps.Append(checkRuleDescription(f.Path, f.Description))
	if f.Acknowledgement != "" {
		ps.Append(CheckText(f.Path.At("acknowledgement"), f.Acknowledgement))
	}
	set := 0
	for _, v := range []bool{f.Peer.Segment != nil, f.Peer.CIDR != "", f.Peer.PrefixListID != ""} {
		if v {
			set++
		}
	}
	if set != 1 {
		ps.Errorf(f.Path, "One peer per flow", "a flow names exactly one peer: a segment, a CIDR block or a prefix list")
	}
	peerPath := f.PeerPath
	if peerPath == nil {
		peerPath = f.Path
	}
	if f.HTTP != nil && f.Peer.Segment == nil && set == 1 {
		at := f.Path.At("http_methods")
		if len(f.HTTP.Methods) == 0 {
			at = f.Path.At("http_paths")
		}
		ps.Errorf(at, "HTTP matching needs a segment peer",
			"http_methods and http_paths restrict traffic between segments' service identities; this flow's peer is not a segment.")
	}
	if f.HTTP != nil && f.Protocol != "tcp" {
		// Same words as the Kubernetes compiler's, so the two merge.
		ps.Errorf(f.Path.At("protocol"), "HTTP match needs tcp", "methods and paths apply to tcp flows only, this flow is %s", f.Protocol)
	}
	switch {
	case f.Peer.Segment != nil && f.Peer.Segment.SecurityGroupID != "" && !SecurityGroupIDPattern.MatchString(f.Peer.Segment.SecurityGroupID) &&
		!AWSSegmentIDPattern.MatchString(f.Peer.Segment.SecurityGroupID): // a group created in this apply stands in by its segment's id
		ps.Errorf(peerPath, "Invalid segment", "%q is not a segment id (security group id such as sg-0123456789abcdef0)", f.Peer.Segment.SecurityGroupID)
	case f.Peer.PrefixListID != "" && !PrefixListIDPattern.MatchString(f.Peer.PrefixListID):
		ps.Errorf(peerPath, "Invalid prefix list", "%q is not a prefix list id such as pl-0123456789abcdef0", f.Peer.PrefixListID)
	case f.Peer.CIDR != "":
		if _, err := CanonicalCIDR(f.Peer.CIDR); err != nil {
			ps.Errorf(peerPath, "Invalid CIDR block", "%s", err.Error())
		} else if e, _ := CIDRExposure(f.Peer.CIDR); f.Direction == Inbound && e.Open() && exposureMatters(target) {
			if f.Acknowledgement == "" {
				ps.Errorf(peerPath, "Open internet into a "+target.Sensitivity+" segment",
					"%s opens segment %q, whose sensitivity is %s, to the internet: it covers %s. Deny by default: narrow the source, or set acknowledgement to the reason this is acceptable.",
					f.Peer.CIDR, target.Name, target.Sensitivity, e)
			} else {
				ps.Warnf(peerPath, "Acknowledged: open internet into a "+target.Sensitivity+" segment", "%s may reach %q (it covers %s); acknowledged because: %s", f.Peer.CIDR, target.Name, e, f.Acknowledgement)
			}
		}
	}
	return ps
}
