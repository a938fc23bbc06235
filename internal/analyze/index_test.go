package analyze

import (
	"fmt"
	"slices"
	"testing"

	"github.com/cedar-policy/cedar-go/types"
)

// TestIndexFiling checks which statements the index files under keys and
// which it must always evaluate.
func TestIndexFiling(t *testing.T) {
	doc := `
@id("idc") permit (principal, action, resource) when { context has idc && context.idc has groups && (context.idc.groups has "g1" || context.idc.groups has "g2") };
@id("idc2") permit (principal, action, resource) when { context has idc && context.idc has groups && context.idc.groups has "g3" };
@id("oidc") permit (principal, action, resource) when { context has o && context.o has groups && context.o.groups.containsAny(["a", "b"]) };
@id("oidc1") permit (principal, action, resource) when { context has o && context.o has groups && context.o.groups.contains("c") };
@id("oidc2") permit (principal, action, resource) when { context has o && context.o has groups && context.o.groups.contains("d") };
@id("method") permit (principal, action, resource) when { context.http_request.http_method == "GET" };
@id("methods") permit (principal, action, resource) when { ["GET", "HEAD"].contains(context.http_request.http_method) };
@id("never") permit (principal, action, resource) when { false };
@id("mixed-or") permit (principal, action, resource) when { context.a has "x" || context.b has "y" };
@id("mixed-set") permit (principal, action, resource) when { context.o.groups.containsAny(["a", 1]) };
@id("unless") permit (principal, action, resource) unless { context.http_request.http_method == "GET" };
@id("like") permit (principal, action, resource) when { context.http_request.path like "/a/*" };
@id("when-or-true") permit (principal, action, resource) when { context.http_request.http_method == "GET" || true };`
	p, err := ParsePolicy(doc)
	if err != nil {
		t.Fatal(err)
	}
	var always []string
	for _, i := range p.index.always {
		always = append(always, string(p.statements[i].id))
	}
	if want := []string{"mixed-or", "mixed-set", "unless", "like", "when-or-true"}; !slices.Equal(always, want) {
		t.Errorf("always evaluated %v, want %v", always, want)
	}
	filed := map[string]string{}
	for dim, byKey := range p.index.filed {
		for k, is := range byKey {
			for _, i := range is {
				filed[string(p.statements[i].id)] += fmt.Sprintf("%s/%d/%s ", dim.path, dim.kind, k)
			}
		}
	}
	for id, want := range map[string][]string{
		"idc":     {`"idc""groups"/0/g1 `, `"idc""groups"/0/g2 `},
		"idc2":    {`"idc""groups"/0/g3 `},
		"oidc":    {`"o""groups"/1/a `, `"o""groups"/1/b `},
		"oidc1":   {`"o""groups"/1/c `},
		"method":  {`"http_request""http_method"/2/GET `},
		"methods": {`"http_request""http_method"/2/GET `, `"http_request""http_method"/2/HEAD `},
		"never":   nil,
	} {
		got := filed[id]
		n := 0
		for _, w := range want {
			if !containsStr(got, w) {
				t.Errorf("%s: filed as %s, missing %s", id, got, w)
			}
			n += len(w)
		}
		if len(got) != n {
			t.Errorf("%s: filed as %q, want exactly %q", id, got, want)
		}
	}
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestIndexDecidesLikeEveryStatement evaluates hand-written documents whose
// indexed attributes are present, absent, or of the wrong type, with and
// without the index: the decisions must agree.
func TestIndexDecidesLikeEveryStatement(t *testing.T) {
	docs := []string{
		`@id("g") permit (principal, action, resource) when { context.idc.groups has "g1" };
		 @id("f") forbid (principal, action, resource) when { context.idc.groups has "bad" };
		 @id("m") permit (principal, action, resource) when { context.http_request.http_method == "GET" };`,
		`@id("s") permit (principal, action, resource) when { context.o.groups.contains("a") && context.http_request.http_method == "GET" };
		 @id("s2") permit (principal, action, resource) when { ["GET", "PUT"].contains(context.http_request.http_method) && context.o.groups.containsAny(["b", "c"]) };
		 @id("x") forbid (principal, action, resource) when { "PUT" == context.http_request.http_method };
		 @id("n") permit (principal, action, resource) when { false };`,
	}
	rec := func(m types.RecordMap) types.Value { return types.NewRecord(m) }
	str := func(s string) types.Value { return types.String(s) }
	groupsAs := []types.Value{
		nil,
		rec(types.RecordMap{"g1": types.Record{}}),
		rec(types.RecordMap{"g1": types.Record{}, "bad": types.Record{}}),
		rec(types.RecordMap{}),
		types.NewSet(str("a"), str("b")),
		types.NewSet(str("g1")),
		types.NewSet(types.Long(1), str("c")),
		str("g1"),
		types.Long(3),
	}
	methods := []types.Value{nil, str("GET"), str("PUT"), str("POST"), types.Long(1), types.NewSet(str("GET"))}
	checked, allowed := 0, 0
	for _, doc := range docs {
		p, err := ParsePolicy(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range groupsAs {
			for _, m := range methods {
				ctx := types.RecordMap{}
				if g != nil {
					ctx["idc"] = rec(types.RecordMap{"groups": g})
					ctx["o"] = rec(types.RecordMap{"groups": g})
				}
				if m != nil {
					ctx["http_request"] = rec(types.RecordMap{"http_method": m})
				}
				c := types.NewRecord(ctx)
				want := p.Evaluate(c).Decision
				if got := p.Decide(c); !got.Equal(want) {
					t.Errorf("context %v:\nindexed %v, every statement %v", c, got, want)
				}
				checked++
				if want.Allowed {
					allowed++
				}
			}
		}
	}
	if allowed == 0 || allowed == checked {
		t.Fatalf("%d of %d allowed: the cases do not exercise both outcomes", allowed, checked)
	}
}
