package model

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// PrivilegedAccess is a least-privilege, optionally time-boxed grant of AWS
// permissions to an IAM Identity Center group in some accounts. It compiles
// into a permission set (policies, boundary, session duration) and one
// account assignment per account.
type PrivilegedAccess struct {
	// Name identifies the access; the permission-set name is derived from it.
	Name string
	// Group is the Identity Center (identity store) group id that receives the access.
	Group string
	// Accounts are the 12-digit AWS account ids the group is assigned in.
	Accounts []string
	// ManagedPolicies are AWS-managed policy ARNs (arn:aws:iam::aws:policy/...).
	ManagedPolicies []string
	// CustomerManagedPolicies reference policies that must exist, by name and
	// path, in every assigned account.
	CustomerManagedPolicies []PolicyReference
	// InlinePolicy is an IAM identity-policy JSON document, "" for none.
	InlinePolicy string
	// PermissionsBoundary caps what the policies can grant; nil for none.
	PermissionsBoundary *PermissionsBoundary
	// SessionDuration is an ISO-8601 duration between PT1H and PT12H; "" means
	// the AWS default, PT1H.
	SessionDuration string
	// ExpiresAt, when not zero, ends the access: at and after this instant the
	// access compiles to no account assignments.
	ExpiresAt time.Time
	// Acknowledgement is the reason over-privilege lint errors are accepted;
	// when set they are reported as warnings instead.
	Acknowledgement string
	// Description is shown in Identity Center (at most 700 characters, Latin-1).
	Description string
}

// PolicyReference names a customer-managed IAM policy. Path "" means "/".
type PolicyReference struct {
	Name string
	Path string
}

// PermissionsBoundary is exactly one of an AWS-managed policy ARN or a
// customer-managed policy reference.
type PermissionsBoundary struct {
	ManagedPolicyARN      string
	CustomerManagedPolicy *PolicyReference
}

// Limits from the IAM Identity Center API reference and quotas.
const (
	// MaxDescriptionLength is the permission-set description limit, in characters.
	MaxDescriptionLength = 700
	// MaxAccessNameLength bounds PrivilegedAccess.Name (the permission-set name
	// itself is derived and at most 32 characters).
	MaxAccessNameLength = 128
	// MaxManagedPoliciesPerPermissionSet is the hard limit of AWS-managed plus
	// customer-managed policies on one permission set.
	MaxManagedPoliciesPerPermissionSet = 20
	// DefaultManagedPoliciesPerRole is IAM's default (adjustable, per account)
	// quota of managed policies on a role; Identity Center's roles are bound by it.
	DefaultManagedPoliciesPerRole = 10
	// MaxPolicyInputBytes is the largest inline-policy text this package will
	// parse at all; far above what AWS accepts (32,768), it only bounds work.
	MaxPolicyInputBytes = 1 << 20
	// MaxPolicyDepth bounds JSON nesting; real IAM policies nest about 6 deep.
	MaxPolicyDepth = 32
	// MinSessionDuration and MaxSessionDuration bound a permission set's session.
	MinSessionDuration = time.Hour
	MaxSessionDuration = 12 * time.Hour
)

var (
	paAccountIDRe = regexp.MustCompile(`^[0-9]{12}$`)
	// PrincipalId pattern of the SSO Admin API (identity-store group ids).
	paGroupIDRe = regexp.MustCompile(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)
	// AWS-managed policy ARNs carry the account "aws".
	paAwsManagedPolicyARNRe = regexp.MustCompile(`^arn:aws(-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f|-eusc)?:iam::aws:policy/([\w+=,.@-]+/)*[\w+=,.@-]{1,128}$`)
	paCustomerPolicyARNRe   = regexp.MustCompile(`^arn:[a-z-]+:iam::[0-9]{12}:policy/`)
	paPolicyNameRe          = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	paPolicyPathRe          = regexp.MustCompile(`^(/[A-Za-z0-9.,+@=_-]+)*/$`)
	paSessionDurationRe     = regexp.MustCompile(`^PT(?:([0-9]{1,6})H)?(?:([0-9]{1,6})M)?(?:([0-9]{1,8})S)?$`)
	paSidRe                 = regexp.MustCompile(`^[A-Za-z0-9]*$`)
	paActionRe              = regexp.MustCompile(`^(\*+|[A-Za-z0-9*?-]+:[A-Za-z0-9*?_-]+)$`)
)

// Expired reports whether the access has an expiry and now is at or after it.
func (a PrivilegedAccess) Expired(now time.Time) bool {
	return !a.ExpiresAt.IsZero() && !now.Before(a.ExpiresAt)
}

// Validate checks every field and returns every problem found, each addressed
// by the Terraform attribute path (name, group, accounts[0],
// managed_policies[1], customer_managed_policies[0].path, inline_policy,
// permissions_boundary.managed_policy_arn, session_duration, expires_at, ...).
// It checks syntax and limits; the over-privilege lint lives with the
// compiler, which knows the compiled policy.
func (a PrivilegedAccess) Validate() Problems {
	var ps Problems

	// name
	switch {
	case strings.TrimSpace(a.Name) == "":
		ps.Errorf(Root("name"), "Name required", "a privileged access needs a name; its permission set is named after it")
	case !utf8.ValidString(a.Name):
		ps.Errorf(Root("name"), "Invalid name", "the name is not valid UTF-8")
	default:
		if n := utf8.RuneCountInString(a.Name); n > MaxAccessNameLength {
			ps.Errorf(Root("name"), "Name too long", "the name has %d characters; at most %d are allowed", n, MaxAccessNameLength)
		}
		if a.Name != strings.TrimSpace(a.Name) {
			ps.Errorf(Root("name"), "Invalid name", "the name %q starts or ends with white space", a.Name)
		}
		if p := CheckPrintable(Root("name"), a.Name); p.HasErrors() {
			ps.Append(p)
		} else {
			// The permission set carries the name as its
			// zerotrust:privileged-access tag (awsapi.TagPrivilegedAccess).
			ps.Append(CheckTagValue(Root("name"), "zerotrust:privileged-access", "The name", a.Name))
		}
	}

	// group
	switch {
	case a.Group == "":
		ps.Errorf(Root("group"), "Group required", "name the Identity Center group that receives this access (its group id)")
	case !paGroupIDRe.MatchString(a.Group):
		ps.Errorf(Root("group"), "Invalid group id", "%q is not an Identity Center group id (a UUID such as 9067b2a3-1234-4c5d-8e9f-0123456789ab, optionally prefixed by a 10-character identity-store prefix)", a.Group)
	}

	// accounts
	if len(a.Accounts) == 0 {
		ps.Warnf(Root("accounts"), "No accounts", "the permission set will not be assigned anywhere, so this access grants nothing")
	}
	seen := map[string]int{}
	for i, acct := range a.Accounts {
		p := Root("accounts").Index(i)
		if !paAccountIDRe.MatchString(acct) {
			ps.Errorf(p, "Invalid account id", "%q is not an AWS account id (exactly 12 digits, leading zeros kept)", acct)
			continue
		}
		if j, dup := seen[acct]; dup {
			ps.Warnf(p, "Duplicate account", "account %s is already listed at accounts[%d]; it is assigned once", acct, j)
			continue
		}
		seen[acct] = i
	}

	// managed_policies
	seen = map[string]int{}
	for i, arn := range a.ManagedPolicies {
		p := Root("managed_policies").Index(i)
		switch {
		case paCustomerPolicyARNRe.MatchString(arn):
			ps.Errorf(p, "Customer-managed policy ARN", "%q is a customer-managed policy; Identity Center attaches those by name and path: move it to customer_managed_policies", arn)
			continue
		case !paAwsManagedPolicyARNRe.MatchString(arn):
			ps.Errorf(p, "Invalid managed policy ARN", "%q is not an AWS-managed policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess", arn)
			continue
		}
		if j, dup := seen[arn]; dup {
			ps.Warnf(p, "Duplicate managed policy", "%s is already listed at managed_policies[%d]; it is attached once", arn, j)
			continue
		}
		seen[arn] = i
	}

	// customer_managed_policies
	seen = map[string]int{}
	for i, ref := range a.CustomerManagedPolicies {
		p := Root("customer_managed_policies").Index(i)
		ok := validatePolicyReference(ref, p, &ps)
		if !ok {
			continue
		}
		key := ref.NormalizedPath() + ref.Name
		if j, dup := seen[key]; dup {
			ps.Warnf(p, "Duplicate customer-managed policy", "%s is already listed at customer_managed_policies[%d]; it is attached once", key, j)
			continue
		}
		seen[key] = i
	}
	if n := len(a.ManagedPolicies) + len(a.CustomerManagedPolicies); n > MaxManagedPoliciesPerPermissionSet {
		ps.Errorf(Root("managed_policies"), "Too many managed policies",
			"%d AWS-managed and customer-managed policies are listed; a permission set takes at most %d", n, MaxManagedPoliciesPerPermissionSet)
	} else if n > DefaultManagedPoliciesPerRole {
		ps.Warnf(Root("managed_policies"), "More managed policies than IAM's default role quota",
			"%d managed policies are listed; IAM allows %d per role unless the quota \"Managed policies attached to an IAM role\" was raised in every assigned account", n, DefaultManagedPoliciesPerRole)
	}

	// inline_policy
	if a.InlinePolicy != "" {
		ValidatePolicyDocument(a.InlinePolicy, Root("inline_policy"), &ps)
	}
	if a.InlinePolicy == "" && len(a.ManagedPolicies) == 0 && len(a.CustomerManagedPolicies) == 0 {
		ps.Warnf(Root("inline_policy"), "No policies", "no inline, AWS-managed or customer-managed policy is given: members can sign in but are allowed nothing")
	}

	// permissions_boundary
	if b := a.PermissionsBoundary; b != nil {
		bp := Root("permissions_boundary")
		switch {
		case b.ManagedPolicyARN != "" && b.CustomerManagedPolicy != nil:
			ps.Errorf(bp, "One boundary", "set either managed_policy_arn or customer_managed_policy_reference, not both")
		case b.ManagedPolicyARN == "" && b.CustomerManagedPolicy == nil:
			ps.Errorf(bp, "Empty boundary", "set managed_policy_arn or customer_managed_policy_reference, or remove permissions_boundary")
		case b.ManagedPolicyARN != "":
			if !paAwsManagedPolicyARNRe.MatchString(b.ManagedPolicyARN) {
				ps.Errorf(bp.At("managed_policy_arn"), "Invalid managed policy ARN", "%q is not an AWS-managed policy ARN; for a customer-managed boundary use customer_managed_policy_reference", b.ManagedPolicyARN)
			}
		default:
			validatePolicyReference(*b.CustomerManagedPolicy, bp.At("customer_managed_policy_reference"), &ps)
		}
	}

	// session_duration
	if a.SessionDuration != "" {
		if _, err := ParseSessionDuration(a.SessionDuration); err != nil {
			ps.Errorf(Root("session_duration"), "Invalid session duration", "%s", err.Error())
		}
	}

	// expires_at
	if !a.ExpiresAt.IsZero() && a.ExpiresAt.Year() < 2000 {
		ps.Errorf(Root("expires_at"), "Implausible expiry", "expires_at %s is before the year 2000; give an RFC 3339 time such as 2026-12-31T00:00:00Z", a.ExpiresAt.UTC().Format(time.RFC3339))
	}

	// acknowledgement
	if a.Acknowledgement != "" && strings.TrimSpace(a.Acknowledgement) == "" {
		ps.Errorf(Root("acknowledgement"), "Empty acknowledgement", "an acknowledgement must state the reason the findings are accepted")
	}
	ps.Append(CheckText(Root("acknowledgement"), a.Acknowledgement))

	// description
	if n := utf8.RuneCountInString(a.Description); n > MaxDescriptionLength {
		ps.Errorf(Root("description"), "Description too long", "the description has %d characters; Identity Center allows at most %d", n, MaxDescriptionLength)
	}
	if !utf8.ValidString(a.Description) {
		ps.Errorf(Root("description"), "Invalid description", "the description is not valid UTF-8")
	} else if i := strings.IndexFunc(a.Description, func(r rune) bool { return !permissionSetDescriptionRune(r) }); i >= 0 {
		ps.Errorf(Root("description"), "Unsupported character in description",
			"Identity Center accepts only tab, newline and Latin-1 printable characters in a description; found %U at byte %d", []rune(a.Description[i:])[0], i)
	}
	return ps
}

// permissionSetDescriptionRune implements the permission-set description pattern
// [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF].
func permissionSetDescriptionRune(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0x7E) || (r >= 0xA1 && r <= 0xFF)
}

// NormalizedPath returns the reference's path with the AWS default "/" for "".
func (r PolicyReference) NormalizedPath() string {
	if r.Path == "" {
		return "/"
	}
	return r.Path
}

func validatePolicyReference(ref PolicyReference, p Path, ps *Problems) bool {
	ok := true
	if !paPolicyNameRe.MatchString(ref.Name) {
		ps.Errorf(p.At("name"), "Invalid policy name", "%q is not an IAM policy name (1–128 of letters, digits and +=,.@_-)", ref.Name)
		ok = false
	}
	if ref.Path != "" && (len(ref.Path) > 512 || !paPolicyPathRe.MatchString(ref.Path)) {
		ps.Errorf(p.At("path"), "Invalid policy path", "%q is not an IAM path: it must start and end with / (e.g. / or /team/), at most 512 characters", ref.Path)
		ok = false
	}
	return ok
}

// ParseSessionDuration parses an ISO-8601 duration made of hours, minutes and
// seconds (PT1H, PT90M, PT1H30M, PT3600S) and checks it lies between
// MinSessionDuration and MaxSessionDuration. Days, weeks, fractions and signs
// are refused.
func ParseSessionDuration(s string) (time.Duration, error) {
	m := paSessionDurationRe.FindStringSubmatch(s)
	if m == nil || s == "PT" {
		return 0, fmt.Errorf("%q is not an ISO-8601 duration of hours, minutes and seconds such as PT1H, PT90M or PT1H30M", s)
	}
	var d time.Duration
	for i, unit := range []time.Duration{time.Hour, time.Minute, time.Second} {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.Atoi(m[i+1])
		if err != nil { // unreachable: the pattern bounds the digits
			return 0, fmt.Errorf("%q: %v", s, err)
		}
		d += time.Duration(n) * unit
	}
	if d < MinSessionDuration || d > MaxSessionDuration {
		return 0, fmt.Errorf("%s is %s; a permission-set session lasts from 1 hour (PT1H) to 12 hours (PT12H)", s, d)
	}
	return d, nil
}
