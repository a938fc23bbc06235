package identitycenter

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

const testGroup = "9067b2a3-1234-4c5d-8e9f-0123456789ab"

var testNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func testAccess() model.PrivilegedAccess {
	return model.PrivilegedAccess{
		Name:     "payments-oncall",
		Group:    testGroup,
		Accounts: []string{"210987654321", "123456789012", "210987654321"},
		ManagedPolicies: []string{
			"arn:aws:iam::aws:policy/ReadOnlyAccess",
			"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
			"arn:aws:iam::aws:policy/ReadOnlyAccess",
		},
		CustomerManagedPolicies: []model.PolicyReference{{Name: "PaymentsDebug", Path: "/payments/"}, {Name: "Boundaryless"}},
		InlinePolicy: `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ReadLedger", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/ledger"}
  ]
}`,
		PermissionsBoundary: &model.PermissionsBoundary{CustomerManagedPolicy: &model.PolicyReference{Name: "PaymentsBoundary"}},
		SessionDuration:     "PT90M",
		ExpiresAt:           time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
		Description:         "Payments on-call",
	}
}

func mustCompile(t testing.TB, a model.PrivilegedAccess) (PermissionSet, model.Problems) {
	t.Helper()
	set, ps := Compile(a, testNow)
	if ps.HasErrors() {
		t.Fatalf("unexpected errors: %v", ps)
	}
	return set, ps
}

func TestCompilePermissionSet(t *testing.T) {
	set, ps := mustCompile(t, testAccess())
	// Duplicates are warned about (and dropped), nothing else.
	if len(ps) != 2 || !hasProblem(ps, "accounts[2]", model.Warning, "Duplicate") || !hasProblem(ps, "managed_policies[2]", model.Warning, "Duplicate") {
		t.Fatalf("unexpected problems: %v", ps)
	}
	want := PermissionSet{
		Name:            "payments-oncall",
		Description:     "Payments on-call",
		SessionDuration: "PT1H30M",
		InlinePolicy:    `{"Statement":[{"Action":["dynamodb:GetItem","dynamodb:Query"],"Effect":"Allow","Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/ledger","Sid":"ReadLedger"}],"Version":"2012-10-17"}`,
		ManagedPolicies: []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		CustomerManagedPolicies: []PolicyReference{
			{Name: "Boundaryless", Path: "/"},
			{Name: "PaymentsDebug", Path: "/payments/"},
		},
		PermissionsBoundary: &Boundary{CustomerManagedPolicy: &PolicyReference{Name: "PaymentsBoundary", Path: "/"}},
		Assignments: []Assignment{
			{AccountID: "123456789012", PrincipalType: "GROUP", PrincipalID: testGroup},
			{AccountID: "210987654321", PrincipalType: "GROUP", PrincipalID: testGroup},
		},
	}
	if !reflect.DeepEqual(set, want) {
		t.Fatalf("got  %+v\nwant %+v", set, want)
	}
}

func TestCompileDeterministic(t *testing.T) {
	a := testAccess()
	first, _ := mustCompile(t, a)
	// Reordering list inputs must not change the output.
	b := testAccess()
	b.Accounts = []string{"123456789012", "210987654321"}
	b.ManagedPolicies = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}
	b.CustomerManagedPolicies = []model.PolicyReference{{Name: "Boundaryless", Path: "/"}, {Name: "PaymentsDebug", Path: "/payments/"}}
	b.InlinePolicy = first.InlinePolicy // already canonical
	b.SessionDuration = "PT1H30M"
	second, _ := mustCompile(t, b)
	if !reflect.DeepEqual(first, second) {
		t.Fatalf("compile not deterministic:\n%+v\n%+v", first, second)
	}
	if d := Diff(first, second); !d.Empty() {
		t.Fatalf("diff of equal sets: %+v", d)
	}
}

func TestCompileExpiry(t *testing.T) {
	a := testAccess()
	a.ExpiresAt = testNow
	set, ps := mustCompile(t, a)
	if len(set.Assignments) != 0 {
		t.Fatalf("expired access still assigned: %v", set.Assignments)
	}
	if set.Name == "" || set.InlinePolicy == "" {
		t.Fatal("the permission set itself should still compile")
	}
	if !hasProblem(ps, "expires_at", model.Warning, "expired at 2026-06-01T00:00:00Z") {
		t.Fatalf("want one expires_at warning, got %v", ps)
	}
	a.ExpiresAt = testNow.Add(time.Second)
	if set, _ := mustCompile(t, a); len(set.Assignments) != 2 {
		t.Fatalf("unexpired access lost assignments: %v", set.Assignments)
	}
	a.ExpiresAt = time.Time{}
	if set, _ := mustCompile(t, a); len(set.Assignments) != 2 {
		t.Fatalf("access without expiry lost assignments: %v", set.Assignments)
	}
}

func TestCompileDefaults(t *testing.T) {
	a := model.PrivilegedAccess{Name: "ro", Group: testGroup, Accounts: []string{"123456789012"}, ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}}
	set, ps := mustCompile(t, a)
	if len(ps) != 0 {
		t.Fatalf("problems: %v", ps)
	}
	if set.SessionDuration != "PT1H" || set.InlinePolicy != "" || set.PermissionsBoundary != nil || set.CustomerManagedPolicies != nil {
		t.Fatalf("defaults wrong: %+v", set)
	}
}

func TestCompileErrorsYieldNothing(t *testing.T) {
	a := testAccess()
	a.Accounts = []string{"nope"}
	a.SessionDuration = "P1D"
	a.InlinePolicy = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	set, ps := Compile(a, testNow)
	if !reflect.DeepEqual(set, PermissionSet{}) {
		t.Fatalf("got a permission set despite errors: %+v", set)
	}
	got := map[string]bool{}
	for _, p := range ps {
		got[p.Path.String()+"/"+p.Summary] = true
	}
	for _, want := range []string{"accounts[0]/Invalid account id", "session_duration/Invalid session duration", "inline_policy/Full administrator access"} {
		if !got[want] {
			t.Errorf("missing %s in %v", want, ps)
		}
	}
}

func TestCompileInlinePolicyLimits(t *testing.T) {
	// A statement list whose canonical form exceeds the non-white-space quota.
	var b strings.Builder
	b.WriteString(`{"Version":"2012-10-17","Statement":[`)
	for i := 0; i < 200; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-with-a-rather-long-name/` + strings.Repeat("p", 10) + `"}`)
	}
	b.WriteString(`]}`)
	a := testAccess()
	a.InlinePolicy = b.String()
	_, ps := Compile(a, testNow)
	if !hasProblem(ps, "inline_policy", model.Error, "non-white-space") {
		t.Fatalf("want a size error, got %v", ps)
	}
	// Non-ASCII characters are escaped and counted as such.
	a.InlinePolicy = `{"Version":"2012-10-17","Statement":{"Sid":"x","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/` + strings.Repeat("支", 6000) + `"}}`
	_, ps = Compile(a, testNow)
	if !hasProblem(ps, "inline_policy", model.Error, "at most 32768") {
		t.Fatalf("want a byte-length error, got %v", ps)
	}
}

func hasProblem(ps model.Problems, path string, sev model.Severity, detail string) bool {
	for _, p := range ps {
		if p.Path.String() == path && p.Severity == sev && (strings.Contains(p.Detail, detail) || strings.Contains(p.Summary, detail)) {
			return true
		}
	}
	return false
}

func TestPermissionSetName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"payments-oncall", "payments-oncall"},
		{"a+b=c,d.e@f_g-h", "a+b=c,d.e@f_g-h"},
		{strings.Repeat("x", 32), strings.Repeat("x", 32)},
	}
	for _, tt := range tests {
		if got := PermissionSetName(tt.in); got != tt.want {
			t.Errorf("PermissionSetName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	altered := []string{
		strings.Repeat("x", 33),
		"payments oncall",
		"payments/oncall",
		"支付 on-call",
		"支付",
		"   ",
		"production-payments-database-break-glass-access",
		"production-payments-database-break-glass-accesS",
		"a\x00b",
	}
	seen := map[string]string{}
	for _, in := range altered {
		got := PermissionSetName(in)
		if len(got) > MaxPermissionSetNameLength || !permissionSetNameRe.MatchString(got) {
			t.Errorf("PermissionSetName(%q) = %q violates AWS's name rules", in, got)
		}
		if got != PermissionSetName(in) {
			t.Errorf("PermissionSetName(%q) not deterministic", in)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("%q and %q both map to %q", in, other, got)
		}
		seen[got] = in
		if got == in {
			t.Errorf("%q should have been altered", in)
		}
	}
	if got := PermissionSetName("payments oncall"); !strings.HasPrefix(got, "payments-oncall-") || len(got) != len("payments-oncall-")+8 {
		t.Errorf("sanitized name %q", got)
	}
	if got := PermissionSetName(strings.Repeat("x", 40)); !strings.HasPrefix(got, strings.Repeat("x", 23)+"-") || len(got) != 32 {
		t.Errorf("truncated name %q", got)
	}
	if got := PermissionSetName("支付"); !strings.HasPrefix(got, "zt-") {
		t.Errorf("all-foreign name %q", got)
	}
}

func TestNormalizeSessionDuration(t *testing.T) {
	tests := map[string]string{
		"PT1H": "PT1H", "PT60M": "PT1H", "PT3600S": "PT1H", "PT90M": "PT1H30M", "PT1H30M": "PT1H30M",
		"PT0H90M": "PT1H30M", "PT12H": "PT12H", "PT720M": "PT12H", "PT1H0M0S": "PT1H", "PT3661S": "PT1H1M1S", "PT2H0M30S": "PT2H30S",
	}
	for in, want := range tests {
		got, err := NormalizeSessionDuration(in)
		if err != nil || got != want {
			t.Errorf("NormalizeSessionDuration(%q) = %q, %v; want %q", in, got, err, want)
		}
		// idempotent
		if again, err := NormalizeSessionDuration(got); err != nil || again != got {
			t.Errorf("not idempotent on %q: %q, %v", got, again, err)
		}
	}
	for _, in := range []string{"PT59M", "PT12H1M", "P1D", "PT1.5H", "1h", "", "PT"} {
		if got, err := NormalizeSessionDuration(in); err == nil {
			t.Errorf("NormalizeSessionDuration(%q) = %q, want error", in, got)
		}
	}
}
