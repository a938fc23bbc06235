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
// and an execution role per grant and one one-time schedule per assignment,
// exactly as identitycenter.CompileExpiry compiled them (names, ARNs,
// policies, inputs): this file only reads, compares and writes them.
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
// partition (STS GetCallerIdentity) and the clients' region. It is the
// compiler's type, which CallerAccount reads for it.
type AccountEnv = identitycenter.AccountEnv

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

// ExpiryOwner is the grant an expiry belongs to, as its group and role are
// tagged and their ownership checked.
type ExpiryOwner struct {
	// AccessName is the privileged access's name (zerotrust:privileged-access).
	AccessName string
	// Ownership is the grant's ownership id ("" for a state without one).
	Ownership string
	// Adopting is the ownership id of an interrupted create of this grant
	// whose permission set this create adopted: the expiry role and
	// schedule group that create made are claimed, not refused.
	Adopting string
}

// adopts reports whether tags are those of an object the interrupted
// create o adopts made.
func (o ExpiryOwner) adopts(tags map[string]string) bool {
	return o.Adopting != "" && o.Adopting != o.Ownership && tags[TagManagedBy] == ManagedByValue && tags[TagOwnership] == o.Adopting
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

// ReadExpiry reads a grant's expiry objects and compares them with
// expected, the expiry as recorded (identitycenter.CompileRecordedExpiry):
// the role conforms when it is exactly expected.Role (with a permissions
// policy, so for at least one recorded schedule), a schedule when it is as
// the provider writes it for whatever assignment its input names. Objects
// owned by another resource read as missing.
func ReadExpiry(ctx context.Context, c *Clients, o ExpiryOwner, expected identitycenter.Expiry) (LiveExpiry, error) {
	var live LiveExpiry
	name := expected.Name
	role, err := findExpiryRole(ctx, c.IAM, name)
	if err != nil {
		return live, err
	}
	if role != nil && checkExpiryOwner(expiryRoleKind, aws.ToString(role.Arn), iamTags(role.Tags), o.Ownership) == nil {
		ok, err := roleConforms(ctx, c.IAM, role, expected.Role)
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
	if owned := checkExpiryOwner(scheduleGroupKind, expected.GroupARN, tags, o.Ownership) == nil; !owned {
		return live, nil // another owner's group reads as absent; creating it reports the conflict
	}
	live.GroupExists = true
	all, err := listSchedules(ctx, c.Scheduler, name)
	if err != nil {
		return live, err
	}
	for _, s := range all {
		if ls, ok := conformingSchedule(s, expected); ok {
			live.Schedules = append(live.Schedules, ls)
		}
	}
	sortLiveSchedules(live.Schedules)
	return live, nil
}

// ApplyExpiry makes a grant's expiry objects what desired says: with
// schedules, the role (trust and inline policy), the group and exactly the
// desired schedules; without, nothing (schedules, group and role deleted).
func ApplyExpiry(ctx context.Context, c *Clients, o ExpiryOwner, desired identitycenter.Expiry) error {
	if !desired.Complete() {
		return fmt.Errorf("the expiry %s was compiled with values still unknown; it cannot be written", desired.Name)
	}
	if len(desired.Schedules) == 0 {
		return DeleteExpiry(ctx, c, o, desired)
	}
	roleChanged, err := ensureExpiryRole(ctx, c.IAM, o, desired)
	if err != nil {
		return err
	}
	if err := ensureScheduleGroup(ctx, c.Scheduler, o, desired.Name, desired.GroupARN); err != nil {
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
		cur, exists := byName[s.Name]
		delete(byName, s.Name)
		if exists {
			if ls, ok := conformingSchedule(cur, desired); ok && ls.Assignment == s.Assignment && ls.Expression == s.Expression {
				continue
			}
		}
		if err := putSchedule(ctx, c.Scheduler, desired, s, exists, roleChanged); err != nil {
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

// DeleteExpiry deletes a grant's schedules, group and role (those of e,
// whatever it schedules), each only when it exists and is the grant's own.
func DeleteExpiry(ctx context.Context, c *Clients, o ExpiryOwner, e identitycenter.Expiry) error {
	name := e.Name
	tags, err := findScheduleGroup(ctx, c.Scheduler, name)
	if err != nil {
		return err
	}
	if tags != nil {
		if err := checkExpiryOwner(scheduleGroupKind, e.GroupARN, tags, o.Ownership); err != nil {
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
	if err := checkExpiryOwner(expiryRoleKind, aws.ToString(role.Arn), iamTags(role.Tags), o.Ownership); err != nil {
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

func expiryTags(o ExpiryOwner) map[string]string {
	t := map[string]string{TagManagedBy: ManagedByValue, TagPrivilegedAccess: o.AccessName}
	if o.Ownership != "" {
		t[TagOwnership] = o.Ownership
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
	role, err := singleResult(expiryRoleKind, name, one(out.Role), func(r *iamtypes.Role) string { return aws.ToString(r.RoleName) })
	if IsNotFound(err) {
		return nil, nil // missing, as the caller expects it
	}
	return role, err
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

// roleConforms reports whether the role is exactly want: on its path, with
// its trust policy and its one inline policy (none expected: not conforming).
func roleConforms(ctx context.Context, c *iam.Client, role *iamtypes.Role, want identitycenter.ExpiryRole) (bool, error) {
	if want.Policy == "" || aws.ToString(role.Path) != want.Path {
		return false, nil
	}
	if !policyEqual(aws.ToString(role.AssumeRolePolicyDocument), want.TrustPolicy) {
		return false, nil
	}
	names, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: role.RoleName})
	if err != nil {
		return false, fmt.Errorf("listing the policies of IAM role %s: %w", aws.ToString(role.RoleName), err)
	}
	if len(names.PolicyNames) != 1 || names.PolicyNames[0] != want.PolicyName {
		return false, nil
	}
	attached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: role.RoleName})
	if err != nil {
		return false, fmt.Errorf("listing the managed policies of IAM role %s: %w", aws.ToString(role.RoleName), err)
	}
	if len(attached.AttachedPolicies) > 0 {
		return false, nil
	}
	out, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: role.RoleName, PolicyName: aws.String(want.PolicyName)})
	if err != nil {
		return false, fmt.Errorf("reading the policy of IAM role %s: %w", aws.ToString(role.RoleName), err)
	}
	return policyEqual(aws.ToString(out.PolicyDocument), want.Policy), nil
}

// ensureExpiryRole creates the role or corrects its policies; it reports
// whether anything changed (IAM then needs time to propagate).
func ensureExpiryRole(ctx context.Context, c *iam.Client, o ExpiryOwner, desired identitycenter.Expiry) (bool, error) {
	want := desired.Role
	role, err := findExpiryRole(ctx, c, desired.Name)
	if err != nil {
		return false, err
	}
	changed := false
	if role == nil {
		var tags []iamtypes.Tag
		want := expiryTags(o)
		for _, k := range slices.Sorted(maps.Keys(want)) {
			tags = append(tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(want[k])})
		}
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName: aws.String(desired.Name), Path: aws.String(desired.Role.Path), AssumeRolePolicyDocument: aws.String(desired.Role.TrustPolicy),
			Description: aws.String(desired.Role.Description),
			Tags:        tags,
		})
		if err != nil {
			return false, fmt.Errorf("creating IAM role %s: %w", desired.Name, err)
		}
		changed = true
	} else {
		tags := iamTags(role.Tags)
		if o.adopts(tags) {
			if _, err := c.TagRole(ctx, &iam.TagRoleInput{RoleName: role.RoleName, Tags: []iamtypes.Tag{{Key: aws.String(TagOwnership), Value: aws.String(o.Ownership)}}}); err != nil {
				return false, fmt.Errorf("adopting IAM role %s: %w", desired.Name, err)
			}
			tags[TagOwnership] = o.Ownership
		}
		if err := checkExpiryOwner(expiryRoleKind, aws.ToString(role.Arn), tags, o.Ownership); err != nil {
			return false, err
		}
		if aws.ToString(role.Path) != want.Path {
			return false, fmt.Errorf("IAM role %s is on path %s, not %s; delete it so the provider can create it again", desired.Name, aws.ToString(role.Path), want.Path)
		}
		if !policyEqual(aws.ToString(role.AssumeRolePolicyDocument), want.TrustPolicy) {
			if _, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(desired.Name), PolicyDocument: aws.String(want.TrustPolicy)}); err != nil {
				return false, fmt.Errorf("updating the trust policy of IAM role %s: %w", desired.Name, err)
			}
			changed = true
		}
		// Anything else attached out of band is removed: the role may do one thing.
		if err := clearRolePolicies(ctx, c, desired.Name, want.PolicyName); err != nil {
			return false, err
		}
	}
	cur, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(desired.Name), PolicyName: aws.String(want.PolicyName)})
	if err != nil && !hasCode(err, errNoSuchEntity) {
		return false, fmt.Errorf("reading the policy of IAM role %s: %w", desired.Name, err)
	}
	if err != nil || !policyEqual(aws.ToString(cur.PolicyDocument), want.Policy) {
		if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(desired.Name), PolicyName: aws.String(want.PolicyName), PolicyDocument: aws.String(want.Policy)}); err != nil {
			return false, fmt.Errorf("writing the policy of IAM role %s: %w", desired.Name, err)
		}
		changed = true
	}
	return changed, nil
}

// clearRolePolicies detaches the role's managed policies and deletes its
// inline policies other than keep.
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
	if out, err = singleResult(scheduleGroupKind, name, one(out), func(g *scheduler.GetScheduleGroupOutput) string { return aws.ToString(g.Name) }); err != nil {
		if IsNotFound(err) {
			return nil, nil
		}
		return nil, err
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

func ensureScheduleGroup(ctx context.Context, c *scheduler.Client, o ExpiryOwner, name, arn string) error {
	tags, err := findScheduleGroup(ctx, c, name)
	if err != nil {
		return err
	}
	if tags != nil && o.adopts(tags) {
		if _, err := c.TagResource(ctx, &scheduler.TagResourceInput{ResourceArn: aws.String(arn), Tags: []schedtypes.Tag{{Key: aws.String(TagOwnership), Value: aws.String(o.Ownership)}}}); err != nil {
			return fmt.Errorf("adopting schedule group %s: %w", name, err)
		}
		tags[TagOwnership] = o.Ownership
	}
	if tags != nil {
		return checkExpiryOwner(scheduleGroupKind, arn, tags, o.Ownership)
	}
	want := expiryTags(o)
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

// conformingSchedule decodes a schedule the provider wrote for e's grant;
// ok is false for one that differs from e's schedule of the assignment its
// input names in anything but its expression.
func conformingSchedule(s *scheduler.GetScheduleOutput, e identitycenter.Expiry) (LiveSchedule, bool) {
	t := s.Target
	if t == nil || aws.ToString(t.Arn) != e.Target.ARN || aws.ToString(t.RoleArn) != e.Role.ARN ||
		s.FlexibleTimeWindow == nil || s.FlexibleTimeWindow.Mode != schedtypes.FlexibleTimeWindowModeOff ||
		aws.ToString(s.ScheduleExpressionTimezone) != e.Target.Timezone ||
		s.ActionAfterCompletion != schedtypes.ActionAfterCompletionDelete || s.State != schedtypes.ScheduleStateEnabled ||
		!strings.HasPrefix(aws.ToString(s.ScheduleExpression), "at(") {
		return LiveSchedule{}, false
	}
	in, ok := decodeScheduleInput(aws.ToString(t.Input))
	if !ok {
		return LiveSchedule{}, false
	}
	a := identitycenter.Assignment{AccountID: in.TargetId, PrincipalType: in.PrincipalType, PrincipalID: in.PrincipalId}
	if in.InstanceArn != e.Target.InstanceARN || in.PermissionSetArn != e.Target.PermissionSetARN || in.TargetType != identitycenter.TargetTypeAccount ||
		aws.ToString(s.Name) != identitycenter.ExpiryScheduleName(a) {
		return LiveSchedule{}, false
	}
	return LiveSchedule{Name: aws.ToString(s.Name), ARN: aws.ToString(s.Arn), Expression: aws.ToString(s.ScheduleExpression), Assignment: a}, true
}

// decodeScheduleInput reads a schedule's input strictly: exactly the
// members of a DeleteAccountAssignment request, one JSON value.
func decodeScheduleInput(input string) (identitycenter.DeleteAssignmentInput, bool) {
	dec := json.NewDecoder(strings.NewReader(input))
	dec.DisallowUnknownFields()
	var in identitycenter.DeleteAssignmentInput
	if err := dec.Decode(&in); err != nil || dec.More() {
		return identitycenter.DeleteAssignmentInput{}, false
	}
	return in, true
}

func putSchedule(ctx context.Context, c *scheduler.Client, e identitycenter.Expiry, s identitycenter.ExpirySchedule, exists, roleChanged bool) error {
	group, roleARN := e.Name, e.Role.ARN
	target := &schedtypes.Target{Arn: aws.String(e.Target.ARN), RoleArn: aws.String(roleARN), Input: aws.String(s.Input)}
	window := &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff}
	desc := aws.String(e.Target.Description)
	call := func(ctx context.Context) error {
		var err error
		if exists {
			_, err = c.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{
				Name: aws.String(s.Name), GroupName: aws.String(group), ScheduleExpression: aws.String(s.Expression),
				ScheduleExpressionTimezone: aws.String(e.Target.Timezone), FlexibleTimeWindow: window, Target: target,
				ActionAfterCompletion: schedtypes.ActionAfterCompletionDelete, State: schedtypes.ScheduleStateEnabled, Description: desc,
			})
		} else {
			_, err = c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{
				Name: aws.String(s.Name), GroupName: aws.String(group), ScheduleExpression: aws.String(s.Expression),
				ScheduleExpressionTimezone: aws.String(e.Target.Timezone), FlexibleTimeWindow: window, Target: target,
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
