package awsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
)

// The expiry of a just-in-time grant is enforced by AWS: a schedule group
// and an execution role per grant (both named identitycenter.ExpiryName)
// and one one-time schedule per assignment (see identitycenter.CompileExpiry).
// Schedules carry no tags in EventBridge Scheduler; their group and the role
// carry managed-by, zerotrust:privileged-access and the grant's ownership id,
// and are never taken over from another owner.

const (
	scheduleGroupKind = "schedule group"
	expiryRoleKind    = "IAM role"
	errNoSuchEntity   = "NoSuchEntity"
	errConflict       = "ConflictException"
	errValidation     = "ValidationException"
)

// ExpiryWait bounds the retries of a schedule whose new execution role IAM
// has not propagated yet, and of a group recreated while its previous
// incarnation is still being deleted.
var ExpiryWait = WaitOptions{Timeout: 90 * time.Second, MinDelay: 500 * time.Millisecond, MaxDelay: 10 * time.Second}

// AccountEnv is where the expiry objects live: the caller's account and
// partition (STS GetCallerIdentity) and the clients' region.
type AccountEnv struct {
	AccountID, Partition, Region string
}

// CallerAccount reads the account and partition of the credentials.
func CallerAccount(ctx context.Context, c *Clients) (AccountEnv, error) {
	out, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return AccountEnv{}, fmt.Errorf("reading the caller's account (STS GetCallerIdentity): %w", err)
	}
	partition := "aws"
	if parts := strings.SplitN(aws.ToString(out.Arn), ":", 3); len(parts) == 3 && parts[1] != "" {
		partition = parts[1]
	}
	return AccountEnv{AccountID: aws.ToString(out.Account), Partition: partition, Region: c.Region}, nil
}

// ExpiryGrant is the grant an expiry belongs to.
type ExpiryGrant struct {
	InstanceARN, PermissionSetARN string
	AccessName                    string
	// Ownership is the grant's ownership id ("" for a state without one).
	Ownership string
}

// ExpiryObjects are the ARNs the desired expiry has, given where it lives.
type ExpiryObjects struct {
	GroupARN, RoleARN string
}

// ExpiryObjectsOf returns the ARNs of a grant's expiry objects.
func ExpiryObjectsOf(env AccountEnv, name string) ExpiryObjects {
	return ExpiryObjects{
		GroupARN: identitycenter.ScheduleGroupARN(env.Partition, env.Region, env.AccountID, name),
		RoleARN:  identitycenter.ExpiryRoleARN(env.Partition, env.AccountID, name),
	}
}

// LiveExpiry is what exists of a grant's expiry.
type LiveExpiry struct {
	// RoleARN is the role's ARN, "" when it is missing or its policies are
	// not the ones the provider writes (so the next apply rewrites them).
	RoleARN string
	// GroupExists reports whether the schedule group exists.
	GroupExists bool
	// Schedules are the group's schedules that are exactly as the provider
	// writes them (one-time, UTC, no flexible window, deleted after
	// completion, this grant's input, role and target); others are left out,
	// so the plan shows them being written again. Sorted by assignment.
	Schedules []LiveSchedule
}

// LiveSchedule is one schedule of a grant's group.
type LiveSchedule struct {
	Name, ARN, Expression string
	Assignment            identitycenter.Assignment
}

// ReadExpiry reads a grant's expiry objects. accounts are those the role's
// policy is expected to name (the recorded schedules' accounts). Objects
// owned by another resource read as missing.
func ReadExpiry(ctx context.Context, c *Clients, env AccountEnv, g ExpiryGrant, name string, accounts []string) (LiveExpiry, error) {
	var live LiveExpiry
	role, err := findExpiryRole(ctx, c.IAM, name)
	if err != nil {
		return live, err
	}
	objs := ExpiryObjectsOf(env, name)
	if role != nil && checkExpiryOwner(expiryRoleKind, aws.ToString(role.Arn), iamTags(role.Tags), g.Ownership) == nil {
		ok, err := roleConforms(ctx, c.IAM, role, env, g, objs, accounts)
		if err != nil {
			return live, err
		}
		if ok {
			live.RoleARN = aws.ToString(role.Arn)
		}
	}
	tags, err := findScheduleGroup(ctx, c.Scheduler, name)
	if err != nil || tags == nil {
		return live, err
	}
	if owned := checkExpiryOwner(scheduleGroupKind, objs.GroupARN, tags, g.Ownership) == nil; !owned {
		return live, nil // another owner's group reads as absent; creating it reports the conflict
	}
	live.GroupExists = true
	all, err := listSchedules(ctx, c.Scheduler, name)
	if err != nil {
		return live, err
	}
	for _, s := range all {
		if ls, ok := conformingSchedule(s, env, g, objs.RoleARN); ok {
			live.Schedules = append(live.Schedules, ls)
		}
	}
	sortLiveSchedules(live.Schedules)
	return live, nil
}

// ApplyExpiry makes a grant's expiry objects what desired says: with
// schedules, the role (trust and inline policy), the group and exactly the
// desired schedules; without, nothing (schedules, group and role deleted).
func ApplyExpiry(ctx context.Context, c *Clients, env AccountEnv, g ExpiryGrant, desired identitycenter.Expiry) error {
	if len(desired.Schedules) == 0 {
		return DeleteExpiry(ctx, c, env, g, desired.Name)
	}
	objs := ExpiryObjectsOf(env, desired.Name)
	roleChanged, err := ensureExpiryRole(ctx, c.IAM, env, g, desired, objs)
	if err != nil {
		return err
	}
	if err := ensureScheduleGroup(ctx, c.Scheduler, g, desired.Name, objs.GroupARN); err != nil {
		return err
	}
	existing, err := listSchedules(ctx, c.Scheduler, desired.Name)
	if err != nil {
		return err
	}
	byName := map[string]*scheduler.GetScheduleOutput{}
	for _, s := range existing {
		byName[aws.ToString(s.Name)] = s
	}
	var created, updated, deleted int
	for _, s := range desired.Schedules {
		input, err := identitycenter.ExpiryInput(g.InstanceARN, g.PermissionSetARN, s.Assignment)
		if err != nil {
			return err
		}
		cur, exists := byName[s.Name]
		delete(byName, s.Name)
		if exists {
			if _, ok := conformingSchedule(cur, env, g, objs.RoleARN); ok && aws.ToString(cur.ScheduleExpression) == s.Expression {
				continue
			}
		}
		if err := putSchedule(ctx, c.Scheduler, env, g, desired.Name, s, input, objs.RoleARN, exists, roleChanged); err != nil {
			return err
		}
		if exists {
			updated++
		} else {
			created++
		}
	}
	for name := range byName {
		if err := deleteSchedule(ctx, c.Scheduler, desired.Name, name); err != nil {
			return err
		}
		deleted++
	}
	tflog.Info(ctx, "expiry schedules reconciled", map[string]any{"group": desired.Name, "created": created, "updated": updated, "deleted": deleted})
	return nil
}

// DeleteExpiry deletes a grant's schedules, group and role, each only when
// it exists and is the grant's own.
func DeleteExpiry(ctx context.Context, c *Clients, env AccountEnv, g ExpiryGrant, name string) error {
	objs := ExpiryObjectsOf(env, name)
	tags, err := findScheduleGroup(ctx, c.Scheduler, name)
	if err != nil {
		return err
	}
	if tags != nil {
		if err := checkExpiryOwner(scheduleGroupKind, objs.GroupARN, tags, g.Ownership); err != nil {
			return err
		}
		// Schedules first: deleting a group deletes its schedules only
		// eventually, and none may fire after the grant is gone.
		all, err := listSchedules(ctx, c.Scheduler, name)
		if err != nil {
			return err
		}
		for _, s := range all {
			if err := deleteSchedule(ctx, c.Scheduler, name, aws.ToString(s.Name)); err != nil {
				return err
			}
		}
		_, err = c.Scheduler.DeleteScheduleGroup(ctx, &scheduler.DeleteScheduleGroupInput{Name: aws.String(name)})
		if err != nil && !isResourceNotFound(err) {
			return fmt.Errorf("deleting schedule group %s: %w", name, err)
		}
	}
	role, err := findExpiryRole(ctx, c.IAM, name)
	if err != nil || role == nil {
		return err
	}
	if err := checkExpiryOwner(expiryRoleKind, aws.ToString(role.Arn), iamTags(role.Tags), g.Ownership); err != nil {
		return err
	}
	return deleteRole(ctx, c.IAM, name)
}

// checkExpiryOwner refuses an object that is not this provider's, or that
// another resource owns.
func checkExpiryOwner(kind, id string, tags map[string]string, ownership string) error {
	if tags[TagManagedBy] != ManagedByValue {
		return &OwnershipError{Kind: kind, Name: id, ID: id, Owner: tags[TagOwnership], Import: "(not importable: delete or rename it)"}
	}
	return CheckOwnership(kind, id, tags, ownership)
}

func expiryTags(g ExpiryGrant) map[string]string {
	t := map[string]string{TagManagedBy: ManagedByValue, TagPrivilegedAccess: g.AccessName}
	if g.Ownership != "" {
		t[TagOwnership] = g.Ownership
	}
	return t
}

// --- IAM role ---

func findExpiryRole(ctx context.Context, c *iam.Client, name string) (*iamtypes.Role, error) {
	out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if hasCode(err, errNoSuchEntity) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading IAM role %s: %w", name, err)
	}
	return out.Role, nil
}

func iamTags(ts []iamtypes.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// policyEqual compares a policy IAM returns (URL-encoded) with a canonical one.
func policyEqual(live, want string) bool {
	if dec, err := url.PathUnescape(live); err == nil && strings.HasPrefix(live, "%7B") {
		live = dec
	}
	return identitycenter.PolicyEqual(live, want)
}

func expiryPolicies(env AccountEnv, g ExpiryGrant, objs ExpiryObjects, accounts []string) (trust, inline string, err error) {
	trust, err = identitycenter.ExpiryTrustPolicy(env.AccountID, objs.GroupARN)
	if err == nil {
		inline, err = identitycenter.ExpiryRolePolicy(g.InstanceARN, g.PermissionSetARN, accounts)
	}
	return trust, inline, err
}

// roleConforms reports whether the role is on the expected path with
// exactly the expected trust policy and one inline policy as expected.
func roleConforms(ctx context.Context, c *iam.Client, role *iamtypes.Role, env AccountEnv, g ExpiryGrant, objs ExpiryObjects, accounts []string) (bool, error) {
	if len(accounts) == 0 || aws.ToString(role.Path) != identitycenter.ExpiryRolePath {
		return false, nil
	}
	trust, inline, err := expiryPolicies(env, g, objs, accounts)
	if err != nil {
		return false, err
	}
	if !policyEqual(aws.ToString(role.AssumeRolePolicyDocument), trust) {
		return false, nil
	}
	names, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: role.RoleName})
	if err != nil {
		return false, fmt.Errorf("listing the policies of IAM role %s: %w", aws.ToString(role.RoleName), err)
	}
	if len(names.PolicyNames) != 1 || names.PolicyNames[0] != identitycenter.ExpiryRolePolicyName {
		return false, nil
	}
	attached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: role.RoleName})
	if err != nil {
		return false, fmt.Errorf("listing the managed policies of IAM role %s: %w", aws.ToString(role.RoleName), err)
	}
	if len(attached.AttachedPolicies) > 0 {
		return false, nil
	}
	out, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: role.RoleName, PolicyName: aws.String(identitycenter.ExpiryRolePolicyName)})
	if err != nil {
		return false, fmt.Errorf("reading the policy of IAM role %s: %w", aws.ToString(role.RoleName), err)
	}
	return policyEqual(aws.ToString(out.PolicyDocument), inline), nil
}

// ensureExpiryRole creates the role or corrects its policies; it reports
// whether anything changed (IAM then needs time to propagate).
func ensureExpiryRole(ctx context.Context, c *iam.Client, env AccountEnv, g ExpiryGrant, desired identitycenter.Expiry, objs ExpiryObjects) (bool, error) {
	trust, inline, err := expiryPolicies(env, g, objs, desired.Accounts())
	if err != nil {
		return false, err
	}
	role, err := findExpiryRole(ctx, c, desired.Name)
	if err != nil {
		return false, err
	}
	changed := false
	if role == nil {
		var tags []iamtypes.Tag
		want := expiryTags(g)
		for _, k := range slices.Sorted(maps.Keys(want)) {
			tags = append(tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(want[k])})
		}
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName: aws.String(desired.Name), Path: aws.String(identitycenter.ExpiryRolePath), AssumeRolePolicyDocument: aws.String(trust),
			Description: aws.String("EventBridge Scheduler removes the account assignments of permission set " + g.PermissionSetARN + " at its expiry"),
			Tags:        tags,
		})
		if err != nil {
			return false, fmt.Errorf("creating IAM role %s: %w", desired.Name, err)
		}
		changed = true
	} else {
		if err := checkExpiryOwner(expiryRoleKind, aws.ToString(role.Arn), iamTags(role.Tags), g.Ownership); err != nil {
			return false, err
		}
		if aws.ToString(role.Path) != identitycenter.ExpiryRolePath {
			return false, fmt.Errorf("IAM role %s is on path %s, not %s; delete it so the provider can create it again", desired.Name, aws.ToString(role.Path), identitycenter.ExpiryRolePath)
		}
		if !policyEqual(aws.ToString(role.AssumeRolePolicyDocument), trust) {
			if _, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(desired.Name), PolicyDocument: aws.String(trust)}); err != nil {
				return false, fmt.Errorf("updating the trust policy of IAM role %s: %w", desired.Name, err)
			}
			changed = true
		}
		// Anything else attached out of band is removed: the role may do one thing.
		if err := removeOtherRolePolicies(ctx, c, desired.Name); err != nil {
			return false, err
		}
	}
	cur, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(desired.Name), PolicyName: aws.String(identitycenter.ExpiryRolePolicyName)})
	if err != nil && !hasCode(err, errNoSuchEntity) {
		return false, fmt.Errorf("reading the policy of IAM role %s: %w", desired.Name, err)
	}
	if err != nil || !policyEqual(aws.ToString(cur.PolicyDocument), inline) {
		if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(desired.Name), PolicyName: aws.String(identitycenter.ExpiryRolePolicyName), PolicyDocument: aws.String(inline)}); err != nil {
			return false, fmt.Errorf("writing the policy of IAM role %s: %w", desired.Name, err)
		}
		changed = true
	}
	return changed, nil
}

// removeOtherRolePolicies detaches managed policies and deletes inline
// policies other than the expiry policy.
func removeOtherRolePolicies(ctx context.Context, c *iam.Client, name string) error {
	return clearRolePolicies(ctx, c, name, identitycenter.ExpiryRolePolicyName)
}

func clearRolePolicies(ctx context.Context, c *iam.Client, name, keep string) error {
	attached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("listing the managed policies of IAM role %s: %w", name, err)
	}
	for _, p := range attached.AttachedPolicies {
		if _, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: p.PolicyArn}); err != nil && !hasCode(err, errNoSuchEntity) {
			return fmt.Errorf("detaching %s from IAM role %s: %w", aws.ToString(p.PolicyArn), name, err)
		}
	}
	inline, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("listing the policies of IAM role %s: %w", name, err)
	}
	for _, p := range inline.PolicyNames {
		if p == keep {
			continue
		}
		if _, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)}); err != nil && !hasCode(err, errNoSuchEntity) {
			return fmt.Errorf("deleting policy %s of IAM role %s: %w", p, name, err)
		}
	}
	return nil
}

func deleteRole(ctx context.Context, c *iam.Client, name string) error {
	if err := clearRolePolicies(ctx, c, name, ""); err != nil {
		return err
	}
	if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)}); err != nil && !hasCode(err, errNoSuchEntity) {
		return fmt.Errorf("deleting IAM role %s: %w", name, err)
	}
	return nil
}

// --- Scheduler ---

// findScheduleGroup returns the group's tags, nil when it does not exist.
func findScheduleGroup(ctx context.Context, c *scheduler.Client, name string) (map[string]string, error) {
	out, err := c.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String(name)})
	if isResourceNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading schedule group %s: %w", name, err)
	}
	if out.State == schedtypes.ScheduleGroupStateDeleting {
		return nil, nil
	}
	tags, err := c.ListTagsForResource(ctx, &scheduler.ListTagsForResourceInput{ResourceArn: out.Arn})
	if err != nil {
		return nil, fmt.Errorf("reading the tags of schedule group %s: %w", name, err)
	}
	m := map[string]string{}
	for _, t := range tags.Tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m, nil
}

func ensureScheduleGroup(ctx context.Context, c *scheduler.Client, g ExpiryGrant, name, arn string) error {
	tags, err := findScheduleGroup(ctx, c, name)
	if err != nil {
		return err
	}
	if tags != nil {
		return checkExpiryOwner(scheduleGroupKind, arn, tags, g.Ownership)
	}
	want := expiryTags(g)
	var ts []schedtypes.Tag
	for _, k := range slices.Sorted(maps.Keys(want)) {
		ts = append(ts, schedtypes.Tag{Key: aws.String(k), Value: aws.String(want[k])})
	}
	// A group of the same name still being deleted (the grant expired and
	// was extended) answers ConflictException until it is gone.
	return waitUntil(ctx, "schedule group "+name, ExpiryWait, func(ctx context.Context) (bool, error) {
		_, err := c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String(name), Tags: ts})
		if hasCode(err, errConflict) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("creating schedule group %s: %w", name, err)
		}
		return true, nil
	})
}

// listSchedules reads every schedule of the group in full (the list gives
// only summaries).
func listSchedules(ctx context.Context, c *scheduler.Client, group string) ([]*scheduler.GetScheduleOutput, error) {
	var out []*scheduler.GetScheduleOutput
	p := scheduler.NewListSchedulesPaginator(c, &scheduler.ListSchedulesInput{GroupName: aws.String(group)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if isResourceNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("listing the schedules of group %s: %w", group, err)
		}
		for _, s := range page.Schedules {
			if aws.ToString(s.GroupName) != "" && aws.ToString(s.GroupName) != group {
				continue
			}
			full, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{GroupName: aws.String(group), Name: s.Name})
			if isResourceNotFound(err) {
				continue // fired and deleted itself meanwhile
			}
			if err != nil {
				return nil, fmt.Errorf("reading schedule %s/%s: %w", group, aws.ToString(s.Name), err)
			}
			out = append(out, full)
		}
	}
	return out, nil
}

// conformingSchedule decodes a schedule the provider wrote; ok is false for
// one that differs in anything but its expression and assignment.
func conformingSchedule(s *scheduler.GetScheduleOutput, env AccountEnv, g ExpiryGrant, roleARN string) (LiveSchedule, bool) {
	t := s.Target
	if t == nil || aws.ToString(t.Arn) != identitycenter.ExpiryTargetARN(env.Partition) || aws.ToString(t.RoleArn) != roleARN ||
		s.FlexibleTimeWindow == nil || s.FlexibleTimeWindow.Mode != schedtypes.FlexibleTimeWindowModeOff ||
		aws.ToString(s.ScheduleExpressionTimezone) != identitycenter.ExpiryTimezone ||
		s.ActionAfterCompletion != schedtypes.ActionAfterCompletionDelete || s.State != schedtypes.ScheduleStateEnabled ||
		!strings.HasPrefix(aws.ToString(s.ScheduleExpression), "at(") {
		return LiveSchedule{}, false
	}
	dec := json.NewDecoder(strings.NewReader(aws.ToString(t.Input)))
	dec.DisallowUnknownFields()
	var in identitycenter.DeleteAssignmentInput
	if err := dec.Decode(&in); err != nil || dec.More() {
		return LiveSchedule{}, false
	}
	a := identitycenter.Assignment{AccountID: in.TargetId, PrincipalType: in.PrincipalType, PrincipalID: in.PrincipalId}
	if in.InstanceArn != g.InstanceARN || in.PermissionSetArn != g.PermissionSetARN || in.TargetType != identitycenter.TargetTypeAccount ||
		aws.ToString(s.Name) != identitycenter.ExpiryScheduleName(a) {
		return LiveSchedule{}, false
	}
	return LiveSchedule{Name: aws.ToString(s.Name), ARN: aws.ToString(s.Arn), Expression: aws.ToString(s.ScheduleExpression), Assignment: a}, true
}

func putSchedule(ctx context.Context, c *scheduler.Client, env AccountEnv, g ExpiryGrant, group string, s identitycenter.ExpirySchedule, input, roleARN string, exists, roleChanged bool) error {
	target := &schedtypes.Target{Arn: aws.String(identitycenter.ExpiryTargetARN(env.Partition)), RoleArn: aws.String(roleARN), Input: aws.String(input)}
	window := &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff}
	desc := aws.String("Removes an account assignment of permission set " + g.PermissionSetARN + " at its expiry")
	call := func(ctx context.Context) error {
		var err error
		if exists {
			_, err = c.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{
				Name: aws.String(s.Name), GroupName: aws.String(group), ScheduleExpression: aws.String(s.Expression),
				ScheduleExpressionTimezone: aws.String(identitycenter.ExpiryTimezone), FlexibleTimeWindow: window, Target: target,
				ActionAfterCompletion: schedtypes.ActionAfterCompletionDelete, State: schedtypes.ScheduleStateEnabled, Description: desc,
			})
		} else {
			_, err = c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{
				Name: aws.String(s.Name), GroupName: aws.String(group), ScheduleExpression: aws.String(s.Expression),
				ScheduleExpressionTimezone: aws.String(identitycenter.ExpiryTimezone), FlexibleTimeWindow: window, Target: target,
				ActionAfterCompletion: schedtypes.ActionAfterCompletionDelete, State: schedtypes.ScheduleStateEnabled, Description: desc,
			})
		}
		return err
	}
	err := call(ctx)
	if err != nil && roleChanged && hasCode(err, errValidation) && strings.Contains(strings.ToLower(err.Error()), "role") {
		// Scheduler checks that it can assume the role; a role IAM has
		// just created or changed may not be visible to it yet.
		err = waitUntil(ctx, "execution role "+roleARN+" to propagate", ExpiryWait, func(ctx context.Context) (bool, error) {
			err := call(ctx)
			if hasCode(err, errValidation) && strings.Contains(strings.ToLower(err.Error()), "role") {
				return false, nil
			}
			return err == nil, err
		})
	}
	if err != nil {
		return fmt.Errorf("writing schedule %s/%s: %w", group, s.Name, err)
	}
	return nil
}

func deleteSchedule(ctx context.Context, c *scheduler.Client, group, name string) error {
	_, err := c.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{GroupName: aws.String(group), Name: aws.String(name)})
	if err != nil && !isResourceNotFound(err) {
		return fmt.Errorf("deleting schedule %s/%s: %w", group, name, err)
	}
	return nil
}

func sortLiveSchedules(ss []LiveSchedule) {
	sort.Slice(ss, func(i, j int) bool {
		a, b := ss[i].Assignment, ss[j].Assignment
		if a.AccountID != b.AccountID {
			return a.AccountID < b.AccountID
		}
		if a.PrincipalType != b.PrincipalType {
			return a.PrincipalType < b.PrincipalType
		}
		return a.PrincipalID < b.PrincipalID
	})
}
