package analyze

import (
	"fmt"
	"math/bits"
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

// TestIndexTestsDecideLikeEveryStatement evaluates documents whose
// statements the index tests before evaluating — like patterns, equality
// with non-string literals, `context has`, disjunctions over different
// attributes, tests beside the filed conjunct — with and without the index,
// over contexts in which each tested attribute is absent, of the wrong
// type, matching or not: the decisions must agree, and the index must skip
// statements (or it tests nothing).
func TestIndexTestsDecideLikeEveryStatement(t *testing.T) {
	doc := `
@id("path") permit (principal, action, resource) when { context.http_request.path like "/a/*" || context.http_request.path like "a/*" };
@id("verified") permit (principal, action, resource) when { context has idc && context.idc has verified && context.idc.verified == true };
@id("either") forbid (principal, action, resource) when { context.idc.verified == false || context.http_request.http_method == "PUT" };
@id("filed-and-tested") permit (principal, action, resource) when { context.idc.groups has "g1" && context.http_request.path like "/b*" && 1 == context.n };
@id("set-and-tested") permit (principal, action, resource) when { context.o.groups.contains("a") && ["GET"].contains(context.http_request.http_method) };
@id("unless-only") forbid (principal, action, resource) unless { context.http_request.path like "*" };
@id("untested") permit (principal, action, resource) when { context.idc.verified == true || context has n && context.n > 0 };`
	p, err := ParsePolicy(doc)
	if err != nil {
		t.Fatal(err)
	}
	rec := func(m types.RecordMap) types.Value { return types.NewRecord(m) }
	str := func(s string) types.Value { return types.String(s) }
	verifiedAs := []types.Value{nil, types.True, types.False, str("true"), types.Long(1)}
	groupsAs := []types.Value{nil, rec(types.RecordMap{"g1": types.Record{}}), rec(types.RecordMap{})}
	pathsAs := []types.Value{nil, str("/a/x"), str("a/x"), str("/b/c"), str(""), types.Long(1)}
	methodsAs := []types.Value{nil, str("GET"), str("PUT")}
	setsAs := []types.Value{nil, types.NewSet(str("a")), types.NewSet(str("b")), str("a")}
	nsAs := []types.Value{nil, types.Long(1), types.Long(0), str("1")}
	checked, allowed, forbidden, skipped := 0, 0, 0, 0
	for _, verified := range append(verifiedAs, types.Record{}) { // Record{}: no idc at all
		for _, groups := range groupsAs {
			for _, path := range pathsAs {
				for _, method := range methodsAs {
					for _, set := range setsAs {
						for _, n := range nsAs {
							ctx := types.RecordMap{}
							if _, noIDC := verified.(types.Record); !noIDC {
								idc := types.RecordMap{}
								if verified != nil {
									idc["verified"] = verified
								}
								if groups != nil {
									idc["groups"] = groups
								}
								ctx["idc"] = rec(idc)
							}
							if path != nil || method != nil {
								h := types.RecordMap{}
								if path != nil {
									h["path"] = path
								}
								if method != nil {
									h["http_method"] = method
								}
								ctx["http_request"] = rec(h)
							}
							if set != nil {
								ctx["o"] = rec(types.RecordMap{"groups": set})
							}
							if n != nil {
								ctx["n"] = n
							}
							c := types.NewRecord(ctx)
							want := p.Evaluate(c).Decision
							if got := p.Decide(c); !got.Equal(want) {
								t.Errorf("context %s:\nindexed %v, every statement %v", c.MarshalCedar(), got, want)
							}
							mark := make([]uint64, 1)
							p.index.candidates(c, mark)
							skipped += len(p.statements) - bits.OnesCount64(mark[0])
							checked++
							switch {
							case want.Allowed:
								allowed++
							case len(want.Rules) > 0:
								forbidden++
							}
						}
					}
				}
			}
		}
	}
	if allowed == 0 || forbidden == 0 || allowed+forbidden == checked || skipped == 0 {
		t.Fatalf("%d contexts: %d allowed, %d forbidden, %d statements skipped: the cases do not exercise every outcome", checked, allowed, forbidden, skipped)
	}
	t.Logf("%d contexts: %d allowed, %d forbidden, %d statements skipped", checked, allowed, forbidden, skipped)
}
