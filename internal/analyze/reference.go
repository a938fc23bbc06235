// Package analyze answers questions about a zero-trust model without touching
// any cloud: what a request's access decision is, computed two independent
// ways — from the model's own semantics (Reference) and by evaluating the
// compiled Cedar with cedar-go (CompiledSurface) — so each checks the other.
//
// Entry points:
//
//   - NewEvaluator / Evaluator.Evaluate: Cedar policy text (a group policy
//     and an optional endpoint policy) plus the access proxy's trust
//     providers, and a Request (groups, email verification, MFA, device
//     posture per provider, method, host, path, client IP) → Verdict:
//     allowed, deciding rule ids (@id), a one-sentence reason, evaluation
//     errors. For data sources and functions that see only planned text.
//   - NewCompiledSurface / Decide / DecideFull: the same from a surface
//     model and its compile result, fast (statement index, see index.go).
//   - Reference: the model's semantics, no Cedar.
package analyze

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Request is one access attempt as the trust providers and the proxy see it.
// A nil pointer (or nil slice where noted) means the provider sent nothing
// for it: absent data never satisfies a condition.
type Request struct {
	Identity    *Identity         // nil: no identity trust data
	Jamf        *JamfFacts        // nil: no Jamf trust data
	CrowdStrike *CrowdStrikeFacts // nil: no CrowdStrike trust data
	JumpCloud   *JumpCloudFacts   // nil: no JumpCloud trust data
	Method      string            // HTTP method, case-sensitive (GET)
	Path        string            // URL path (/api/orders)
	// Host is the host name the request was sent to; empty means the
	// application's domain (CompiledSurface) or the hostname given to
	// Context. The compiled policies do not test it.
	Host string
	// ClientIP is the connecting address; the zero Addr means unknown. An
	// IPv4-mapped IPv6 address is compared as its IPv4 address, and an IPv6
	// zone is ignored.
	ClientIP netip.Addr
}

// Identity is what the identity provider reports about the user.
type Identity struct {
	// Groups the user belongs to: Identity Center group ids or OIDC group
	// claim values; nil means the groups attribute is absent.
	Groups        []string
	EmailVerified *bool
	// MFA says whether the user authenticated with MFA (OIDC "amr" contains
	// "mfa"); nil means no amr claim. When the identity provider enforces
	// MFA at every sign-in, its presence proves MFA and this is ignored.
	MFA *bool
}

// JamfFacts is Jamf's report on the device.
type JamfFacts struct {
	Risk *string // SECURE, LOW, MEDIUM, HIGH, NOT_APPLICABLE; nil = absent
}

// CrowdStrikeFacts is CrowdStrike's Zero Trust Assessment of the device.
type CrowdStrikeFacts struct {
	Overall *int // nil = absent
}

// JumpCloudFacts is JumpCloud's report on the device.
type JumpCloudFacts struct {
	Managed *bool // nil = absent
}

// Decision is an access decision and the rules that decided it: every
// matching forbid rule when a forbid denied, every matching permit rule when
// access is allowed, and none when nothing matched (deny by default). Rules
// are sorted.
type Decision struct {
	Allowed bool
	Rules   []string
}

func (d Decision) String() string {
	verdict := "deny"
	if d.Allowed {
		verdict = "allow"
	}
	if len(d.Rules) == 0 {
		return verdict
	}
	return verdict + " by " + strings.Join(d.Rules, ", ")
}

// Equal compares decisions, deciding rules included.
func (d Decision) Equal(o Decision) bool {
	return d.Allowed == o.Allowed && slices.Equal(d.Rules, o.Rules)
}

// ErrUnknownApplication is returned for a request to an application the
// surface does not have.
type ErrUnknownApplication struct{ Application string }

func (e ErrUnknownApplication) Error() string {
	return fmt.Sprintf("the protect surface has no application named %q", e.Application)
}

// Reference decides a request to one application of a surface from the
// model's semantics alone, without Cedar: a rule applies to the application
// when its applications list it or is empty; it matches when every condition
// it sets holds; access is allowed when some applicable permit rule matches
// and no applicable forbid rule does. The surface is assumed valid
// (ProtectSurface.Validate without errors).
func Reference(s model.ProtectSurface, app string, req Request) (Decision, error) {
	if !slices.ContainsFunc(s.Applications, func(a model.Application) bool { return a.Name == app }) {
		return Decision{}, ErrUnknownApplication{app}
	}
	var permits, forbids []string
	for _, r := range s.AccessRules {
		if !r.AppliesTo(app) || !Matches(r, s.Proxy, req) {
			continue
		}
		if r.IsPermit() {
			permits = append(permits, r.Name)
		} else {
			forbids = append(forbids, r.Name)
		}
	}
	slices.Sort(permits)
	slices.Sort(forbids)
	switch {
	case len(forbids) > 0:
		return Decision{Allowed: false, Rules: forbids}, nil
	case len(permits) > 0:
		return Decision{Allowed: true, Rules: permits}, nil
	}
	return Decision{}, nil
}

// Matches reports whether every condition of a rule holds for a request.
func Matches(r model.AccessRule, proxy model.AccessProxy, req Request) bool {
	id := req.Identity
	if len(r.Methods) > 0 && !slices.Contains(r.Methods, req.Method) {
		return false
	}
	if len(r.PathPrefixes) > 0 {
		under := slices.ContainsFunc(r.PathPrefixes, func(p string) bool { return PathPrefixMatches(p, req.Path) })
		// A path a server may resolve elsewhere: a permit never admits it,
		// a forbid always covers it.
		if unresolved := model.UnresolvedPath(req.Path); r.IsPermit() && (!under || unresolved) || !r.IsPermit() && !under && !unresolved {
			return false
		}
	}
	if len(r.Groups) > 0 && (id == nil || !slices.ContainsFunc(r.Groups, func(g string) bool { return slices.Contains(id.Groups, g) })) {
		return false
	}
	if r.Device != nil && !deviceHolds(*r.Device, req) {
		return false
	}
	if r.RequireVerifiedEmail && (id == nil || id.EmailVerified == nil || !*id.EmailVerified) {
		return false
	}
	if r.RequireMFA && (id == nil || !(proxy.IdentityProvider.MFAEnforced || (id.MFA != nil && *id.MFA))) {
		return false
	}
	if len(r.ClientCIDRs) > 0 {
		if !req.ClientIP.IsValid() {
			return false
		}
		addr := req.ClientIP.Unmap().WithZone("")
		if !slices.ContainsFunc(r.ClientCIDRs, func(c string) bool {
			p, err := model.ParseClientCIDR(c)
			return err == nil && p.Contains(addr)
		}) {
			return false
		}
	}
	return true
}

func deviceHolds(d model.DeviceRequirement, req Request) bool {
	var results []bool
	if d.Jamf != nil {
		ok := req.Jamf != nil && req.Jamf.Risk != nil
		if ok {
			rank := model.JamfRiskRank(*req.Jamf.Risk)
			ok = rank >= 0 && rank <= model.JamfRiskRank(d.Jamf.MaxRisk)
		}
		results = append(results, ok)
	}
	if d.CrowdStrike != nil {
		results = append(results, req.CrowdStrike != nil && req.CrowdStrike.Overall != nil && *req.CrowdStrike.Overall >= d.CrowdStrike.MinOverallScore)
	}
	if d.JumpCloud != nil {
		results = append(results, req.JumpCloud != nil && req.JumpCloud.Managed != nil && *req.JumpCloud.Managed == d.JumpCloud.Managed)
	}
	if d.IsAnyOf() {
		return slices.Contains(results, true)
	}
	return !slices.Contains(results, false)
}

// PathPrefixMatches reports whether a request path falls under a configured
// path prefix (see model.AccessRule.PathPrefixes). It is written segment-wise,
// independently of the compiler's Cedar patterns, so the differential test
// compares two derivations of the same rule. The path is compared both as
// sent and, when it lacks one, with a leading slash added: AWS documents
// context.http_request.path without it ("app/images").
func PathPrefixMatches(prefix, path string) bool {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if raw, ok := strings.CutSuffix(prefix, "*"); ok {
		return strings.HasPrefix(path, raw)
	}
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok {
		return false
	}
	// prefix ends on a segment boundary itself, or the path ends with it, or
	// the next character starts a new segment.
	return strings.HasSuffix(prefix, "/") || rest == "" || rest[0] == '/'
}
