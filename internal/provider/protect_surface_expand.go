package provider

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/provider/syntaxtypes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// expandProtectSurface maps the plan onto the model (proxy filled in by the
// caller); known is false when a value compilation needs is unknown.
func expandProtectSurface(m protectSurfaceModel) (model.ProtectSurface, bool) {
	s, unknown := expandProtectSurfaceWithStandIns(m)
	return s, len(unknown) == 0
}

// expandProtectSurfaceWithStandIns maps the plan onto the model, replacing each
// unknown value by a stand-in that passes its own checks (a group id of the
// right shape, the strongest device posture) and listing where it did so.
// Checks that do not depend on those values — sensitivity floors on MFA,
// device and methods, unknown applications, duplicate names — can then run
// at plan even when groups or other inputs are created in the same apply;
// findings at a stood-in path must be dropped (see dropUnknown).
func expandProtectSurfaceWithStandIns(m protectSurfaceModel) (model.ProtectSurface, []model.Path) {
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

// expandEndpointSpec is the endpoint an application declares, with defaults applied.
// ok is false when a value is unknown.
func expandEndpointSpec(a surfaceAppModel) (awsapi.EndpointSpec, bool) {
	subnets, okS := knownStrings(a.SubnetIDs)
	sgs, okG := knownStrings(a.SecurityGroupIDs)
	slices.Sort(subnets)
	slices.Sort(sgs)
	s := awsapi.EndpointSpec{
		Type:                 a.EndpointType.ValueString(),
		ApplicationDomain:    a.Domain.ValueString(),
		DomainCertificateARN: a.DomainCertificateARN.ValueString(),
		EndpointDomainPrefix: a.EndpointDomainPrefix.ValueString(),
		SecurityGroupIDs:     sgs,
		LoadBalancerARN:      a.LoadBalancerARN.ValueString(),
		NetworkInterfaceID:   a.NetworkInterfaceID.ValueString(),
		CIDR:                 a.CIDR.ValueString(),
		RDSInstanceARN:       a.RDSInstanceARN.ValueString(),
		RDSClusterARN:        a.RDSClusterARN.ValueString(),
		RDSProxyARN:          a.RDSProxyARN.ValueString(),
		RDSEndpoint:          a.RDSEndpoint.ValueString(),
		Protocol:             a.Protocol.ValueString(),
		Port:                 int32(wholeInt(a.Port)),
		SubnetIDs:            subnets,
	}
	if s.Type == "" {
		s.Type = inferEndpointType(a)
	}
	okP := true
	if s.Type == awsapi.EndpointCIDR {
		s.PortRanges, okP = appPortRanges(a)
		s.Port = 0
	}
	if s.Protocol == "" {
		s.Protocol = defaultProtocol(s.Type)
	}
	if s.EndpointDomainPrefix == "" && s.Type != awsapi.EndpointCIDR && s.Type != awsapi.EndpointRDS {
		s.EndpointDomainPrefix = defaultDomainPrefix(a.Name.ValueString())
	}
	known := okS && okG && okP
	for _, v := range []attr.Value{a.Name, a.EndpointType, a.Domain, a.DomainCertificateARN, a.EndpointDomainPrefix, a.LoadBalancerARN, a.NetworkInterfaceID, a.CIDR,
		a.RDSInstanceARN, a.RDSClusterARN, a.RDSProxyARN, a.RDSEndpoint, a.Protocol, a.Port, a.PortRanges} {
		known = known && !v.IsUnknown()
	}
	return s, known
}

// expandEndpoints lists the applications' endpoint specs in configuration
// order.
func expandEndpoints(plan protectSurfaceModel) []awsapi.NamedEndpointSpec {
	out := make([]awsapi.NamedEndpointSpec, 0, len(plan.Applications))
	for _, a := range plan.Applications {
		spec, _ := expandEndpointSpec(a)
		spec.KMSKeyARN = plan.KMSKeyARN.ValueString()
		out = append(out, awsapi.NamedEndpointSpec{Application: a.Name.ValueString(), EndpointSpec: spec})
	}
	return out
}

func expandSurfaceTags(m protectSurfaceModel, user map[string]string) map[string]string {
	tags := map[string]string{}
	for k, v := range user {
		tags[k] = v
	}
	tags["Name"] = valueOr(tags["Name"], m.Name.ValueString())
	tags[awsapi.TagManagedBy] = awsapi.ManagedByValue
	tags[awsapi.TagSurface] = m.Name.ValueString()
	tags[awsapi.TagSensitivity] = m.Sensitivity.ValueString()
	return tags
}

func surfaceDescription(name string) string {
	return "Zero-trust protect surface " + name + " (managed by terraform-provider-zerotrust)"
}

func flattenEndpoint(e *awsapi.VerifiedAccessEndpoint) attr.Value {
	return types.ObjectValueMust(surfaceEndpointAttrTypes, map[string]attr.Value{
		"id":              types.StringValue(e.ID),
		"endpoint_domain": nullIfEmpty(e.EndpointDomain),
	})
}

// setValueOrNull renders live strings as a set, keeping null when the live
// list is empty and the prior value was null.
func setValueOrNull(live []string, prior types.Set) types.Set {
	if len(live) == 0 && (prior.IsNull() || prior.IsUnknown()) {
		return types.SetNull(types.StringType)
	}
	elems := make([]attr.Value, 0, len(live))
	for _, s := range live {
		elems = append(elems, types.StringValue(s))
	}
	return types.SetValueMust(types.StringType, elems)
}

func stringOrNull(live string, prior types.String) types.String {
	if live == "" && (prior.IsNull() || prior.IsUnknown()) {
		return types.StringNull()
	}
	return types.StringValue(live)
}

// flattenLiveEndpoint refreshes an application block from its live endpoint.
func flattenLiveEndpoint(a *surfaceAppModel, e *awsapi.VerifiedAccessEndpoint) {
	a.EndpointType = types.StringValue(e.Type)
	a.Domain = stringOrNull(e.ApplicationDomain, a.Domain)
	a.DomainCertificateARN = stringOrNull(e.DomainCertificateARN, a.DomainCertificateARN)
	if e.Type != awsapi.EndpointCIDR && e.Type != awsapi.EndpointRDS {
		a.EndpointDomainPrefix = stringOrNull(e.EndpointDomainPrefix, a.EndpointDomainPrefix)
	}
	a.LoadBalancerARN = stringOrNull(e.LoadBalancerARN, a.LoadBalancerARN)
	a.NetworkInterfaceID = stringOrNull(e.NetworkInterfaceID, a.NetworkInterfaceID)
	a.CIDR = syntaxtypes.CIDR{StringValue: stringOrNull(e.CIDR, a.CIDR.StringValue)}
	a.RDSInstanceARN = stringOrNull(e.RDSInstanceARN, a.RDSInstanceARN)
	a.RDSClusterARN = stringOrNull(e.RDSClusterARN, a.RDSClusterARN)
	a.RDSProxyARN = stringOrNull(e.RDSProxyARN, a.RDSProxyARN)
	// AWS may report the address of an instance, cluster or proxy target;
	// that is not drift from an application that named the ARN.
	if a.RDSEndpoint.IsNull() && e.Type == awsapi.EndpointRDS && e.RDSInstanceARN+e.RDSClusterARN+e.RDSProxyARN != "" {
		a.RDSEndpoint = types.StringNull()
	} else {
		a.RDSEndpoint = stringOrNull(e.RDSEndpoint, a.RDSEndpoint)
	}
	a.Protocol = stringOrNull(e.Protocol, a.Protocol)
	if e.Type == awsapi.EndpointCIDR {
		a.Port, a.PortRanges = flattenPortRanges(e.PortRanges, a.PortRanges)
	} else if e.Port != 0 {
		a.Port = wholeNumberValue(int64(e.Port))
	} else if !a.Port.IsNull() {
		a.Port = types.NumberNull()
	}
	if e.Type != awsapi.EndpointCIDR && !a.PortRanges.IsNull() {
		a.PortRanges = types.ListNull(types.StringType)
	}
	a.SubnetIDs = setValueOrNull(e.SubnetIDs, a.SubnetIDs)
	a.SecurityGroupIDs = setValueOrNull(e.SecurityGroupIDs, a.SecurityGroupIDs)
}

// flattenPortRanges renders a cidr endpoint's live ranges in the form the
// application wrote them: port when it gave one port there and the live
// endpoint has exactly that range; otherwise port_ranges, keeping each
// written element that reads as the live range ("22-22" stays). An import
// (neither written) reads a single one-port range as port, as before
// port_ranges existed.
func flattenPortRanges(live []awsapi.PortRange, priorRanges types.List) (types.Number, types.List) {
	if priorRanges.IsNull() && len(live) == 1 && live[0].From == live[0].To {
		return wholeNumberValue(int64(live[0].From)), types.ListNull(types.StringType)
	}
	var written []attr.Value
	if !priorRanges.IsNull() && !priorRanges.IsUnknown() {
		written = priorRanges.Elements()
	}
	elems := make([]attr.Value, 0, len(live))
	for i, r := range live {
		text := model.PortRange{From: int(r.From), To: int(r.To)}.String()
		if i < len(written) {
			if v, _ := asString(written[i]); !v.IsNull() && !v.IsUnknown() {
				if w, err := model.ParsePortSpec(v.ValueString()); err == nil && w.From == int(r.From) && w.To == int(r.To) {
					text = v.ValueString()
				}
			}
		}
		elems = append(elems, types.StringValue(text))
	}
	if len(elems) == 0 {
		return types.NumberNull(), types.ListNull(types.StringType)
	}
	return types.NumberNull(), types.ListValueMust(types.StringType, elems)
}

// flattenEndpoints renders the endpoints map; applications without a live
// endpoint are left out (the next plan re-creates them).
func flattenEndpoints(plan protectSurfaceModel, live map[string]*awsapi.VerifiedAccessEndpoint) types.Map {
	elems := map[string]attr.Value{}
	for _, a := range plan.Applications {
		if e := live[a.Name.ValueString()]; e != nil {
			elems[a.Name.ValueString()] = flattenEndpoint(e)
		}
	}
	return types.MapValueMust(surfaceEndpointType, elems)
}

// flattenSurfaceGroup refreshes m from the live group and its policy
// (policy: the effective document; one holding the recorded statements keeps
// the recorded text). When importing, the ownership id is taken from the
// group.
func flattenSurfaceGroup(m *protectSurfaceModel, g *awsapi.VerifiedAccessGroup, policy string, importing bool) {
	if importing {
		m.OwnershipID = nullIfEmpty(g.Tags[awsapi.TagOwnership])
	}
	m.ID = types.StringValue(g.ID)
	m.ARN = nullIfEmpty(g.ARN)
	m.ProxyID = types.StringValue(g.InstanceID)
	if v := g.Tags[awsapi.TagSurface]; v != "" {
		m.Name = types.StringValue(v)
	} else if m.Name.IsNull() {
		m.Name = types.StringValue(g.ID)
	}
	if v := g.Tags[awsapi.TagSensitivity]; v != "" {
		m.Sensitivity = types.StringValue(v)
	} else if m.Sensitivity.IsNull() {
		m.Sensitivity = types.StringValue(model.DefaultSensitivity)
	}
	if importing {
		m.Tags = flattenImportedUserTags(g.Tags, m.Name.ValueString())
	} else {
		m.Tags = flattenUserTags(g.Tags, m.Tags)
	}
	m.PolicyDocument = types.StringValue(keepIfSame(policy, m.PolicyDocument))
}

// flattenImportedApplications is one application block per endpoint the
// surface owns, by application name, for an import: only the name is known,
// the rest is filled from the endpoint (flattenLiveEndpoint).
func flattenImportedApplications(byApp map[string]*awsapi.VerifiedAccessEndpoint) []surfaceAppModel {
	apps := make([]string, 0, len(byApp))
	for app := range byApp {
		apps = append(apps, app)
	}
	sort.Strings(apps)
	var out []surfaceAppModel
	for _, app := range apps {
		out = append(out, surfaceAppModel{
			Name: types.StringValue(app), Domain: types.StringNull(), EndpointType: types.StringNull(), LoadBalancerARN: types.StringNull(),
			NetworkInterfaceID: types.StringNull(), CIDR: syntaxtypes.CIDR{StringValue: types.StringNull()}, Port: types.NumberNull(), Protocol: types.StringNull(),
			RDSInstanceARN: types.StringNull(), RDSClusterARN: types.StringNull(), RDSProxyARN: types.StringNull(), RDSEndpoint: types.StringNull(),
			PortRanges: types.ListNull(types.StringType),
			SubnetIDs:  types.SetNull(types.StringType), SecurityGroupIDs: types.SetNull(types.StringType),
			DomainCertificateARN: types.StringNull(), EndpointDomainPrefix: types.StringNull(),
		})
	}
	return out
}

// flattenPolicyStatements renders the statements of s against s.Proxy. unknown
// lists the paths whose values were stood in for (expandProtectSurfaceWithStandIns):
// a condition naming a stand-in group, or any proxy reference when
// proxyStoodIn, is unknown; a rule with any other stood-in value has unknown
// conditions (their number may depend on it).
func flattenPolicyStatements(s model.ProtectSurface, unknown []model.Path, proxyStoodIn bool) types.List {
	elems := make([]attr.Value, len(s.AccessRules))
	for i, r := range s.AccessRules {
		at := model.Root("access_rule").Index(i)
		stoodIn := func(p model.Path) bool {
			for _, u := range unknown {
				if pathHasPrefix(u, p) {
					return true
				}
			}
			return false
		}
		id, effect := types.StringValue(r.Name), types.StringValue(r.Effect)
		if stoodIn(at.At("name")) {
			id = types.StringUnknown()
		}
		if stoodIn(at.At("effect")) {
			effect = types.StringUnknown()
		}
		conditions := types.ListUnknown(types.StringType)
		if onlyGroupsStoodIn(unknown, at) {
			texts := verifiedaccess.ConditionTexts(r, s.Proxy)
			values := make([]attr.Value, len(texts))
			for j, t := range texts {
				values[j] = types.StringValue(t)
				if strings.Contains(t, standInGroup) || (proxyStoodIn && namesStandInProxy(t)) {
					values[j] = types.StringUnknown()
				}
			}
			conditions = types.ListValueMust(types.StringType, values)
		}
		elems[i] = types.ObjectValueMust(statementAttrTypes, map[string]attr.Value{"id": id, "effect": effect, "conditions": conditions})
	}
	return types.ListValueMust(statementObjectType, elems)
}

// keepIfSame returns the recorded text when live holds the same statements.
func keepIfSame(live string, recorded types.String) string {
	if !recorded.IsNull() && !recorded.IsUnknown() && awsapi.SamePolicy(live, recorded.ValueString()) {
		return recorded.ValueString()
	}
	return live
}
