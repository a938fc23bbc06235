package provider

// What the pure verification data sources and functions share
// (zerotrust_policy_document, zerotrust_access_decision, evaluate, ...):
// they manage nothing, call no API, and reuse the resources' expand helpers
// through the adapters below rather than copies of them.

import (
	"fmt"

	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// dataSourceAttribute converts a resource schema attribute into the data
// source equivalent, so a data source that takes "the same shape as" a
// resource block (access_rule) follows the resource's schema as it evolves
// instead of drifting from a hand-written copy. Resource-only features do
// not carry over: defaults (the caller applies them when expanding; a data
// source attribute cannot have one) and plan modifiers; an Optional+Computed
// attribute becomes Optional.
func dataSourceAttribute(a rschema.Attribute) dschema.Attribute {
	opt := func(required, optional, computed bool) bool { return !required && (optional || computed) }
	switch a := a.(type) {
	case rschema.StringAttribute:
		return dschema.StringAttribute{Required: a.Required, Optional: opt(a.Required, a.Optional, a.Computed), Sensitive: a.Sensitive,
			Description: a.Description, MarkdownDescription: markdownOf(a.MarkdownDescription, a.Description), Validators: a.Validators}
	case rschema.BoolAttribute:
		return dschema.BoolAttribute{Required: a.Required, Optional: opt(a.Required, a.Optional, a.Computed),
			Description: a.Description, MarkdownDescription: markdownOf(a.MarkdownDescription, a.Description), Validators: a.Validators}
	case rschema.NumberAttribute:
		return dschema.NumberAttribute{Required: a.Required, Optional: opt(a.Required, a.Optional, a.Computed),
			Description: a.Description, MarkdownDescription: markdownOf(a.MarkdownDescription, a.Description), Validators: a.Validators}
	case rschema.ListAttribute:
		return dschema.ListAttribute{Required: a.Required, Optional: opt(a.Required, a.Optional, a.Computed), ElementType: a.ElementType,
			Description: a.Description, MarkdownDescription: markdownOf(a.MarkdownDescription, a.Description), Validators: a.Validators}
	case rschema.SetAttribute:
		return dschema.SetAttribute{Required: a.Required, Optional: opt(a.Required, a.Optional, a.Computed), ElementType: a.ElementType,
			Description: a.Description, MarkdownDescription: markdownOf(a.MarkdownDescription, a.Description), Validators: a.Validators}
	case rschema.SingleNestedAttribute:
		return dschema.SingleNestedAttribute{Required: a.Required, Optional: opt(a.Required, a.Optional, a.Computed),
			Attributes:  dataSourceAttributes(a.Attributes),
			Description: a.Description, MarkdownDescription: markdownOf(a.MarkdownDescription, a.Description), Validators: a.Validators}
	}
	// Reached only when the resource schema gains an attribute kind this
	// converter does not know; the provider's schema tests catch it. There
	// is deliberately no Int64 case: every attribute converted here is set
	// in configuration, where a whole number is a NumberAttribute with the
	// wholeNumber validator (an Int64 one turns a fraction into the
	// framework's "Value Conversion Error").
	panic(fmt.Sprintf("dataSourceAttribute: unsupported attribute type %T", a))
}

func dataSourceAttributes(in map[string]rschema.Attribute) map[string]dschema.Attribute {
	out := make(map[string]dschema.Attribute, len(in))
	for k, v := range in {
		out[k] = dataSourceAttribute(v)
	}
	return out
}

func markdownOf(markdown, plain string) string {
	if markdown != "" {
		return markdown
	}
	return plain
}

// accessRuleDataSourceBlock is zerotrust_protect_surface's access_rule block
// for a data source.
func accessRuleDataSourceBlock() dschema.ListNestedBlock {
	b, ok := protectSurfaceSchema().Blocks["access_rule"].(rschema.ListNestedBlock)
	if !ok {
		panic("zerotrust_protect_surface has no access_rule list block") // a schema bug, caught by every test
	}
	return dschema.ListNestedBlock{
		Description:         b.Description,
		MarkdownDescription: markdownOf(b.MarkdownDescription, b.Description),
		Validators:          b.Validators,
		NestedObject:        dschema.NestedBlockObject{Attributes: dataSourceAttributes(b.NestedObject.Attributes)},
	}
}

// withRuleDefaults applies the resource schema's defaults to rules read by a
// data source, where the framework cannot: an unset effect is permit; unset
// booleans read as false already.
func withRuleDefaults(rules []surfaceRuleModel) []surfaceRuleModel {
	out := make([]surfaceRuleModel, len(rules))
	for i, r := range rules {
		if r.Effect.IsNull() {
			r.Effect = types.StringValue(model.EffectPermit)
		}
		out[i] = r
	}
	return out
}

// trustIdentityModel and trustDeviceModel declare a proxy's trust context
// in a data source, for teams whose Verified Access instance is managed
// elsewhere (e.g. aws_verifiedaccess_* in the AWS provider).
type trustIdentityModel struct {
	Type        types.String `tfsdk:"type"`
	Reference   types.String `tfsdk:"reference"`
	GroupsClaim types.String `tfsdk:"groups_claim"`
	MFAEnforced types.Bool   `tfsdk:"mfa_enforced"`
}

type trustDeviceModel struct {
	Type      types.String `tfsdk:"type"`
	Reference types.String `tfsdk:"reference"`
}

// trustContextAttributes are identity_provider, device_trust_provider and
// proxy_trust_context; the names match the model's problem paths
// (model.AccessProxy.Validate), so a bad provider is reported at its own
// attribute.
func trustContextAttributes() map[string]dschema.Attribute {
	return map[string]dschema.Attribute{
		"identity_provider": dschema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: "The access proxy's user trust provider, as `zerotrust_access_proxy`'s `identity_provider` declares it. " +
				"Exactly one of `identity_provider` and `proxy_trust_context` is required.",
			Attributes: map[string]dschema.Attribute{
				"type":         dschema.StringAttribute{Required: true, MarkdownDescription: "`iam-identity-center` or `oidc`."},
				"reference":    dschema.StringAttribute{Required: true, MarkdownDescription: "Policy reference name: the key of the provider's data in the Cedar context (`context.<reference>`)."},
				"groups_claim": dschema.StringAttribute{Optional: true, MarkdownDescription: "OIDC only: the claim carrying group membership (default `groups`)."},
				"mfa_enforced": dschema.BoolAttribute{Optional: true, MarkdownDescription: "The identity provider demands MFA at every sign-in (default false)."},
			},
		},
		"device_trust_provider": dschema.ListNestedAttribute{
			Optional:            true,
			MarkdownDescription: "The access proxy's device trust providers, at most one per type.",
			NestedObject: dschema.NestedAttributeObject{Attributes: map[string]dschema.Attribute{
				"type":      dschema.StringAttribute{Required: true, MarkdownDescription: "`jamf`, `crowdstrike` or `jumpcloud`."},
				"reference": dschema.StringAttribute{Required: true, MarkdownDescription: "Policy reference name (`context.<reference>`)."},
			}},
		},
		"proxy_trust_context": dschema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Instead of `identity_provider` and `device_trust_provider`: an access proxy's `trust_context` " +
				"(`zerotrust_access_proxy.<name>.trust_context`).",
		},
	}
}

// resolveTrustContext builds the proxy from the declared attributes and
// validates it; problems are reported at the attribute they came from.
func resolveTrustContext(idp *trustIdentityModel, devices []trustDeviceModel, proxyContext types.String, diags *diag.Diagnostics) (model.AccessProxy, bool) {
	switch {
	case idp != nil && !proxyContext.IsNull():
		diags.AddAttributeError(path.Root("proxy_trust_context"), "Conflicting trust context", "Set either identity_provider (with device_trust_provider) or proxy_trust_context, not both.")
		return model.AccessProxy{}, false
	case !proxyContext.IsNull():
		if len(devices) > 0 {
			diags.AddAttributeError(path.Root("device_trust_provider"), "Conflicting trust context", "proxy_trust_context already lists the device trust providers.")
			return model.AccessProxy{}, false
		}
		tc, err := parseProxyTrustContext(proxyContext.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("proxy_trust_context"), "Invalid trust context", err.Error())
			return model.AccessProxy{}, false
		}
		proxy := tc.model()
		if ps := proxy.Validate(); ps.HasErrors() {
			diags.AddAttributeError(path.Root("proxy_trust_context"), "Invalid trust context", ps.Error())
			return proxy, false
		}
		return proxy, true
	case idp == nil:
		diags.AddAttributeError(path.Root("identity_provider"), "Trust context required",
			"The compiled Cedar names the proxy's trust providers: set identity_provider (and device_trust_provider), or proxy_trust_context.")
		return model.AccessProxy{}, false
	}
	tc := proxyTrustContext{IdentityProvider: proxyTrustIdentity{
		Type: idp.Type.ValueString(), Reference: idp.Reference.ValueString(),
		GroupsClaim: idp.GroupsClaim.ValueString(), MFAEnforced: idp.MFAEnforced.ValueBool(),
	}}
	for _, d := range devices {
		tc.DeviceTrustProviders = append(tc.DeviceTrustProviders, proxyTrustDevice{Type: d.Type.ValueString(), Reference: d.Reference.ValueString()})
	}
	// Validate in declaration order (problem indexes are list indexes), then
	// use the canonical form.
	proxy := tc.model()
	ps := proxy.Validate()
	appendProblems(diags, path.Empty(), ps)
	return tc.canonical().model(), !ps.HasErrors()
}

// trustContextString is the canonical trust_context JSON of a proxy, the
// form zerotrust_access_proxy exports and the decision data source takes.
func trustContextString(p model.AccessProxy) string {
	tc := proxyTrustContext{IdentityProvider: proxyTrustIdentity{
		Type: p.IdentityProvider.Type, Reference: p.IdentityProvider.Reference,
		GroupsClaim: p.IdentityProvider.GroupsClaim, MFAEnforced: p.IdentityProvider.MFAEnforced,
	}}
	for _, d := range p.DeviceProviders {
		tc.DeviceTrustProviders = append(tc.DeviceTrustProviders, proxyTrustDevice{Type: d.Type, Reference: d.Reference})
	}
	return tc.String()
}
