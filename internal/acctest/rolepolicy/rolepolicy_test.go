package rolepolicy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/awsmodel"
)

func repoPolicy(t *testing.T) Document {
	t.Helper()
	d, err := Load(filepath.Join("..", "..", "..", Path))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAllows(t *testing.T) {
	d := Document{Version: "2012-10-17", Statement: []Statement{
		{Effect: "Allow", Action: strings1{"ec2:DescribeVpcs", "scheduler:*Schedule", "sso:List?nstances"}},
	}}
	for action, want := range map[string]bool{
		"ec2:DescribeVpcs":          true,
		"EC2:describevpcs":          true, // actions match case-insensitively
		"ec2:DescribeVpcsExtra":     false,
		"ec2:DescribeSubnets":       false,
		"scheduler:CreateSchedule":  true,
		"scheduler:ListSchedules":   false,
		"sso:ListInstances":         true,
		"identitystore:ListUsers":   false,
		"iam:DescribeVpcs":          false, // another service's action of the same name
		"scheduler:DeleteSchedule":  true,
		"scheduler:GetScheduleList": false,
	} {
		if got := d.Allows(action); got != want {
			t.Errorf("Allows(%q) = %v, want %v", action, got, want)
		}
	}
}

func TestLoadRefusesWhatWouldHideAGap(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"deny":    `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`,
		"version": `{"Version":"2008-10-17","Statement":[]}`,
		"action":  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"DescribeVpcs","Resource":"*"}]}`,
		"unknown": `{"Version":"2012-10-17","Statements":[]}`,
	} {
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(p); err == nil {
			t.Errorf("%s: Load accepted %s", name, body)
		}
	}
}

// Actions that are no API operation but that AWS evaluates when the
// provider calls one (the Service Authorization Reference's dependent
// actions), each for a stated reason.
var dependentActions = map[string]string{
	"verified-access:AllowVerifiedAccess":  "every Verified Access create and modify",
	"sso:CreateManagedApplicationInstance": "CreateVerifiedAccessTrustProvider of type iam-identity-center",
	"sso:DeleteManagedApplicationInstance": "DeleteVerifiedAccessTrustProvider of type iam-identity-center",
	"sso:GetManagedApplicationInstance":    "Verified Access reading its Identity Center application",
	"sso:GetSharedSsoConfiguration":        "Verified Access reading the Identity Center instance",
	"iam:PassRole":                         "CreateSchedule/UpdateSchedule with the expiry role",
	"iam:CreateServiceLinkedRole":          "the first Verified Access instance of an account",
	"organizations:DescribeOrganization":   "an organisation instance of IAM Identity Center behind Verified Access",
}

// modelServices are botocore's names of the services the policy names; for
// each, the signing name is the IAM prefix (sso-admin signs as sso).
var modelServices = []string{"ec2", "sso-admin", "identitystore", "scheduler", "iam", "sts", "organizations"}

// A misspelt action allows nothing: every action of the policy is an
// operation of AWS's published API model for its service, or a dependent
// action named above with its reason.
func TestEveryActionIsAnAPIOperationOrADependentAction(t *testing.T) {
	d := repoPolicy(t)
	data, err := awsmodel.Locate()
	if err != nil {
		t.Fatal(err)
	}
	models, err := awsmodel.Load(data, modelServices)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range d.Actions() {
		if strings.ContainsAny(a, "*?") {
			t.Errorf("%s: the role's policy names actions one by one, never with wildcards", a)
			continue
		}
		svc, op, _ := strings.Cut(a, ":")
		if reason := dependentActions[a]; reason != "" {
			continue
		}
		model := models.Service(svc)
		if model == nil {
			t.Errorf("%s: no API model is loaded for the service %q", a, svc)
			continue
		}
		if model.Operations[op] == nil {
			t.Errorf("%s: %s has no operation %s in AWS's API model, and it is no dependent action listed here", a, svc, op)
		}
	}
}

// The role may write only the expiry roles, and pass them to the scheduler
// only.
func TestIAMWritesAreScopedToTheExpiryRoles(t *testing.T) {
	d := repoPolicy(t)
	for _, s := range d.Statement {
		for _, a := range s.Action {
			if !strings.HasPrefix(a, "iam:") || a == "iam:CreateServiceLinkedRole" {
				continue
			}
			for _, r := range s.Resource {
				if !strings.HasPrefix(r, "arn:aws:iam::*:role/zerotrust-jit/") {
					t.Errorf("statement %q: %s on %s, want only roles under /zerotrust-jit/", s.Sid, a, r)
				}
			}
			var cond map[string]map[string]any
			_ = json.Unmarshal(s.Condition, &cond)
			if a == "iam:PassRole" && cond["StringEquals"]["iam:PassedToService"] != "scheduler.amazonaws.com" {
				t.Errorf("statement %q: iam:PassRole without iam:PassedToService = scheduler.amazonaws.com (%s)", s.Sid, s.Condition)
			}
		}
	}
}
