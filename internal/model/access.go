package model

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Trust-provider types, as the Verified Access API spells them.
const (
	IdentityIAMIdentityCenter = "iam-identity-center"
	IdentityOIDC              = "oidc"

	DeviceJamf        = "jamf"
	DeviceCrowdStrike = "crowdstrike"
	DeviceJumpCloud   = "jumpcloud"
)

// Access-rule effects.
const (
	EffectPermit = "permit"
	EffectForbid = "forbid"
)

// Device-requirement combinators.
const (
	CombineAllOf = "all-of"
	CombineAnyOf = "any-of"
)

// DefaultOIDCGroupsClaim is the claim an OIDC identity provider reports group
// membership in unless IdentityProvider.GroupsClaim names another.
const DefaultOIDCGroupsClaim = "groups"

// ReservedRuleNamePrefix starts the @id of statements the compiler adds itself
// (such as the deny-by-default statement of an empty policy); access rules may
// not use it.
const ReservedRuleNamePrefix = "zerotrust:"

// MaxRuleNameBytes bounds an access rule name (it becomes a Cedar @id).
const MaxRuleNameBytes = 256

// JamfRiskLevels are Jamf's device risk levels from safest to riskiest. Jamf
// also reports NOT_APPLICABLE, which no requirement accepts.
var JamfRiskLevels = []string{"SECURE", "LOW", "MEDIUM", "HIGH"}

// JamfRiskRank orders Jamf risk levels (SECURE = 0); -1 for anything else.
func JamfRiskRank(level string) int { return slices.Index(JamfRiskLevels, level) }

// AccessProxy is the policy enforcement point: a Verified Access instance and
// the trust providers attached to it. Each provider's Reference is its policy
// reference name: the key under which Verified Access puts the provider's
// trust data in the Cedar context (context.<reference>).
type AccessProxy struct {
	Name             string
	IdentityProvider IdentityProvider      // identity_provider
	DeviceProviders  []DeviceTrustProvider // device_trust_provider
}

// IdentityProvider is the user trust provider.
type IdentityProvider struct {
	Type      string // iam-identity-center | oidc
	Reference string
	// GroupsClaim (oidc only) is the claim carrying group membership;
	// empty means DefaultOIDCGroupsClaim.
	GroupsClaim string
	// MFAEnforced says the identity provider demands MFA at every sign-in, so
	// its mere presence in the context proves MFA. IAM Identity Center trust
	// data carries no MFA claim: access rules may require MFA with Identity
	// Center only when this is set. For OIDC without it, MFA is read from the
	// "amr" claim (RFC 8176 value "mfa").
	MFAEnforced bool
}

// DeviceTrustProvider is a device trust provider.
type DeviceTrustProvider struct {
	Type      string // jamf | crowdstrike | jumpcloud
	Reference string
}

// GroupsClaimName returns the OIDC claim holding group membership.
func (p IdentityProvider) GroupsClaimName() string {
	if p.GroupsClaim == "" {
		return DefaultOIDCGroupsClaim
	}
	return p.GroupsClaim
}

// DeviceProvider returns the proxy's device trust provider of a type.
func (p AccessProxy) DeviceProvider(typ string) (DeviceTrustProvider, bool) {
	for _, d := range p.DeviceProviders {
		if d.Type == typ {
			return d, true
		}
	}
	return DeviceTrustProvider{}, false
}

var cedarIdentRe = regexp.MustCompile(`^[_a-zA-Z][_a-zA-Z0-9]*$`)

// cedarReserved are the words Cedar does not accept as identifiers.
var cedarReserved = []string{"true", "false", "if", "then", "else", "in", "is", "like", "has"}

// oidcStandardClaims are the claims the compiler reads with a fixed meaning.
var oidcStandardClaims = []string{"sub", "email", "email_verified", "amr"}

// ValidCedarIdentifier reports whether s can appear as context.<s> in Cedar.
func ValidCedarIdentifier(s string) bool {
	return cedarIdentRe.MatchString(s) && !slices.Contains(cedarReserved, s) && !strings.HasPrefix(s, "__cedar")
}

// HTTPRequestContextKey is where Verified Access puts the HTTP request in the
// Cedar context; no trust provider may use it as its reference.
const HTTPRequestContextKey = "http_request"

// Validate checks the proxy's trust providers: known types, policy reference
// names that are Cedar identifiers and unique, at most one provider per
// device type.
func (p AccessProxy) Validate() Problems {
	var ps Problems
	refs := map[string]Path{}
	checkRef := func(path Path, ref string) {
		switch {
		case ref == "":
			ps.Errorf(path, "Policy reference name required", "a trust provider needs a policy reference name: the key of its trust data in the Cedar context")
			return
		case !ValidCedarIdentifier(ref):
			ps.Errorf(path, "Invalid policy reference name", "%q is not a Cedar identifier (letters, digits and underscores, not starting with a digit, not a Cedar keyword)", ref)
			return
		case ref == HTTPRequestContextKey:
			ps.Errorf(path, "Reserved policy reference name", "%q is where Verified Access puts the HTTP request; choose another name", ref)
			return
		}
		if prev, dup := refs[ref]; dup {
			ps.Errorf(path, "Duplicate policy reference name", "%q is already used by %s; every trust provider needs its own", ref, prev)
			return
		}
		refs[ref] = path
	}

	idp := p.IdentityProvider
	idpPath := Root("identity_provider")
	switch idp.Type {
	case IdentityIAMIdentityCenter:
		if idp.GroupsClaim != "" {
			ps.Errorf(idpPath.At("groups_claim"), "Not applicable", "groups_claim applies to oidc providers; IAM Identity Center reports groups by id")
		}
	case IdentityOIDC:
		switch {
		case idp.GroupsClaim != "" && !utf8.ValidString(idp.GroupsClaim):
			ps.Errorf(idpPath.At("groups_claim"), "Invalid claim name", "the claim name is not valid UTF-8")
		case slices.Contains(oidcStandardClaims, idp.GroupsClaim):
			ps.Errorf(idpPath.At("groups_claim"), "Not a groups claim", "%q is a standard OIDC claim with its own meaning, not a list of groups", idp.GroupsClaim)
		}
	default:
		ps.Errorf(idpPath.At("type"), "Unknown identity provider type", "type must be %q or %q, got %q", IdentityIAMIdentityCenter, IdentityOIDC, idp.Type)
	}
	checkRef(idpPath.At("reference"), idp.Reference)

	seen := map[string]int{}
	for i, d := range p.DeviceProviders {
		path := Root("device_trust_provider").Index(i)
		switch d.Type {
		case DeviceJamf, DeviceCrowdStrike, DeviceJumpCloud:
			if j, dup := seen[d.Type]; dup {
				ps.Errorf(path.At("type"), "Duplicate device trust provider", "device_trust_provider[%d] is already a %s provider; a device requirement names providers by type, so attach at most one of each", j, d.Type)
			} else {
				seen[d.Type] = i
			}
		default:
			ps.Errorf(path.At("type"), "Unknown device trust provider type", "type must be %q, %q or %q, got %q", DeviceJamf, DeviceCrowdStrike, DeviceJumpCloud, d.Type)
		}
		checkRef(path.At("reference"), d.Reference)
	}
	return ps
}

// identityCenterGroupRe is the identity-store GroupId format.
var identityCenterGroupRe = regexp.MustCompile(`^([0-9a-f]{10}-)?[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)

// ValidateGroupRef checks one access-group reference as the identity provider
// reports it: an Identity Center group id (e.g.
// c242c5b0-6081-1845-6fa8-6e0d9513c107) or, for OIDC, a value of the groups
// claim (any non-empty text).
func ValidateGroupRef(path Path, ref string, idp IdentityProvider) Problems {
	var ps Problems
	switch {
	case ref == "":
		ps.Errorf(path, "Empty group", "a group reference cannot be empty")
	case !utf8.ValidString(ref):
		ps.Errorf(path, "Invalid group", "the group reference is not valid UTF-8")
	case idp.Type == IdentityIAMIdentityCenter && !identityCenterGroupRe.MatchString(ref):
		ps.Errorf(path, "Invalid Identity Center group id", "%q is not an Identity Center group id such as c242c5b0-6081-1845-6fa8-6e0d9513c107; refer to groups by id, not by display name", ref)
	}
	return ps
}

// DeviceRequirement is a device-health condition over the proxy's device
// trust providers; at least one provider condition is set. Combine says
// whether every set condition must hold (all-of, the default when empty) or
// any one suffices (any-of). Absent trust data never satisfies a condition.
type DeviceRequirement struct {
	Jamf        *JamfRequirement        // jamf
	CrowdStrike *CrowdStrikeRequirement // crowdstrike
	JumpCloud   *JumpCloudRequirement   // jumpcloud
	Combine     string                  // combine: all-of | any-of
}

// JamfRequirement accepts devices whose Jamf risk is at most MaxRisk
// (SECURE < LOW < MEDIUM < HIGH).
type JamfRequirement struct{ MaxRisk string }

// CrowdStrikeRequirement accepts devices whose CrowdStrike Zero Trust
// Assessment overall score is at least MinOverallScore (0–100).
type CrowdStrikeRequirement struct{ MinOverallScore int }

// JumpCloudRequirement accepts devices JumpCloud reports as managed; Managed
// must be true (a requirement that accepts unmanaged devices demands nothing).
type JumpCloudRequirement struct{ Managed bool }

// IsAnyOf reports whether one satisfied condition suffices.
func (d DeviceRequirement) IsAnyOf() bool { return d.Combine == CombineAnyOf }

// Conditions counts the provider conditions set.
func (d DeviceRequirement) Conditions() int {
	n := 0
	for _, set := range []bool{d.Jamf != nil, d.CrowdStrike != nil, d.JumpCloud != nil} {
		if set {
			n++
		}
	}
	return n
}

// Validate checks the requirement against the proxy it will be enforced by.
func (d DeviceRequirement) Validate(path Path, proxy AccessProxy) Problems {
	var ps Problems
	if d.Conditions() == 0 {
		ps.Errorf(path, "Empty device requirement", "a device requirement needs at least one of jamf, crowdstrike or jumpcloud")
	}
	switch d.Combine {
	case "", CombineAllOf, CombineAnyOf:
	default:
		ps.Errorf(path.At("combine"), "Unknown combinator", "combine must be %q or %q, got %q", CombineAllOf, CombineAnyOf, d.Combine)
	}
	needProvider := func(p Path, typ string) {
		if _, ok := proxy.DeviceProvider(typ); !ok {
			ps.Errorf(p, "No "+typ+" trust provider", "the access proxy has no %s device trust provider, so this condition could never hold; attach one or remove the condition", typ)
		}
	}
	if d.Jamf != nil {
		p := path.At("jamf")
		needProvider(p, DeviceJamf)
		if JamfRiskRank(d.Jamf.MaxRisk) < 0 {
			ps.Errorf(p.At("max_risk"), "Unknown Jamf risk level", "max_risk must be one of %s, got %q", strings.Join(JamfRiskLevels, ", "), d.Jamf.MaxRisk)
		}
	}
	if d.CrowdStrike != nil {
		p := path.At("crowdstrike")
		needProvider(p, DeviceCrowdStrike)
		if s := d.CrowdStrike.MinOverallScore; s < 0 || s > 100 {
			ps.Errorf(p.At("min_overall_score"), "Score out of range", "CrowdStrike Zero Trust Assessment scores are 0–100, got %d", s)
		}
	}
	if d.JumpCloud != nil {
		p := path.At("jumpcloud")
		needProvider(p, DeviceJumpCloud)
		if !d.JumpCloud.Managed {
			ps.Errorf(p.At("managed"), "Requirement demands nothing", "managed = false accepts every device; set managed = true or remove the jumpcloud condition")
		}
	}
	return ps
}

// Application protocols (the protocol of its Verified Access endpoint).
const (
	ProtocolHTTP  = "http"
	ProtocolHTTPS = "https"
	ProtocolTCP   = "tcp"
)

// Application is one application of a protect surface (a Verified Access
// endpoint).
type Application struct {
	Name   string
	Domain string // optional application domain, e.g. pay.internal.example.com
	// Protocol is the endpoint's protocol: http or https ("" means HTTP(S),
	// the default of load-balancer and network-interface endpoints) or tcp
	// (cidr endpoints, and network-interface endpoints set to tcp). Verified
	// Access documents no http_request in the context of a TCP connection,
	// so access rules with HTTP conditions may not apply to it.
	Protocol string
}

// IsTCP reports whether the application is reached over plain TCP.
func (a Application) IsTCP() bool { return a.Protocol == ProtocolTCP }

// ProtectSurface is the DAAS to protect (data, applications, assets,
// services): its applications, how sensitive it is, and the access rules that
// let users and devices reach it through Proxy.
type ProtectSurface struct {
	Name         string
	Sensitivity  string // public | internal | confidential | restricted
	Proxy        AccessProxy
	Applications []Application // application
	AccessRules  []AccessRule  // access_rule
}

// AccessRule is one statement of a surface's policy. A permit rule grants
// access when every condition it sets holds; a forbid rule denies it when
// every condition holds, whatever permits say. Unset conditions do not
// constrain; groups, methods, path prefixes and CIDRs each match any one of
// their entries. A condition over trust data the request lacks (no device
// report, no client address) does not hold — for a forbid rule that means
// the forbid does not apply, so demand good posture with permit conditions
// (which then fail closed) rather than forbid bad posture.
//
// A path prefix matches on a segment boundary: "/admin" matches /admin,
// /admin/ and /admin/users, but not /administrator or /admin-old; a prefix
// ending in "/" ("/api/") matches itself and everything below it. An explicit
// trailing "*" asks for raw prefix matching instead ("/admin*" matches
// /administrator too); any other "*" is an ordinary character. Verified
// Access may report the path with or without its leading slash (AWS
// documents "app/images"), so a path without one is matched as if it had it.
//
// A path that a server may resolve elsewhere than it reads (UnresolvedPath:
// a "." or ".." segment, a percent-encoded dot, slash or backslash, a
// backslash) is never admitted by a permit's path prefixes and always
// covered by a forbid's: "/public/../admin" is textually under "/public",
// but the application may serve /admin.
//
// HTTP conditions (methods, path prefixes) need an HTTP request: a rule that
// sets them may not apply to a TCP application, where Verified Access sends
// no http_request (see Application.Protocol).
type AccessRule struct {
	Name                 string             // name: unique, becomes the Cedar @id
	Effect               string             // effect: permit | forbid
	Groups               []string           // groups: any of
	Device               *DeviceRequirement // device
	RequireVerifiedEmail bool               // require_verified_email
	RequireMFA           bool               // require_mfa
	Methods              []string           // methods: HTTP methods; empty = any
	PathPrefixes         []string           // path_prefixes: URL path prefixes; empty = any (see below)
	ClientCIDRs          []string           // client_cidrs: client networks; empty = any
	Applications         []string           // applications it applies to; empty = the whole surface
	Acknowledgement      string             // acknowledgement: why a floor violation is accepted
}

// IsPermit reports whether the rule grants access.
func (r AccessRule) IsPermit() bool { return r.Effect == EffectPermit }

// AppliesTo reports whether the rule governs requests to an application.
func (r AccessRule) AppliesTo(app string) bool {
	return len(r.Applications) == 0 || slices.Contains(r.Applications, app)
}

// IsUnconditional reports whether the rule sets no condition at all, so it
// matches every request.
func (r AccessRule) IsUnconditional() bool {
	return len(r.Groups) == 0 && r.Device == nil && !r.RequireVerifiedEmail && !r.RequireMFA &&
		len(r.Methods) == 0 && len(r.PathPrefixes) == 0 && len(r.ClientCIDRs) == 0
}

// UnresolvedPath reports whether a server may resolve a URL path to another
// than the one it reads: a "." or ".." segment, a percent-encoded dot, slash
// or backslash (any case), or a backslash, which some servers take for a
// slash. Path prefixes judge such a path as possibly anywhere (see
// AccessRule).
func UnresolvedPath(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	lower := strings.ToLower(p)
	return strings.Contains(lower, "%2e") || strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") || strings.Contains(p, `\`)
}

// methodRe accepts upper-case HTTP method tokens (GET, POST, VERSION-CONTROL…).
// Methods are case-sensitive; Verified Access reports them as sent.
var methodRe = regexp.MustCompile(`^[A-Z][A-Z0-9_-]{0,31}$`)

var domainRe = regexp.MustCompile(`^(?i)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// ParseClientCIDR parses a client CIDR into the canonical (masked) prefix the
// compiler emits. IPv4-mapped IPv6 prefixes are refused: Cedar's ip() cannot
// parse them; write the IPv4 prefix instead.
func ParseClientCIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a CIDR block (e.g. 10.0.0.0/8 or 2001:db8::/32)", s)
	}
	if p.Addr().Is4In6() {
		return netip.Prefix{}, fmt.Errorf("%q is an IPv4-mapped IPv6 prefix; write the IPv4 prefix instead", s)
	}
	return p.Masked(), nil
}

// Validate checks the whole surface: its name and sensitivity, its access
// proxy, its applications and every access rule, including the sensitivity
// floors (see Floors). It returns every problem found.
func (s ProtectSurface) Validate() Problems {
	var ps Problems
	if strings.TrimSpace(s.Name) == "" {
		ps.Errorf(Root("name"), "Name required", "a protect surface needs a name")
	}
	if SensitivityRank(s.Sensitivity) < 0 {
		ps.Errorf(Root("sensitivity"), "Unknown sensitivity", "sensitivity must be one of %s, got %q", strings.Join(Sensitivities, ", "), s.Sensitivity)
	}
	if proxyProblems := s.Proxy.Validate(); proxyProblems.HasErrors() {
		ps.Errorf(Root("proxy_id"), "Invalid access proxy", "the access proxy is invalid: %s", proxyProblems.Error())
	}

	apps := map[string]bool{}
	for i, a := range s.Applications {
		path := Root("application").Index(i)
		switch {
		case a.Name == "":
			ps.Errorf(path.At("name"), "Name required", "an application needs a name")
		case !utf8.ValidString(a.Name):
			ps.Errorf(path.At("name"), "Invalid name", "the application name is not valid UTF-8")
		case apps[a.Name]:
			ps.Errorf(path.At("name"), "Duplicate application", "another application is already named %q", a.Name)
		}
		apps[a.Name] = true
		switch a.Protocol {
		case "", ProtocolHTTP, ProtocolHTTPS, ProtocolTCP:
		default:
			ps.Errorf(path.At("protocol"), "Unknown protocol", "protocol must be %q, %q or %q, got %q", ProtocolHTTP, ProtocolHTTPS, ProtocolTCP, a.Protocol)
		}
		if a.Domain != "" && (len(a.Domain) > 253 || !domainRe.MatchString(a.Domain)) {
			ps.Errorf(path.At("domain"), "Invalid domain", "%q is not a DNS name such as app.internal.example.com", a.Domain)
		}
	}

	names := map[string]int{}
	for i, r := range s.AccessRules {
		path := Root("access_rule").Index(i)
		if j, dup := names[r.Name]; dup && r.Name != "" {
			ps.Errorf(path.At("name"), "Duplicate rule name", "access_rule[%d] is already named %q; rule names become Cedar @id annotations and must be unique", j, r.Name)
		} else {
			names[r.Name] = i
		}
		ps.Append(r.Validate(path, s, apps))
	}
	return ps
}

// Validate checks one rule of a surface at path; apps holds the surface's
// application names. Floors are checked for permit rules.
func (r AccessRule) Validate(path Path, s ProtectSurface, apps map[string]bool) Problems {
	var ps Problems
	switch {
	case r.Name == "":
		ps.Errorf(path.At("name"), "Name required", "an access rule needs a name (it becomes the Cedar @id of its statement)")
	case !utf8.ValidString(r.Name):
		ps.Errorf(path.At("name"), "Invalid name", "the rule name is not valid UTF-8")
	case len(r.Name) > MaxRuleNameBytes:
		ps.Errorf(path.At("name"), "Name too long", "rule names are at most %d bytes, got %d", MaxRuleNameBytes, len(r.Name))
	case strings.HasPrefix(r.Name, ReservedRuleNamePrefix):
		ps.Errorf(path.At("name"), "Reserved name", "names beginning with %q are reserved for statements the compiler adds", ReservedRuleNamePrefix)
	}
	switch r.Effect {
	case EffectPermit, EffectForbid:
	default:
		ps.Errorf(path.At("effect"), "Unknown effect", "effect must be %q or %q, got %q", EffectPermit, EffectForbid, r.Effect)
	}

	idp := s.Proxy.IdentityProvider
	checkDup := func(p Path, list []string, what string) {
		seen := map[string]bool{}
		for j, v := range list {
			if seen[v] {
				ps.Errorf(p.Index(j), "Duplicate "+what, "%q is listed twice", v)
			}
			seen[v] = true
		}
	}
	for j, g := range r.Groups {
		ps.Append(ValidateGroupRef(path.At("groups").Index(j), g, idp))
	}
	checkDup(path.At("groups"), r.Groups, "group")

	if r.Device != nil {
		ps.Append(r.Device.Validate(path.At("device"), s.Proxy))
	}
	if r.RequireMFA && idp.Type == IdentityIAMIdentityCenter && !idp.MFAEnforced {
		ps.Errorf(path.At("require_mfa"), "MFA not observable", "IAM Identity Center trust data carries no MFA claim; enforce MFA for every sign-in in Identity Center and set the proxy's identity_provider.mfa_enforced = true")
	}
	for j, m := range r.Methods {
		if !methodRe.MatchString(m) {
			ps.Errorf(path.At("methods").Index(j), "Invalid HTTP method", "%q is not an upper-case HTTP method such as GET or POST (methods are case-sensitive)", m)
		}
	}
	checkDup(path.At("methods"), r.Methods, "method")
	for j, p := range r.PathPrefixes {
		switch {
		case !utf8.ValidString(p):
			ps.Errorf(path.At("path_prefixes").Index(j), "Invalid path prefix", "the path prefix is not valid UTF-8")
		case !strings.HasPrefix(p, "/"):
			ps.Errorf(path.At("path_prefixes").Index(j), "Invalid path prefix", "%q must start with \"/\" (it is matched against the URL path, e.g. /admin/)", p)
		case strings.IndexFunc(p, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
			ps.Errorf(path.At("path_prefixes").Index(j), "Invalid path prefix", "%q holds white space or a control character; a URL path carries none unencoded", p)
		case UnresolvedPath(strings.TrimSuffix(p, "*")):
			ps.Errorf(path.At("path_prefixes").Index(j), "Invalid path prefix", "%q holds a \".\" or \"..\" segment, a percent-encoded dot, slash or backslash, or a backslash: a server may resolve such a path elsewhere, so requests are never judged to lie under it. Write the path as the application serves it, e.g. /admin/", p)
		case strings.HasPrefix(p, "//"):
			// Paths are also matched without their leading slash: stripped
			// of one, "//x" would match the absolute path /x.
			ps.Errorf(path.At("path_prefixes").Index(j), "Invalid path prefix", "%q starts with an empty path segment; write it with a single leading \"/\"", p)
		}
	}
	checkDup(path.At("path_prefixes"), r.PathPrefixes, "path prefix")
	canon := map[netip.Prefix]bool{}
	for j, c := range r.ClientCIDRs {
		p, err := ParseClientCIDR(c)
		if err != nil {
			ps.Errorf(path.At("client_cidrs").Index(j), "Invalid CIDR block", "%s", err.Error())
			continue
		}
		if canon[p] {
			ps.Errorf(path.At("client_cidrs").Index(j), "Duplicate CIDR block", "%q is %s, already listed", c, p)
		}
		canon[p] = true
	}
	for j, a := range r.Applications {
		if !apps[a] {
			ps.Errorf(path.At("applications").Index(j), "Unknown application", "the surface has no application named %q", a)
		}
	}
	checkDup(path.At("applications"), r.Applications, "application")
	ps.Append(r.checkHTTPConditions(path, s))

	if r.IsPermit() {
		ps.Append(CheckFloor(s.Sensitivity, r, path, s.OnlyTCP(r)))
	}
	return ps
}

// OnlyTCP reports whether every application a rule applies to is a TCP one
// (and there is at least one): such a rule has no HTTP methods to list.
func (s ProtectSurface) OnlyTCP(r AccessRule) bool {
	n := 0
	for _, a := range s.Applications {
		if r.AppliesTo(a.Name) {
			if !a.IsTCP() {
				return false
			}
			n++
		}
	}
	return n > 0
}

// checkHTTPConditions refuses HTTP conditions (methods, path_prefixes) and
// client_cidrs on a rule that applies to a TCP application. All three read
// context.http_request, which Verified Access does not document for TCP
// endpoints: where it is absent the condition is an evaluation error, the
// statement does not match, and the rule silently denies every TCP
// connection (permit) or never applies (forbid). Guarding the condition with
// `context has http_request` was considered and refused: for a permit the
// outcome (no TCP access) is the same silent surprise, and for a forbid the
// guard would make "forbid GET /admin" apply to no TCP connection, which no
// reviewer of the rule would expect. An error at plan time says it plainly.
func (r AccessRule) checkHTTPConditions(path Path, s ProtectSurface) Problems {
	var ps Problems
	var tcp string
	for _, a := range s.Applications {
		if a.IsTCP() && r.AppliesTo(a.Name) {
			tcp = a.Name
			break
		}
	}
	if tcp == "" {
		return nil
	}
	scope := fmt.Sprintf("this rule applies to the TCP application %q", tcp)
	if len(r.Applications) == 0 {
		scope = fmt.Sprintf("this rule lists no applications, so it applies to every application of the surface, including the TCP application %q", tcp)
	}
	for _, c := range []struct {
		attr string
		set  bool
		what string
	}{
		{"methods", len(r.Methods) > 0, "an HTTP method"},
		{"path_prefixes", len(r.PathPrefixes) > 0, "a URL path"},
		{"client_cidrs", len(r.ClientCIDRs) > 0, "the client address (context.http_request.client_ip)"},
	} {
		if c.set {
			ps.Errorf(path.At(c.attr), "HTTP condition on a TCP application",
				"%s tests %s, but Verified Access sends no HTTP request data for TCP connections: %s. The condition could not hold, so a permit would deny every TCP connection and a forbid would never apply. Limit the rule's applications to HTTP(S) ones, or split it into an HTTP rule and a TCP rule without %s.",
				c.attr, c.what, scope, c.attr)
		}
	}
	return ps
}
