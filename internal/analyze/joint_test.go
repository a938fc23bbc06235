package analyze

import (
	"fmt"
	"sync"
	"testing"

	"github.com/cedar-policy/cedar-go/types"
)

// TestJointDecidesLikeBothDocuments decides hand-written pairs of documents
// that differ every way the compiler's never do — forbids only in the group
// policy, permits only in the endpoint policy, a shared statement, statements
// without @id at different positions, one text under two ids — jointly and
// each document on its own (every statement, Policy.Evaluate): the combined
// decisions must agree, and every outcome must occur.
func TestJointDecidesLikeBothDocuments(t *testing.T) {
	pairs := []struct{ group, endpoint string }{
		{
			`@id("g-a") permit (principal, action, resource) when { context.idc.groups has "a" };
			 @id("g-forbid-b") forbid (principal, action, resource) when { context.idc.groups has "b" && context.http_request.http_method == "PUT" };
			 @id("shared") permit (principal, action, resource) when { context.http_request.http_method == "GET" };`,
			`@id("shared") permit (principal, action, resource) when { context.http_request.http_method == "GET" };
			 @id("e-b") permit (principal, action, resource) when { context.idc.groups has "b" };
			 @id("e-forbid-post") forbid (principal, action, resource) when { context.http_request.http_method == "POST" };`,
		},
		{
			// No @id: ids are positions, so the same text is "policy0" in
			// one document and "policy2" in the other.
			`permit (principal, action, resource) when { context.idc.groups has "a" };
			 forbid (principal, action, resource) when { context.http_request.http_method == "PUT" };`,
			`@id("x") permit (principal, action, resource) when { context.idc.groups has "b" };
			 @id("y") forbid (principal, action, resource) when { context.idc.groups has "b" && context.http_request.http_method == "GET" };
			 permit (principal, action, resource) when { context.idc.groups has "a" };`,
		},
		{
			// One text, two ids; an always-evaluated statement in each.
			`@id("one") permit (principal, action, resource) when { context.idc.groups has "a" };
			 @id("any-method") permit (principal, action, resource) when { context.http_request has http_method };`,
			`@id("two") permit (principal, action, resource) when { context.idc.groups has "a" };
			 @id("not-get") forbid (principal, action, resource) unless { context.http_request.http_method == "GET" };`,
		},
	}
	rec := func(m types.RecordMap) types.Value { return types.NewRecord(m) }
	groupsAs := []types.Value{
		nil,
		rec(types.RecordMap{}),
		rec(types.RecordMap{"a": types.Record{}}),
		rec(types.RecordMap{"b": types.Record{}}),
		rec(types.RecordMap{"a": types.Record{}, "b": types.Record{}}),
		types.String("a"),
	}
	methods := []types.Value{nil, types.String("GET"), types.String("POST"), types.String("PUT"), types.Long(1)}
	var allowed, forbidden, byDefault int
	for n, pair := range pairs {
		g, err := ParsePolicy(pair.group)
		if err != nil {
			t.Fatal(err)
		}
		e, err := ParsePolicy(pair.endpoint)
		if err != nil {
			t.Fatal(err)
		}
		j := newJointPolicy(g, e)
		if j == nil {
			t.Fatalf("pair %d: not united", n)
		}
		for _, groups := range groupsAs {
			for _, method := range methods {
				ctx := types.RecordMap{}
				if groups != nil {
					ctx["idc"] = rec(types.RecordMap{"groups": groups})
				}
				if method != nil {
					ctx["http_request"] = rec(types.RecordMap{"http_method": method})
				}
				c := types.NewRecord(ctx)
				want := combine(g.Evaluate(c).Decision, e.Evaluate(c).Decision)
				if got := j.decide(c); !got.Equal(want) {
					t.Errorf("pair %d, context %s: jointly %v, each document on its own %v", n, c.MarshalCedar(), got, want)
				}
				switch {
				case want.Allowed:
					allowed++
				case len(want.Rules) > 0:
					forbidden++
				default:
					byDefault++
				}
			}
		}
	}
	if allowed == 0 || forbidden == 0 || byDefault == 0 {
		t.Fatalf("%d allowed, %d forbidden, %d denied by default: the cases do not exercise every outcome", allowed, forbidden, byDefault)
	}
}

// TestJointRefusesAnAmbiguousID: when one @id names different statements in
// the two documents, a deciding id would not say which matched, so the
// documents are not united and decisions evaluate each on its own.
func TestJointRefusesAnAmbiguousID(t *testing.T) {
	g, err := ParsePolicy(`@id("r") permit (principal, action, resource) when { context.idc.groups has "a" };`)
	if err != nil {
		t.Fatal(err)
	}
	e, err := ParsePolicy(`@id("r") permit (principal, action, resource) when { context.idc.groups has "b" };`)
	if err != nil {
		t.Fatal(err)
	}
	if newJointPolicy(g, e) != nil {
		t.Fatal("documents with one id on two statements were united")
	}
}

// TestConcurrentDecisions decides the same requests from several goroutines
// at once (contexts are built from pooled scratch maps) and one by one: the
// decisions must be the same. Run with -race to check the sharing.
func TestConcurrentDecisions(t *testing.T) {
	s := benchSurface(30)
	c := compiledSurface(t, s)
	reqs := benchRequests(s, 300)
	apps := []string{"admin", "api", "web"}
	want := make([]Decision, len(reqs))
	var err error
	for i, req := range reqs {
		if want[i], err = c.DecideFull(apps[i%3], req); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(reqs))
	for range 4 {
		wg.Go(func() {
			for i, req := range reqs {
				if got, _ := c.DecideFull(apps[i%3], req); !got.Equal(want[i]) {
					errs <- fmt.Sprintf("request %d: concurrently %v, alone %v", i, got, want[i])
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
