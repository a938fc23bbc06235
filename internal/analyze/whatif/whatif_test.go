package whatif

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze"
	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

var proxy = model.AccessProxy{
	Name:             "corp",
	IdentityProvider: model.IdentityProvider{Type: model.IdentityOIDC, Reference: "okta"},
	DeviceProviders: []model.DeviceTrustProvider{
		{Type: model.DeviceJamf, Reference: "jamf"},
		{Type: model.DeviceCrowdStrike, Reference: "crowdstrike"},
	},
}

func restrictedSurface() model.ProtectSurface {
	return model.ProtectSurface{
		Name: "payments", Sensitivity: "restricted", Proxy: proxy,
		Applications: []model.Application{{Name: "admin", Domain: "pay.example.com"}, {Name: "api", Domain: "api.pay.example.com"}},
		AccessRules: []model.AccessRule{
			{Name: "engineers-read-write", Effect: model.EffectPermit, Groups: []string{"engineers"},
				Device: &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: "LOW"}}, RequireMFA: true, Methods: []string{"GET", "POST"}},
			{Name: "quarantine", Effect: model.EffectForbid, Groups: []string{"quarantined"}},
			{Name: "auditors-read", Effect: model.EffectPermit, Groups: []string{"auditors"}, Applications: []string{"admin"},
				Device: &model.DeviceRequirement{CrowdStrike: &model.CrowdStrikeRequirement{MinOverallScore: 80}}, RequireMFA: true, Methods: []string{"GET"}},
		},
	}
}

func compile(t testing.TB, s model.ProtectSurface) verifiedaccess.Result {
	t.Helper()
	res, ps := verifiedaccess.Compile(s, verifiedaccess.Options{})
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	return res
}

func str(s string) *string { return &s }
func boolp(b bool) *bool   { return &b }

func TestDecide_reasons(t *testing.T) {
	res := compile(t, restrictedSurface())
	admin, _ := res.Endpoint("admin")
	lowRisk := &Device{Jamf: &Jamf{Risk: str("LOW")}}
	cases := []struct {
		name     string
		endpoint string
		req      Request
		allowed  bool
		rules    []string
		reason   string
	}{
		{"engineer on a low-risk device", "", Request{Groups: []string{"engineers"}, MFA: boolp(true), Device: lowRisk, Method: "POST"},
			true, []string{"engineers-read-write"}, `allowed by permit "engineers-read-write"`},
		{"contractor on a high-risk device", "", Request{Groups: []string{"contractors"}, MFA: boolp(true), Device: &Device{Jamf: &Jamf{Risk: str("HIGH")}}, Method: "POST"},
			false, nil, "denied: no rule permits the request"},
		{"engineer on a high-risk device", "", Request{Groups: []string{"engineers"}, MFA: boolp(true), Device: &Device{Jamf: &Jamf{Risk: str("HIGH")}}, Method: "GET"},
			false, nil, "denied: no rule permits the request"},
		{"quarantined engineer", "", Request{Groups: []string{"engineers", "quarantined"}, MFA: boolp(true), Device: lowRisk, Method: "GET"},
			false, []string{"quarantine"}, `denied by forbid "quarantine"`},
		{"engineer without MFA", "", Request{Groups: []string{"engineers"}, MFA: boolp(false), Device: lowRisk, Method: "GET"},
			false, nil, "denied: no rule permits the request"},
		{"auditor on admin", admin.Policy, Request{Groups: []string{"auditors"}, MFA: boolp(true), Device: &Device{CrowdStrike: &CrowdStrike{Overall: new(90)}}, Method: "GET"},
			true, []string{"auditors-read"}, `allowed by permit "auditors-read" (both the group and the endpoint policy allow)`},
		{"auditor writing on admin", admin.Policy, Request{Groups: []string{"auditors"}, MFA: boolp(true), Device: &Device{CrowdStrike: &CrowdStrike{Overall: new(90)}}, Method: "POST"},
			false, nil, "denied: no rule of the group policy or the endpoint policy permits the request"},
		{"engineer on admin: both documents allow", admin.Policy, Request{Groups: []string{"engineers"}, MFA: boolp(true), Device: lowRisk, Method: "GET"},
			true, []string{"engineers-read-write"}, `allowed by permit "engineers-read-write" (both the group and the endpoint policy allow)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decide(res.GroupPolicy, tc.endpoint, false, proxy, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if got.Allowed != tc.allowed || !slices.Equal(got.Rules, tc.rules) || got.Reason != tc.reason {
				t.Errorf("got %+v, want allowed=%v rules=%q reason=%q", got, tc.allowed, tc.rules, tc.reason)
			}
		})
	}
}

// Only the group policy allows: the endpoint policy's silence denies, and
// the reason says which document did.
func TestDecide_endpointDenies(t *testing.T) {
	group := `@id("all-engineers") permit (principal, action, resource) when { context.okta has groups && context.okta.groups.contains("engineers") };`
	endpoint := `@id("nobody") permit (principal, action, resource) when { false };`
	got, err := Decide(group, endpoint, false, proxy, Request{Groups: []string{"engineers"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Allowed || got.Reason != "denied: no rule of the endpoint policy permits the request" {
		t.Errorf("got %+v", got)
	}
}

// A statement that fails to evaluate is reported, not hidden.
func TestDecide_evaluationErrors(t *testing.T) {
	doc := `@id("office") permit (principal, action, resource) when { ip(context.http_request.client_ip).isInRange(ip("10.0.0.0/8")) };`
	got, err := Decide(doc, "", false, proxy, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Allowed || len(got.Errors) != 1 || got.Errors[0][:7] != "office:" {
		t.Errorf("got %+v, want one evaluation error of office", got)
	}
}

func TestDecide_badInput(t *testing.T) {
	var de DocumentError
	if _, err := Decide("permit (", "", false, proxy, Request{}); !errors.As(err, &de) || de.Endpoint {
		t.Errorf("bad group policy: %v", err)
	}
	if _, err := Decide(`permit (principal, action, resource);`, "forbid", false, proxy, Request{}); !errors.As(err, &de) || !de.Endpoint {
		t.Errorf("bad endpoint policy: %v", err)
	}
	var fe FieldError
	for field, req := range map[string]Request{
		"client_ip":                  {ClientIP: "10.0.0.300"},
		"device.jamf.risk":           {Device: &Device{Jamf: &Jamf{Risk: str("low")}}},
		"device.crowdstrike.overall": {Device: &Device{CrowdStrike: &CrowdStrike{Overall: new(101)}}},
	} {
		if _, err := Decide(`permit (principal, action, resource);`, "", false, proxy, req); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

// Differential check against the model's own semantics (analyze.Reference)
// over random requests: the text-level what-if must agree with the model on
// every application, deciding rules included.
func TestDecide_agreesWithReference(t *testing.T) {
	s := restrictedSurface()
	res := compile(t, s)
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	for i := range 2000 {
		req := Request{
			Groups: slices.DeleteFunc([]string{pick("engineers", "auditors", ""), pick("quarantined", "", "x")}, func(s string) bool { return s == "" }),
			MFA:    []*bool{nil, boolp(false), boolp(true)}[rng.IntN(3)],
			Method: pick("GET", "POST", "DELETE"),
			Device: &Device{Jamf: &Jamf{Risk: []*string{nil, str("SECURE"), str("LOW"), str("HIGH")}[rng.IntN(4)]}, CrowdStrike: &CrowdStrike{Overall: new(rng.IntN(101))}},
		}
		for _, app := range s.Applications {
			ep, _ := res.Endpoint(app.Name)
			req.Host = app.Domain
			got, err := Decide(res.GroupPolicy, ep.Policy, false, proxy, req)
			if err != nil {
				t.Fatal(err)
			}
			areq, _ := req.Analyze()
			want, err := analyze.Reference(s, app.Name, areq)
			if err != nil {
				t.Fatal(err)
			}
			if got.Allowed != want.Allowed || !slices.Equal(got.Rules, want.Rules) {
				t.Fatalf("request %d %+v to %s: what-if %v %q, reference %v", i, req, app.Name, got.Allowed, got.Rules, want)
			}
		}
	}
}

func BenchmarkDecide100Rules(b *testing.B) {
	s := restrictedSurface()
	s.AccessRules = nil
	for i := range 100 {
		s.AccessRules = append(s.AccessRules, model.AccessRule{Name: fmt.Sprintf("rule-%03d", i), Effect: model.EffectPermit, Groups: []string{fmt.Sprintf("g%d", i)},
			Device: &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: "LOW"}}, RequireMFA: true, Methods: []string{"GET"}})
	}
	res := compile(b, s)
	req := Request{Groups: []string{"g99"}, MFA: boolp(true), Device: &Device{Jamf: &Jamf{Risk: str("LOW")}}, Method: "GET"}
	b.ResetTimer()
	for b.Loop() {
		if o, err := Decide(res.GroupPolicy, "", false, proxy, req); err != nil || !o.Allowed {
			b.Fatal(o, err)
		}
	}
}

// Decide is called from concurrent data source reads; the parse cache must
// be safe (run with -race).
func TestDecide_concurrent(t *testing.T) {
	res := compile(t, restrictedSurface())
	done := make(chan error)
	for g := range 8 {
		go func() {
			var err error
			for i := range 50 {
				doc := res.GroupPolicy
				if i%2 == 0 {
					doc += fmt.Sprintf("\n// variant %d-%d\n", g, i) // distinct texts churn the cache
				}
				var o Outcome
				if o, err = Decide(doc, "", false, proxy, Request{Groups: []string{"engineers"}, MFA: boolp(true), Device: &Device{Jamf: &Jamf{Risk: str("LOW")}}, Method: "GET"}); err == nil && !o.Allowed {
					err = fmt.Errorf("denied: %+v", o)
				}
				if err != nil {
					break
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// The evaluator cache key must tell apart any two proxies that differ: it
// lists every field, so a field added to the model must be added to it.
func TestProxyKeyCoversTheProxy(t *testing.T) {
	for typ, fields := range map[reflect.Type]int{
		reflect.TypeOf(model.AccessProxy{}):         3,
		reflect.TypeOf(model.IdentityProvider{}):    4,
		reflect.TypeOf(model.DeviceTrustProvider{}): 2,
	} {
		if typ.NumField() != fields {
			t.Errorf("%s has %d fields, the cache key was written for %d: update keyOf", typ, typ.NumField(), fields)
		}
	}
	base := model.AccessProxy{Name: "p", IdentityProvider: model.IdentityProvider{Type: model.IdentityOIDC, Reference: "okta"},
		DeviceProviders: []model.DeviceTrustProvider{{Type: model.DeviceJamf, Reference: "jamf"}}}
	variants := []func(*model.AccessProxy){
		func(p *model.AccessProxy) { p.Name = "q" },
		func(p *model.AccessProxy) { p.IdentityProvider.Type = model.IdentityIAMIdentityCenter },
		func(p *model.AccessProxy) { p.IdentityProvider.Reference = "okta2" },
		func(p *model.AccessProxy) { p.IdentityProvider.GroupsClaim = "roles" },
		func(p *model.AccessProxy) { p.IdentityProvider.MFAEnforced = true },
		func(p *model.AccessProxy) { p.DeviceProviders = nil },
		func(p *model.AccessProxy) { p.DeviceProviders[0].Reference = "jamf2" },
		func(p *model.AccessProxy) {
			p.DeviceProviders[0] = model.DeviceTrustProvider{Type: "jamf\"", Reference: ""}
		},
		func(p *model.AccessProxy) {
			p.DeviceProviders = append(p.DeviceProviders, model.DeviceTrustProvider{Type: model.DeviceCrowdStrike, Reference: "c"})
		},
	}
	for i, change := range variants {
		p := base
		p.DeviceProviders = slices.Clone(base.DeviceProviders)
		change(&p)
		if keyOf(p) == keyOf(base) {
			t.Errorf("variant %d has the same key as the base proxy", i)
		}
	}
	if keyOf(base) != keyOf(model.AccessProxy{Name: "p", IdentityProvider: base.IdentityProvider, DeviceProviders: slices.Clone(base.DeviceProviders)}) {
		t.Error("equal proxies have different keys")
	}
}
