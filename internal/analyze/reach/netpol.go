package reach

import (
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Workload is one end of a connection in a cluster: a pod (Namespace set)
// or a host outside the cluster (Namespace empty, IP set).
type Workload struct {
	Namespace string
	Labels    map[string]string
	// IP is matched against ipBlock peers; optional for pods. Kubernetes
	// leaves ipBlock matching of pod IPs to the network plugin; this
	// evaluator matches any address it is given (the wider answer).
	IP netip.Addr
	// Ports are the pod's container ports, for named ports in policies.
	Ports []corev1.ContainerPort
}

// Evaluator decides connections under a set of NetworkPolicies with the
// Kubernetes semantics: a pod is isolated for a direction only when some
// policy in its namespace selects it and has that policy type; an isolated
// pod accepts (or opens) exactly the union of what its selecting policies
// allow; a pod-to-pod connection needs the source's egress and the
// destination's ingress to allow it.
type Evaluator struct {
	nsLabels map[string]labels.Set
	byNS     map[string][]*policy
}

type policy struct {
	id, ns          string
	pods            labels.Selector
	ingress, egress bool
	in, out         []rule
}

type rule struct {
	peers []peer // none: every peer
	ports []networkingv1.NetworkPolicyPort
}

type peer struct {
	pods, namespaces labels.Selector // nil: not given
	block            netip.Prefix
	except           []netip.Prefix
}

// NewEvaluator prepares policies for evaluation. namespaces gives the
// labels of each namespace; kubernetes.io/metadata.name is added, as the API
// server does. A namespace absent from the map has only that label.
func NewEvaluator(namespaces map[string]map[string]string, policies []networkingv1.NetworkPolicy) (*Evaluator, error) {
	e := &Evaluator{nsLabels: map[string]labels.Set{}, byNS: map[string][]*policy{}}
	for ns, l := range namespaces {
		set := labels.Set{}
		for k, v := range l {
			set[k] = v
		}
		set[corev1.LabelMetadataName] = ns
		e.nsLabels[ns] = set
	}
	for i := range policies {
		np := &policies[i]
		p, err := compilePolicy(np)
		if err != nil {
			return nil, fmt.Errorf("NetworkPolicy %s/%s: %w", np.Namespace, np.Name, err)
		}
		e.byNS[np.Namespace] = append(e.byNS[np.Namespace], p)
	}
	return e, nil
}

func compilePolicy(np *networkingv1.NetworkPolicy) (*policy, error) {
	pods, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
	if err != nil {
		return nil, fmt.Errorf("podSelector: %w", err)
	}
	p := &policy{id: np.Namespace + "/" + np.Name, ns: np.Namespace, pods: pods}
	if len(np.Spec.PolicyTypes) == 0 { // the API server's defaulting
		p.ingress = true
		p.egress = len(np.Spec.Egress) > 0
	}
	for _, t := range np.Spec.PolicyTypes {
		switch t {
		case networkingv1.PolicyTypeIngress:
			p.ingress = true
		case networkingv1.PolicyTypeEgress:
			p.egress = true
		default:
			return nil, fmt.Errorf("unknown policy type %q", t)
		}
	}
	for j, r := range np.Spec.Ingress {
		cr, err := compileRule(r.From, r.Ports)
		if err != nil {
			return nil, fmt.Errorf("ingress[%d]: %w", j, err)
		}
		p.in = append(p.in, cr)
	}
	for j, r := range np.Spec.Egress {
		cr, err := compileRule(r.To, r.Ports)
		if err != nil {
			return nil, fmt.Errorf("egress[%d]: %w", j, err)
		}
		p.out = append(p.out, cr)
	}
	return p, nil
}

func compileRule(peers []networkingv1.NetworkPolicyPeer, ports []networkingv1.NetworkPolicyPort) (rule, error) {
	r := rule{ports: ports}
	for k, np := range peers {
		var p peer
		var err error
		switch {
		case np.IPBlock != nil:
			if np.PodSelector != nil || np.NamespaceSelector != nil {
				return rule{}, fmt.Errorf("peer %d: ipBlock cannot be combined with selectors", k)
			}
			if p.block, err = netip.ParsePrefix(np.IPBlock.CIDR); err != nil {
				return rule{}, fmt.Errorf("peer %d: %w", k, err)
			}
			for _, ex := range np.IPBlock.Except {
				x, err := netip.ParsePrefix(ex)
				if err != nil {
					return rule{}, fmt.Errorf("peer %d except: %w", k, err)
				}
				p.except = append(p.except, x)
			}
		case np.PodSelector == nil && np.NamespaceSelector == nil:
			return rule{}, fmt.Errorf("peer %d: empty peer", k)
		default:
			if np.PodSelector != nil {
				if p.pods, err = metav1.LabelSelectorAsSelector(np.PodSelector); err != nil {
					return rule{}, fmt.Errorf("peer %d podSelector: %w", k, err)
				}
			}
			if np.NamespaceSelector != nil {
				if p.namespaces, err = metav1.LabelSelectorAsSelector(np.NamespaceSelector); err != nil {
					return rule{}, fmt.Errorf("peer %d namespaceSelector: %w", k, err)
				}
			}
		}
		r.peers = append(r.peers, p)
	}
	return r, nil
}

// DirectionVerdict is the decision of one side of a connection.
type DirectionVerdict struct {
	// Isolated: some policy selects the pod for this direction.
	Isolated bool
	// Allowed: not isolated, or some selecting policy has a matching rule.
	Allowed bool
	// AllowedBy lists "<namespace>/<name>" of the policies with a matching
	// rule, in policy order.
	AllowedBy []string
}

// Verdict is the decision for a connection.
type Verdict struct {
	Allowed bool
	Egress  DirectionVerdict // of the source
	Ingress DirectionVerdict // of the destination
}

// Allowed reports whether src may open a connection to dst on protocol and
// port (the destination port).
func (e *Evaluator) Allowed(src, dst Workload, protocol corev1.Protocol, port int32) bool {
	return e.Check(src, dst, protocol, port).Allowed
}

// Check decides a connection and explains the decision.
func (e *Evaluator) Check(src, dst Workload, protocol corev1.Protocol, port int32) Verdict {
	v := Verdict{
		Egress:  DirectionVerdict{Allowed: true},
		Ingress: DirectionVerdict{Allowed: true},
	}
	if src.Namespace != "" {
		v.Egress = e.direction(src, dst, false, protocol, port)
	}
	if dst.Namespace != "" {
		v.Ingress = e.direction(dst, src, true, protocol, port)
	}
	v.Allowed = v.Egress.Allowed && v.Ingress.Allowed
	return v
}

// direction decides for pod (the policies' subject) talking with other;
// ingress tells which side pod is on. Ports are always the destination's.
func (e *Evaluator) direction(pod, other Workload, ingress bool, protocol corev1.Protocol, port int32) DirectionVerdict {
	var d DirectionVerdict
	podLabels := labels.Set(pod.Labels)
	dst := other
	if ingress {
		dst = pod
	}
	for _, p := range e.byNS[pod.Namespace] {
		applies, rules := p.egress, p.out
		if ingress {
			applies, rules = p.ingress, p.in
		}
		if !applies || !p.pods.Matches(podLabels) {
			continue
		}
		d.Isolated = true
		for _, r := range rules {
			if e.peersMatch(r.peers, p, other) && portsMatch(r.ports, dst, protocol, port) {
				d.AllowedBy = append(d.AllowedBy, p.id)
				break
			}
		}
	}
	d.Allowed = !d.Isolated || len(d.AllowedBy) > 0
	return d
}

func (e *Evaluator) peersMatch(peers []peer, p *policy, w Workload) bool {
	if len(peers) == 0 {
		return true
	}
	for _, pr := range peers {
		if pr.block.IsValid() {
			if w.IP.IsValid() && pr.block.Contains(w.IP.Unmap()) && !anyContains(pr.except, w.IP.Unmap()) {
				return true
			}
			continue
		}
		if w.Namespace == "" {
			continue // selectors match pods only
		}
		if pr.namespaces == nil {
			if w.Namespace != p.ns {
				continue
			}
		} else if !pr.namespaces.Matches(e.namespaceLabels(w.Namespace)) {
			continue
		}
		if pr.pods == nil || pr.pods.Matches(labels.Set(w.Labels)) {
			return true
		}
	}
	return false
}

func (e *Evaluator) namespaceLabels(ns string) labels.Set {
	if l, ok := e.nsLabels[ns]; ok {
		return l
	}
	return labels.Set{corev1.LabelMetadataName: ns}
}

func anyContains(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func portsMatch(ports []networkingv1.NetworkPolicyPort, dst Workload, protocol corev1.Protocol, port int32) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		proto := corev1.ProtocolTCP
		if p.Protocol != nil {
			proto = *p.Protocol
		}
		if proto != protocol {
			continue
		}
		switch {
		case p.Port == nil:
			return true
		case p.Port.Type == intstr.Int:
			from := p.Port.IntVal
			to := from
			if p.EndPort != nil {
				to = *p.EndPort
			}
			if port >= from && port <= to {
				return true
			}
		default: // named port, resolved on the destination pod
			for _, cp := range dst.Ports {
				cpProto := cp.Protocol
				if cpProto == "" {
					cpProto = corev1.ProtocolTCP
				}
				if cp.Name == p.Port.StrVal && cpProto == protocol && cp.ContainerPort == port {
					return true
				}
			}
		}
	}
	return false
}
