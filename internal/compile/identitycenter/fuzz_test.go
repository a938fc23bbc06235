package identitycenter

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

var fuzzSeeds = []string{
	`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`,
	`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["iam:Pass*","s3:GetObject"],"Resource":["*"]},{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::x"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/支付/😀","Condition":{"StringEquals":{"k":["v",1.0,null,true]}}}]}`,
	"{\"a\":\"\\ud800\\u2028<>&\x7f\"}",
	`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	`{"a":1,"a":2}`,
	"",
	"\xff",
}

// FuzzCanonicalPolicy: never panics; accepted input canonicalizes to
// printable-ASCII JSON that re-parses, is a fixed point, and equals the input.
func FuzzCanonicalPolicy(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		c, err := CanonicalPolicy(doc)
		if err != nil {
			return
		}
		if !json.Valid([]byte(c)) || !isPrintableASCII(c) {
			t.Fatalf("canonical output is not printable-ASCII JSON: %q", c)
		}
		c2, err := CanonicalPolicy(c)
		if err != nil || c2 != c {
			t.Fatalf("not idempotent: %q -> %q (%v)", c, c2, err)
		}
		a, err1 := model.DecodePolicyJSON(doc)
		b, err2 := model.DecodePolicyJSON(c)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("canonical form changed the value of %q: %q", doc, c)
		}
	})
}

// FuzzLint: compiling and linting arbitrary policy text never panics; the
// lint gives the same findings for a policy and its canonical form; a
// compiled policy re-parses.
func FuzzLint(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "")
		f.Add(s, "reviewed")
	}
	f.Fuzz(func(t *testing.T, doc, ack string) {
		a := model.PrivilegedAccess{
			Name: "fuzz", Group: testGroup, Accounts: []string{"123456789012"},
			ManagedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"},
			InlinePolicy:    doc, Acknowledgement: ack,
		}
		l1 := Lint(a)
		set, ps := Compile(a, testNow)
		if ps.HasErrors() {
			return
		}
		if set.InlinePolicy != "" {
			if _, err := CanonicalPolicy(set.InlinePolicy); err != nil {
				t.Fatalf("compiled policy does not re-parse: %v", err)
			}
			a.InlinePolicy = set.InlinePolicy
			if l2 := Lint(a); !reflect.DeepEqual(l1, l2) {
				t.Fatalf("lint differs after canonicalization:\n%v\n%v", l1, l2)
			}
		}
	})
}
