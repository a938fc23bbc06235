package review

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// The surface every random posture governs: an OIDC identity provider
// (groups are claim values, MFA read from amr) and all three device
// providers, two HTTPS applications.
func fixedSurface() model.ProtectSurface {
	return model.ProtectSurface{
		Name:        "portal",
		Sensitivity: "public",
		Proxy: model.AccessProxy{Name: "proxy",
			IdentityProvider: model.IdentityProvider{Type: model.IdentityOIDC, Reference: "idp"},
			DeviceProviders: []model.DeviceTrustProvider{
				{Type: model.DeviceJamf, Reference: "jamf"}, {Type: model.DeviceCrowdStrike, Reference: "cs"}, {Type: model.DeviceJumpCloud, Reference: "jc"},
			}},
		Applications: []model.Application{{Name: "portal", Protocol: model.ProtocolHTTPS}, {Name: "admin", Protocol: model.ProtocolHTTPS}},
	}
}

func pick[T any](r *rand.Rand, from []T) []T {
	var out []T
	for _, v := range from {
		if r.IntN(4) == 0 {
			out = append(out, v)
		}
	}
	return out
}

// randomPosture draws up to four access rules over the fixed surface's
// groups, devices, methods, paths, networks and applications.
func randomPosture(r *rand.Rand) model.ProtectSurface {
	s := fixedSurface()
	n := r.IntN(4)
	for i := range n {
		rule := model.AccessRule{
			Name:                 fmt.Sprintf("rule-%d", i),
			Effect:               model.EffectPermit,
			Groups:               pick(r, []string{"eng", "fin", "ops"}),
			RequireMFA:           r.IntN(6) == 0,
			RequireVerifiedEmail: r.IntN(6) == 0,
			Methods:              pick(r, []string{"GET", "POST"}),
			PathPrefixes:         pick(r, []string{"/admin", "/pub*"}),
			ClientCIDRs:          pick(r, []string{"10.0.0.0/8", "10.1.0.0/16"}),
			Applications:         pick(r, []string{"portal", "admin"}),
			Acknowledgement:      "random posture of the property test",
		}
		if r.IntN(4) == 0 {
			rule.Effect = model.EffectForbid
		}
		if r.IntN(3) == 0 {
			d := &model.DeviceRequirement{}
			if r.IntN(2) == 0 {
				d.Jamf = &model.JamfRequirement{MaxRisk: model.JamfRiskLevels[r.IntN(4)]}
			}
			if r.IntN(2) == 0 {
				d.CrowdStrike = &model.CrowdStrikeRequirement{MinOverallScore: []int{0, 50, 80}[r.IntN(3)]}
			}
			if d.Conditions() == 0 || r.IntN(3) == 0 {
				d.JumpCloud = &model.JumpCloudRequirement{Managed: true}
			}
			if r.IntN(2) == 0 {
				d.Combine = model.CombineAnyOf
			}
			rule.Device = d
		}
		s.AccessRules = append(s.AccessRules, rule)
	}
	return s
}

// matrix is a full decision matrix: every class decided by the model's
// reference semantics (analyze.Reference, no Cedar), which the review does
// not use.
func matrix(t *testing.T, s *model.ProtectSurface, classes []Class) map[string]analyze.Decision {
	out := map[string]analyze.Decision{}
	for _, c := range classes {
		if s == nil {
			out[c.Key()] = analyze.Decision{}
			continue
		}
		d, err := analyze.Reference(*s, c.Application, c.Req)
		if err != nil {
			t.Fatal(err)
		}
		out[c.Key()] = d
	}
	return out
}

// For random pairs of postures, the review's gained and lost classes (and
// their deciding rules) are the difference of the two full decision
// matrices computed independently.
func TestReviewIsTheDifferenceOfDecisionMatrices(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 1))
	target := 120
	if testing.Short() {
		target = 30
	}
	pairs, changes := 0, 0
	for pairs < target {
		var sides [2]*model.ProtectSurface
		for i := range sides {
			if r.IntN(10) == 0 {
				continue // the surface is created or deleted
			}
			s := randomPosture(r)
			if s.Validate().HasErrors() {
				break
			}
			sides[i] = &s
		}
		if (sides[0] != nil && sides[0].Validate().HasErrors()) || (sides[1] != nil && sides[1].Validate().HasErrors()) {
			continue
		}
		pairs++
		got, err := DiffSurface(sides[0], sides[1])
		if err != nil {
			t.Fatalf("pair %d: %v", pairs, err)
		}
		classes, err := Classes(sides[0], sides[1])
		if err != nil {
			t.Fatal(err)
		}
		before, after := matrix(t, sides[0], classes), matrix(t, sides[1], classes)
		var want []string
		for _, c := range classes {
			b, a := before[c.Key()], after[c.Key()]
			if b.Allowed != a.Allowed {
				want = append(want, fmt.Sprintf("%v %s %v -> %v", a.Allowed, c.Key(), b, a))
			}
		}
		var have []string
		for _, c := range got {
			have = append(have, fmt.Sprintf("%v %s %v -> %v", c.Gained, c.Class.Key(), c.Before, c.After))
		}
		slices.Sort(want)
		slices.Sort(have)
		if !slices.Equal(want, have) {
			t.Fatalf("pair %d:\nbefore %+v\nafter %+v\nreview:\n%q\nmatrices:\n%q", pairs, sides[0], sides[1], have, want)
		}
		changes += len(have)
	}
	if changes == 0 {
		t.Fatal("no pair changed any decision: the generator draws nothing to compare")
	}
	t.Logf("%d pairs, %d changed classes", pairs, changes)
}

// Every class differs from every other in some label: the classes are a
// partition the reader can tell apart.
func TestClassesAreDistinct(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 20 {
		a, b := randomPosture(r), randomPosture(r)
		seen := map[string]bool{}
		classes, err := Classes(&a, &b)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range classes {
			if seen[c.Key()] {
				t.Fatalf("class %q twice", c.Key())
			}
			seen[c.Key()] = true
		}
	}
}
