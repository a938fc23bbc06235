package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

const (
	groupEng  = "c242c5b0-6081-1845-6fa8-6e0d9513c107"
	groupOps  = "9067f3a2-b0e1-4b1c-8f2e-0a1b2c3d4e5f"
	groupLong = "1234567890-aaaabbbb-cccc-dddd-eeee-ffff00001111"
)

func testProxy() AccessProxy {
	return AccessProxy{
		Name:             "corp",
		IdentityProvider: IdentityProvider{Type: IdentityIAMIdentityCenter, Reference: "idc", MFAEnforced: true},
		DeviceProviders: []DeviceTrustProvider{
			{Type: DeviceJamf, Reference: "jamf"},
			{Type: DeviceCrowdStrike, Reference: "crwd"},
			{Type: DeviceJumpCloud, Reference: "jc"},
		},
	}
}

// restrictedRule meets the restricted floor.
func restrictedRule(name string) AccessRule {
	return AccessRule{
		Name: name, Effect: EffectPermit,
		Groups:     []string{groupEng},
		Device:     &DeviceRequirement{Jamf: &JamfRequirement{MaxRisk: "LOW"}},
		RequireMFA: true,
		Methods:    []string{"GET", "POST"},
	}
}

func testSurface() ProtectSurface {
	return ProtectSurface{
		Name: "payments", Sensitivity: "restricted", Proxy: testProxy(),
		Applications: []Application{{Name: "payments-admin", Domain: "pay.internal.example.com"}, {Name: "payments-api"}},
		AccessRules: []AccessRule{
			restrictedRule("engineers"),
			{Name: "block-contractors", Effect: EffectForbid, Groups: []string{groupOps}, Applications: []string{"payments-admin"}},
		},
	}
}

func paths(ps Problems, sev Severity) []string {
	var out []string
	for _, p := range ps {
		if p.Severity == sev {
			out = append(out, p.Path.String())
		}
	}
	slices.Sort(out)
	return out
}

func TestValidSurfaceHasNoProblems(t *testing.T) {
	if ps := testSurface().Validate(); len(ps) != 0 {
		t.Fatalf("unexpected problems: %v", ps)
	}
}

func TestProxyValidation(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*AccessProxy)
		paths []string
	}{
		{"unknown identity type", func(p *AccessProxy) { p.IdentityProvider.Type = "saml" }, []string{"identity_provider.type"}},
		{"empty reference", func(p *AccessProxy) { p.IdentityProvider.Reference = "" }, []string{"identity_provider.reference"}},
		{"reference not an identifier", func(p *AccessProxy) { p.IdentityProvider.Reference = "policy-reference-name" }, []string{"identity_provider.reference"}},
		{"reference starts with digit", func(p *AccessProxy) { p.DeviceProviders[0].Reference = "1jamf" }, []string{"device_trust_provider[0].reference"}},
		{"reference is a keyword", func(p *AccessProxy) { p.DeviceProviders[1].Reference = "like" }, []string{"device_trust_provider[1].reference"}},
		{"reference is __cedar", func(p *AccessProxy) { p.DeviceProviders[1].Reference = "__cedar_x" }, []string{"device_trust_provider[1].reference"}},
		{"reference is http_request", func(p *AccessProxy) { p.DeviceProviders[2].Reference = "http_request" }, []string{"device_trust_provider[2].reference"}},
		{"duplicate reference", func(p *AccessProxy) { p.DeviceProviders[2].Reference = "idc" }, []string{"device_trust_provider[2].reference"}},
		{"unknown device type", func(p *AccessProxy) { p.DeviceProviders[0].Type = "intune" }, []string{"device_trust_provider[0].type"}},
		{"two of a type", func(p *AccessProxy) {
			p.DeviceProviders = append(p.DeviceProviders, DeviceTrustProvider{Type: DeviceJamf, Reference: "jamf2"})
		}, []string{"device_trust_provider[3].type"}},
		{"groups claim on identity center", func(p *AccessProxy) { p.IdentityProvider.GroupsClaim = "groups" }, []string{"identity_provider.groups_claim"}},
		{"standard claim as groups claim", func(p *AccessProxy) {
			p.IdentityProvider = IdentityProvider{Type: IdentityOIDC, Reference: "oidc", GroupsClaim: "email_verified"}
		}, []string{"identity_provider.groups_claim"}},
		{"every problem at once", func(p *AccessProxy) {
			p.IdentityProvider.Type = ""
			p.IdentityProvider.Reference = "a b"
			p.DeviceProviders[0].Reference = ""
			p.DeviceProviders[1].Type = "x"
		}, []string{"device_trust_provider[0].reference", "device_trust_provider[1].type", "identity_provider.reference", "identity_provider.type"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := testProxy()
			p.DeviceProviders = slices.Clone(p.DeviceProviders)
			c.edit(&p)
			ps := p.Validate()
			if got := paths(ps, Error); !slices.Equal(got, c.paths) {
				t.Fatalf("error paths = %v, want %v (%v)", got, c.paths, ps)
			}
		})
	}
	oidc := AccessProxy{IdentityProvider: IdentityProvider{Type: IdentityOIDC, Reference: "oidc", GroupsClaim: "cognito:groups"}}
	if ps := oidc.Validate(); len(ps) != 0 {
		t.Fatalf("OIDC proxy with a custom groups claim: %v", ps)
	}
}

func TestRuleValidation(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*ProtectSurface)
		paths []string
	}{
		{"empty name", func(s *ProtectSurface) { s.AccessRules[0].Name = "" }, []string{"access_rule[0].name"}},
		{"duplicate name", func(s *ProtectSurface) { s.AccessRules[1].Name = "engineers" }, []string{"access_rule[1].name"}},
		{"reserved name", func(s *ProtectSurface) { s.AccessRules[1].Name = ReservedRuleNamePrefix + "x" }, []string{"access_rule[1].name"}},
		{"invalid UTF-8 name", func(s *ProtectSurface) { s.AccessRules[1].Name = "\xff" }, []string{"access_rule[1].name"}},
		{"long name", func(s *ProtectSurface) { s.AccessRules[1].Name = strings.Repeat("x", MaxRuleNameBytes+1) }, []string{"access_rule[1].name"}},
		{"unknown effect", func(s *ProtectSurface) { s.AccessRules[1].Effect = "allow" }, []string{"access_rule[1].effect"}},
		{"empty effect", func(s *ProtectSurface) { s.AccessRules[1].Effect = "" }, []string{"access_rule[1].effect"}},
		{"group display name", func(s *ProtectSurface) { s.AccessRules[0].Groups = []string{"payments-engineering"} }, []string{"access_rule[0].groups[0]"}},
		{"duplicate group", func(s *ProtectSurface) { s.AccessRules[0].Groups = []string{groupEng, groupLong, groupEng} }, []string{"access_rule[0].groups[2]"}},
		{"unknown jamf level", func(s *ProtectSurface) { s.AccessRules[0].Device.Jamf.MaxRisk = "low" }, []string{"access_rule[0].device", "access_rule[0].device.jamf.max_risk"}},
		{"crowdstrike out of range", func(s *ProtectSurface) {
			s.AccessRules[1].Device = &DeviceRequirement{CrowdStrike: &CrowdStrikeRequirement{MinOverallScore: 101}}
		}, []string{"access_rule[1].device.crowdstrike.min_overall_score"}},
		{"jumpcloud unmanaged", func(s *ProtectSurface) {
			s.AccessRules[1].Device = &DeviceRequirement{JumpCloud: &JumpCloudRequirement{}}
		}, []string{"access_rule[1].device.jumpcloud.managed"}},
		{"empty device requirement", func(s *ProtectSurface) { s.AccessRules[1].Device = &DeviceRequirement{} }, []string{"access_rule[1].device"}},
		{"unknown combinator", func(s *ProtectSurface) { s.AccessRules[0].Device.Combine = "some-of" }, []string{"access_rule[0].device.combine"}},
		{"device provider missing", func(s *ProtectSurface) { s.Proxy.DeviceProviders = s.Proxy.DeviceProviders[1:] }, []string{"access_rule[0].device.jamf"}},
		{"mfa not observable", func(s *ProtectSurface) { s.Proxy.IdentityProvider.MFAEnforced = false }, []string{"access_rule[0].require_mfa"}},
		{"lower-case method", func(s *ProtectSurface) { s.AccessRules[0].Methods = []string{"get"} }, []string{"access_rule[0].methods[0]"}},
		{"duplicate method", func(s *ProtectSurface) { s.AccessRules[0].Methods = []string{"GET", "GET"} }, []string{"access_rule[0].methods[1]"}},
		{"relative path", func(s *ProtectSurface) { s.AccessRules[1].PathPrefixes = []string{"admin/"} }, []string{"access_rule[1].path_prefixes[0]"}},
		{"empty first path segment", func(s *ProtectSurface) { s.AccessRules[1].PathPrefixes = []string{"/ok", "//admin"} }, []string{"access_rule[1].path_prefixes[1]"}},
		{"dot segment in a prefix", func(s *ProtectSurface) {
			s.AccessRules[1].PathPrefixes = []string{"/ok", "/a/../admin", "/.", "/x/..*"}
		}, []string{"access_rule[1].path_prefixes[1]", "access_rule[1].path_prefixes[2]", "access_rule[1].path_prefixes[3]"}},
		{"encoded slash or backslash in a prefix", func(s *ProtectSurface) {
			s.AccessRules[1].PathPrefixes = []string{"/a%2Fb", "/a%2eb", `/a\b`, "/.well-known/", "/a..b"}
		}, []string{"access_rule[1].path_prefixes[0]", "access_rule[1].path_prefixes[1]", "access_rule[1].path_prefixes[2]"}},
		{"bad CIDR", func(s *ProtectSurface) { s.AccessRules[1].ClientCIDRs = []string{"10.0.0.0/33", "10.1.2.3"} }, []string{"access_rule[1].client_cidrs[0]", "access_rule[1].client_cidrs[1]"}},
		{"IPv4-mapped CIDR", func(s *ProtectSurface) { s.AccessRules[1].ClientCIDRs = []string{"::ffff:10.0.0.0/104"} }, []string{"access_rule[1].client_cidrs[0]"}},
		{"CIDR equal once masked", func(s *ProtectSurface) { s.AccessRules[1].ClientCIDRs = []string{"10.0.0.0/8", "10.9.9.9/8"} }, []string{"access_rule[1].client_cidrs[1]"}},
		{"unknown application", func(s *ProtectSurface) { s.AccessRules[1].Applications = []string{"nope"} }, []string{"access_rule[1].applications[0]"}},
		{"duplicate application", func(s *ProtectSurface) { s.Applications[1].Name = "payments-admin" }, []string{"application[1].name"}},
		{"bad domain", func(s *ProtectSurface) { s.Applications[0].Domain = "pay_ment.example.com" }, []string{"application[0].domain"}},
		{"whole-surface HTTP rule over a TCP application", func(s *ProtectSurface) { s.Applications[1].Protocol = ProtocolTCP }, []string{"access_rule[0].methods"}},
		{"HTTP rule limited to the HTTP application", func(s *ProtectSurface) {
			s.Applications[1].Protocol = ProtocolTCP
			s.AccessRules[0].Applications = []string{"payments-admin"}
		}, nil},
		{"forbid with path and CIDRs on a TCP application", func(s *ProtectSurface) {
			s.Applications[0].Protocol = ProtocolTCP
			s.AccessRules[1].PathPrefixes = []string{"/keys"}
			s.AccessRules[1].ClientCIDRs = []string{"0.0.0.0/0"}
		}, []string{"access_rule[0].methods", "access_rule[1].client_cidrs", "access_rule[1].path_prefixes"}},
		{"TCP rule without HTTP conditions", func(s *ProtectSurface) {
			s.Applications[0].Protocol = ProtocolTCP
			s.AccessRules[0].Methods = nil
			// The restricted floor's demand for explicit methods cannot be
			// met over TCP; it has to be acknowledged.
			s.AccessRules[0].Acknowledgement = "database over TCP"
		}, nil},
		{"explicit https", func(s *ProtectSurface) {
			s.Applications[0].Protocol = ProtocolHTTPS
			s.Applications[1].Protocol = ProtocolHTTP
		}, nil},
		{"unknown protocol", func(s *ProtectSurface) { s.Applications[0].Protocol = "udp" }, []string{"application[0].protocol"}},
		{"unknown sensitivity", func(s *ProtectSurface) { s.Sensitivity = "secret" }, []string{"sensitivity"}},
		{"no name", func(s *ProtectSurface) { s.Name = " " }, []string{"name"}},
		{"invalid proxy", func(s *ProtectSurface) { s.Proxy.IdentityProvider.Reference = "" }, []string{"proxy_id"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := testSurface()
			s.Proxy.DeviceProviders = slices.Clone(s.Proxy.DeviceProviders)
			s.Applications = slices.Clone(s.Applications)
			s.AccessRules = slices.Clone(s.AccessRules)
			d := *s.AccessRules[0].Device
			j := *d.Jamf
			d.Jamf = &j
			s.AccessRules[0].Device = &d
			c.edit(&s)
			ps := s.Validate()
			if got := paths(ps, Error); !slices.Equal(got, c.paths) {
				t.Fatalf("error paths = %v, want %v\n%v", got, c.paths, ps)
			}
			for _, p := range ps {
				if p.Detail == "" || p.Summary == "" {
					t.Errorf("problem without explanation: %+v", p)
				}
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	s := testSurface()
	s.Sensitivity = "secret"
	s.AccessRules = []AccessRule{
		{Name: "", Effect: "allow", Groups: []string{""}, Methods: []string{"get"}, PathPrefixes: []string{"x"}, ClientCIDRs: []string{"nope"}, Applications: []string{"ghost"}},
		{Name: "b", Effect: EffectPermit, Device: &DeviceRequirement{Combine: "x"}},
	}
	got := paths(s.Validate(), Error)
	want := []string{
		"access_rule[0].applications[0]", "access_rule[0].client_cidrs[0]", "access_rule[0].effect", "access_rule[0].groups[0]",
		"access_rule[0].methods[0]", "access_rule[0].name", "access_rule[0].path_prefixes[0]",
		"access_rule[1].device", "access_rule[1].device.combine", "sensitivity",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func TestGroupRefs(t *testing.T) {
	idc := IdentityProvider{Type: IdentityIAMIdentityCenter, Reference: "idc"}
	oidc := IdentityProvider{Type: IdentityOIDC, Reference: "oidc"}
	for _, g := range []string{groupEng, groupLong, strings.ToUpper(groupEng)} {
		if ps := ValidateGroupRef(Root("g"), g, idc); len(ps) != 0 {
			t.Errorf("%q refused for Identity Center: %v", g, ps)
		}
	}
	for _, g := range []string{"engineering", groupEng + " ", "c242c5b0-6081-1845-6fa8-6e0d9513c10", ""} {
		if ps := ValidateGroupRef(Root("g"), g, idc); !ps.HasErrors() {
			t.Errorf("%q accepted for Identity Center", g)
		}
	}
	for _, g := range []string{"engineering", `"; permit(principal, action, resource); //`, "ünï\ncødé"} {
		if ps := ValidateGroupRef(Root("g"), g, oidc); len(ps) != 0 {
			t.Errorf("%q refused for OIDC: %v", g, ps)
		}
	}
	for _, g := range []string{"", "\xff"} {
		if ps := ValidateGroupRef(Root("g"), g, oidc); !ps.HasErrors() {
			t.Errorf("%q accepted for OIDC", g)
		}
	}
}

func TestRuleHelpers(t *testing.T) {
	r := AccessRule{Applications: []string{"a"}}
	if !r.AppliesTo("a") || r.AppliesTo("b") {
		t.Error("AppliesTo with applications")
	}
	if !(AccessRule{}).AppliesTo("anything") {
		t.Error("a rule without applications applies everywhere")
	}
	if !(AccessRule{Acknowledgement: "x", Applications: []string{"a"}}).IsUnconditional() {
		t.Error("applications and acknowledgement are not conditions")
	}
	for _, r := range []AccessRule{
		{Groups: []string{"g"}}, {Device: &DeviceRequirement{}}, {RequireMFA: true}, {RequireVerifiedEmail: true},
		{Methods: []string{"GET"}}, {PathPrefixes: []string{"/"}}, {ClientCIDRs: []string{"10.0.0.0/8"}},
	} {
		if r.IsUnconditional() {
			t.Errorf("%+v is not unconditional", r)
		}
	}
	if p, err := ParseClientCIDR("10.1.2.3/8"); err != nil || p.String() != "10.0.0.0/8" {
		t.Errorf("ParseClientCIDR = %v, %v", p, err)
	}
	for _, s := range []string{"x", "10.0.0.1", "::ffff:1.2.3.4/128"} {
		if _, err := ParseClientCIDR(s); err == nil {
			t.Errorf("ParseClientCIDR(%q) accepted", s)
		}
	}
	if !ValidCedarIdentifier("idc_2") || ValidCedarIdentifier("2idc") || ValidCedarIdentifier("has") || ValidCedarIdentifier("") {
		t.Error("ValidCedarIdentifier")
	}
}

// FuzzValidate feeds arbitrary text and numbers into every field: Validate
// must not panic, must be deterministic, and must address every problem to a
// path.
func FuzzValidate(f *testing.F) {
	f.Add("payments", "restricted", "iam-identity-center", "idc", "", "jamf", "jamf", "engineers", "permit", groupEng, "LOW", 80, "GET", "/api/", "10.0.0.0/8", "payments-admin", "", true, true)
	f.Add("", "", "", "", "", "", "", "", "", "", "", -1, "", "", "", "", "", false, false)
	f.Add("s", "internal", "oidc", "oidc", "cognito:groups", "crowdstrike", "oidc", `x"); permit(`, "forbid", "\xff", "HIGH", 101, "get", "admin", "::ffff:1.2.3.4/128", "ghost", "because", false, true)
	f.Add("s", "confidential", "oidc", "has", "amr", "jumpcloud", "jc", "zerotrust:x", "permit", "\n", "SECURE", 0, "VERSION-CONTROL", "/", "0.0.0.0/0", "", "ack", true, false)
	f.Fuzz(func(t *testing.T, name, sensitivity, idpType, idpRef, claim, devType, devRef, ruleName, effect, group, maxRisk string, score int, method, prefix, cidr, app, ack string, mfa, email bool) {
		s := ProtectSurface{
			Name: name, Sensitivity: sensitivity,
			Proxy: AccessProxy{
				IdentityProvider: IdentityProvider{Type: idpType, Reference: idpRef, GroupsClaim: claim, MFAEnforced: mfa},
				DeviceProviders:  []DeviceTrustProvider{{Type: devType, Reference: devRef}},
			},
			Applications: []Application{{Name: app, Domain: name}},
			AccessRules: []AccessRule{
				{Name: ruleName, Effect: effect, Groups: []string{group}, Methods: []string{method}, PathPrefixes: []string{prefix},
					ClientCIDRs: []string{cidr}, Applications: []string{app}, Acknowledgement: ack, RequireMFA: mfa, RequireVerifiedEmail: email,
					Device: &DeviceRequirement{Jamf: &JamfRequirement{MaxRisk: maxRisk}, CrowdStrike: &CrowdStrikeRequirement{MinOverallScore: score}, Combine: claim}},
				{Name: ruleName, Effect: EffectPermit, Acknowledgement: ack},
			},
		}
		ps := s.Validate()
		again := s.Validate()
		if fmt.Sprint(ps) != fmt.Sprint(again) {
			t.Fatal("Validate is not deterministic")
		}
		for _, p := range ps {
			if len(p.Path) == 0 {
				t.Fatalf("problem without a path: %+v", p)
			}
			if !utf8.ValidString(p.Summary) {
				t.Fatalf("summary is not UTF-8: %q", p.Summary)
			}
		}
		if ruleName != "" && !ps.HasErrors() {
			// The duplicate name alone must be an error.
			t.Fatalf("duplicate rule names accepted: %v", ps)
		}
	})
}

func ExampleProtectSurface_Validate() {
	s := ProtectSurface{
		Name: "payments", Sensitivity: "confidential",
		Proxy: AccessProxy{
			IdentityProvider: IdentityProvider{Type: IdentityIAMIdentityCenter, Reference: "idc"},
			DeviceProviders:  []DeviceTrustProvider{{Type: DeviceJamf, Reference: "jamf"}},
		},
		Applications: []Application{{Name: "payments-admin"}},
		AccessRules: []AccessRule{
			{Name: "everyone", Effect: EffectPermit},
			{Name: "engineers", Effect: EffectPermit, Groups: []string{"payments-engineering"},
				Device: &DeviceRequirement{Jamf: &JamfRequirement{MaxRisk: "HIGH"}}, RequireVerifiedEmail: true},
			{Name: "legacy-kiosk", Effect: EffectPermit, Groups: []string{"c242c5b0-6081-1845-6fa8-6e0d9513c107"},
				Acknowledgement: "kiosks have no device agent; tracked in SEC-123"},
		},
	}
	for _, p := range s.Validate().Sorted() {
		sev := "error"
		if p.Severity == Warning {
			sev = "warning"
		}
		fmt.Printf("%-7s %s: %s\n", sev, p.Path, p.Summary)
	}
	// Output:
	// error   access_rule[0]: Unconditional permit
	// error   access_rule[0].device: Below the confidential floor
	// error   access_rule[0].groups: Below the confidential floor
	// error   access_rule[0].require_verified_email: Below the confidential floor
	// error   access_rule[1].device: Below the confidential floor
	// error   access_rule[1].groups[0]: Invalid Identity Center group id
	// warning access_rule[2].device: Acknowledged: below the confidential floor
	// warning access_rule[2].require_verified_email: Acknowledged: below the confidential floor
}

func TestUnresolvedPath(t *testing.T) {
	for _, p := range []string{".", "..", "./x", "../x", "/a/.", "/a/..", "/a/./b", "/a/../b", "a/../b", "/%2e%2e/x", "/a%2Fb", "/a%2fb", "/a%5Cb", `/a\b`, "/%2E"} {
		if !UnresolvedPath(p) {
			t.Errorf("%q must be unresolved", p)
		}
	}
	for _, p := range []string{"", "/", "/a", "/a/b/", "/.well-known/x", "/a..b", "/..a", "/a.", "/a%20b", "/%41"} {
		if UnresolvedPath(p) {
			t.Errorf("%q is an ordinary path", p)
		}
	}
}
