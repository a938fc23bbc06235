package verifiedaccess_test

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	cedar "github.com/cedar-policy/cedar-go"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze"
	va "github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// hostile is text that would change a policy's meaning if it were pasted
// into Cedar syntax instead of built through the AST.
var hostile = []string{
	`"`,
	`\`,
	`\"`,
	`x"); permit(principal, action, resource); //`,
	`"; permit(principal, action, resource) when { true }; @id("`,
	"line\nbreak",
	"cr\rlf\r\n",
	"tab\there",
	"nul\x00byte",
	"}; forbid (principal, action, resource);",
	`*`,
	`\*`,
	"ünïcødé ✓ 🚀",
	"\u202egnp.exe",   // right-to-left override
	"e\u0301",         // combining accent
	"\u2028\u2029",    // line/paragraph separators
	"zero\u200bwidth", // zero-width space
	"\ufeffbom",
	"// comment",
	"/* comment */",
	`@id("other")`,
	"context has x || true",
}

// TestHostileStringsKeepTheirMeaning compiles surfaces whose rule names, OIDC
// group claim values, groups-claim name and path prefixes are hostile, and
// checks that the output parses into exactly one statement per rule with the
// names intact, and that cedar-go's decisions equal the model's for requests
// that carry (and that nearly carry) the hostile values.
func TestHostileStringsKeepTheirMeaning(t *testing.T) {
	yes := true
	for i, h := range hostile {
		claim := hostile[(i+1)%len(hostile)]
		// "/p" keeps hostile text that starts with "/" (such as "// comment")
		// from forming a prefix with an empty first segment, which
		// validation refuses.
		// White space and control characters are refused in a path (no URL
		// path carries them unencoded), so they are dropped from it; the
		// quotes, braces and operators stay. A backslash is refused too: a
		// server may take it for a slash (model.UnresolvedPath).
		prefix := "/p" + strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\\' {
				return -1
			}
			return r
		}, h)
		if claim == "" || slices.Contains([]string{"sub", "email", "email_verified", "amr"}, claim) {
			claim = "groups"
		}
		s := model.ProtectSurface{
			Name: "hostile", Sensitivity: "internal", Proxy: oidcProxy(claim),
			Applications: []model.Application{{Name: h}, {Name: "plain"}},
			AccessRules: []model.AccessRule{
				{Name: h, Effect: model.EffectPermit, Groups: []string{h}, PathPrefixes: []string{prefix}},
				{Name: h + "-forbid", Effect: model.EffectForbid, Groups: []string{h + h}, Applications: []string{h}},
				{Name: "plain", Effect: model.EffectPermit, Groups: []string{"eng"}, Methods: []string{"GET"}},
			},
		}
		res, ps := va.Compile(s, va.Options{})
		if ps.HasErrors() {
			t.Fatalf("%q: %v", h, ps)
		}
		permits := []string{h, "plain"}
		slices.Sort(permits) // canonical order: forbids, then permits, by name
		if got := ids(t, res.GroupPolicy); !slices.Equal(got, permits) {
			t.Fatalf("%q: group policy statements %q\n%s", h, got, res.GroupPolicy)
		}
		if e, _ := res.Endpoint(h); !slices.Equal(ids(t, e.Policy), append([]string{h + "-forbid"}, permits...)) {
			t.Fatalf("%q: endpoint statements %q", h, ids(t, e.Policy))
		}
		// Exactly one statement per rule: no hostile text opened another.
		for _, doc := range []string{res.GroupPolicy, res.Endpoints[0].Policy, res.Endpoints[1].Policy} {
			list, err := cedar.NewPolicyListFromBytes("", []byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(doc, "\n@id(") + 1; n != len(list) && !strings.Contains(h, "@id(") && !strings.Contains(h, "\n") {
				t.Fatalf("%q: %d statements parsed, %d written", h, len(list), n)
			}
		}

		c, err := analyze.NewCompiledSurface(s, res)
		if err != nil {
			t.Fatal(err)
		}
		near := []string{h, h + h, h + " ", strings.TrimSpace(h), strings.ToUpper(h), "eng", `"`, "x"}
		paths := []string{prefix, prefix + "/more", prefix + "more", prefix[1:], prefix[1:] + "/x", "/p" + strings.ToUpper(h), "/", "/x", prefix[:len(prefix)/2]}
		for _, app := range []string{h, "plain"} {
			for _, g := range near {
				for _, p := range paths {
					if !utf8.ValidString(p) {
						continue
					}
					req := analyze.Request{Identity: &analyze.Identity{Groups: []string{g}, EmailVerified: &yes}, Method: "GET", Path: p, ClientIP: netip.MustParseAddr("10.0.0.1")}
					want, _ := analyze.Reference(s, app, req)
					got, err := c.DecideFull(app, req)
					if err != nil {
						t.Fatal(err)
					}
					if !got.Equal(want) {
						t.Fatalf("%q, app %q, group %q, path %q: Cedar %v, model %v\n%s", h, app, g, p, got, want, res.GroupPolicy)
					}
				}
			}
		}
		// The hostile group itself grants access through the hostile rule only.
		req := analyze.Request{Identity: &analyze.Identity{Groups: []string{h}}, Method: "POST", Path: prefix + "/x"}
		if d, _ := c.DecideFull("plain", req); !d.Allowed || !slices.Equal(d.Rules, []string{h}) {
			t.Fatalf("%q: hostile group member decided %v", h, d)
		}
		if d, _ := c.DecideFull("plain", analyze.Request{Identity: &analyze.Identity{Groups: []string{"other"}}, Method: "POST", Path: prefix}); d.Allowed {
			t.Fatalf("%q: a stranger got in: %v", h, d)
		}
	}
}

// TestHostileIdentityCenterGroupsCannotReachTheCompiler: Identity Center
// group ids are validated, so hostile ids are refused before compilation.
func TestHostileIdentityCenterGroupsCannotReachTheCompiler(t *testing.T) {
	for _, h := range hostile {
		s := model.ProtectSurface{Name: "s", Sensitivity: "internal", Proxy: idcProxy(), Applications: []model.Application{{Name: "a"}},
			AccessRules: []model.AccessRule{{Name: "r", Effect: model.EffectPermit, Groups: []string{h}}}}
		if res, ps := va.Compile(s, va.Options{}); !ps.HasErrors() || res.GroupPolicy != "" {
			t.Errorf("%q accepted as an Identity Center group id", h)
		}
	}
}

// TestStatementOfAnyStringParses builds statements straight from the AST
// (no validation) for every hostile string in every string position.
func TestStatementOfAnyStringParses(t *testing.T) {
	for _, h := range hostile {
		for _, p := range []model.AccessProxy{idcProxy(), oidcProxy(h)} {
			r := model.AccessRule{Name: h, Effect: model.EffectForbid, Groups: []string{h, h + "2"}, Methods: []string{h}, PathPrefixes: []string{h}}
			text := va.Statement(r, p).MarshalCedar()
			list, err := cedar.NewPolicyListFromBytes("", text)
			if err != nil || len(list) != 1 {
				t.Fatalf("%q: %d statements, %v\n%s", h, len(list), err, text)
			}
			if got := string(list[0].Annotations()[va.IDAnnotation]); got != h {
				t.Fatalf("@id %q, want %q", got, h)
			}
			if again := list[0].MarshalCedar(); string(again) != string(text) {
				t.Fatalf("%q: not canonical:\n%s\n%s", h, text, again)
			}
		}
	}
}
