package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
)

var _ datasource.DataSourceWithValidateConfig = (*policyDocumentDataSource)(nil)

// ValidateConfig checks the rules whose values are written in the
// configuration while others are known only at apply — typically the id of
// a group created in the same apply, for which Terraform defers the read to
// apply and calls the provider at plan only to validate, with every
// reference unknown. What does not depend on the unknown values (a group
// written by display name where an Identity Center id is needed, rules
// below the sensitivity floor, unknown applications, lint) is decided then,
// with stand-ins for the unknown values, so it fails the plan instead of the
// apply after the rest of the configuration was created. A configuration
// known whole is read at plan, and Read checks it.
func (d *policyDocumentDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var idp types.Object
	if diags := req.Config.GetAttribute(ctx, path.Root("identity_provider"), &idp); diags.HasError() || idp.IsUnknown() {
		return
	}
	for _, list := range []string{"device_trust_provider", "application", "access_rule"} {
		var v types.List
		if diags := req.Config.GetAttribute(ctx, path.Root(list), &v); diags.HasError() || v.IsUnknown() {
			return // a dynamic block over values not known yet
		}
	}
	var m policyDocumentModel
	if diags := req.Config.Get(ctx, &m); diags.HasError() {
		return
	}
	if !m.trustContextKnown() || m.Sensitivity.IsUnknown() {
		return // the floors and the group forms depend on them
	}
	standIns, unknown := expandProtectSurfaceWithStandIns(m.surfaceModel())
	if len(unknown) == 0 {
		return // read at plan: Read checks it all
	}
	var trust diag.Diagnostics
	proxy, ok := resolveTrustContext(m.IdentityProvider, m.DeviceTrustProviders, m.ProxyTrustContext, &trust)
	if !ok {
		resp.Diagnostics.Append(trust...)
		return
	}
	standIns.Proxy = proxy
	_, problems := verifiedaccess.Compile(standIns, verifiedaccess.Options{})
	if known := dropUnknown(problems, unknown); len(known) > 0 {
		withAttributeInDetail(known)
		appendProblems(&resp.Diagnostics, path.Empty(), known)
	}
}

// trustContextKnown reports whether everything the trust context is made of
// is known.
func (m policyDocumentModel) trustContextKnown() bool {
	if m.ProxyTrustContext.IsUnknown() {
		return false
	}
	if i := m.IdentityProvider; i != nil {
		for _, v := range []types.String{i.Type, i.Reference, i.GroupsClaim} {
			if v.IsUnknown() {
				return false
			}
		}
		if i.MFAEnforced.IsUnknown() {
			return false
		}
	}
	for _, d := range m.DeviceTrustProviders {
		if d.Type.IsUnknown() || d.Reference.IsUnknown() {
			return false
		}
	}
	return true
}
