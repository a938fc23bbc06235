package kubernetes

import (
	"bytes"
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Ports each peer may use, merged per protocol, and the peers they go to.

type peerPorts struct {
	id    peerID
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

// specs returns the canonical port set: nil when every protocol and port is
// allowed, else TCP before UDP, each by port.
func (a *portAcc) specs() []portSpec {
	if a.all {
		return nil
	}
	return a.appendSpecs(make([]portSpec, 0, a.ranges()))
}

// ranges is how many specs the port set has at most.
func (a *portAcc) ranges() int { return len(a.tcp) + len(a.udp) }

// appendSpecs appends the canonical port set to dst: nothing when every
// protocol and port is allowed. It merges the accumulated ranges in place.
func (a *portAcc) appendSpecs(dst []portSpec) []portSpec {
	if a.all {
		return dst
	}
	a.tcp, a.udp = model.MergePortRangesInPlace(a.tcp), model.MergePortRangesInPlace(a.udp)
	for _, r := range a.tcp {
		dst = append(dst, portSpec{corev1.ProtocolTCP, r.From, r.To})
	}
	for _, r := range a.udp {
		dst = append(dst, portSpec{corev1.ProtocolUDP, r.From, r.To})
	}
	return dst
}

// compareSpecs orders port sets: every port first, then spec by spec (TCP
// before UDP, then numerically by range), a set before the longer sets it
// begins.
func compareSpecs(a, b []portSpec) int {
	return slices.CompareFunc(a, b, func(x, y portSpec) int {
		return cmp.Or(strings.Compare(string(x.protocol), string(y.protocol)), cmp.Compare(x.from, y.from), cmp.Compare(x.to, y.to))
	})
}

// appendPadded appends a port as five digits, so keys sort numerically.
func appendPadded(b []byte, port int) []byte {
	for d := 10000; d > 0; d /= 10 {
		b = append(b, byte('0'+port/d%10))
	}
	return b
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

// comparePeers orders a rule's peers: subjects by key, then CIDR blocks,
// IPv4 first, by address, then by length (as prefixSortKey).
func comparePeers(a, b *peerID) int {
	switch {
	case a.subj != nil && b.subj != nil:
		return strings.Compare(a.subj.key, b.subj.key)
	case a.subj != nil:
		return -1
	case b.subj != nil:
		return 1
	}
	a4, b4 := a.cidr.Addr().Is4(), b.cidr.Addr().Is4()
	if a4 != b4 {
		if a4 {
			return -1
		}
		return 1
	}
	aa, ba := a.cidr.Addr().As16(), b.cidr.Addr().As16()
	return cmp.Or(bytes.Compare(aa[:], ba[:]), cmp.Compare(a.cidr.Bits(), b.cidr.Bits()))
}

// peerSet is a subject's peers in one direction and the ports each may
// use, in the order flows named them. A subject has few peers as a rule, so
// a scan finds one; past smallPeerSet an index does, so a subject named by
// many flows still costs a lookup per flow.
type peerSet struct {
	peers []peerPorts
	index map[peerID]int
}

const smallPeerSet = 16

func (s *peerSet) add(peer side, protocol string, ports []model.PortRange) {
	id := peerID{subj: peer.subj}
	if peer.subj == nil {
		id.cidr = peer.cidr
	}
	i := s.find(id)
	if i < 0 {
		i = len(s.peers)
		if s.peers == nil {
			s.peers = make([]peerPorts, 0, 8) // most subjects have a few peers
		}
		s.peers = append(s.peers, peerPorts{id: id})
		switch {
		case s.index != nil:
			s.index[id] = i
		case len(s.peers) > smallPeerSet:
			s.index = make(map[peerID]int, 2*len(s.peers))
			for j := range s.peers {
				s.index[s.peers[j].id] = j
			}
		}
	}
	s.peers[i].ports.add(protocol, ports)
}

// find returns the index of id's entry, or -1.
func (s *peerSet) find(id peerID) int {
	if s.index != nil {
		if i, ok := s.index[id]; ok {
			return i
		}
		return -1
	}
	for i := range s.peers {
		if s.peers[i].id == id {
			return i
		}
	}
	return -1
}
