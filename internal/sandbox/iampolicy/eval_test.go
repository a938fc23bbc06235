package iampolicy

import (
	"encoding/json"
	"net/url"
	"testing"
)

const (
	instance = "arn:aws:sso:::instance/ssoins-1111111111111111"
	ps       = "arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222"
	account  = "arn:aws:sso:::account/111111111111"
	group    = "arn:aws:scheduler:us-east-1:123456789012:schedule-group/zerotrust-jit-oncall"
)

// doc encodes a policy document from Go values (never by string building).
func doc(t *testing.T, statements any) *Policy {
	t.Helper()
	raw, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type m = map[string]any

func TestEvaluateIdentityPolicies(t *testing.T) {
	del := func(resource string) Request {
		return Request{Action: "sso:DeleteAccountAssignment", Resource: resource}
	}
	cases := []struct {
		name       string
		statements any
		req        Request
		want       Decision
	}{
		{"no statement allows: default deny", []m{{"Effect": "Allow", "Action": "sso:CreateAccountAssignment", "Resource": "*"}}, del(ps), ImplicitDeny},
		{"allow on the exact resource", []m{{"Effect": "Allow", "Action": []string{"sso:DeleteAccountAssignment"}, "Resource": []string{instance, ps, account}}}, del(ps), Allow},
		{"statement as one object", m{"Effect": "Allow", "Action": "sso:DeleteAccountAssignment", "Resource": ps}, del(ps), Allow},
		{"allow on another permission set", []m{{"Effect": "Allow", "Action": "sso:DeleteAccountAssignment", "Resource": "arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-9999999999999999"}}, del(ps), ImplicitDeny},
		{"action compares case-insensitively", []m{{"Effect": "Allow", "Action": "SSO:deleteaccountassignment", "Resource": ps}}, del(ps), Allow},
		{"resource compares case-sensitively", []m{{"Effect": "Allow", "Action": "sso:DeleteAccountAssignment", "Resource": "arn:aws:sso:::PERMISSIONSET/ssoins-1111111111111111/ps-2222222222222222"}}, del(ps), ImplicitDeny},
		{"action wildcard *", []m{{"Effect": "Allow", "Action": "sso:Delete*", "Resource": "*"}}, del(ps), Allow},
		{"action wildcard ? is one character", []m{{"Effect": "Allow", "Action": "sso:DeleteAccountAssignmen?", "Resource": "*"}}, del(ps), Allow},
		{"action wildcard ? is not two", []m{{"Effect": "Allow", "Action": "sso:DeleteAccountAssignm?", "Resource": "*"}}, del(ps), ImplicitDeny},
		{"resource wildcard", []m{{"Effect": "Allow", "Action": "sso:DeleteAccountAssignment", "Resource": "arn:aws:sso:::permissionSet/ssoins-1111111111111111/*"}}, del(ps), Allow},
		{"resource wildcard does not reach another instance", []m{{"Effect": "Allow", "Action": "sso:DeleteAccountAssignment", "Resource": "arn:aws:sso:::permissionSet/ssoins-3333333333333333/*"}}, del(ps), ImplicitDeny},
		{"explicit deny wins over allow", []m{
			{"Effect": "Allow", "Action": "sso:*", "Resource": "*"},
			{"Effect": "Deny", "Action": "sso:DeleteAccountAssignment", "Resource": ps},
		}, del(ps), ExplicitDeny},
		{"deny of another resource leaves the allow", []m{
			{"Effect": "Allow", "Action": "sso:*", "Resource": "*"},
			{"Effect": "Deny", "Action": "sso:DeleteAccountAssignment", "Resource": instance},
		}, del(ps), Allow},
		{"NotAction allows every other action", []m{{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}, del(ps), Allow},
		{"NotAction excludes the action", []m{{"Effect": "Allow", "NotAction": "sso:Delete*", "Resource": "*"}}, del(ps), ImplicitDeny},
		{"NotResource allows every other resource", []m{{"Effect": "Allow", "Action": "sso:*", "NotResource": instance}}, del(ps), Allow},
		{"NotResource excludes the resource", []m{{"Effect": "Allow", "Action": "sso:*", "NotResource": ps}}, del(ps), ImplicitDeny},
		{"deny with NotResource of the resource does not deny it", []m{
			{"Effect": "Allow", "Action": "sso:*", "Resource": "*"},
			{"Effect": "Deny", "Action": "sso:*", "NotResource": []string{ps}},
		}, del(ps), Allow},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Evaluate(tc.req, doc(t, tc.statements)); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestEvaluateAcrossPolicies(t *testing.T) {
	allow := doc(t, m{"Effect": "Allow", "Action": "sso:DeleteAccountAssignment", "Resource": "*"})
	deny := doc(t, m{"Effect": "Deny", "Action": "sso:*", "Resource": "*"})
	req := Request{Action: "sso:DeleteAccountAssignment", Resource: ps}
	if got := Evaluate(req, allow, deny); got != ExplicitDeny {
		t.Fatalf("a deny in another policy: got %v, want ExplicitDeny", got)
	}
	if got := Evaluate(req, nil, allow); got != Allow {
		t.Fatalf("got %v, want Allow", got)
	}
	if got := Evaluate(req); got != ImplicitDeny {
		t.Fatalf("no policy: got %v, want ImplicitDeny", got)
	}
}

// trust is the execution role's trust policy as the provider writes it.
func trust(t *testing.T, condition m) *Policy {
	st := m{"Effect": "Allow", "Principal": m{"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}
	if condition != nil {
		st["Condition"] = condition
	}
	return doc(t, []m{st})
}

func assume(service string, ctx map[string][]string) Request {
	return Request{PrincipalType: "Service", PrincipalID: service, Action: "sts:AssumeRole", Context: ctx}
}

func TestEvaluateTrustAndConditions(t *testing.T) {
	scoped := m{"StringEquals": m{"aws:SourceAccount": "123456789012", "aws:SourceArn": group}}
	good := map[string][]string{"aws:SourceAccount": {"123456789012"}, "aws:SourceArn": {group}}
	cases := []struct {
		name string
		pol  *Policy
		req  Request
		want Decision
	}{
		{"scheduler with its group and account", trust(t, scoped), assume("scheduler.amazonaws.com", good), Allow},
		{"another service", trust(t, scoped), assume("events.amazonaws.com", good), ImplicitDeny},
		{"no principal (identity request) does not match a Principal", trust(t, nil), Request{Action: "sts:AssumeRole"}, ImplicitDeny},
		{"another schedule group", trust(t, scoped), assume("scheduler.amazonaws.com", map[string][]string{
			"aws:SourceAccount": {"123456789012"}, "aws:SourceArn": {group + "-other"}}), ImplicitDeny},
		{"another account", trust(t, scoped), assume("scheduler.amazonaws.com", map[string][]string{
			"aws:SourceAccount": {"999999999999"}, "aws:SourceArn": {group}}), ImplicitDeny},
		{"keys compare case-insensitively", trust(t, scoped), assume("scheduler.amazonaws.com", map[string][]string{
			"AWS:SOURCEACCOUNT": {"123456789012"}, "aws:sourcearn": {group}}), Allow},
		{"missing key fails StringEquals", trust(t, scoped), assume("scheduler.amazonaws.com", map[string][]string{
			"aws:SourceAccount": {"123456789012"}}), ImplicitDeny},
		{"missing key passes StringEqualsIfExists", trust(t, m{"StringEqualsIfExists": m{"aws:SourceArn": group}}),
			assume("scheduler.amazonaws.com", nil), Allow},
		{"present key is checked by StringEqualsIfExists", trust(t, m{"StringEqualsIfExists": m{"aws:SourceArn": group}}),
			assume("scheduler.amazonaws.com", map[string][]string{"aws:SourceArn": {"arn:aws:scheduler:us-east-1:123456789012:schedule-group/x"}}), ImplicitDeny},
		{"several values are OR", trust(t, m{"StringEquals": m{"aws:SourceAccount": []string{"111111111111", "123456789012"}}}),
			assume("scheduler.amazonaws.com", good), Allow},
		{"StringNotEquals with several values is NOR", trust(t, m{"StringNotEquals": m{"aws:SourceAccount": []string{"111111111111", "123456789012"}}}),
			assume("scheduler.amazonaws.com", good), ImplicitDeny},
		{"StringNotEquals holds for another value", trust(t, m{"StringNotEquals": m{"aws:SourceAccount": "111111111111"}}),
			assume("scheduler.amazonaws.com", good), Allow},
		{"StringNotEquals holds for a missing key", trust(t, m{"StringNotEquals": m{"aws:PrincipalOrgID": "o-1"}}),
			assume("scheduler.amazonaws.com", good), Allow},
		{"StringLike wildcard", trust(t, m{"StringLike": m{"aws:SourceArn": "arn:aws:scheduler:*:123456789012:schedule-group/zerotrust-jit-*"}}),
			assume("scheduler.amazonaws.com", good), Allow},
		{"StringLike is case-sensitive", trust(t, m{"StringLike": m{"aws:SourceArn": "arn:aws:scheduler:*:123456789012:schedule-group/ZEROTRUST-*"}}),
			assume("scheduler.amazonaws.com", good), ImplicitDeny},
		{"StringNotLike excludes a match", trust(t, m{"StringNotLike": m{"aws:SourceArn": "*:schedule-group/zerotrust-*"}}),
			assume("scheduler.amazonaws.com", good), ImplicitDeny},
		{"ArnLike part by part", trust(t, m{"ArnLike": m{"aws:SourceArn": "arn:aws:scheduler:*:123456789012:schedule-group/*"}}),
			assume("scheduler.amazonaws.com", good), Allow},
		{"ArnLike wildcard stays in its part", trust(t, m{"ArnLike": m{"aws:SourceArn": "arn:aws:scheduler:*:schedule-group/*"}}),
			assume("scheduler.amazonaws.com", good), ImplicitDeny},
		{"ArnEquals exact", trust(t, m{"ArnEquals": m{"aws:SourceArn": group}}), assume("scheduler.amazonaws.com", good), Allow},
		{"ArnNotEquals of the group", trust(t, m{"ArnNotEquals": m{"aws:SourceArn": group}}), assume("scheduler.amazonaws.com", good), ImplicitDeny},
		{"ArnNotLike of another group", trust(t, m{"ArnNotLike": m{"aws:SourceArn": "arn:aws:scheduler:*:*:schedule-group/other"}}), assume("scheduler.amazonaws.com", good), Allow},
		{"Bool true", trust(t, m{"Bool": m{"aws:SecureTransport": true}}), assume("scheduler.amazonaws.com", map[string][]string{"aws:SecureTransport": {"true"}}), Allow},
		{"Bool false against true", trust(t, m{"Bool": m{"aws:SecureTransport": "false"}}), assume("scheduler.amazonaws.com", map[string][]string{"aws:SecureTransport": {"true"}}), ImplicitDeny},
		{"Null true: key absent", trust(t, m{"Null": m{"aws:PrincipalOrgID": "true"}}), assume("scheduler.amazonaws.com", good), Allow},
		{"Null true: key present", trust(t, m{"Null": m{"aws:SourceArn": "true"}}), assume("scheduler.amazonaws.com", good), ImplicitDeny},
		{"Null false: key present", trust(t, m{"Null": m{"aws:SourceArn": "false"}}), assume("scheduler.amazonaws.com", good), Allow},
		{"ForAnyValue one of several", trust(t, m{"ForAnyValue:StringEquals": m{"aws:TagKeys": []string{"a", "b"}}}),
			assume("scheduler.amazonaws.com", map[string][]string{"aws:TagKeys": {"x", "b"}}), Allow},
		{"ForAnyValue none", trust(t, m{"ForAnyValue:StringEquals": m{"aws:TagKeys": []string{"a", "b"}}}),
			assume("scheduler.amazonaws.com", map[string][]string{"aws:TagKeys": {"x", "y"}}), ImplicitDeny},
		{"ForAllValues needs every value", trust(t, m{"ForAllValues:StringEquals": m{"aws:TagKeys": []string{"a", "b"}}}),
			assume("scheduler.amazonaws.com", map[string][]string{"aws:TagKeys": {"a", "x"}}), ImplicitDeny},
		{"ForAllValues holds for a missing key", trust(t, m{"ForAllValues:StringEquals": m{"aws:TagKeys": []string{"a"}}}),
			assume("scheduler.amazonaws.com", good), Allow},
		{"unknown operator never grants", trust(t, m{"NumericLessThan": m{"aws:MultiFactorAuthAge": "3600"}}),
			assume("scheduler.amazonaws.com", map[string][]string{"aws:MultiFactorAuthAge": {"1"}}), ImplicitDeny},
		{"Principal *", doc(t, m{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}), assume("scheduler.amazonaws.com", nil), Allow},
		{"AWS account id names its roles", doc(t, m{"Effect": "Allow", "Principal": m{"AWS": "123456789012"}, "Action": "sts:AssumeRole"}),
			Request{PrincipalType: "AWS", PrincipalID: "arn:aws:iam::123456789012:role/x", Action: "sts:AssumeRole"}, Allow},
		{"AWS root ARN of another account", doc(t, m{"Effect": "Allow", "Principal": m{"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}),
			Request{PrincipalType: "AWS", PrincipalID: "arn:aws:iam::123456789012:role/x", Action: "sts:AssumeRole"}, ImplicitDeny},
		{"NotPrincipal excludes the service", doc(t, m{"Effect": "Deny", "NotPrincipal": m{"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}),
			assume("scheduler.amazonaws.com", nil), ImplicitDeny},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Evaluate(tc.req, tc.pol); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	raw, _ := json.Marshal(m{"Version": "2012-10-17", "Statement": m{"Effect": "Allow", "Action": "sso:*", "Resource": "*"}})
	p, err := Parse(url.QueryEscape(string(raw)))
	if err != nil || len(p.Statements) != 1 || p.Statements[0].Action[0] != "sso:*" {
		t.Fatalf("URL-encoded document (as IAM returns it): %+v, %v", p, err)
	}
	for name, bad := range map[string]any{
		"Effect neither":         m{"Effect": "Maybe", "Action": "a:b"},
		"no action":              m{"Effect": "Allow", "Resource": "*"},
		"Action and NotAction":   m{"Effect": "Allow", "Action": "a:b", "NotAction": "a:c"},
		"unknown element":        m{"Effect": "Allow", "Action": "a:b", "Actions": "a:c"},
		"string Principal not *": m{"Effect": "Allow", "Action": "a:b", "Principal": "scheduler.amazonaws.com"},
	} {
		raw, _ := json.Marshal(m{"Version": "2012-10-17", "Statement": bad})
		if _, err := Parse(string(raw)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	p = doc(t, m{"Effect": "Allow", "Action": "a:b", "Condition": m{"NumericLessThan": m{"k": 1}, "StringEquals": m{"k": "v"}}})
	if got := p.UnsupportedOperators(); len(got) != 1 || got[0] != "NumericLessThan" {
		t.Fatalf("unsupported operators %v", got)
	}
}

func TestWildcard(t *testing.T) {
	for _, tc := range []struct {
		p, v string
		want bool
	}{
		{"*", "", true}, {"a*c", "abbbc", true}, {"a*c", "abbb", false}, {"a?c", "abc", true}, {"a?c", "ac", false},
		{"*b*", "abc", true}, {"abc", "abcd", false}, {"a**", "a", true},
	} {
		if got := Wildcard(tc.p, tc.v); got != tc.want {
			t.Errorf("Wildcard(%q, %q) = %v", tc.p, tc.v, got)
		}
	}
}
