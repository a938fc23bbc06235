package vafront

import (
	"slices"
	"strings"
)

var (
	userTrustProviderTypes   = []string{"iam-identity-center", "oidc"}
	deviceTrustProviderTypes = []string{"jamf", "crowdstrike", "jumpcloud"}
)

func renderTrustProvider(tp *trustProvider) xTrustProvider {
	x := xTrustProvider{
		ID:                      tp.ID,
		Description:             tp.Description,
		TrustProviderType:       tp.Type,
		UserTrustProviderType:   tp.UserType,
		DeviceTrustProviderType: tp.DeviceType,
		PolicyReferenceName:     tp.PolicyReferenceName,
		CreationTime:            fmtTime(tp.Created),
		LastUpdated:             fmtTime(tp.Updated),
		Tags:                    tp.tagList(),
		Sse:                     tp.Sse.render(),
	}
	if o := tp.Oidc; o != nil {
		x.OidcOptions = &xOidcOptions{
			Issuer: o.Issuer, AuthorizationEndpoint: o.AuthorizationEndpoint, TokenEndpoint: o.TokenEndpoint,
			UserInfoEndpoint: o.UserInfoEndpoint, ClientID: o.ClientID, Scope: o.Scope,
		}
	}
	if o := tp.NativeOidc; o != nil {
		x.NativeOidcOptions = &xNativeOidc{
			PublicSigningKeyEndpoint: o.PublicSigningKeyEndpoint, Issuer: o.Issuer, AuthorizationEndpoint: o.AuthorizationEndpoint,
			TokenEndpoint: o.TokenEndpoint, UserInfoEndpoint: o.UserInfoEndpoint, ClientID: o.ClientID, Scope: o.Scope,
		}
	}
	if tp.Type == "device" {
		x.DeviceOptions = &xDeviceOptions{TenantID: tp.TenantID, PublicSigningKeyURL: tp.PublicSigningKeyURL}
	}
	return x
}

func (tp *trustProvider) filterValues(name string) ([]string, bool) {
	switch name {
	case "verified-access-trust-provider-id":
		return []string{tp.ID}, true
	case "description":
		return []string{tp.Description}, true
	case "trust-provider-type":
		return []string{tp.Type}, true
	case "user-trust-provider-type":
		return []string{tp.UserType}, true
	case "device-trust-provider-type":
		return []string{tp.DeviceType}, true
	case "policy-reference-name":
		return []string{tp.PolicyReferenceName}, true
	}
	return nil, false
}

// readOidc reads OidcOptions.* into o (create: from zero; modify: in place).
func readOidc(p params, o *oidcOptions) {
	optionalString(&o.Issuer, p, "OidcOptions.Issuer")
	optionalString(&o.AuthorizationEndpoint, p, "OidcOptions.AuthorizationEndpoint")
	optionalString(&o.TokenEndpoint, p, "OidcOptions.TokenEndpoint")
	optionalString(&o.UserInfoEndpoint, p, "OidcOptions.UserInfoEndpoint")
	optionalString(&o.ClientID, p, "OidcOptions.ClientId")
	optionalString(&o.ClientSecret, p, "OidcOptions.ClientSecret")
	optionalString(&o.Scope, p, "OidcOptions.Scope")
}

const nativeOidcPrefix = "NativeApplicationOidcOptions"

// readNativeOidc reads NativeApplicationOidcOptions.* into o (create: from
// zero; modify: in place).
func readNativeOidc(p params, o *nativeOidcOptions) {
	optionalString(&o.PublicSigningKeyEndpoint, p, nativeOidcPrefix+".PublicSigningKeyEndpoint")
	optionalString(&o.Issuer, p, nativeOidcPrefix+".Issuer")
	optionalString(&o.AuthorizationEndpoint, p, nativeOidcPrefix+".AuthorizationEndpoint")
	optionalString(&o.TokenEndpoint, p, nativeOidcPrefix+".TokenEndpoint")
	optionalString(&o.UserInfoEndpoint, p, nativeOidcPrefix+".UserInfoEndpoint")
	optionalString(&o.ClientID, p, nativeOidcPrefix+".ClientId")
	optionalString(&o.ClientSecret, p, nativeOidcPrefix+".ClientSecret")
	optionalString(&o.Scope, p, nativeOidcPrefix+".Scope")
}

// validateNativeOidc checks native-application options as the service
// does: every endpoint, the client id and secret present; endpoints https.
func validateNativeOidc(o *nativeOidcOptions) *apiError {
	for _, f := range []struct{ name, value string }{
		{"PublicSigningKeyEndpoint", o.PublicSigningKeyEndpoint},
		{"Issuer", o.Issuer},
		{"AuthorizationEndpoint", o.AuthorizationEndpoint},
		{"TokenEndpoint", o.TokenEndpoint},
		{"UserInfoEndpoint", o.UserInfoEndpoint},
		{"ClientId", o.ClientID},
		{"ClientSecret", o.ClientSecret},
	} {
		if f.value == "" {
			return errMissing(nativeOidcPrefix + "." + f.name)
		}
	}
	for _, f := range []struct{ name, value string }{
		{"PublicSigningKeyEndpoint", o.PublicSigningKeyEndpoint}, {"Issuer", o.Issuer},
		{"AuthorizationEndpoint", o.AuthorizationEndpoint}, {"TokenEndpoint", o.TokenEndpoint}, {"UserInfoEndpoint", o.UserInfoEndpoint},
	} {
		if !strings.HasPrefix(f.value, "https://") {
			return errInvalid("Value (%s) for parameter %s.%s is invalid. Expected an https URL.", f.value, nativeOidcPrefix, f.name)
		}
	}
	return nil
}

func validateOidc(o *oidcOptions) *apiError {
	for _, f := range []struct{ name, value string }{
		{"OidcOptions.Issuer", o.Issuer},
		{"OidcOptions.AuthorizationEndpoint", o.AuthorizationEndpoint},
		{"OidcOptions.TokenEndpoint", o.TokenEndpoint},
		{"OidcOptions.UserInfoEndpoint", o.UserInfoEndpoint},
		{"OidcOptions.ClientId", o.ClientID},
		{"OidcOptions.ClientSecret", o.ClientSecret},
	} {
		if f.value == "" {
			return errMissing(f.name)
		}
	}
	return nil
}

func (f *Front) createTrustProvider(p params) (requestIDSetter, *apiError) {
	const action = "CreateVerifiedAccessTrustProvider"
	if r, err := f.replay(action, p); r != nil || err != nil {
		return r, err
	}
	typ, err := p.required("TrustProviderType")
	if err != nil {
		return nil, err
	}
	ref, err := p.required("PolicyReferenceName")
	if err != nil {
		return nil, err
	}
	tp := &trustProvider{
		Type:                typ,
		PolicyReferenceName: ref,
		Description:         p.get("Description"),
		UserType:            p.get("UserTrustProviderType"),
		DeviceType:          p.get("DeviceTrustProviderType"),
	}
	switch typ {
	case "user":
		if tp.UserType == "" {
			return nil, errMissing("UserTrustProviderType")
		}
		if !slices.Contains(userTrustProviderTypes, tp.UserType) {
			return nil, errInvalid("Value (%s) for parameter userTrustProviderType is invalid. Valid values: iam-identity-center, oidc.", tp.UserType)
		}
		if tp.DeviceType != "" || p.hasPrefix("DeviceOptions") {
			return nil, errCombination("DeviceTrustProviderType and DeviceOptions cannot be used with a user trust provider.")
		}
		if tp.UserType == "oidc" {
			tp.Oidc = &oidcOptions{}
			readOidc(p, tp.Oidc)
			if err := validateOidc(tp.Oidc); err != nil {
				return nil, err
			}
			if p.hasPrefix(nativeOidcPrefix) {
				tp.NativeOidc = &nativeOidcOptions{}
				readNativeOidc(p, tp.NativeOidc)
				if err := validateNativeOidc(tp.NativeOidc); err != nil {
					return nil, err
				}
			}
		} else if p.hasPrefix("OidcOptions") {
			return nil, errCombination("OidcOptions can only be used with the oidc user trust provider type.")
		} else if p.hasPrefix(nativeOidcPrefix) {
			return nil, errCombination("NativeApplicationOidcOptions can only be used with the oidc user trust provider type.")
		}
	case "device":
		if tp.DeviceType == "" {
			return nil, errMissing("DeviceTrustProviderType")
		}
		if !slices.Contains(deviceTrustProviderTypes, tp.DeviceType) {
			return nil, errInvalid("Value (%s) for parameter deviceTrustProviderType is invalid. Valid values: jamf, crowdstrike, jumpcloud.", tp.DeviceType)
		}
		if tp.UserType != "" || p.hasPrefix("OidcOptions") || p.hasPrefix(nativeOidcPrefix) {
			return nil, errCombination("UserTrustProviderType, OidcOptions and NativeApplicationOidcOptions cannot be used with a device trust provider.")
		}
		tp.TenantID = p.get("DeviceOptions.TenantId")
		tp.PublicSigningKeyURL = p.get("DeviceOptions.PublicSigningKeyUrl")
		if tp.TenantID == "" {
			return nil, errMissing("DeviceOptions.TenantId")
		}
	default:
		return nil, errInvalid("Value (%s) for parameter trustProviderType is invalid. Valid values: user, device.", typ)
	}
	sse, err := readSse(p, sseSpec{})
	if err != nil {
		return nil, err
	}
	tp.Sse = sse
	tags, err := tagSpecifications(p, kindTrustProvider)
	if err != nil {
		return nil, err
	}
	tp.common = f.st.newCommon(kindTrustProvider, f.now(), tags)
	f.st.trustProviders[tp.ID] = tp
	snap := renderTrustProvider(tp)
	f.remember(action, p, func() requestIDSetter { return &respTrustProvider{TrustProvider: snap} })
	return &respTrustProvider{TrustProvider: snap}, nil
}

func (f *Front) trustProviderByID(p params) (*trustProvider, *apiError) {
	id, err := p.required("VerifiedAccessTrustProviderId")
	if err != nil {
		return nil, err
	}
	tp, ok := f.st.trustProviders[id]
	if !ok {
		return nil, kindTrustProvider.notFound(id)
	}
	return tp, nil
}

func (f *Front) describeTrustProviders(p params) (requestIDSetter, *apiError) {
	q, err := readDescribe(p, "VerifiedAccessTrustProviderId")
	if err != nil {
		return nil, err
	}
	items, next, err := describe(q, kindTrustProvider, ordered(f.st.trustProviders), f.st.trustProviders, f.visible)
	if err != nil {
		return nil, err
	}
	resp := &respTrustProviders{NextToken: next}
	for _, tp := range items {
		resp.TrustProviders = append(resp.TrustProviders, renderTrustProvider(tp))
	}
	return resp, nil
}

func (f *Front) modifyTrustProvider(p params) (requestIDSetter, *apiError) {
	tp, err := f.trustProviderByID(p)
	if err != nil {
		return nil, err
	}
	if p.hasPrefix("OidcOptions") {
		if tp.UserType != "oidc" {
			return nil, errCombination("OidcOptions can only be modified on an oidc user trust provider.")
		}
		updated := *tp.Oidc
		readOidc(p, &updated)
		if err := validateOidc(&updated); err != nil {
			return nil, err
		}
		tp.Oidc = &updated
	}
	if p.hasPrefix(nativeOidcPrefix) {
		if tp.UserType != "oidc" {
			return nil, errCombination("NativeApplicationOidcOptions can only be modified on an oidc user trust provider.")
		}
		updated := nativeOidcOptions{}
		if tp.NativeOidc != nil {
			updated = *tp.NativeOidc
		}
		readNativeOidc(p, &updated)
		if err := validateNativeOidc(&updated); err != nil {
			return nil, err
		}
		tp.NativeOidc = &updated
	}
	if p.hasPrefix("DeviceOptions") {
		if tp.Type != "device" {
			return nil, errCombination("DeviceOptions can only be modified on a device trust provider.")
		}
		optionalString(&tp.PublicSigningKeyURL, p, "DeviceOptions.PublicSigningKeyUrl")
	}
	sse, err := readSse(p, tp.Sse)
	if err != nil {
		return nil, err
	}
	tp.Sse = sse
	optionalString(&tp.Description, p, "Description")
	tp.Updated = f.now()
	return &respTrustProvider{TrustProvider: renderTrustProvider(tp)}, nil
}

func (f *Front) deleteTrustProvider(p params) (requestIDSetter, *apiError) {
	tp, err := f.trustProviderByID(p)
	if err != nil {
		return nil, err
	}
	for _, in := range ordered(f.st.instances) {
		if slices.Contains(in.TrustProviders, tp.ID) {
			return nil, errIncorrectState("The trust provider %s is attached to %s; detach it first.", tp.ID, in.ID)
		}
	}
	x := renderTrustProvider(tp)
	delete(f.st.trustProviders, tp.ID)
	return &respTrustProvider{TrustProvider: x}, nil
}
