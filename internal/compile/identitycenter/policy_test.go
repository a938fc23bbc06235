package identitycenter

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

func TestCanonicalPolicy(t *testing.T) {
	tests := []struct{ in, want string }{
		{"{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Resource\": \"*\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\"}\n}\n",
			`{"Statement":{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"},"Version":"2012-10-17"}`},
		// Shape and order of arrays are kept.
		{`{"Action":["b","a"],"Resource":["*"]}`, `{"Action":["b","a"],"Resource":["*"]}`},
		// Numbers keep their spelling; literals stay.
		{`{"n":1.0,"m":-0,"e":1E+2,"t":true,"f":false,"z":null}`, `{"e":1E+2,"f":false,"m":-0,"n":1.0,"t":true,"z":null}`},
		// No HTML escaping; escapes normalized.
		{`{"c":"a<b>&c","s":"\/\u0041\t"}`, `{"c":"a<b>&c","s":"/A\t"}`},
		// Non-ASCII becomes \u escapes (lower-case hex; surrogate pairs above U+FFFF).
		{`{"Sid":"é支😀"}`, `{"Sid":"\u00e9\u652f\ud83d\ude00"}`},
		{`{"k":"\u00E9"}`, `{"k":"\u00e9"}`},
		// Keys sort by bytes, so escaped and raw forms of a key sort alike.
		{`{"é":1,"z":2,"A":3}`, `{"A":3,"z":2,"\u00e9":1}`},
		// Control characters and line separators are escaped by encoding/json.
		{"{\"k\":\"\\u0001\\u2028\"}", `{"k":"\u0001\u2028"}`},
		{`[]`, `[]`},
		{`"x"`, `"x"`},
	}
	for _, tt := range tests {
		got, err := CanonicalPolicy(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("CanonicalPolicy(%q)\n got  %q, %v\n want %q", tt.in, got, err, tt.want)
			continue
		}
		if again, err := CanonicalPolicy(got); err != nil || again != got {
			t.Errorf("not idempotent: %q -> %q, %v", got, again, err)
		}
	}
	for _, bad := range []string{"", " ", "{", `{"a":1,"a":2}`, "{\"a\":\"\xff\"}", `{} x`, `{'a':1}`, `{"a":01}`, `{"a":NaN}`} {
		if got, err := CanonicalPolicy(bad); err == nil {
			t.Errorf("CanonicalPolicy(%q) = %q, want an error", bad, got)
		}
	}
}

func TestPolicyEqual(t *testing.T) {
	if !PolicyEqual(`{"a":1,"b":[1,2]}`, "{ \"b\" : [1, 2],\n\"a\":1 }") {
		t.Error("equal policies differ")
	}
	if PolicyEqual(`{"a":[1,2]}`, `{"a":[2,1]}`) || PolicyEqual(`{"a":"x"}`, `{"a":["x"]}`) || PolicyEqual(`{`, `{}`) {
		t.Error("different policies equal")
	}
	if !PolicyEqual("", "") || !PolicyEqual("{", "{") {
		t.Error("identical texts differ")
	}
}

// --- property tests -------------------------------------------------------

var propRunes = []rune("aZ09 :*?/\\\"'<>&\t\n\r\x00\x01\x1f\x7fé\u00ff\u0100支\u2028\u2029\ufffd😀\U0010FFFF")
var propNumbers = []string{"0", "-0", "1", "-1", "1.0", "1.50", "1e10", "1E-5", "-2.5e+3", "123456789012345678901234567890", "0.000001"}

func randString(r *rand.Rand) string {
	n := r.IntN(8)
	b := make([]rune, n)
	for i := range b {
		b[i] = propRunes[r.IntN(len(propRunes))]
	}
	return string(b)
}

// randValue builds a random JSON tree of the shapes DecodePolicyJSON returns.
func randValue(r *rand.Rand, depth int) any {
	k := r.IntN(7)
	if depth > 4 {
		k = r.IntN(4)
	}
	switch k {
	case 0:
		return randString(r)
	case 1:
		return json.Number(propNumbers[r.IntN(len(propNumbers))])
	case 2:
		return r.IntN(2) == 0
	case 3:
		return nil
	case 4, 5:
		m := map[string]any{}
		for i := r.IntN(5); i > 0; i-- {
			m[randString(r)] = randValue(r, depth+1)
		}
		return m
	default:
		a := []any{}
		for i := r.IntN(5); i > 0; i-- {
			a = append(a, randValue(r, depth+1))
		}
		return a
	}
}

// writeMessy serializes a tree with random key order and white space.
// Scalars and keys go through encoding/json, so escaping is always valid.
func writeMessy(r *rand.Rand, b *strings.Builder, v any) {
	ws := func() {
		for i := r.IntN(3); i > 0; i-- {
			b.WriteByte(" \t\n\r"[r.IntN(4)])
		}
	}
	ws()
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			ws()
			kb, _ := json.Marshal(k)
			b.Write(kb)
			ws()
			b.WriteByte(':')
			writeMessy(r, b, t[k])
		}
		ws()
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			writeMessy(r, b, e)
		}
		ws()
		b.WriteByte(']')
	default:
		vb, _ := json.Marshal(t)
		b.Write(vb)
	}
	ws()
}

func decodeForTest(t *testing.T, s string) any {
	t.Helper()
	v, err := model.DecodePolicyJSON(s)
	if err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Property: canonical(canonical(x)) == canonical(x); the canonical text is
// printable ASCII (within the API's pattern), valid JSON, and denotes the
// same value as x.
func TestCanonicalPolicyProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		tree := randValue(r, 0)
		var b strings.Builder
		writeMessy(r, &b, tree)
		in := b.String()
		c1, err := CanonicalPolicy(in)
		if err != nil {
			t.Fatalf("CanonicalPolicy(%q): %v", in, err)
		}
		c2, err := CanonicalPolicy(c1)
		if err != nil || c2 != c1 {
			t.Fatalf("not idempotent:\n in %q\n c1 %q\n c2 %q (%v)", in, c1, c2, err)
		}
		if !isPrintableASCII(c1) || !json.Valid([]byte(c1)) {
			t.Fatalf("canonical output not printable-ASCII JSON: %q", c1)
		}
		if !reflect.DeepEqual(decodeForTest(t, in), decodeForTest(t, c1)) {
			t.Fatalf("canonical form changed the value:\n in %q\n out %q", in, c1)
		}
		if !PolicyEqual(in, c1) {
			t.Fatalf("PolicyEqual(in, canonical(in)) is false for %q", in)
		}
	}
}

var (
	propActions   = []string{"*", "*:*", "s3:GetObject", "S3:*", "iam:PassRole", "iam:Pass*", "iam:*", "iam:Get*", "sts:AssumeRole", "kms:*", "ec2:Describe*", "ec2:*", "sso:*", "organizations:List*", "dynamodb:Query"}
	propResources = []string{"*", "arn:aws:s3:::b/*", "arn:aws:iam::123456789012:role/x", "arn:aws:kms:us-east-1:123456789012:key/k"}
)

func pickStrings(r *rand.Rand, pool []string) any {
	if r.IntN(3) == 0 {
		return pool[r.IntN(len(pool))]
	}
	a := []any{}
	for i := 1 + r.IntN(3); i > 0; i-- {
		a = append(a, pool[r.IntN(len(pool))])
	}
	return a
}

func randPolicy(r *rand.Rand) any {
	var stmts []any
	for i := 1 + r.IntN(4); i > 0; i-- {
		st := map[string]any{"Effect": []string{"Allow", "Allow", "Deny"}[r.IntN(3)]}
		if r.IntN(5) == 0 {
			st["NotAction"] = pickStrings(r, propActions)
		} else {
			st["Action"] = pickStrings(r, propActions)
		}
		if r.IntN(6) == 0 {
			st["NotResource"] = pickStrings(r, propResources)
		} else {
			st["Resource"] = pickStrings(r, propResources)
		}
		stmts = append(stmts, st)
	}
	var s any = stmts
	if len(stmts) == 1 && r.IntN(2) == 0 {
		s = stmts[0]
	}
	return map[string]any{"Version": "2012-10-17", "Statement": s}
}

// Property: the lint judges meaning, not spelling — a policy and its
// canonical form get the same findings; and findings are deterministic.
func TestLintStableUnderCanonicalization(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 2000; i++ {
		var b strings.Builder
		writeMessy(r, &b, randPolicy(r))
		in := b.String()
		c, err := CanonicalPolicy(in)
		if err != nil {
			t.Fatal(err)
		}
		l1 := Lint(model.PrivilegedAccess{InlinePolicy: in})
		l2 := Lint(model.PrivilegedAccess{InlinePolicy: c})
		l3 := Lint(model.PrivilegedAccess{InlinePolicy: in})
		if !reflect.DeepEqual(l1, l2) || !reflect.DeepEqual(l1, l3) {
			t.Fatalf("lint differs:\n in %s\n %v\n %v", in, l1, l2)
		}
	}
}

// --- hostile input ------------------------------------------------------

func TestCompileHostileInlinePolicies(t *testing.T) {
	manyStatements := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"Version":"2012-10-17","Statement":[`)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"Effect":"Allow","Action":["iam:Pass*","s3:*"],"Resource":"*"}`)
		}
		b.WriteString(`]}`)
		return b.String()
	}
	tests := []struct {
		name, doc, want string
	}{
		{"deeply nested condition", policy(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":` + strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000) + `}`), "nests deeper than 32"},
		{"deeply nested arrays", strings.Repeat("[", 1<<17) + strings.Repeat("]", 1<<17), "nests deeper than 32"},
		{"huge", `{"Id":"` + strings.Repeat("A", 2<<20) + `"}`, "refusing to parse"},
		{"many statements", manyStatements(12000), "at most 32768"},
		{"many statements below the byte limit", manyStatements(200), "non-white-space"},
		{"unicode over the byte limit", policy(`{"Sid":"a","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("😀", 3000) + `"}`), "at most 32768"},
		{"huge action", policy(`{"Effect":"Allow","Action":"s3:` + strings.Repeat("*", 200000) + `","Resource":"*"}`), "at most 32768"},
		{"invalid utf8", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"\xed\xa0\x80\"}}", "invalid UTF-8"},
		{"nul byte", "{\"Version\":\"2012-10-17\"\x00}", "invalid JSON"},
		{"bom", "\ufeff{}", "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := testAccess()
			a.InlinePolicy = tt.doc
			// No wall-clock bound (flaky on a shared machine): a parse that
			// hangs is caught by go test's -timeout.
			set, ps := Compile(a, testNow)
			if !ps.HasErrors() || set.Name != "" {
				t.Fatalf("want errors and no permission set, got %+v %v", set, ps)
			}
			if !hasProblem(ps, "inline_policy", model.Error, tt.want) {
				t.Fatalf("no inline_policy error containing %q in %v", tt.want, ps.Error())
			}
			if len(ps) > 2*(MaxInlineFindings+model.MaxPolicyProblems) {
				t.Fatalf("%d problems: findings are not capped", len(ps))
			}
		})
	}
}

func TestCompileUnicodePolicy(t *testing.T) {
	a := testAccess()
	a.InlinePolicy = policy(`{"Sid":"Ledger","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/支付/😀/é","Condition":{"StringEquals":{"aws:PrincipalTag/team":"paiements-équipe"}}}`)
	set, ps := Compile(a, testNow)
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	if !isPrintableASCII(set.InlinePolicy) || !strings.Contains(set.InlinePolicy, `b/\u652f\u4ed8/\ud83d\ude00/\u00e9`) {
		t.Fatalf("unexpected canonical policy %s", set.InlinePolicy)
	}
	if !PolicyEqual(set.InlinePolicy, a.InlinePolicy) {
		t.Fatal("escaped policy no longer equals the input")
	}
}
