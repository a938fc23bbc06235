package kubernetes

import (
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Ports each peer may use, merged per protocol, and the peers they go to.

type peerPorts struct {
	peer  peerRef
	ports portAcc
}

// portAcc accumulates the ports a peer may use, per protocol.
type portAcc struct {
	all      bool
	tcp, udp []model.PortRange
}

func (a *portAcc) add(protocol string, ports []model.PortRange) {
	switch protocol {
	case "all":
		a.all = true
	case "udp":
		a.udp = append(a.udp, ports...)
	default:
		a.tcp = append(a.tcp, ports...)
	}
}

type portSpec struct {
	protocol corev1.Protocol
	from, to int
}

// specs returns the canonical port set (nil when every protocol and port is
// allowed) and a key that sorts numerically: TCP before UDP, then by port.
func (a *portAcc) specs() ([]portSpec, string) {
	if a.all {
		return nil, ""
	}
	out := make([]portSpec, 0, len(a.tcp)+len(a.udp))
	key := make([]byte, 0, 16*(len(a.tcp)+len(a.udp)))
	for _, pr := range []struct {
		p  corev1.Protocol
		rs []model.PortRange
	}{{corev1.ProtocolTCP, a.tcp}, {corev1.ProtocolUDP, a.udp}} {
		for _, r := range model.MergePortRanges(pr.rs) {
			out = append(out, portSpec{pr.p, r.From, r.To})
			key = append(key, pr.p...)
			key = append(key, ':')
			key = appendPadded(key, r.From)
			key = append(key, '-')
			key = appendPadded(key, r.To)
			key = append(key, ',')
		}
	}
	return out, string(key)
}

// appendPadded appends a port as five digits, so keys sort numerically.
func appendPadded(b []byte, port int) []byte {
	for d := 10000; d > 0; d /= 10 {
		b = append(b, byte('0'+port/d%10))
	}
	return b
}

func (c *compiler) peerRefOf(s side) peerRef {
	if s.subj != nil {
		return peerRef{sortKey: s.subj.peerSortKey, subj: s.subj}
	}
	return peerRef{sortKey: "1\x00" + prefixSortKey(s.cidr), cidr: s.cidr.String()}
}

// prefixSortKey orders CIDR blocks IPv4 first, then by address and length.
func prefixSortKey(p netip.Prefix) string {
	family := "6"
	if p.Addr().Is4() {
		family = "4"
	}
	a := p.Addr().As16()
	return fmt.Sprintf("%s%x/%03d", family, a[:], p.Bits())
}

// peerID identifies a peer: a subject, or a CIDR block.
type peerID struct {
	subj *subject
	cidr netip.Prefix
}

func (c *compiler) addPeerPorts(dir map[*subject]map[peerID]*peerPorts, sub *subject, peer side, protocol string, ports []model.PortRange) {
	m := dir[sub]
	if m == nil {
		m = map[peerID]*peerPorts{}
		dir[sub] = m
	}
	id := peerID{subj: peer.subj}
	if peer.subj == nil {
		id.cidr = peer.cidr
	}
	pp := m[id]
	if pp == nil {
		pp = &peerPorts{peer: c.peerRefOf(peer)}
		m[id] = pp
	}
	pp.ports.add(protocol, ports)
}
