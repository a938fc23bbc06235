package analyze

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// benchSurface is a realistic large surface: Identity Center, Jamf and
// CrowdStrike, three applications, n rules over n distinct groups, most of
// them whole-surface, a fifth application-specific, some forbids.
func benchSurface(n int) model.ProtectSurface {
	r := rand.New(rand.NewPCG(1, 2))
	s := model.ProtectSurface{
		Name: "bench", Sensitivity: "confidential",
		Proxy: model.AccessProxy{Name: "corp",
			IdentityProvider: model.IdentityProvider{Type: model.IdentityIAMIdentityCenter, Reference: "idc", MFAEnforced: true},
			DeviceProviders:  []model.DeviceTrustProvider{{Type: model.DeviceJamf, Reference: "jamf"}, {Type: model.DeviceCrowdStrike, Reference: "crwd"}}},
		Applications: []model.Application{{Name: "admin"}, {Name: "api"}, {Name: "web"}},
	}
	for i := range n {
		rule := model.AccessRule{
			Name: fmt.Sprintf("rule-%04d", i), Effect: model.EffectPermit,
			Groups:               []string{benchGroup(i), benchGroup(i + 1)},
			Device:               &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: pick(r, []string{"LOW", "MEDIUM"})}},
			RequireVerifiedEmail: true,
			RequireMFA:           r.IntN(2) == 0,
		}
		if r.IntN(2) == 0 {
			rule.Device.CrowdStrike = &model.CrowdStrikeRequirement{MinOverallScore: 60}
			rule.Device.Combine = model.CombineAnyOf
		}
		if r.IntN(3) == 0 {
			rule.Methods = []string{"GET", "HEAD"}
		}
		if r.IntN(4) == 0 {
			rule.PathPrefixes = []string{fmt.Sprintf("/team-%d/", i)}
		}
		if r.IntN(5) == 0 {
			rule.Applications = []string{pick(r, []string{"admin", "api", "web"})}
		}
		if r.IntN(10) == 0 {
			rule.Effect = model.EffectForbid
			rule.ClientCIDRs = []string{"198.51.100.0/24"}
		}
		s.AccessRules = append(s.AccessRules, rule)
	}
	return s
}

func benchGroup(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i) }

func benchRequests(s model.ProtectSurface, n int) []Request {
	r := rand.New(rand.NewPCG(3, 4))
	out := make([]Request, n)
	for i := range out {
		k := r.IntN(len(s.AccessRules) + 20)
		out[i] = Request{
			Identity:    &Identity{Groups: []string{benchGroup(k)}, EmailVerified: ptr(r.IntN(5) > 0)},
			Jamf:        &JamfFacts{Risk: ptr(pick(r, []string{"SECURE", "LOW", "MEDIUM", "HIGH"}))},
			CrowdStrike: &CrowdStrikeFacts{Overall: ptr(r.IntN(101))},
			Method:      pick(r, []string{"GET", "POST", "HEAD"}),
			Path:        fmt.Sprintf("/team-%d/x", r.IntN(len(s.AccessRules))),
			ClientIP:    pick(r, reqIPs[:5]),
		}
	}
	return out
}

func benchDecide(b *testing.B, s model.ProtectSurface, full bool) {
	c := compiledSurface(b, s)
	decide := c.Decide
	if full {
		decide = c.DecideFull
	}
	reqs := benchRequests(s, 1024)
	apps := []string{"admin", "api", "web"}
	b.ReportAllocs()
	b.ResetTimer()
	start, cpuStart := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := decide(apps[i%3], reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, start, cpuStart)
}

// reportRates reports decisions per second of wall time and of CPU time:
// on a machine shared with other work, wall time counts the time other
// processes held the CPU, and CPU time (run with -cpu 1 for one core) does
// not.
func reportRates(b *testing.B, start time.Time, cpuStart time.Duration) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "decisions/s")
	if cpu := cpuTime() - cpuStart; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "decisions/cpu-s")
	}
}

// cpuTime is the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDecide100Rules measures cedar-go decisions per second, on one
// goroutine, for a 100-rule surface of which a fifth are
// application-specific: each decision evaluates the application's endpoint
// policy (the group policy is proved implied when the surface is loaded).
func BenchmarkDecide100Rules(b *testing.B) { benchDecide(b, benchSurface(100), false) }

// BenchmarkDecideFull100Rules is the same surface evaluated as Verified
// Access does, group policy and endpoint policy both.
func BenchmarkDecideFull100Rules(b *testing.B) { benchDecide(b, benchSurface(100), true) }

// BenchmarkDecide100RulesOneDocument is a 100-rule surface whose rules all
// apply to the whole surface: one group policy, no endpoint policies.
func BenchmarkDecide100RulesOneDocument(b *testing.B) {
	s := benchSurface(100)
	for i := range s.AccessRules {
		s.AccessRules[i].Applications = nil
	}
	benchDecide(b, s, false)
}

// BenchmarkReference100Rules measures the reference evaluator on the same
// surface, for comparison.
func BenchmarkReference100Rules(b *testing.B) {
	s := benchSurface(100)
	reqs := benchRequests(s, 1024)
	apps := []string{"admin", "api", "web"}
	b.ReportAllocs()
	b.ResetTimer()
	start, cpuStart := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := Reference(s, apps[i%3], reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, start, cpuStart)
}

// BenchmarkContext100Rules measures building the request context alone, as
// a decision on the 100-rule surface builds it: most of a decision's cost
// when the statement index leaves little to evaluate.
func BenchmarkContext100Rules(b *testing.B) {
	s := benchSurface(100)
	c := compiledSurface(b, s)
	reqs := benchRequests(s, 1024)
	app := c.apps["api"]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		newContext(c.proxy, app.hostname, !app.tcp, reqs[i%len(reqs)], c.identities)
	}
}
