package vafront

import (
	"cmp"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

var endpointProtocols = map[string][]string{
	"load-balancer":     {"http", "https", "tcp"},
	"network-interface": {"http", "https", "tcp"},
	"rds":               {"tcp"},
	"cidr":              {"tcp"},
}

// endpointOptions is the request structure that carries each endpoint
// type's target options.
var endpointOptions = map[string]string{
	"load-balancer":     "LoadBalancerOptions",
	"network-interface": "NetworkInterfaceOptions",
	"rds":               "RdsOptions",
	"cidr":              "CidrOptions",
}

// rdsTargets are RdsOptions' target members with the ARN resource type
// each must name (none for RdsEndpoint, a host name).
var rdsTargets = []struct{ member, resource string }{
	{"RdsDbInstanceArn", "db"}, {"RdsDbClusterArn", "cluster"}, {"RdsDbProxyArn", "db-proxy"}, {"RdsEndpoint", ""},
}

var rdsARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:rds:[a-z0-9-]+:[0-9]{12}:([a-z-]+):[A-Za-z0-9-]+$`)

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
	case "rds":
		x.RdsOptions = &xRdsOptions{
			Protocol: e.Protocol, Port: e.Port, RdsDbInstanceArn: e.RdsDbInstanceArn, RdsDbClusterArn: e.RdsDbClusterArn,
			RdsDbProxyArn: e.RdsDbProxyArn, RdsEndpoint: e.RdsEndpoint, SubnetIDs: e.SubnetIDs,
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
		sorted := slices.SortedFunc(slices.Values(rs), func(a, b portRange) int { return cmp.Compare(a.From, b.From) })
		for i := 1; i < len(sorted); i++ {
			if sorted[i].From <= sorted[i-1].To {
				return errInvalid("The port ranges %d-%d and %d-%d overlap.", sorted[i-1].From, sorted[i-1].To, sorted[i].From, sorted[i].To)
			}
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

// readRdsTarget reads the one database an rds endpoint reaches: a DB
// instance, cluster or proxy ARN, or an RDS endpoint address.
func readRdsTarget(p params, e *endpoint) *apiError {
	dst := map[string]*string{
		"RdsDbInstanceArn": &e.RdsDbInstanceArn, "RdsDbClusterArn": &e.RdsDbClusterArn,
		"RdsDbProxyArn": &e.RdsDbProxyArn, "RdsEndpoint": &e.RdsEndpoint,
	}
	var given []string
	for _, t := range rdsTargets {
		v := p.get("RdsOptions." + t.member)
		if v == "" {
			continue
		}
		if t.resource != "" {
			if m := rdsARNRe.FindStringSubmatch(v); m == nil || m[1] != t.resource {
				return errInvalid("Value (%s) for parameter %s is invalid. Expected an RDS %s ARN.", v, lowerFirst(t.member), t.resource)
			}
		}
		*dst[t.member] = v
		given = append(given, t.member)
	}
	switch len(given) {
	case 0:
		return errMissing("RdsOptions.RdsDbInstanceArn")
	case 1:
		return nil
	}
	return errCombination("Specify only one of RdsDbInstanceArn, RdsDbClusterArn, RdsDbProxyArn and RdsEndpoint; got %s.", strings.Join(given, ", "))
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

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
	for other, prefix := range endpointOptions {
		if other != typ && p.hasPrefix(prefix) {
			return nil, errCombination("%s cannot be used with an endpoint of type %s.", prefix, typ)
		}
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
		if !p.hasPrefix("RdsOptions") {
			return nil, errMissing("RdsOptions")
		}
		if err := readRdsTarget(p, e); err != nil {
			return nil, err
		}
		if err := readTargetOptions(p, "RdsOptions", e, true, true); err != nil {
			return nil, err
		}
		if e.Port == nil {
			return nil, errMissing("RdsOptions.Port")
		}
		// Verified Access reaches the database through network
		// interfaces it places in these subnets.
		if len(e.SubnetIDs) == 0 {
			return nil, errMissing("RdsOptions.SubnetId")
		}
	default:
		return nil, errInvalid("Value (%s) for parameter endpointType is invalid. Valid values: load-balancer, network-interface, rds, cidr.", typ)
	}
	if typ != "cidr" && typ != "rds" {
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
	e.Status, e.StatusUntil = "pending", now.Add(f.faults.endpointActivation(f.opts.EndpointActivation))
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
	for typ, prefix := range endpointOptions {
		if !p.hasPrefix(prefix) {
			continue
		}
		if typ != e.EndpointType {
			return nil, errCombination("%s cannot be used with an endpoint of type %s.", prefix, e.EndpointType)
		}
		if err := readTargetOptions(p, prefix, &updated, typ != "cidr", typ == "load-balancer" || typ == "rds"); err != nil {
			return nil, err
		}
		if v := p.optString(prefix + ".RdsEndpoint"); typ == "rds" && v != nil {
			if *v == "" {
				return nil, errInvalid("Value () for parameter rdsEndpoint is invalid.")
			}
			updated.RdsEndpoint = *v
		}
	}
	optionalString(&updated.Description, p, "Description")
	now := f.now()
	updated.Updated = now
	updated.Status, updated.StatusUntil = "updating", now.Add(f.faults.endpointActivation(f.opts.EndpointActivation))
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
