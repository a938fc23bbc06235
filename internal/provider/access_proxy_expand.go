package provider

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// expandAccessProxy maps the configuration onto the model; known is false when a
// value the model needs is unknown.
func expandAccessProxy(m accessProxyModel) (model.AccessProxy, bool) {
	p := model.AccessProxy{Name: m.Name.ValueString()}
	known := true
	check := func(vs ...attr.Value) {
		for _, v := range vs {
			if v.IsUnknown() {
				known = false
			}
		}
	}
	if idp := m.IdentityProvider; idp != nil {
		check(idp.Type, idp.Reference, idp.GroupsClaim, idp.MFAEnforced)
		p.IdentityProvider = model.IdentityProvider{
			Type: idp.Type.ValueString(), Reference: idp.Reference.ValueString(),
			GroupsClaim: idp.GroupsClaim.ValueString(), MFAEnforced: idp.MFAEnforced.ValueBool(),
		}
	}
	for _, d := range m.DeviceTrustProviders {
		check(d.Type, d.Reference)
		p.DeviceProviders = append(p.DeviceProviders, model.DeviceTrustProvider{Type: d.Type.ValueString(), Reference: d.Reference.ValueString()})
	}
	return p, known
}

// expandProxyTrustContext is the plan-time trust context of a configuration.
func expandProxyTrustContext(m accessProxyModel) (proxyTrustContext, bool) {
	p, known := expandAccessProxy(m)
	if !known || m.IdentityProvider == nil {
		return proxyTrustContext{}, false
	}
	out := proxyTrustContext{IdentityProvider: proxyTrustIdentity{
		Type: p.IdentityProvider.Type, Reference: p.IdentityProvider.Reference,
		GroupsClaim: p.IdentityProvider.GroupsClaim, MFAEnforced: p.IdentityProvider.MFAEnforced,
	}}
	for _, d := range p.DeviceProviders {
		out.DeviceTrustProviders = append(out.DeviceTrustProviders, proxyTrustDevice{Type: d.Type, Reference: d.Reference})
	}
	return out.canonical(), true
}

// expandTrustProviders turns the plan into trust-provider specs owned by
// instanceID; secret is the write-only client secret from the configuration.
func expandTrustProviders(m accessProxyModel, instanceID, secret, nativeSecret string) []awsapi.TrustProviderSpec {
	owner := func() map[string]string {
		return map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagProxyID: instanceID}
	}
	var out []awsapi.TrustProviderSpec
	if idp := m.IdentityProvider; idp != nil {
		s := awsapi.TrustProviderSpec{
			Kind: awsapi.TrustProviderUser, Type: idp.Type.ValueString(), Reference: idp.Reference.ValueString(),
			Description: "Identity provider of a zero-trust access proxy (managed by terraform-provider-zerotrust)",
			Tags:        owner(),
			KMSKeyARN:   m.KMSKeyARN.ValueString(),
		}
		for k, v := range expandUserProviderTags(m) {
			s.Tags[k] = v
		}
		if o := idp.OIDC; o != nil {
			s.OIDC = &awsapi.OIDCOptions{
				Issuer: o.Issuer.ValueString(), AuthorizationEndpoint: o.AuthorizationEndpoint.ValueString(),
				TokenEndpoint: o.TokenEndpoint.ValueString(), UserInfoEndpoint: o.UserInfoEndpoint.ValueString(),
				ClientID: o.ClientID.ValueString(), ClientSecret: secret, Scope: o.Scope.ValueString(),
			}
			s.NativeOIDC = expandNativeOIDC(idp, nativeSecret)
		}
		out = append(out, s)
	}
	for _, d := range m.DeviceTrustProviders {
		out = append(out, awsapi.TrustProviderSpec{
			Kind: awsapi.TrustProviderDevice, Type: d.Type.ValueString(), Reference: d.Reference.ValueString(), TenantID: d.TenantID.ValueString(),
			Description: "Device trust provider of a zero-trust access proxy (managed by terraform-provider-zerotrust)",
			Tags:        owner(),
			KMSKeyARN:   m.KMSKeyARN.ValueString(),
		})
	}
	return out
}

// userProviderTags are the facts recorded on the user trust provider.
func expandUserProviderTags(m accessProxyModel) map[string]string {
	idp := m.IdentityProvider
	tags := map[string]string{awsapi.TagMFAEnforced: fmt.Sprint(idp.MFAEnforced.ValueBool())}
	if v := idp.GroupsClaim.ValueString(); v != "" {
		tags[awsapi.TagGroupsClaim] = v
	}
	if o := idp.OIDC; o != nil && o.ClientSecretVersion.ValueString() != "" {
		tags[awsapi.TagClientSecretVersion] = o.ClientSecretVersion.ValueString()
	}
	if o := idp.NativeOIDC; o != nil && o.ClientSecretVersion.ValueString() != "" {
		tags[TagNativeClientSecretVersion] = o.ClientSecretVersion.ValueString()
	}
	return tags
}

var userProviderTagKeys = []string{awsapi.TagGroupsClaim, awsapi.TagMFAEnforced, awsapi.TagClientSecretVersion, TagNativeClientSecretVersion}

func expandProxyInstanceTags(m accessProxyModel, user map[string]string) map[string]string {
	tags := map[string]string{}
	for k, v := range user {
		tags[k] = v
	}
	tags["Name"] = valueOr(tags["Name"], m.Name.ValueString())
	tags[awsapi.TagManagedBy] = awsapi.ManagedByValue
	tags[awsapi.TagProxy] = m.Name.ValueString()
	return tags
}

func expandProxyLogging(m *proxyLoggingModel) awsapi.AccessLogging {
	if m == nil {
		return awsapi.AccessLogging{LogVersion: awsapi.DefaultLogVersion}
	}
	l := awsapi.AccessLogging{
		CloudWatchLogGroup:  m.CloudWatchLogGroup.ValueString(),
		FirehoseStream:      m.FirehoseDeliveryStream.ValueString(),
		IncludeTrustContext: m.IncludeTrustContext.ValueBool(),
		LogVersion:          valueOr(m.LogVersion.ValueString(), awsapi.DefaultLogVersion),
	}
	if s := m.S3; s != nil {
		l.S3Bucket, l.S3Prefix, l.S3BucketOwner = s.Bucket.ValueString(), s.Prefix.ValueString(), s.BucketOwner.ValueString()
	}
	return l
}

// expandProxyClientSecret reads the write-only client secret from the configuration.
func expandProxyClientSecret(ctx context.Context, cfg tfsdk.Config, diags *diag.Diagnostics) string {
	var secret types.String
	d := cfg.GetAttribute(ctx, path.Root("identity_provider").AtName("oidc").AtName("client_secret"), &secret)
	if d.HasError() {
		return "" // no oidc block
	}
	diags.Append(d...)
	return secret.ValueString()
}

// flattenAccessProxy refreshes m from the live instance, its trust
// providers (by id) and its logging. Declared providers are matched by kind
// and type; attached providers that match nothing declared are listed as
// unmanaged. When importing (m empty) every attached provider the proxy owns
// becomes a declared one.
func flattenAccessProxy(m *accessProxyModel, in *awsapi.VerifiedAccessInstance, tps map[string]*awsapi.VerifiedAccessTrustProvider, logging awsapi.AccessLogging, importing bool) {
	id := in.ID
	m.ID = types.StringValue(in.ID)
	m.Description = types.StringValue(in.Description)
	m.FIPSEnabled = types.BoolValue(in.FIPSEnabled)
	m.CidrSubDomain = nullIfEmpty(in.CidrSubDomain)
	m.CidrNameServers = stringList(in.NameServers)
	if n := in.Tags[awsapi.TagProxy]; n != "" {
		m.Name = types.StringValue(n)
	} else if m.Name.IsNull() {
		m.Name = types.StringValue(in.ID)
	}
	if importing {
		m.Tags = flattenImportedUserTags(in.Tags, m.Name.ValueString())
	} else {
		m.Tags = flattenUserTags(in.Tags, m.Tags)
	}

	ids := map[string]string{}
	var unmanaged []string
	var liveDevices []*awsapi.VerifiedAccessTrustProvider
	var managed []*awsapi.VerifiedAccessTrustProvider // owned and matched: they carry the proxy's key
	for _, tpID := range in.TrustProviderIDs {
		tp := tps[tpID]
		if tp == nil || tp.Tags[awsapi.TagProxyID] != id {
			unmanaged = append(unmanaged, tpID)
			continue
		}
		if tp.Kind == awsapi.TrustProviderUser {
			idp := m.IdentityProvider
			if idp == nil {
				idp = &proxyIdentityModel{GroupsClaim: types.StringNull(), MFAEnforced: types.BoolValue(false)}
				m.IdentityProvider = idp
			} else if idp.Type.ValueString() != tp.Type || idp.Reference.ValueString() != tp.Reference {
				unmanaged = append(unmanaged, tpID)
				continue
			}
			idp.Type, idp.Reference = types.StringValue(tp.Type), types.StringValue(tp.Reference)
			if v, ok := tp.Tags[awsapi.TagGroupsClaim]; ok {
				idp.GroupsClaim = types.StringValue(v)
			} else {
				idp.GroupsClaim = types.StringNull()
			}
			idp.MFAEnforced = types.BoolValue(tp.Tags[awsapi.TagMFAEnforced] == "true")
			if tp.OIDC != nil {
				o := idp.OIDC
				if o == nil {
					o = &proxyOIDCModel{ClientSecret: types.StringNull(), Scope: types.StringNull(), ClientSecretVersion: types.StringNull()}
					idp.OIDC = o
				}
				o.Issuer, o.AuthorizationEndpoint = types.StringValue(tp.OIDC.Issuer), types.StringValue(tp.OIDC.AuthorizationEndpoint)
				o.TokenEndpoint, o.UserInfoEndpoint = types.StringValue(tp.OIDC.TokenEndpoint), types.StringValue(tp.OIDC.UserInfoEndpoint)
				o.ClientID = types.StringValue(tp.OIDC.ClientID)
				o.ClientSecret = types.StringNull() // write-only
				if tp.OIDC.Scope != "" || !o.Scope.IsNull() {
					o.Scope = types.StringValue(tp.OIDC.Scope)
				}
				if v, ok := tp.Tags[awsapi.TagClientSecretVersion]; ok {
					o.ClientSecretVersion = types.StringValue(v)
				} else {
					o.ClientSecretVersion = types.StringNull()
				}
			}
			flattenNativeOIDC(idp, tp)
			managed = append(managed, tp)
			ids[tp.Reference] = tpID
			continue
		}
		liveDevices = append(liveDevices, tp)
	}
	// Device providers: declared ones are refreshed by type; with nothing
	// declared (import) the owned attached ones are taken, sorted by type.
	sort.Slice(liveDevices, func(i, j int) bool { return liveDevices[i].Type < liveDevices[j].Type })
	if importing {
		for _, tp := range liveDevices {
			m.DeviceTrustProviders = append(m.DeviceTrustProviders, proxyDeviceModel{Type: types.StringValue(tp.Type), Reference: types.StringValue(tp.Reference), TenantID: types.StringValue(tp.TenantID)})
			ids[tp.Reference] = tp.ID
			managed = append(managed, tp)
		}
	} else {
		for _, tp := range liveDevices {
			matched := false
			for i := range m.DeviceTrustProviders {
				d := &m.DeviceTrustProviders[i]
				if d.Type.ValueString() == tp.Type && d.Reference.ValueString() == tp.Reference && d.TenantID.ValueString() == tp.TenantID {
					ids[tp.Reference] = tp.ID
					matched = true
					managed = append(managed, tp)
				}
			}
			if !matched {
				unmanaged = append(unmanaged, tp.ID)
			}
		}
	}
	m.TrustProviderIDs = stringMapValue(ids)
	m.KMSKeyARN = flattenProxyKey(m.KMSKeyARN, managed)
	sort.Strings(unmanaged)
	m.UnmanagedTrustProviderIDs = stringList(unmanaged)
	if unmanaged == nil {
		m.UnmanagedTrustProviderIDs = types.ListValueMust(types.StringType, []attr.Value{})
	}

	if m.Logging != nil || !logging.IsDefault() {
		lm := &proxyLoggingModel{
			CloudWatchLogGroup:     nullIfEmpty(logging.CloudWatchLogGroup),
			FirehoseDeliveryStream: nullIfEmpty(logging.FirehoseStream),
			IncludeTrustContext:    types.BoolValue(logging.IncludeTrustContext),
			LogVersion:             types.StringValue(valueOr(logging.LogVersion, awsapi.DefaultLogVersion)),
		}
		if logging.S3Bucket != "" {
			lm.S3 = &proxyS3Model{Bucket: types.StringValue(logging.S3Bucket), Prefix: nullIfEmpty(logging.S3Prefix), BucketOwner: nullIfEmpty(logging.S3BucketOwner)}
		}
		m.Logging = lm
	}

	if tc, ok := expandProxyTrustContext(*m); ok {
		m.TrustContext = types.StringValue(tc.String())
		refs := map[string]string{tc.IdentityProvider.Type: tc.IdentityProvider.Reference}
		for _, d := range tc.DeviceTrustProviders {
			refs[d.Type] = d.Reference
		}
		m.ReferenceNames = stringMapValue(refs)
	} else {
		m.TrustContext = types.StringNull()
		m.ReferenceNames = types.MapValueMust(types.StringType, map[string]attr.Value{})
	}
}
