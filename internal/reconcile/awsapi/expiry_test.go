package awsapi_test

import (
	"context"
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

const (
	jitGroupA = "90677c0d94-1f2e3d4c-5b6a-4789-8abc-def012345678"
	jitGroupB = "a1b2c3d4-0000-4000-8000-00000000000b"
)

// expiryClients are SDK clients for every service the expiry touches, all
// pointed at the sandbox front, with Scheduler and IAM calls counted.
func expiryClients(t *testing.T) (*awsapi.Clients, *callCounter) {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_ENDPOINT_URL", "")
	c, err := awsapi.NewClients(context.Background(), awsapi.Config{
		Region:    "us-east-1",
		Endpoints: awsapi.Endpoints{SSOAdmin: awsURL, IdentityStore: awsURL, STS: awsURL, IAM: awsURL, Scheduler: awsURL},
	})
	if err != nil {
		t.Fatal(err)
	}
	counter := &callCounter{counts: map[string]int{}}
	c.Scheduler = scheduler.New(c.Scheduler.Options(), func(o *scheduler.Options) {
		o.APIOptions = append(slices.Clone(o.APIOptions), countOperations(counter))
	})
	c.IAM = iam.New(c.IAM.Options(), func(o *iam.Options) {
		o.APIOptions = append(slices.Clone(o.APIOptions), countOperations(counter))
	})
	return c, counter
}

// decodePolicy reads a policy document as IAM returns it (URL-encoded).
func decodePolicy(t *testing.T, doc string) identitycenter.PolicyDocument {
	t.Helper()
	if dec, err := url.PathUnescape(doc); err == nil {
		doc = dec
	}
	var p identitycenter.PolicyDocument
	d := json.NewDecoder(strings.NewReader(doc))
	d.DisallowUnknownFields()
	if err := d.Decode(&p); err != nil {
		t.Fatalf("policy %s: %v", doc, err)
	}
	return p
}

// checkExpiryRole reads the role through IAM and checks it does one thing:
// sso:DeleteAccountAssignment on exactly the instance, permission set and
// accounts given, assumable only by Scheduler for this account's group.
func checkExpiryRole(t *testing.T, c *awsapi.Clients, env awsapi.AccountEnv, name, inst, ps string, accounts []string) string {
	t.Helper()
	ctx := context.Background()
	role, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	wantARN := "arn:aws:iam::" + env.AccountID + ":role/zerotrust-jit/" + name
	if got := aws.ToString(role.Role.Arn); got != wantARN {
		t.Fatalf("role ARN %s, want %s", got, wantARN)
	}
	tags := map[string]string{}
	for _, tg := range role.Role.Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if tags[awsapi.TagManagedBy] != awsapi.ManagedByValue || tags[awsapi.TagOwnership] != "own-1" {
		t.Fatalf("role tags %v", tags)
	}
	trust := decodePolicy(t, aws.ToString(role.Role.AssumeRolePolicyDocument))
	wantTrust := identitycenter.PolicyDocument{Version: "2012-10-17", Statement: []identitycenter.PolicyStatement{{
		Effect: "Allow", Principal: map[string]string{"Service": "scheduler.amazonaws.com"}, Action: []string{"sts:AssumeRole"},
		Condition: map[string]map[string]string{"StringEquals": {
			"aws:SourceAccount": env.AccountID,
			"aws:SourceArn":     "arn:aws:scheduler:us-east-1:" + env.AccountID + ":schedule-group/" + name,
		}},
	}}}
	if !reflect.DeepEqual(trust, wantTrust) {
		t.Fatalf("trust policy\n%+v\nwant\n%+v", trust, wantTrust)
	}
	names, err := c.IAM.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(names.PolicyNames, []string{"delete-expired-assignments"}) {
		t.Fatalf("inline policies %v", names.PolicyNames)
	}
	attached, err := c.IAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil || len(attached.AttachedPolicies) != 0 {
		t.Fatalf("attached policies %v, %v", attached, err)
	}
	pol, err := c.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("delete-expired-assignments")})
	if err != nil {
		t.Fatal(err)
	}
	doc := decodePolicy(t, aws.ToString(pol.PolicyDocument))
	if len(doc.Statement) != 1 {
		t.Fatalf("policy has %d statements", len(doc.Statement))
	}
	st := doc.Statement[0]
	if st.Effect != "Allow" || !reflect.DeepEqual(st.Action, []string{"sso:DeleteAccountAssignment"}) || st.Principal != nil || st.Condition != nil {
		t.Fatalf("statement %+v", st)
	}
	want := []string{inst, ps}
	for _, a := range accounts {
		want = append(want, "arn:aws:sso:::account/"+a)
	}
	got := slices.Clone(st.Resource)
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("resources %v, want exactly %v", got, want)
	}
	return wantARN
}

// checkSchedule reads one schedule and compares every field the provider writes.
func checkSchedule(t *testing.T, c *awsapi.Clients, group, inst, ps, roleARN string, a identitycenter.Assignment, expression string) {
	t.Helper()
	name := identitycenter.ExpiryScheduleName(a)
	s, err := c.Scheduler.GetSchedule(context.Background(), &scheduler.GetScheduleInput{GroupName: aws.String(group), Name: aws.String(name)})
	if err != nil {
		t.Fatalf("schedule %s: %v", name, err)
	}
	if got := aws.ToString(s.ScheduleExpression); got != expression {
		t.Fatalf("%s: expression %s, want %s", name, got, expression)
	}
	if aws.ToString(s.ScheduleExpressionTimezone) != "UTC" || s.FlexibleTimeWindow == nil || s.FlexibleTimeWindow.Mode != schedtypes.FlexibleTimeWindowModeOff ||
		s.ActionAfterCompletion != schedtypes.ActionAfterCompletionDelete || s.State != schedtypes.ScheduleStateEnabled {
		t.Fatalf("%s: timezone %q, window %+v, after completion %q, state %q", name, aws.ToString(s.ScheduleExpressionTimezone), s.FlexibleTimeWindow, s.ActionAfterCompletion, s.State)
	}
	if got := aws.ToString(s.Target.Arn); got != "arn:aws:scheduler:::aws-sdk:ssoadmin:deleteAccountAssignment" {
		t.Fatalf("%s: target %s", name, got)
	}
	if got := aws.ToString(s.Target.RoleArn); got != roleARN {
		t.Fatalf("%s: role %s, want %s", name, got, roleARN)
	}
	var input map[string]string
	if err := json.Unmarshal([]byte(aws.ToString(s.Target.Input)), &input); err != nil {
		t.Fatalf("%s: input %q: %v", name, aws.ToString(s.Target.Input), err)
	}
	want := map[string]string{
		"InstanceArn": inst, "PermissionSetArn": ps, "TargetId": a.AccountID, "TargetType": "AWS_ACCOUNT",
		"PrincipalType": a.PrincipalType, "PrincipalId": a.PrincipalID,
	}
	if !reflect.DeepEqual(input, want) {
		t.Fatalf("%s: input %v, want %v", name, input, want)
	}
}

// recorded is the expiry d as the provider records it and reads it back:
// compiled from its schedules' assignments alone.
func recorded(t *testing.T, env awsapi.AccountEnv, g identitycenter.ExpiryGrant, d identitycenter.Expiry) identitycenter.Expiry {
	t.Helper()
	var as []identitycenter.Assignment
	for _, s := range d.Schedules {
		as = append(as, s.Assignment)
	}
	r, err := identitycenter.CompileRecordedExpiry(env, g, as)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestApplyExpiry creates a grant's expiry (role, group, one schedule per
// assignment) with exact content, re-applies it with no change, moves the
// expiry and drops an account, repairs out-of-band deletion and tampering,
// refuses a group owned by someone else, and removes everything.
func TestApplyExpiry(t *testing.T) {
	c, calls := expiryClients(t)
	ctx := context.Background()
	inst, _ := instance(t, c.SSOAdmin)
	const psName = "jit-expiry"
	ps, _, err := awsapi.CreatePermissionSet(ctx, c.SSOAdmin, inst, awsapi.CreatePermissionSetInput{Name: psName, SessionDuration: "PT1H", Tags: ownedTags(psName)})
	if err != nil {
		t.Fatal(err)
	}
	env, err := awsapi.CallerAccount(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if env.AccountID != "123456789012" || env.Partition != "aws" || env.Region != "us-east-1" {
		t.Fatalf("caller account %+v", env)
	}
	g := awsapi.ExpiryOwner{AccessName: psName, Ownership: "own-1"}
	grant := identitycenter.ExpiryGrant{PermissionSetName: psName, InstanceARN: inst, PermissionSetARN: ps}
	compile := func(at time.Time, as ...identitycenter.Assignment) identitycenter.Expiry {
		t.Helper()
		grant.ExpiresAt, grant.Assignments = at, as
		d, err := identitycenter.CompileExpiry(env, grant)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a1 := identitycenter.Assignment{AccountID: testAccount, PrincipalType: "GROUP", PrincipalID: jitGroupA}
	a2 := identitycenter.Assignment{AccountID: otherAcct, PrincipalType: "GROUP", PrincipalID: jitGroupA}
	a3 := identitycenter.Assignment{AccountID: otherAcct, PrincipalType: "GROUP", PrincipalID: jitGroupB}
	expires := time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)

	apply := func(step string, d identitycenter.Expiry, want map[string]int) {
		t.Helper()
		calls.reset()
		if err := awsapi.ApplyExpiry(ctx, c, g, d); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		wantCalls(t, step, mutatingCalls(calls), want)
	}
	readBack := func(step string, d identitycenter.Expiry, roleARN string) {
		t.Helper()
		live, err := awsapi.ReadExpiry(ctx, c, g, recorded(t, env, grant, d))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		var want []awsapi.LiveSchedule
		for _, s := range d.Schedules {
			want = append(want, awsapi.LiveSchedule{Name: s.Name, ARN: "arn:aws:scheduler:us-east-1:123456789012:schedule/" + d.Name + "/" + s.Name, Expression: s.Expression, Assignment: s.Assignment})
		}
		if live.RoleARN != roleARN || !live.GroupExists || !reflect.DeepEqual(live.Schedules, want) {
			t.Fatalf("%s: read back %+v, want role %s and schedules %+v", step, live, roleARN, want)
		}
	}

	d := compile(expires, a3, a1, a2)
	if d.Name != "zerotrust-jit-jit-expiry" || len(d.Schedules) != 3 {
		t.Fatalf("compiled expiry %+v", d)
	}
	apply("create", d, map[string]int{"CreateRole": 1, "PutRolePolicy": 1, "CreateScheduleGroup": 1, "CreateSchedule": 3})
	roleARN := checkExpiryRole(t, c, env, d.Name, inst, ps, []string{testAccount, otherAcct})
	for _, a := range []identitycenter.Assignment{a1, a2, a3} {
		checkSchedule(t, c, d.Name, inst, ps, roleARN, a, "at(2031-03-04T05:06:07)")
	}
	grp, err := c.Scheduler.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String(d.Name)})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := c.Scheduler.ListTagsForResource(ctx, &scheduler.ListTagsForResourceInput{ResourceArn: grp.Arn})
	if err != nil {
		t.Fatal(err)
	}
	gotTags := map[string]string{}
	for _, tg := range tags.Tags {
		gotTags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if want := map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagPrivilegedAccess: psName, awsapi.TagOwnership: "own-1"}; !reflect.DeepEqual(gotTags, want) {
		t.Fatalf("group tags %v, want %v", gotTags, want)
	}
	readBack("create", d, roleARN)
	apply("again", d, map[string]int{})

	// Later expiry (fractional seconds round up), one account fewer: the
	// remaining schedules move, the dropped one goes, the policy narrows.
	later := compile(time.Date(2031, 6, 1, 0, 0, 0, 1, time.FixedZone("CEST", 2*3600)), a2, a3)
	apply("move", later, map[string]int{"UpdateSchedule": 2, "DeleteSchedule": 1, "PutRolePolicy": 1})
	checkExpiryRole(t, c, env, d.Name, inst, ps, []string{otherAcct})
	for _, a := range []identitycenter.Assignment{a2, a3} {
		checkSchedule(t, c, d.Name, inst, ps, roleARN, a, "at(2031-05-31T22:00:01)")
	}
	if _, err := c.Scheduler.GetSchedule(ctx, &scheduler.GetScheduleInput{GroupName: aws.String(d.Name), Name: aws.String(identitycenter.ExpiryScheduleName(a1))}); err == nil {
		t.Fatal("the dropped account's schedule still exists")
	}
	readBack("move", later, roleARN)

	// Out of band: one schedule deleted, one re-pointed at another role, a
	// second inline policy put on the role. Read shows none of them as the
	// provider's; apply restores all.
	if _, err := c.Scheduler.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{GroupName: aws.String(d.Name), Name: aws.String(later.Schedules[0].Name)}); err != nil {
		t.Fatal(err)
	}
	tampered := later.Schedules[1]
	input, _ := identitycenter.ExpiryInput(inst, ps, tampered.Assignment)
	if _, err := c.Scheduler.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{
		GroupName: aws.String(d.Name), Name: aws.String(tampered.Name), ScheduleExpression: aws.String(tampered.Expression),
		ScheduleExpressionTimezone: aws.String("UTC"), FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		State: schedtypes.ScheduleStateEnabled, ActionAfterCompletion: schedtypes.ActionAfterCompletionDelete,
		Target: &schedtypes.Target{Arn: aws.String(identitycenter.ExpiryTargetARN("aws")), RoleArn: aws.String("arn:aws:iam::123456789012:role/other"), Input: aws.String(input)},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(d.Name), PolicyName: aws.String("extra"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	live, err := awsapi.ReadExpiry(ctx, c, g, recorded(t, env, grant, later))
	if err != nil {
		t.Fatal(err)
	}
	if live.RoleARN != "" || len(live.Schedules) != 0 || !live.GroupExists {
		t.Fatalf("tampered expiry read as %+v, want no conforming role or schedule", live)
	}
	apply("repair", later, map[string]int{"CreateSchedule": 1, "UpdateSchedule": 1, "DeleteRolePolicy": 1})
	checkExpiryRole(t, c, env, d.Name, inst, ps, []string{otherAcct})
	for _, a := range []identitycenter.Assignment{a2, a3} {
		checkSchedule(t, c, d.Name, inst, ps, roleARN, a, "at(2031-05-31T22:00:01)")
	}
	readBack("repair", later, roleARN)

	// Another grant's group of the name is never taken over.
	other := awsapi.ExpiryOwner{AccessName: psName, Ownership: "own-2"}
	calls.reset()
	err = awsapi.ApplyExpiry(ctx, c, other, later)
	if !awsapi.IsOwnershipError(err) && (err == nil || !strings.Contains(err.Error(), "own-2")) {
		t.Fatalf("apply by another owner: %v, want an ownership refusal", err)
	}
	if err := awsapi.DeleteExpiry(ctx, c, other, later); err == nil {
		t.Fatal("delete by another owner succeeded")
	}
	wantCalls(t, "foreign", mutatingCalls(calls), map[string]int{})

	// Expired (or expiry removed): everything goes.
	apply("remove", compile(time.Time{}, a2, a3),
		map[string]int{"DeleteSchedule": 2, "DeleteScheduleGroup": 1, "DeleteRolePolicy": 1, "DeleteRole": 1})
	if _, err := c.Scheduler.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String(d.Name)}); err == nil {
		t.Fatal("schedule group still exists")
	}
	if _, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(d.Name)}); err == nil {
		t.Fatal("role still exists")
	}
	apply("remove again", compile(time.Time{}), map[string]int{})
	must(t, awsapi.DeletePermissionSet(ctx, c.SSOAdmin, inst, ps))
}
