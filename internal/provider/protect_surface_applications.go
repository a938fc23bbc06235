package provider

import (
	"fmt"
	"strings"

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
		for _, v := range appTargets(a) {
			if !v.IsNull() {
				targets++
			}
		}
		if targets != 1 {
			diags.AddAttributeError(p, "Exactly one endpoint target required",
				fmt.Sprintf("Application %q needs exactly one of load_balancer_arn, network_interface_id, cidr, rds_db_instance_arn, "+
					"rds_db_cluster_arn, rds_db_proxy_arn or rds_endpoint (got %d).", a.Name.ValueString(), targets))
			continue
		}
		inferred := inferEndpointType(a)
		if !a.EndpointType.IsNull() && !a.EndpointType.IsUnknown() && a.EndpointType.ValueString() != inferred {
			diags.AddAttributeError(p.AtName("endpoint_type"), "Endpoint type does not match the target",
				fmt.Sprintf("endpoint_type is %q but the target given makes it %q.", a.EndpointType.ValueString(), inferred))
		}
		if inferred == awsapi.EndpointCIDR {
			if a.Port.IsNull() == a.PortRanges.IsNull() {
				diags.AddAttributeError(p.AtName("port_ranges"), "Ports required",
					fmt.Sprintf("Application %q is a cidr endpoint: give its ports in port_ranges (or one port in port), not both.", a.Name.ValueString()))
			}
			validatePortRanges(a.PortRanges, p.AtName("port_ranges"), diags)
		} else {
			if a.Port.IsNull() {
				diags.AddAttributeError(p.AtName("port"), "Port required", fmt.Sprintf("Application %q needs the port its endpoint listens on.", a.Name.ValueString()))
			}
			if !a.PortRanges.IsNull() {
				diags.AddAttributeError(p.AtName("port_ranges"), "Not applicable", "port_ranges applies to cidr endpoints; a "+inferred+" endpoint takes one port.")
			}
		}
		switch inferred {
		case awsapi.EndpointCIDR, awsapi.EndpointRDS:
			if !a.CIDR.IsNull() && !a.CIDR.IsUnknown() {
				if _, err := model.ParseClientCIDR(a.CIDR.ValueString()); err != nil {
					diags.AddAttributeError(p.AtName("cidr"), "Invalid CIDR block", err.Error())
				}
			}
			if a.SubnetIDs.IsNull() || (!a.SubnetIDs.IsUnknown() && len(a.SubnetIDs.Elements()) == 0) {
				diags.AddAttributeError(p.AtName("subnet_ids"), "Subnets required", "A "+inferred+" endpoint needs the subnets it reaches its target from.")
			}
			if v := a.Protocol.ValueString(); v != "" && v != "tcp" && !a.Protocol.IsUnknown() {
				diags.AddAttributeError(p.AtName("protocol"), "Invalid protocol", "A "+inferred+" endpoint forwards TCP only: protocol must be \"tcp\".")
			}
			for name, v := range map[string]types.String{"domain": a.Domain, "domain_certificate_arn": a.DomainCertificateARN, "endpoint_domain_prefix": a.EndpointDomainPrefix} {
				if !v.IsNull() {
					diags.AddAttributeError(p.AtName(name), "Not applicable", name+" applies to load-balancer and network-interface endpoints, not "+inferred+" ones.")
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

// appTargets are an application's target attributes; exactly one is set.
func appTargets(a surfaceAppModel) []types.String {
	return []types.String{a.LoadBalancerARN, a.NetworkInterfaceID, a.CIDR.StringValue, a.RDSInstanceARN, a.RDSClusterARN, a.RDSProxyARN, a.RDSEndpoint}
}

// validatePortRanges checks a cidr application's port_ranges at each
// element: a port or an inclusive range within 1–65535, ascending (so what
// AWS reports back reads in the written order) and not overlapping the one
// before. Unknown elements pass.
func validatePortRanges(l types.List, at path.Path, diags *diag.Diagnostics) {
	if l.IsNull() || l.IsUnknown() {
		return
	}
	var prev *model.PortRange
	for j, e := range l.Elements() {
		v, _ := asString(e)
		if v.IsUnknown() || v.IsNull() {
			prev = nil
			continue
		}
		r, err := model.ParsePortSpec(v.ValueString())
		switch {
		case err != nil:
			diags.AddAttributeError(at.AtListIndex(j), "Invalid port range", strings.Replace(err.Error(), "between 0 and", "between 1 and", 1))
			continue
		case r.From < 1 || r.To > 65535:
			diags.AddAttributeError(at.AtListIndex(j), "Port out of range", fmt.Sprintf("ports are 1–65535, got %q", v.ValueString()))
			continue
		case r.From > r.To:
			diags.AddAttributeError(at.AtListIndex(j), "Port range upside down", fmt.Sprintf("range %q starts after it ends; write \"%d-%d\"", v.ValueString(), r.To, r.From))
			continue
		}
		if prev != nil && r.From <= prev.To {
			if r.From >= prev.From {
				diags.AddAttributeError(at.AtListIndex(j), "Port ranges overlap",
					fmt.Sprintf("%q overlaps %q before it; merge them into one range", v.ValueString(), prev.String()))
			} else {
				diags.AddAttributeError(at.AtListIndex(j), "Port ranges out of order",
					fmt.Sprintf("%q comes after %q: list port ranges in ascending order", v.ValueString(), prev.String()))
			}
		}
		prev = &r
	}
}

// appPortRanges reads a cidr application's ports: port_ranges, or port as
// a one-port range. ok is false when a value is unknown or invalid.
func appPortRanges(a surfaceAppModel) ([]awsapi.PortRange, bool) {
	if a.PortRanges.IsNull() {
		if a.Port.IsNull() || a.Port.IsUnknown() {
			return nil, !a.Port.IsUnknown()
		}
		p := int32(wholeInt(a.Port))
		return []awsapi.PortRange{{From: p, To: p}}, true
	}
	if a.PortRanges.IsUnknown() {
		return nil, false
	}
	var out []awsapi.PortRange
	for _, e := range a.PortRanges.Elements() {
		v, _ := asString(e)
		if v.IsUnknown() {
			return nil, false
		}
		r, err := model.ParsePortSpec(v.ValueString())
		if err != nil {
			return nil, false
		}
		out = append(out, awsapi.PortRange{From: int32(r.From), To: int32(r.To)})
	}
	return out, true
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
			if t == awsapi.EndpointCIDR || t == awsapi.EndpointRDS {
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
	case !a.RDSInstanceARN.IsNull(), !a.RDSClusterARN.IsNull(), !a.RDSProxyARN.IsNull(), !a.RDSEndpoint.IsNull():
		return awsapi.EndpointRDS
	}
	return ""
}

func defaultProtocol(endpointType string) string {
	if endpointType == awsapi.EndpointCIDR || endpointType == awsapi.EndpointRDS {
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
