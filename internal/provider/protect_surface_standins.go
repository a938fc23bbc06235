package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// standInProxy accepts every proxy-dependent condition, so validating with it
// reports only what does not depend on the proxy.
var standInProxy = model.AccessProxy{
	Name:             "unknown",
	IdentityProvider: model.IdentityProvider{Type: model.IdentityOIDC, Reference: "unknown_identity", MFAEnforced: true},
	DeviceProviders: []model.DeviceTrustProvider{
		{Type: model.DeviceJamf, Reference: "unknown_jamf"},
		{Type: model.DeviceCrowdStrike, Reference: "unknown_crowdstrike"},
		{Type: model.DeviceJumpCloud, Reference: "unknown_jumpcloud"},
	},
}

// surfaceModelWithStandIns maps the plan onto the model, replacing each
// unknown value by a stand-in that passes its own checks (a group id of the
// right shape, the strongest device posture) and listing where it did so.
// Checks that do not depend on those values — sensitivity floors on MFA,
// device and methods, unknown applications, duplicate names — can then run
// at plan even when groups or other inputs are created in the same apply;
// findings at a stood-in path must be dropped (see dropUnknown).
func surfaceModelWithStandIns(m protectSurfaceModel) (model.ProtectSurface, []model.Path) {
	var unknown []model.Path
	str := func(v types.String, at model.Path, standIn string) string {
		if v.IsUnknown() {
			unknown = append(unknown, at)
			return standIn
		}
		return v.ValueString()
	}
	s := model.ProtectSurface{Name: str(m.Name, model.Root("name"), "surface"), Sensitivity: str(m.Sensitivity, model.Root("sensitivity"), "")}
	for i, a := range m.Applications {
		at := model.Root("application").Index(i)
		protocol := a.Protocol.ValueString()
		if a.Protocol.IsNull() || a.Protocol.IsUnknown() {
			protocol = defaultProtocol(inferEndpointType(a))
		}
		s.Applications = append(s.Applications, model.Application{
			Name: str(a.Name, at.At("name"), fmt.Sprintf("application-%d", i)), Domain: str(a.Domain, at.At("domain"), ""), Protocol: protocol,
		})
	}
	for i, r := range m.AccessRules {
		at := model.Root("access_rule").Index(i)
		boolean := func(v types.Bool, name string, standIn bool) bool {
			if v.IsUnknown() {
				unknown = append(unknown, at.At(name))
				return standIn
			}
			return v.ValueBool()
		}
		rule := model.AccessRule{
			Name: str(r.Name, at.At("name"), fmt.Sprintf("rule-%d", i)), Effect: str(r.Effect, at.At("effect"), model.EffectPermit),
			RequireVerifiedEmail: boolean(r.RequireVerifiedEmail, "require_verified_email", true), RequireMFA: boolean(r.RequireMFA, "require_mfa", true),
			Acknowledgement: str(r.Acknowledgement, at.At("acknowledgement"), ""),
		}
		for _, l := range []struct {
			src     types.List
			dst     *[]string
			name    string
			standIn string // for an unknown element; "" drops it
		}{{r.Groups, &rule.Groups, "groups", standInGroup}, {r.Methods, &rule.Methods, "methods", ""}, {r.PathPrefixes, &rule.PathPrefixes, "path_prefixes", ""},
			{r.ClientCIDRs, &rule.ClientCIDRs, "client_cidrs", ""}, {r.Applications, &rule.Applications, "applications", ""}} {
			if l.src.IsUnknown() {
				unknown = append(unknown, at.At(l.name))
				if l.standIn != "" {
					*l.dst = []string{l.standIn}
				}
				continue
			}
			for _, e := range l.src.Elements() {
				v, _ := asString(e)
				if v.IsUnknown() {
					unknown = append(unknown, at.At(l.name))
					if l.standIn != "" {
						*l.dst = append(*l.dst, l.standIn)
					}
					continue
				}
				*l.dst = append(*l.dst, v.ValueString())
			}
		}
		if d := r.Device; d != nil {
			dat := at.At("device")
			req := &model.DeviceRequirement{Combine: str(d.Combine, dat.At("combine"), "")}
			if j := d.Jamf; j != nil {
				req.Jamf = &model.JamfRequirement{MaxRisk: str(j.MaxRisk, dat.At("jamf"), "SECURE")}
			}
			if c := d.CrowdStrike; c != nil {
				score := 0
				if f := c.MinOverallScore.ValueBigFloat(); f != nil && f.IsInt() {
					i, _ := f.Int64()
					score = int(i)
				}
				if c.MinOverallScore.IsUnknown() {
					unknown, score = append(unknown, dat.At("crowdstrike")), 100
				}
				req.CrowdStrike = &model.CrowdStrikeRequirement{MinOverallScore: score}
			}
			if j := d.JumpCloud; j != nil {
				req.JumpCloud = &model.JumpCloudRequirement{Managed: boolean(j.Managed, "device", true)}
			}
			rule.Device = req
		}
		s.AccessRules = append(s.AccessRules, rule)
	}
	return s, unknown
}

// standInGroup is a syntactically valid group reference for either kind of
// identity provider, standing in for a group created in the same apply.
const standInGroup = "00000000-0000-4000-8000-000000000000"

// dropUnknown removes findings at or below a path whose value was stood in
// for: they judge the stand-in, not the configuration.
func dropUnknown(ps model.Problems, unknown []model.Path) model.Problems {
	var out model.Problems
	for _, p := range ps {
		covered := false
		for _, u := range unknown {
			if pathHasPrefix(p.Path, u) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}

func pathHasPrefix(p, prefix model.Path) bool {
	if len(prefix) > len(p) {
		return false
	}
	for i := range prefix {
		if p[i] != prefix[i] {
			return false
		}
	}
	return true
}
