package verifiedaccess_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	va "github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// largeSurface has n rules over n groups, every condition kind, a fifth of
// them application-specific (so endpoint policies are compiled too).
func largeSurface(n int) model.ProtectSurface {
	s := model.ProtectSurface{Name: "large", Sensitivity: "confidential", Proxy: idcProxy(),
		Applications: []model.Application{{Name: "admin"}, {Name: "api"}, {Name: "web"}}}
	for i := range n {
		r := model.AccessRule{
			Name: fmt.Sprintf("rule-%05d", i), Effect: model.EffectPermit,
			Groups:               []string{fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i), fmt.Sprintf("%08x-0000-4000-8000-%012x", i+1, i+1)},
			Device:               &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: "MEDIUM"}, CrowdStrike: &model.CrowdStrikeRequirement{MinOverallScore: 60}, Combine: model.CombineAnyOf},
			RequireVerifiedEmail: true,
			RequireMFA:           i%2 == 0,
			Methods:              []string{"GET", "HEAD"},
			PathPrefixes:         []string{fmt.Sprintf("/team-%d/", i)},
		}
		if i%5 == 0 {
			r.Applications = []string{[]string{"admin", "api", "web"}[i%3]}
		}
		if i%10 == 3 {
			r.Effect = model.EffectForbid
			r.ClientCIDRs = []string{"198.51.100.0/24", "2001:db8::/32"}
		}
		s.AccessRules = append(s.AccessRules, r)
	}
	return s
}

func benchCompile(b *testing.B, n int) {
	s := largeSurface(n)
	if _, ps := va.Compile(s, va.Options{}); ps.HasErrors() {
		b.Fatal(ps)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		va.Compile(s, va.Options{})
	}
}

// BenchmarkCompile100 and BenchmarkCompile1000 time a full compile:
// validation, AST construction, marshalling, parse-back, canonical check and
// schema validation of the group policy and three endpoint policies.
func BenchmarkCompile100(b *testing.B)  { benchCompile(b, 100) }
func BenchmarkCompile1000(b *testing.B) { benchCompile(b, 1000) }

// cpuTime is the CPU time this process has used (user + system): on a
// machine shared with other work it measures the compile's own cost, which
// wall time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkScaling100To1000 compiles 100 and 1,000 rules alternately in one
// run and reports the ratio of their wall times and of their CPU times
// (target ≤ 11: near-linear), so machine load affects both sides alike, and
// the CPU milliseconds one 1,000-rule compile takes (target well under
// 500 ms; run with -cpu 1 for one core). Each measured compile follows an
// unmeasured one of the same size, so each finds the heap its size leaves
// behind (as in make bench), not the large one growing the heap the small
// one shrank.
func BenchmarkScaling100To1000(b *testing.B) {
	small, large := largeSurface(100), largeSurface(1000)
	compile := func(s model.ProtectSurface) {
		if _, ps := va.Compile(s, va.Options{}); ps.HasErrors() {
			b.Fatal(ps)
		}
	}
	var tSmall, tLarge, cpuSmall, cpuLarge time.Duration
	for i := 0; i < b.N; i++ {
		compile(small)
		start, cpuStart := time.Now(), cpuTime()
		compile(small)
		tSmall += time.Since(start)
		cpuSmall += cpuTime() - cpuStart
		compile(large)
		start, cpuStart = time.Now(), cpuTime()
		compile(large)
		tLarge += time.Since(start)
		cpuLarge += cpuTime() - cpuStart
	}
	b.ReportMetric(float64(tLarge)/float64(tSmall), "1000/100")
	b.ReportMetric(float64(cpuLarge)/float64(cpuSmall), "cpu-1000/100")
	b.ReportMetric(float64(cpuLarge.Milliseconds())/float64(b.N), "cpu-ms/1000-rules")
}
