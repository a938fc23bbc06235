package analyze

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

const (
	groupEng = "c242c5b0-6081-1845-6fa8-6e0d9513c107"
	groupCon = "9067f3a2-b0e1-4b1c-8f2e-0a1b2c3d4e5f"
)

func paymentsSurface() model.ProtectSurface {
	return model.ProtectSurface{
		Name: "payments", Sensitivity: "restricted",
		Proxy: model.AccessProxy{
			Name:             "corp",
			IdentityProvider: model.IdentityProvider{Type: model.IdentityIAMIdentityCenter, Reference: "idc", MFAEnforced: true},
			DeviceProviders:  []model.DeviceTrustProvider{{Type: model.DeviceJamf, Reference: "jamf"}, {Type: model.DeviceCrowdStrike, Reference: "crwd"}},
		},
		Applications: []model.Application{{Name: "payments-admin", Domain: "pay.internal.example.com"}, {Name: "payments-api"}},
		AccessRules: []model.AccessRule{
			{Name: "engineers-read-write", Effect: model.EffectPermit, Groups: []string{groupEng}, RequireMFA: true,
				Device:  &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: "LOW"}, CrowdStrike: &model.CrowdStrikeRequirement{MinOverallScore: 80}, Combine: model.CombineAnyOf},
				Methods: []string{"GET", "POST"}},
			{Name: "block-contractors", Effect: model.EffectForbid, Groups: []string{groupCon}},
			{Name: "admin-from-office", Effect: model.EffectForbid, Applications: []string{"payments-admin"}, PathPrefixes: []string{"/admin/"},
				ClientCIDRs: []string{"0.0.0.0/0", "::/0"}},
			{Name: "admin-office-exception", Effect: model.EffectPermit, Groups: []string{groupEng}, RequireMFA: true, Applications: []string{"payments-admin"},
				Device: &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: "SECURE"}}, Methods: []string{"GET"}},
		},
	}
}

func engineer() Request {
	return Request{
		Identity: &Identity{Groups: []string{groupEng}, EmailVerified: new(true)},
		Jamf:     &JamfFacts{Risk: new("LOW")},
		Method:   "GET", Path: "/orders", ClientIP: netip.MustParseAddr("10.1.2.3"),
	}
}

func TestDecisions(t *testing.T) {
	s := paymentsSurface()
	c := compiledSurface(t, s)
	edit := func(f func(*Request)) Request { r := engineer(); f(&r); return r }
	cases := []struct {
		name string
		app  string
		req  Request
		want Decision
	}{
		{"engineer on a healthy Mac", "payments-api", engineer(), Decision{true, []string{"engineers-read-write"}}},
		{"engineer, device data missing", "payments-api", edit(func(r *Request) { r.Jamf = nil }), Decision{}},
		{"engineer, risk attribute missing", "payments-api", edit(func(r *Request) { r.Jamf = &JamfFacts{} }), Decision{}},
		{"engineer, medium risk", "payments-api", edit(func(r *Request) { r.Jamf.Risk = new("MEDIUM") }), Decision{}},
		{"engineer, medium risk but CrowdStrike 85 (any-of)", "payments-api", edit(func(r *Request) {
			r.Jamf.Risk = new("MEDIUM")
			r.CrowdStrike = &CrowdStrikeFacts{Overall: new(85)}
		}), Decision{true, []string{"engineers-read-write"}}},
		{"engineer, CrowdStrike exactly 80", "payments-api", edit(func(r *Request) {
			r.Jamf = nil
			r.CrowdStrike = &CrowdStrikeFacts{Overall: new(80)}
		}), Decision{true, []string{"engineers-read-write"}}},
		{"engineer, DELETE", "payments-api", edit(func(r *Request) { r.Method = "DELETE" }), Decision{}},
		{"engineer, lower-case method", "payments-api", edit(func(r *Request) { r.Method = "get" }), Decision{}},
		{"no identity", "payments-api", edit(func(r *Request) { r.Identity = nil }), Decision{}},
		{"groups absent", "payments-api", edit(func(r *Request) { r.Identity.Groups = nil }), Decision{}},
		{"contractor who is also an engineer", "payments-api", edit(func(r *Request) { r.Identity.Groups = []string{groupEng, groupCon} }),
			Decision{false, []string{"block-contractors"}}},
		{"admin path from anywhere", "payments-admin", edit(func(r *Request) { r.Path = "/admin/keys" }), Decision{false, []string{"admin-from-office"}}},
		{"admin path, IPv6 client", "payments-admin", edit(func(r *Request) { r.Path = "/admin/keys"; r.ClientIP = netip.MustParseAddr("2001:db8::1") }),
			Decision{false, []string{"admin-from-office"}}},
		{"admin path, client address unknown", "payments-admin", edit(func(r *Request) { r.Path = "/admin/keys"; r.ClientIP = netip.Addr{} }),
			Decision{true, []string{"engineers-read-write"}}},
		{"admin path, contractor too", "payments-admin", edit(func(r *Request) { r.Path = "/admin/"; r.Identity.Groups = []string{groupCon, groupEng} }),
			Decision{false, []string{"admin-from-office", "block-contractors"}}},
		{"admin app, secure Mac: both permits", "payments-admin", edit(func(r *Request) { r.Jamf.Risk = new("SECURE") }),
			Decision{true, []string{"admin-office-exception", "engineers-read-write"}}},
		{"api app ignores admin-only rules", "payments-api", edit(func(r *Request) { r.Path = "/admin/keys"; r.Jamf.Risk = new("SECURE") }),
			Decision{true, []string{"engineers-read-write"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ref, err := Reference(s, tc.app, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if !ref.Equal(tc.want) {
				t.Errorf("reference: %v, want %v", ref, tc.want)
			}
			for name, decide := range map[string]func(string, Request) (Decision, error){"Decide": c.Decide, "DecideFull": c.DecideFull} {
				got, err := decide(tc.app, tc.req)
				if err != nil {
					t.Fatal(err)
				}
				if !got.Equal(tc.want) {
					t.Errorf("%s: %v, want %v", name, got, tc.want)
				}
			}
		})
	}
}

func TestUnknownApplication(t *testing.T) {
	s := paymentsSurface()
	res, _ := verifiedaccess.Compile(s, verifiedaccess.Options{})
	c, _ := NewCompiledSurface(s, res)
	var unknown ErrUnknownApplication
	if _, err := Reference(s, "ghost", engineer()); !errors.As(err, &unknown) || unknown.Application != "ghost" {
		t.Errorf("Reference: %v", err)
	}
	if _, err := c.Decide("ghost", engineer()); !errors.As(err, &unknown) {
		t.Errorf("Decide: %v", err)
	}
	other := s
	other.Applications = s.Applications[:1]
	if _, err := NewCompiledSurface(other, res); !errors.As(err, &unknown) {
		t.Errorf("a result with endpoints the surface lacks must be refused: %v", err)
	}
}

func TestMFAEnforcementAndClaims(t *testing.T) {
	for _, enforced := range []bool{false, true} {
		s := model.ProtectSurface{Name: "s", Sensitivity: "internal",
			Proxy:        model.AccessProxy{IdentityProvider: model.IdentityProvider{Type: model.IdentityOIDC, Reference: "okta", GroupsClaim: "cognito:groups", MFAEnforced: enforced}},
			Applications: []model.Application{{Name: "a"}},
			AccessRules:  []model.AccessRule{{Name: "mfa", Effect: model.EffectPermit, Groups: []string{"eng"}, RequireMFA: true, RequireVerifiedEmail: true}}}
		res, ps := verifiedaccess.Compile(s, verifiedaccess.Options{})
		if ps.HasErrors() {
			t.Fatal(ps)
		}
		if !strings.Contains(res.GroupPolicy, `context.okta["cognito:groups"].contains("eng")`) {
			t.Errorf("groups claim not used:\n%s", res.GroupPolicy)
		}
		c, _ := NewCompiledSurface(s, res)
		for _, mfa := range []*bool{nil, new(false), new(true)} {
			req := Request{Identity: &Identity{Groups: []string{"eng"}, EmailVerified: new(true), MFA: mfa}}
			want := enforced || (mfa != nil && *mfa)
			ref, _ := Reference(s, "a", req)
			got, _ := c.Decide("a", req)
			if ref.Allowed != want || !got.Equal(ref) {
				t.Errorf("enforced=%v mfa=%v: reference %v, Cedar %v, want allowed=%v", enforced, boolp(mfa), ref, got, want)
			}
		}
	}
}

func TestParsePolicy(t *testing.T) {
	if _, err := ParsePolicy(`@id("a") permit (principal, action, resource); @id("a") forbid (principal, action, resource);`); err == nil {
		t.Error("duplicate @id accepted")
	}
	if _, err := ParsePolicy(`permit (`); err == nil {
		t.Error("broken document accepted")
	}
	p, err := ParsePolicy(`permit (principal, action, resource) when { context has x }; @id("b") forbid (principal, action, resource) when { context has y };`)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Statements(); !slices.Equal(got, []string{"policy0", "b"}) {
		t.Errorf("statements %v", got)
	}
	ev := p.Evaluate(Context(model.AccessProxy{}, "", Request{}))
	if ev.Allowed || len(ev.Rules) != 0 {
		t.Errorf("decision %v", ev)
	}
}

func TestEvaluationErrorsAreReported(t *testing.T) {
	p, err := ParsePolicy(`@id("office") permit (principal, action, resource) when { ip(context.http_request.client_ip).isInRange(ip("10.0.0.0/8")) };`)
	if err != nil {
		t.Fatal(err)
	}
	ev := p.Evaluate(Context(model.AccessProxy{}, "", Request{}))
	if ev.Allowed || len(ev.Errors) != 1 || !strings.HasPrefix(ev.Errors[0], "office: ") {
		t.Fatalf("unknown client address: %+v", ev)
	}
	ev = p.Evaluate(Context(model.AccessProxy{}, "", Request{ClientIP: netip.MustParseAddr("::ffff:10.1.1.1")}))
	if !ev.Allowed || len(ev.Errors) != 0 {
		t.Fatalf("IPv4-mapped client address is compared as IPv4: %+v", ev)
	}
}

// TestTamperedGroupPolicyIsEvaluated: when the group policy no longer
// provably follows from an endpoint policy, Decide falls back to evaluating
// both, as Verified Access would.
func TestTamperedGroupPolicyIsEvaluated(t *testing.T) {
	s := paymentsSurface()
	res, _ := verifiedaccess.Compile(s, verifiedaccess.Options{})
	gate, err := ParsePolicy(res.GroupPolicy)
	if err != nil {
		t.Fatal(err)
	}
	// Drop the engineers' permit from the gate.
	res.GroupPolicy = strings.Replace(res.GroupPolicy, `@id("engineers-read-write")`+"\npermit", `@id("engineers-read-write")`+"\nforbid", 1)
	if res.GroupPolicy == "" || len(gate.Statements()) == 0 {
		t.Fatal("setup")
	}
	c, err := NewCompiledSurface(s, res)
	if err != nil {
		t.Fatal(err)
	}
	if c.apps["payments-api"].implied {
		t.Fatal("tampered gate still considered implied")
	}
	d, _ := c.Decide("payments-api", engineer())
	if d.Allowed || !slices.Equal(d.Rules, []string{"engineers-read-write"}) {
		t.Fatalf("the tampered gate must deny: %v", d)
	}
}

func TestDecisionString(t *testing.T) {
	for d, want := range map[string]Decision{
		"deny":               {},
		"allow by a, b":      {true, []string{"a", "b"}},
		"deny by quarantine": {false, []string{"quarantine"}},
	} {
		if want.String() != d {
			t.Errorf("%v", want)
		}
	}
}

// TestTCPApplication: a TCP application's context carries no http_request.
// Rules without HTTP conditions decide it without evaluation errors; a rule
// with one (which validation refuses, see model.Application.Protocol) would
// fail to evaluate and silently deny, which is why it is refused.
func TestTCPApplication(t *testing.T) {
	s := model.ProtectSurface{Name: "db", Sensitivity: "internal",
		Proxy:        model.AccessProxy{IdentityProvider: model.IdentityProvider{Type: model.IdentityOIDC, Reference: "okta"}},
		Applications: []model.Application{{Name: "console"}, {Name: "postgres", Protocol: model.ProtocolTCP}},
		AccessRules: []model.AccessRule{
			{Name: "dba", Effect: model.EffectPermit, Groups: []string{"dba"}},
			{Name: "console-read", Effect: model.EffectPermit, Groups: []string{"eng"}, Methods: []string{"GET"}, Applications: []string{"console"}},
		}}
	res, c := compileSurface(t, s)
	for _, tc := range []struct {
		app, group string
		want       Decision
	}{
		{"postgres", "dba", Decision{true, []string{"dba"}}},
		{"postgres", "eng", Decision{}},
		{"console", "eng", Decision{true, []string{"console-read"}}},
		{"console", "dba", Decision{true, []string{"dba"}}},
	} {
		req := Request{Identity: &Identity{Groups: []string{tc.group}}, Method: "GET", Path: "/"}
		got, _ := c.DecideFull(tc.app, req)
		ref, _ := Reference(s, tc.app, req)
		if !got.Equal(tc.want) || !ref.Equal(tc.want) {
			t.Errorf("%s as %s: Cedar %v, reference %v, want %v", tc.app, tc.group, got, ref, tc.want)
		}
		e, _ := res.Endpoint(tc.app)
		doc, err := ParsePolicy(e.Policy)
		if err != nil {
			t.Fatal(err)
		}
		if ev := doc.Evaluate(buildContext(s.Proxy, "", !c.apps[tc.app].tcp, req)); len(ev.Errors) > 0 {
			t.Errorf("%s: evaluation errors %v", tc.app, ev.Errors)
		}
	}

	// What validation prevents: an HTTP condition over a TCP context is an
	// evaluation error, and the permit silently denies.
	stmt := verifiedaccess.Statement(model.AccessRule{Name: "get", Effect: model.EffectPermit, Methods: []string{"GET"}}, s.Proxy)
	doc, err := ParsePolicy(string(stmt.MarshalCedar()))
	if err != nil {
		t.Fatal(err)
	}
	ev := doc.Evaluate(buildContext(s.Proxy, "", false, Request{Method: "GET"}))
	if ev.Allowed || len(ev.Errors) != 1 {
		t.Fatalf("HTTP condition over TCP: %+v", ev)
	}
}

// compiledSurface compiles a surface and parses its documents once, as a
// test or benchmark of decisions needs them.
func compiledSurface(tb testing.TB, s model.ProtectSurface) *CompiledSurface {
	tb.Helper()
	_, c := compileSurface(tb, s)
	return c
}

// compileSurface is compiledSurface that also returns the compiler's result.
func compileSurface(tb testing.TB, s model.ProtectSurface) (verifiedaccess.Result, *CompiledSurface) {
	tb.Helper()
	res, ps := verifiedaccess.Compile(s, verifiedaccess.Options{})
	if ps.HasErrors() {
		tb.Fatal(ps)
	}
	c, err := NewCompiledSurface(s, res)
	if err != nil {
		tb.Fatal(err)
	}
	return res, c
}
