package identitycenter

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

var scheduleGroupNameRe = regexp.MustCompile(`^[0-9a-zA-Z-_.]{1,64}$`)

func TestExpiryName(t *testing.T) {
	for _, tc := range []struct{ ps, want string }{
		{"payments-oncall", "zerotrust-jit-payments-oncall"},
		{"a_b.c", "zerotrust-jit-a_b.c"},
		// + = , @ are valid in permission-set names, not in schedule groups.
		{"ops+db@prod", "zerotrust-jit-ops-db-prod-" + shortHash("ops+db@prod", 4)},
		{"ops-db-prod", "zerotrust-jit-ops-db-prod"},
		{strings.Repeat("x", 32), "zerotrust-jit-" + strings.Repeat("x", 32)},
	} {
		got := ExpiryName(tc.ps)
		if got != tc.want {
			t.Errorf("ExpiryName(%q) = %q, want %q", tc.ps, got, tc.want)
		}
		if !scheduleGroupNameRe.MatchString(got) {
			t.Errorf("ExpiryName(%q) = %q does not fit the schedule-group pattern", tc.ps, got)
		}
	}
	if ExpiryName("a+b") == ExpiryName("a=b") {
		t.Error("names that sanitize alike must stay apart")
	}
	// Longer than any permission-set name, still within 64.
	if got := ExpiryName(strings.Repeat("y", 80)); len(got) > 64 || !scheduleGroupNameRe.MatchString(got) {
		t.Errorf("long name %q", got)
	}
}

func TestAtExpression(t *testing.T) {
	for _, tc := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), "at(2026-12-31T00:00:00)"},
		// Converted to UTC; fractions round up so access never ends early.
		{time.Date(2027, 1, 1, 1, 30, 0, 0, time.FixedZone("", 2*3600)), "at(2026-12-31T23:30:00)"},
		{time.Date(2026, 12, 31, 23, 59, 59, 1, time.UTC), "at(2027-01-01T00:00:00)"},
	} {
		if got := AtExpression(tc.in); got != tc.want {
			t.Errorf("AtExpression(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

var testEnv = AccountEnv{AccountID: "123456789012", Partition: "aws", Region: "eu-west-1"}

const (
	testInstanceARN = "arn:aws:sso:::instance/ssoins-1"
	testPSARN       = "arn:aws:sso:::permissionSet/ssoins-1/ps-1"
)

func mustCompileExpiry(t *testing.T, g ExpiryGrant) Expiry {
	t.Helper()
	e, err := CompileExpiry(testEnv, g)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestCompileExpirySchedules(t *testing.T) {
	a := Assignment{AccountID: "222222222222", PrincipalType: "GROUP", PrincipalID: "g1"}
	b := Assignment{AccountID: "111111111111", PrincipalType: "GROUP", PrincipalID: "g1"}
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	g := ExpiryGrant{PermissionSetName: "ps", InstanceARN: testInstanceARN, PermissionSetARN: testPSARN, ExpiresAt: at, Assignments: []Assignment{a, b}}
	e := mustCompileExpiry(t, g)
	input := func(x Assignment) string {
		in, err := ExpiryInput(testInstanceARN, testPSARN, x)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	rolePolicy, err := ExpiryRolePolicy(testInstanceARN, testPSARN, []string{"111111111111", "222222222222"})
	if err != nil {
		t.Fatal(err)
	}
	trust, err := ExpiryTrustPolicy("123456789012", "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/zerotrust-jit-ps")
	if err != nil {
		t.Fatal(err)
	}
	want := Expiry{
		Name:     "zerotrust-jit-ps",
		GroupARN: "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/zerotrust-jit-ps",
		Role: ExpiryRole{
			ARN: "arn:aws:iam::123456789012:role/zerotrust-jit/zerotrust-jit-ps", Path: "/zerotrust-jit/",
			Description: "EventBridge Scheduler removes the account assignments of permission set " + testPSARN + " at its expiry",
			TrustPolicy: trust, PolicyName: "delete-expired-assignments", Policy: rolePolicy,
		},
		Target: ExpiryTarget{
			ARN: "arn:aws:scheduler:::aws-sdk:ssoadmin:deleteAccountAssignment", InstanceARN: testInstanceARN, PermissionSetARN: testPSARN,
			Timezone: "UTC", Description: "Removes an account assignment of permission set " + testPSARN + " at its expiry",
		},
		Schedules: []ExpirySchedule{
			{
				Name: ExpiryScheduleName(b), ARN: "arn:aws:scheduler:eu-west-1:123456789012:schedule/zerotrust-jit-ps/" + ExpiryScheduleName(b),
				Expression: "at(2030-01-02T03:04:05)", Input: input(b), Assignment: b,
			},
			{
				Name: ExpiryScheduleName(a), ARN: "arn:aws:scheduler:eu-west-1:123456789012:schedule/zerotrust-jit-ps/" + ExpiryScheduleName(a),
				Expression: "at(2030-01-02T03:04:05)", Input: input(a), Assignment: a,
			},
		},
	}
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("CompileExpiry = %+v, want %+v", e, want)
	}
	if !e.Complete() {
		t.Fatal("a compiled expiry with every input known is not complete")
	}
	if !reflect.DeepEqual(e.Accounts(), []string{"111111111111", "222222222222"}) {
		t.Fatalf("accounts %v", e.Accounts())
	}
	if n := ExpiryScheduleName(Assignment{AccountID: "111111111111", PrincipalType: "GROUP", PrincipalID: "90677c0d94-1f2e3d4c-5b6a-4789-8abc-def012345678"}); len(n) > 64 || !scheduleGroupNameRe.MatchString(n) {
		t.Fatalf("schedule name %q", n)
	}
	if ExpiryScheduleName(a) == ExpiryScheduleName(Assignment{AccountID: a.AccountID, PrincipalType: "GROUP", PrincipalID: "g2"}) {
		t.Fatal("two principals in one account share a schedule name")
	}

	// No expiry (or no assignment): nothing scheduled, no permissions
	// policy; the group and role are still named, to be removed.
	for _, none := range []ExpiryGrant{
		{PermissionSetName: "ps", InstanceARN: testInstanceARN, PermissionSetARN: testPSARN, Assignments: []Assignment{a}},
		{PermissionSetName: "ps", InstanceARN: testInstanceARN, PermissionSetARN: testPSARN, ExpiresAt: at},
		{PermissionSetName: "ps"},
	} {
		if none.Scheduled() {
			t.Fatalf("%+v schedules something", none)
		}
		got := mustCompileExpiry(t, none)
		if len(got.Schedules) != 0 || got.Name != "zerotrust-jit-ps" || got.GroupARN != want.GroupARN || got.Role.ARN != want.Role.ARN || got.Role.Policy != "" || !got.Complete() {
			t.Fatalf("no expiry compiled to %+v", got)
		}
	}
}

// TestCompileExpiryUnknownARNs: before the permission set exists (a plan
// of its create) every name and ARN is known; only what names the
// permission set is left empty, and the result is not complete.
func TestCompileExpiryUnknownARNs(t *testing.T) {
	a := Assignment{AccountID: "111111111111", PrincipalType: "GROUP", PrincipalID: "g1"}
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	full := mustCompileExpiry(t, ExpiryGrant{PermissionSetName: "ps", InstanceARN: testInstanceARN, PermissionSetARN: testPSARN, ExpiresAt: at, Assignments: []Assignment{a}})
	planned := mustCompileExpiry(t, ExpiryGrant{PermissionSetName: "ps", InstanceARN: testInstanceARN, ExpiresAt: at, Assignments: []Assignment{a}})
	if planned.Complete() {
		t.Fatal("an expiry without the permission set's ARN must not be complete")
	}
	if planned.Role.Policy != "" || planned.Schedules[0].Input != "" {
		t.Fatalf("values naming an unknown ARN were compiled: %+v", planned)
	}
	if planned.Name != full.Name || planned.GroupARN != full.GroupARN || planned.Role.ARN != full.Role.ARN || planned.Role.TrustPolicy != full.Role.TrustPolicy ||
		planned.Schedules[0].Name != full.Schedules[0].Name || planned.Schedules[0].ARN != full.Schedules[0].ARN || planned.Schedules[0].Expression != full.Schedules[0].Expression {
		t.Fatalf("plan-time expiry %+v differs from the complete one %+v in a known value", planned, full)
	}
	for _, env := range []AccountEnv{{}, {AccountID: "123456789012", Partition: "aws"}, {Partition: "aws", Region: "eu-west-1"}} {
		if _, err := CompileExpiry(env, ExpiryGrant{PermissionSetName: "ps"}); err == nil {
			t.Fatalf("compiled without a complete account environment %+v", env)
		}
	}
	if _, err := CompileExpiry(testEnv, ExpiryGrant{PermissionSetName: "ps", InstanceARN: "not-an-arn", PermissionSetARN: testPSARN, ExpiresAt: at, Assignments: []Assignment{a}}); err == nil {
		t.Fatal("a malformed instance ARN must be refused")
	}
}

// TestCompileRecordedExpiry: the expiry as recorded is the desired one but
// for the expressions, which are read, not compiled.
func TestCompileRecordedExpiry(t *testing.T) {
	a := Assignment{AccountID: "222222222222", PrincipalType: "GROUP", PrincipalID: "g1"}
	b := Assignment{AccountID: "111111111111", PrincipalType: "GROUP", PrincipalID: "g2"}
	g := ExpiryGrant{PermissionSetName: "ps", InstanceARN: testInstanceARN, PermissionSetARN: testPSARN}
	rec, err := CompileRecordedExpiry(testEnv, g, []Assignment{a, b})
	if err != nil {
		t.Fatal(err)
	}
	g.ExpiresAt, g.Assignments = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), []Assignment{b, a}
	want := mustCompileExpiry(t, g)
	for i := range want.Schedules {
		want.Schedules[i].Expression = ""
	}
	if !reflect.DeepEqual(rec, want) {
		t.Fatalf("recorded %+v, want %+v", rec, want)
	}
	if rec.Complete() {
		t.Fatal("a recorded expiry has no expressions: it must not be written")
	}
	none, err := CompileRecordedExpiry(testEnv, g, nil)
	if err != nil || none.Role.Policy != "" || len(none.Schedules) != 0 {
		t.Fatalf("nothing recorded compiled to %+v, %v", none, err)
	}
}

func TestExpiryInputIsJSONNotText(t *testing.T) {
	// A principal id carrying JSON syntax stays one string value.
	a := Assignment{AccountID: "111111111111", PrincipalType: "GROUP", PrincipalID: `x","TargetId":"999999999999`}
	in, err := ExpiryInput("arn:aws:sso:::instance/ssoins-1", "arn:aws:sso:::permissionSet/ssoins-1/ps-1", a)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"InstanceArn": "arn:aws:sso:::instance/ssoins-1", "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-1",
		"TargetId": "111111111111", "TargetType": "AWS_ACCOUNT", "PrincipalType": "GROUP", "PrincipalId": a.PrincipalID,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("input %v, want %v", got, want)
	}
}

func TestExpiryPolicies(t *testing.T) {
	inst, ps := "arn:aws-cn:sso:::instance/ssoins-1", "arn:aws-cn:sso:::permissionSet/ssoins-1/ps-1"
	doc, err := ExpiryRolePolicy(inst, ps, []string{"222222222222", "111111111111", "222222222222"})
	if err != nil {
		t.Fatal(err)
	}
	var p PolicyDocument
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatal(err)
	}
	want := PolicyDocument{Version: "2012-10-17", Statement: []PolicyStatement{{
		Sid: "DeleteThisGrantsAssignments", Effect: "Allow", Action: []string{"sso:DeleteAccountAssignment"},
		Resource: []string{inst, ps, "arn:aws-cn:sso:::account/111111111111", "arn:aws-cn:sso:::account/222222222222"},
	}}}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("role policy %+v, want %+v", p, want)
	}
	if canon, _ := CanonicalPolicy(doc); canon != doc {
		t.Fatalf("role policy is not canonical: %s", doc)
	}
	if _, err := ExpiryRolePolicy(inst, ps, nil); err == nil {
		t.Fatal("a policy naming no account must be refused (it would name no account resource)")
	}
	if _, err := ExpiryRolePolicy("not-an-arn", ps, []string{"111111111111"}); err == nil {
		t.Fatal("a malformed instance ARN must be refused")
	}
	trust, err := ExpiryTrustPolicy("123456789012", ScheduleGroupARN("aws", "eu-west-1", "123456789012", "zerotrust-jit-ps"))
	if err != nil {
		t.Fatal(err)
	}
	const wantTrust = `{"Statement":[{"Action":["sts:AssumeRole"],"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012",` +
		`"aws:SourceArn":"arn:aws:scheduler:eu-west-1:123456789012:schedule-group/zerotrust-jit-ps"}},"Effect":"Allow",` +
		`"Principal":{"Service":"scheduler.amazonaws.com"}}],"Version":"2012-10-17"}`
	if trust != wantTrust {
		t.Fatalf("trust policy\n%s\nwant\n%s", trust, wantTrust)
	}
	if got := ExpiryRoleARN("aws", "123456789012", "zerotrust-jit-ps"); got != "arn:aws:iam::123456789012:role/zerotrust-jit/zerotrust-jit-ps" {
		t.Fatalf("role ARN %s", got)
	}
	if got := ExpiryTargetARN("aws"); got != "arn:aws:scheduler:::aws-sdk:ssoadmin:deleteAccountAssignment" {
		t.Fatalf("target %s", got)
	}
}
