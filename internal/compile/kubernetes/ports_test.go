package kubernetes

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// The rules of an allow policy are ordered by comparing port sets and peers
// directly. These orders must be the ones their text keys give (a port set
// written TCP:00080-00080,…; a peer "0\x00"+subject key or
// "1\x00"+prefixSortKey), which the manifests were always sorted by.

func TestComparePeersIsTheOrderOfTheirKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	subjects := []*subject{{key: "ns-a\x00app=x,"}, {key: "ns-a\x00app=y,"}, {key: "ns-b\x00"}}
	var ids []peerID
	for _, s := range subjects {
		ids = append(ids, peerID{subj: s})
	}
	for range 300 {
		var p netip.Prefix
		if rng.IntN(2) == 0 {
			a := [4]byte{byte(rng.IntN(3)), byte(rng.IntN(256)), 0, 0}
			p = netip.PrefixFrom(netip.AddrFrom4(a), 8+rng.IntN(25)).Masked()
		} else {
			var a [16]byte
			a[0], a[1], a[15] = 0x20, byte(rng.IntN(3)), byte(rng.IntN(256))
			p = netip.PrefixFrom(netip.AddrFrom16(a), 16+rng.IntN(113)).Masked()
		}
		ids = append(ids, peerID{cidr: p})
	}
	key := func(id *peerID) string {
		if id.subj != nil {
			return "0\x00" + id.subj.key
		}
		return "1\x00" + prefixSortKey(id.cidr)
	}
	for i := range ids {
		for j := range ids {
			want := strings.Compare(key(&ids[i]), key(&ids[j]))
			if got := comparePeers(&ids[i], &ids[j]); got != want {
				t.Fatalf("comparePeers(%v, %v) = %d, the keys compare %d", ids[i], ids[j], got, want)
			}
		}
	}
}

func TestCompareSpecsIsTheOrderOfTheirKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sets := [][]portSpec{nil, {}}
	for range 300 {
		var s []portSpec
		for range rng.IntN(4) {
			p := corev1.ProtocolTCP
			if rng.IntN(2) == 0 {
				p = corev1.ProtocolUDP
			}
			from := 1 + rng.IntN(10) // small ranges that overlap, and ports far apart
			if rng.IntN(4) == 0 {
				from = 1 + rng.IntN(65000)
			}
			s = append(s, portSpec{p, from, from + rng.IntN(10)})
		}
		sets = append(sets, s)
	}
	key := func(s []portSpec) string {
		var b strings.Builder
		for _, x := range s {
			fmt.Fprintf(&b, "%s:%05d-%05d,", x.protocol, x.from, x.to)
		}
		return b.String()
	}
	for _, a := range sets {
		for _, b := range sets {
			if got, want := compareSpecs(a, b), strings.Compare(key(a), key(b)); got != want {
				t.Fatalf("compareSpecs(%v, %v) = %d, the keys compare %d", a, b, got, want)
			}
		}
	}
}
