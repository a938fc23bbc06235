package provider

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/provider/syntaxtypes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// Where a surface's trust context comes from.
//
// The compiled Cedar names the proxy's trust providers by their policy
// reference names (context.<reference>) and depends on the identity
// provider's type, groups claim and MFA enforcement, so these are inputs of
// compilation. They come from one of two places:
//
//   - proxy_trust_context (the proxy's computed trust_context): the proxy's
//     declared providers, known in the plan even while the proxy is created,
//     replaced or updated in the same apply. This is the design's answer to
//     "visible at plan time": reviewers see the policy in the very plan that
//     creates the proxy, and a change to the proxy's groups claim or MFA
//     enforcement recompiles the surface in the same plan instead of leaving
//     it stale until the next one. Apply checks the live proxy agrees before
//     writing anything.
//   - otherwise the live proxy, read from AWS in ModifyPlan when proxy_id is
//     known (two calls), as segment_policy reads its segment; an unknown
//     proxy_id leaves the policy unknown until apply. This serves proxies
//     managed elsewhere and imported surfaces.
//
// When the context is unknown at plan time, everything that does not depend
// on it is still validated (names, applications, CIDRs, methods, floors),
// against a stand-in proxy that has every provider type; apply validates
// again with the real one before any change.

// surfaceContextSource says where the trust context came from.
type surfaceContextSource int

const (
	contextUnknown surfaceContextSource = iota
	contextDeclared
	contextLive
)

// surfaceModelOf maps the plan onto the model (proxy filled in by the
// caller); known is false when a value compilation needs is unknown.
func surfaceModelOf(m protectSurfaceModel) (model.ProtectSurface, bool) {
	s, unknown := surfaceModelWithStandIns(m)
	return s, len(unknown) == 0
}

// withAttributeInDetail names the attribute in the text too: an unset
// attribute (a floor asking for require_mfa, say) has no configuration line
// of its own, so Terraform shows the enclosing block.
func withAttributeInDetail(problems model.Problems) {
	for i, p := range problems {
		if len(p.Path) > 1 {
			problems[i].Detail = p.Detail + " (at " + p.Path.String() + ")"
		}
	}
}

// compileSurface validates and compiles; problems are added to diags with
// their attribute paths (proxy problems point at where the context came
// from). ok is false when an error was found.
func compileSurface(s model.ProtectSurface, source surfaceContextSource, diags *diag.Diagnostics) (verifiedaccess.Result, bool) {
	res, problems := verifiedaccess.Compile(s, verifiedaccess.Options{})
	if source == contextDeclared {
		for i, p := range problems {
			if len(p.Path) == 1 && p.Path[0].Name == "proxy_id" {
				problems[i].Path = model.Root("proxy_trust_context")
			}
		}
	}
	withAttributeInDetail(problems)
	appendProblems(diags, path.Empty(), problems)
	return res, !problems.HasErrors()
}

// endpointPolicies maps the compiled endpoint policies by application,
// leaving out applications that get none.
func endpointPolicies(res verifiedaccess.Result) map[string]string {
	out := map[string]string{}
	for _, e := range res.Endpoints {
		if e.Policy != "" {
			out[e.Application] = e.Policy
		}
	}
	return out
}

// appSpec is the endpoint an application declares, with defaults applied.
// ok is false when a value is unknown.
func appSpec(a surfaceAppModel) (awsapi.EndpointSpec, bool) {
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
		Protocol:             a.Protocol.ValueString(),
		Port:                 int32(a.Port.ValueInt64()),
		SubnetIDs:            subnets,
	}
	if s.Type == "" {
		s.Type = inferEndpointType(a)
	}
	if s.Protocol == "" {
		s.Protocol = defaultProtocol(s.Type)
	}
	if s.EndpointDomainPrefix == "" && s.Type != awsapi.EndpointCIDR {
		s.EndpointDomainPrefix = defaultDomainPrefix(a.Name.ValueString())
	}
	known := okS && okG
	for _, v := range []attr.Value{a.Name, a.EndpointType, a.Domain, a.DomainCertificateARN, a.EndpointDomainPrefix, a.LoadBalancerARN, a.NetworkInterfaceID, a.CIDR, a.Protocol, a.Port} {
		known = known && !v.IsUnknown()
	}
	return s, known
}

func inferEndpointType(a surfaceAppModel) string {
	switch {
	case !a.LoadBalancerARN.IsNull():
		return awsapi.EndpointLoadBalancer
	case !a.NetworkInterfaceID.IsNull():
		return awsapi.EndpointNetworkInterface
	case !a.CIDR.IsNull():
		return awsapi.EndpointCIDR
	}
	return ""
}

func defaultProtocol(endpointType string) string {
	if endpointType == awsapi.EndpointCIDR {
		return "tcp"
	}
	return "https"
}

func defaultDomainPrefix(name string) string {
	if dnsLabelRe.MatchString(name) {
		return name
	}
	return ""
}

// validateApplications checks each application's target and the options
// its endpoint type needs, at the attribute's path. Unknown values pass.
func validateApplications(apps []surfaceAppModel, diags *diag.Diagnostics) {
	for i, a := range apps {
		p := path.Root("application").AtListIndex(i)
		targets := 0
		for _, v := range []types.String{a.LoadBalancerARN, a.NetworkInterfaceID, a.CIDR.StringValue} {
			if !v.IsNull() {
				targets++
			}
		}
		if targets != 1 {
			diags.AddAttributeError(p, "Exactly one endpoint target required",
				fmt.Sprintf("Application %q needs exactly one of load_balancer_arn, network_interface_id or cidr (got %d).", a.Name.ValueString(), targets))
			continue
		}
		inferred := inferEndpointType(a)
		if !a.EndpointType.IsNull() && !a.EndpointType.IsUnknown() && a.EndpointType.ValueString() != inferred {
			diags.AddAttributeError(p.AtName("endpoint_type"), "Endpoint type does not match the target",
				fmt.Sprintf("endpoint_type is %q but the target given makes it %q.", a.EndpointType.ValueString(), inferred))
		}
		if a.Port.IsNull() {
			diags.AddAttributeError(p.AtName("port"), "Port required", fmt.Sprintf("Application %q needs the port its endpoint listens on.", a.Name.ValueString()))
		}
		switch inferred {
		case awsapi.EndpointCIDR:
			if !a.CIDR.IsUnknown() {
				if _, err := model.ParseClientCIDR(a.CIDR.ValueString()); err != nil {
					diags.AddAttributeError(p.AtName("cidr"), "Invalid CIDR block", err.Error())
				}
			}
			if a.SubnetIDs.IsNull() || (!a.SubnetIDs.IsUnknown() && len(a.SubnetIDs.Elements()) == 0) {
				diags.AddAttributeError(p.AtName("subnet_ids"), "Subnets required", "A cidr endpoint needs the subnets it reaches the CIDR block from.")
			}
			if v := a.Protocol.ValueString(); v != "" && v != "tcp" && !a.Protocol.IsUnknown() {
				diags.AddAttributeError(p.AtName("protocol"), "Invalid protocol", "A cidr endpoint forwards TCP only: protocol must be \"tcp\".")
			}
			for name, v := range map[string]types.String{"domain": a.Domain, "domain_certificate_arn": a.DomainCertificateARN, "endpoint_domain_prefix": a.EndpointDomainPrefix} {
				if !v.IsNull() {
					diags.AddAttributeError(p.AtName(name), "Not applicable", name+" applies to load-balancer and network-interface endpoints, not cidr ones.")
				}
			}
		default:
			if a.Domain.IsNull() {
				diags.AddAttributeError(p.AtName("domain"), "Domain required", "A "+inferred+" endpoint is reached through its application domain.")
			}
			if a.DomainCertificateARN.IsNull() {
				diags.AddAttributeError(p.AtName("domain_certificate_arn"), "Certificate required", "A "+inferred+" endpoint needs the ACM certificate of its domain.")
			}
			if a.EndpointDomainPrefix.IsNull() && defaultDomainPrefix(a.Name.ValueString()) == "" && !a.Name.IsUnknown() {
				diags.AddAttributeError(p.AtName("endpoint_domain_prefix"), "Endpoint domain prefix required",
					fmt.Sprintf("The application name %q is not a DNS label, so it cannot be the default prefix; set endpoint_domain_prefix.", a.Name.ValueString()))
			}
			if inferred == awsapi.EndpointNetworkInterface && !a.SubnetIDs.IsNull() {
				diags.AddAttributeError(p.AtName("subnet_ids"), "Not applicable", "A network-interface endpoint takes no subnets.")
			}
		}
	}
}

// fillAppDefaults sets the computed application attributes the
// configuration left open.
func fillAppDefaults(apps []surfaceAppModel) {
	for i := range apps {
		a := &apps[i]
		t := inferEndpointType(*a)
		if a.EndpointType.IsUnknown() || a.EndpointType.IsNull() {
			a.EndpointType = nullIfEmpty(t)
		}
		if a.Protocol.IsUnknown() || a.Protocol.IsNull() {
			a.Protocol = nullIfEmpty(defaultProtocol(t))
		}
		if a.EndpointDomainPrefix.IsUnknown() || a.EndpointDomainPrefix.IsNull() {
			if t == awsapi.EndpointCIDR {
				a.EndpointDomainPrefix = types.StringNull()
			} else {
				a.EndpointDomainPrefix = nullIfEmpty(defaultDomainPrefix(a.Name.ValueString()))
			}
		}
	}
}

func surfaceTags(m protectSurfaceModel, user map[string]string) map[string]string {
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

func endpointValue(e *awsapi.VerifiedAccessEndpoint) attr.Value {
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

// applyLiveEndpoint refreshes an application block from its live endpoint.
func applyLiveEndpoint(a *surfaceAppModel, e *awsapi.VerifiedAccessEndpoint) {
	a.EndpointType = types.StringValue(e.Type)
	a.Domain = stringOrNull(e.ApplicationDomain, a.Domain)
	a.DomainCertificateARN = stringOrNull(e.DomainCertificateARN, a.DomainCertificateARN)
	if e.Type != awsapi.EndpointCIDR {
		a.EndpointDomainPrefix = stringOrNull(e.EndpointDomainPrefix, a.EndpointDomainPrefix)
	}
	a.LoadBalancerARN = stringOrNull(e.LoadBalancerARN, a.LoadBalancerARN)
	a.NetworkInterfaceID = stringOrNull(e.NetworkInterfaceID, a.NetworkInterfaceID)
	a.CIDR = syntaxtypes.CIDR{StringValue: stringOrNull(e.CIDR, a.CIDR.StringValue)}
	a.Protocol = stringOrNull(e.Protocol, a.Protocol)
	if e.Port != 0 {
		a.Port = types.Int64Value(int64(e.Port))
	} else if !a.Port.IsNull() {
		a.Port = types.Int64Null()
	}
	a.SubnetIDs = setValueOrNull(e.SubnetIDs, a.SubnetIDs)
	a.SecurityGroupIDs = setValueOrNull(e.SecurityGroupIDs, a.SecurityGroupIDs)
}

// surfaceTrustContext finds the trust context of a plan: declared (parsed
// from proxy_trust_context) or live (read from the proxy in AWS).
func surfaceTrustContext(ctx context.Context, clients *clientFactory, m protectSurfaceModel, diags *diag.Diagnostics) (proxyTrustContext, surfaceContextSource) {
	switch {
	case m.ProxyTrustContext.IsUnknown():
		return proxyTrustContext{}, contextUnknown
	case !m.ProxyTrustContext.IsNull():
		tc, err := parseProxyTrustContext(m.ProxyTrustContext.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("proxy_trust_context"), "Invalid trust context", err.Error())
			return tc, contextUnknown
		}
		return tc, contextDeclared
	case m.ProxyID.IsUnknown() || clients == nil:
		return proxyTrustContext{}, contextUnknown
	}
	tc, err := readLiveTrustContext(ctx, clients, m.ProxyID.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("proxy_id"), "Cannot read the access proxy", err.Error())
		return tc, contextUnknown
	}
	return tc, contextLive
}

func readLiveTrustContext(ctx context.Context, clients *clientFactory, proxyID string) (proxyTrustContext, error) {
	c, err := clients.AWS(ctx)
	if err != nil {
		return proxyTrustContext{}, err
	}
	live, err := awsapi.ReadProxyTrustProviders(ctx, c.EC2, proxyID)
	if err != nil {
		return proxyTrustContext{}, err
	}
	return liveTrustContext(live)
}

// desiredEndpoints lists the applications' endpoint specs in configuration
// order.
func desiredEndpoints(plan protectSurfaceModel) []awsapi.NamedEndpointSpec {
	out := make([]awsapi.NamedEndpointSpec, 0, len(plan.Applications))
	for _, a := range plan.Applications {
		spec, _ := appSpec(a)
		out = append(out, awsapi.NamedEndpointSpec{Application: a.Name.ValueString(), EndpointSpec: spec})
	}
	return out
}

// plannedEndpoints keeps each application's endpoint from state unless it
// is new or something only re-creation can change differs (then unknown).
func plannedEndpoints(plan protectSurfaceModel, state *protectSurfaceModel) types.Map {
	elems := map[string]attr.Value{}
	prior := map[string]surfaceAppModel{}
	var priorEndpoints map[string]attr.Value
	if state != nil {
		for _, a := range state.Applications {
			prior[a.Name.ValueString()] = a
		}
		if !state.Endpoints.IsNull() && !state.Endpoints.IsUnknown() {
			priorEndpoints = state.Endpoints.Elements()
		}
	}
	for _, a := range plan.Applications {
		if a.Name.IsUnknown() {
			return types.MapUnknown(surfaceEndpointType)
		}
		name := a.Name.ValueString()
		want, ok := appSpec(a)
		old, had := prior[name]
		e, hasEndpoint := priorEndpoints[name]
		if ok && had && hasEndpoint {
			if have, _ := appSpec(old); want.SameImmutable(have) {
				elems[name] = e
				continue
			}
		}
		elems[name] = types.ObjectUnknown(surfaceEndpointAttrTypes)
	}
	return types.MapValueMust(surfaceEndpointType, elems)
}

// endpointsValue renders the endpoints map; applications without a live
// endpoint are left out (the next plan re-creates them).
func endpointsValue(plan protectSurfaceModel, live map[string]*awsapi.VerifiedAccessEndpoint) types.Map {
	elems := map[string]attr.Value{}
	for _, a := range plan.Applications {
		if e := live[a.Name.ValueString()]; e != nil {
			elems[a.Name.ValueString()] = endpointValue(e)
		}
	}
	return types.MapValueMust(surfaceEndpointType, elems)
}

// readProtectSurface refreshes m from the live group, its policy, its owned
// endpoints and their policies (3 + one call per endpoint).
//
// Drift in the policies is decided semantically: a live document holding the
// same statements as the recorded one (compared as sets of canonical
// statements: each parsed with cedar-go and re-marshalled) keeps the
// recorded canonical text, so whitespace, comments and statement order
// edited in the console are not drift; any other difference, including a
// disabled policy, records the live text, and the next plan shows the
// compiled policy replacing it.
func readProtectSurface(ctx context.Context, clients *awsapi.Clients, id string, m *protectSurfaceModel) (bool, error) {
	g, err := awsapi.FindVerifiedAccessGroup(ctx, clients.EC2, id)
	if awsapi.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	policy, err := awsapi.GetVerifiedAccessGroupPolicy(ctx, clients.EC2, id)
	if err != nil {
		return false, err
	}
	live, err := awsapi.FindVerifiedAccessEndpoints(ctx, clients.EC2, id)
	if err != nil {
		return false, err
	}
	byApp, _ := awsapi.OwnedEndpoints(id, live)

	importing := m.Name.IsNull()
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
	m.PolicyDocument = types.StringValue(keepIfSame(policy.Effective(), m.PolicyDocument))

	priorPolicies := map[string]string{}
	if !m.EndpointPolicyDocuments.IsNull() && !m.EndpointPolicyDocuments.IsUnknown() {
		for k, v := range m.EndpointPolicyDocuments.Elements() {
			if s, ok := v.(types.String); ok {
				priorPolicies[k] = s.ValueString()
			}
		}
	}
	if importing {
		apps := make([]string, 0, len(byApp))
		for app := range byApp {
			apps = append(apps, app)
		}
		sort.Strings(apps)
		for _, app := range apps {
			m.Applications = append(m.Applications, surfaceAppModel{
				Name: types.StringValue(app), Domain: types.StringNull(), EndpointType: types.StringNull(), LoadBalancerARN: types.StringNull(),
				NetworkInterfaceID: types.StringNull(), CIDR: syntaxtypes.CIDR{StringValue: types.StringNull()}, Port: types.Int64Null(), Protocol: types.StringNull(),
				SubnetIDs: types.SetNull(types.StringType), SecurityGroupIDs: types.SetNull(types.StringType),
				DomainCertificateARN: types.StringNull(), EndpointDomainPrefix: types.StringNull(),
			})
		}
	}
	endpoints := map[string]*awsapi.VerifiedAccessEndpoint{}
	policies := map[string]string{}
	for i := range m.Applications {
		a := &m.Applications[i]
		e := byApp[a.Name.ValueString()]
		if e == nil {
			continue // gone: the plan re-creates it
		}
		applyLiveEndpoint(a, e)
		endpoints[a.Name.ValueString()] = e
		p, err := awsapi.GetVerifiedAccessEndpointPolicy(ctx, clients.EC2, e.ID)
		if awsapi.IsNotFound(err) {
			delete(endpoints, a.Name.ValueString())
			continue
		}
		if err != nil {
			return false, err
		}
		if doc := p.Effective(); doc != "" {
			prior := priorPolicies[a.Name.ValueString()]
			if awsapi.SamePolicy(doc, prior) {
				doc = prior
			}
			policies[a.Name.ValueString()] = doc
		}
	}
	m.Endpoints = endpointsValue(*m, endpoints)
	m.EndpointPolicyDocuments = stringMapValue(policies)
	return true, nil
}

// keepIfSame returns the recorded text when live holds the same statements.
func keepIfSame(live string, recorded types.String) string {
	if !recorded.IsNull() && !recorded.IsUnknown() && awsapi.SamePolicy(live, recorded.ValueString()) {
		return recorded.ValueString()
	}
	return live
}
