package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// Non-HTTP client access and customer-managed keys on the access proxy: the
// custom subdomain of CIDR endpoints (and the name servers to delegate it
// to), the native-application OIDC client of the connectivity client, and
// the KMS key of the trust providers.

// TagNativeClientSecretVersion records which native-application client
// secret version was last written to an OIDC trust provider.
const TagNativeClientSecretVersion = "zerotrust:native-client-secret-version"

// subDomainRemoved: Verified Access has no way to unset the subdomain, so
// removing it replaces the instance.
func subDomainRemoved(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !req.StateValue.IsNull() && req.PlanValue.IsNull()
}

// expandNativeOIDC is the native-application options of the configuration
// (nil without the block); secret is the write-only client secret.
func expandNativeOIDC(idp *proxyIdentityModel, secret string) *awsapi.NativeOIDCOptions {
	if idp == nil || idp.NativeOIDC == nil {
		return nil
	}
	o := idp.NativeOIDC
	return &awsapi.NativeOIDCOptions{
		PublicSigningKeyEndpoint: o.PublicSigningKeyEndpoint.ValueString(), Issuer: o.Issuer.ValueString(),
		AuthorizationEndpoint: o.AuthorizationEndpoint.ValueString(), TokenEndpoint: o.TokenEndpoint.ValueString(),
		UserInfoEndpoint: o.UserInfoEndpoint.ValueString(), ClientID: o.ClientID.ValueString(), ClientSecret: secret,
		Scope: o.Scope.ValueString(),
	}
}

// expandProxyNativeClientSecret reads the write-only native-application
// client secret from the configuration.
func expandProxyNativeClientSecret(ctx context.Context, cfg tfsdk.Config, diags *diag.Diagnostics) string {
	var secret types.String
	d := cfg.GetAttribute(ctx, path.Root("identity_provider").AtName("native_application_oidc").AtName("client_secret"), &secret)
	if d.HasError() {
		return "" // no native_application_oidc block
	}
	diags.Append(d...)
	return secret.ValueString()
}

// validateNativeOIDCConfig checks the native_application_oidc block: oidc
// providers only, and every option but scope present.
func validateNativeOIDCConfig(idp *proxyIdentityModel, diags *diag.Diagnostics) {
	o := idp.NativeOIDC
	if o == nil {
		return
	}
	at := path.Root("identity_provider").AtName("native_application_oidc")
	if !idp.Type.IsUnknown() && idp.Type.ValueString() != model.IdentityOIDC {
		diags.AddAttributeError(at, "Native-application OIDC options not applicable",
			fmt.Sprintf("native_application_oidc configures the OIDC client of the AWS Verified Access connectivity client; it applies to oidc identity providers only, not %q.", idp.Type.ValueString()))
		return
	}
	for _, f := range []struct {
		name string
		v    types.String
	}{
		{"public_signing_key_endpoint", o.PublicSigningKeyEndpoint}, {"issuer", o.Issuer}, {"authorization_endpoint", o.AuthorizationEndpoint},
		{"token_endpoint", o.TokenEndpoint}, {"user_info_endpoint", o.UserInfoEndpoint}, {"client_id", o.ClientID}, {"client_secret", o.ClientSecret},
	} {
		if f.v.IsNull() {
			diags.AddAttributeError(at.AtName(f.name), "Missing native-application OIDC option", f.name+" is required in the native_application_oidc block.")
		}
	}
}

// flattenNativeOIDC refreshes the native-application options from the live
// user trust provider: nil when it has none (a configured block then shows
// as to be added).
func flattenNativeOIDC(idp *proxyIdentityModel, tp *awsapi.VerifiedAccessTrustProvider) {
	if tp.NativeOIDC == nil {
		idp.NativeOIDC = nil
		return
	}
	o := idp.NativeOIDC
	if o == nil {
		o = &proxyNativeOIDCModel{Scope: types.StringNull()}
		idp.NativeOIDC = o
	}
	n := tp.NativeOIDC
	o.PublicSigningKeyEndpoint, o.Issuer = types.StringValue(n.PublicSigningKeyEndpoint), types.StringValue(n.Issuer)
	o.AuthorizationEndpoint, o.TokenEndpoint = types.StringValue(n.AuthorizationEndpoint), types.StringValue(n.TokenEndpoint)
	o.UserInfoEndpoint, o.ClientID = types.StringValue(n.UserInfoEndpoint), types.StringValue(n.ClientID)
	o.ClientSecret = types.StringNull() // write-only
	if n.Scope != "" || !o.Scope.IsNull() {
		o.Scope = types.StringValue(n.Scope)
	}
	o.ClientSecretVersion = nullIfEmpty(tp.Tags[TagNativeClientSecretVersion])
}

// updateNativeOIDC brings a kept OIDC trust provider's native-application
// options to the plan: written (with the secret) when they are new, changed,
// or their secret version changed.
func updateNativeOIDC(ctx context.Context, c *awsapi.Clients, idp *proxyIdentityModel, tp *awsapi.VerifiedAccessTrustProvider, secret string) error {
	want := expandNativeOIDC(idp, "")
	if want == nil {
		return nil // removal replaces the proxy (ModifyPlan)
	}
	rotate := tp.Tags[TagNativeClientSecretVersion] != idp.NativeOIDC.ClientSecretVersion.ValueString()
	if tp.NativeOIDC != nil && *tp.NativeOIDC == *want && !rotate {
		return nil
	}
	if (tp.NativeOIDC == nil || rotate) && secret == "" {
		return fmt.Errorf("the native-application OIDC options need their client_secret to be written (new options or a changed client_secret_version)")
	}
	want.ClientSecret = secret
	if err := awsapi.ModifyVerifiedAccessTrustProviderNativeOIDC(ctx, c.EC2, tp.ID, *want); err != nil {
		return err
	}
	tflog.Info(ctx, "native-application OIDC options updated", map[string]any{"trust_provider": tp.ID, "secret_rotated": rotate})
	return nil
}

// flattenProxyKey reads the proxy's key from its trust providers: the key
// they share, or, when they disagree, the first that differs from the
// recorded one, so the plan shows the drift and apply corrects it.
func flattenProxyKey(recorded types.String, tps []*awsapi.VerifiedAccessTrustProvider) types.String {
	if len(tps) == 0 {
		return recorded
	}
	for _, tp := range tps {
		if tp.KMSKeyARN != recorded.ValueString() {
			return nullIfEmpty(tp.KMSKeyARN)
		}
	}
	return recorded
}

// planCidrNameServers: known when the subdomain stays (the recorded ones)
// or is absent (none); unknown while it changes.
func planCidrNameServers(plan accessProxyModel, state *accessProxyModel) types.List {
	switch {
	case plan.CidrSubDomain.IsNull():
		return stringList(nil)
	case state != nil && plan.CidrSubDomain.Equal(state.CidrSubDomain) && !state.CidrNameServers.IsNull():
		return state.CidrNameServers
	}
	return types.ListUnknown(types.StringType)
}

// nativeOIDCRemoved asks for replacement when the native-application
// options are removed: the API cannot unset them.
func nativeOIDCRemoved(plan accessProxyModel, state *accessProxyModel, resp *resource.ModifyPlanResponse) {
	if state == nil || state.IdentityProvider == nil || state.IdentityProvider.NativeOIDC == nil {
		return
	}
	if plan.IdentityProvider == nil || plan.IdentityProvider.NativeOIDC == nil {
		resp.RequiresReplace.Append(path.Root("identity_provider").AtName("native_application_oidc"))
	}
}
