package kubernetes

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ztforge/terraform-provider-zerotrust/internal/collections"
)

// Building the objects from what the compiler gathered: one default-deny
// and one allow policy per subject and direction, DNS, Istio.

// meta is the metadata of an object the owner alone holds. Its labels are
// the same for every such object of a compile, so they share one map, as
// the shared objects share theirs (see Objects).
func (c *compiler) meta(name, ns string, sub *subject) metav1.ObjectMeta {
	if c.ownedLabels == nil {
		c.ownedLabels = map[string]string{ManagedByLabel: ManagedByValue, OwnerLabel: OwnerLabelValue(c.opts.Owner)}
	}
	m := metav1.ObjectMeta{
		Name:        name,
		Namespace:   ns,
		Labels:      c.ownedLabels,
		Annotations: map[string]string{OwnerAnnotation: c.opts.Owner},
	}
	if sub != nil {
		m.Annotations[SegmentAnnotation] = strings.Join(sub.names, ", ")
	}
	return m
}

// sharedMeta is the metadata of an object every policy that needs it
// compiles identically — a namespace's default-deny, the DNS egress of a
// segment's pods, Istio's allow-nothing — so one object serves them all: it
// carries SharedLabel instead of an owner, and the reconciler records each
// policy that holds it and deletes it with the last one.
func (c *compiler) sharedMeta(name, ns string) metav1.ObjectMeta {
	if c.sharedLabels == nil {
		c.sharedLabels = map[string]string{ManagedByLabel: ManagedByValue, SharedLabel: "true"}
	}
	return metav1.ObjectMeta{Name: name, Namespace: ns, Labels: c.sharedLabels}
}

// sharedName names a shared object by what it is, never by an owner.
func sharedName(readable, kind string, parts ...string) string {
	return objectName(readable, kind, append([]string{"shared", kind}, parts...)...)
}

func (c *compiler) name(sub *subject, kind string) string {
	return objectName(sub.names[0], kind, c.opts.Owner, kind, sub.ns, sub.labelsKey)
}

var networkPolicyType = metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"}

func (c *compiler) build() Objects {
	var out Objects
	namespaces := make([]string, 0, len(c.namespaces))
	for ns := range c.namespaces {
		namespaces = append(namespaces, ns)
	}
	slices.Sort(namespaces)
	subjects := make([]*subject, 0, len(c.subjects))
	for _, sub := range c.subjects {
		subjects = append(subjects, sub)
	}
	slices.SortFunc(subjects, func(a, b *subject) int { return strings.Compare(a.key, b.key) })
	out.NetworkPolicies = make([]networkingv1.NetworkPolicy, 0, len(namespaces)+3*len(subjects))
	for _, ns := range namespaces {
		out.NetworkPolicies = append(out.NetworkPolicies, networkingv1.NetworkPolicy{
			TypeMeta:   networkPolicyType,
			ObjectMeta: c.sharedMeta(sharedName("", kindDefaultDeny, ns), ns),
			Spec: networkingv1.NetworkPolicySpec{
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			},
		})
	}
	if c.opts.dnsAllowed() {
		// DNS egress for the segments' pods only, one object per pod
		// selector: a NetworkPolicy has one selector, and the union of
		// several segments' selectors is not one in general.
		dns := c.dnsEgress()
		for _, sub := range subjects {
			if sub.dns {
				out.NetworkPolicies = append(out.NetworkPolicies, dns.policyFor(c, sub))
			}
		}
	}
	var groups []ruleGroup // reused from one subject to the next
	for _, sub := range subjects {
		if len(sub.ingress.peers) == 0 {
			continue
		}
		np := c.allowPolicy(sub, kindIngress, networkingv1.PolicyTypeIngress)
		groups = groupPeers(sub.ingress.peers, groups[:0])
		np.Spec.Ingress = make([]networkingv1.NetworkPolicyIngressRule, len(groups))
		for i, g := range groups {
			np.Spec.Ingress[i] = networkingv1.NetworkPolicyIngressRule{Ports: g.ports, From: g.peers}
		}
		out.NetworkPolicies = append(out.NetworkPolicies, np)
	}
	for _, sub := range subjects {
		if len(sub.egress.peers) == 0 {
			continue
		}
		np := c.allowPolicy(sub, kindEgress, networkingv1.PolicyTypeEgress)
		groups = groupPeers(sub.egress.peers, groups[:0])
		np.Spec.Egress = make([]networkingv1.NetworkPolicyEgressRule, len(groups))
		for i, g := range groups {
			np.Spec.Egress[i] = networkingv1.NetworkPolicyEgressRule{Ports: g.ports, To: g.peers}
		}
		out.NetworkPolicies = append(out.NetworkPolicies, np)
	}
	if c.opts.Istio != nil {
		for _, ns := range namespaces {
			out.AuthorizationPolicies = append(out.AuthorizationPolicies, AuthorizationPolicy{
				TypeMeta:   metav1.TypeMeta{APIVersion: AuthorizationPolicyGVK.GroupVersion().String(), Kind: AuthorizationPolicyGVK.Kind},
				ObjectMeta: c.sharedMeta(sharedName("", kindAllowNothing, ns), ns),
			})
		}
		for _, sub := range subjects {
			if len(sub.authz) > 0 {
				out.AuthorizationPolicies = append(out.AuthorizationPolicies, c.authorizationPolicy(sub, sub.authz))
			}
		}
	}
	out.NetworkPolicies = sortedByName(out.NetworkPolicies, func(np *networkingv1.NetworkPolicy) *metav1.ObjectMeta { return &np.ObjectMeta })
	out.AuthorizationPolicies = sortedByName(out.AuthorizationPolicies, func(ap *AuthorizationPolicy) *metav1.ObjectMeta { return &ap.ObjectMeta })
	return out
}

// sortedByName orders objs by namespace and name, in place, and returns
// them. It sorts small references, then moves each object along the
// permutation's cycles: sorting the objects themselves would swap whole
// structs at every step, and copying them into a sorted slice would leave
// the unsorted one as garbage.
func sortedByName[T any](objs []T, meta func(*T) *metav1.ObjectMeta) []T {
	type ref struct {
		namespace, name string
		index           int
	}
	refs := make([]ref, len(objs))
	for i := range objs {
		m := meta(&objs[i])
		refs[i] = ref{m.Namespace, m.Name, i}
	}
	slices.SortFunc(refs, func(a, b ref) int {
		return cmp.Or(cmp.Compare(a.namespace, b.namespace), cmp.Compare(a.name, b.name))
	})
	// Position i takes the object at refs[i].index. Follow each cycle from
	// its first position, holding that position's object aside; a visited
	// position gets index -1.
	for start := range refs {
		if refs[start].index < 0 || refs[start].index == start {
			continue
		}
		held := objs[start]
		i := start
		for refs[i].index != start {
			next := refs[i].index
			objs[i] = objs[next]
			refs[i].index = -1
			i = next
		}
		objs[i] = held
		refs[i].index = -1
	}
	return objs
}

// dnsEgress is what every subject's DNS egress policy shares: where DNS
// runs, as a name part and as the rule's peer, built once per compile.
type dnsEgress struct {
	target string
	rule   networkingv1.NetworkPolicyEgressRule
}

func (c *compiler) dnsEgress() dnsEgress {
	d := c.opts.dnsTarget()
	return dnsEgress{
		target: d.Namespace + "\x00" + labelsKey(d.PodLabels),
		rule: networkingv1.NetworkPolicyEgressRule{
			Ports: []networkingv1.NetworkPolicyPort{port(corev1.ProtocolTCP, 53, 53), port(corev1.ProtocolUDP, 53, 53)},
			To:    []networkingv1.NetworkPolicyPeer{segmentPeer(d.Namespace, copyMap(d.PodLabels))},
		},
	}
}

// policyFor is the DNS egress policy of a subject's pods. Its rule's
// ports and peer are shared with every other subject's, as a subject's
// peer selectors are shared by the rules naming it: nothing mutates them.
func (d dnsEgress) policyFor(c *compiler, sub *subject) networkingv1.NetworkPolicy {
	return networkingv1.NetworkPolicy{
		TypeMeta:   networkPolicyType,
		ObjectMeta: c.sharedMeta(sharedName(sub.readable, kindAllowDNS, sub.ns, sub.labelsKey, d.target), sub.ns),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: sub.labels},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
			Egress:      []networkingv1.NetworkPolicyEgressRule{d.rule},
		},
	}
}

func (c *compiler) allowPolicy(sub *subject, kind string, t networkingv1.PolicyType) networkingv1.NetworkPolicy {
	return networkingv1.NetworkPolicy{
		TypeMeta:   networkPolicyType,
		ObjectMeta: c.meta(c.name(sub, kind), sub.ns, sub),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: sub.labels},
			PolicyTypes: []networkingv1.PolicyType{t},
		},
	}
}

// labelsReadable is the readable part of a name derived from pod labels:
// their values in key order.
func labelsReadable(m map[string]string) string {
	parts := make([]string, 0, len(m))
	keys := slices.AppendSeq(make([]string, 0, len(m)), maps.Keys(m)) // sized: no regrowth on this hot path
	slices.Sort(keys)
	for _, k := range keys {
		parts = append(parts, m[k])
	}
	return strings.Join(parts, "-")
}

// segmentPeer selects the pods labelled labels in namespace ns; the peer
// holds labels itself, not a copy.
func segmentPeer(ns string, labels map[string]string) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{
		NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: ns}},
		PodSelector:       &metav1.LabelSelector{MatchLabels: labels},
	}
}

func port(p corev1.Protocol, from, to int) networkingv1.NetworkPolicyPort {
	out := networkingv1.NetworkPolicyPort{Protocol: &p}
	if from == 1 && to == 65535 {
		return out // every port of the protocol
	}
	v := intstr.FromInt32(int32(from))
	out.Port = &v
	if to != from {
		end := int32(to)
		out.EndPort = &end
	}
	return out
}

// portValues are what one NetworkPolicyPort points to.
type portValues struct {
	protocol corev1.Protocol
	port     intstr.IntOrString
	end      int32
}

// fillPorts sets out[i] to the port of specs[i], pointing into values[i]:
// the ports of all a policy's rules are allocated at once, not three small
// objects per port.
func fillPorts(out []networkingv1.NetworkPolicyPort, values []portValues, specs []portSpec) {
	for i, s := range specs {
		v := &values[i]
		v.protocol = s.protocol
		out[i].Protocol = &v.protocol
		if s.from == 1 && s.to == 65535 {
			continue // every port of the protocol
		}
		v.port = intstr.FromInt32(int32(s.from))
		out[i].Port = &v.port
		if s.to != s.from {
			v.end = int32(s.to)
			out[i].EndPort = &v.end
		}
	}
}

// ruleGroup is one rule of an allow policy: a port set and its peers.
type ruleGroup struct {
	specs []portSpec // what ports are made from
	ports []networkingv1.NetworkPolicyPort
	peers []networkingv1.NetworkPolicyPeer
}

// groupPeers appends to out one rule per port set, its peers being every
// peer allowed exactly that set: rules ordered by port set (all ports
// first, then numerically; see compareSpecs), peers by namespace and
// selector, then CIDR blocks IPv4 first (see comparePeers). Sorting the
// peers by (port set, peer) and cutting runs replaces a map of groups: a
// subject's rules cost three allocations besides their ports.
func groupPeers(set []peerPorts, out []ruleGroup) []ruleGroup {
	type member struct {
		specs []portSpec
		id    *peerID
	}
	bound := 0
	for i := range set {
		bound += set[i].ports.ranges()
	}
	// Every member's specs are cut from one array, allocated at its
	// largest so cutting never moves it.
	specs := make([]portSpec, 0, bound)
	members := make([]member, len(set))
	for i := range set {
		start := len(specs)
		specs = set[i].ports.appendSpecs(specs)
		members[i] = member{specs: specs[start:len(specs):len(specs)], id: &set[i].id}
	}
	slices.SortFunc(members, func(a, b member) int {
		return cmp.Or(compareSpecs(a.specs, b.specs), comparePeers(a.id, b.id))
	})
	peers := make([]networkingv1.NetworkPolicyPeer, len(members)) // every rule's peers, cut below
	for i, mb := range members {
		if sub := mb.id.subj; sub != nil {
			peers[i] = sub.asPeer()
		} else {
			peers[i] = networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: mb.id.cidr.String()}}
		}
	}
	first := len(out)
	total := 0 // ports in all the rules
	for i := 0; i < len(members); {
		j := i + 1
		for j < len(members) && slices.Equal(members[j].specs, members[i].specs) {
			j++
		}
		out = append(out, ruleGroup{specs: members[i].specs, peers: peers[i:j:j]})
		total += len(members[i].specs)
		i = j
	}
	if total == 0 {
		return out
	}
	ports, values := make([]networkingv1.NetworkPolicyPort, total), make([]portValues, total)
	for g := range out[first:] {
		rule := &out[first+g]
		if n := len(rule.specs); n > 0 {
			fillPorts(ports[:n], values[:n], rule.specs)
			rule.ports = ports[:n:n]
			ports, values = ports[n:], values[n:]
		}
	}
	return out
}

func (c *compiler) authorizationPolicy(sub *subject, entries map[string]*authzEntry) AuthorizationPolicy {
	type opGroup struct {
		op         Operation
		principals []string
		ipBlocks   []string // sort keys until emitted
		cidrs      map[string]string
	}
	groups := map[string]*opGroup{}
	for _, e := range entries {
		op := Operation{Methods: e.http.Methods, Paths: e.http.Paths}
		var key strings.Builder
		specs := e.ports.specs() // nil: every port
		for _, s := range specs {
			for p := s.from; p <= s.to; p++ {
				op.Ports = append(op.Ports, strconv.Itoa(p))
				key.Write(appendPadded(nil, p))
				key.WriteByte(',')
			}
		}
		key.WriteString("\x00" + strings.Join(op.Methods, ",") + "\x00" + strings.Join(op.Paths, "\x01"))
		g := groups[key.String()]
		if g == nil {
			g = &opGroup{op: op, cidrs: map[string]string{}}
			groups[key.String()] = g
		}
		if e.principal != "" {
			g.principals = append(g.principals, e.principal)
		} else {
			g.ipBlocks = append(g.ipBlocks, e.sortKey)
			g.cidrs[e.sortKey] = e.ipBlock
		}
	}
	ap := AuthorizationPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: AuthorizationPolicyGVK.GroupVersion().String(), Kind: AuthorizationPolicyGVK.Kind},
		ObjectMeta: c.meta(c.name(sub, kindAuthz), sub.ns, sub),
		Spec:       AuthorizationPolicySpec{Action: "ALLOW"},
	}
	if len(sub.labels) > 0 {
		ap.Spec.Selector = &WorkloadSelector{MatchLabels: copyMap(sub.labels)}
	}
	groupKeys := slices.AppendSeq(make([]string, 0, len(groups)), maps.Keys(groups)) // sized: no regrowth on this hot path
	slices.Sort(groupKeys)
	for _, key := range groupKeys {
		g := groups[key]
		var r AuthorizationRule
		if len(g.principals) > 0 {
			r.From = append(r.From, RuleFrom{Source: Source{Principals: collections.SortedUnique(g.principals)}})
		}
		if len(g.ipBlocks) > 0 {
			keys := collections.SortedUnique(g.ipBlocks)
			blocks := make([]string, len(keys))
			for i, k := range keys {
				blocks[i] = g.cidrs[k]
			}
			r.From = append(r.From, RuleFrom{Source: Source{IPBlocks: blocks}})
		}
		if len(g.op.Ports)+len(g.op.Methods)+len(g.op.Paths) > 0 {
			r.To = []RuleTo{{Operation: g.op}}
		}
		ap.Spec.Rules = append(ap.Spec.Rules, r)
	}
	return ap
}
