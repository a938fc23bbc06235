package identitycenter

import (
	"fmt"
	"testing"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// benchAccesses builds n distinct, realistic accesses: 1–5 accounts, 1–3
// managed policies, a 3–6 statement inline policy with a Condition, every
// fifth with a name that must be sanitized and hashed, every seventh expired.
func benchAccesses(n int) []model.PrivilegedAccess {
	out := make([]model.PrivilegedAccess, n)
	managed := []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}
	for i := range out {
		name := fmt.Sprintf("team-%04d-oncall", i)
		if i%5 == 0 {
			name = fmt.Sprintf("Team %04d production on-call break glass", i)
		}
		var accounts []string
		for j := 0; j <= i%5; j++ {
			accounts = append(accounts, fmt.Sprintf("%012d", 100000000000+i*7+j))
		}
		stmts := ""
		for j := 0; j < 3+i%4; j++ {
			if j > 0 {
				stmts += ","
			}
			stmts += fmt.Sprintf(`
    {"Sid": "S%d", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "s3:Get*"],
     "Resource": ["arn:aws:dynamodb:us-east-1:%012d:table/t%d", "arn:aws:s3:::bucket-%d/*"],
     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "team-%d"}}}`, j, 100000000000+i, j, i, i)
		}
		a := model.PrivilegedAccess{
			Name:            name,
			Group:           fmt.Sprintf("9067b2a3-1234-4c5d-8e9f-%012x", i),
			Accounts:        accounts,
			ManagedPolicies: managed[:1+i%3],
			InlinePolicy:    `{"Version": "2012-10-17", "Statement": [` + stmts + "]}",
			SessionDuration: []string{"PT1H", "PT90M", "PT2H30M", "PT12H"}[i%4],
			Description:     "benchmark access",
		}
		if i%7 == 0 {
			a.ExpiresAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		out[i] = a
	}
	return out
}

func BenchmarkCompile1000(b *testing.B) {
	accesses := benchAccesses(1000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, a := range accesses {
			if _, ps := Compile(a, testNow); ps.HasErrors() {
				b.Fatal(ps)
			}
		}
	}
}

func BenchmarkDiff1000(b *testing.B) {
	accesses := benchAccesses(1000)
	desired := make([]PermissionSet, len(accesses))
	for i, a := range accesses {
		desired[i], _ = Compile(a, testNow)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range desired {
			if c := Diff(desired[i], desired[i]); !c.Empty() {
				b.Fatal(c)
			}
		}
	}
}

func BenchmarkCanonicalPolicy(b *testing.B) {
	doc := benchAccesses(4)[3].InlinePolicy
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CanonicalPolicy(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLint(b *testing.B) {
	a := benchAccesses(4)[3]
	b.ReportAllocs()
	for b.Loop() {
		Lint(a)
	}
}
