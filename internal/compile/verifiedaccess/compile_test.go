package verifiedaccess_test

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze"
	va "github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

const (
	groupEng = "c242c5b0-6081-1845-6fa8-6e0d9513c107"
	groupOps = "9067f3a2-b0e1-4b1c-8f2e-0a1b2c3d4e5f"
)

func idcProxy() model.AccessProxy {
	return model.AccessProxy{
		Name:             "corp",
		IdentityProvider: model.IdentityProvider{Type: model.IdentityIAMIdentityCenter, Reference: "idc", MFAEnforced: true},
		DeviceProviders: []model.DeviceTrustProvider{
			{Type: model.DeviceJamf, Reference: "jamf"},
			{Type: model.DeviceCrowdStrike, Reference: "crwd"},
			{Type: model.DeviceJumpCloud, Reference: "jc"},
		},
	}
}

func oidcProxy(claim string) model.AccessProxy {
	return model.AccessProxy{
		Name:             "corp",
		IdentityProvider: model.IdentityProvider{Type: model.IdentityOIDC, Reference: "oidc", GroupsClaim: claim},
		DeviceProviders:  []model.DeviceTrustProvider{{Type: model.DeviceJamf, Reference: "jamf"}},
	}
}

func mixedSurface() model.ProtectSurface {
	return model.ProtectSurface{
		Name: "payments", Sensitivity: "confidential", Proxy: idcProxy(),
		Applications: []model.Application{{Name: "payments-api"}, {Name: "payments-admin", Domain: "pay.internal.example.com"}, {Name: "reports"}},
		AccessRules: []model.AccessRule{
			{Name: "engineers", Effect: model.EffectPermit, Groups: []string{groupEng},
				Device: &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: "MEDIUM"}}, RequireVerifiedEmail: true},
			{Name: "ops-admin", Effect: model.EffectPermit, Groups: []string{groupOps}, Applications: []string{"payments-admin"},
				Device: &model.DeviceRequirement{CrowdStrike: &model.CrowdStrikeRequirement{MinOverallScore: 80}}, RequireMFA: true},
			{Name: "no-deletes-on-admin", Effect: model.EffectForbid, Methods: []string{"DELETE"}, Applications: []string{"payments-admin"}},
			{Name: "quarantine", Effect: model.EffectForbid, ClientCIDRs: []string{"198.51.100.0/24"}},
		},
	}
}

func mustCompile(t testing.TB, s model.ProtectSurface) va.Result {
	t.Helper()
	res, ps := va.Compile(s, va.Options{})
	if ps.HasErrors() {
		t.Fatalf("compile: %v", ps)
	}
	return res
}

func ids(t testing.TB, doc string) []string {
	t.Helper()
	list, err := cedar.NewPolicyListFromBytes("", []byte(doc))
	if err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, doc)
	}
	var out []string
	for _, p := range list {
		out = append(out, string(p.Annotations()[va.IDAnnotation]))
	}
	return out
}

func TestEmptySurfaceDeniesEverything(t *testing.T) {
	s := model.ProtectSurface{Name: "empty", Sensitivity: "restricted", Proxy: idcProxy(), Applications: []model.Application{{Name: "a"}}}
	res := mustCompile(t, s)
	want := "@id(\"zerotrust:deny-by-default\")\npermit ( principal, action, resource )\nwhen { false };\n"
	if res.GroupPolicy != want {
		t.Fatalf("empty surface compiles to\n%s\nwant\n%s", res.GroupPolicy, want)
	}
	if len(res.Endpoints) != 1 || res.Endpoints[0].Policy != "" {
		t.Fatalf("endpoints: %+v", res.Endpoints)
	}
	c, err := analyze.NewCompiledSurface(s, res)
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	everything := analyze.Request{
		Identity: &analyze.Identity{Groups: []string{groupEng, groupOps}, EmailVerified: &yes, MFA: &yes},
		Jamf:     &analyze.JamfFacts{Risk: new("SECURE")}, Method: "GET", Path: "/", ClientIP: netip.MustParseAddr("10.0.0.1"),
	}
	if d, err := c.DecideFull("a", everything); err != nil || d.Allowed || len(d.Rules) != 0 {
		t.Fatalf("empty surface decided %v, %v", d, err)
	}
}

func TestPlacement(t *testing.T) {
	res := mustCompile(t, mixedSurface())
	// Group policy: every whole-surface rule, plus the permits of application-specific rules.
	if got, want := ids(t, res.GroupPolicy), []string{"quarantine", "engineers", "ops-admin"}; !slices.Equal(got, want) {
		t.Errorf("group policy statements %v, want %v", got, want)
	}
	want := map[string][]string{
		"payments-admin": {"no-deletes-on-admin", "quarantine", "engineers", "ops-admin"},
		"payments-api":   {"quarantine", "engineers"},
		"reports":        {"quarantine", "engineers"},
	}
	var apps []string
	for _, e := range res.Endpoints {
		apps = append(apps, e.Application)
		if got := ids(t, e.Policy); !slices.Equal(got, want[e.Application]) {
			t.Errorf("endpoint %s statements %v, want %v", e.Application, got, want[e.Application])
		}
	}
	if !slices.Equal(apps, []string{"payments-admin", "payments-api", "reports"}) {
		t.Errorf("endpoints not one per application sorted by name: %v", apps)
	}
	if e, ok := res.Endpoint("reports"); !ok || e.Policy == "" {
		t.Error("Endpoint(reports)")
	}
	if _, ok := res.Endpoint("ghost"); ok {
		t.Error("Endpoint(ghost)")
	}

	// Without application-specific rules, the group policy alone decides.
	s := mixedSurface()
	s.AccessRules = slices.DeleteFunc(s.AccessRules, func(r model.AccessRule) bool { return len(r.Applications) > 0 })
	res = mustCompile(t, s)
	if got := ids(t, res.GroupPolicy); !slices.Equal(got, []string{"quarantine", "engineers"}) {
		t.Errorf("group policy %v", got)
	}
	for _, e := range res.Endpoints {
		if e.Policy != "" {
			t.Errorf("%s has an endpoint policy although no rule targets it", e.Application)
		}
	}
}

func TestCanonical(t *testing.T) {
	base := mustCompile(t, mixedSurface())
	for _, doc := range append([]string{base.GroupPolicy}, base.Endpoints[0].Policy) {
		if !strings.HasSuffix(doc, ";\n") || strings.HasSuffix(doc, "\n\n") {
			t.Errorf("document must end with exactly one newline: %q", doc[max(0, len(doc)-10):])
		}
		if strings.Contains(doc, "\r") || regexp.MustCompile(`[ \t]\n`).MatchString(doc) {
			t.Error("document has CR or trailing whitespace")
		}
		if strings.Contains(doc, "\n\n\n") {
			t.Error("statements separated by more than one blank line")
		}
	}
	// Reordering rules and list entries, and writing CIDRs unmasked, changes nothing.
	r := rand.New(rand.NewPCG(7, 7))
	for range 20 {
		s := mixedSurface()
		s.AccessRules[0].Groups = []string{groupOps, groupEng}
		s.AccessRules[2].Methods = []string{"PUT", "DELETE"}
		s.AccessRules[3].ClientCIDRs = []string{"2001:db8::/32", "198.51.100.7/24", "10.0.0.0/8"}
		want := mustCompile(t, s)
		r.Shuffle(len(s.AccessRules), func(i, j int) { s.AccessRules[i], s.AccessRules[j] = s.AccessRules[j], s.AccessRules[i] })
		r.Shuffle(len(s.Applications), func(i, j int) { s.Applications[i], s.Applications[j] = s.Applications[j], s.Applications[i] })
		for i := range s.AccessRules {
			rule := &s.AccessRules[i]
			for _, l := range [][]string{rule.Groups, rule.Methods, rule.ClientCIDRs} {
				r.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
			}
		}
		if got := mustCompile(t, s); !equalResults(got, want) {
			t.Fatalf("output depends on input order:\n%s\nvs\n%s", got.GroupPolicy, want.GroupPolicy)
		}
	}
	if !strings.Contains(base.GroupPolicy, `ip("198.51.100.0/24")`) {
		t.Error("CIDRs are not canonical")
	}
}

func equalResults(a, b va.Result) bool {
	return a.GroupPolicy == b.GroupPolicy && a.Schema == b.Schema && slices.Equal(a.Endpoints, b.Endpoints)
}

// TestSetsUseContains: string sets are tested with .contains/.containsAny,
// never with `in` (which Cedar applies to entities only).
func TestSetsUseContains(t *testing.T) {
	s := mixedSurface()
	s.AccessRules[0].Groups = []string{groupEng, groupOps}
	s.AccessRules[0].Methods = []string{"GET", "POST"}
	s.AccessRules[0].Device.Jamf.MaxRisk = "MEDIUM"
	res := mustCompile(t, s)
	if strings.Contains(res.GroupPolicy, " in ") {
		t.Fatalf("`in` used:\n%s", res.GroupPolicy)
	}
	for _, want := range []string{`["GET", "POST"].contains(context.http_request.http_method)`, `["SECURE", "LOW", "MEDIUM"].contains(context.jamf.risk)`} {
		if !strings.Contains(res.GroupPolicy, want) {
			t.Errorf("missing %s in\n%s", want, res.GroupPolicy)
		}
	}
	o := model.ProtectSurface{Name: "o", Sensitivity: "internal", Proxy: oidcProxy(""), Applications: []model.Application{{Name: "a"}},
		AccessRules: []model.AccessRule{{Name: "r", Effect: model.EffectPermit, Groups: []string{"eng", "ops"}}}}
	if res := mustCompile(t, o); !strings.Contains(res.GroupPolicy, `context.oidc.groups.containsAny(["eng", "ops"])`) || strings.Contains(res.GroupPolicy, " in ") {
		t.Fatalf("OIDC groups:\n%s", res.GroupPolicy)
	}
}

// TestGuardsPrecedeReads checks every trust-provider read is guarded, in the
// text itself: each `when` clause that reads context.<ref> starts with
// `context has <ref>`. (The schema validation proves the same from types.)
func TestGuardsPrecedeReads(t *testing.T) {
	res := mustCompile(t, mixedSurface())
	for _, line := range strings.Split(res.Endpoints[0].Policy, "\n") {
		body, ok := strings.CutPrefix(line, "when { ")
		if !ok {
			continue
		}
		for _, ref := range []string{"idc", "jamf", "crwd", "jc"} {
			if strings.Contains(body, "context."+ref) && !strings.HasPrefix(body, "context has "+ref+" && ") {
				t.Errorf("unguarded read of %s: %s", ref, line)
			}
		}
	}
}

func TestInvalidSurfaceCompilesToNothing(t *testing.T) {
	s := mixedSurface()
	s.AccessRules[0].Groups = nil // below the confidential floor
	res, ps := va.Compile(s, va.Options{})
	if !ps.HasErrors() || !equalResults(res, va.Result{}) {
		t.Fatalf("want errors and no result, got %v / %+v", ps, res)
	}
	if got := ps[0].Path.String(); got != "access_rule[0].groups" {
		t.Fatalf("problem at %s", got)
	}
}

type recordingValidator struct {
	calls [][2]string
	err   error
}

func (v *recordingValidator) Validate(schema, policies []byte) error {
	v.calls = append(v.calls, [2]string{string(schema), string(policies)})
	return v.err
}

func TestValidatorSeam(t *testing.T) {
	v := &recordingValidator{}
	s := mixedSurface()
	res, ps := va.Compile(s, va.Options{Validator: v})
	// The statements are validated once, as one policy set: every rule's
	// statement and the deny-by-default one, against the full schema.
	if ps.HasErrors() || len(v.calls) != 1 {
		t.Fatalf("validator called %d times (%v)", len(v.calls), ps)
	}
	if v.calls[0][0] != res.Schema {
		t.Errorf("validated against another schema:\n%s", v.calls[0][0])
	}
	list, err := cedar.NewPolicyListFromBytes("", []byte(v.calls[0][1]))
	if err != nil || len(list) != len(s.AccessRules)+1 {
		t.Fatalf("validator given %d statements (%v):\n%s", len(list), err, v.calls[0][1])
	}
	var got []string
	for _, p := range list {
		got = append(got, string(p.Annotations()[va.IDAnnotation]))
	}
	var want []string
	for _, r := range s.AccessRules {
		want = append(want, r.Name)
	}
	want = append(want, va.DenyByDefaultID)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("validated statements %q, want %q", got, want)
	}
	v = &recordingValidator{err: errors.New("boom")}
	res, ps = va.Compile(mixedSurface(), va.Options{Validator: v})
	if !ps.HasErrors() || ps[len(ps)-1].Summary != "Internal compiler error" || res.GroupPolicy != "" {
		t.Fatalf("a failing validator must fail the compile: %v", ps)
	}
	// The empty surface's deny-by-default statement is validated too.
	v = &recordingValidator{}
	if _, ps := va.Compile(model.ProtectSurface{Name: "e", Sensitivity: "public", Proxy: idcProxy()}, va.Options{Validator: v}); ps.HasErrors() || len(v.calls) != 1 {
		t.Fatalf("deny-by-default: %d calls, %v", len(v.calls), ps)
	}
}

func TestCedarGoValidatorCatches(t *testing.T) {
	res := mustCompile(t, mixedSurface())
	schema := []byte(res.Schema)
	if err := (va.CedarGoValidator{}).Validate(schema, []byte(res.GroupPolicy)); err != nil {
		t.Fatalf("compiled output refused: %v", err)
	}
	bad := map[string]string{
		"unguarded device read":  `permit (principal, action, resource) when { context.jamf.risk == "LOW" };`,
		"half-guarded read":      `permit (principal, action, resource) when { context has jamf && context.jamf.risk == "LOW" };`,
		"in on a set of strings": `permit (principal, action, resource) when { context has jamf && context.jamf has risk && context.jamf.risk in ["LOW", "SECURE"] };`,
		"wrong operand type":     `permit (principal, action, resource) when { context has crwd && context.crwd has assessment && context.crwd.assessment has overall && context.crwd.assessment.overall >= "80" };`,
		"unknown provider":       `permit (principal, action, resource) when { context has okta && context.okta.groups.contains("x") };`,
		"unknown request field":  `permit (principal, action, resource) when { context.http_request.verb == "GET" };`,
		"unlisted group id":      `permit (principal, action, resource) when { context has idc && context.idc has groups && context.idc.groups has "x" && context.idc.groups.x has group_name };`,
	}
	for name, policy := range bad {
		if err := (va.CedarGoValidator{}).Validate(schema, []byte(policy)); err == nil {
			t.Errorf("%s: accepted %s", name, policy)
		}
	}
	if err := (va.CedarGoValidator{}).Validate([]byte("entity ;"), []byte(res.GroupPolicy)); err == nil {
		t.Error("broken schema accepted")
	}
	if err := (va.CedarGoValidator{}).Validate(schema, []byte("permit(")); err == nil {
		t.Error("broken policy accepted")
	}
}

func TestSchemaRoundTrips(t *testing.T) {
	for _, p := range []model.AccessProxy{idcProxy(), oidcProxy(""), oidcProxy(`cognito:groups"; x`)} {
		text, err := va.ContextSchema(p, []string{groupEng, `"}; entity X; //`}).MarshalCedar()
		if err != nil {
			t.Fatal(err)
		}
		var back = va.ContextSchema(model.AccessProxy{}, nil)
		if err := back.UnmarshalCedar(text); err != nil {
			t.Fatalf("schema does not parse: %v\n%s", err, text)
		}
		again, _ := back.MarshalCedar()
		if string(again) != string(text) {
			t.Fatalf("schema does not round-trip:\n%s\nvs\n%s", text, again)
		}
		if _, err := back.Resolve(); err != nil {
			t.Fatalf("schema does not resolve: %v", err)
		}
	}
}

// TestContextMatchesSchema: the context analyze simulates has the shape the
// schema (and so the policies) assume.
func TestContextMatchesSchema(t *testing.T) {
	yes, no := true, false
	for _, p := range []model.AccessProxy{idcProxy(), oidcProxy("cognito:groups")} {
		groups := []string{groupEng}
		if p.IdentityProvider.Type == model.IdentityOIDC {
			groups = []string{"eng", `"; x`}
		}
		schema, _ := va.ContextSchema(p, groups).MarshalCedar()
		for _, req := range []analyze.Request{
			{Method: "GET", Path: "/"},
			{Identity: &analyze.Identity{Groups: groups, EmailVerified: &yes, MFA: &no}, Jamf: &analyze.JamfFacts{Risk: new("LOW")},
				CrowdStrike: &analyze.CrowdStrikeFacts{Overall: new(90)}, JumpCloud: &analyze.JumpCloudFacts{Managed: &yes},
				Method: "POST", Path: "/x", ClientIP: netip.MustParseAddr("2001:db8::1")},
			{Identity: &analyze.Identity{}, Jamf: &analyze.JamfFacts{}, CrowdStrike: &analyze.CrowdStrikeFacts{}, JumpCloud: &analyze.JumpCloudFacts{}},
		} {
			ctx := analyze.Context(p, "app.example.com", req)
			if err := va.ValidateContext(schema, ctx); err != nil {
				t.Errorf("%s context %v does not match the schema: %v", p.IdentityProvider.Type, ctx, err)
			}
		}
		bad := types.NewRecord(types.RecordMap{"http_request": types.NewRecord(types.RecordMap{"http_method": types.Long(1)})})
		if err := va.ValidateContext(schema, bad); err == nil {
			t.Error("malformed context accepted")
		}
	}
}

// TestPathPrefixCedar pins the Cedar of each path-prefix form: segment
// boundary, trailing slash, explicit raw "*", and a literal "*" in user text,
// which must reach the pattern escaped (an unescaped one would be a
// wildcard: "/a*b" would then match "/axb").
func TestPathPrefixCedar(t *testing.T) {
	const p = "context.http_request.path"
	for prefix, want := range map[string]string{
		"/admin": p + ` == "/admin" || ` + p + ` like "/admin/*" || ` + p + ` == "admin" || ` + p + ` like "admin/*"`,
		"/api/":  p + ` like "/api/*" || ` + p + ` like "api/*"`,
		"/adm*":  p + ` like "/adm*" || ` + p + ` like "adm*"`,
		"/a*b":   p + ` == "/a*b" || ` + p + ` like "/a\*b/*" || ` + p + ` == "a*b" || ` + p + ` like "a\*b/*"`,
		"/a*b*":  p + ` like "/a\*b*" || ` + p + ` like "a\*b*"`,
		"/":      p + ` like "/*" || ` + p + ` like "*"`,
	} {
		r := model.AccessRule{Name: "r", Effect: model.EffectPermit, PathPrefixes: []string{prefix}}
		text := string(va.Statement(r, idcProxy()).MarshalCedar())
		if permit := "when { (" + want + ") && !(" + unresolvedPathCedar + ") }"; !strings.Contains(text, permit) {
			t.Errorf("permit prefix %q compiled to\n%s\nwant the condition\n%s", prefix, text, permit)
		}
		r.Effect = model.EffectForbid
		text = string(va.Statement(r, idcProxy()).MarshalCedar())
		if forbid := "when { " + want + " || (" + unresolvedPathCedar + ") }"; !strings.Contains(text, forbid) {
			t.Errorf("forbid prefix %q compiled to\n%s\nwant the condition\n%s", prefix, text, forbid)
		}
	}
}

// unresolvedPathCedar is the test for a path a server may resolve elsewhere
// (model.UnresolvedPath): dot segments in every position, with and without
// a leading slash, and percent-encoded dot, slash and backslash in both
// cases, and a raw backslash (escaped in Cedar's string syntax).
const unresolvedPathCedar = `context.http_request.path like "." || context.http_request.path like "./*" || ` +
	`context.http_request.path like "*/." || context.http_request.path like "*/./*" || ` +
	`context.http_request.path like ".." || context.http_request.path like "../*" || ` +
	`context.http_request.path like "*/.." || context.http_request.path like "*/../*" || ` +
	`context.http_request.path like "*%2e*" || context.http_request.path like "*%2E*" || ` +
	`context.http_request.path like "*%2f*" || context.http_request.path like "*%2F*" || ` +
	`context.http_request.path like "*%5c*" || context.http_request.path like "*%5C*" || ` +
	`context.http_request.path like "*\\*"`
