package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// A surface's applications: each one's endpoint target and options checked
// (ValidateConfig), its computed attributes defaulted and its endpoint
// planned (ModifyPlan).

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
		want, ok := expandEndpointSpec(a)
		old, had := prior[name]
		e, hasEndpoint := priorEndpoints[name]
		if ok && had && hasEndpoint {
			if have, _ := expandEndpointSpec(old); want.SameImmutable(have) {
				elems[name] = e
				continue
			}
		}
		elems[name] = types.ObjectUnknown(surfaceEndpointAttrTypes)
	}
	return types.MapValueMust(surfaceEndpointType, elems)
}
