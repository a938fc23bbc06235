// Package maturity stages a declared zero-trust posture on the CISA Zero
// Trust Maturity Model v2 (April 2023): five pillars — Identity, Devices,
// Networks, Applications & Workloads, Data — and three cross-cutting
// capabilities — Visibility & Analytics, Automation & Orchestration,
// Governance — each Traditional, Initial, Advanced or Optimal.
//
// It judges only what configuration declares (the provider cannot observe
// runtime behaviour), so a stage means "the declaration supports this
// stage", never "the organisation operates at it". Every stage comes with the
// evidence that earned it and the facts that would raise it.
//
// # Scoring rules
//
// A pillar reaches a stage when every condition of that stage and of every
// lower stage holds. "Sensitive" means confidential or restricted; "gated
// surfaces" are surfaces above public.
//
//	pillar          Initial                          Advanced                                          Optimal
//	identity        an identity provider             + every surface's permit rules name groups;       + MFA on every surface (IdP-enforced
//	                                                   MFA on every sensitive surface (rule or IdP)      or every rule) and phishing-resistant MFA
//	devices         a device trust provider, or      + every sensitive surface requires device        + every gated surface requires device
//	                some surface requires devices      posture                                          posture; two or more provider types
//	networks        a segment declared               + every segment enforced (security group or      + every sensitive segment has both layers
//	                                                   Kubernetes default-deny); no open-internet        and workload identity (Istio/SPIFFE)
//	                                                   flow into a sensitive segment
//	applications    a surface behind the proxy       + every surface meets its sensitivity floor      + every sensitive surface has its decisions
//	                                                   with no acknowledged shortfall                   tested (a check / decision test)
//	data            some surface or segment          + every surface and segment classified; every    + encryption at rest and in transit
//	                classified                         sensitive surface meets its floor                declared
//	visibility      access logging on                + trust context included in the logs            + logs analysed centrally (SIEM)
//	automation      policy declared as code          + decision checks run in the pipeline; every     + drift detection scheduled; every
//	                                                   privileged grant expires (JIT)                   sensitive surface tested
//	governance      sensitivity floors apply to      + no acknowledged exception; every privileged    + privileged sessions at most 1 h; access
//	                some surface or segment            grant expires                                    reviewed every 90 days or more often
//
// A pillar with no evidence at all is Traditional. The overall stage is the
// lowest pillar stage: maturity is limited by the weakest pillar.
package maturity

import (
	"fmt"
	"slices"
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

// Posture is what a configuration declares, as facts a module can pass.
type Posture struct {
	Identity         Identity
	DeviceProviders  []string // device trust provider types attached to the proxy (jamf, crowdstrike, jumpcloud)
	Surfaces         []Surface
	Segments         []Segment
	PrivilegedAccess []PrivilegedGrant
	Visibility       Visibility
	Automation       Automation
	Data             Data
	Governance       Governance
}

// Identity describes the user trust provider.
type Identity struct {
	Provider             string // "" (none), iam-identity-center, oidc
	MFAEnforced          bool   // the IdP demands MFA at every sign-in
	PhishingResistantMFA bool   // FIDO2/WebAuthn or PIV only
}

// Surface summarises one protect surface's access rules.
type Surface struct {
	Name        string
	Sensitivity string // public | internal | confidential | restricted; "" unclassified
	// Every permit rule names groups / requires MFA / requires device posture.
	GroupsRequired, MFARequired, DeviceRequired bool
	// FloorsMet: no permit rule falls below the sensitivity floor, not even
	// with an acknowledgement.
	FloorsMet bool
	// Tested: some check block or decision test exercises the policy.
	Tested bool
}

// Segment summarises one workload segment.
type Segment struct {
	Name                  string
	Sensitivity           string // "" unclassified
	SecurityGroup         bool   // enforced by an EC2 security group
	KubernetesDefaultDeny bool   // enforced by a default-deny NetworkPolicy
	WorkloadIdentity      bool   // Istio AuthorizationPolicy with SPIFFE principals
	// InternetIngress: a flow admits the whole internet (acknowledged, or
	// it would not compile).
	InternetIngress bool
}

// PrivilegedGrant summarises one privileged access grant.
type PrivilegedGrant struct {
	Name           string
	Expires        bool // expires_at set: just in time
	SessionMinutes int  // session duration; 0 unknown
}

// Visibility is what is logged and analysed.
type Visibility struct {
	AccessLogging       bool // Verified Access logs to some destination
	IncludeTrustContext bool // logs carry the trust data behind each decision
	CentralAnalysis     bool // logs flow into a SIEM / analytics platform
}

// Automation is how policy is delivered.
type Automation struct {
	PolicyAsCode            bool // posture declared in reviewed configuration
	DecisionChecks          int  // check blocks / decision tests in the pipeline
	DriftDetectionScheduled bool // plans run on a schedule to catch drift
}

// Data is what is declared about data protection.
type Data struct {
	EncryptedAtRest, EncryptedInTransit bool
}

// Governance is how exceptions and access are governed.
type Governance struct {
	AcknowledgedExceptions int // acknowledgements in configuration (floors, internet flows)
	AccessReviewDays       int // days between access reviews; 0 none
}

// Assessment of one pillar.
type Assessment struct {
	Pillar   string
	Stage    Stage
	Evidence []string // why it reached Stage
	Next     []string // what the next stage needs; empty at Optimal
}

// Result is every pillar's assessment and the overall stage.
type Result struct {
	Pillars []Assessment
	Overall Stage
}

// ladder scores one pillar: stage k is reached when the conditions of
// stages 1..k all hold. Each condition carries evidence (when held) and a
// remedy (when not).
type condition struct {
	holds    bool
	evidence string
	remedy   string
}

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

// all reports whether every element satisfies f (true for none).
func all[T any](xs []T, f func(T) bool) bool {
	for _, x := range xs {
		if !f(x) {
			return false
		}
	}
	return true
}

func count[T any](xs []T, f func(T) bool) int {
	n := 0
	for _, x := range xs {
		if f(x) {
			n++
		}
	}
	return n
}

// Assess stages every pillar.
func Assess(p Posture) Result {
	sensSurfaces := count(p.Surfaces, func(s Surface) bool { return sensitive(s.Sensitivity) })
	gated := func(s Surface) bool { return s.Sensitivity != "public" }
	providerTypes := slices.Clone(p.DeviceProviders)
	slices.Sort(providerTypes)
	providerTypes = slices.Compact(providerTypes)
	grantsExpire := all(p.PrivilegedAccess, func(g PrivilegedGrant) bool { return g.Expires })

	res := Result{}
	res.Pillars = append(res.Pillars,
		climb(PillarIdentity,
			[]condition{{p.Identity.Provider != "", "identity provider " + p.Identity.Provider + " authenticates every request", "attach an identity provider (IAM Identity Center or OIDC) to the access proxy"}},
			[]condition{
				{len(p.Surfaces) > 0 && all(p.Surfaces, func(s Surface) bool { return s.GroupsRequired }), fmt.Sprintf("all %d surfaces grant access by group", len(p.Surfaces)), "make every permit rule on every surface name access groups"},
				{all(p.Surfaces, func(s Surface) bool { return !sensitive(s.Sensitivity) || s.MFARequired || p.Identity.MFAEnforced }), fmt.Sprintf("MFA required on all %d sensitive surfaces", sensSurfaces), "require MFA (require_mfa, or mfa_enforced on the identity provider) on every confidential and restricted surface"},
			},
			[]condition{
				{p.Identity.MFAEnforced || (len(p.Surfaces) > 0 && all(p.Surfaces, func(s Surface) bool { return s.MFARequired })), "MFA required for every access", "enforce MFA for every access (mfa_enforced on the identity provider)"},
				{p.Identity.PhishingResistantMFA, "phishing-resistant MFA", "use phishing-resistant MFA (FIDO2/WebAuthn or PIV) only"},
			}),
		climb(PillarDevices,
			[]condition{{len(providerTypes) > 0 || slices.ContainsFunc(p.Surfaces, func(s Surface) bool { return s.DeviceRequired }), fmt.Sprintf("device trust providers: %v", providerTypes), "attach a device trust provider (Jamf, CrowdStrike or JumpCloud) and require device posture"}},
			[]condition{{sensSurfaces > 0 && all(p.Surfaces, func(s Surface) bool { return !sensitive(s.Sensitivity) || s.DeviceRequired }), fmt.Sprintf("device posture required on all %d sensitive surfaces", sensSurfaces), "require device posture on every confidential and restricted surface"}},
			[]condition{
				{all(p.Surfaces, func(s Surface) bool { return !gated(s) || s.DeviceRequired }), "device posture required on every non-public surface", "require device posture on every surface above public"},
				{len(providerTypes) >= 2, "two or more device signal sources (e.g. MDM and EDR)", "combine at least two device trust providers (e.g. Jamf for management and CrowdStrike for threat posture)"},
			}),
		climb(PillarNetworks,
			[]condition{{len(p.Segments) > 0, fmt.Sprintf("%d segments declared", len(p.Segments)), "declare workload segments (zerotrust_segment) instead of a flat network"}},
			[]condition{
				{all(p.Segments, func(s Segment) bool { return s.SecurityGroup || s.KubernetesDefaultDeny }), "every segment enforced deny-by-default (security group or Kubernetes default-deny)", "enforce every segment with a security group or a default-deny NetworkPolicy"},
				{!slices.ContainsFunc(p.Segments, func(s Segment) bool { return sensitive(s.Sensitivity) && s.InternetIngress }), "no open-internet flow into a sensitive segment", "remove acknowledged open-internet flows into confidential and restricted segments"},
			},
			[]condition{{
				count(p.Segments, func(s Segment) bool { return sensitive(s.Sensitivity) }) > 0 &&
					all(p.Segments, func(s Segment) bool {
						return !sensitive(s.Sensitivity) || (s.SecurityGroup && s.KubernetesDefaultDeny && s.WorkloadIdentity)
					}),
				"every sensitive segment has network and workload-identity microsegmentation",
				"give every confidential and restricted segment both a security group and Kubernetes default-deny, plus Istio workload identity (SPIFFE principals)",
			}}),
		climb(PillarApplications,
			[]condition{{len(p.Surfaces) > 0, fmt.Sprintf("%d applications' surfaces behind the access proxy", len(p.Surfaces)), "put applications behind the access proxy as protect surfaces"}},
			[]condition{{all(p.Surfaces, func(s Surface) bool { return s.FloorsMet }), "every surface meets its sensitivity floor without exceptions", "strengthen every access rule acknowledged below its surface's floor"}},
			[]condition{{sensSurfaces > 0 && all(p.Surfaces, func(s Surface) bool { return !sensitive(s.Sensitivity) || s.Tested }), "every sensitive surface's decisions are tested", "test every confidential and restricted surface's decisions (zerotrust_access_decision in a check block)"}}),
		climb(PillarData,
			[]condition{{slices.ContainsFunc(p.Surfaces, func(s Surface) bool { return s.Sensitivity != "" }) || slices.ContainsFunc(p.Segments, func(s Segment) bool { return s.Sensitivity != "" }), "assets classified by sensitivity", "classify surfaces and segments by sensitivity"}},
			[]condition{
				{all(p.Surfaces, func(s Surface) bool { return s.Sensitivity != "" }) && all(p.Segments, func(s Segment) bool { return s.Sensitivity != "" }), "every surface and segment classified", "classify every surface and segment"},
				{all(p.Surfaces, func(s Surface) bool { return !sensitive(s.Sensitivity) || s.FloorsMet }), "every sensitive surface meets its floor", "bring every confidential and restricted surface up to its floor"},
			},
			[]condition{{p.Data.EncryptedAtRest && p.Data.EncryptedInTransit, "encryption at rest and in transit", "declare encryption at rest and in transit for the data behind sensitive surfaces"}}),
		climb(PillarVisibility,
			[]condition{{p.Visibility.AccessLogging, "access decisions logged", "enable access logging on the access proxy"}},
			[]condition{{p.Visibility.IncludeTrustContext, "logs carry the trust context of each decision", "include the trust context in access logs (include_trust_context)"}},
			[]condition{{p.Visibility.CentralAnalysis, "logs analysed centrally", "send access logs to a central analytics platform (SIEM)"}}),
		climb(PillarAutomation,
			[]condition{{p.Automation.PolicyAsCode, "posture declared as code", "declare the posture in reviewed configuration"}},
			[]condition{
				{p.Automation.DecisionChecks > 0, fmt.Sprintf("%d decision checks run before apply", p.Automation.DecisionChecks), "add decision checks (zerotrust_access_decision in check blocks)"},
				{grantsExpire, "every privileged grant expires (just in time)", "give every privileged access grant an expires_at"},
			},
			[]condition{
				{p.Automation.DriftDetectionScheduled, "drift detection scheduled", "run plans on a schedule to detect drift"},
				{sensSurfaces > 0 && all(p.Surfaces, func(s Surface) bool { return !sensitive(s.Sensitivity) || s.Tested }), "every sensitive surface tested automatically", "test every confidential and restricted surface's decisions"},
			}),
		climb(PillarGovernance,
			[]condition{{slices.ContainsFunc(p.Surfaces, func(s Surface) bool { return s.Sensitivity != "" }) || slices.ContainsFunc(p.Segments, func(s Segment) bool { return s.Sensitivity != "" }), "sensitivity floors enforced at plan time", "classify surfaces or segments so their sensitivity floors apply"}},
			[]condition{
				{p.Governance.AcknowledgedExceptions == 0, "no acknowledged exception to a floor", fmt.Sprintf("resolve the %d acknowledged exceptions", p.Governance.AcknowledgedExceptions)},
				{grantsExpire, fmt.Sprintf("all %d privileged grants expire", len(p.PrivilegedAccess)), "give every privileged access grant an expires_at"},
			},
			[]condition{
				{all(p.PrivilegedAccess, func(g PrivilegedGrant) bool { return g.SessionMinutes > 0 && g.SessionMinutes <= 60 }), "privileged sessions last at most one hour", "limit privileged session_duration to PT1H"},
				{p.Governance.AccessReviewDays > 0 && p.Governance.AccessReviewDays <= 90, fmt.Sprintf("access reviewed every %d days", p.Governance.AccessReviewDays), "review access at least every 90 days"},
			}),
	)
	res.Overall = Optimal
	for _, a := range res.Pillars {
		res.Overall = min(res.Overall, a.Stage)
	}
	return res
}
