// Package maturity stages a zero-trust posture on the CISA Zero Trust
// Maturity Model v2 (April 2023): five pillars — Identity, Devices,
// Networks, Applications & Workloads, Data — and three cross-cutting
// capabilities — Visibility & Analytics, Automation & Orchestration,
// Governance — each Traditional, Initial, Advanced or Optimal.
//
// The posture is derived from the provider's own resources (derive.go):
// every rule's groups, device posture, MFA and floor, every segment's
// enforcement and internet exposure, every grant's expiry and session, the
// proxy's logging, the decision checks over each surface. Each fact carries
// its source, the resource and attribute it came from, so a stage's evidence
// and next steps point at configuration. Only what the provider cannot know
// is declared (Declared). A stage means "the configuration supports this
// stage", never "the organisation operates at it".
//
// # Scoring rules
//
// A pillar reaches a stage when every condition of that stage and of every
// lower stage holds. "Sensitive" means confidential or restricted; "gated"
// means above public; "rules" are permit rules.
//
//	pillar          Initial                          Advanced                                          Optimal
//	identity        an identity provider on the      + every rule names groups; MFA on every            + MFA for every access (IdP-enforced or
//	                proxy                              sensitive surface (rule or IdP)                    every rule); phishing-resistant MFA*
//	devices         a device trust provider, or      + every rule of every sensitive surface          + every rule of every gated surface
//	                some rule requires devices         requires device posture                          requires device posture; two or more
//	                                                                                                    provider types
//	networks        a segment                        + every segment enforced (security group or      + every sensitive segment has both layers
//	                                                   Kubernetes default-deny); no internet-scale       and workload identity (Istio/SPIFFE)
//	                                                   sources into a sensitive segment
//	applications    a protect surface                + every rule meets its surface's floor,           + decision checks over every sensitive
//	                                                   acknowledged shortfalls included                  surface
//	data            some surface or segment          + every surface and segment classified; every    + encryption at rest and in transit*
//	                classified                         rule of every sensitive surface meets its floor
//	visibility      access logging on the proxy      + trust context in the logs                      + logs analysed centrally (SIEM)*
//	automation      posture as resources             + decision checks; every grant expires           + drift detection scheduled*; decision
//	                                                                                                    checks over every sensitive surface
//	governance      a surface or segment             + no acknowledged exception (rule, flow,         + sessions at most 1 h; access reviewed
//	                classified (floors apply)          grant); every grant expires                      every 90 days or more often*
//
// (* declared: outside the provider's knowledge.) A pillar with no evidence
// at all is Traditional. The overall stage is the lowest pillar stage:
// maturity is limited by the weakest pillar.
package maturity

import (
	"fmt"
	"slices"
	"strings"
)

// Stage is a CISA ZTMM maturity stage.
type Stage int

const (
	Traditional Stage = iota
	Initial
	Advanced
	Optimal
)

var stageNames = []string{"Traditional", "Initial", "Advanced", "Optimal"}

func (s Stage) String() string {
	if s < Traditional || s > Optimal {
		return fmt.Sprintf("Stage(%d)", int(s))
	}
	return stageNames[s]
}

// Pillar names, in the model's order.
const (
	PillarIdentity     = "Identity"
	PillarDevices      = "Devices"
	PillarNetworks     = "Networks"
	PillarApplications = "Applications & Workloads"
	PillarData         = "Data"
	PillarVisibility   = "Visibility & Analytics"
	PillarAutomation   = "Automation & Orchestration"
	PillarGovernance   = "Governance"
)

// Posture is what the resources establish, plus the few declared facts.
type Posture struct {
	Proxy            *Proxy // nil: no access proxy given
	Surfaces         []Surface
	Segments         []Segment
	PrivilegedAccess []PrivilegedGrant
	// DecisionChecks are the sources of every decision check given, over
	// any surface (a surface's own are also in Surface.DecisionChecks).
	DecisionChecks []string
	Declared       Declared
}

// Proxy is what the access proxy establishes. Each Source field names the
// attribute a fact came from; "" means the fact does not hold.
type Proxy struct {
	Resource         string // e.g. zerotrust_access_proxy.corp
	IdentityProvider string // type; "" none
	// MFAEnforced: the proxy's identity_provider.mfa_enforced, which its
	// compiled policies rely on for require_mfa.
	MFAEnforced     bool
	DeviceProviders []string // types of device_trust_provider
	// LoggingDestination names the attribute of the log destination, ""
	// when access is not logged.
	LoggingDestination  string
	IncludeTrustContext bool
}

// Surface is a protect surface's rules and the checks over its decisions.
type Surface struct {
	Resource    string // e.g. zerotrust_protect_surface.payments
	Sensitivity string // "" unclassified
	Rules       []Rule
	// DecisionChecks name the decision checks that evaluate this surface's
	// policy document.
	DecisionChecks []string
	// CustomerManagedKey: the surface's Verified Access objects are
	// encrypted with a key the organisation holds (kms_key_arn).
	CustomerManagedKey bool
}

// Rule is what one access rule requires.
type Rule struct {
	Source string // e.g. zerotrust_protect_surface.payments.access_rule[1]
	Permit bool
	Groups bool // names at least one access group
	MFA    bool // require_mfa
	Device bool // a device requirement with at least one condition
	// Shortfalls are the attributes below the surface's sensitivity floor
	// (an unacknowledged one fails at plan, so a planned rule has them only
	// when acknowledged).
	Shortfalls []string
	// Acknowledged: the rule carries an acknowledgement.
	Acknowledged bool
}

// Segment is how a workload segment is enforced and exposed. Each Source
// field names the resource attribute that establishes the fact; "" means
// the fact does not hold.
type Segment struct {
	Resource              string // e.g. zerotrust_segment.db
	Sensitivity           string // "" unclassified
	SecurityGroup         string // enforced by an EC2 security group
	KubernetesDefaultDeny string // a default-deny NetworkPolicy over its namespace
	WorkloadIdentity      string // an Istio AuthorizationPolicy admitting SPIFFE principals
	// InternetIngress names the inbound flows whose CIDR sources together
	// cover internet-scale public address space; empty when they do not.
	InternetIngress []string
	// AcknowledgedFlows name inbound flows carrying an acknowledgement.
	AcknowledgedFlows []string
}

// PrivilegedGrant is one privileged access grant's limits.
type PrivilegedGrant struct {
	Resource       string
	Expires        bool // expires_at set: just in time
	SessionMinutes int  // session length
	Acknowledged   bool // over-privilege lint acknowledged
}

// Declared are the facts outside the provider's knowledge.
type Declared struct {
	PhishingResistantMFA    bool // the identity provider accepts only FIDO2/WebAuthn or PIV
	CentralAnalysis         bool // access logs flow into a SIEM
	DriftDetectionScheduled bool // plans run on a schedule
	EncryptedAtRest         bool
	EncryptedInTransit      bool
	AccessReviewDays        int // days between access reviews; 0 none
}

// Assessment of one pillar.
type Assessment struct {
	Pillar   string
	Stage    Stage
	Evidence []string // why it reached Stage, naming the sources
	Next     []string // what the next stage needs, naming what falls short; empty at Optimal
}

// Result is every pillar's assessment and the overall stage.
type Result struct {
	Pillars []Assessment
	Overall Stage
}

// condition is one requirement of a stage: its evidence when it holds, its
// remedy when not.
type condition struct {
	holds    bool
	evidence string
	remedy   string
}

// climb scores one pillar: stage k is reached when the conditions of
// stages 1..k all hold.
func climb(pillar string, stages ...[]condition) Assessment {
	a := Assessment{Pillar: pillar}
	for i, conds := range stages {
		var missing []string
		for _, c := range conds {
			if !c.holds {
				missing = append(missing, c.remedy)
			}
		}
		if len(missing) > 0 {
			a.Next = missing
			return a
		}
		a.Stage = Stage(i + 1)
		for _, c := range conds {
			a.Evidence = append(a.Evidence, c.evidence)
		}
	}
	return a
}

func sensitive(s string) bool { return s == "confidential" || s == "restricted" }
func gated(s string) bool     { return s != "public" }

// every checks a fact over a set of sources: the condition holds when no
// source fails (and, with nonEmpty, at least one exists). Its evidence and
// remedy name the sources.
type every struct {
	pass, fail []string
}

func (e *every) add(ok bool, source string) {
	if ok {
		e.pass = append(e.pass, source)
	} else {
		e.fail = append(e.fail, source)
	}
}

func (e every) cond(nonEmpty bool, what, remedy string) condition {
	holds := len(e.fail) == 0 && (!nonEmpty || len(e.pass) > 0)
	c := condition{holds: holds, evidence: what + ": " + listOrNone(e.pass)}
	switch {
	case len(e.fail) > 0:
		c.remedy = remedy + ": " + strings.Join(e.fail, ", ")
	default:
		c.remedy = remedy
	}
	return c
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

// rules visits every permit rule of the surfaces that pass keep.
func (p Posture) rules(keep func(Surface) bool, f func(Surface, Rule)) {
	for _, s := range p.Surfaces {
		if !keep(s) {
			continue
		}
		for _, r := range s.Rules {
			if r.Permit {
				f(s, r)
			}
		}
	}
}

func anySurface(Surface) bool         { return true }
func sensitiveSurface(s Surface) bool { return sensitive(s.Sensitivity) }

// Assess stages every pillar.
func Assess(p Posture) Result {
	res := Result{}
	res.Pillars = append(res.Pillars, identity(p), devices(p), networks(p), applications(p), data(p),
		visibility(p), automation(p), governance(p))
	res.Overall = Optimal
	for _, a := range res.Pillars {
		res.Overall = min(res.Overall, a.Stage)
	}
	return res
}

func (p Posture) proxyAttr(attr string) string {
	if p.Proxy == nil {
		return "the access proxy (access_proxy)"
	}
	return p.Proxy.Resource + "." + attr
}

func identity(p Posture) Assessment {
	idp, mfaAtIdP := "", false
	if p.Proxy != nil {
		idp, mfaAtIdP = p.Proxy.IdentityProvider, p.Proxy.MFAEnforced
	}
	var groups, sensitiveMFA, allMFA every
	p.rules(anySurface, func(s Surface, r Rule) {
		groups.add(r.Groups, r.Source+".groups")
		allMFA.add(r.MFA, r.Source+".require_mfa")
		if sensitive(s.Sensitivity) {
			sensitiveMFA.add(r.MFA || mfaAtIdP, r.Source+".require_mfa")
		}
	})
	mfaEverywhere := condition{holds: mfaAtIdP, evidence: "MFA enforced at every sign-in: " + p.proxyAttr("identity_provider.mfa_enforced"),
		remedy: "enforce MFA at the identity provider (" + p.proxyAttr("identity_provider.mfa_enforced") + ") or require_mfa on every rule"}
	if !mfaAtIdP {
		mfaEverywhere = allMFA.cond(true, "MFA required by every rule", "require_mfa on every rule, or enforce MFA at the identity provider ("+p.proxyAttr("identity_provider.mfa_enforced")+")")
	}
	sensitiveMFACond := sensitiveMFA.cond(false, "MFA on every sensitive surface's rules", "require MFA on the rules of every confidential and restricted surface")
	if mfaAtIdP {
		sensitiveMFACond.evidence = "MFA on every sensitive surface: enforced at sign-in by " + p.proxyAttr("identity_provider.mfa_enforced")
	}
	return climb(PillarIdentity,
		[]condition{{idp != "", "identity provider " + idp + " authenticates every request: " + p.proxyAttr("identity_provider.type"),
			"attach an identity provider (IAM Identity Center or OIDC) to " + p.proxyAttr("identity_provider")}},
		[]condition{
			groups.cond(true, "every rule grants access by group", "name access groups in every permit rule"),
			sensitiveMFACond,
		},
		[]condition{
			mfaEverywhere,
			{p.Declared.PhishingResistantMFA, "phishing-resistant MFA (declared)", "use phishing-resistant MFA (FIDO2/WebAuthn or PIV) only, and declare it (declared.phishing_resistant_mfa)"},
		})
}

func devices(p Posture) Assessment {
	var types []string
	if p.Proxy != nil {
		types = slices.Clone(p.Proxy.DeviceProviders)
	}
	slices.Sort(types)
	types = slices.Compact(types)
	var anyDevice, sensitiveDevice, gatedDevice every
	p.rules(anySurface, func(s Surface, r Rule) {
		at := r.Source + ".device"
		if r.Device {
			anyDevice.add(true, at)
		}
		if sensitive(s.Sensitivity) {
			sensitiveDevice.add(r.Device, at)
		}
		if gated(s.Sensitivity) {
			gatedDevice.add(r.Device, at)
		}
	})
	initial := condition{holds: len(types) > 0 || len(anyDevice.pass) > 0,
		evidence: "device signals: " + listOrNone(append(prefixed(p.proxyAttr("device_trust_provider")+" ", types), anyDevice.pass...)),
		remedy:   "attach a device trust provider (Jamf, CrowdStrike or JumpCloud) to " + p.proxyAttr("device_trust_provider") + " and require device posture in rules"}
	return climb(PillarDevices,
		[]condition{initial},
		[]condition{sensitiveDevice.cond(true, "device posture required by every rule of every sensitive surface", "require device posture in every rule of every confidential and restricted surface")},
		[]condition{
			gatedDevice.cond(false, "device posture required by every rule above public", "require device posture in every rule of every surface above public"),
			{len(types) >= 2, "two or more device signal sources: " + strings.Join(types, ", "),
				"combine at least two device trust providers on " + p.proxyAttr("device_trust_provider") + " (e.g. Jamf for management and CrowdStrike for threat posture)"},
		})
}

func prefixed(prefix string, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = prefix + x
	}
	return out
}

func networks(p Posture) Assessment {
	var enforced, closed, layered every
	var names []string
	for _, s := range p.Segments {
		names = append(names, s.Resource)
		switch {
		case s.SecurityGroup != "" && s.KubernetesDefaultDeny != "":
			enforced.add(true, s.SecurityGroup+" and "+s.KubernetesDefaultDeny)
		case s.SecurityGroup != "":
			enforced.add(true, s.SecurityGroup)
		case s.KubernetesDefaultDeny != "":
			enforced.add(true, s.KubernetesDefaultDeny)
		default:
			enforced.add(false, s.Resource+" (no security group, no Kubernetes default-deny policy over it)")
		}
		if !sensitive(s.Sensitivity) {
			continue
		}
		if len(s.InternetIngress) > 0 {
			closed.add(false, s.Resource+" from "+strings.Join(s.InternetIngress, ", "))
		} else {
			closed.add(true, s.Resource)
		}
		var missing []string
		for _, l := range []struct{ src, what string }{{s.SecurityGroup, "security group"}, {s.KubernetesDefaultDeny, "Kubernetes default-deny"}, {s.WorkloadIdentity, "Istio workload identity"}} {
			if l.src == "" {
				missing = append(missing, l.what)
			}
		}
		if len(missing) == 0 {
			layered.add(true, s.Resource+" by "+s.WorkloadIdentity)
		} else {
			layered.add(false, s.Resource+" (no "+strings.Join(missing, ", no ")+")")
		}
	}
	return climb(PillarNetworks,
		[]condition{{len(p.Segments) > 0, "segments: " + strings.Join(names, ", "), "declare workload segments (zerotrust_segment) and pass them (segments)"}},
		[]condition{
			enforced.cond(false, "every segment enforced deny-by-default", "enforce every segment with a security group (vpc_id) or a segment policy whose Kubernetes default-deny covers its namespace"),
			closed.cond(false, "no internet-scale source into a sensitive segment", "remove the flows whose sources cover the internet from confidential and restricted segments"),
		},
		[]condition{layered.cond(true, "every sensitive segment has a security group, Kubernetes default-deny and workload identity",
			"give every confidential and restricted segment a security group, a Kubernetes placement under a default-deny policy, and istio = true on its policy")})
}

func applications(p Posture) Assessment {
	var floors every
	p.rules(anySurface, func(_ Surface, r Rule) {
		if len(r.Shortfalls) == 0 {
			floors.add(true, r.Source)
		} else {
			floors.add(false, r.Source+" ("+strings.Join(r.Shortfalls, ", ")+" below the floor, acknowledged)")
		}
	})
	var names []string
	for _, s := range p.Surfaces {
		names = append(names, s.Resource)
	}
	return climb(PillarApplications,
		[]condition{{len(p.Surfaces) > 0, "surfaces behind the access proxy: " + strings.Join(names, ", "), "put applications behind the access proxy as protect surfaces and pass them (protect_surfaces)"}},
		[]condition{floors.cond(false, "every rule meets its surface's sensitivity floor", "strengthen the rules acknowledged below their surface's floor")},
		[]condition{checked(p).cond(true, "decisions checked on every sensitive surface", "check the decisions of every confidential and restricted surface (zerotrust_access_decision over its policy_document, passed in decision_checks)")})
}

// checked is whether every sensitive surface has a decision check over it.
func checked(p Posture) every {
	var e every
	for _, s := range p.Surfaces {
		if !sensitive(s.Sensitivity) {
			continue
		}
		if len(s.DecisionChecks) > 0 {
			e.add(true, s.Resource+" by ["+strings.Join(s.DecisionChecks, ", ")+"]")
		} else {
			e.add(false, s.Resource+".policy_document")
		}
	}
	return e
}

// data stages the Data pillar. Classification and floors are derived; the
// Optimal conditions are the data-protection facts, declared today — a fact
// derived from a resource (a key on a surface's store) joins them here.
func data(p Posture) Assessment {
	var classified, sensitiveFloors every
	for _, s := range p.Surfaces {
		classified.add(s.Sensitivity != "", s.Resource+".sensitivity")
	}
	for _, s := range p.Segments {
		classified.add(s.Sensitivity != "", s.Resource+".sensitivity")
	}
	p.rules(sensitiveSurface, func(_ Surface, r Rule) {
		sensitiveFloors.add(len(r.Shortfalls) == 0, r.Source)
	})
	return climb(PillarData,
		[]condition{{len(classified.pass) > 0, "assets classified: " + listOrNone(classified.pass), "classify surfaces and segments by sensitivity"}},
		[]condition{
			classified.cond(true, "every surface and segment classified", "classify every surface and segment"),
			sensitiveFloors.cond(false, "every rule of every sensitive surface meets its floor", "bring every rule of every confidential and restricted surface up to its floor"),
		},
		dataProtection(p))
}

// dataProtection are the Data pillar's Optimal conditions: the declared
// encryption of the data itself, and the customer-managed keys of the
// restricted surfaces' Verified Access objects (derived).
func dataProtection(p Posture) []condition {
	var keyed every
	for _, s := range p.Surfaces {
		if s.Sensitivity == "restricted" {
			keyed.add(s.CustomerManagedKey, s.Resource+".kms_key_arn")
		}
	}
	return []condition{
		{p.Declared.EncryptedAtRest && p.Declared.EncryptedInTransit, "encryption at rest and in transit (declared)",
			"encrypt the data behind sensitive surfaces at rest and in transit, and declare it (declared.encrypted_at_rest, declared.encrypted_in_transit)"},
		keyed.cond(false, "every restricted surface encrypted with a customer-managed key", "encrypt every restricted surface's Verified Access objects with a customer-managed key"),
	}
}

func visibility(p Posture) Assessment {
	logging, trust := "", false
	if p.Proxy != nil {
		logging, trust = p.Proxy.LoggingDestination, p.Proxy.IncludeTrustContext
	}
	return climb(PillarVisibility,
		[]condition{{logging != "", "access decisions logged: " + logging, "log access decisions: a destination in " + p.proxyAttr("logging")}},
		[]condition{{trust, "logs carry the trust context of each decision: " + p.proxyAttr("logging.include_trust_context"), "include the trust context in the access logs (" + p.proxyAttr("logging.include_trust_context") + ")"}},
		[]condition{{p.Declared.CentralAnalysis, "logs analysed centrally (declared)", "send the access logs to a SIEM, and declare it (declared.central_analysis)"}})
}

func (p Posture) expiring() every {
	var e every
	for _, g := range p.PrivilegedAccess {
		e.add(g.Expires, g.Resource+".expires_at")
	}
	return e
}

func automation(p Posture) Assessment {
	asCode := p.Proxy != nil || len(p.Surfaces) > 0 || len(p.Segments) > 0 || len(p.PrivilegedAccess) > 0
	return climb(PillarAutomation,
		[]condition{{asCode, "posture declared as zerotrust resources", "declare the posture as zerotrust resources and pass them to the assessment"}},
		[]condition{
			{len(p.DecisionChecks) > 0, fmt.Sprintf("%d decision checks: %s", len(p.DecisionChecks), strings.Join(p.DecisionChecks, ", ")), "check decisions before apply (zerotrust_access_decision data sources, passed in decision_checks)"},
			p.expiring().cond(false, "every privileged grant expires (just in time)", "give every privileged grant an expires_at"),
		},
		[]condition{
			{p.Declared.DriftDetectionScheduled, "drift detection scheduled (declared)", "run plans on a schedule to detect drift, and declare it (declared.drift_detection_scheduled)"},
			checked(p).cond(true, "every sensitive surface's decisions checked automatically", "check the decisions of every confidential and restricted surface"),
		})
}

func governance(p Posture) Assessment {
	var classified []string
	for _, s := range p.Surfaces {
		if s.Sensitivity != "" {
			classified = append(classified, s.Resource+".sensitivity")
		}
	}
	for _, s := range p.Segments {
		if s.Sensitivity != "" {
			classified = append(classified, s.Resource+".sensitivity")
		}
	}
	var exceptions, sessions every
	p.rules(anySurface, func(_ Surface, r Rule) {
		if r.Acknowledged && len(r.Shortfalls) > 0 {
			exceptions.add(false, r.Source+".acknowledgement")
		}
	})
	for _, s := range p.Segments {
		for _, f := range s.AcknowledgedFlows {
			exceptions.add(false, f+".acknowledgement")
		}
	}
	for _, g := range p.PrivilegedAccess {
		if g.Acknowledged {
			exceptions.add(false, g.Resource+".acknowledgement")
		}
		sessions.add(g.SessionMinutes > 0 && g.SessionMinutes <= 60, fmt.Sprintf("%s.session_duration (%d min)", g.Resource, g.SessionMinutes))
	}
	noExceptions := condition{holds: len(exceptions.fail) == 0, evidence: "no acknowledged exception in any rule, flow or grant",
		remedy: "resolve the acknowledged exceptions: " + strings.Join(exceptions.fail, ", ")}
	review := p.Declared.AccessReviewDays
	return climb(PillarGovernance,
		[]condition{{len(classified) > 0, "sensitivity floors enforced at plan: " + strings.Join(classified, ", "), "classify surfaces or segments so their sensitivity floors apply"}},
		[]condition{noExceptions, p.expiring().cond(false, "every privileged grant expires", "give every privileged grant an expires_at")},
		[]condition{
			sessions.cond(false, "privileged sessions last at most one hour", "limit privileged session_duration to PT1H"),
			{review > 0 && review <= 90, fmt.Sprintf("access reviewed every %d days (declared)", review), "review access at least every 90 days, and declare it (declared.access_review_days)"},
		})
}
