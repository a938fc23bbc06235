package vafront

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

func (f *Front) renderInstance(in *instance) xInstance {
	x := xInstance{
		ID:           in.ID,
		Description:  in.Description,
		CreationTime: fmtTime(in.Created),
		LastUpdated:  fmtTime(in.Updated),
		Tags:         in.tagList(),
		FipsEnabled:  in.FIPS,
	}
	for _, id := range in.TrustProviders {
		if tp, ok := f.st.trustProviders[id]; ok {
			x.TrustProviders = append(x.TrustProviders, xTrustProviderCondensed{
				ID: tp.ID, Description: tp.Description, TrustProviderType: tp.Type,
				UserTrustProviderType: tp.UserType, DeviceTrustProviderType: tp.DeviceType,
			})
		}
	}
	if in.SubDomain != "" {
		x.CidrSubDomain = &xSubDomain{SubDomain: in.SubDomain, Nameservers: subDomainNameservers(in.SubDomain)}
	}
	return x
}

func (in *instance) filterValues(name string) ([]string, bool) {
	switch name {
	case "verified-access-instance-id":
		return []string{in.ID}, true
	case "description":
		return []string{in.Description}, true
	case "verified-access-trust-provider-id":
		return in.TrustProviders, true
	case "fips-enabled":
		return []string{boolString(in.FIPS)}, true
	}
	return nil, false
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func (f *Front) instanceByID(p params) (*instance, *apiError) {
	id, err := p.required("VerifiedAccessInstanceId")
	if err != nil {
		return nil, err
	}
	in, ok := f.st.instances[id]
	if !ok {
		return nil, kindInstance.notFound(id)
	}
	return in, nil
}

func (f *Front) createInstance(p params) (requestIDSetter, *apiError) {
	const action = "CreateVerifiedAccessInstance"
	if r, err := f.replay(action, p); r != nil || err != nil {
		return r, err
	}
	tags, err := tagSpecifications(p, kindInstance)
	if err != nil {
		return nil, err
	}
	fips, err := p.optBool("FIPSEnabled")
	if err != nil {
		return nil, err
	}
	if p.has("CidrEndpointsCustomSubDomain") {
		if err := validateSubDomain(p.get("CidrEndpointsCustomSubDomain")); err != nil {
			return nil, err
		}
	}
	now := f.now()
	in := &instance{
		common:      f.st.newCommon(kindInstance, now, tags),
		Description: p.get("Description"),
		SubDomain:   p.get("CidrEndpointsCustomSubDomain"),
		Logging:     loggingConfig{LogVersion: defaultLogVersion},
	}
	if fips != nil {
		in.FIPS = *fips
	}
	f.st.instances[in.ID] = in
	snap := f.renderInstance(in)
	f.remember(action, p, func() requestIDSetter { return &respInstance{Instance: snap} })
	return &respInstance{Instance: snap}, nil
}

func (f *Front) describeInstances(p params) (requestIDSetter, *apiError) {
	q, err := readDescribe(p, "VerifiedAccessInstanceId")
	if err != nil {
		return nil, err
	}
	items, next, err := describe(q, kindInstance, ordered(f.st.instances), f.st.instances, f.visible)
	if err != nil {
		return nil, err
	}
	resp := &respInstances{NextToken: next}
	for _, in := range items {
		resp.Instances = append(resp.Instances, f.renderInstance(in))
	}
	return resp, nil
}

func (f *Front) modifyInstance(p params) (requestIDSetter, *apiError) {
	in, err := f.instanceByID(p)
	if err != nil {
		return nil, err
	}
	if p.has("CidrEndpointsCustomSubDomain") {
		if err := validateSubDomain(p.get("CidrEndpointsCustomSubDomain")); err != nil {
			return nil, err
		}
	}
	optionalString(&in.Description, p, "Description")
	optionalString(&in.SubDomain, p, "CidrEndpointsCustomSubDomain")
	in.Updated = f.now()
	return &respInstance{Instance: f.renderInstance(in)}, nil
}

func (f *Front) deleteInstance(p params) (requestIDSetter, *apiError) {
	in, err := f.instanceByID(p)
	if err != nil {
		return nil, err
	}
	// Groups (and through them endpoints) must go first, as in EC2.
	for _, g := range f.st.groups {
		if g.InstanceID == in.ID {
			return nil, errDependency(in.ID)
		}
	}
	x := f.renderInstance(in)
	delete(f.st.instances, in.ID)
	return &respInstance{Instance: x}, nil
}

func (f *Front) attachment(p params) (*instance, *trustProvider, *apiError) {
	in, err := f.instanceByID(p)
	if err != nil {
		return nil, nil, err
	}
	tpID, err := p.required("VerifiedAccessTrustProviderId")
	if err != nil {
		return nil, nil, err
	}
	tp, ok := f.st.trustProviders[tpID]
	if !ok {
		return nil, nil, kindTrustProvider.notFound(tpID)
	}
	return in, tp, nil
}

func (f *Front) attachTrustProvider(p params) (requestIDSetter, *apiError) {
	in, tp, err := f.attachment(p)
	if err != nil {
		return nil, err
	}
	if slices.Contains(in.TrustProviders, tp.ID) {
		return nil, errInvalid("The trust provider %s is already attached to %s.", tp.ID, in.ID)
	}
	// An instance takes at most one user-identity trust provider.
	if tp.Type == "user" {
		for _, id := range in.TrustProviders {
			if other, ok := f.st.trustProviders[id]; ok && other.Type == "user" {
				return nil, errInvalid("The Verified Access instance %s already has a user trust provider attached (%s).", in.ID, other.ID)
			}
		}
	}
	for _, id := range in.TrustProviders {
		if other, ok := f.st.trustProviders[id]; ok && other.PolicyReferenceName == tp.PolicyReferenceName {
			return nil, errInvalid("The policy reference name '%s' is already used by trust provider %s on %s.", tp.PolicyReferenceName, other.ID, in.ID)
		}
	}
	in.TrustProviders = append(in.TrustProviders, tp.ID)
	in.Updated = f.now()
	return &respAttachment{TrustProvider: renderTrustProvider(tp), Instance: f.renderInstance(in)}, nil
}

func (f *Front) detachTrustProvider(p params) (requestIDSetter, *apiError) {
	in, tp, err := f.attachment(p)
	if err != nil {
		return nil, err
	}
	i := slices.Index(in.TrustProviders, tp.ID)
	if i < 0 {
		return nil, errInvalid("The trust provider %s is not attached to %s.", tp.ID, in.ID)
	}
	in.TrustProviders = slices.Delete(in.TrustProviders, i, i+1)
	in.Updated = f.now()
	return &respAttachment{TrustProvider: renderTrustProvider(tp), Instance: f.renderInstance(in)}, nil
}

// dnsLabelRe is one label of a host name (RFC 1123).
var dnsLabelRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// validateSubDomain checks CidrEndpointsCustomSubDomain
// (CreateVerifiedAccessInstance, ModifyVerifiedAccessInstance): a DNS name
// of at least two labels, each 1–63 letters, digits or hyphens, not starting
// or ending with a hyphen, at most 253 characters, no trailing dot. The
// service lower-cases nothing: it is compared as written.
func validateSubDomain(d string) *apiError {
	invalid := func(why string) *apiError {
		return errInvalid("Value (%s) for parameter CidrEndpointsCustomSubDomain is invalid. %s", d, why)
	}
	if d == "" {
		return invalid("The subdomain must not be empty.")
	}
	if len(d) > 253 {
		return invalid("The subdomain must be at most 253 characters.")
	}
	if d != strings.ToLower(d) {
		return invalid("The subdomain must be in lower case.")
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return invalid("The subdomain must have at least two labels, e.g. vpn.example.com.")
	}
	for _, l := range labels {
		if !dnsLabelRe.MatchString(l) {
			return invalid(fmt.Sprintf("The label %q is not a valid DNS label.", l))
		}
	}
	return nil
}

// subDomainNameservers are the name servers the service answers for a
// custom subdomain: four, in Route 53's shape, derived from the subdomain
// so a describe always shows the same set.
func subDomainNameservers(d string) []string {
	sum := sha256.Sum256([]byte(d))
	tlds := []string{"com", "net", "org", "co.uk"}
	out := make([]string, 0, len(tlds))
	for i, tld := range tlds {
		n := binary.BigEndian.Uint16(sum[i*2:]) % 2048
		out = append(out, fmt.Sprintf("ns-%d.awsdns-%02d.%s", n, int(sum[8+i])%64, tld))
	}
	return out
}
