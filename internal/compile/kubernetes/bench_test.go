package kubernetes

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// benchPolicies builds n flows: n/10 segments over 10 namespaces, each
// governing 10 flows to random segments (70%) or CIDR blocks (30%).
func benchPolicies(n int) []Policy {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	segs := make([]model.Segment, max(n/10, 1))
	for i := range segs {
		segs[i] = seg(fmt.Sprintf("segment-%d", i), fmt.Sprintf("ns-%d", i%10), fmt.Sprintf("sa-%d", i), "app", fmt.Sprintf("app-%d", i), "tier", fmt.Sprintf("t%d", i%3))
	}
	policies := make([]Policy, len(segs))
	for i := range policies {
		policies[i].Segment = segs[i]
		policies[i].SegmentPath = model.Root("segment").Index(i)
		for j := range n / len(segs) {
			var peer model.Peer
			if rng.IntN(10) < 7 {
				s := segs[rng.IntN(len(segs))]
				peer = model.Peer{Segment: &s}
			} else {
				peer = model.Peer{CIDR: fmt.Sprintf("10.%d.%d.0/24", rng.IntN(256), rng.IntN(256))}
			}
			from := 1 + rng.IntN(60000)
			var f model.Flow
			if rng.IntN(2) == 0 {
				f = in(j, peer, "tcp", pr(from, from+rng.IntN(3)), pr(from+10, from+10))
			} else {
				f = out(j, peer, "udp", pr(from, from))
			}
			policies[i].Flows = append(policies[i].Flows, f)
		}
	}
	return policies
}

func BenchmarkCompile(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		policies := benchPolicies(n)
		for _, mode := range []struct {
			name string
			opts Options
		}{
			{"networkpolicy", Options{Owner: "bench"}},
			{"istio", Options{Owner: "bench", Istio: &IstioOptions{}}},
		} {
			b.Run(fmt.Sprintf("%s/flows=%d", mode.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					objs, ps := CompileAll(policies, mode.opts)
					if ps.HasErrors() || len(objs.NetworkPolicies) == 0 {
						b.Fatal(ps)
					}
				}
			})
		}
	}
}

func BenchmarkCompileAndRenderYAML(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		policies := benchPolicies(n)
		b.Run(fmt.Sprintf("flows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				objs, _ := CompileAll(policies, Options{Owner: "bench"})
				if _, err := objs.YAML(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
