package vafront

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
)

// The scheduler runner, driven as the provider drives AWS: an account
// assignment, an execution role, a schedule group and a one-time schedule
// whose universal target deletes the assignment, all written with the real
// SDK clients through the front; the runner (started with the test server)
// must fire it on the sandbox clock, as the role, or record why not.

const (
	jitAccount = "111111111111"
	jitGroupID = "9a6b0d9e-7c1f-4d3a-9f1e-2b6c8d4e5f60"
)

func schedulerClient() *scheduler.Client {
	return scheduler.NewFromConfig(awsConfig(), func(o *scheduler.Options) { o.BaseEndpoint = aws.String(testFront.URL) })
}

func iamClient() *iam.Client {
	return iam.NewFromConfig(awsConfig(), func(o *iam.Options) { o.BaseEndpoint = aws.String(testFront.URL) })
}

func policyJSON(t *testing.T, statements ...map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// jitGrant is one just-in-time assignment and what ends it.
type jitGrant struct {
	instance, ps, group, roleARN, roleName string
}

// trustFor is the trust policy the provider writes: the scheduler, for
// this group in this account only.
func trustFor(group string) map[string]any {
	return map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
		"Condition": map[string]any{"StringEquals": map[string]any{
			"aws:SourceAccount": "123456789012",
			"aws:SourceArn":     "arn:aws:scheduler:us-east-1:123456789012:schedule-group/" + group,
		}},
	}
}

func deleteOnly(resources ...string) map[string]any {
	return map[string]any{"Effect": "Allow", "Action": []string{"sso:DeleteAccountAssignment"}, "Resource": resources}
}

// newGrant assigns a permission set, makes the schedule group and a role
// with the given trust and inline policy statements (nil: as the provider
// writes them).
func newGrant(t *testing.T, name string, trust, inline map[string]any) jitGrant {
	t.Helper()
	ctx := context.Background()
	sso := ssoAdminClient()
	g := jitGrant{group: "zerotrust-jit-" + name, roleName: "zerotrust-jit-" + name}
	g.instance, _ = ssoInstance(t, sso)
	g.ps = newPermissionSet(t, sso, g.instance, name)
	if _, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
		InstanceArn: aws.String(g.instance), PermissionSetArn: aws.String(g.ps), TargetId: aws.String(jitAccount), TargetType: ssotypes.TargetTypeAwsAccount,
		PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: aws.String(jitGroupID),
	}); err != nil {
		t.Fatal(err)
	}
	if trust == nil {
		trust = trustFor(g.group)
	}
	if inline == nil {
		inline = deleteOnly(g.instance, g.ps, "arn:aws:sso:::account/"+jitAccount)
	}
	role, err := iamClient().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(g.roleName), Path: aws.String("/zerotrust-jit/"),
		AssumeRolePolicyDocument: aws.String(policyJSON(t, trust))})
	if err != nil {
		t.Fatal(err)
	}
	g.roleARN = aws.ToString(role.Role.Arn)
	if _, err := iamClient().PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(g.roleName), PolicyName: aws.String("delete-expired-assignments"),
		PolicyDocument: aws.String(policyJSON(t, inline))}); err != nil {
		t.Fatal(err)
	}
	if _, err := schedulerClient().CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String(g.group)}); err != nil {
		t.Fatal(err)
	}
	return g
}

// schedule writes a one-time schedule of the grant at the given local time
// in zone, with the given target ARN and retry policy (nil: AWS's default).
func (g jitGrant) schedule(t *testing.T, name string, at time.Time, zone, target string, retry *schedtypes.RetryPolicy) {
	t.Helper()
	input, err := json.Marshal(map[string]string{
		"InstanceArn": g.instance, "PermissionSetArn": g.ps, "TargetId": jitAccount, "TargetType": "AWS_ACCOUNT",
		"PrincipalType": "GROUP", "PrincipalId": jitGroupID,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := schedulerClient().CreateSchedule(context.Background(), &scheduler.CreateScheduleInput{
		GroupName: aws.String(g.group), Name: aws.String(name),
		ScheduleExpression:         aws.String("at(" + at.Format("2006-01-02T15:04:05") + ")"),
		ScheduleExpressionTimezone: aws.String(zone),
		FlexibleTimeWindow:         &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		ActionAfterCompletion:      schedtypes.ActionAfterCompletionDelete,
		Target:                     &schedtypes.Target{Arn: aws.String(target), RoleArn: aws.String(g.roleARN), Input: aws.String(string(input)), RetryPolicy: retry},
	}); err != nil {
		t.Fatal(err)
	}
}

const deleteAssignmentTarget = "arn:aws:scheduler:::aws-sdk:ssoadmin:deleteAccountAssignment"

func (g jitGrant) assigned(t *testing.T) bool {
	t.Helper()
	out, err := ssoAdminClient().ListAccountAssignments(context.Background(), &ssoadmin.ListAccountAssignmentsInput{
		InstanceArn: aws.String(g.instance), AccountId: aws.String(jitAccount), PermissionSetArn: aws.String(g.ps)})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range out.AccountAssignments {
		if aws.ToString(a.PrincipalId) == jitGroupID {
			return true
		}
	}
	return false
}

func (g jitGrant) scheduleExists(t *testing.T, name string) bool {
	t.Helper()
	_, err := schedulerClient().GetSchedule(context.Background(), &scheduler.GetScheduleInput{GroupName: aws.String(g.group), Name: aws.String(name)})
	var nf *schedtypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

// waitInvocations waits (real time) until n invocations of the schedule
// are recorded, and returns them.
func waitInvocations(t *testing.T, ctl *Control, scheduleName string, n int) []Invocation {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		all, err := ctl.Invocations(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var got []Invocation
		for _, inv := range all {
			if inv.Name == scheduleName {
				got = append(got, inv)
			}
		}
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d invocations of %s after 15s, want %d: %+v", len(got), scheduleName, n, all)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSchedulerFiresWhenTheClockIsAdvanced: a schedule an hour ahead does
// not fire in real time; advanced past it, the sandbox clock fires it
// once: the assignment is deleted through the front (as a client's call
// would be) and the schedule with it (ActionAfterCompletion DELETE).
func TestSchedulerFiresWhenTheClockIsAdvanced(t *testing.T) {
	_, _, ctl := fresh(t)
	ctx := context.Background()
	g := newGrant(t, "oncall", nil, nil)
	start, err := ctl.Clock(ctx)
	if err != nil || start.OffsetSeconds != 0 || time.Since(start.Now).Abs() > 5*time.Second {
		t.Fatalf("clock after reset %+v, %v", start, err)
	}
	g.schedule(t, "expire", start.Now.UTC().Add(time.Hour), "UTC", deleteAssignmentTarget, nil)

	time.Sleep(1500 * time.Millisecond) // several runner passes
	if !g.assigned(t) || !g.scheduleExists(t, "expire") {
		t.Fatal("a schedule an hour ahead fired in real time")
	}
	if inv, _ := ctl.Invocations(ctx); len(inv) != 0 {
		t.Fatalf("invocations before the time: %+v", inv)
	}
	st, err := ctl.AdvanceClock(ctx, time.Hour+time.Second)
	if err != nil || st.OffsetSeconds < 3600 || st.Now.Sub(start.Now) < time.Hour {
		t.Fatalf("advanced clock %+v, %v", st, err)
	}
	inv := waitInvocations(t, ctl, "expire", 1)
	if !inv[0].Succeeded || !inv[0].Final || !inv[0].Deleted || inv[0].RoleARN != g.roleARN || inv[0].TargetARN != deleteAssignmentTarget {
		t.Fatalf("invocation %+v", inv[0])
	}
	if g.assigned(t) {
		t.Fatal("the assignment survived its schedule")
	}
	if g.scheduleExists(t, "expire") {
		t.Fatal("the completed schedule was not deleted")
	}
	time.Sleep(time.Second)
	if n := len(waitInvocations(t, ctl, "expire", 1)); n != 1 {
		t.Fatalf("a one-time schedule fired %d times", n)
	}
	calls, _ := ctl.Counters(ctx)
	if calls["sso:DeleteAccountAssignment"] != 1 {
		t.Fatalf("the deletion did not go through the front: %v", calls)
	}
	if err := ctl.ResetClock(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := ctl.Clock(ctx); st.OffsetSeconds != 0 {
		t.Fatalf("clock after DELETE %+v", st)
	}
}

// TestSchedulerHonoursTheTimeZone: at() is local time in
// ScheduleExpressionTimezone. A minute ago in Tokyo is due; read as UTC it
// would be nine hours ahead.
func TestSchedulerHonoursTheTimeZone(t *testing.T) {
	_, _, ctl := fresh(t)
	g := newGrant(t, "tz", nil, nil)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	g.schedule(t, "expire", time.Now().In(tokyo).Add(-time.Minute), "Asia/Tokyo", deleteAssignmentTarget, nil)
	if inv := waitInvocations(t, ctl, "expire", 1); !inv[0].Succeeded {
		t.Fatalf("invocation %+v", inv[0])
	}
	if g.assigned(t) {
		t.Fatal("the assignment survived its schedule")
	}
}

// wantDenied checks that the schedule's first attempt was refused with
// AccessDeniedException naming the role and containing why, that the
// assignment is still there and, since AWS retries a failed invocation
// (185 attempts within a day by default), that the schedule is kept and
// retried.
func wantDenied(t *testing.T, ctl *Control, g jitGrant, name, why string) {
	t.Helper()
	inv := waitInvocations(t, ctl, name, 2) // the first attempt and its retry a second later
	for _, i := range inv[:2] {
		if i.Succeeded || i.ErrorCode != "AccessDeniedException" || i.Final || !strings.Contains(i.Message, why) ||
			!strings.Contains(i.Message, g.roleName) {
			t.Fatalf("invocation %+v: want a non-final AccessDeniedException naming %s and %q", i, g.roleName, why)
		}
	}
	if inv[1].Attempt != 2 {
		t.Fatalf("retry %+v", inv[1])
	}
	if !g.assigned(t) {
		t.Fatal("the assignment was deleted although the role may not")
	}
	if !g.scheduleExists(t, name) {
		t.Fatal("a schedule still retrying was deleted")
	}
}

func TestSchedulerDeniedByTrust(t *testing.T) {
	_, _, ctl := fresh(t)
	// The trust names another schedule group: the confused-deputy check fails.
	g := newGrant(t, "trust", trustFor("zerotrust-jit-someone-else"), nil)
	g.schedule(t, "expire", time.Now().UTC().Add(-time.Second), "UTC", deleteAssignmentTarget, nil)
	wantDenied(t, ctl, g, "expire", "not authorized to perform: sts:AssumeRole")
}

func TestSchedulerDeniedByPolicy(t *testing.T) {
	_, _, ctl := fresh(t)
	sso := ssoAdminClient()
	inst, _ := ssoInstance(t, sso)
	// The role may delete assignments of another permission set only.
	other := newPermissionSet(t, sso, inst, "Other")
	g := newGrant(t, "narrowed", nil, deleteOnly(inst, other, "arn:aws:sso:::account/"+jitAccount))
	g.schedule(t, "expire", time.Now().UTC().Add(-time.Second), "UTC", deleteAssignmentTarget, nil)
	wantDenied(t, ctl, g, "expire", "on resource: "+g.ps+" because no identity-based policy allows the sso:DeleteAccountAssignment action")

	// With no retry left, the failure is final and the one-time schedule
	// completes: ActionAfterCompletion DELETE deletes it.
	g.schedule(t, "no-retry", time.Now().UTC().Add(-time.Second), "UTC", deleteAssignmentTarget,
		&schedtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(0), MaximumEventAgeInSeconds: aws.Int32(60)})
	inv := waitInvocations(t, ctl, "no-retry", 1)
	if inv[0].Succeeded || !inv[0].Final || !inv[0].Deleted || inv[0].ErrorCode != "AccessDeniedException" {
		t.Fatalf("invocation %+v", inv[0])
	}
	if g.scheduleExists(t, "no-retry") || !g.assigned(t) {
		t.Fatal("want the schedule deleted and the assignment kept")
	}
}

func TestSchedulerExplicitDeny(t *testing.T) {
	_, _, ctl := fresh(t)
	ctx := context.Background()
	g := newGrant(t, "denied", nil, nil)
	// A managed policy attached beside the allowing inline one denies.
	pol, err := iamClient().CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("no-sso-deletes"),
		PolicyDocument: aws.String(policyJSON(t, map[string]any{"Effect": "Deny", "Action": "sso:Delete*", "Resource": "*"}))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iamClient().AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(g.roleName), PolicyArn: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	g.schedule(t, "expire", time.Now().UTC().Add(-time.Second), "UTC", deleteAssignmentTarget, nil)
	wantDenied(t, ctl, g, "expire", "with an explicit deny in an identity-based policy")

	// Detached, the next retry succeeds: the role is read again at each attempt.
	if _, err := iamClient().DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(g.roleName), PolicyArn: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for g.assigned(t) {
		if time.Now().After(deadline) {
			t.Fatalf("the retry after the fix did not delete the assignment: %+v", waitInvocations(t, ctl, "expire", 1))
		}
		time.Sleep(200 * time.Millisecond)
	}
	inv := waitInvocations(t, ctl, "expire", 3)
	if last := inv[len(inv)-1]; !last.Succeeded || !last.Deleted {
		t.Fatalf("last invocation %+v", last)
	}
}

func TestSchedulerUnsupportedTarget(t *testing.T) {
	_, _, ctl := fresh(t)
	g := newGrant(t, "unsupported", nil, nil)
	g.schedule(t, "send", time.Now().UTC().Add(-time.Second), "UTC", "arn:aws:scheduler:::aws-sdk:sqs:sendMessage", nil)
	inv := waitInvocations(t, ctl, "send", 1)
	if inv[0].Succeeded || inv[0].ErrorCode != "UnsupportedTarget" || !strings.Contains(inv[0].Message, "sqs:sendMessage") {
		t.Fatalf("invocation %+v", inv[0])
	}
	if !g.assigned(t) {
		t.Fatal("the assignment was deleted by an unsupported target")
	}
}

// TestSchedulerClockControl: the clock only moves forward through POST.
func TestSchedulerClockControl(t *testing.T) {
	_, _, ctl := fresh(t)
	if _, err := ctl.AdvanceClock(context.Background(), -time.Minute); err == nil || !strings.Contains(err.Error(), "HTTP 400") {
		t.Fatalf("moving the clock back: %v", err)
	}
	st, err := ctl.AdvanceClock(context.Background(), 90*time.Second)
	if err != nil || st.OffsetSeconds != 90 {
		t.Fatalf("advance %+v, %v", st, err)
	}
	if err := ctl.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, _ := ctl.Clock(context.Background()); st.OffsetSeconds != 0 {
		t.Fatalf("clock after reset %+v", st)
	}
}
