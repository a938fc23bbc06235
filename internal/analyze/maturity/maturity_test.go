package maturity

import (
	"strings"
	"testing"
)

// optimal is a posture that meets every rule; each test case takes one fact
// away and expects exactly the boundary the doc table names.
func optimal() Posture {
	return Posture{
		Identity:        Identity{Provider: "oidc", MFAEnforced: true, PhishingResistantMFA: true},
		DeviceProviders: []string{"jamf", "crowdstrike"},
		Surfaces: []Surface{
			{Name: "payments", Sensitivity: "restricted", GroupsRequired: true, MFARequired: true, DeviceRequired: true, FloorsMet: true, Tested: true},
			{Name: "wiki", Sensitivity: "internal", GroupsRequired: true, DeviceRequired: true, FloorsMet: true},
		},
		Segments: []Segment{
			{Name: "db", Sensitivity: "restricted", SecurityGroup: true, KubernetesDefaultDeny: true, WorkloadIdentity: true},
			{Name: "web", Sensitivity: "public", SecurityGroup: true, InternetIngress: true},
		},
		PrivilegedAccess: []PrivilegedGrant{{Name: "oncall", Expires: true, SessionMinutes: 60}},
		Visibility:       Visibility{AccessLogging: true, IncludeTrustContext: true, CentralAnalysis: true},
		Automation:       Automation{PolicyAsCode: true, DecisionChecks: 2, DriftDetectionScheduled: true},
		Data:             Data{EncryptedAtRest: true, EncryptedInTransit: true},
		Governance:       Governance{AccessReviewDays: 90},
	}
}

func pillar(t *testing.T, r Result, name string) Assessment {
	t.Helper()
	for _, a := range r.Pillars {
		if a.Pillar == name {
			return a
		}
	}
	t.Fatalf("no pillar %q", name)
	return Assessment{}
}

func TestAssess_optimal(t *testing.T) {
	r := Assess(optimal())
	if len(r.Pillars) != 8 {
		t.Fatalf("%d pillars, want 8", len(r.Pillars))
	}
	for _, a := range r.Pillars {
		if a.Stage != Optimal || len(a.Next) != 0 || len(a.Evidence) == 0 {
			t.Errorf("%s: %s next=%q evidence=%q, want Optimal with evidence and nothing next", a.Pillar, a.Stage, a.Next, a.Evidence)
		}
	}
	if r.Overall != Optimal {
		t.Errorf("overall %s", r.Overall)
	}
}

func TestAssess_empty(t *testing.T) {
	r := Assess(Posture{})
	for _, a := range r.Pillars {
		if a.Stage != Traditional || len(a.Next) == 0 {
			t.Errorf("%s: %s next=%q, want Traditional with a next step", a.Pillar, a.Stage, a.Next)
		}
	}
}

func TestAssess_boundaries(t *testing.T) {
	cases := []struct {
		name   string
		pillar string
		mutate func(*Posture)
		want   Stage
		next   string // substring of a next step
	}{
		// Identity
		{"no IdP", PillarIdentity, func(p *Posture) { p.Identity = Identity{} }, Traditional, "identity provider"},
		{"a rule without groups", PillarIdentity, func(p *Posture) { p.Surfaces[1].GroupsRequired = false }, Initial, "name access groups"},
		{"sensitive surface without MFA", PillarIdentity, func(p *Posture) { p.Identity.MFAEnforced = false; p.Surfaces[0].MFARequired = false }, Initial, "require MFA"},
		{"MFA only on sensitive surfaces", PillarIdentity, func(p *Posture) { p.Identity.MFAEnforced = false }, Advanced, "every access"},
		{"phishable MFA", PillarIdentity, func(p *Posture) { p.Identity.PhishingResistantMFA = false }, Advanced, "phishing-resistant"},
		// Devices
		{"no device signal", PillarDevices, func(p *Posture) {
			p.DeviceProviders = nil
			for i := range p.Surfaces {
				p.Surfaces[i].DeviceRequired = false
			}
		}, Traditional, "device trust provider"},
		{"sensitive surface without device", PillarDevices, func(p *Posture) { p.Surfaces[0].DeviceRequired = false }, Initial, "confidential and restricted"},
		{"internal surface without device", PillarDevices, func(p *Posture) { p.Surfaces[1].DeviceRequired = false }, Advanced, "above public"},
		{"one device provider", PillarDevices, func(p *Posture) { p.DeviceProviders = []string{"jamf", "jamf"} }, Advanced, "at least two"},
		// Networks
		{"flat network", PillarNetworks, func(p *Posture) { p.Segments = nil }, Traditional, "segments"},
		{"unenforced segment", PillarNetworks, func(p *Posture) { p.Segments[1].SecurityGroup = false }, Initial, "enforce every segment"},
		{"internet into restricted", PillarNetworks, func(p *Posture) { p.Segments[0].InternetIngress = true }, Initial, "open-internet"},
		{"no workload identity", PillarNetworks, func(p *Posture) { p.Segments[0].WorkloadIdentity = false }, Advanced, "SPIFFE"},
		{"sensitive segment on security groups only", PillarNetworks, func(p *Posture) { p.Segments[0].KubernetesDefaultDeny = false }, Advanced, "both"},
		// Applications & Workloads
		{"no surface", PillarApplications, func(p *Posture) { p.Surfaces = nil }, Traditional, "protect surfaces"},
		{"acknowledged below floor", PillarApplications, func(p *Posture) { p.Surfaces[1].FloorsMet = false }, Initial, "floor"},
		{"untested restricted surface", PillarApplications, func(p *Posture) { p.Surfaces[0].Tested = false }, Advanced, "test every"},
		// Data
		{"nothing classified", PillarData, func(p *Posture) {
			p.Surfaces[0].Sensitivity, p.Surfaces[1].Sensitivity, p.Segments[0].Sensitivity, p.Segments[1].Sensitivity = "", "", "", ""
		}, Traditional, "classify"},
		{"one unclassified segment", PillarData, func(p *Posture) { p.Segments[1].Sensitivity = "" }, Initial, "classify every"},
		{"sensitive surface below floor", PillarData, func(p *Posture) { p.Surfaces[0].FloorsMet = false }, Initial, "up to its floor"},
		{"internal surface below floor does not limit data", PillarData, func(p *Posture) { p.Surfaces[1].FloorsMet = false }, Optimal, ""},
		{"no encryption in transit", PillarData, func(p *Posture) { p.Data.EncryptedInTransit = false }, Advanced, "encryption"},
		// Visibility & Analytics
		{"no logging", PillarVisibility, func(p *Posture) { p.Visibility = Visibility{} }, Traditional, "access logging"},
		{"logs without trust context", PillarVisibility, func(p *Posture) { p.Visibility.IncludeTrustContext = false }, Initial, "trust context"},
		{"no central analysis", PillarVisibility, func(p *Posture) { p.Visibility.CentralAnalysis = false }, Advanced, "SIEM"},
		// Automation & Orchestration
		{"click-ops", PillarAutomation, func(p *Posture) { p.Automation.PolicyAsCode = false }, Traditional, "reviewed configuration"},
		{"no decision checks", PillarAutomation, func(p *Posture) { p.Automation.DecisionChecks = 0 }, Initial, "decision checks"},
		{"standing privilege", PillarAutomation, func(p *Posture) { p.PrivilegedAccess[0].Expires = false }, Initial, "expires_at"},
		{"no drift schedule", PillarAutomation, func(p *Posture) { p.Automation.DriftDetectionScheduled = false }, Advanced, "schedule"},
		// Governance
		{"no classification", PillarGovernance, func(p *Posture) {
			p.Surfaces, p.Segments[0].Sensitivity, p.Segments[1].Sensitivity = nil, "", ""
		}, Traditional, "classify"},
		{"acknowledged exceptions", PillarGovernance, func(p *Posture) { p.Governance.AcknowledgedExceptions = 3 }, Initial, "3 acknowledged"},
		{"long privileged sessions", PillarGovernance, func(p *Posture) { p.PrivilegedAccess[0].SessionMinutes = 480 }, Advanced, "PT1H"},
		{"yearly review", PillarGovernance, func(p *Posture) { p.Governance.AccessReviewDays = 365 }, Advanced, "90 days"},
	}
	for _, tc := range cases {
		t.Run(tc.pillar+"/"+tc.name, func(t *testing.T) {
			p := optimal()
			tc.mutate(&p)
			r := Assess(p)
			a := pillar(t, r, tc.pillar)
			if a.Stage != tc.want {
				t.Fatalf("stage %s, want %s (evidence %q, next %q)", a.Stage, tc.want, a.Evidence, a.Next)
			}
			if tc.want == Optimal {
				return
			}
			found := false
			for _, n := range a.Next {
				found = found || strings.Contains(n, tc.next)
			}
			if !found {
				t.Errorf("next steps %q do not mention %q", a.Next, tc.next)
			}
			if r.Overall > tc.want {
				t.Errorf("overall %s above the weakest pillar %s", r.Overall, tc.want)
			}
		})
	}
}
