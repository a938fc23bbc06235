// Package kubernetes compiles segments and the flows allowed between them
// into Kubernetes objects: per namespace a default-deny NetworkPolicy (and,
// unless turned off, an egress allowance to cluster DNS), per segment an
// ingress and an egress NetworkPolicy holding exactly the declared flows,
// and optionally Istio AuthorizationPolicies keyed on SPIFFE principals.
//
// It is pure: no I/O, no API clients. Output is deterministic — object
// names, object order, and the order of every list inside an object — so the
// rendered manifests can be shown in a Terraform plan and compared
// byte-for-byte with what is read back.
package kubernetes

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/ztforge/terraform-provider-zerotrust/internal/collections"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Labels and annotations written on every compiled object.
const (
	ManagedByLabel    = "app.kubernetes.io/managed-by"
	ManagedByValue    = model.ManagedBy
	OwnerLabel        = "zerotrust.ztforge.io/owner" // value: OwnerLabelValue(Options.Owner)
	OwnerAnnotation   = "zerotrust.ztforge.io/owner" // value: Options.Owner verbatim
	SegmentAnnotation = "zerotrust.ztforge.io/segment"
	// SharedLabel marks an object shared by every policy that compiles it
	// (see sharedMeta); such objects carry no OwnerLabel.
	SharedLabel = "zerotrust.ztforge.io/shared"
)

// Defaults.
const (
	DefaultTrustDomain  = "cluster.local"
	DefaultDNSNamespace = "kube-system"
	// MaxIstioPortsPerFlow is how many ports of a tcp flow are listed in an
	// AuthorizationPolicy operation (Istio has no port ranges). A wider flow
	// is authorized by identity alone; its NetworkPolicy still limits ports.
	MaxIstioPortsPerFlow = 64
)

// DefaultDNSPodLabels selects the cluster DNS pods (kube-dns and CoreDNS
// both carry k8s-app=kube-dns).
func DefaultDNSPodLabels() map[string]string { return map[string]string{"k8s-app": "kube-dns"} }

// Options tune compilation.
type Options struct {
	// Owner identifies the caller's resource (e.g. a segment policy id). It
	// is written verbatim in OwnerAnnotation, as OwnerLabelValue(Owner) in
	// OwnerLabel, and goes into every object name's hash, so objects of
	// different owners never collide. Required.
	Owner string
	// AllowDNS lets every pod of every namespace involved reach cluster DNS
	// (UDP and TCP 53). nil means true — Go's zero value must not silently
	// cut DNS — so only Bool(false) turns it off.
	AllowDNS *bool
	// DNS overrides where cluster DNS runs; nil means namespace kube-system,
	// pods k8s-app=kube-dns.
	DNS *DNSTarget
	// Istio, when set, adds security.istio.io/v1 AuthorizationPolicies.
	Istio *IstioOptions
	// AlongsideSecurityGroups says the same flows also compile to security
	// groups, so a flow a NetworkPolicy cannot express (see Expressible) is
	// left out — it stays denied in the cluster and enforced in AWS — instead
	// of being an error, and a governed segment without a placement compiles
	// to nothing.
	AlongsideSecurityGroups bool
}

// Expressible reports whether a NetworkPolicy can express a flow: ICMP and
// AWS prefix lists have no NetworkPolicy form, and a segment peer without a
// Kubernetes placement has no pods to select.
func Expressible(f model.Flow) bool {
	switch {
	case f.Protocol == "icmp", f.Protocol == "icmpv6", f.Peer.PrefixListID != "":
		return false
	case f.Peer.Segment != nil && f.Peer.Segment.Kubernetes == nil:
		return false
	}
	return true
}

// DNSTarget places the cluster DNS pods.
type DNSTarget struct {
	Namespace string
	PodLabels map[string]string
}

// IstioOptions configure AuthorizationPolicy compilation.
type IstioOptions struct {
	// TrustDomain of the mesh's SPIFFE identities; empty means cluster.local.
	TrustDomain string
}

// Bool returns a pointer to b, for Options.AllowDNS.
func Bool(b bool) *bool { return &b }

func (o Options) dnsAllowed() bool { return o.AllowDNS == nil || *o.AllowDNS }

func (o Options) dnsTarget() DNSTarget {
	if o.DNS == nil {
		return DNSTarget{Namespace: DefaultDNSNamespace, PodLabels: DefaultDNSPodLabels()}
	}
	return *o.DNS
}

func (o Options) trustDomain() string {
	if o.Istio == nil || o.Istio.TrustDomain == "" {
		return DefaultTrustDomain
	}
	return o.Istio.TrustDomain
}

// Policy is one governed segment and the flows allowed into (Inbound) and
// out of (Outbound) it.
type Policy struct {
	Segment model.Segment
	// SegmentPath is where problems with Segment's own fields are reported
	// (e.g. kubernetes.namespace below it); empty for the configuration root.
	SegmentPath model.Path
	// Flows into and out of Segment. A flow's HTTP match narrows it in the
	// Istio AuthorizationPolicy; only tcp flows whose destination is a
	// segment can carry one, and it needs Options.Istio.
	Flows []model.Flow
}

// Objects is the compiled desired state, each slice in canonical order
// (namespace, then name). Objects share maps and pointers — a subject's pod
// selector labels wherever they select its pods, peers' selectors, the
// metadata labels, the DNS egress rule: read them, render them, copy them
// (DeepCopy) to change one.
type Objects struct {
	NetworkPolicies       []networkingv1.NetworkPolicy
	AuthorizationPolicies []AuthorizationPolicy
}

// Compile compiles one governed segment's flows. See CompileAll.
func Compile(target model.Segment, flows []model.Flow, opts Options) (Objects, model.Problems) {
	return CompileAll([]Policy{{Segment: target, Flows: flows}}, opts)
}

// CompileAll compiles policies into NetworkPolicies (and, with Istio,
// AuthorizationPolicies). For each flow the source is the peer (Inbound) or
// the governed segment (Outbound) and the destination the other side. The
// destination's pods, when a segment, get an ingress allowance from the
// source (a segment as namespaceSelector on kubernetes.io/metadata.name plus
// podSelector, a CIDR as ipBlock); the source's pods, when a segment, get an
// egress allowance to the destination. Every namespace holding a governed
// or peer segment gets a default-deny policy for both directions, and the
// DNS allowance unless Options.AllowDNS is false. Ports of one peer are
// merged; peers with equal port sets share a rule.
//
// ICMP flows and prefix-list peers have no NetworkPolicy form and are
// errors. Problems are addressed by path; when any is an error, no objects
// are returned.
func CompileAll(policies []Policy, opts Options) (Objects, model.Problems) {
	c := &compiler{
		opts: opts,
		// Sized for a segment per policy, the common case: a map grown
		// one doubling at a time rehashes what it holds at every step.
		subjects:   make(map[string]*subject, len(policies)),
		namespaces: map[string]bool{},
		peerChecks: make(map[peerCheck]model.Problems, len(policies)),
		placements: make(map[*model.KubernetesSelector]*placement, len(policies)),
	}
	c.checkOptions()
	for _, p := range policies {
		c.addPolicy(p)
	}
	problems := dedupe(c.problems)
	if problems.HasErrors() {
		return Objects{}, problems
	}
	return c.build(), problems
}

// subject is a set of pods objects are placed on: a namespace and a pod
// selector. Segments with the same placement share a subject.
type subject struct {
	key string
	ns  string
	// labels is the pod selector, shared by every object selecting the
	// subject's pods: nothing mutates compiled objects (see Objects).
	labels map[string]string
	// labelsKey and readable are the selector as name material (see
	// labelsKey, labelsReadable), derived once.
	labelsKey, readable string
	names               []string // segment names, sorted, unique
	// dns: some segment placed here lets its pods reach cluster DNS
	// (model.KubernetesSelector.DenyDNS; two segments of one placement are
	// the same pods, so one that allows it wins).
	dns bool
	// ingress and egress are the peers allowed into and out of the pods,
	// with their ports; authz is what each source may do on them under
	// Istio, by source and HTTP match. Kept on the subject rather than in
	// maps keyed by it: a flow reaches them through its sides.
	ingress, egress peerSet
	authz           map[string]*authzEntry
	// peer is the subject as a NetworkPolicy peer, built once: every rule
	// naming the subject shares its selectors, which nothing mutates.
	peer *networkingv1.NetworkPolicyPeer
}

// asPeer returns the subject as a NetworkPolicy peer.
func (s *subject) asPeer() networkingv1.NetworkPolicyPeer {
	if s.peer == nil {
		p := segmentPeer(s.ns, s.labels)
		s.peer = &p
	}
	return *s.peer
}

// side is one end of a flow: a segment or a CIDR block.
type side struct {
	subj *subject
	seg  model.Segment
	cidr netip.Prefix
}

type compiler struct {
	opts       Options
	problems   model.Problems
	subjects   map[string]*subject
	namespaces map[string]bool
	// peer segment validation, memoized
	peerChecks map[peerCheck]model.Problems
	// the metadata labels of owned and of shared objects, one map each
	ownedLabels, sharedLabels map[string]string
	// what was derived from a placement, by its pointer: the flows naming a
	// segment share its placement, so a flow costs a lookup, not a key
	// built from its labels
	placements map[*model.KubernetesSelector]*placement
}

// authzEntry is what one source may do on one destination subject under one
// HTTP match.
type authzEntry struct {
	principal string
	ipBlock   string
	sortKey   string
	http      model.HTTPMatch
	ports     portAcc // TCP only
}

func (c *compiler) checkOptions() {
	if c.opts.Owner == "" {
		c.problems.Errorf(model.Root("owner"), "Owner required", "the caller must pass the owning resource's id as Options.Owner; compiled objects are labelled with it")
	}
	if c.opts.DNS != nil && c.opts.dnsAllowed() {
		d := c.opts.DNS
		if errs := validation.IsDNS1123Label(d.Namespace); len(errs) > 0 {
			c.problems.Errorf(model.Root("dns").At("namespace"), "Invalid namespace", "%q is not a namespace name: %s", d.Namespace, strings.Join(errs, "; "))
		}
		for _, k := range slices.Sorted(maps.Keys(d.PodLabels)) {
			if errs := append(content.IsLabelKey(k), content.IsLabelValue(d.PodLabels[k])...); len(errs) > 0 {
				c.problems.Errorf(model.Root("dns").At(labelStep("pod_labels", k)), "Invalid pod label", "%s", strings.Join(errs, "; "))
			}
		}
	}
	if c.opts.Istio != nil {
		if errs := validation.IsDNS1123Subdomain(c.opts.trustDomain()); len(errs) > 0 {
			c.problems.Errorf(model.Root("istio").At("trust_domain"), "Invalid trust domain", "%q is not a trust domain: %s", c.opts.Istio.TrustDomain, strings.Join(errs, "; "))
		}
	}
}

// checkNamespace refuses namespaces a default-deny policy would break.
func (c *compiler) checkNamespace(s model.Segment, at model.Path) bool {
	ns := s.Kubernetes.Namespace
	if ns == "kube-system" || (c.opts.dnsAllowed() && ns == c.opts.dnsTarget().Namespace) {
		c.problems.Errorf(at, "System namespace", "segment %q is in namespace %s; a default-deny policy there would cut the cluster's own services (DNS) off. Place segments in application namespaces.", s.Name, ns)
		return false
	}
	return true
}

// placement is what the compiler derives from a Kubernetes placement.
type placement struct {
	labelsKey string   // labelsKey of its pod labels
	subject   *subject // once subjectOf looked it up
}

// placementOf returns k's placement, derived once per compile.
func (c *compiler) placementOf(k *model.KubernetesSelector) *placement {
	pl := c.placements[k]
	if pl == nil {
		pl = &placement{labelsKey: labelsKey(k.PodLabels)}
		c.placements[k] = pl
	}
	return pl
}

// subjectOf returns the subject of a segment placed in Kubernetes.
func (c *compiler) subjectOf(s model.Segment) *subject {
	k := s.Kubernetes
	pl := c.placementOf(k)
	sub := pl.subject
	if sub == nil {
		key := k.Namespace + "\x00" + pl.labelsKey
		var ok bool
		if sub, ok = c.subjects[key]; !ok {
			labels := copyMap(k.PodLabels)
			sub = &subject{key: key, ns: k.Namespace, labels: labels, labelsKey: pl.labelsKey, readable: labelsReadable(labels)}
			c.subjects[key] = sub
			c.namespaces[k.Namespace] = true
		}
		pl.subject = sub
	}
	if i, found := slices.BinarySearch(sub.names, s.Name); !found {
		sub.names = slices.Insert(sub.names, i, s.Name)
	}
	sub.dns = sub.dns || !k.DenyDNS
	return sub
}

func labelsKey(m map[string]string) string {
	var b strings.Builder
	keys := slices.AppendSeq(make([]string, 0, len(m)), maps.Keys(m)) // sized: no regrowth on this hot path
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(m[k])
		b.WriteByte(',')
	}
	return b.String()
}

func (c *compiler) addPolicy(p Policy) {
	if c.opts.AlongsideSecurityGroups && p.Segment.Kubernetes == nil {
		return // an AWS-only segment: nothing in the cluster
	}
	segPath := p.SegmentPath
	ps := ValidateSegment(p.Segment, segPath)
	c.problems.Append(ps)
	targetOK := !ps.HasErrors()
	if targetOK {
		targetOK = c.checkNamespace(p.Segment, segPath.At("kubernetes").At("namespace"))
	}
	var target *subject // nil when the policy's own segment is invalid
	if targetOK {
		target = c.subjectOf(p.Segment) // an empty policy still isolates its namespace
	}
	kept := p.Flows
	if c.opts.AlongsideSecurityGroups {
		kept = make([]model.Flow, 0, len(p.Flows))
		for _, f := range p.Flows {
			if Expressible(f) {
				kept = append(kept, f)
			}
		}
	}
	// Each flow is judged alone, then the set for internet exposure, so
	// splitting 0.0.0.0/0 into many prefixes does not get through.
	ps, valid := model.ValidateFlows(p.Segment, kept)
	c.problems.Append(ps)
	for _, f := range valid {
		c.addFlow(p, f, target)
	}
}

func (c *compiler) addFlow(p Policy, f model.Flow, targetSubj *subject) {
	match := f.HTTP
	peerPath := f.PeerPath
	if peerPath == nil {
		peerPath = f.Path
	}
	ok := targetSubj != nil
	var ports []model.PortRange
	switch f.Protocol {
	case "icmp", "icmpv6":
		c.problems.Errorf(f.Path.At("protocol"), "ICMP not representable in Kubernetes",
			"a NetworkPolicy filters only TCP, UDP and SCTP, so an %s flow cannot be expressed; remove it from the Kubernetes placement or use tcp, udp or all", f.Protocol)
		ok = false
	case "tcp", "udp":
		ports = validatePorts(f, &c.problems)
		ok = ok && len(ports) == len(f.Ports)
	}
	var peer side
	switch {
	case f.Peer.PrefixListID != "":
		c.problems.Errorf(peerPath, "Prefix list not representable in Kubernetes",
			"a NetworkPolicy cannot reference the AWS prefix list %s; list its CIDR blocks in cidr_blocks instead", f.Peer.PrefixListID)
		ok = false
	case f.Peer.CIDR != "":
		canon, _ := model.CanonicalCIDR(f.Peer.CIDR) // validated above
		if errs := validation.IsValidCIDR(nil, canon); len(errs) > 0 {
			c.problems.Errorf(peerPath, "Invalid CIDR block", "%s", errs.ToAggregate().Error())
			ok = false
		}
		peer.cidr = netip.MustParsePrefix(canon)
	default:
		seg := *f.Peer.Segment
		pps := c.validatePeer(seg)
		for _, pr := range pps {
			pr.Detail = fmt.Sprintf("peer segment %q, %s: %s", seg.Name, pr.Path, pr.Detail)
			pr.Path = peerPath
			c.problems = append(c.problems, pr)
		}
		if pps.HasErrors() || !c.checkNamespace(seg, peerPath) {
			ok = false
			break
		}
		peer = side{subj: c.subjectOf(seg), seg: seg}
	}
	target := side{seg: p.Segment, subj: targetSubj}
	src, dst := peer, target
	if f.Direction == model.Outbound {
		src, dst = target, peer
	}
	if match != nil {
		before := len(c.problems)
		validateHTTP(*match, f.Path, &c.problems)
		switch {
		case c.opts.Istio == nil:
			c.problems.Errorf(httpPath(f), "HTTP match needs Istio", "http_methods and http_paths are enforced by Istio AuthorizationPolicies only: set kubernetes.istio = true, or remove them")
		case f.Protocol != "tcp":
			c.problems.Errorf(f.Path.At("protocol"), "HTTP match needs tcp", "methods and paths apply to tcp flows only, this flow is %s", f.Protocol)
		}
		if len(c.problems) > before {
			ok = false
		}
	}
	// Istio authorizes where a flow arrives, so only flows into a segment
	// (UDP is not proxied) need the source's identity.
	istioOn := c.opts.Istio != nil && f.Protocol != "udp" && dst.seg.Kubernetes != nil
	if istioOn && src.seg.Kubernetes != nil && src.seg.Kubernetes.ServiceAccount == "" {
		at := p.SegmentPath.At("kubernetes").At("service_account")
		if f.Direction == model.Inbound {
			at = peerPath
		}
		c.problems.Errorf(at, "Service account required for Istio",
			"segment %q is the source of a flow authorized by Istio, which identifies sources by service account (SPIFFE principal); set its kubernetes.service_account", src.seg.Name)
		ok = false
	}
	if !ok {
		return
	}

	if dst.subj != nil {
		dst.subj.ingress.add(src, f.Protocol, ports)
	}
	if src.subj != nil {
		src.subj.egress.add(dst, f.Protocol, ports)
	}
	if c.opts.Istio != nil && dst.subj != nil && f.Protocol != "udp" {
		c.addAuthz(dst.subj, src, f, ports, match)
	}
}

// peerCheck identifies what validating a peer segment depends on: its
// name and its placement (by pointer: within a compile, one pointer is one
// placement).
type peerCheck struct {
	name      string
	placement *model.KubernetesSelector
}

// validatePeer validates a peer segment once per name and placement,
// however many flows name it.
func (c *compiler) validatePeer(s model.Segment) model.Problems {
	key := peerCheck{s.Name, s.Kubernetes}
	ps, ok := c.peerChecks[key]
	if !ok {
		ps = ValidateSegment(s, nil)
		c.peerChecks[key] = ps
	}
	return ps
}

func (c *compiler) addAuthz(dst *subject, src side, f model.Flow, ports []model.PortRange, match *model.HTTPMatch) {
	e := authzEntry{}
	if src.subj != nil {
		k := src.seg.Kubernetes
		e.principal = c.opts.trustDomain() + "/ns/" + k.Namespace + "/sa/" + k.ServiceAccount
		e.sortKey = "0\x00" + e.principal
	} else {
		e.ipBlock = src.cidr.String()
		e.sortKey = "1\x00" + prefixSortKey(src.cidr)
	}
	if match != nil {
		e.http = model.HTTPMatch{Methods: collections.SortedUnique(match.Methods), Paths: collections.SortedUnique(match.Paths)}
	}
	key := e.sortKey + "\x00" + strings.Join(e.http.Methods, ",") + "\x00" + strings.Join(e.http.Paths, "\x01")
	m := dst.authz
	if m == nil {
		m = map[string]*authzEntry{}
		dst.authz = m
	}
	cur := m[key]
	if cur == nil {
		cur = &e
		m[key] = cur
	}
	n := 0
	for _, r := range ports {
		n += r.To - r.From + 1
	}
	switch {
	case f.Protocol == "all" || (len(ports) == 1 && ports[0] == model.PortRange{From: 1, To: 65535}):
		cur.ports.add("all", nil)
	case n > MaxIstioPortsPerFlow:
		c.problems.Warnf(f.Path.At("ports"), "Ports not listed in the Istio policy",
			"Istio lists ports one by one; this flow spans %d ports (more than %d), so its AuthorizationPolicy rule checks identity only and its NetworkPolicy limits the ports", n, MaxIstioPortsPerFlow)
		cur.ports.add("all", nil)
	default:
		cur.ports.add("tcp", ports)
	}
}

func dedupe(ps model.Problems) model.Problems {
	seen := map[string]bool{}
	out := ps[:0:0]
	for _, p := range ps {
		k := fmt.Sprintf("%s\x00%d\x00%s\x00%s", p.Path, p.Severity, p.Summary, p.Detail)
		if !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	return out
}

// ---- building objects ----
