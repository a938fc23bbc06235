package vafront

import (
	"net/netip"
	"slices"
	"strings"
)

var endpointProtocols = map[string][]string{
	"load-balancer":     {"http", "https", "tcp"},
	"network-interface": {"http", "https", "tcp"},
	"cidr":              {"tcp"},
}

// status reports the endpoint status now: transitional states end after
// the front's activation delay.
func (f *Front) endpointStatus(e *endpoint) string {
	if e.Status != "active" && !f.now().Before(e.StatusUntil) {
		e.Status = "active"
	}
	return e.Status
}

func renderPortRanges(rs []portRange) []xPortRange {
	var out []xPortRange
	for _, r := range rs {
		out = append(out, xPortRange{FromPort: r.From, ToPort: r.To})
	}
	return out
}

func (f *Front) renderEndpoint(e *endpoint) xEndpoint {
	x := xEndpoint{
		ID:                   e.ID,
		InstanceID:           e.InstanceID,
		GroupID:              e.GroupID,
		ApplicationDomain:    e.ApplicationDomain,
		EndpointType:         e.EndpointType,
		AttachmentType:       e.AttachmentType,
		DomainCertificateArn: e.CertificateArn,
		EndpointDomain:       e.EndpointDomain,
		SecurityGroupIDs:     e.SecurityGroupIDs,
		Status:               xStatus{Code: f.endpointStatus(e)},
		Description:          e.Description,
		Created:              fmtTime(e.Created),
		LastUpdated:          fmtTime(e.Updated),
		Tags:                 e.tagList(),
		Sse:                  e.Sse.render(),
	}
	switch e.EndpointType {
	case "load-balancer":
		x.LoadBalancerOptions = &xLoadBalancerOptions{
			Protocol: e.Protocol, Port: e.Port, LoadBalancerArn: e.LoadBalancerArn,
			SubnetIDs: e.SubnetIDs, PortRanges: renderPortRanges(e.PortRanges),
		}
	case "network-interface":
		x.NetworkInterface = &xEniOptions{
			NetworkInterfaceID: e.NetworkInterfaceID, Protocol: e.Protocol, Port: e.Port,
			PortRanges: renderPortRanges(e.PortRanges),
		}
	case "cidr":
		x.CidrOptions = &xCidrOptions{
			Cidr: e.Cidr, Protocol: e.Protocol, SubnetIDs: e.SubnetIDs, PortRanges: renderPortRanges(e.PortRanges),
		}
	}
	return x
}

func (e *endpoint) filterValues(name string) ([]string, bool) {
	switch name {
	case "verified-access-endpoint-id":
		return []string{e.ID}, true
	case "verified-access-group-id":
		return []string{e.GroupID}, true
	case "verified-access-instance-id":
		return []string{e.InstanceID}, true
	case "endpoint-type":
		return []string{e.EndpointType}, true
	case "application-domain":
		return []string{e.ApplicationDomain}, true
	case "description":
		return []string{e.Description}, true
	case "status-code":
		return []string{e.Status}, true
	}
	return nil, false
}

func (f *Front) endpointByID(p params) (*endpoint, *apiError) {
	id, err := p.required("VerifiedAccessEndpointId")
	if err != nil {
		return nil, err
	}
	e, ok := f.st.endpoints[id]
	if !ok {
		return nil, kindEndpoint.notFound(id)
	}
	return e, nil
}

func validPort(n int) bool { return n >= 1 && n <= 65535 }

// readTargetOptions reads <prefix>.Protocol, Port, PortRange.N, SubnetId.N
// into e, keeping current values for anything absent (modify).
func readTargetOptions(p params, prefix string, e *endpoint, allowPort, allowSubnets bool) *apiError {
	if v := p.optString(prefix + ".Protocol"); v != nil {
		if !slices.Contains(endpointProtocols[e.EndpointType], *v) {
			return errInvalid("Value (%s) for parameter protocol is invalid. Valid values: %s.", *v, strings.Join(endpointProtocols[e.EndpointType], ", "))
		}
		e.Protocol = *v
	}
	if allowPort {
		port, err := p.optInt(prefix + ".Port")
		if err != nil {
			return err
		}
		if port != nil {
			if !validPort(*port) {
				return errInvalid("Value (%d) for parameter port is invalid. Valid range: 1-65535.", *port)
			}
			e.Port = port
		}
	}
	if ms := p.members(prefix + ".PortRange"); len(ms) > 0 {
		var rs []portRange
		for _, m := range ms {
			from, err := p.optInt(m + ".FromPort")
			if err != nil {
				return err
			}
			to, err := p.optInt(m + ".ToPort")
			if err != nil {
				return err
			}
			if from == nil || to == nil {
				return errMissing(m + ".FromPort/ToPort")
			}
			if !validPort(*from) || !validPort(*to) || *from > *to {
				return errInvalid("The port range %d-%d is invalid.", *from, *to)
			}
			rs = append(rs, portRange{*from, *to})
		}
		e.PortRanges = rs
	}
	if allowSubnets {
		if ids := p.list(prefix + ".SubnetId"); len(ids) > 0 {
			e.SubnetIDs = ids
		}
	}
	return nil
}

func (f *Front) createEndpoint(p params) (requestIDSetter, *apiError) {
	const action = "CreateVerifiedAccessEndpoint"
	if r, err := f.replay(action, p); r != nil || err != nil {
		return r, err
	}
	g, err := f.groupByID(p)
	if err != nil {
		return nil, err
	}
	attach, err := p.required("AttachmentType")
	if err != nil {
		return nil, err
	}
	if attach != "vpc" {
		return nil, errInvalid("Value (%s) for parameter attachmentType is invalid. Valid values: vpc.", attach)
	}
	typ, err := p.required("EndpointType")
	if err != nil {
		return nil, err
	}
	e := &endpoint{
		GroupID:          g.ID,
		InstanceID:       g.InstanceID,
		AttachmentType:   attach,
		EndpointType:     typ,
		Description:      p.get("Description"),
		SecurityGroupIDs: p.list("SecurityGroupId"),
	}
	switch typ {
	case "load-balancer":
		if !p.hasPrefix("LoadBalancerOptions") {
			return nil, errMissing("LoadBalancerOptions")
		}
		if e.LoadBalancerArn, err = p.required("LoadBalancerOptions.LoadBalancerArn"); err != nil {
			return nil, err
		}
		if err := readTargetOptions(p, "LoadBalancerOptions", e, true, true); err != nil {
			return nil, err
		}
	case "network-interface":
		if !p.hasPrefix("NetworkInterfaceOptions") {
			return nil, errMissing("NetworkInterfaceOptions")
		}
		if e.NetworkInterfaceID, err = p.required("NetworkInterfaceOptions.NetworkInterfaceId"); err != nil {
			return nil, err
		}
		if err := readTargetOptions(p, "NetworkInterfaceOptions", e, true, false); err != nil {
			return nil, err
		}
	case "cidr":
		if !p.hasPrefix("CidrOptions") {
			return nil, errMissing("CidrOptions")
		}
		if e.Cidr, err = p.required("CidrOptions.Cidr"); err != nil {
			return nil, err
		}
		if _, perr := netip.ParsePrefix(e.Cidr); perr != nil {
			return nil, errInvalid("Value (%s) for parameter cidr is invalid.", e.Cidr)
		}
		if err := readTargetOptions(p, "CidrOptions", e, false, true); err != nil {
			return nil, err
		}
		if len(e.PortRanges) == 0 {
			return nil, errMissing("CidrOptions.PortRange")
		}
		if len(e.SubnetIDs) == 0 {
			return nil, errMissing("CidrOptions.SubnetId")
		}
	case "rds":
		return nil, &apiError{400, "UnsupportedOperation", "The sandbox does not implement rds endpoints."}
	default:
		return nil, errInvalid("Value (%s) for parameter endpointType is invalid. Valid values: load-balancer, network-interface, rds, cidr.", typ)
	}
	if typ != "cidr" {
		// HTTP(S) endpoints are reached through a domain with a certificate.
		if e.ApplicationDomain, err = p.required("ApplicationDomain"); err != nil {
			return nil, err
		}
		if e.CertificateArn, err = p.required("DomainCertificateArn"); err != nil {
			return nil, err
		}
		prefix, err := p.required("EndpointDomainPrefix")
		if err != nil {
			return nil, err
		}
		if e.Port == nil && len(e.PortRanges) == 0 {
			return nil, errMissing(map[string]string{"load-balancer": "LoadBalancerOptions.Port", "network-interface": "NetworkInterfaceOptions.Port"}[typ])
		}
		e.EndpointDomain = prefix + ".edge-" + newID("")[:17] + "." + g.InstanceID + ".prod.verified-access." + f.opts.Region + ".amazonaws.com"
	}
	if p.has("PolicyDocument") {
		doc := p.get("PolicyDocument")
		if err := validatePolicy(doc); err != nil {
			return nil, err
		}
		e.Policy, e.PolicyEnabled = doc, true
	}
	if e.Sse, err = readSse(p, sseSpec{}); err != nil {
		return nil, err
	}
	tags, err := tagSpecifications(p, kindEndpoint)
	if err != nil {
		return nil, err
	}
	now := f.now()
	e.common = f.st.newCommon(kindEndpoint, now, tags)
	e.Status, e.StatusUntil = "pending", now.Add(f.opts.EndpointActivation)
	f.st.endpoints[e.ID] = e
	snap := f.renderEndpoint(e)
	f.remember(action, p, func() requestIDSetter { return &respEndpoint{Endpoint: snap} })
	return &respEndpoint{Endpoint: snap}, nil
}

func (f *Front) describeEndpoints(p params) (requestIDSetter, *apiError) {
	q, err := readDescribe(p, "VerifiedAccessEndpointId")
	if err != nil {
		return nil, err
	}
	if v := p.get("VerifiedAccessInstanceId"); v != "" {
		q.filters = append(q.filters, filter{Name: "verified-access-instance-id", Values: []string{v}})
	}
	if v := p.get("VerifiedAccessGroupId"); v != "" {
		q.filters = append(q.filters, filter{Name: "verified-access-group-id", Values: []string{v}})
	}
	for _, e := range f.st.endpoints {
		f.endpointStatus(e) // settle transitions so the status-code filter sees them
	}
	items, next, err := describe(q, kindEndpoint, ordered(f.st.endpoints), f.st.endpoints, f.visible)
	if err != nil {
		return nil, err
	}
	resp := &respEndpoints{NextToken: next}
	for _, e := range items {
		resp.Endpoints = append(resp.Endpoints, f.renderEndpoint(e))
	}
	return resp, nil
}

func (f *Front) modifyEndpoint(p params) (requestIDSetter, *apiError) {
	e, err := f.endpointByID(p)
	if err != nil {
		return nil, err
	}
	if f.endpointStatus(e) != "active" {
		return nil, errIncorrectState("The Verified Access endpoint %s is in state %s and cannot be modified.", e.ID, e.Status)
	}
	updated := *e
	if gid := p.get("VerifiedAccessGroupId"); gid != "" {
		g, ok := f.st.groups[gid]
		if !ok {
			return nil, kindGroup.notFound(gid)
		}
		if g.InstanceID != e.InstanceID {
			return nil, errInvalid("The Verified Access group %s belongs to another Verified Access instance.", gid)
		}
		updated.GroupID = g.ID
	}
	options := map[string]string{
		"load-balancer":     "LoadBalancerOptions",
		"network-interface": "NetworkInterfaceOptions",
		"cidr":              "CidrOptions",
	}
	for typ, prefix := range options {
		if !p.hasPrefix(prefix) {
			continue
		}
		if typ != e.EndpointType {
			return nil, errCombination("%s cannot be used with an endpoint of type %s.", prefix, e.EndpointType)
		}
		if err := readTargetOptions(p, prefix, &updated, typ != "cidr", typ == "load-balancer"); err != nil {
			return nil, err
		}
	}
	optionalString(&updated.Description, p, "Description")
	now := f.now()
	updated.Updated = now
	updated.Status, updated.StatusUntil = "updating", now.Add(f.opts.EndpointActivation)
	*e = updated
	return &respEndpoint{Endpoint: f.renderEndpoint(e)}, nil
}

func (f *Front) deleteEndpoint(p params) (requestIDSetter, *apiError) {
	e, err := f.endpointByID(p)
	if err != nil {
		return nil, err
	}
	x := f.renderEndpoint(e)
	x.Status = xStatus{Code: "deleting"}
	x.Deletion = fmtTime(f.now())
	delete(f.st.endpoints, e.ID)
	return &respEndpoint{Endpoint: x}, nil
}

func (f *Front) getEndpointPolicy(p params) (requestIDSetter, *apiError) {
	e, err := f.endpointByID(p)
	if err != nil {
		return nil, err
	}
	if !f.visible(&e.common) {
		return nil, kindEndpoint.notFound(e.ID)
	}
	return &respPolicy{PolicyEnabled: e.PolicyEnabled, PolicyDocument: e.Policy}, nil
}

func (f *Front) modifyEndpointPolicy(p params) (requestIDSetter, *apiError) {
	e, err := f.endpointByID(p)
	if err != nil {
		return nil, err
	}
	if !p.has("PolicyEnabled") && !p.has("PolicyDocument") {
		return nil, errMissing("PolicyEnabled")
	}
	if err := applyPolicyChange(p, &e.Policy, &e.PolicyEnabled); err != nil {
		return nil, err
	}
	if e.Sse, err = readSse(p, e.Sse); err != nil {
		return nil, err
	}
	e.Updated = f.now()
	return &respPolicy{PolicyEnabled: e.PolicyEnabled, PolicyDocument: e.Policy, Sse: e.Sse.render()}, nil
}
