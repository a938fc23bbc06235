package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze/whatif"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

var _ datasource.DataSource = (*accessDecisionDataSource)(nil)

func newAccessDecisionDataSource() datasource.DataSource { return &accessDecisionDataSource{} }

// accessDecisionDataSource answers a what-if: would Verified Access allow
// this request under this policy? Evaluated locally by cedar-go, so a
// `check` block can assert decisions in every plan.
type accessDecisionDataSource struct{}

type accessDecisionModel struct {
	PolicyDocument         types.String          `tfsdk:"policy_document"`
	EndpointPolicyDocument types.String          `tfsdk:"endpoint_policy_document"`
	TrustContext           types.String          `tfsdk:"trust_context"`
	TCP                    types.Bool            `tfsdk:"tcp"`
	PortRanges             types.List            `tfsdk:"port_ranges"`
	Request                *decisionRequestModel `tfsdk:"request"`
	Allowed                types.Bool            `tfsdk:"allowed"`
	DecidingRules          types.List            `tfsdk:"deciding_rules"`
	Reason                 types.String          `tfsdk:"reason"`
	EvaluationErrors       types.List            `tfsdk:"evaluation_errors"`
}

type decisionRequestModel struct {
	Groups        types.List           `tfsdk:"groups"`
	EmailVerified types.Bool           `tfsdk:"email_verified"`
	MFA           types.Bool           `tfsdk:"mfa"`
	Device        *decisionDeviceModel `tfsdk:"device"`
	Method        types.String         `tfsdk:"method"`
	Host          types.String         `tfsdk:"host"`
	Path          types.String         `tfsdk:"path"`
	ClientIP      types.String         `tfsdk:"client_ip"`
	Port          types.Number         `tfsdk:"port"`
}

type decisionDeviceModel struct {
	Jamf        *decisionJamfModel        `tfsdk:"jamf"`
	CrowdStrike *decisionCrowdStrikeModel `tfsdk:"crowdstrike"`
	JumpCloud   *decisionJumpCloudModel   `tfsdk:"jumpcloud"`
}

type decisionJamfModel struct {
	Risk types.String `tfsdk:"risk"`
}

type decisionCrowdStrikeModel struct {
	Overall types.Number `tfsdk:"overall"`
}

type decisionJumpCloudModel struct {
	Managed types.Bool `tfsdk:"managed"`
}

// defaultDecisionProxy is the trust context assumed when none is given: the
// reference names the provider's documentation and examples use (idc, jamf,
// crowdstrike, jumpcloud), so a policy compiled from them is evaluated
// without ceremony. Anything else must pass trust_context.
var defaultDecisionProxy = model.AccessProxy{
	Name:             "default",
	IdentityProvider: model.IdentityProvider{Type: model.IdentityIAMIdentityCenter, Reference: "idc"},
	DeviceProviders: []model.DeviceTrustProvider{
		{Type: model.DeviceJamf, Reference: "jamf"},
		{Type: model.DeviceCrowdStrike, Reference: "crowdstrike"},
		{Type: model.DeviceJumpCloud, Reference: "jumpcloud"},
	},
}

const defaultTrustContextDoc = "When unset, the trust context is Identity Center under the reference `idc` and Jamf, CrowdStrike and " +
	"JumpCloud under `jamf`, `crowdstrike` and `jumpcloud`."

// requestAttributeDescriptions are shared with provider::zerotrust::evaluate.
var requestAttributeDescriptions = map[string]string{
	"groups":         "Groups the user is in: Identity Center group ids, or values of the OIDC groups claim. Empty: in no group.",
	"email_verified": "Whether the identity provider reports the user's email address as verified; unset: not reported.",
	"mfa":            "Whether the user signed in with MFA (OIDC `amr` contains `mfa`); unset: no `amr` claim.",
	"method":         "HTTP method, e.g. `GET` (case-sensitive, as Verified Access sends it).",
	"host":           "Host name requested (`context.http_request.hostname`).",
	"path":           "URL path requested, e.g. `/api/orders`.",
	"client_ip":      "Client IP address; unset: unknown (rules with `client_cidrs` then do not match).",
	"device":         "Device trust data by provider type: `jamf = { risk = \"LOW\" }` (SECURE, LOW, MEDIUM, HIGH, NOT_APPLICABLE), `crowdstrike = { overall = 90 }` (0–100), `jumpcloud = { managed = true }`. Data for a provider type the proxy does not have is not sent, as Verified Access would not.",
}

func (d *accessDecisionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_decision"
}

func (d *accessDecisionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	desc := requestAttributeDescriptions
	resp.Schema = schema.Schema{
		MarkdownDescription: "Evaluates one request against a Cedar policy document with cedar-go, the way AWS Verified Access would " +
			"decide it, and reports the decision, the rules that decided it and why. Pure: no AWS call, so it is usable in `check` " +
			"blocks to assert who may and may not reach a surface, in every plan.",
		Attributes: map[string]schema.Attribute{
			"policy_document": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The group policy (Cedar text), e.g. `zerotrust_protect_surface.<name>.policy_document` or " +
					"`data.zerotrust_policy_document.<name>.policy_document`. Not empty: an empty document permits nothing.",
				Validators: []validator.String{emptyPolicyDocument},
			},
			"endpoint_policy_document": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The application's endpoint policy, when it has one: the request is allowed only when both documents allow it.",
			},
			"trust_context": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The proxy's trust context (`zerotrust_access_proxy.<name>.trust_context` or " +
					"`data.zerotrust_policy_document.<name>.trust_context`): where each trust provider's data goes in the Cedar context. " +
					defaultTrustContextDoc,
			},
			"tcp": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "The endpoint is a TCP endpoint (a `tcp` application): Verified Access sends it no `http_request`, " +
					"so the request's method, host, path and client address are not in the context. Default false.",
			},
			"port_ranges": schema.ListAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "The ports the application listens on, as a cidr application's `port_ranges` (`[\"22\", \"8000-8080\"]`, " +
					"ascending, not overlapping). With `request.port`, a connection to a port outside every range reaches no endpoint: it " +
					"is denied with no deciding rule and the policies are not read. Unset: the port is not checked.",
			},
			"request": schema.SingleNestedAttribute{
				Required:            true,
				MarkdownDescription: "The request: who, on what device, asking for what.",
				Attributes: map[string]schema.Attribute{
					"groups":         schema.ListAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: desc["groups"]},
					"email_verified": schema.BoolAttribute{Optional: true, MarkdownDescription: desc["email_verified"]},
					"mfa":            schema.BoolAttribute{Optional: true, MarkdownDescription: desc["mfa"]},
					"method":         schema.StringAttribute{Optional: true, MarkdownDescription: desc["method"]},
					"host":           schema.StringAttribute{Optional: true, MarkdownDescription: desc["host"]},
					"path":           schema.StringAttribute{Optional: true, MarkdownDescription: desc["path"]},
					"client_ip":      schema.StringAttribute{Optional: true, MarkdownDescription: desc["client_ip"]},
					"port": schema.NumberAttribute{Optional: true, Validators: []validator.Number{wholeNumber{min: 1, max: 65535}},
						MarkdownDescription: "TCP port connected to, 1–65535: checked against `port_ranges`. Unset: not checked."},
					"device": schema.SingleNestedAttribute{
						Optional:            true,
						MarkdownDescription: desc["device"],
						Attributes: map[string]schema.Attribute{
							"jamf": schema.SingleNestedAttribute{Optional: true, MarkdownDescription: "Jamf's report.", Attributes: map[string]schema.Attribute{
								"risk": schema.StringAttribute{Optional: true, MarkdownDescription: "Device risk: `SECURE`, `LOW`, `MEDIUM`, `HIGH` or `NOT_APPLICABLE`; unset: not reported."},
							}},
							"crowdstrike": schema.SingleNestedAttribute{Optional: true, MarkdownDescription: "CrowdStrike's Zero Trust Assessment.", Attributes: map[string]schema.Attribute{
								"overall": schema.NumberAttribute{Optional: true, MarkdownDescription: "Overall score, a whole number from 0 to 100; unset: not reported.",
									Validators: []validator.Number{wholeNumber{min: 0, max: 100}}},
							}},
							"jumpcloud": schema.SingleNestedAttribute{Optional: true, MarkdownDescription: "JumpCloud's report.", Attributes: map[string]schema.Attribute{
								"managed": schema.BoolAttribute{Optional: true, MarkdownDescription: "Whether the device is managed; unset: not reported."},
							}},
						},
					},
				},
			},
			"allowed": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the request is allowed."},
			"deciding_rules": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "`@id` of the statements that decided, sorted: the matching permits when allowed, the matching " +
					"forbids when a forbid denied, none when nothing permitted (deny by default).",
			},
			"reason": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The decision in a sentence, e.g. `allowed by permit \"engineers-read-write\"`, `denied: no rule " +
					"permits the request`, `denied by forbid \"quarantine\"`.",
			},
			"evaluation_errors": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Statements that failed to evaluate (`<id>: <message>`); Cedar counts them as not matching.",
			},
		},
	}
}

func (d *accessDecisionDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m accessDecisionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	proxy, perr := decisionProxy(m.TrustContext.ValueString())
	if perr != nil {
		resp.Diagnostics.AddAttributeError(path.Root("trust_context"), "Invalid trust context", perr.Error())
		return
	}
	r := whatif.Request{}
	if q := m.Request; q != nil {
		resp.Diagnostics.Append(q.Groups.ElementsAs(ctx, &r.Groups, false)...)
		r.EmailVerified = q.EmailVerified.ValueBoolPointer()
		r.MFA = q.MFA.ValueBoolPointer()
		r.Method, r.Host, r.Path, r.ClientIP = q.Method.ValueString(), q.Host.ValueString(), q.Path.ValueString(), q.ClientIP.ValueString()
		r.Port = intPointer(q.Port)
		if dv := q.Device; dv != nil {
			r.Device = &whatif.Device{}
			if dv.Jamf != nil {
				r.Device.Jamf = &whatif.Jamf{Risk: dv.Jamf.Risk.ValueStringPointer()}
			}
			if c := dv.CrowdStrike; c != nil {
				r.Device.CrowdStrike = &whatif.CrowdStrike{Overall: intPointer(c.Overall)}
			}
			if dv.JumpCloud != nil {
				r.Device.JumpCloud = &whatif.JumpCloud{Managed: dv.JumpCloud.Managed.ValueBoolPointer()}
			}
		}
	}
	validatePortRanges(m.PortRanges, path.Root("port_ranges"), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	var ports []model.PortRange
	for _, e := range m.PortRanges.Elements() {
		v, _ := asString(e)
		if r, err := model.ParsePortSpec(v.ValueString()); err == nil {
			ports = append(ports, r)
		}
	}
	out, err := decide(ports, m.PolicyDocument.ValueString(), m.EndpointPolicyDocument.ValueString(), m.TCP.ValueBool(), proxy, r)
	if err != nil {
		var fe whatif.FieldError
		var de whatif.DocumentError
		switch {
		case errors.As(err, &fe):
			p := path.Root("request")
			for _, name := range strings.Split(fe.Field, ".") {
				p = p.AtName(name)
			}
			resp.Diagnostics.AddAttributeError(p, "Invalid request", fmt.Sprintf("%s: %s", p, fe.Message))
		case errors.As(err, &de) && de.Endpoint:
			resp.Diagnostics.AddAttributeError(path.Root("endpoint_policy_document"), "Invalid Cedar policy", de.Err.Error())
		case errors.As(err, &de):
			resp.Diagnostics.AddAttributeError(path.Root("policy_document"), "Invalid Cedar policy", de.Err.Error())
		default:
			resp.Diagnostics.AddError("Cannot evaluate the request", err.Error())
		}
		return
	}
	m.Allowed = types.BoolValue(out.Allowed)
	m.DecidingRules = stringList(out.Rules)
	m.Reason = types.StringValue(out.Reason)
	m.EvaluationErrors = stringList(out.Errors)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// emptyPolicyDocument refuses an empty policy text: it permits nothing, so
// every decision against it is a deny that tests nothing.
var emptyPolicyDocument = notBlank{"Empty policy document",
	"A Cedar document with no statement permits nothing, so every request would be denied and the check would prove nothing. " +
		"Pass the policy's Cedar text, e.g. zerotrust_protect_surface.<name>.policy_document or data.zerotrust_policy_document.<name>.policy_document."}

// intPointer is a wholeNumber attribute's value, nil when unset.
func intPointer(v types.Number) *int {
	i, ok := wholeValue(v)
	if !ok {
		return nil
	}
	return new(int(i))
}

// decisionProxy reads a trust_context value ("" = the documented default).
func decisionProxy(trustContext string) (model.AccessProxy, error) {
	if trustContext == "" {
		return defaultDecisionProxy, nil
	}
	tc, err := parseProxyTrustContext(trustContext)
	if err != nil {
		return model.AccessProxy{}, err
	}
	p := tc.model()
	if ps := p.Validate(); ps.HasErrors() {
		return p, ps
	}
	return p, nil
}

// decide is the one evaluator entry point of the data source and the
// evaluate function: switching to a faster evaluator happens here. ports
// are the application's port ranges (none: the port is not checked).
func decide(ports []model.PortRange, policy, endpoint string, tcp bool, proxy model.AccessProxy, r whatif.Request) (whatif.Outcome, error) {
	return whatif.DecideOnPorts(ports, policy, endpoint, tcp, proxy, r)
}
