package identitycenter

import (
	"strings"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// TestLintWildcardARNsAndAdminPolicies: the four grants the issue found
// passing with at most a warning.
func TestLintWildcardARNsAndAdminPolicies(t *testing.T) {
	const ip = "inline_policy "
	tests := []struct {
		name string
		a    model.PrivilegedAccess
		want []string
	}{
		{"all actions on arn:*", model.PrivilegedAccess{InlinePolicy: policy(`{"Effect":"Allow","Action":"*","Resource":"arn:*"}`)},
			[]string{ip + "admin-wildcard:e"}},
		{"iam:* on every IAM resource of every account", model.PrivilegedAccess{InlinePolicy: policy(`{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::*:*"}`)},
			[]string{ip + "passrole-wildcard:e", ip + "privileged-service-wildcard:e"}},
		{"PassRole on every role of an account", model.PrivilegedAccess{InlinePolicy: policy(`{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/*"}`)},
			[]string{ip + "passrole-wildcard:e"}},
		{"Identity Center administrator", model.PrivilegedAccess{ManagedPolicies: []string{"arn:aws:iam::aws:policy/AWSSSOMasterAccountAdministrator"}},
			[]string{"managed_policies[0] admin-managed-policy:e"}},
		{"Identity Center delegated and directory administrators", model.PrivilegedAccess{ManagedPolicies: []string{
			"arn:aws:iam::aws:policy/AWSSSOMemberAccountAdministrator", "arn:aws-us-gov:iam::aws:policy/AWSSSODirectoryAdministrator"}},
			[]string{"managed_policies[0] admin-managed-policy:e", "managed_policies[1] admin-managed-policy:e"}},
		{"a managed policy name is case-sensitive in IAM", model.PrivilegedAccess{ManagedPolicies: []string{"arn:aws:iam::aws:policy/administratoraccess"}},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := findings(Lint(tt.a))
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestLintPrivilegeEscalation(t *testing.T) {
	const ip = "inline_policy "
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"create policy version", policy(`{"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"*"}`), []string{ip + "privilege-escalation:e"}},
		{"case-insensitive action", policy(`{"Effect":"Allow","Action":"IAM:createpolicyVERSION","Resource":"*"}`), []string{ip + "privilege-escalation:e"}},
		{"wildcard in the action", policy(`{"Effect":"Allow","Action":"iam:Create*","Resource":"*"}`), []string{ip + "privilege-escalation:e"}},
		{"put policy on every role", policy(`{"Effect":"Allow","Action":"iam:Put*Policy","Resource":"arn:aws:iam::123456789012:role/*"}`), []string{ip + "privilege-escalation:e"}},
		{"attach on every user, all accounts", policy(`{"Effect":"Allow","Action":"iam:AttachUserPolicy","Resource":"arn:aws:iam::*:user/*"}`), []string{ip + "privilege-escalation:e"}},
		{"add user to group", policy(`{"Effect":"Allow","Action":"iam:AddUserToGroup","Resource":"arn:*"}`), []string{ip + "privilege-escalation:e"}},
		{"login profiles and access keys", policy(`[{"Effect":"Allow","Action":["iam:CreateLoginProfile","iam:UpdateLoginProfile","iam:CreateAccessKey"],"Resource":"*"}]`), []string{ip + "privilege-escalation:e"}},
		{"update assume role policy", policy(`{"Effect":"Allow","Action":"iam:UpdateAssumeRolePolicy","Resource":"*"}`), []string{ip + "privilege-escalation:e"}},
		{"assume any role", policy(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`), []string{ip + "privilege-escalation:e"}},
		{"lambda code under a condition still counts", policy(`{"Effect":"Allow","Action":"lambda:UpdateFunctionCode","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`), []string{ip + "privilege-escalation:e"}},
		{"method completed across statements", policy(`[{"Effect":"Allow","Action":"cloudformation:CreateChangeSet","Resource":"*"},{"Effect":"Allow","Action":"cloudformation:ExecuteChangeSet","Resource":"arn:aws:cloudformation:*:*:stack/*"}]`), []string{ip + "privilege-escalation:e"}},
		{"half a method", policy(`{"Effect":"Allow","Action":"cloudformation:CreateChangeSet","Resource":"*"}`), nil},
		{"other half on a named stack", policy(`[{"Effect":"Allow","Action":"cloudformation:CreateChangeSet","Resource":"*"},{"Effect":"Allow","Action":"cloudformation:ExecuteChangeSet","Resource":"arn:aws:cloudformation:us-east-1:123456789012:stack/app/*"}]`), nil},
		{"denied is not subtracted", policy(`[{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"*"},{"Effect":"Deny","Action":"iam:AttachRolePolicy","Resource":"*"}]`), []string{ip + "privilege-escalation:e"}},
		{"notresource is broad", policy(`{"Effect":"Allow","Action":"iam:PutRolePolicy","NotResource":"arn:aws:iam::123456789012:role/admin"}`), []string{ip + "not-resource-allow:w", ip + "privilege-escalation:e"}},
		// NotAction excluding every service of every method completes none;
		// the services it leaves open are still reported by their own rules.
		{"notaction excluding every escalation service", policy(`{"Effect":"Allow","NotAction":["iam:*","sts:*","lambda:*","ec2:*","glue:*","cloudformation:*","ecs:*","sagemaker:*","ec2-instance-connect:*"],"Resource":"arn:aws:iam::123456789012:role/*"}`), []string{
			ip + "data-service-wildcard:w", ip + "not-action-allow:w", ip + "privileged-service-wildcard:e"}},
		{"notaction excluding all but one method", policy(`{"Effect":"Allow","NotAction":["iam:*","sts:*","lambda:*","ec2:*","cloudformation:*","ecs:*","sagemaker:*","ec2-instance-connect:*","kms:*","organizations:*","sso*","identitystore:*","account:*","cloudtrail:*","secretsmanager:*","s3:*","dynamodb:*","ecr:*","eks:*","rds:*","ssm:*"],"Resource":"*"}`), []string{
			ip + "not-action-allow:w", ip + "privilege-escalation:e"}},
		{"iam:* says it already", policy(`{"Effect":"Allow","Action":"iam:*","Resource":"*"}`), []string{ip + "passrole-wildcard:e", ip + "privileged-service-wildcard:e"}},
		{"attach on a named role", policy(`{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"arn:aws:iam::123456789012:role/app"}`), nil},
		{"attach on a role prefix", policy(`{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"arn:aws:iam::123456789012:role/app-*"}`), nil},
		{"assume a named role in any account", policy(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/ReadOnly"}`), nil},
		{"passrole on a role prefix", policy(`{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/app-*"}`), []string{ip + "passrole-wildcard:w"}},
		{"passrole to a named role of any account", policy(`{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/app"}`), []string{ip + "passrole-wildcard:w"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := Lint(model.PrivilegedAccess{InlinePolicy: tt.doc})
			if got := findings(ps); strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("got  %q\nwant %q\n%v", got, tt.want, ps)
			}
		})
	}
}

func TestLintEscalationDetailNamesMethods(t *testing.T) {
	ps := Lint(model.PrivilegedAccess{InlinePolicy: policy(`[{"Effect":"Allow","Action":["iam:CreatePolicyVersion","lambda:UpdateFunctionCode"],"Resource":"*"}]`)})
	if len(ps) != 1 {
		t.Fatalf("got %v", ps)
	}
	for _, want := range []string{"[privilege-escalation]", "CreateNewPolicyVersion", "EditExistingLambdaFunctionWithRole", "acknowledgement"} {
		if !strings.Contains(ps[0].Detail, want) {
			t.Errorf("detail %q lacks %q", ps[0].Detail, want)
		}
	}
	acked := Lint(model.PrivilegedAccess{InlinePolicy: policy(`{"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"*"}`), Acknowledgement: "policy admins, SEC-5"})
	if acked.HasErrors() || len(acked) != 1 || !strings.HasPrefix(acked[0].Summary, "Acknowledged: ") || !strings.Contains(acked[0].Detail, "SEC-5") {
		t.Fatalf("acknowledged escalation: %v", acked)
	}
}

// TestLintLeastPrivilegeIsQuiet: a realistic, scoped policy has no finding.
func TestLintLeastPrivilegeIsQuiet(t *testing.T) {
	a := model.PrivilegedAccess{
		ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		InlinePolicy: policy(`[
			{"Sid":"Objects","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::payments-exports/*"},
			{"Sid":"Table","Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":["arn:aws:dynamodb:us-east-1:123456789012:table/orders","arn:aws:dynamodb:us-east-1:123456789012:table/orders/index/*"]},
			{"Sid":"Logs","Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:us-east-1:123456789012:log-group:/app/orders:*"},
			{"Sid":"Deploy","Effect":"Allow","Action":["lambda:UpdateFunctionCode","iam:PassRole"],"Resource":["arn:aws:lambda:us-east-1:123456789012:function:orders","arn:aws:iam::123456789012:role/orders-lambda"]},
			{"Sid":"Ops","Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/orders-readonly"},
			{"Sid":"Guard","Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}
		]`),
	}
	if ps := Lint(a); len(ps) != 0 {
		t.Fatalf("least-privilege policy flagged: %v", ps)
	}
}

func TestBroadResource(t *testing.T) {
	for r, want := range map[string]bool{
		"*": true, "**": true, "arn:*": true, "arn:aws:*": true, "arn:aws:iam::*": true, "arn:aws:iam::123*": true,
		"arn:aws:*:*:*:*": true, "arn:aws:iam::*:*": true, "arn:aws:iam::123456789012:role/*": true, "arn:aws:iam::123456789012:*/app": true,
		"arn:aws:dynamodb:*:*:table/*": true, "arn:aws:logs:*:*:log-group:*": true, "arn:aws:s3:::*": true, "arn:aws:s3:::*/*": true,
		"": false, "arn:aws:iam::123456789012:role/app": false, "arn:aws:iam::123456789012:role/app-*": false,
		"arn:aws:iam::123456789012:role/service-role/*": false, "arn:aws:iam::*:role/app": false, "arn:aws:s3:::bucket/*": false,
		"arn:aws:s3:::bucket": false, "arn:aws:sns:us-east-1:123456789012:topic": false, "arn:aws:sns:us-east-1:123456789012:topic*": false,
	} {
		if got := broadResource(r); got != want {
			t.Errorf("broadResource(%q) = %v, want %v", r, got, want)
		}
	}
}

func TestManagedPolicyFindingsDocumented(t *testing.T) {
	for name, f := range ManagedPolicyFindings {
		if (f.Rule != RuleAdminManagedPolicy && f.Rule != RuleBroadManagedPolicy) || f.Why == "" {
			t.Errorf("%s: %+v", name, f)
		}
	}
	for _, m := range EscalationMethods {
		if m.Name == "" || m.How == "" || len(m.Actions) == 0 {
			t.Errorf("method %+v", m)
		}
		for _, a := range m.Actions {
			if a != strings.ToLower(a) || !strings.Contains(a, ":") {
				t.Errorf("method %s: action %q must be lower-case service:action", m.Name, a)
			}
		}
	}
}
