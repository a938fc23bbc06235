package analyze

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// evaluatorFor builds the Evaluator of one application from a compile
// result, as the data source would from planned attributes.
func evaluatorFor(t *testing.T, s model.ProtectSurface, res verifiedaccess.Result, app string) *Evaluator {
	t.Helper()
	e, _ := res.Endpoint(app)
	tcp := slices.ContainsFunc(s.Applications, func(a model.Application) bool { return a.Name == app && a.IsTCP() })
	ev, err := NewEvaluator(s.Proxy, Documents{Group: res.GroupPolicy, Endpoint: e.Policy, TCP: tcp})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestEvaluatorAgreesWithModel: the text-only entry point decides like the
// model (Reference) over random surfaces and requests.
func TestEvaluatorAgreesWithModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed=%d", seed)
	r := rand.New(rand.NewPCG(seed, 11))
	pairs := 0
	for range 60 {
		s := randomSurface(r, 10)
		res, ps := verifiedaccess.Compile(s, verifiedaccess.Options{})
		if ps.HasErrors() {
			t.Fatal(ps)
		}
		for _, a := range s.Applications {
			ev := evaluatorFor(t, s, res, a.Name)
			for range 40 {
				req := randomRequest(r, s)
				want, _ := Reference(s, a.Name, req)
				got := ev.Evaluate(req)
				if got.Allowed != want.Allowed || !slices.Equal(got.Rules, want.Rules) {
					t.Fatalf("app %q request %s: evaluator %v %q (%s), model %v", a.Name, describe(req), got.Allowed, got.Rules, got.Reason, want)
				}
				if quick := ev.Decide(req); quick.Allowed != got.Allowed || !slices.Equal(quick.Rules, got.Rules) || quick.Reason != got.Reason {
					t.Fatalf("app %q request %s: Decide %v %q (%s), Evaluate %v %q (%s)", a.Name, describe(req), quick.Allowed, quick.Rules, quick.Reason, got.Allowed, got.Rules, got.Reason)
				}
				pairs++
			}
		}
	}
	t.Logf("%d pairs", pairs)
}

func TestEvaluatorReasons(t *testing.T) {
	s := paymentsSurface()
	res, ps := verifiedaccess.Compile(s, verifiedaccess.Options{})
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	admin, api := evaluatorFor(t, s, res, "payments-admin"), evaluatorFor(t, s, res, "payments-api")
	edit := func(f func(*Request)) Request { r := engineer(); f(&r); return r }
	for _, tc := range []struct {
		name   string
		ev     *Evaluator
		req    Request
		reason string
	}{
		{"allowed, two documents", admin, engineer(), `allowed by permit "engineers-read-write" (both the group and the endpoint policy allow)`},
		{"allowed, two permits", admin, edit(func(r *Request) { r.Jamf.Risk = new("SECURE") }),
			`allowed by permit "admin-office-exception", "engineers-read-write" (both the group and the endpoint policy allow)`},
		{"forbid", api, edit(func(r *Request) { r.Identity.Groups = []string{groupCon} }), `denied by forbid "block-contractors"`},
		{"two forbids", admin, edit(func(r *Request) { r.Path = "/admin/x"; r.Identity.Groups = []string{groupCon, groupEng} }),
			`denied by forbid "admin-from-office", "block-contractors"`},
		{"no permit anywhere", admin, edit(func(r *Request) { r.Identity = nil }), "denied: no rule of the group policy or the endpoint policy permits the request"},
	} {
		v := tc.ev.Evaluate(tc.req)
		if v.Reason != tc.reason {
			t.Errorf("%s: reason %q, want %q", tc.name, v.Reason, tc.reason)
		}
		if len(v.Errors) > 0 {
			t.Errorf("%s: errors %v", tc.name, v.Errors)
		}
	}

	// One document only, and a document that permits nothing while the
	// other allows.
	one, err := NewEvaluator(s.Proxy, Documents{Group: res.GroupPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if v := one.Evaluate(edit(func(r *Request) { r.Identity = nil })); v.Allowed || v.Reason != "denied: no rule permits the request" {
		t.Errorf("one document: %+v", v)
	}
	strict, err := NewEvaluator(s.Proxy, Documents{Group: res.GroupPolicy, Endpoint: string(verifiedaccess.DenyByDefault().MarshalCedar())})
	if err != nil {
		t.Fatal(err)
	}
	if v := strict.Evaluate(engineer()); v.Allowed || v.Reason != "denied: no rule of the endpoint policy permits the request" {
		t.Errorf("endpoint permits nothing: %+v", v)
	}
}

func TestEvaluatorErrorsAndInputs(t *testing.T) {
	proxy := paymentsSurface().Proxy
	ev, err := NewEvaluator(proxy, Documents{Group: `@id("office") permit (principal, action, resource) when { ip(context.http_request.client_ip).isInRange(ip("10.0.0.0/8")) };`})
	if err != nil {
		t.Fatal(err)
	}
	if v := ev.Evaluate(Request{}); v.Allowed || len(v.Errors) != 1 || !strings.HasPrefix(v.Errors[0], "office: ") {
		t.Errorf("unknown client address: %+v", v)
	}
	if v := ev.Evaluate(Request{ClientIP: netip.MustParseAddr("10.2.3.4")}); !v.Allowed || v.Reason != `allowed by permit "office"` {
		t.Errorf("office address: %+v", v)
	}
	if _, err := NewEvaluator(proxy, Documents{Group: "permit ("}); err == nil {
		t.Error("broken group policy accepted")
	}
	if _, err := NewEvaluator(proxy, Documents{Group: "", Endpoint: "forbid ("}); err == nil {
		t.Error("broken endpoint policy accepted")
	}
	if _, err := NewEvaluator(model.AccessProxy{}, Documents{}); err == nil {
		t.Error("proxy without identity provider accepted")
	}
}
