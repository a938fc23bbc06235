package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
		ps.Append(CheckPrintable(Root("name"), a.Name))
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

// DecodePolicyJSON strictly parses a JSON document into map[string]any,
// []any, string, json.Number, bool and nil. Unlike encoding/json.Unmarshal it
// refuses what would otherwise be silently rewritten or is hostile: invalid
// UTF-8, duplicate object keys (IAM honours one of them — the reviewer may read
// the other), nesting deeper than MaxPolicyDepth, more than MaxPolicyInputBytes,
// and anything after the first value. Errors carry line and column.
func DecodePolicyJSON(doc string) (any, error) {
	if len(doc) > MaxPolicyInputBytes {
		return nil, fmt.Errorf("the document is %d bytes; refusing to parse more than %d", len(doc), MaxPolicyInputBytes)
	}
	if !utf8.ValidString(doc) {
		i := 0
		for i < len(doc) {
			r, size := utf8.DecodeRuneInString(doc[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		line, col := policyLineCol(doc, i)
		return nil, fmt.Errorf("invalid UTF-8 at line %d, column %d", line, col)
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	d := &policyDecoder{doc: doc, dec: dec}
	v, err := d.value(0, "")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := policyLineCol(doc, int(dec.InputOffset()))
		return nil, fmt.Errorf("unexpected data after the JSON document near line %d, column %d", line, col)
	}
	return v, nil
}

type policyDecoder struct {
	doc string
	dec *json.Decoder
}

func (d *policyDecoder) fail(err error) error {
	off := int(d.dec.InputOffset())
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = int(se.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the JSON document is empty or ends early")
	}
	line, col := policyLineCol(d.doc, off)
	return fmt.Errorf("invalid JSON near line %d, column %d: %v", line, col, err)
}

func (d *policyDecoder) value(depth int, where string) (any, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.fail(err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok, nil // string, json.Number, bool or nil
	}
	if depth >= MaxPolicyDepth {
		return nil, fmt.Errorf("the JSON nests deeper than %d levels at %s", MaxPolicyDepth, policyDisplayWhere(where))
	}
	switch delim {
	case '{':
		obj := map[string]any{}
		for d.dec.More() {
			kt, err := d.dec.Token()
			if err != nil {
				return nil, d.fail(err)
			}
			key, _ := kt.(string) // the decoder guarantees object keys are strings
			if _, dup := obj[key]; dup {
				return nil, fmt.Errorf("duplicate key %q in %s: IAM would honour only one of them", key, policyDisplayWhere(where))
			}
			v, err := d.value(depth+1, policyJoinWhere(where, key))
			if err != nil {
				return nil, err
			}
			obj[key] = v
		}
		if _, err := d.dec.Token(); err != nil {
			return nil, d.fail(err)
		}
		return obj, nil
	default: // '['
		arr := []any{}
		for d.dec.More() {
			v, err := d.value(depth+1, where+"["+strconv.Itoa(len(arr))+"]")
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		if _, err := d.dec.Token(); err != nil {
			return nil, d.fail(err)
		}
		return arr, nil
	}
}

func policyJoinWhere(where, key string) string {
	if where == "" {
		return strconv.Quote(key)
	}
	return where + "." + strconv.Quote(key)
}

func policyDisplayWhere(where string) string {
	if where == "" {
		return "the document"
	}
	return where
}

// policyLineCol converts a byte offset into 1-based line and column (in characters).
func policyLineCol(s string, off int) (int, int) {
	if off > len(s) {
		off = len(s)
	}
	if off < 0 {
		off = 0
	}
	line := 1 + strings.Count(s[:off], "\n")
	start := strings.LastIndexByte(s[:off], '\n') + 1
	return line, 1 + utf8.RuneCountInString(s[start:off])
}

// ValidatePolicyDocument parses an IAM identity-policy document and records
// at path every grammar problem: not JSON, not an object, unknown elements,
// missing or invalid Effect, Action/NotAction and Resource/NotResource (exactly
// one of each), Principal (not allowed in identity policies), malformed
// Condition, duplicate or invalid Sid, unsupported Version. It reports whether
// the document parsed.
func ValidatePolicyDocument(doc string, path Path, ps *Problems) bool {
	var found Problems
	ok := validatePolicyDocument(doc, path, &found)
	if len(found) > MaxPolicyProblems {
		rest := len(found) - MaxPolicyProblems
		found = found[:MaxPolicyProblems]
		found.Errorf(path, "More policy problems", "%d more problems in later statements are not shown", rest)
	}
	ps.Append(found)
	return ok
}

// MaxPolicyProblems caps the problems reported for one policy document, so a
// generated policy with thousands of broken statements stays readable.
const MaxPolicyProblems = 50

func validatePolicyDocument(doc string, path Path, ps *Problems) bool {
	if strings.TrimSpace(doc) == "" {
		ps.Errorf(path, "Empty policy", "the policy document is blank; omit it or give a JSON policy")
		return false
	}
	tree, err := DecodePolicyJSON(doc)
	if err != nil {
		ps.Errorf(path, "Invalid policy JSON", "%s", err.Error())
		return false
	}
	root, ok := tree.(map[string]any)
	if !ok {
		ps.Errorf(path, "Invalid policy", "a policy document is a JSON object with Version and Statement, got %s", policyJSONKind(tree))
		return true
	}
	for k := range root {
		switch k {
		case "Version", "Id", "Statement":
		default:
			ps.Errorf(path, "Unknown policy element", "top-level element %q is not part of the IAM policy grammar (Version, Id, Statement; names are case-sensitive)", k)
		}
	}
	switch v := root["Version"].(type) {
	case nil:
		if _, present := root["Version"]; present {
			ps.Errorf(path, "Invalid policy version", "Version is null; use \"2012-10-17\"")
		} else {
			ps.Warnf(path, "Policy version missing", "without Version IAM applies 2008-10-17, which disables policy variables such as ${aws:username}; add \"Version\": \"2012-10-17\"")
		}
	case string:
		switch v {
		case "2012-10-17":
		case "2008-10-17":
			ps.Warnf(path, "Old policy version", "Version 2008-10-17 disables policy variables; use 2012-10-17")
		default:
			ps.Errorf(path, "Invalid policy version", "Version %q is not 2012-10-17 (or the older 2008-10-17)", v)
		}
	default:
		ps.Errorf(path, "Invalid policy version", "Version must be the string \"2012-10-17\", got %s", policyJSONKind(v))
	}
	if id, present := root["Id"]; present {
		if _, ok := id.(string); !ok {
			ps.Errorf(path, "Invalid policy Id", "Id must be a string, got %s", policyJSONKind(id))
		}
	}
	stmts, single, present := policyStatements(root)
	switch {
	case !present:
		ps.Errorf(path, "No Statement", "a policy needs a Statement (one object or an array of objects)")
	case stmts == nil:
		ps.Errorf(path, "Invalid Statement", "Statement must be an object or an array of objects, got %s", policyJSONKind(root["Statement"]))
	case len(stmts) == 0:
		ps.Errorf(path, "No Statement", "the Statement array is empty; a policy needs at least one statement")
	}
	sids := map[string]string{}
	for i, raw := range stmts {
		where := StatementLabel(i, single)
		st, ok := raw.(map[string]any)
		if !ok {
			ps.Errorf(path, "Invalid statement", "%s must be an object, got %s", where, policyJSONKind(raw))
			continue
		}
		validatePolicyStatement(st, where, path, ps, sids)
	}
	return true
}

// policyStatements returns the statements of a policy: the Statement array,
// or a one-element slice when Statement is a single object (single = true).
// stmts is nil when Statement has another type; present says whether it exists.
func policyStatements(root map[string]any) (stmts []any, single bool, present bool) {
	raw, present := root["Statement"]
	switch s := raw.(type) {
	case []any:
		return s, false, present
	case map[string]any:
		return []any{s}, true, present
	}
	return nil, false, present
}

// StatementLabel names statement i for messages: "Statement" for a single
// statement object, "Statement[i]" inside an array.
func StatementLabel(i int, single bool) string {
	if single {
		return "Statement"
	}
	return "Statement[" + strconv.Itoa(i) + "]"
}

func validatePolicyStatement(st map[string]any, where string, path Path, ps *Problems, sids map[string]string) {
	for k := range st {
		switch k {
		case "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition":
		case "Principal", "NotPrincipal":
			ps.Errorf(path, "Principal in an identity policy", "%s has %s; a permission-set policy is attached to a role and cannot name principals", where, k)
		default:
			ps.Errorf(path, "Unknown statement element", "%s has element %q, which is not part of the IAM policy grammar (names are case-sensitive)", where, k)
		}
	}
	if raw, present := st["Sid"]; present {
		sid, ok := raw.(string)
		switch {
		case !ok:
			ps.Errorf(path, "Invalid Sid", "%s: Sid must be a string, got %s", where, policyJSONKind(raw))
		case !paSidRe.MatchString(sid):
			ps.Errorf(path, "Invalid Sid", "%s: Sid %q may contain only ASCII letters and digits", where, sid)
		case sid != "":
			if prev, dup := sids[sid]; dup {
				ps.Errorf(path, "Duplicate Sid", "%s repeats Sid %q of %s; Sids must be unique within a policy", where, sid, prev)
			} else {
				sids[sid] = where
			}
		}
	}
	switch e := st["Effect"].(type) {
	case string:
		if e != "Allow" && e != "Deny" {
			ps.Errorf(path, "Invalid Effect", "%s: Effect must be \"Allow\" or \"Deny\" (case-sensitive), got %q", where, e)
		}
	case nil:
		ps.Errorf(path, "Missing Effect", "%s has no Effect; give \"Allow\" or \"Deny\"", where)
	default:
		ps.Errorf(path, "Invalid Effect", "%s: Effect must be the string \"Allow\" or \"Deny\", got %s", where, policyJSONKind(e))
	}
	validatePolicyPair(st, "Action", "NotAction", where, path, ps, func(v string) string {
		if !paActionRe.MatchString(v) {
			return fmt.Sprintf("%q is not an action of the form service:Action (e.g. s3:GetObject, ec2:Describe*) or *", v)
		}
		return ""
	})
	validatePolicyPair(st, "Resource", "NotResource", where, path, ps, func(v string) string {
		if v != "*" && !strings.HasPrefix(v, "arn:") {
			return fmt.Sprintf("%q is not an ARN (arn:partition:service:region:account:resource) or *", v)
		}
		return ""
	})
	if raw, present := st["Condition"]; present {
		cond, ok := raw.(map[string]any)
		if !ok {
			ps.Errorf(path, "Invalid Condition", "%s: Condition must be an object of operators, got %s", where, policyJSONKind(raw))
			return
		}
		for op, body := range cond {
			if _, ok := body.(map[string]any); !ok {
				ps.Errorf(path, "Invalid Condition", "%s: Condition operator %q must map condition keys to values, got %s", where, op, policyJSONKind(body))
			}
		}
	}
}

// validatePolicyPair checks that exactly one of the two elements is present and is
// a string or a non-empty array of strings, each accepted by check.
func validatePolicyPair(st map[string]any, pos, neg, where string, path Path, ps *Problems, check func(string) string) {
	pv, hasPos := st[pos]
	nv, hasNeg := st[neg]
	switch {
	case hasPos && hasNeg:
		ps.Errorf(path, "Both "+pos+" and "+neg, "%s has both %s and %s; use exactly one", where, pos, neg)
		return
	case !hasPos && !hasNeg:
		ps.Errorf(path, "Missing "+pos, "%s has neither %s nor %s", where, pos, neg)
		return
	}
	name, v := pos, pv
	if hasNeg {
		name, v = neg, nv
	}
	values, ok := StringOrStrings(v)
	switch {
	case !ok:
		ps.Errorf(path, "Invalid "+name, "%s: %s must be a string or an array of strings, got %s", where, name, policyJSONKind(v))
		return
	case len(values) == 0:
		ps.Errorf(path, "Empty "+name, "%s: %s is an empty array and would match nothing", where, name)
		return
	}
	for _, s := range values {
		if msg := check(s); msg != "" {
			ps.Errorf(path, "Invalid "+name, "%s: %s", where, msg)
		}
	}
}

// StringOrStrings reads an IAM element that is a string or an array of
// strings; ok is false for any other shape.
func StringOrStrings(v any) (values []string, ok bool) {
	switch t := v.(type) {
	case string:
		return []string{t}, true
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

func policyJSONKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}
