package acctest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// EventBridge Scheduler schedules and the IAM role that end just-in-time
// privileged access, read back as an auditor would.

func schedulerClient(t *testing.T) *scheduler.Client {
	t.Helper()
	return scheduler.NewFromConfig(AWSConfig(t))
}

func iamClient(t *testing.T) *iam.Client {
	t.Helper()
	return iam.NewFromConfig(AWSConfig(t))
}

func notFound(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode() == "ResourceNotFoundException" || apiErr.ErrorCode() == "NoSuchEntity")
}

// Schedule is a schedule as GetSchedule returns it, with its target's input
// decoded.
type Schedule struct {
	Name, Expression, Timezone, FlexibleWindow, ActionAfterCompletion, State string
	TargetARN, RoleARN                                                       string
	Input                                                                    map[string]string
}

// ReadSchedules reads every schedule of a group in full, by name; a missing
// group reads as none.
func ReadSchedules(t *testing.T, group string) (map[string]Schedule, error) {
	t.Helper()
	return readSchedules(context.Background(), schedulerClient(t), group)
}

func readSchedules(ctx context.Context, c *scheduler.Client, group string) (map[string]Schedule, error) {
	out := map[string]Schedule{}
	p := scheduler.NewListSchedulesPaginator(c, &scheduler.ListSchedulesInput{GroupName: aws.String(group)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if notFound(err) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		for _, sum := range page.Schedules {
			s, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{GroupName: aws.String(group), Name: sum.Name})
			if notFound(err) {
				continue // deleted since it was listed: a schedule that ran deletes itself
			}
			if err != nil {
				return nil, err
			}
			got := Schedule{
				Name: aws.ToString(s.Name), Expression: aws.ToString(s.ScheduleExpression), Timezone: aws.ToString(s.ScheduleExpressionTimezone),
				ActionAfterCompletion: string(s.ActionAfterCompletion), State: string(s.State),
			}
			if s.FlexibleTimeWindow != nil {
				got.FlexibleWindow = string(s.FlexibleTimeWindow.Mode)
			}
			if s.Target != nil {
				got.TargetARN, got.RoleARN = aws.ToString(s.Target.Arn), aws.ToString(s.Target.RoleArn)
				if err := json.Unmarshal([]byte(aws.ToString(s.Target.Input)), &got.Input); err != nil {
					return nil, fmt.Errorf("schedule %s: input %q: %w", got.Name, aws.ToString(s.Target.Input), err)
				}
			}
			out[got.Name] = got
		}
	}
	return out, nil
}

// ScheduleGroupExists says whether the schedule group exists.
func ScheduleGroupExists(t *testing.T, name string) (bool, error) {
	t.Helper()
	return scheduleGroupExists(context.Background(), schedulerClient(t), name)
}

func scheduleGroupExists(ctx context.Context, c *scheduler.Client, name string) (bool, error) {
	_, err := c.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String(name)})
	if notFound(err) {
		return false, nil
	}
	return err == nil, err
}

// DeleteSchedule deletes a schedule out of band.
func DeleteSchedule(t *testing.T, group, name string) {
	t.Helper()
	if _, err := schedulerClient(t).DeleteSchedule(context.Background(), &scheduler.DeleteScheduleInput{GroupName: aws.String(group), Name: aws.String(name)}); err != nil {
		t.Fatalf("deleting schedule %s/%s: %v", group, name, err)
	}
}

// PolicyStatement is one statement of an IAM policy read back, with Action
// and Resource as lists (the provider writes them so).
type PolicyStatement struct {
	Sid       string                       `json:"Sid,omitempty"`
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal,omitempty"`
	Action    []string                     `json:"Action"`
	Resource  []string                     `json:"Resource,omitempty"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// Role is an IAM role read back: trust policy, inline policies by name
// (decoded), attached managed policies, tags.
type Role struct {
	ARN, Path string
	Tags      map[string]string
	Trust     []PolicyStatement
	Inline    map[string][]PolicyStatement
	Attached  []string
}

func decodeStatements(doc string) ([]PolicyStatement, error) {
	if strings.HasPrefix(doc, "%7B") {
		dec, err := url.PathUnescape(doc)
		if err != nil {
			return nil, err
		}
		doc = dec
	}
	var p struct {
		Version   string            `json:"Version"`
		Statement []PolicyStatement `json:"Statement"`
	}
	d := json.NewDecoder(strings.NewReader(doc))
	d.DisallowUnknownFields() // a field the check does not know fails it
	if err := d.Decode(&p); err != nil {
		return nil, fmt.Errorf("policy %s: %w", doc, err)
	}
	if p.Version != "2012-10-17" {
		return nil, fmt.Errorf("policy version %q", p.Version)
	}
	return p.Statement, nil
}

// ReadRole reads an IAM role by name; ok is false when it does not exist.
func ReadRole(t *testing.T, name string) (r Role, ok bool, err error) {
	t.Helper()
	return readRole(context.Background(), iamClient(t), name)
}

func readRole(ctx context.Context, c *iam.Client, name string) (r Role, ok bool, err error) {
	out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if notFound(err) {
		return Role{}, false, nil
	}
	if err != nil {
		return Role{}, false, err
	}
	r = Role{ARN: aws.ToString(out.Role.Arn), Path: aws.ToString(out.Role.Path), Tags: map[string]string{}, Inline: map[string][]PolicyStatement{}}
	for _, tg := range out.Role.Tags {
		r.Tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if r.Trust, err = decodeStatements(aws.ToString(out.Role.AssumeRolePolicyDocument)); err != nil {
		return r, true, err
	}
	names, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return r, true, err
	}
	for _, n := range names.PolicyNames {
		pol, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(n)})
		if err != nil {
			return r, true, err
		}
		if r.Inline[n], err = decodeStatements(aws.ToString(pol.PolicyDocument)); err != nil {
			return r, true, err
		}
	}
	attached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return r, true, err
	}
	for _, p := range attached.AttachedPolicies {
		r.Attached = append(r.Attached, aws.ToString(p.PolicyArn))
	}
	sort.Strings(r.Attached)
	return r, true, nil
}

// ExpiryScheduleGroup is the schedule group (and the name of the role)
// holding the expiry schedules of the privileged access named name.
func ExpiryScheduleGroup(name string) string { return "zerotrust-jit-" + name }

// ExpiryRoleARN is the ARN of the role the expiry schedules of the
// privileged access named name run as, in account.
func ExpiryRoleARN(account, name string) string {
	return "arn:aws:iam::" + account + ":role/zerotrust-jit/" + ExpiryScheduleGroup(name)
}

// ExpiryScheduleName is the schedule name the provider documents: "expire-",
// the account and 8 bytes of the SHA-256 of "GROUP/<group id>" in hex.
func ExpiryScheduleName(account, groupID string) string {
	sum := sha256.Sum256([]byte("GROUP/" + groupID))
	return "expire-" + account + "-" + hex.EncodeToString(sum[:8])
}

// ExpiryGrant is what the expiry of a just-in-time grant must look like.
type ExpiryGrant struct {
	// Name is the privileged access's name; Account and Region are where
	// its schedule group and role live.
	Name, Account, Region string
	// GroupID is the assigned group; Expression the schedules' at().
	GroupID, Expression string
	// Accounts are the assigned accounts: one schedule each.
	Accounts []string
}

// ExpectExpirySchedules reads the expiry schedules and role of the
// privileged access at address through the SDK and checks them field by
// field: one schedule per account, at the expression, the universal
// DeleteAccountAssignment target with exactly that assignment (the
// permission set in state) as input, run as a role that can do only that on
// exactly these resources.
func ExpectExpirySchedules(address string, want ExpiryGrant) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, s state) error {
		instance, arn, err := permissionSetInState(s, address)
		if err != nil {
			return err
		}
		cfg, err := awsConfig(ctx)
		if err != nil {
			return err
		}
		group, roleARN := ExpiryScheduleGroup(want.Name), ExpiryRoleARN(want.Account, want.Name)
		got, err := readSchedules(ctx, scheduler.NewFromConfig(cfg), group)
		if err != nil {
			return err
		}
		if len(got) != len(want.Accounts) {
			return fmt.Errorf("%d schedules %v, want one per account %v", len(got), got, want.Accounts)
		}
		for _, acct := range want.Accounts {
			name := ExpiryScheduleName(acct, want.GroupID)
			sch, ok := got[name]
			if !ok {
				return fmt.Errorf("no schedule %s for account %s in %v", name, acct, got)
			}
			w := Schedule{
				Name: name, Expression: want.Expression, Timezone: "UTC", FlexibleWindow: "OFF", ActionAfterCompletion: "DELETE", State: "ENABLED",
				TargetARN: "arn:aws:scheduler:::aws-sdk:ssoadmin:deleteAccountAssignment", RoleARN: roleARN,
				Input: map[string]string{
					"InstanceArn": instance, "PermissionSetArn": arn, "TargetId": acct, "TargetType": "AWS_ACCOUNT",
					"PrincipalType": "GROUP", "PrincipalId": want.GroupID,
				},
			}
			if !reflect.DeepEqual(sch, w) {
				return fmt.Errorf("schedule for %s:\n%+v\nwant\n%+v", acct, sch, w)
			}
		}
		return expectExpiryRole(ctx, iam.NewFromConfig(cfg), want, instance, arn)
	})
}

func expectExpiryRole(ctx context.Context, c *iam.Client, want ExpiryGrant, instance, arn string) error {
	group, roleARN := ExpiryScheduleGroup(want.Name), ExpiryRoleARN(want.Account, want.Name)
	role, ok, err := readRole(ctx, c, group)
	if err != nil || !ok {
		return fmt.Errorf("expiry role: exists %v, %v", ok, err)
	}
	if role.ARN != roleARN || role.Path != "/zerotrust-jit/" || len(role.Attached) != 0 ||
		role.Tags["managed-by"] != "terraform-provider-zerotrust" || role.Tags["zerotrust:privileged-access"] != want.Name || role.Tags["zerotrust:ownership"] == "" {
		return fmt.Errorf("expiry role %+v", role)
	}
	wantTrust := []PolicyStatement{{
		Effect: "Allow", Principal: map[string]string{"Service": "scheduler.amazonaws.com"}, Action: []string{"sts:AssumeRole"},
		Condition: map[string]map[string]string{"StringEquals": {
			"aws:SourceAccount": want.Account, "aws:SourceArn": "arn:aws:scheduler:" + want.Region + ":" + want.Account + ":schedule-group/" + group,
		}},
	}}
	if !reflect.DeepEqual(role.Trust, wantTrust) {
		return fmt.Errorf("trust policy %+v, want %+v", role.Trust, wantTrust)
	}
	resources := []string{instance, arn}
	for _, a := range want.Accounts {
		resources = append(resources, "arn:aws:sso:::account/"+a)
	}
	sort.Strings(resources)
	if len(role.Inline) != 1 || len(role.Inline["delete-expired-assignments"]) != 1 {
		return fmt.Errorf("inline policies %+v, want exactly delete-expired-assignments with one statement", role.Inline)
	}
	st := role.Inline["delete-expired-assignments"][0]
	gotResources := append([]string(nil), st.Resource...)
	sort.Strings(gotResources)
	if st.Effect != "Allow" || !reflect.DeepEqual(st.Action, []string{"sso:DeleteAccountAssignment"}) || st.Condition != nil || st.Principal != nil ||
		!reflect.DeepEqual(gotResources, resources) {
		return fmt.Errorf("role policy %+v, want only sso:DeleteAccountAssignment on exactly %v", st, resources)
	}
	return nil
}

// expiryGone checks that the schedule group and the role of the expiry of
// the privileged access named name are gone.
func expiryGone(ctx context.Context, name string) error {
	cfg, err := awsConfig(ctx)
	if err != nil {
		return err
	}
	group := ExpiryScheduleGroup(name)
	if exists, err := scheduleGroupExists(ctx, scheduler.NewFromConfig(cfg), group); err != nil || exists {
		return fmt.Errorf("schedule group %s: exists %v, %v", group, exists, err)
	}
	if _, exists, err := readRole(ctx, iam.NewFromConfig(cfg), group); err != nil || exists {
		return fmt.Errorf("expiry role %s: exists %v, %v", group, exists, err)
	}
	return nil
}

// ExpectExpiryGone checks that the expiry schedule group and role of the
// privileged access named name are gone.
func ExpectExpiryGone(name string) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, _ state) error { return expiryGone(ctx, name) })
}

// ExpectExpiryScheduleCount checks that the expiry schedule group of the
// privileged access named name holds exactly n schedules.
func ExpectExpiryScheduleCount(name string, n int) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, _ state) error {
		cfg, err := awsConfig(ctx)
		if err != nil {
			return err
		}
		schedules, err := readSchedules(ctx, scheduler.NewFromConfig(cfg), ExpiryScheduleGroup(name))
		if err != nil || len(schedules) != n {
			return fmt.Errorf("expiry schedules of %s: %v, %v; want %d", name, schedules, err, n)
		}
		return nil
	})
}

// CheckGrantGone is a CheckDestroy for a just-in-time grant: its permission
// set (*ref; empty skipped), schedule group and role are all gone.
func CheckGrantGone(t *testing.T, ref *PermissionSetRef, name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if err := CheckPermissionSetGone(t, ref)(s); err != nil {
			return err
		}
		return expiryGone(context.Background(), name)
	}
}

// The sandbox runs the schedules (package vafront): at its clock, which is
// real time unless a test advances it, it invokes each due expiry schedule
// as its role and records the outcome.

// AdvanceSandboxClock moves the sandbox's clock (not the provider's, nor
// Terraform's) forward by d, so schedules due by then fire within a second.
// The clock is global to the sandbox: only a serial test may move it, and
// the test's cleanup puts it back on real time.
func AdvanceSandboxClock(t *testing.T, d time.Duration) {
	t.Helper()
	ctl, err := sandboxControl()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ctl.ResetClock(context.Background()); err != nil {
			t.Errorf("putting the sandbox clock back: %v", err)
		}
	})
	if _, err := ctl.AdvanceClock(context.Background(), d); err != nil {
		t.Fatal(err)
	}
}

// ExpiryInvocations returns the sandbox scheduler's invocation attempts of
// the expiry schedules of the privileged access named name, oldest first.
func ExpiryInvocations(t *testing.T, name string) []vafront.Invocation {
	t.Helper()
	ctl, err := sandboxControl()
	if err != nil {
		t.Fatal(err)
	}
	all, err := ctl.Invocations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []vafront.Invocation
	for _, inv := range all {
		if inv.Group == ExpiryScheduleGroup(name) {
			out = append(out, inv)
		}
	}
	return out
}

// WaitExpiryFired waits up to within for the expiry of the privileged
// access named name to have run: no assignment of the permission set *ref
// left in accounts and no schedule left in its group, read through the SDK.
// No Terraform command runs meanwhile.
func WaitExpiryFired(t *testing.T, ref *PermissionSetRef, name string, within time.Duration, accounts ...string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ps, err := ReadPermissionSet(t, ref.Instance, ref.ARN, accounts...)
		if err != nil {
			t.Fatal(err)
		}
		schedules, err := ReadSchedules(t, ExpiryScheduleGroup(name))
		if err != nil {
			t.Fatal(err)
		}
		left := 0
		for _, a := range ps.Assignments {
			left += len(a)
		}
		if left == 0 && len(schedules) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s after the expiry: assignments %v, schedules %v; invocations %+v", within, ps.Assignments, schedules, ExpiryInvocations(t, name))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// NarrowExpiryRole replaces the expiry role's policy out of band with one
// that allows sso:DeleteAccountAssignment only on another permission set
// of the same instance, in accounts.
func NarrowExpiryRole(t *testing.T, name string, ref *PermissionSetRef, accounts ...string) {
	t.Helper()
	other := ref.ARN[:strings.LastIndexByte(ref.ARN, '/')+1] + "ps-0000000000000000"
	resources := []string{ref.Instance, other}
	for _, a := range accounts {
		resources = append(resources, "arn:aws:sso:::account/"+a)
	}
	doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []PolicyStatement{{
		Effect: "Allow", Action: []string{"sso:DeleteAccountAssignment"}, Resource: resources,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iamClient(t).PutRolePolicy(context.Background(), &iam.PutRolePolicyInput{
		RoleName: aws.String(ExpiryScheduleGroup(name)), PolicyName: aws.String("delete-expired-assignments"), PolicyDocument: aws.String(string(doc)),
	}); err != nil {
		t.Fatal(err)
	}
}
