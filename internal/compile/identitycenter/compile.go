// Package identitycenter compiles a privileged access (model.PrivilegedAccess)
// into the IAM Identity Center permission set that implements it: a
// deterministic name within AWS's limits, a normalized session duration, the
// canonical inline policy, sorted managed-policy attachments, customer-managed
// references, the permissions boundary and the group's account assignments
// (none once the access has expired). It also lints the access for
// over-privilege and diffs a desired permission set against a live one.
// It does no I/O and imports no AWS, Kubernetes or Terraform package.
package identitycenter

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/collections"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// MaxPermissionSetNameLength is the SSO Admin limit on a permission-set name.
const MaxPermissionSetNameLength = 32

// DefaultSessionDuration is what AWS applies when none is given.
const DefaultSessionDuration = "PT1H"

// PrincipalTypeGroup is the SSO Admin principal type of a group assignment.
const PrincipalTypeGroup = "GROUP"

// permissionSetNameRe is AWS's name pattern [\w+=,.@-]+ (\w being ASCII in
// AWS's Java-flavoured patterns, as in Go's RE2).
var permissionSetNameRe = regexp.MustCompile(`^[\w+=,.@-]+$`)

// PermissionSet is the desired state of one permission set and its
// assignments. Slices are sorted and free of duplicates.
type PermissionSet struct {
	Name            string
	Description     string
	SessionDuration string // normalized ISO-8601, e.g. PT1H30M
	// InlinePolicy is the canonical policy text (see CanonicalPolicy), "" for none.
	InlinePolicy            string
	ManagedPolicies         []string          // AWS-managed policy ARNs
	CustomerManagedPolicies []PolicyReference // by path then name
	PermissionsBoundary     *Boundary         // nil for none
	Assignments             []Assignment      // by account then principal
}

// PolicyReference is a customer-managed policy by name and path (path
// normalized: never empty, "/" by default).
type PolicyReference struct {
	Name string
	Path string
}

// Boundary is a permissions boundary: exactly one field is set.
type Boundary struct {
	ManagedPolicyARN      string
	CustomerManagedPolicy *PolicyReference
}

// Assignment is one account assignment of the permission set.
type Assignment struct {
	AccountID     string
	PrincipalType string // always PrincipalTypeGroup here
	PrincipalID   string
}

func (a Assignment) key() string { return a.AccountID + "/" + a.PrincipalType + "/" + a.PrincipalID }

// Compile validates and lints the access and, when no error remains,
// returns its permission set. now decides expiry: an access whose ExpiresAt
// is at or before now compiles with no assignments (and a warning at
// expires_at), so the reconciler removes them — just-in-time access ends by
// itself at the next apply. The permission set itself stays, unassigned.
// On error the PermissionSet is the zero value.
func Compile(a model.PrivilegedAccess, now time.Time) (PermissionSet, model.Problems) {
	ps := a.Validate()
	var tree any
	var inline string
	if a.InlinePolicy != "" {
		var err error
		inline, tree, err = canonicalize(a.InlinePolicy)
		switch {
		case err != nil:
			// Validate parsed with the same decoder and normally reported it.
			if !hasErrorAt(ps, "inline_policy") {
				ps.Errorf(model.Root("inline_policy"), "Invalid policy JSON", "%s", err.Error())
			}
		case len(inline) > MaxInlinePolicyBytes:
			ps.Errorf(model.Root("inline_policy"), "Inline policy too large",
				"the canonical policy is %d bytes; Identity Center accepts at most %d (non-ASCII characters count as 6-byte \\u escapes)", len(inline), MaxInlinePolicyBytes)
		case nonSpaceBytes(inline) > MaxInlinePolicyNonSpaceBytes:
			ps.Errorf(model.Root("inline_policy"), "Inline policy too large",
				"the policy has %d non-white-space characters; Identity Center accepts at most %d — split it into customer-managed policies", nonSpaceBytes(inline), MaxInlinePolicyNonSpaceBytes)
		}
	}
	ps.Append(lint(a, tree))
	if a.Expired(now) {
		ps.Warnf(model.Root("expires_at"), "Access expired",
			"the access expired at %s; its account assignments are removed", a.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if ps.HasErrors() {
		return PermissionSet{}, ps
	}

	out := PermissionSet{
		Name:         PermissionSetName(a.Name),
		Description:  a.Description,
		InlinePolicy: inline,
	}
	out.SessionDuration = DefaultSessionDuration
	if a.SessionDuration != "" {
		out.SessionDuration, _ = NormalizeSessionDuration(a.SessionDuration) // validated above
	}
	out.ManagedPolicies = collections.SortedUnique(a.ManagedPolicies)
	out.CustomerManagedPolicies = normalizeReferences(convertReferences(a.CustomerManagedPolicies))
	if b := a.PermissionsBoundary; b != nil {
		if b.CustomerManagedPolicy != nil {
			r := convertReference(*b.CustomerManagedPolicy)
			out.PermissionsBoundary = &Boundary{CustomerManagedPolicy: &r}
		} else {
			out.PermissionsBoundary = &Boundary{ManagedPolicyARN: b.ManagedPolicyARN}
		}
	}
	if !a.Expired(now) {
		for _, acct := range collections.SortedUnique(a.Accounts) {
			out.Assignments = append(out.Assignments, Assignment{AccountID: acct, PrincipalType: PrincipalTypeGroup, PrincipalID: a.Group})
		}
	}
	return out, ps
}

// permissionSetNameRune reports whether r is in AWS's name class [\w+=,.@-].
func permissionSetNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+=,.@-", r)
}

func hasErrorAt(ps model.Problems, path string) bool {
	for _, p := range ps {
		if p.Severity == model.Error && p.Path.String() == path {
			return true
		}
	}
	return false
}

// PermissionSetName derives the permission-set name from an access name,
// deterministically. A name that already fits AWS's pattern [\w+=,.@-]+ and
// 32 characters is used as is. Otherwise every run of other characters
// becomes one "-", the result is cut to 23 characters, and "-" plus the first
// 8 hex digits of the SHA-256 of the original name are appended — so two
// names that sanitize or truncate alike still get different permission sets.
func PermissionSetName(accessName string) string {
	if len(accessName) <= MaxPermissionSetNameLength && permissionSetNameRe.MatchString(accessName) {
		return accessName
	}
	sum := sha256.Sum256([]byte(accessName))
	suffix := hex.EncodeToString(sum[:4])
	var b strings.Builder
	replaced := false
	for _, r := range accessName {
		if permissionSetNameRune(r) {
			b.WriteRune(r)
			replaced = false
			continue
		}
		if !replaced {
			b.WriteByte('-')
			replaced = true
		}
	}
	prefix := b.String()
	if room := MaxPermissionSetNameLength - 1 - len(suffix); len(prefix) > room {
		prefix = prefix[:room]
	}
	prefix = strings.Trim(prefix, "-")
	if prefix == "" {
		prefix = "zt"
	}
	return prefix + "-" + suffix
}

// NormalizeSessionDuration parses an ISO-8601 session duration (PT1H, PT90M,
// PT1H30M, PT5400S, …; see model.ParseSessionDuration) within PT1H–PT12H and
// returns it in normal form: hours, then minutes, then seconds, each omitted
// when zero (PT90M → PT1H30M, PT3600S → PT1H).
func NormalizeSessionDuration(s string) (string, error) {
	d, err := model.ParseSessionDuration(s)
	if err != nil {
		return "", err
	}
	return FormatSessionDuration(d), nil
}

// FormatSessionDuration writes a duration in the normal ISO-8601 form used by
// NormalizeSessionDuration (sub-second parts are dropped).
func FormatSessionDuration(d time.Duration) string {
	secs := int64(d / time.Second)
	if secs <= 0 {
		return "PT0S"
	}
	h, m, s := secs/3600, secs%3600/60, secs%60
	var b strings.Builder
	b.WriteString("PT")
	for _, part := range []struct {
		n    int64
		unit byte
	}{{h, 'H'}, {m, 'M'}, {s, 'S'}} {
		if part.n > 0 {
			b.WriteString(strconv.FormatInt(part.n, 10))
			b.WriteByte(part.unit)
		}
	}
	return b.String()
}

func convertReference(r model.PolicyReference) PolicyReference {
	return PolicyReference{Name: r.Name, Path: r.NormalizedPath()}
}

func convertReferences(rs []model.PolicyReference) []PolicyReference {
	out := make([]PolicyReference, 0, len(rs))
	for _, r := range rs {
		out = append(out, convertReference(r))
	}
	return out
}

// normalizeReferences defaults empty paths to "/", sorts by path then name
// and drops duplicates. It returns nil for none.
func normalizeReferences(rs []PolicyReference) []PolicyReference {
	if len(rs) == 0 {
		return nil
	}
	out := make([]PolicyReference, 0, len(rs))
	for _, r := range rs {
		if r.Path == "" {
			r.Path = "/"
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Name < out[j].Name
	})
	uniq := out[:1]
	for _, r := range out[1:] {
		if r != uniq[len(uniq)-1] {
			uniq = append(uniq, r)
		}
	}
	return uniq
}

// String renders a reference as path+name, e.g. /team/ReadBuckets.
func (r PolicyReference) String() string {
	p := r.Path
	if p == "" {
		p = "/"
	}
	return p + r.Name
}

// String renders an assignment for plans and logs.
func (a Assignment) String() string {
	return fmt.Sprintf("%s %s in %s", a.PrincipalType, a.PrincipalID, a.AccountID)
}
