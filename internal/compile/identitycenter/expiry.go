package identitycenter

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/collections"
)

// Expiry enforcement: a grant with an expiry is removed by AWS itself, not
// only by the next plan. For every assignment EventBridge Scheduler holds a
// one-time schedule at the expiry whose universal target calls SSO Admin's
// DeleteAccountAssignment (a universal target calls one API action with one
// input, so one assignment takes one schedule). The schedules of a grant live
// in a schedule group of their own and run as an execution role of their own,
// both named after the permission set, so they are found again from state
// and the role's policy can name exactly the grant's instance, permission set
// and accounts.

const (
	// ExpiryRolePath is the IAM path of every expiry role, so the provider's
	// own iam:PassRole can be limited to arn:aws:iam::<account>:role/zerotrust-jit/*.
	ExpiryRolePath = "/zerotrust-jit/"
	// ExpiryRolePolicyName is the role's only inline policy.
	ExpiryRolePolicyName = "delete-expired-assignments"
	// ExpiryTimezone is the time zone of every at() expression.
	ExpiryTimezone = "UTC"
	// ExpiryAction is the one IAM action an expiry role is allowed.
	ExpiryAction = "sso:DeleteAccountAssignment"
	// TargetTypeAccount is SSO Admin's only assignment target type.
	TargetTypeAccount = "AWS_ACCOUNT"

	expiryNamePrefix  = "zerotrust-jit-"
	maxExpiryNameLen  = 64 // schedule group and IAM role names
	schedulePrincipal = "scheduler.amazonaws.com"
	policyVersion     = "2012-10-17"
)

// AccountEnv is where a grant's expiry objects live: the account and
// partition of the provider's credentials and the region of its clients.
// The provider reads it (STS GetCallerIdentity, once per provider instance)
// and passes it in: the compiler does no I/O.
type AccountEnv struct {
	AccountID, Partition, Region string
}

func (env AccountEnv) check() error {
	if env.AccountID == "" || env.Partition == "" || env.Region == "" {
		return fmt.Errorf("the expiry needs the account, partition and region it lives in, got %+v", env)
	}
	return nil
}

// ExpiryGrant is what one grant's expiry is compiled from.
type ExpiryGrant struct {
	// PermissionSetName names the schedule group and the role (ExpiryName).
	PermissionSetName string
	// InstanceARN and PermissionSetARN are what the schedules remove
	// assignments from. Either is "" while it is not known (a plan before
	// the permission set exists): the role's permissions policy and the
	// schedules' inputs, which name them, are then left "" — everything
	// else is complete.
	InstanceARN, PermissionSetARN string
	// ExpiresAt is when access ends; zero means no expiry.
	ExpiresAt time.Time
	// Assignments are the grant's (planned) assignments.
	Assignments []Assignment
}

// Scheduled reports whether the grant's expiry schedules anything: it has
// an expiry and at least one assignment. Without, its expiry objects are to
// be removed.
func (g ExpiryGrant) Scheduled() bool {
	return !g.ExpiresAt.IsZero() && len(g.Assignments) > 0
}

// Expiry is the complete desired state of what enforces one grant's expiry:
// the schedule group and the execution role (both named Name), and one
// schedule per assignment, sorted like the assignments. A grant without
// expiry, already expired or without assignments has no schedules (and its
// role no permissions policy): its group and role are to be removed.
type Expiry struct {
	// Name is the schedule group's and the role's name (ExpiryName).
	Name string
	// GroupARN is the schedule group's ARN.
	GroupARN string
	// Role is the execution role every schedule runs as.
	Role ExpiryRole
	// Target is what every schedule calls.
	Target ExpiryTarget
	// Schedules are the one-time schedules, one per assignment.
	Schedules []ExpirySchedule
}

// ExpiryRole is a grant's expiry execution role: on ExpiryRolePath, with
// exactly TrustPolicy, one inline policy PolicyName = Policy, and nothing
// attached.
type ExpiryRole struct {
	ARN, Path, Description string
	// TrustPolicy is the canonical JSON of ExpiryTrustPolicy.
	TrustPolicy string
	// PolicyName and Policy are the role's only inline policy, the
	// canonical JSON of ExpiryRolePolicy for the schedules' accounts; Policy
	// is "" when nothing is scheduled or the ARNs it names are not known.
	PolicyName, Policy string
}

// ExpiryTarget is the universal target of every schedule of a grant and
// what the schedules' inputs name.
type ExpiryTarget struct {
	// ARN is ExpiryTargetARN of the account's partition.
	ARN string
	// InstanceARN and PermissionSetARN are what every input names.
	InstanceARN, PermissionSetARN string
	// Timezone is the time zone of every expression (ExpiryTimezone).
	Timezone string
	// Description is every schedule's description.
	Description string
}

// ExpirySchedule is the one-time schedule that removes one assignment.
type ExpirySchedule struct {
	Name       string
	ARN        string
	Expression string // at(yyyy-mm-ddThh:mm:ss), UTC; "" in a recorded expiry
	// Input is the JSON of the DeleteAccountAssignment request it sends
	// (ExpiryInput), "" while the ARNs it names are not known.
	Input      string
	Assignment Assignment
}

// CompileExpiry returns the complete expiry of grant g in env: one schedule
// per assignment at g.ExpiresAt, the role's trust and permissions policies,
// every name, ARN and input. It needs a complete env.
func CompileExpiry(env AccountEnv, g ExpiryGrant) (Expiry, error) {
	var as []Assignment
	expression := ""
	if g.Scheduled() {
		as = g.Assignments
		expression = AtExpression(g.ExpiresAt)
	}
	return compileExpiry(env, g, as, expression)
}

// CompileRecordedExpiry returns the expiry as the provider writes it for
// the recorded schedules of assignments (their expressions are not known
// here and are left ""): what the live objects are compared with on read.
// g.ExpiresAt and g.Assignments are not used.
func CompileRecordedExpiry(env AccountEnv, g ExpiryGrant, recorded []Assignment) (Expiry, error) {
	return compileExpiry(env, g, recorded, "")
}

func compileExpiry(env AccountEnv, g ExpiryGrant, assignments []Assignment, expression string) (Expiry, error) {
	if err := env.check(); err != nil {
		return Expiry{}, err
	}
	name := ExpiryName(g.PermissionSetName)
	groupARN := ScheduleGroupARN(env.Partition, env.Region, env.AccountID, name)
	e := Expiry{
		Name:     name,
		GroupARN: groupARN,
		Role: ExpiryRole{
			ARN: ExpiryRoleARN(env.Partition, env.AccountID, name), Path: ExpiryRolePath, PolicyName: ExpiryRolePolicyName,
			Description: "EventBridge Scheduler removes the account assignments of permission set " + g.PermissionSetARN + " at its expiry",
		},
		Target: ExpiryTarget{
			ARN: ExpiryTargetARN(env.Partition), InstanceARN: g.InstanceARN, PermissionSetARN: g.PermissionSetARN, Timezone: ExpiryTimezone,
			Description: "Removes an account assignment of permission set " + g.PermissionSetARN + " at its expiry",
		},
	}
	trust, err := ExpiryTrustPolicy(env.AccountID, groupARN)
	if err != nil {
		return Expiry{}, err
	}
	e.Role.TrustPolicy = trust
	known := g.InstanceARN != "" && g.PermissionSetARN != ""
	as := append([]Assignment(nil), assignments...)
	sortAssignments(as)
	for _, a := range as {
		s := ExpirySchedule{Name: ExpiryScheduleName(a), Expression: expression, Assignment: a}
		s.ARN = ScheduleARN(env.Partition, env.Region, env.AccountID, name, s.Name)
		if known {
			if s.Input, err = ExpiryInput(g.InstanceARN, g.PermissionSetARN, a); err != nil {
				return Expiry{}, err
			}
		}
		e.Schedules = append(e.Schedules, s)
	}
	if known && len(e.Schedules) > 0 {
		if e.Role.Policy, err = ExpiryRolePolicy(g.InstanceARN, g.PermissionSetARN, e.Accounts()); err != nil {
			return Expiry{}, err
		}
	}
	return e, nil
}

// Complete reports whether every value of the expiry is known: what a
// reconciler may write.
func (e Expiry) Complete() bool {
	if e.Name == "" || e.GroupARN == "" || e.Role.ARN == "" || e.Role.TrustPolicy == "" || e.Target.ARN == "" {
		return false
	}
	if len(e.Schedules) == 0 {
		return true
	}
	if e.Role.Policy == "" {
		return false
	}
	for _, s := range e.Schedules {
		if s.Input == "" || s.ARN == "" || s.Expression == "" {
			return false
		}
	}
	return true
}

// ExpiryName is the schedule group and role name of a permission set:
// "zerotrust-jit-" and the permission-set name, whose characters outside the
// schedule-group pattern [0-9a-zA-Z-_.] (+ = , @) become "-" with 8 hex
// digits of the name's SHA-256 appended so that two names that sanitize
// alike stay apart. It fits both limits (64 characters; IAM role names allow
// a superset of the pattern).
func ExpiryName(permissionSetName string) string {
	var b strings.Builder
	replaced := false
	for _, r := range permissionSetName {
		if r < 0x80 && (r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
			continue
		}
		b.WriteByte('-')
		replaced = true
	}
	name := b.String()
	if replaced {
		name += "-" + shortHash(permissionSetName, 4)
	}
	if len(expiryNamePrefix)+len(name) > maxExpiryNameLen { // only for names longer than a permission set's 32
		name = name[:maxExpiryNameLen-len(expiryNamePrefix)-9] + "-" + shortHash(permissionSetName, 4)
	}
	return expiryNamePrefix + name
}

// ExpiryScheduleName names an assignment's schedule within the grant's group:
// the account id and a hash of the principal (its id is up to 47 characters,
// too long for the 64 of a schedule name together with the account).
func ExpiryScheduleName(a Assignment) string {
	return "expire-" + a.AccountID + "-" + shortHash(a.PrincipalType+"/"+a.PrincipalID, 8)
}

func shortHash(s string, bytes int) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:bytes])
}

// AtExpression is the one-time schedule expression for t in UTC. Scheduler
// takes whole seconds; a fractional t is rounded up, so access never ends
// before the configured time.
func AtExpression(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond() != 0 {
		t = t.Truncate(time.Second).Add(time.Second)
	}
	return "at(" + t.Format("2006-01-02T15:04:05") + ")"
}

// ExpiryTargetARN is the universal target that calls SSO Admin's
// DeleteAccountAssignment ("ssoadmin" is the SDK service identifier
// Scheduler expects, not the "sso" IAM prefix).
func ExpiryTargetARN(partition string) string {
	return "arn:" + partition + ":scheduler:::aws-sdk:ssoadmin:deleteAccountAssignment"
}

// DeleteAssignmentInput is the DeleteAccountAssignment request a schedule
// sends, as the API names its members.
type DeleteAssignmentInput struct {
	InstanceArn      string `json:"InstanceArn"`
	TargetId         string `json:"TargetId"`
	TargetType       string `json:"TargetType"`
	PermissionSetArn string `json:"PermissionSetArn"`
	PrincipalType    string `json:"PrincipalType"`
	PrincipalId      string `json:"PrincipalId"`
}

// ExpiryInput is the schedule's Input: the JSON of DeleteAssignmentInput.
func ExpiryInput(instanceARN, permissionSetARN string, a Assignment) (string, error) {
	b, err := json.Marshal(DeleteAssignmentInput{
		InstanceArn: instanceARN, TargetId: a.AccountID, TargetType: TargetTypeAccount,
		PermissionSetArn: permissionSetARN, PrincipalType: a.PrincipalType, PrincipalId: a.PrincipalID,
	})
	return string(b), err
}

// PolicyDocument and PolicyStatement are the IAM policy grammar the expiry
// role needs, encoded with encoding/json (never by concatenation).
type PolicyDocument struct {
	Version   string            `json:"Version"`
	Statement []PolicyStatement `json:"Statement"`
}

// PolicyStatement is one statement of a PolicyDocument.
type PolicyStatement struct {
	Sid       string                       `json:"Sid,omitempty"`
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal,omitempty"`
	Action    []string                     `json:"Action"`
	Resource  []string                     `json:"Resource,omitempty"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// ExpiryRolePolicy allows sso:DeleteAccountAssignment and nothing else, on
// exactly the grant's instance, permission set and accounts: the action's
// three required resource types (instance, permissionSet, account), each
// named by its full ARN, so the role can remove no other assignment.
func ExpiryRolePolicy(instanceARN, permissionSetARN string, accountIDs []string) (string, error) {
	partition, err := arnPartition(instanceARN)
	if err != nil {
		return "", err
	}
	accounts := collections.SortedUnique(accountIDs)
	if len(accounts) == 0 {
		return "", errors.New("an expiry role needs at least one account")
	}
	resources := []string{instanceARN, permissionSetARN}
	for _, a := range accounts {
		resources = append(resources, "arn:"+partition+":sso:::account/"+a)
	}
	return encodePolicy(PolicyDocument{Version: policyVersion, Statement: []PolicyStatement{{
		Sid: "DeleteThisGrantsAssignments", Effect: "Allow", Action: []string{ExpiryAction}, Resource: resources,
	}}})
}

// ExpiryTrustPolicy lets only EventBridge Scheduler assume the role, and only
// for schedules of this account in the grant's schedule group (the
// confused-deputy conditions Scheduler documents).
func ExpiryTrustPolicy(accountID, scheduleGroupARN string) (string, error) {
	return encodePolicy(PolicyDocument{Version: policyVersion, Statement: []PolicyStatement{{
		Effect: "Allow", Principal: map[string]string{"Service": schedulePrincipal}, Action: []string{"sts:AssumeRole"},
		Condition: map[string]map[string]string{"StringEquals": {"aws:SourceAccount": accountID, "aws:SourceArn": scheduleGroupARN}},
	}}})
}

// ScheduleGroupARN is the ARN of a schedule group.
func ScheduleGroupARN(partition, region, accountID, group string) string {
	return "arn:" + partition + ":scheduler:" + region + ":" + accountID + ":schedule-group/" + group
}

// ScheduleARN is the ARN of a schedule in a group.
func ScheduleARN(partition, region, accountID, group, name string) string {
	return "arn:" + partition + ":scheduler:" + region + ":" + accountID + ":schedule/" + group + "/" + name
}

// ExpiryRoleARN is the ARN of a grant's expiry role.
func ExpiryRoleARN(partition, accountID, name string) string {
	return "arn:" + partition + ":iam::" + accountID + ":role" + ExpiryRolePath + name
}

func encodePolicy(d PolicyDocument) (string, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("encoding the expiry policy: %w", err)
	}
	return CanonicalPolicy(string(b))
}

// arnPartition returns the partition of an ARN ("aws", "aws-cn", …).
func arnPartition(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) < 3 || parts[0] != "arn" || parts[1] == "" {
		return "", fmt.Errorf("%q is not an ARN", arn)
	}
	return parts[1], nil
}

// Accounts are the distinct accounts of the expiry's schedules, sorted.
func (e Expiry) Accounts() []string {
	var out []string
	for _, s := range e.Schedules {
		out = append(out, s.Assignment.AccountID)
	}
	return collections.SortedUnique(out)
}
