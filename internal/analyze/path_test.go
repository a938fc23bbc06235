package analyze

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

func TestPathPrefixMatchesTable(t *testing.T) {
	cases := []struct {
		prefix string
		yes    []string
		no     []string
	}{
		{"/admin", []string{"/admin", "/admin/", "/admin/users", "admin", "admin/", "admin/users"},
			[]string{"/administrator", "/admin-old", "administrator", "/adm", "/", "", "/x/admin", "//admin", "/Admin"}},
		{"/api/", []string{"/api/", "/api/x", "api/", "api/x/y"}, []string{"/api", "api", "/apix", "/", ""}},
		{"/admin*", []string{"/admin", "/administrator", "/admin-old", "administrator", "/admin/x"}, []string{"/adm", "/xadmin", ""}},
		{"/a*b", []string{"/a*b", "/a*b/c", "a*b"}, []string{"/axb", "/a*bc", "/ab", "/a*", "/axb/c"}},
		{"/a*b*", []string{"/a*b", "/a*bc", "a*bcd"}, []string{"/axb", "/axbc"}},
		{"/", []string{"/", "", "/x", "x", "//"}, nil},
		{"/*", []string{"/", "", "/x", "x"}, nil},
	}
	for _, tc := range cases {
		for _, p := range tc.yes {
			if !PathPrefixMatches(tc.prefix, p) {
				t.Errorf("prefix %q must match %q", tc.prefix, p)
			}
		}
		for _, p := range tc.no {
			if PathPrefixMatches(tc.prefix, p) {
				t.Errorf("prefix %q must not match %q", tc.prefix, p)
			}
		}
	}
}

// randomPathText draws text from an alphabet small enough that random
// prefixes and paths often share their start and sit on a boundary.
func randomPathText(r *rand.Rand, maxLen int) string {
	alphabet := []string{"/", "/", "a", "d", "m", "*", "-", `\`, "ü", `"`, ".", ".", "%2F", "%2e"}
	var b strings.Builder
	for range r.IntN(maxLen + 1) {
		b.WriteString(pick(r, alphabet))
	}
	return b.String()
}

// TestPathPrefixProperty draws random prefixes and paths and checks (1) the
// compiled Cedar, evaluated by cedar-go, agrees with PathPrefixMatches and
// (2) PathPrefixMatches has the properties the model documents, each stated
// without reference to its implementation.
func TestPathPrefixProperty(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed=%d", seed)
	r := rand.New(rand.NewPCG(seed, 7))
	proxy := model.AccessProxy{IdentityProvider: model.IdentityProvider{Type: model.IdentityOIDC, Reference: "okta"}}
	compiled, matched, unresolvedSeen := 0, 0, 0
	for range 400 {
		prefix := "/" + randomPathText(r, 5)
		if strings.HasPrefix(prefix, "//") {
			prefix = "/" + strings.TrimLeft(prefix, "/")
		}
		if model.UnresolvedPath(strings.TrimSuffix(prefix, "*")) {
			continue // refused by validation (TestUnresolvedPrefixRefused)
		}
		compile := func(rules ...model.AccessRule) *Policy {
			s := model.ProtectSurface{Name: "p", Sensitivity: "public", Proxy: proxy, Applications: []model.Application{{Name: "a"}}, AccessRules: rules}
			res, ps := verifiedaccess.Compile(s, verifiedaccess.Options{})
			if ps.HasErrors() {
				t.Fatalf("prefix %q: %v", prefix, ps)
			}
			doc, err := ParsePolicy(res.GroupPolicy)
			if err != nil {
				t.Fatal(err)
			}
			return doc
		}
		doc := compile(model.AccessRule{Name: "r", Effect: model.EffectPermit, PathPrefixes: []string{prefix}, Acknowledgement: "path test"})
		// The same prefix in a forbid, under a permit of everything.
		forbid := compile(model.AccessRule{Name: "all", Effect: model.EffectPermit, Acknowledgement: "path test"},
			model.AccessRule{Name: "r", Effect: model.EffectForbid, PathPrefixes: []string{prefix}})
		compiled++
		stem, raw := strings.CutSuffix(prefix, "*")
		for range 40 {
			// Paths that extend the prefix (or its slashless form) are the
			// interesting ones; fully random ones check the rest.
			var path string
			switch r.IntN(4) {
			case 0:
				path = randomPathText(r, 6)
			case 1:
				path = stem + randomPathText(r, 3)
			case 2:
				path = stem[1:] + randomPathText(r, 3)
			default:
				path = stem[:r.IntN(len(stem)+1)] + randomPathText(r, 2)
			}
			under, unresolved := PathPrefixMatches(prefix, path), model.UnresolvedPath(path)
			want := under && !unresolved
			if want {
				matched++
			}
			if unresolved {
				unresolvedSeen++
			}
			got := doc.Evaluate(Context(proxy, "", Request{Path: path}))
			if got.Allowed != want || len(got.Errors) > 0 {
				t.Fatalf("permit: prefix %q path %q: Cedar %v (errors %v), reference %v", prefix, path, got.Allowed, got.Errors, want)
			}
			// A forbid covers what lies under its prefix and every path a
			// server may resolve elsewhere.
			if got := forbid.Evaluate(Context(proxy, "", Request{Path: path})); got.Allowed != (!under && !unresolved) || len(got.Errors) > 0 {
				t.Fatalf("forbid: prefix %q path %q: Cedar allowed %v (errors %v), under %v, unresolved %v", prefix, path, got.Allowed, got.Errors, under, unresolved)
			}

			// A path and the same path with a leading slash are one path.
			if !strings.HasPrefix(path, "/") && under != PathPrefixMatches(prefix, "/"+path) {
				t.Fatalf("prefix %q: %q and %q decided differently", prefix, path, "/"+path)
			}
			// Nothing outside the textual prefix ever matches.
			abs := path
			if !strings.HasPrefix(abs, "/") {
				abs = "/" + abs
			}
			if under && !strings.HasPrefix(abs, strings.TrimSuffix(stem, "/")) {
				t.Fatalf("prefix %q matched %q, which does not start with it", prefix, path)
			}
			if raw {
				if under != strings.HasPrefix(abs, stem) {
					t.Fatalf("raw prefix %q and path %q: %v", prefix, path, under)
				}
				continue
			}
			// Segment semantics: the prefix itself and anything below it
			// match; a longer segment does not.
			if !PathPrefixMatches(prefix, prefix) || !PathPrefixMatches(prefix, prefix+"/"+path) {
				t.Fatalf("prefix %q does not match itself or %q below it", prefix, prefix+"/"+path)
			}
			if !strings.HasSuffix(prefix, "/") && path != "" && path[0] != '/' && PathPrefixMatches(prefix, prefix+path) {
				t.Fatalf("prefix %q matches %q across a segment boundary", prefix, prefix+path)
			}
		}
	}
	if matched < compiled*40/20 {
		t.Fatalf("only %d of %d random paths matched: the generator does not exercise matching", matched, compiled*40)
	}
	if unresolvedSeen < compiled*40/20 {
		t.Fatalf("only %d of %d random paths were unresolved: the generator does not exercise dot segments and encodings", unresolvedSeen, compiled*40)
	}
	t.Logf("%d prefixes, %d paths, %d matched, %d unresolved", compiled, compiled*40, matched, unresolvedSeen)
}

// TestPathsResolvedElsewhere: a path a server may resolve to another than it
// reads is never admitted by a permit's path prefix and always covered by a
// forbid's — "/admin/../etc" is textually under "/admin" but may be served
// as /etc, "/public/../admin" may be served as /admin. Decided by the
// evaluator over the compiled Cedar and by the reference model alike.
func TestPathsResolvedElsewhere(t *testing.T) {
	proxy := model.AccessProxy{IdentityProvider: model.IdentityProvider{Type: model.IdentityOIDC, Reference: "okta"}}
	admins := model.AccessRule{Name: "admins", Effect: model.EffectPermit, PathPrefixes: []string{"/admin"}, Acknowledgement: "path test"}
	public := model.AccessRule{Name: "public", Effect: model.EffectPermit, Acknowledgement: "path test"}
	noAdmin := model.AccessRule{Name: "no-admin", Effect: model.EffectForbid, PathPrefixes: []string{"/admin"}}
	cases := []struct {
		rules   []model.AccessRule
		path    string
		allowed bool
	}{
		{[]model.AccessRule{admins}, "/admin/users", true},
		{[]model.AccessRule{admins}, "/admin/../etc/passwd", false},
		{[]model.AccessRule{admins}, "admin/../etc", false},
		{[]model.AccessRule{admins}, "/admin/./x", false},
		{[]model.AccessRule{admins}, "/admin/%2e%2e/etc", false},
		{[]model.AccessRule{admins}, "/admin%2F..%2Fetc", false},
		{[]model.AccessRule{admins}, `/admin/..\etc`, false},
		{[]model.AccessRule{admins}, "/admin/..x", true}, // "..x" is an ordinary segment
		{[]model.AccessRule{public, noAdmin}, "/public/page", true},
		{[]model.AccessRule{public, noAdmin}, "/admin", false},
		{[]model.AccessRule{public, noAdmin}, "/public/../admin", false},
		{[]model.AccessRule{public, noAdmin}, "/public/%2E%2E/admin", false},
		{[]model.AccessRule{public, noAdmin}, "/public/%5c..%5cadmin", false},
	}
	for _, tc := range cases {
		s := model.ProtectSurface{Name: "p", Sensitivity: "public", Proxy: proxy, Applications: []model.Application{{Name: "a"}}, AccessRules: tc.rules}
		res, ps := verifiedaccess.Compile(s, verifiedaccess.Options{})
		if ps.HasErrors() {
			t.Fatal(ps)
		}
		e, err := NewEvaluator(proxy, Documents{Group: res.GroupPolicy})
		if err != nil {
			t.Fatal(err)
		}
		req := Request{Method: "GET", Path: tc.path}
		if got := e.Decide(req); got.Allowed != tc.allowed {
			t.Errorf("rules %v, path %q: evaluator allowed=%v (%s), want %v", ruleNames(tc.rules), tc.path, got.Allowed, got.Reason, tc.allowed)
		}
		if got, err := Reference(s, "a", req); err != nil || got.Allowed != tc.allowed {
			t.Errorf("rules %v, path %q: reference allowed=%v (%v), want %v", ruleNames(tc.rules), tc.path, got.Allowed, err, tc.allowed)
		}
	}
}

func ruleNames(rs []model.AccessRule) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}
