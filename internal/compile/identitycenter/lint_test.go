package identitycenter

import (
	"sort"
	"strings"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// finding is "rule:severity" (e for error, w for warning) at a path.
func findings(ps model.Problems) []string {
	var out []string
	for _, p := range ps {
		rule := ""
		if strings.HasPrefix(p.Detail, "[") {
			rule = p.Detail[1:strings.IndexByte(p.Detail, ']')]
		}
		sev := "e"
		if p.Severity == model.Warning {
			sev = "w"
		}
		out = append(out, p.Path.String()+" "+rule+":"+sev)
	}
	sort.Strings(out)
	return out
}

func policy(statements string) string {
	return `{"Version":"2012-10-17","Statement":` + statements + `}`
}

func TestLintInlinePolicy(t *testing.T) {
	const ip = "inline_policy "
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"scoped read", policy(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), nil},
		{"admin object", policy(`{"Effect":"Allow","Action":"*","Resource":"*"}`), []string{ip + "admin-wildcard:e"}},
		{"admin array forms", policy(`[{"Effect":"Allow","Action":["s3:GetObject","*:*"],"Resource":["arn:aws:s3:::b","*"]}]`), []string{ip + "admin-wildcard:e"}},
		{"admin double star", policy(`[{"Effect":"Allow","Action":"**","Resource":"**"}]`), []string{ip + "admin-wildcard:e"}},
		{"deny admin is fine", policy(`{"Effect":"Deny","Action":"*","Resource":"*"}`), nil},
		{"all actions scoped", policy(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}`), []string{ip + "all-actions:w"}},
		{"passrole", policy(`{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}`), []string{ip + "passrole-wildcard:e"}},
		{"passrole case", policy(`{"Effect":"Allow","Action":"IAM:passrole","Resource":"*"}`), []string{ip + "passrole-wildcard:e"}},
		{"passrole glob", policy(`{"Effect":"Allow","Action":"iam:Pass*","Resource":"*"}`), []string{ip + "passrole-wildcard:e"}},
		{"passrole qmark", policy(`{"Effect":"Allow","Action":"iam:P?ssRole","Resource":"*"}`), []string{ip + "passrole-wildcard:e"}},
		{"passrole scoped", policy(`{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/app"}`), nil},
		{"iam get is fine", policy(`{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}`), nil},
		{"iam star", policy(`{"Effect":"Allow","Action":"iam:*","Resource":"*"}`), []string{ip + "passrole-wildcard:e", ip + "privileged-service-wildcard:e"}},
		{"iam star scoped", policy(`{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::123456789012:role/x"}`), []string{ip + "privileged-service-wildcard:w"}},
		{"service glob", policy(`{"Effect":"Allow","Action":"i*:*","Resource":"*"}`), []string{ip + "passrole-wildcard:e", ip + "privileged-service-wildcard:e"}},
		{"service no colon", policy(`{"Effect":"Allow","Action":"kms*","Resource":"*"}`), []string{ip + "privileged-service-wildcard:e"}},
		{"sts kms org sso", policy(`[{"Effect":"Allow","Action":["sts:*","KMS:*","organizations:*","sso:*"],"Resource":"*"}]`), []string{ip + "privileged-service-wildcard:e"}},
		{"s3 star", policy(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`), []string{ip + "data-service-wildcard:w"}},
		{"s3 star scoped", policy(`{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}`), nil},
		// ec2:* on every instance includes rewriting user data and restarting: code runs as the instance's role.
		{"ec2 star", policy(`{"Effect":"Allow","Action":["ec2:*"],"Resource":["*"]}`), []string{ip + "data-service-wildcard:w", ip + "privilege-escalation:e"}},
		{"partial wildcard not whole service", policy(`{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}`), nil},
		// NotAction iam:* still allows lambda:UpdateFunctionCode, ec2 user data and the rest.
		{"notaction", policy(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`), []string{
			ip + "data-service-wildcard:w", ip + "not-action-allow:w", ip + "privilege-escalation:e", ip + "privileged-service-wildcard:e"}},
		{"notaction excluding all privileged", policy(`{"Effect":"Allow","NotAction":["iam:*","sts:*","sso:*","sso-directory:*","identitystore:*","organizations:*","account:*","kms:*","cloudtrail:*","secretsmanager:*"],"Resource":"arn:aws:s3:::b"}`), []string{
			ip + "not-action-allow:w"}},
		{"notaction leaves passrole", policy(`{"Effect":"Allow","NotAction":["iam:Create*"],"Resource":"*"}`), []string{
			ip + "data-service-wildcard:w", ip + "not-action-allow:w", ip + "passrole-wildcard:e", ip + "privilege-escalation:e", ip + "privileged-service-wildcard:e"}},
		{"notresource", policy(`{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::secret/*"}`), []string{ip + "not-resource-allow:w"}},
		{"notresource passrole", policy(`{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::1:role/x"}`), []string{ip + "not-resource-allow:w", ip + "passrole-wildcard:e"}},
		{"deny notaction fine", policy(`{"Effect":"Deny","NotAction":"s3:*","Resource":"*"}`), nil},
		{"several statements", policy(`[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]`), []string{
			ip + "admin-wildcard:e", ip + "passrole-wildcard:e"}},
		{"malformed statement ignored", policy(`[1,{"Effect":"Allow","Action":7,"Resource":"*"},{"Effect":"Allow","Action":"*"}]`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := model.PrivilegedAccess{InlinePolicy: tt.doc}
			got := findings(Lint(a))
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("got  %q\nwant %q\n%v", got, tt.want, Lint(a))
			}
		})
	}
}

func TestLintDetailNamesStatementAndReason(t *testing.T) {
	ps := Lint(model.PrivilegedAccess{InlinePolicy: policy(`[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"BreakGlass","Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]`)})
	if len(ps) != 1 {
		t.Fatalf("got %v", ps)
	}
	d := ps[0].Detail
	for _, want := range []string{"[admin-wildcard]", `Statement[1] (Sid "BreakGlass")`, `Action "*" on Resource "*"`, "Condition", "full administrator access", "acknowledgement"} {
		if !strings.Contains(d, want) {
			t.Errorf("detail %q lacks %q", d, want)
		}
	}
}

func TestLintManagedPoliciesAndBoundary(t *testing.T) {
	a := model.PrivilegedAccess{
		ManagedPolicies: []string{
			"arn:aws:iam::aws:policy/ReadOnlyAccess",
			"arn:aws:iam::aws:policy/AdministratorAccess",
			"arn:aws-us-gov:iam::aws:policy/IAMFullAccess",
			"arn:aws:iam::aws:policy/PowerUserAccess",
			"arn:aws:iam::aws:policy/job-function/SystemAdministrator",
		},
		PermissionsBoundary: &model.PermissionsBoundary{ManagedPolicyARN: "arn:aws:iam::aws:policy/AdministratorAccess"},
	}
	want := []string{
		"managed_policies[1] admin-managed-policy:e",
		"managed_policies[2] admin-managed-policy:e",
		"managed_policies[3] broad-managed-policy:w",
		"managed_policies[4] broad-managed-policy:w",
		"permissions_boundary.managed_policy_arn ineffective-boundary:w",
	}
	if got := findings(Lint(a)); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestLintAcknowledgement(t *testing.T) {
	a := model.PrivilegedAccess{
		InlinePolicy:    policy(`[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}]`),
		ManagedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"},
		Acknowledgement: "break-glass role, reviewed by security (SEC-42)",
	}
	ps := Lint(a)
	if ps.HasErrors() {
		t.Fatalf("acknowledged findings still errors: %v", ps)
	}
	acked := 0
	for _, p := range ps {
		if strings.HasPrefix(p.Summary, "Acknowledged: ") {
			acked++
			if !strings.Contains(p.Detail, "SEC-42") {
				t.Errorf("acknowledged finding lacks the reason: %q", p.Detail)
			}
		}
	}
	// admin-wildcard, admin-managed-policy, and the NotAction statement's
	// passrole and privileged-service errors.
	if acked != 4 {
		t.Fatalf("want 4 acknowledged errors, got %d: %v", acked, ps)
	}
	// Acknowledgement does not silence validation errors.
	a.Accounts = []string{"bad"}
	if _, ps := Compile(a, testNow); !ps.HasErrors() {
		t.Fatal("acknowledgement silenced a validation error")
	}
}

func TestGlob(t *testing.T) {
	match := []struct {
		p, s string
		want bool
	}{
		{"*", "iam:passrole", true},
		{"iam:*", "iam:passrole", true},
		{"iam:pass*", "iam:passrole", true},
		{"iam:*role", "iam:passrole", true},
		{"iam:p?ssrole", "iam:passrole", true},
		{"iam:*s*r*", "iam:passrole", true},
		{"iam:passrol", "iam:passrole", false},
		{"iam:passrolex", "iam:passrole", false},
		{"s3:*", "iam:passrole", false},
		{"", "", true},
		{"", "x", false},
		{"?", "", false},
		{"**", "", true},
		{strings.Repeat("*a", 50), strings.Repeat("a", 200), true},
		{strings.Repeat("*a", 50) + "b", strings.Repeat("a", 200), false},
	}
	for _, m := range match {
		if got := globMatch(m.p, m.s); got != m.want {
			t.Errorf("globMatch(%q, %q) = %v", m.p, m.s, got)
		}
	}
	covers := []struct {
		p, prefix string
		want      bool
	}{
		{"iam:*", "iam:", true},
		{"iam*", "iam:", true},
		{"*", "iam:", true},
		{"*:*", "iam:", true},
		{"i*:*", "iam:", true},
		{"*am:**", "iam:", true},
		{"iam:", "iam:", false},
		{"iam:*x", "iam:", false},
		{"iam:p*", "iam:", false},
		{"iam:?*", "iam:", false},
		{"s3:*", "iam:", false},
		{"ia", "iam:", false},
	}
	for _, c := range covers {
		if got := globCoversPrefix(c.p, c.prefix); got != c.want {
			t.Errorf("globCoversPrefix(%q, %q) = %v", c.p, c.prefix, got)
		}
	}
}

func TestLintRulesDocumented(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range Rules {
		if r.ID == "" || r.Trigger == "" || r.Why == "" || ids[r.ID] {
			t.Errorf("bad rule %+v", r)
		}
		ids[r.ID] = true
	}
	for _, id := range []string{RuleAdminWildcard, RuleAllActions, RulePassRoleWildcard, RulePrivilegeEscalation, RulePrivilegedService, RuleDataService, RuleNotActionAllow, RuleNotResourceAllow, RuleAdminManagedPolicy, RuleBroadManagedPolicy, RuleIneffectiveBoundary} {
		if !ids[id] {
			t.Errorf("rule %s undocumented", id)
		}
	}
}

func TestLintFindingsCapped(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 100; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)
	}
	b.WriteString(`,{"Effect":"Allow","Action":"*","Resource":"*"}`)
	ps := Lint(model.PrivilegedAccess{InlinePolicy: policy("[" + b.String() + "]")})
	if len(ps) != MaxInlineFindings+1 {
		t.Fatalf("got %d findings", len(ps))
	}
	last := ps[len(ps)-1]
	if last.Severity != model.Error || !strings.Contains(last.Detail, "76 more") || !strings.Contains(last.Detail, "error") {
		t.Fatalf("summary finding %+v", last)
	}
}
