package maturity

import (
	"net/netip"
	"strings"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Derivations: the facts of a Posture from the domain values the resources
// expand to, each named by its source. resource is "<type>.<name>", e.g.
// zerotrust_protect_surface.payments.

// SurfaceOf derives what each access rule of a surface requires and how it
// stands against the surface's sensitivity floor (model.Floor, the table
// the resource itself enforces at plan).
func SurfaceOf(resource string, s model.ProtectSurface, decisionChecks []string) Surface {
	out := Surface{Resource: resource, Sensitivity: s.Sensitivity, DecisionChecks: decisionChecks}
	floor, hasFloor := model.FloorFor(s.Sensitivity)
	for i, r := range s.AccessRules {
		rule := Rule{
			Source:       model.Root(resource).At("access_rule").Index(i).String(),
			Permit:       r.IsPermit(),
			Groups:       len(r.Groups) > 0,
			MFA:          r.RequireMFA,
			Device:       r.Device.Strength() > model.DeviceNone,
			Acknowledged: r.Acknowledgement != "",
		}
		if hasFloor && r.IsPermit() {
			for _, f := range floor.Shortfalls(r, s.OnlyTCP(r)) {
				rule.Shortfalls = append(rule.Shortfalls, f.Attribute)
			}
		}
		out.Rules = append(out.Rules, rule)
	}
	return out
}

// InboundCIDRFlow is one inbound flow from CIDR blocks into a segment, with
// where it is written.
type InboundCIDRFlow struct {
	Source          string // e.g. zerotrust_segment_policy_set.shop.policy[0].allow_from[0]
	CIDRs           []string
	Acknowledgement string
}

// InternetIngress names the inbound CIDR flows into a segment when their
// sources together cover internet-scale public address space, decided by
// coverage (model.PublicExposure), never by spelling: 0.0.0.0/1 and
// 128.0.0.0/1 in two flows are the internet as 0.0.0.0/0 is. Only flows
// that contribute public addresses are named. Nil when not open.
func InternetIngress(flows []InboundCIDRFlow) []string {
	var all []netip.Prefix
	var contributing []string
	for _, f := range flows {
		var own []netip.Prefix
		for _, c := range f.CIDRs {
			if p, err := netip.ParsePrefix(c); err == nil {
				own = append(own, p)
			}
		}
		if e := model.PublicExposure(own); e.IPv4.Sign() > 0 || e.IPv6.Sign() > 0 {
			contributing = append(contributing, f.Source)
		}
		all = append(all, own...)
	}
	if !model.PublicExposure(all).Open() {
		return nil
	}
	return contributing
}

// Manifest is one compiled Kubernetes object (canonical YAML, as in a
// policy's kubernetes_manifests) and where it is shown.
type Manifest struct {
	Source string // e.g. zerotrust_segment_policy_set.shop.kubernetes_manifests["networking.k8s.io/v1/NetworkPolicy/shop/zt-default-deny-0a1b2c3d"]
	YAML   string
}

// KubernetesEnforcement reads what the compiled objects enforce over a
// segment's pods, by their content: defaultDeny names a NetworkPolicy in the
// segment's namespace that selects every pod and admits no ingress;
// workloadIdentity names the Istio AuthorizationPolicy that selects the
// segment's pods and admits only sources named by SPIFFE principal or
// address, under a namespace allow-nothing policy (Istio's deny by
// default), or that allow-nothing policy itself when no policy admits
// anything to the pods. "" when not enforced.
func KubernetesEnforcement(sel model.KubernetesSelector, manifests []Manifest) (defaultDeny, workloadIdentity string) {
	var allowNothing, authz string
	authzOK := true
	for _, m := range manifests {
		var head struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if yaml.Unmarshal([]byte(m.YAML), &head) != nil || head.Metadata.Namespace != sel.Namespace {
			continue
		}
		switch head.Kind {
		case "NetworkPolicy":
			var np networkingv1.NetworkPolicy
			if yaml.Unmarshal([]byte(m.YAML), &np) == nil && defaultDeny == "" && deniesAllIngress(np) {
				defaultDeny = m.Source
			}
		case kubernetes.AuthorizationPolicyGVK.Kind:
			var ap kubernetes.AuthorizationPolicy
			if yaml.Unmarshal([]byte(m.YAML), &ap) != nil {
				continue
			}
			spec := ap.Spec
			switch {
			case spec.Selector == nil && spec.Action == "" && len(spec.Rules) == 0:
				allowNothing = m.Source
			case spec.Selector != nil && selects(spec.Selector.MatchLabels, sel.PodLabels):
				if spec.Action != "" && spec.Action != "ALLOW" || !identifiedSources(spec.Rules) {
					authzOK = false
				} else if authz == "" {
					authz = m.Source
				}
			}
		}
	}
	switch {
	case allowNothing == "" || !authzOK:
	case authz != "":
		workloadIdentity = authz
	default:
		workloadIdentity = allowNothing
	}
	return defaultDeny, workloadIdentity
}

// deniesAllIngress: selects every pod of its namespace, governs ingress and
// admits none.
func deniesAllIngress(np networkingv1.NetworkPolicy) bool {
	s := np.Spec.PodSelector
	if len(s.MatchLabels) > 0 || len(s.MatchExpressions) > 0 || len(np.Spec.Ingress) > 0 {
		return false
	}
	for _, t := range np.Spec.PolicyTypes {
		if t == networkingv1.PolicyTypeIngress {
			return true
		}
	}
	return false
}

// selects: every label the selector matches is one of the pods' labels.
func selects(selector, pods map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if pods[k] != v {
			return false
		}
	}
	return true
}

// identifiedSources: every rule names its sources (principals or
// addresses); a rule without one admits any workload of the mesh.
func identifiedSources(rules []kubernetes.AuthorizationRule) bool {
	for _, r := range rules {
		if len(r.From) == 0 {
			return false
		}
		for _, f := range r.From {
			if len(f.Source.Principals) == 0 && len(f.Source.IPBlocks) == 0 {
				return false
			}
		}
	}
	return true
}

// GrantOf derives a privileged grant's expiry and session length. An empty
// session duration is AWS's default, one hour.
func GrantOf(resource string, a model.PrivilegedAccess) PrivilegedGrant {
	minutes := 60
	if strings.TrimSpace(a.SessionDuration) != "" {
		d, err := model.ParseSessionDuration(a.SessionDuration)
		minutes = 0
		if err == nil {
			minutes = int(d / time.Minute)
		}
	}
	return PrivilegedGrant{Resource: resource, Expires: !a.ExpiresAt.IsZero(), SessionMinutes: minutes, Acknowledged: a.Acknowledgement != ""}
}
