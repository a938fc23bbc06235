package maturity

import (
	"strings"
	"testing"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

var (
	strong   = &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: "LOW"}, CrowdStrike: &model.CrowdStrikeRequirement{MinOverallScore: 80}}
	moderate = &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: "MEDIUM"}}
)

// inputs are the domain values a posture is derived from; each test case
// changes one of them and expects exactly the boundary the doc table names.
type inputs struct {
	proxy    Proxy
	surfaces []model.ProtectSurface
	checks   map[string][]string // decision checks by surface name
	keyed    map[string]bool     // surfaces with a customer-managed key, by name
	segments []model.Segment
	flows    map[string][]model.Flow // inbound flows by segment name
	istio    bool
	internet map[string][]InboundCIDRFlow
	grants   []model.PrivilegedAccess
	declared Declared
}

func optimalInputs() inputs {
	app := []model.Application{{Name: "app"}}
	db := model.Segment{Name: "db", Sensitivity: "restricted", SecurityGroupID: "sg-0123456789abcdef0", Kubernetes: &model.KubernetesSelector{Namespace: "shop", PodLabels: map[string]string{"tier": "db"}, ServiceAccount: "db"}}
	api := model.Segment{Name: "api", Sensitivity: "internal", SecurityGroupID: "sg-0123456789abcdef1", Kubernetes: &model.KubernetesSelector{Namespace: "shop", PodLabels: map[string]string{"tier": "api"}, ServiceAccount: "api"}}
	return inputs{
		proxy: Proxy{Resource: "zerotrust_access_proxy.corp", IdentityProvider: "oidc", MFAEnforced: true, DeviceProviders: []string{"jamf", "crowdstrike"},
			LoggingDestination: "zerotrust_access_proxy.corp.logging.cloudwatch_log_group", IncludeTrustContext: true},
		surfaces: []model.ProtectSurface{
			{Name: "payments", Sensitivity: "restricted", Applications: app, AccessRules: []model.AccessRule{
				{Name: "finance", Effect: "permit", Groups: []string{"g-1"}, Device: strong, RequireMFA: true, Methods: []string{"GET"}},
				{Name: "engineering", Effect: "permit", Groups: []string{"g-2"}, Device: strong, RequireMFA: true, Methods: []string{"GET"}},
				{Name: "no-contractors", Effect: "forbid", Groups: []string{"g-3"}},
			}},
			{Name: "wiki", Sensitivity: "internal", Applications: app, AccessRules: []model.AccessRule{
				{Name: "staff", Effect: "permit", Groups: []string{"g-1"}, Device: moderate},
			}},
		},
		checks:   map[string][]string{"payments": {"decision_checks[0]"}},
		keyed:    map[string]bool{"payments": true},
		segments: []model.Segment{db, api},
		flows:    map[string][]model.Flow{"db": {{Direction: model.Inbound, Peer: model.Peer{Segment: &api}, Protocol: "tcp", Ports: []model.PortRange{{From: 5432, To: 5432}}}}},
		istio:    true,
		grants:   []model.PrivilegedAccess{{Name: "oncall", SessionDuration: "PT1H", ExpiresAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}},
		declared: Declared{PhishingResistantMFA: true, CentralAnalysis: true, DriftDetectionScheduled: true, EncryptedAtRest: true, EncryptedInTransit: true, AccessReviewDays: 90},
	}
}

// posture derives the posture as the data source does: rules through
// SurfaceOf, Kubernetes enforcement from really compiled manifests.
func (in inputs) posture(t *testing.T) Posture {
	t.Helper()
	proxy := in.proxy
	p := Posture{Proxy: &proxy, Declared: in.declared}
	for _, s := range in.surfaces {
		surface := SurfaceOf("zerotrust_protect_surface."+s.Name, s, in.checks[s.Name])
		surface.CustomerManagedKey = in.keyed[s.Name]
		p.Surfaces = append(p.Surfaces, surface)
		p.DecisionChecks = append(p.DecisionChecks, in.checks[s.Name]...)
	}
	var manifests []Manifest
	for _, seg := range in.segments {
		if seg.Kubernetes == nil {
			continue
		}
		opts := kubernetes.Options{Owner: "set/shop", AlongsideSecurityGroups: true}
		if in.istio {
			opts.Istio = &kubernetes.IstioOptions{}
		}
		objs, ps := kubernetes.Compile(seg, in.flows[seg.Name], opts)
		if ps.HasErrors() {
			t.Fatalf("compile %s: %v", seg.Name, ps)
		}
		ms, err := objs.Manifests()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			manifests = append(manifests, Manifest{Source: `zerotrust_segment_policy_set.shop.kubernetes_manifests["` + m.ID() + `"]`, YAML: m.YAML})
		}
	}
	for _, seg := range in.segments {
		s := Segment{Resource: "zerotrust_segment." + seg.Name, Sensitivity: seg.Sensitivity, InternetIngress: InternetIngress(in.internet[seg.Name])}
		if seg.SecurityGroupID != "" {
			s.SecurityGroup = s.Resource + ".security_group_id"
		}
		if seg.Kubernetes != nil {
			s.KubernetesDefaultDeny, s.WorkloadIdentity = KubernetesEnforcement(*seg.Kubernetes, manifests)
		}
		for _, f := range in.internet[seg.Name] {
			if f.Acknowledgement != "" {
				s.AcknowledgedFlows = append(s.AcknowledgedFlows, f.Source)
			}
		}
		p.Segments = append(p.Segments, s)
	}
	for _, g := range in.grants {
		p.PrivilegedAccess = append(p.PrivilegedAccess, GrantOf("zerotrust_privileged_access."+g.Name, g))
	}
	return p
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
	r := Assess(optimalInputs().posture(t))
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
	// Evidence names the resource and attribute each fact came from.
	want := map[string]string{
		PillarDevices:      "zerotrust_protect_surface.payments.access_rule[1].device",
		PillarNetworks:     `zerotrust_segment_policy_set.shop.kubernetes_manifests["networking.k8s.io/v1/NetworkPolicy/shop/zt-default-deny-`,
		PillarVisibility:   "zerotrust_access_proxy.corp.logging.include_trust_context",
		PillarApplications: "zerotrust_protect_surface.payments by [decision_checks[0]]",
		PillarGovernance:   "zerotrust_privileged_access.oncall.session_duration (60 min)",
	}
	for name, source := range want {
		if ev := strings.Join(pillar(t, r, name).Evidence, "\n"); !strings.Contains(ev, source) {
			t.Errorf("%s evidence does not name %s:\n%s", name, source, ev)
		}
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
	openInternet := []InboundCIDRFlow{
		{Source: "zerotrust_segment_policy.db-in.allow_from[0]", CIDRs: []string{"0.0.0.0/1"}, Acknowledgement: "vendor scanners, reviewed"},
		{Source: "zerotrust_segment_policy.db-in.allow_from[1]", CIDRs: []string{"128.0.0.0/1"}, Acknowledgement: "vendor scanners, reviewed"},
	}
	cases := []struct {
		name   string
		pillar string
		mutate func(*inputs)
		want   Stage
		next   string // substring of a next step
	}{
		// Identity
		{"no IdP", PillarIdentity, func(in *inputs) { in.proxy.IdentityProvider = "" }, Traditional, "zerotrust_access_proxy.corp.identity_provider"},
		{"a rule without groups", PillarIdentity, func(in *inputs) { in.surfaces[1].AccessRules[0].Groups = nil }, Initial, "zerotrust_protect_surface.wiki.access_rule[0].groups"},
		{"sensitive rule without MFA", PillarIdentity, func(in *inputs) {
			in.proxy.MFAEnforced = false
			in.surfaces[0].AccessRules[1].RequireMFA = false
		}, Initial, "zerotrust_protect_surface.payments.access_rule[1].require_mfa"},
		{"MFA only on sensitive surfaces", PillarIdentity, func(in *inputs) { in.proxy.MFAEnforced = false }, Advanced, "zerotrust_protect_surface.wiki.access_rule[0].require_mfa"},
		{"phishable MFA", PillarIdentity, func(in *inputs) { in.declared.PhishingResistantMFA = false }, Advanced, "phishing-resistant"},
		// Devices
		{"no device signal", PillarDevices, func(in *inputs) {
			in.proxy.DeviceProviders = nil
			for i := range in.surfaces {
				for j := range in.surfaces[i].AccessRules {
					in.surfaces[i].AccessRules[j].Device = nil
				}
			}
		}, Traditional, "device trust provider"},
		{"restricted rule drops its device requirement", PillarDevices, func(in *inputs) { in.surfaces[0].AccessRules[1].Device = nil }, Initial, "zerotrust_protect_surface.payments.access_rule[1].device"},
		{"internal rule without device", PillarDevices, func(in *inputs) { in.surfaces[1].AccessRules[0].Device = nil }, Advanced, "zerotrust_protect_surface.wiki.access_rule[0].device"},
		{"one device provider", PillarDevices, func(in *inputs) { in.proxy.DeviceProviders = []string{"jamf", "jamf"} }, Advanced, "at least two"},
		// Networks
		{"flat network", PillarNetworks, func(in *inputs) { in.segments = nil }, Traditional, "segments"},
		{"segment neither in a security group nor under default deny", PillarNetworks, func(in *inputs) {
			in.segments[1].SecurityGroupID, in.segments[1].Kubernetes = "", nil
		}, Initial, "zerotrust_segment.api (no security group"},
		{"internet split in halves into restricted", PillarNetworks, func(in *inputs) { in.internet = map[string][]InboundCIDRFlow{"db": openInternet} }, Initial, "zerotrust_segment_policy.db-in.allow_from[1]"},
		{"no Istio", PillarNetworks, func(in *inputs) { in.istio = false }, Advanced, "zerotrust_segment.db (no Istio workload identity)"},
		{"restricted segment without Kubernetes default deny", PillarNetworks, func(in *inputs) { in.segments[0].Kubernetes = nil }, Advanced, "zerotrust_segment.db (no Kubernetes default-deny, no Istio"},
		// Applications & Workloads
		{"no surface", PillarApplications, func(in *inputs) { in.surfaces = nil }, Traditional, "protect surfaces"},
		{"acknowledged below floor", PillarApplications, func(in *inputs) {
			in.surfaces[0].AccessRules[0].Methods, in.surfaces[0].AccessRules[0].Acknowledgement = nil, "batch jobs use every method"
		}, Initial, "zerotrust_protect_surface.payments.access_rule[0] (methods below the floor"},
		{"restricted surface without decision checks", PillarApplications, func(in *inputs) { in.checks = nil }, Advanced, "zerotrust_protect_surface.payments.policy_document"},
		// Data
		{"one unclassified segment", PillarData, func(in *inputs) { in.segments[1].Sensitivity = "" }, Initial, "zerotrust_segment.api.sensitivity"},
		{"restricted rule below floor", PillarData, func(in *inputs) {
			in.surfaces[0].AccessRules[0].Device, in.surfaces[0].AccessRules[0].Acknowledgement = moderate, "legacy laptops until June"
		}, Initial, "zerotrust_protect_surface.payments.access_rule[0]"},
		{"internal rule below floor does not limit data", PillarData, func(in *inputs) {
			in.surfaces[1].AccessRules[0].Groups, in.surfaces[1].AccessRules[0].Acknowledgement = nil, "all staff"
		}, Optimal, ""},
		{"no encryption in transit", PillarData, func(in *inputs) { in.declared.EncryptedInTransit = false }, Advanced, "encrypted_in_transit"},
		{"restricted surface without a customer-managed key", PillarData, func(in *inputs) { in.keyed = nil }, Advanced, "zerotrust_protect_surface.payments.kms_key_arn"},
		{"internal surface needs no customer-managed key", PillarData, func(in *inputs) { in.keyed = map[string]bool{"payments": true, "wiki": false} }, Optimal, ""},
		// Visibility & Analytics
		{"no logging", PillarVisibility, func(in *inputs) { in.proxy.LoggingDestination = "" }, Traditional, "zerotrust_access_proxy.corp.logging"},
		{"logs without trust context", PillarVisibility, func(in *inputs) { in.proxy.IncludeTrustContext = false }, Initial, "zerotrust_access_proxy.corp.logging.include_trust_context"},
		{"no central analysis", PillarVisibility, func(in *inputs) { in.declared.CentralAnalysis = false }, Advanced, "SIEM"},
		// Automation & Orchestration
		{"no decision checks", PillarAutomation, func(in *inputs) { in.checks = nil }, Initial, "passed in decision_checks"},
		{"standing privilege", PillarAutomation, func(in *inputs) { in.grants[0].ExpiresAt = time.Time{} }, Initial, "zerotrust_privileged_access.oncall.expires_at"},
		{"no drift schedule", PillarAutomation, func(in *inputs) { in.declared.DriftDetectionScheduled = false }, Advanced, "schedule"},
		// Governance
		{"acknowledged internet flows", PillarGovernance, func(in *inputs) { in.internet = map[string][]InboundCIDRFlow{"db": openInternet} }, Initial, "zerotrust_segment_policy.db-in.allow_from[0].acknowledgement"},
		{"acknowledged over-privilege", PillarGovernance, func(in *inputs) { in.grants[0].Acknowledgement = "break-glass admin" }, Initial, "zerotrust_privileged_access.oncall.acknowledgement"},
		{"long privileged sessions", PillarGovernance, func(in *inputs) { in.grants[0].SessionDuration = "PT8H" }, Advanced, "zerotrust_privileged_access.oncall.session_duration (480 min)"},
		{"yearly review", PillarGovernance, func(in *inputs) { in.declared.AccessReviewDays = 365 }, Advanced, "90 days"},
	}
	for _, tc := range cases {
		t.Run(tc.pillar+"/"+tc.name, func(t *testing.T) {
			in := optimalInputs()
			tc.mutate(&in)
			r := Assess(in.posture(t))
			a := pillar(t, r, tc.pillar)
			if a.Stage != tc.want {
				t.Fatalf("stage %s, want %s (evidence %q, next %q)", a.Stage, tc.want, a.Evidence, a.Next)
			}
			if tc.want == Optimal {
				return
			}
			if next := strings.Join(a.Next, "\n"); !strings.Contains(next, tc.next) {
				t.Errorf("next steps do not name %q:\n%s", tc.next, next)
			}
			if r.Overall > tc.want {
				t.Errorf("overall %s above the weakest pillar %s", r.Overall, tc.want)
			}
		})
	}
}

func TestSurfaceOf(t *testing.T) {
	s := model.ProtectSurface{Name: "db", Sensitivity: "restricted",
		Applications: []model.Application{{Name: "psql", Protocol: model.ProtocolTCP}, {Name: "admin"}},
		AccessRules: []model.AccessRule{
			{Name: "dba", Effect: "permit", Groups: []string{"g"}, Device: strong, RequireMFA: true, Applications: []string{"psql"}},
			{Name: "admin", Effect: "permit", Groups: []string{"g"}, Device: moderate, RequireVerifiedEmail: true, Applications: []string{"admin"}, Acknowledgement: "until the MDM rollout"},
			{Name: "block", Effect: "forbid"},
		}}
	got := SurfaceOf("zerotrust_protect_surface.db", s, nil)
	// A TCP-only rule lists no HTTP methods, and the floor does not ask it to.
	if r := got.Rules[0]; !r.Permit || !r.Groups || !r.MFA || !r.Device || len(r.Shortfalls) != 0 || r.Source != "zerotrust_protect_surface.db.access_rule[0]" {
		t.Errorf("rule 0: %+v", r)
	}
	if r := got.Rules[1]; strings.Join(r.Shortfalls, ",") != "device,require_mfa,methods" || !r.Acknowledged || r.MFA {
		t.Errorf("rule 1: %+v, want device, require_mfa and methods below the restricted floor, acknowledged", r)
	}
	if r := got.Rules[2]; r.Permit || len(r.Shortfalls) != 0 {
		t.Errorf("forbid rule has no floor: %+v", r)
	}
}

func TestInternetIngress(t *testing.T) {
	flow := func(src string, cidrs ...string) InboundCIDRFlow { return InboundCIDRFlow{Source: src, CIDRs: cidrs} }
	cases := []struct {
		name  string
		flows []InboundCIDRFlow
		want  string
	}{
		{"the whole space", []InboundCIDRFlow{flow("a", "0.0.0.0/0")}, "a"},
		{"halves in two flows", []InboundCIDRFlow{flow("a", "0.0.0.0/1"), flow("b", "128.0.0.0/1")}, "a,b"},
		{"IPv4 spelled in IPv6", []InboundCIDRFlow{flow("a", "::ffff:0.0.0.0/96")}, "a"},
		{"private space does not count, nor is it named", []InboundCIDRFlow{flow("a", "10.0.0.0/8"), flow("b", "0.0.0.0/0")}, "b"},
		{"a partner's range", []InboundCIDRFlow{flow("a", "203.0.113.0/24", "198.51.100.0/24")}, ""},
		{"private networks", []InboundCIDRFlow{flow("a", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")}, ""},
		{"none", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(InternetIngress(tc.flows), ","); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestKubernetesEnforcement(t *testing.T) {
	in := optimalInputs()
	p := in.posture(t)
	if p.Segments[1].KubernetesDefaultDeny == "" || p.Segments[1].WorkloadIdentity == "" {
		t.Errorf("api segment (no inbound flow): %+v, want the namespace's default deny and allow-nothing", p.Segments[1])
	}
	if !strings.Contains(p.Segments[0].WorkloadIdentity, "AuthorizationPolicy/shop/zt-db-authz-") {
		t.Errorf("db workload identity from %q, want its own AuthorizationPolicy", p.Segments[0].WorkloadIdentity)
	}
	// Objects of another namespace enforce nothing here.
	var ms []Manifest
	objs, _ := kubernetes.Compile(in.segments[0], in.flows["db"], kubernetes.Options{Owner: "x", Istio: &kubernetes.IstioOptions{}})
	rendered, err := objs.Manifests()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range rendered {
		ms = append(ms, Manifest{Source: m.ID(), YAML: m.YAML})
	}
	if dd, wi := KubernetesEnforcement(model.KubernetesSelector{Namespace: "other", PodLabels: map[string]string{"tier": "db"}}, ms); dd != "" || wi != "" {
		t.Errorf("another namespace: %q %q", dd, wi)
	}
	// A policy admitting any mesh workload to the pods is no workload identity.
	open := "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: open\n  namespace: shop\nspec:\n  rules:\n  - {}\n  selector:\n    matchLabels:\n      tier: db\n"
	if _, wi := KubernetesEnforcement(*in.segments[0].Kubernetes, append(ms, Manifest{Source: "open", YAML: open})); wi != "" {
		t.Errorf("an open AuthorizationPolicy still gave workload identity from %q", wi)
	}
}

func TestGrantOf(t *testing.T) {
	g := GrantOf("zerotrust_privileged_access.a", model.PrivilegedAccess{Name: "a", SessionDuration: "PT1H30M"})
	if g.Expires || g.SessionMinutes != 90 {
		t.Errorf("%+v", g)
	}
	if g := GrantOf("zerotrust_privileged_access.b", model.PrivilegedAccess{Name: "b", ExpiresAt: time.Now()}); !g.Expires || g.SessionMinutes != 60 {
		t.Errorf("default session is AWS's hour: %+v", g)
	}
}
