package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze/maturity"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

var _ datasource.DataSource = (*maturityAssessmentDataSource)(nil)

func newMaturityAssessmentDataSource() datasource.DataSource { return &maturityAssessmentDataSource{} }

// maturityAssessmentDataSource stages a declared posture on the CISA Zero
// Trust Maturity Model v2; the scoring rules live in internal/analyze/maturity.
type maturityAssessmentDataSource struct{}

type maturityModel struct {
	Identity         *maturityIdentityModel   `tfsdk:"identity"`
	DeviceProviders  types.List               `tfsdk:"device_providers"`
	Surfaces         []maturitySurfaceModel   `tfsdk:"surfaces"`
	Segments         []maturitySegmentModel   `tfsdk:"segments"`
	PrivilegedAccess []maturityGrantModel     `tfsdk:"privileged_access"`
	Visibility       *maturityVisibilityModel `tfsdk:"visibility"`
	Automation       *maturityAutomationModel `tfsdk:"automation"`
	Data             *maturityDataModel       `tfsdk:"data"`
	Governance       *maturityGovernanceModel `tfsdk:"governance"`
	Pillars          types.List               `tfsdk:"pillars"`
	OverallStage     types.String             `tfsdk:"overall_stage"`
	OverallLevel     types.Int64              `tfsdk:"overall_level"`
}

type maturityIdentityModel struct {
	Provider             types.String `tfsdk:"type"`
	MFAEnforced          types.Bool   `tfsdk:"mfa_enforced"`
	PhishingResistantMFA types.Bool   `tfsdk:"phishing_resistant_mfa"`
}

type maturitySurfaceModel struct {
	Name           types.String `tfsdk:"name"`
	Sensitivity    types.String `tfsdk:"sensitivity"`
	GroupsRequired types.Bool   `tfsdk:"groups_required"`
	MFARequired    types.Bool   `tfsdk:"mfa_required"`
	DeviceRequired types.Bool   `tfsdk:"device_required"`
	FloorsMet      types.Bool   `tfsdk:"floors_met"`
	Tested         types.Bool   `tfsdk:"tested"`
}

type maturitySegmentModel struct {
	Name                  types.String `tfsdk:"name"`
	Sensitivity           types.String `tfsdk:"sensitivity"`
	SecurityGroup         types.Bool   `tfsdk:"security_group"`
	KubernetesDefaultDeny types.Bool   `tfsdk:"kubernetes_default_deny"`
	WorkloadIdentity      types.Bool   `tfsdk:"workload_identity"`
	InternetIngress       types.Bool   `tfsdk:"internet_ingress"`
}

type maturityGrantModel struct {
	Name           types.String `tfsdk:"name"`
	Expires        types.Bool   `tfsdk:"expires"`
	SessionMinutes types.Number `tfsdk:"session_minutes"`
}

type maturityVisibilityModel struct {
	AccessLogging       types.Bool `tfsdk:"access_logging"`
	IncludeTrustContext types.Bool `tfsdk:"include_trust_context"`
	CentralAnalysis     types.Bool `tfsdk:"central_analysis"`
}

type maturityAutomationModel struct {
	PolicyAsCode            types.Bool   `tfsdk:"policy_as_code"`
	DecisionChecks          types.Number `tfsdk:"decision_checks"`
	DriftDetectionScheduled types.Bool   `tfsdk:"drift_detection_scheduled"`
}

type maturityDataModel struct {
	EncryptedAtRest    types.Bool `tfsdk:"encrypted_at_rest"`
	EncryptedInTransit types.Bool `tfsdk:"encrypted_in_transit"`
}

type maturityGovernanceModel struct {
	AcknowledgedExceptions types.Number `tfsdk:"acknowledged_exceptions"`
	AccessReviewDays       types.Number `tfsdk:"access_review_days"`
}

var maturityPillarAttrTypes = map[string]attr.Type{
	"pillar": types.StringType, "stage": types.StringType, "level": types.Int64Type,
	"evidence": types.ListType{ElemType: types.StringType}, "next_steps": types.ListType{ElemType: types.StringType},
}

func (d *maturityAssessmentDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_maturity_assessment"
}

func boolAttr(desc string) schema.BoolAttribute {
	return schema.BoolAttribute{Optional: true, MarkdownDescription: desc + " Default false."}
}

func (d *maturityAssessmentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	sens := []validator.String{stringvalidator.OneOf(model.Sensitivities...)}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Stages the declared posture on the CISA Zero Trust Maturity Model v2: Identity, Devices, Networks, " +
			"Applications & Workloads, Data, and the cross-cutting Visibility & Analytics, Automation & Orchestration and Governance, " +
			"each Traditional, Initial, Advanced or Optimal, with the evidence behind the stage and what would raise it. It judges " +
			"the facts passed in (typically derived from the module's own resources), not the running environment. A stage is " +
			"reached when every condition of it and of the stages below holds; the overall stage is the lowest pillar's.",
		Attributes: map[string]schema.Attribute{
			"identity": schema.SingleNestedAttribute{
				Optional: true, MarkdownDescription: "The access proxy's identity provider.",
				Attributes: map[string]schema.Attribute{
					"type": schema.StringAttribute{Optional: true, MarkdownDescription: "Identity provider type: `iam-identity-center` or `oidc`; unset: none.",
						Validators: []validator.String{stringvalidator.OneOf(model.IdentityIAMIdentityCenter, model.IdentityOIDC)}},
					"mfa_enforced":           boolAttr("The identity provider demands MFA at every sign-in."),
					"phishing_resistant_mfa": boolAttr("Only phishing-resistant MFA (FIDO2/WebAuthn, PIV) is accepted."),
				},
			},
			"device_providers": schema.ListAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Device trust provider types attached to the proxy: `jamf`, `crowdstrike`, `jumpcloud`.",
				Validators:          []validator.List{listvalidator.ValueStringsAre(stringvalidator.OneOf(model.DeviceJamf, model.DeviceCrowdStrike, model.DeviceJumpCloud))},
			},
			"surfaces": schema.ListNestedAttribute{
				Optional: true, MarkdownDescription: "One entry per protect surface, summarising its permit rules.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":            schema.StringAttribute{Required: true, MarkdownDescription: "Surface name."},
					"sensitivity":     schema.StringAttribute{Optional: true, Validators: sens, MarkdownDescription: "`public`, `internal`, `confidential` or `restricted`; unset: unclassified."},
					"groups_required": boolAttr("Every permit rule names access groups."),
					"mfa_required":    boolAttr("Every permit rule requires MFA."),
					"device_required": boolAttr("Every permit rule requires device posture."),
					"floors_met":      boolAttr("No permit rule is below the sensitivity floor, not even acknowledged."),
					"tested":          boolAttr("A check block or decision test exercises the surface's policy."),
				}},
			},
			"segments": schema.ListNestedAttribute{
				Optional: true, MarkdownDescription: "One entry per workload segment.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":                    schema.StringAttribute{Required: true, MarkdownDescription: "Segment name."},
					"sensitivity":             schema.StringAttribute{Optional: true, Validators: sens, MarkdownDescription: "Sensitivity; unset: unclassified."},
					"security_group":          boolAttr("Enforced by an EC2 security group."),
					"kubernetes_default_deny": boolAttr("Enforced by a default-deny NetworkPolicy."),
					"workload_identity":       boolAttr("Istio AuthorizationPolicy admits only SPIFFE identities."),
					"internet_ingress":        boolAttr("A flow admits the whole internet (acknowledged)."),
				}},
			},
			"privileged_access": schema.ListNestedAttribute{
				Optional: true, MarkdownDescription: "One entry per privileged access grant.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":            schema.StringAttribute{Required: true, MarkdownDescription: "Grant name."},
					"expires":         boolAttr("`expires_at` is set (just-in-time)."),
					"session_minutes": schema.NumberAttribute{Optional: true, MarkdownDescription: "Session duration in minutes, a whole number; unset: unknown.", Validators: atLeastZero},
				}},
			},
			"visibility": schema.SingleNestedAttribute{
				Optional: true, MarkdownDescription: "Logging and analytics.",
				Attributes: map[string]schema.Attribute{
					"access_logging":        boolAttr("The access proxy logs access decisions."),
					"include_trust_context": boolAttr("Logs include the trust context of each decision."),
					"central_analysis":      boolAttr("Logs are analysed centrally (SIEM)."),
				},
			},
			"automation": schema.SingleNestedAttribute{
				Optional: true, MarkdownDescription: "How policy is delivered.",
				Attributes: map[string]schema.Attribute{
					"policy_as_code":            boolAttr("The posture is declared in reviewed configuration."),
					"decision_checks":           schema.NumberAttribute{Optional: true, MarkdownDescription: "Number of decision checks (e.g. `check` blocks over `zerotrust_access_decision`), a whole number. Default 0.", Validators: atLeastZero},
					"drift_detection_scheduled": boolAttr("Plans run on a schedule to detect drift."),
				},
			},
			"data": schema.SingleNestedAttribute{
				Optional: true, MarkdownDescription: "Data protection.",
				Attributes: map[string]schema.Attribute{
					"encrypted_at_rest":    boolAttr("Data behind sensitive surfaces is encrypted at rest."),
					"encrypted_in_transit": boolAttr("Data behind sensitive surfaces is encrypted in transit."),
				},
			},
			"governance": schema.SingleNestedAttribute{
				Optional: true, MarkdownDescription: "Exceptions and reviews.",
				Attributes: map[string]schema.Attribute{
					"acknowledged_exceptions": schema.NumberAttribute{Optional: true, MarkdownDescription: "Acknowledgements in configuration (floors, internet flows), a whole number. Default 0.", Validators: atLeastZero},
					"access_review_days":      schema.NumberAttribute{Optional: true, MarkdownDescription: "Days between access reviews, a whole number; unset: no review.", Validators: atLeastZero},
				},
			},
			"pillars": schema.ListNestedAttribute{
				Computed: true, MarkdownDescription: "Each pillar's stage, in the model's order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"pillar":     schema.StringAttribute{Computed: true, MarkdownDescription: "Pillar or cross-cutting capability."},
					"stage":      schema.StringAttribute{Computed: true, MarkdownDescription: "`Traditional`, `Initial`, `Advanced` or `Optimal`."},
					"level":      schema.Int64Attribute{Computed: true, MarkdownDescription: "The stage as a number, 0 (Traditional) to 3 (Optimal)."},
					"evidence":   schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The facts that earned the stage."},
					"next_steps": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "What the next stage needs; empty at Optimal."},
				}},
			},
			"overall_stage": schema.StringAttribute{Computed: true, MarkdownDescription: "The lowest pillar stage."},
			"overall_level": schema.Int64Attribute{Computed: true, MarkdownDescription: "The lowest pillar stage as a number, 0–3."},
		},
	}
}

func (d *maturityAssessmentDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m maturityModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var p maturity.Posture
	if i := m.Identity; i != nil {
		p.Identity = maturity.Identity{Provider: i.Provider.ValueString(), MFAEnforced: i.MFAEnforced.ValueBool(), PhishingResistantMFA: i.PhishingResistantMFA.ValueBool()}
	}
	resp.Diagnostics.Append(m.DeviceProviders.ElementsAs(ctx, &p.DeviceProviders, false)...)
	for _, s := range m.Surfaces {
		p.Surfaces = append(p.Surfaces, maturity.Surface{
			Name: s.Name.ValueString(), Sensitivity: s.Sensitivity.ValueString(), GroupsRequired: s.GroupsRequired.ValueBool(),
			MFARequired: s.MFARequired.ValueBool(), DeviceRequired: s.DeviceRequired.ValueBool(), FloorsMet: s.FloorsMet.ValueBool(), Tested: s.Tested.ValueBool(),
		})
	}
	for _, s := range m.Segments {
		p.Segments = append(p.Segments, maturity.Segment{
			Name: s.Name.ValueString(), Sensitivity: s.Sensitivity.ValueString(), SecurityGroup: s.SecurityGroup.ValueBool(),
			KubernetesDefaultDeny: s.KubernetesDefaultDeny.ValueBool(), WorkloadIdentity: s.WorkloadIdentity.ValueBool(), InternetIngress: s.InternetIngress.ValueBool(),
		})
	}
	for _, g := range m.PrivilegedAccess {
		p.PrivilegedAccess = append(p.PrivilegedAccess, maturity.PrivilegedGrant{Name: g.Name.ValueString(), Expires: g.Expires.ValueBool(), SessionMinutes: wholeInt(g.SessionMinutes)})
	}
	if v := m.Visibility; v != nil {
		p.Visibility = maturity.Visibility{AccessLogging: v.AccessLogging.ValueBool(), IncludeTrustContext: v.IncludeTrustContext.ValueBool(), CentralAnalysis: v.CentralAnalysis.ValueBool()}
	}
	if a := m.Automation; a != nil {
		p.Automation = maturity.Automation{PolicyAsCode: a.PolicyAsCode.ValueBool(), DecisionChecks: wholeInt(a.DecisionChecks), DriftDetectionScheduled: a.DriftDetectionScheduled.ValueBool()}
	}
	if x := m.Data; x != nil {
		p.Data = maturity.Data{EncryptedAtRest: x.EncryptedAtRest.ValueBool(), EncryptedInTransit: x.EncryptedInTransit.ValueBool()}
	}
	if g := m.Governance; g != nil {
		p.Governance = maturity.Governance{AcknowledgedExceptions: wholeInt(g.AcknowledgedExceptions), AccessReviewDays: wholeInt(g.AccessReviewDays)}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	res := maturity.Assess(p)
	pillars := make([]attr.Value, 0, len(res.Pillars))
	for _, a := range res.Pillars {
		pillars = append(pillars, types.ObjectValueMust(maturityPillarAttrTypes, map[string]attr.Value{
			"pillar": types.StringValue(a.Pillar), "stage": types.StringValue(a.Stage.String()), "level": types.Int64Value(int64(a.Stage)),
			"evidence": stringList(a.Evidence), "next_steps": stringList(a.Next),
		}))
	}
	m.Pillars = types.ListValueMust(types.ObjectType{AttrTypes: maturityPillarAttrTypes}, pillars)
	m.OverallStage = types.StringValue(res.Overall.String())
	m.OverallLevel = types.Int64Value(int64(res.Overall))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
