package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

var _ datasource.DataSource = (*policyDocumentDataSource)(nil)

func newPolicyDocumentDataSource() datasource.DataSource { return &policyDocumentDataSource{} }

// policyDocumentDataSource compiles access rules into Verified Access Cedar
// without managing anything: for teams that keep their aws_verifiedaccess_*
// resources in the AWS provider but want the same compiler, floors and lint.
type policyDocumentDataSource struct{}

type policyDocumentModel struct {
	Name                     types.String        `tfsdk:"name"`
	Sensitivity              types.String        `tfsdk:"sensitivity"`
	IdentityProvider         *trustIdentityModel `tfsdk:"identity_provider"`
	DeviceTrustProviders     []trustDeviceModel  `tfsdk:"device_trust_provider"`
	ProxyTrustContext        types.String        `tfsdk:"proxy_trust_context"`
	Applications             []policyDocAppModel `tfsdk:"application"`
	AccessRules              []surfaceRuleModel  `tfsdk:"access_rule"`
	PolicyDocument           types.String        `tfsdk:"policy_document"`
	EndpointPolicyDocs       types.Map           `tfsdk:"endpoint_policy_documents"`
	ContextSchema            types.String        `tfsdk:"context_schema"`
	TrustContext             types.String        `tfsdk:"trust_context"`
	ApplicationsWithEndpoint types.List          `tfsdk:"applications_with_endpoint_policy"`
}

type policyDocAppModel struct {
	Name     types.String `tfsdk:"name"`
	Domain   types.String `tfsdk:"domain"`
	Protocol types.String `tfsdk:"protocol"`
}

func (d *policyDocumentDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_policy_document"
}

func (d *policyDocumentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := trustContextAttributes()
	attrs["name"] = schema.StringAttribute{
		Optional:            true,
		MarkdownDescription: "Name of the protect surface the document is for, used in diagnostics (default `policy-document`).",
	}
	attrs["sensitivity"] = schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "How sensitive the surface is: `public`, `internal` (default), `confidential` or `restricted`. Each level " +
			"sets the floor every permit rule must meet, exactly as on `zerotrust_protect_surface`: a rule below it is an error " +
			"at the rule's attribute unless acknowledged (then a warning).",
		Validators: []validator.String{stringvalidator.OneOf(model.Sensitivities...)},
	}
	attrs["policy_document"] = schema.StringAttribute{
		Computed: true,
		MarkdownDescription: "The compiled Cedar group policy, canonical (forbid before permit, then by rule name; each statement " +
			"annotated with its rule's `@id`), ready for `aws_verifiedaccess_group.policy_document`. No rule compiles to a single " +
			"deny-by-default statement.",
	}
	attrs["endpoint_policy_documents"] = schema.MapAttribute{
		Computed: true, ElementType: types.StringType,
		MarkdownDescription: "Endpoint policies by application name, for applications that get one (when some rule lists `applications`); " +
			"ready for `aws_verifiedaccess_endpoint.policy_document`. Verified Access allows a request when the group policy and the " +
			"endpoint policy both allow it.",
	}
	attrs["applications_with_endpoint_policy"] = schema.ListAttribute{
		Computed: true, ElementType: types.StringType,
		MarkdownDescription: "Sorted names of the applications that have an entry in `endpoint_policy_documents`.",
	}
	attrs["context_schema"] = schema.StringAttribute{
		Computed: true,
		MarkdownDescription: "The Cedar schema (human-readable syntax) of the Verified Access context for this trust context and " +
			"these rules' groups. Every statement was type-checked against it.",
	}
	attrs["trust_context"] = schema.StringAttribute{
		Computed: true,
		MarkdownDescription: "The trust context compiled against, as canonical JSON in the form of `zerotrust_access_proxy`'s " +
			"`trust_context`: pass it to `zerotrust_access_decision.trust_context`.",
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Compiles access rules — the same `access_rule` blocks as `zerotrust_protect_surface` — for a trust context " +
			"into canonical AWS Verified Access Cedar, with the surface's sensitivity floors and lint as diagnostics, without " +
			"managing anything and without calling AWS. For configurations that keep Verified Access in the AWS provider.",
		Attributes: attrs,
		Blocks: map[string]schema.Block{
			"application": schema.ListNestedBlock{
				MarkdownDescription: "An application of the surface (rules target it by name in `applications`). Only its name, " +
					"domain and protocol matter to the policy; endpoints are not managed here.",
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"name":   schema.StringAttribute{Required: true, MarkdownDescription: "Application name, unique in the surface."},
					"domain": schema.StringAttribute{Optional: true, MarkdownDescription: "Application domain, e.g. `pay.internal.example.com`."},
					"protocol": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "`https` (default), `http` or `tcp`. A TCP application gets no `http_request` in its context, " +
							"so rules that apply to it cannot set methods, path prefixes or client CIDRs.",
						Validators: []validator.String{stringvalidator.OneOf("http", "https", "tcp")},
					},
				}},
			},
			"access_rule": accessRuleDataSourceBlock(),
		},
	}
}

func (d *policyDocumentDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m policyDocumentModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	proxy, ok := resolveTrustContext(m.IdentityProvider, m.DeviceTrustProviders, m.ProxyTrustContext, &resp.Diagnostics)
	if !ok {
		return
	}
	surface, known := expandProtectSurface(m.surfaceModel())
	if !known {
		// Data sources are read only when their configuration is known;
		// this guards the invariant rather than a reachable case.
		resp.Diagnostics.AddError("Unknown access rules", "The access rules are not known yet; this is a bug in the provider.")
		return
	}
	surface.Proxy = proxy
	res, ok := compileSurface(surface, contextDeclared, &resp.Diagnostics)
	if !ok {
		return
	}
	endpoints := endpointPolicies(res)
	var apps []string
	for _, e := range res.Endpoints {
		if e.Policy != "" {
			apps = append(apps, e.Application)
		}
	}
	m.PolicyDocument = types.StringValue(res.GroupPolicy)
	m.EndpointPolicyDocs = stringMapValue(endpoints)
	m.ApplicationsWithEndpoint = stringList(apps)
	m.ContextSchema = types.StringValue(res.Schema)
	m.TrustContext = types.StringValue(trustContextString(proxy))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// surfaceModel adapts the data source's configuration to the resource
// model expandProtectSurface expands, so both compile the same rules the same way.
func (m policyDocumentModel) surfaceModel() protectSurfaceModel {
	out := protectSurfaceModel{
		Name:        types.StringValue(valueOr(m.Name.ValueString(), "policy-document")),
		Sensitivity: types.StringValue(valueOr(m.Sensitivity.ValueString(), "internal")),
		AccessRules: withRuleDefaults(m.AccessRules),
	}
	for _, a := range m.Applications {
		out.Applications = append(out.Applications, surfaceAppModel{Name: a.Name, Domain: a.Domain, Protocol: a.Protocol})
	}
	return out
}
