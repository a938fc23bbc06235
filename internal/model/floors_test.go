package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestFloorsTableIsMonotonic(t *testing.T) {
	if len(Floors) != len(Sensitivities) {
		t.Fatalf("%d floors for %d sensitivities", len(Floors), len(Sensitivities))
	}
	for i, f := range Floors {
		if f.Sensitivity != Sensitivities[i] {
			t.Fatalf("floor %d is %q, want %q", i, f.Sensitivity, Sensitivities[i])
		}
		if got, ok := FloorFor(f.Sensitivity); !ok || got != f {
			t.Fatalf("FloorFor(%q) = %+v, %v", f.Sensitivity, got, ok)
		}
		if i == 0 {
			continue
		}
		p := Floors[i-1]
		weaker := (p.Group && !f.Group) || p.Device > f.Device || (p.EmailOrMFA && !f.EmailOrMFA) || (p.MFA && !f.MFA) || (p.ExplicitMethods && !f.ExplicitMethods) ||
			(p.CustomerManagedKey && !f.CustomerManagedKey)
		if weaker {
			t.Fatalf("%s demands less than %s", f.Sensitivity, p.Sensitivity)
		}
	}
	if _, ok := FloorFor("secret"); ok {
		t.Fatal("FloorFor accepted an unknown sensitivity")
	}
}

func TestDeviceStrength(t *testing.T) {
	jamf := func(l string) *JamfRequirement { return &JamfRequirement{MaxRisk: l} }
	cs := func(s int) *CrowdStrikeRequirement { return &CrowdStrikeRequirement{MinOverallScore: s} }
	cases := []struct {
		d    *DeviceRequirement
		want DeviceStrength
	}{
		{nil, DeviceNone},
		{&DeviceRequirement{}, DeviceNone},
		{&DeviceRequirement{Jamf: jamf("SECURE")}, DeviceStrong},
		{&DeviceRequirement{Jamf: jamf("LOW")}, DeviceStrong},
		{&DeviceRequirement{Jamf: jamf("MEDIUM")}, DeviceModerate},
		{&DeviceRequirement{Jamf: jamf("HIGH")}, DeviceBasic},
		{&DeviceRequirement{CrowdStrike: cs(100)}, DeviceStrong},
		{&DeviceRequirement{CrowdStrike: cs(80)}, DeviceStrong},
		{&DeviceRequirement{CrowdStrike: cs(79)}, DeviceModerate},
		{&DeviceRequirement{CrowdStrike: cs(50)}, DeviceModerate},
		{&DeviceRequirement{CrowdStrike: cs(49)}, DeviceBasic},
		{&DeviceRequirement{JumpCloud: &JumpCloudRequirement{Managed: true}}, DeviceStrong},
		// all-of: as strong as the strongest condition.
		{&DeviceRequirement{Jamf: jamf("HIGH"), CrowdStrike: cs(90)}, DeviceStrong},
		{&DeviceRequirement{Jamf: jamf("HIGH"), CrowdStrike: cs(90), Combine: CombineAllOf}, DeviceStrong},
		// any-of: as weak as the weakest.
		{&DeviceRequirement{Jamf: jamf("HIGH"), CrowdStrike: cs(90), Combine: CombineAnyOf}, DeviceBasic},
		{&DeviceRequirement{Jamf: jamf("LOW"), CrowdStrike: cs(60), Combine: CombineAnyOf}, DeviceModerate},
		{&DeviceRequirement{Jamf: jamf("LOW"), JumpCloud: &JumpCloudRequirement{Managed: true}, Combine: CombineAnyOf}, DeviceStrong},
	}
	for _, c := range cases {
		if got := c.d.Strength(); got != c.want {
			t.Errorf("%+v: strength %v, want %v", c.d, got, c.want)
		}
	}
	if DeviceStrong.String() != "strong" || DeviceStrength(9).String() != "DeviceStrength(9)" {
		t.Error("DeviceStrength.String")
	}
}

// minimalRule is the weakest permit rule that meets a floor.
func minimalRule(f Floor) AccessRule {
	r := AccessRule{Name: "r", Effect: EffectPermit}
	if f.Group {
		r.Groups = []string{groupEng}
	}
	switch f.Device {
	case DeviceStrong:
		r.Device = &DeviceRequirement{Jamf: &JamfRequirement{MaxRisk: JamfStrongMaxRisk}}
	case DeviceModerate:
		r.Device = &DeviceRequirement{CrowdStrike: &CrowdStrikeRequirement{MinOverallScore: CrowdStrikeModerateScore}}
	}
	if f.MFA {
		r.RequireMFA = true
	} else if f.EmailOrMFA {
		r.RequireVerifiedEmail = true
	}
	if f.ExplicitMethods {
		r.Methods = []string{"GET"}
	}
	if r.IsUnconditional() {
		r.PathPrefixes = []string{"/public/"} // public: any condition avoids the unconditional-permit ban
	}
	return r
}

func TestFloors(t *testing.T) {
	path := Root("access_rule").Index(3)
	for _, f := range Floors {
		t.Run(f.Sensitivity, func(t *testing.T) {
			base := minimalRule(f)
			if ps := CheckFloor(f.Sensitivity, base, path, false); len(ps) != 0 {
				t.Fatalf("minimal rule %+v: %v", base, ps)
			}
			// Weaken the rule one way at a time: each shortfall is an error at
			// its attribute, or a warning once acknowledged.
			weaken := map[string]func(*AccessRule){
				"groups":                 func(r *AccessRule) { r.Groups = nil },
				"device":                 func(r *AccessRule) { r.Device = &DeviceRequirement{Jamf: &JamfRequirement{MaxRisk: "HIGH"}} },
				"require_mfa":            func(r *AccessRule) { r.RequireMFA = false; r.RequireVerifiedEmail = true },
				"require_verified_email": func(r *AccessRule) { r.RequireMFA = false; r.RequireVerifiedEmail = false },
				"methods":                func(r *AccessRule) { r.Methods = nil },
			}
			demands := map[string]bool{
				"groups": f.Group, "device": f.Device > DeviceBasic, "require_mfa": f.MFA,
				"require_verified_email": f.EmailOrMFA && !f.MFA, "methods": f.ExplicitMethods,
			}
			for attr, edit := range weaken {
				r := base
				edit(&r)
				ps := CheckFloor(f.Sensitivity, r, path, false)
				reported := attr
				if attr == "require_verified_email" && f.MFA {
					reported = "require_mfa" // MFA is what restricted asks for
				}
				want := []string(nil)
				if demands[attr] || demands[reported] {
					want = []string{path.At(reported).String()}
				}
				if got := paths(ps, Error); !slices.Equal(got, want) && !(r.IsUnconditional() && f.Sensitivity != "public") {
					t.Errorf("weakening %s: errors %v, want %v (%v)", attr, got, want, ps)
				}
				r.Acknowledgement = "accepted risk"
				ack := CheckFloor(f.Sensitivity, r, path, false)
				if ack.HasErrors() {
					t.Errorf("weakening %s, acknowledged: still errors %v", attr, ack)
				}
				if want != nil && !slices.Contains(paths(ack, Warning), want[0]) {
					t.Errorf("weakening %s, acknowledged: no warning at %s: %v", attr, want[0], ack)
				}
			}
			forbid := AccessRule{Name: "f", Effect: EffectForbid}
			if ps := CheckFloor(f.Sensitivity, forbid, path, false); len(ps) != 0 {
				t.Errorf("forbid rules have no floor: %v", ps)
			}
		})
	}
}

func TestUnconditionalPermit(t *testing.T) {
	path := Root("access_rule").Index(0)
	r := AccessRule{Name: "all", Effect: EffectPermit}
	if ps := CheckFloor("public", r, path, false); len(ps) != 0 {
		t.Fatalf("public surfaces may be open: %v", ps)
	}
	for _, s := range Sensitivities[1:] {
		ps := CheckFloor(s, r, path, false)
		if !slices.ContainsFunc(ps, func(p Problem) bool {
			return p.Severity == Error && p.Summary == "Unconditional permit" && p.Path.String() == "access_rule[0]"
		}) {
			t.Errorf("%s: unconditional permit not refused at the rule: %v", s, ps)
		}
		ack := r
		ack.Acknowledgement = "intentionally open"
		ps = CheckFloor(s, ack, path, false)
		if ps.HasErrors() || !slices.ContainsFunc(ps, func(p Problem) bool { return p.Summary == "Acknowledged: unconditional permit" }) {
			t.Errorf("%s: acknowledged unconditional permit: %v", s, ps)
		}
		if !strings.Contains(ps[0].Detail, "intentionally open") {
			t.Errorf("the warning should quote the acknowledgement: %q", ps[0].Detail)
		}
	}
	// Conditions other than identity and device still make a rule conditional
	// (the floor decides whether they are enough).
	if ps := CheckFloor("internal", AccessRule{Name: "m", Effect: EffectPermit, Methods: []string{"GET"}}, path, false); slices.ContainsFunc(ps, func(p Problem) bool { return p.Summary == "Unconditional permit" }) {
		t.Errorf("a methods-only rule is not unconditional: %v", ps)
	}
}

func TestUnneededAcknowledgement(t *testing.T) {
	r := restrictedRule("ok")
	r.Acknowledgement = "just in case"
	ps := CheckFloor("restricted", r, Root("access_rule").Index(0), false)
	if ps.HasErrors() || len(ps) != 1 || ps[0].Path.String() != "access_rule[0].acknowledgement" {
		t.Fatalf("want one warning at the acknowledgement, got %v", ps)
	}
}

func TestCheckFloorUnknownSensitivity(t *testing.T) {
	if ps := CheckFloor("secret", AccessRule{Name: "x", Effect: EffectPermit}, nil, false); len(ps) != 0 {
		t.Fatalf("unknown sensitivities are reported by Validate, not here: %v", ps)
	}
}

// ExampleFloors prints the sensitivity-floor table.
func ExampleFloors() {
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "-"
	}
	fmt.Printf("%-13s %-6s %-9s %-12s %-4s %s\n", "sensitivity", "group", "device", "email|mfa", "mfa", "methods")
	for _, f := range Floors {
		dev := "-"
		if f.Device > DeviceNone {
			dev = f.Device.String()
		}
		fmt.Printf("%-13s %-6s %-9s %-12s %-4s %s\n", f.Sensitivity, yes(f.Group), dev, yes(f.EmailOrMFA), yes(f.MFA), yes(f.ExplicitMethods))
	}
	// Output:
	// sensitivity   group  device    email|mfa    mfa  methods
	// public        -      -         -            -    -
	// internal      yes    -         -            -    -
	// confidential  yes    moderate  yes          -    -
	// restricted    yes    strong    yes          yes  yes
}

// TestFloorWaivesMethodsForTCPOnlyRules: a rule that applies only to TCP
// applications cannot list HTTP methods (they are refused there), so the
// restricted floor does not demand them; every other demand stands.
func TestFloorWaivesMethodsForTCPOnlyRules(t *testing.T) {
	r := AccessRule{Name: "dba", Effect: EffectPermit, Groups: []string{"g"}, RequireMFA: true,
		Device: &DeviceRequirement{Jamf: &JamfRequirement{MaxRisk: "SECURE"}}}
	path := Root("access_rule").Index(0)
	if ps := CheckFloor("restricted", r, path, true); len(ps) != 0 {
		t.Fatalf("tcp-only rule meeting every other demand: %v", ps)
	}
	if ps := CheckFloor("restricted", r, path, false); len(ps) != 1 || ps[0].Path.String() != "access_rule[0].methods" {
		t.Fatalf("http rule without methods: %v, want one problem at methods", ps)
	}
	r.RequireMFA = false
	if ps := CheckFloor("restricted", r, path, true); len(ps) == 0 {
		t.Fatal("the TCP waiver must not waive MFA")
	}
}

// TestCheckKeyFloor: the customer-managed-key floor binds only where it is
// enforced and the sensitivity's floor demands a key; an acknowledgement
// turns the error into a warning that quotes it, and one not needed is
// itself a warning.
func TestCheckKeyFloor(t *testing.T) {
	key, ack := Root("kms_key_arn"), Root("customer_managed_key_acknowledgement")
	type want struct {
		severity Severity
		path     string
		detail   string
	}
	cases := []struct {
		name        string
		sensitivity string
		hasKey      bool
		ack         string
		enforced    bool
		want        []want
	}{
		{"restricted, no key, not enforced", "restricted", false, "", false, nil},
		{"restricted, no key, enforced", "restricted", false, "", true, []want{{Error, "kms_key_arn", "must encrypt its Verified Access group and endpoints with a customer-managed KMS key"}}},
		{"restricted, no key, acknowledged", "restricted", false, "shared tenancy key pending", true, []want{{Warning, "kms_key_arn", "Acknowledged because: shared tenancy key pending"}}},
		{"restricted, key, enforced", "restricted", true, "", true, nil},
		{"restricted, key, needless acknowledgement", "restricted", true, "old reason", true, []want{{Warning, "customer_managed_key_acknowledgement", "remove customer_managed_key_acknowledgement"}}},
		{"confidential, no key, enforced", "confidential", false, "", true, nil},
		{"unknown sensitivity", "secret", false, "", true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckKeyFloor(tc.sensitivity, tc.hasKey, tc.ack, tc.enforced, key, ack)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %d problems", got, len(tc.want))
			}
			for i, w := range tc.want {
				p := got[i]
				if p.Severity != w.severity || p.Path.String() != w.path || !strings.Contains(p.Detail, w.detail) {
					t.Fatalf("problem %d = %+v, want %+v", i, p, w)
				}
			}
		})
	}
}
