package analyze

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
)

// defaultDiffPairs is how many (model, request) pairs plain `go test` checks;
// ZT_DIFF_N overrides it (make verify runs 1,000,000).
const defaultDiffPairs = 100_000

// requestsPerModel is how many requests each compiled model answers: the
// compile (with its parse-back and schema validation) dominates the cost of a
// pair, so it is amortised.
const requestsPerModel = 250

// TestDifferential compares the reference evaluator (the model's semantics)
// with cedar-go's evaluation of the compiled policies, as Verified Access
// combines them, over random valid models and random requests: the decision
// and the deciding rules must agree on every pair.
func TestDifferential(t *testing.T) {
	n := defaultDiffPairs
	if v := os.Getenv("ZT_DIFF_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			t.Fatalf("ZT_DIFF_N=%q is not a positive integer", v)
		}
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("ZT_DIFF_SEED"); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	t.Logf("pairs=%d seed=%d (reproduce with ZT_DIFF_SEED=%d)", n, seed, seed)
	r := rand.New(rand.NewPCG(seed, 0x5eed))

	pairs, models, allowed, forbidden, divergences := 0, 0, 0, 0, 0
	for pairs < n {
		s := randomSurface(r, 10)
		res, problems := verifiedaccess.Compile(s, verifiedaccess.Options{})
		if problems.HasErrors() {
			t.Fatalf("generator produced an invalid surface: %v\n%+v", problems, s)
		}
		c, err := NewCompiledSurface(s, res)
		if err != nil {
			t.Fatalf("compiled surface does not load: %v", err)
		}
		models++
		for _, e := range res.Endpoints {
			if e.Policy != "" && !c.apps[e.Application].implied {
				t.Fatalf("the group policy is not implied by the endpoint policy of %q", e.Application)
			}
		}
		for k := 0; k < requestsPerModel && pairs < n; k++ {
			app := pick(r, s.Applications).Name
			req := randomRequest(r, s)
			want, err := Reference(s, app, req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.DecideFull(app, req)
			if err != nil {
				t.Fatal(err)
			}
			if fast, _ := c.Decide(app, req); !fast.Equal(got) {
				t.Fatalf("Decide says %v, DecideFull says %v", fast, got)
			}
			// The statement index must not change a decision: evaluating
			// every statement of both documents agrees.
			if every, _ := c.decide(app, req, true, true); !every.Equal(got) {
				t.Fatalf("with the index %v, evaluating every statement %v\nrequest: %s\ngroup policy:\n%s", got, every, describe(req), res.GroupPolicy)
			}
			pairs++
			if want.Allowed {
				allowed++
			} else if len(want.Rules) > 0 {
				forbidden++
			}
			if !got.Equal(want) {
				divergences++
				if divergences <= 5 {
					t.Errorf("divergence on app %q\nmodel says %v, Cedar says %v\nrequest: %s\nsurface: %+v\ngroup policy:\n%s\nendpoints: %+v",
						app, want, got, describe(req), s, res.GroupPolicy, res.Endpoints)
				}
			}
		}
	}
	t.Logf("%d pairs over %d models: %d allowed, %d denied by a forbid, %d denied by default; %d divergences",
		pairs, models, allowed, forbidden, pairs-allowed-forbidden, divergences)
	if divergences > 0 {
		t.Fatalf("%d divergences between the model and the compiled Cedar", divergences)
	}
	// The generator must exercise every outcome, or the comparison proves little.
	if n >= 10_000 && (allowed < n/50 || forbidden < n/200 || pairs-allowed-forbidden < n/50) {
		t.Fatalf("generator is lopsided: %d allowed, %d forbidden, %d default-denied of %d", allowed, forbidden, pairs-allowed-forbidden, n)
	}
}

func describe(req Request) string {
	s := "method=" + strconv.Quote(req.Method) + " path=" + strconv.Quote(req.Path) + " ip=" + req.ClientIP.String()
	if id := req.Identity; id != nil {
		s += " groups=" + strconv.Quote(quoteAll(id.Groups)) + " email=" + boolp(id.EmailVerified) + " mfa=" + boolp(id.MFA)
	} else {
		s += " identity=absent"
	}
	if req.Jamf != nil {
		if req.Jamf.Risk != nil {
			s += " jamf=" + strconv.Quote(*req.Jamf.Risk)
		} else {
			s += " jamf={}"
		}
	}
	if req.CrowdStrike != nil {
		if req.CrowdStrike.Overall != nil {
			s += " crwd=" + strconv.Itoa(*req.CrowdStrike.Overall)
		} else {
			s += " crwd={}"
		}
	}
	if req.JumpCloud != nil {
		s += " jc=" + boolp(req.JumpCloud.Managed)
	}
	return s
}

func quoteAll(xs []string) string {
	if xs == nil {
		return "<absent>"
	}
	out := ""
	for _, x := range xs {
		out += strconv.Quote(x) + ","
	}
	return out
}

func boolp(b *bool) string {
	if b == nil {
		return "absent"
	}
	return strconv.FormatBool(*b)
}
