package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze/maturity"
)

var _ datasource.DataSource = (*maturityAssessmentDataSource)(nil)

func newMaturityAssessmentDataSource() datasource.DataSource { return &maturityAssessmentDataSource{} }

// maturityAssessmentDataSource stages a declared posture on the CISA Zero
// Trust Maturity Model v2; the scoring rules live in internal/analyze/maturity.
type maturityAssessmentDataSource struct{}

type maturityModel struct {
	AccessProxy      types.Dynamic          `tfsdk:"access_proxy"`
	ProtectSurfaces  types.Dynamic          `tfsdk:"protect_surfaces"`
	Segments         types.Dynamic          `tfsdk:"segments"`
	SegmentPolicies  types.Dynamic          `tfsdk:"segment_policies"`
	PrivilegedAccess types.Dynamic          `tfsdk:"privileged_access"`
	DecisionChecks   types.Dynamic          `tfsdk:"decision_checks"`
	Declared         *maturityDeclaredModel `tfsdk:"declared"`
	Pillars          types.List             `tfsdk:"pillars"`
	OverallStage     types.String           `tfsdk:"overall_stage"`
	OverallLevel     types.Int64            `tfsdk:"overall_level"`
}

// maturityDeclaredModel holds the facts outside the provider's knowledge.
type maturityDeclaredModel struct {
	PhishingResistantMFA    types.Bool   `tfsdk:"phishing_resistant_mfa"`
	CentralAnalysis         types.Bool   `tfsdk:"central_analysis"`
	DriftDetectionScheduled types.Bool   `tfsdk:"drift_detection_scheduled"`
	EncryptedAtRest         types.Bool   `tfsdk:"encrypted_at_rest"`
	EncryptedInTransit      types.Bool   `tfsdk:"encrypted_in_transit"`
	AccessReviewDays        types.Number `tfsdk:"access_review_days"`
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

// resourcesAttribute is an argument taking resource objects passed whole.
func resourcesAttribute(desc string) schema.DynamicAttribute {
	return schema.DynamicAttribute{Optional: true, MarkdownDescription: desc}
}

const maturityDescription = "Stages the posture on the CISA Zero Trust Maturity Model v2 (April 2023) — Identity, Devices, Networks, " +
	"Applications & Workloads, Data, and the cross-cutting Visibility & Analytics, Automation & Orchestration and Governance — " +
	"each Traditional, Initial, Advanced or Optimal, with the evidence behind the stage and what would raise it.\n\n" +
	"It takes the resources themselves (`access_proxy = zerotrust_access_proxy.corp`, `protect_surfaces = " +
	"values(zerotrust_protect_surface.this)`, …) and derives every fact the provider knows from their attributes; each " +
	"evidence and next step names the resource (by its `name`: the data source sees values, not addresses) and the attribute it " +
	"came from, e.g. `zerotrust_protect_surface.payments.access_rule[1].device`. Only facts outside the provider are declared, in " +
	"`declared`. It judges the configuration, not the running environment: a stage means the configuration supports it. A " +
	"stage is reached when every condition of it and of the stages below holds; the overall stage is the lowest pillar's. " +
	"Whole resources carry values known only after apply, so on a first plan the assessment is read at apply.\n\n" +
	"**Derived** (from the resources): the identity provider and its MFA enforcement (`access_proxy.identity_provider`), the " +
	"device trust providers (`access_proxy.device_trust_provider`), access logging and its trust context (`access_proxy.logging`); " +
	"per access rule its groups, `require_mfa`, device requirement, and how it stands against its surface's sensitivity floor " +
	"(the floor table the resource enforces; an acknowledged shortfall counts against the stage); each segment's sensitivity, its " +
	"security group (`security_group_id`/`vpc_id`), the Kubernetes default-deny NetworkPolicy and Istio AuthorizationPolicy over its " +
	"pods (read from the content of `kubernetes_manifests` of the policies and sets given), and internet exposure (the CIDR sources " +
	"of the flows into it, judged by how much public address space they cover together, never by spelling); each grant's " +
	"`expires_at`, `session_duration` and `acknowledgement`; the decision checks over each surface (`zerotrust_access_decision` " +
	"data sources given in `decision_checks` whose `policy_document` is the surface's).\n\n" +
	"**Declared** (outside the provider): phishing-resistant MFA at the identity provider, central analysis of the logs (SIEM), " +
	"scheduled drift detection, encryption at rest and in transit, and the access-review cadence.\n\n" +
	"| pillar | Initial | Advanced | Optimal | CISA ZTMM v2 functions |\n" +
	"|---|---|---|---|---|\n" +
	"| Identity | an identity provider on the proxy | every permit rule names groups; MFA on every sensitive surface (rule or IdP) | MFA on every access; phishing-resistant MFA (declared) | Authentication, Identity Stores, Access Management |\n" +
	"| Devices | a device trust provider, or a rule requiring device posture | every rule of every sensitive surface requires device posture | every rule above public requires it; two or more provider types | Policy Enforcement & Compliance Monitoring, Resource Access, Device Threat Protection |\n" +
	"| Networks | a segment | every segment enforced (security group or Kubernetes default deny); no internet-scale source into a sensitive segment | every sensitive segment has a security group, Kubernetes default deny and Istio workload identity | Network Segmentation, Network Traffic Management |\n" +
	"| Applications & Workloads | a protect surface behind the proxy | every rule meets its surface's floor, not even acknowledged below | decision checks over every sensitive surface | Application Access, Accessible Applications, Application Security Testing |\n" +
	"| Data | a surface or segment classified | every surface and segment classified; every rule of every sensitive surface meets its floor | encryption at rest and in transit (declared) | Data Categorization, Data Access, Data Encryption |\n" +
	"| Visibility & Analytics | access logging on the proxy | trust context in the logs | logs analysed centrally (declared) | Visibility & Analytics |\n" +
	"| Automation & Orchestration | the posture as resources | decision checks; every grant expires | drift detection scheduled (declared); decision checks over every sensitive surface | Automation & Orchestration |\n" +
	"| Governance | a surface or segment classified (floors apply) | no acknowledged exception (rule, flow, grant); every grant expires | sessions at most one hour; access reviewed every 90 days or more often (declared) | Governance |\n\n" +
	"Functions the provider has no view of are not assessed: Identity's Risk Assessments, Devices' Asset & Supply Chain Risk " +
	"Management, Networks' Traffic Encryption and Network Resilience, Applications' Application Threat Protections and Secure " +
	"Application Development & Deployment Workflow, Data's Data Inventory Management and Data Availability."

func (d *maturityAssessmentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: maturityDescription,
		Attributes: map[string]schema.Attribute{
			"access_proxy": resourcesAttribute("The access proxy, passed whole: `zerotrust_access_proxy.corp`. Its identity provider, " +
				"device trust providers and logging are read."),
			"protect_surfaces": resourcesAttribute("The protect surfaces, passed whole: a list (`[zerotrust_protect_surface.payments]`, " +
				"`values(zerotrust_protect_surface.this)`) or a `for_each` resource as is. Their sensitivity, access rules and policy document are read."),
			"segments": resourcesAttribute("The segments (`zerotrust_segment`), passed whole: a list or a `for_each` resource as is. " +
				"Their sensitivity, security group and Kubernetes placement are read."),
			"segment_policies": resourcesAttribute("The segment policies and policy sets (`zerotrust_segment_policy`, " +
				"`zerotrust_segment_policy_set`), passed whole: a list or a `for_each` resource as is. Their inbound flows (matched to " +
				"segments by `segment` id) and compiled `kubernetes_manifests` are read."),
			"privileged_access": resourcesAttribute("The privileged access grants (`zerotrust_privileged_access`), passed whole: a list or a " +
				"`for_each` resource as is. Their `expires_at`, `session_duration` and `acknowledgement` are read."),
			"decision_checks": resourcesAttribute("Decision checks: `zerotrust_access_decision` data sources, passed whole (a list, or a " +
				"`for_each` data source as is). A check is over a surface when its `policy_document` is the surface's."),
			"declared": schema.SingleNestedAttribute{
				Optional: true, MarkdownDescription: "Facts outside the provider's knowledge, as the organisation declares them.",
				Attributes: map[string]schema.Attribute{
					"phishing_resistant_mfa":    boolAttr("The identity provider accepts only phishing-resistant MFA (FIDO2/WebAuthn, PIV)."),
					"central_analysis":          boolAttr("The access logs are analysed centrally (SIEM)."),
					"drift_detection_scheduled": boolAttr("Plans run on a schedule to detect drift."),
					"encrypted_at_rest":         boolAttr("The data behind sensitive surfaces is encrypted at rest."),
					"encrypted_in_transit":      boolAttr("The data behind sensitive surfaces is encrypted in transit."),
					"access_review_days":        schema.NumberAttribute{Optional: true, MarkdownDescription: "Days between access reviews, a whole number; unset: no review.", Validators: atLeastZero},
				},
			},
			"pillars": schema.ListNestedAttribute{
				Computed: true, MarkdownDescription: "Each pillar's stage, in the model's order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"pillar":     schema.StringAttribute{Computed: true, MarkdownDescription: "Pillar or cross-cutting capability."},
					"stage":      schema.StringAttribute{Computed: true, MarkdownDescription: "`Traditional`, `Initial`, `Advanced` or `Optimal`."},
					"level":      schema.Int64Attribute{Computed: true, MarkdownDescription: "The stage as a number, 0 (Traditional) to 3 (Optimal)."},
					"evidence":   schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The facts that earned the stage, each naming the resources and attributes it came from."},
					"next_steps": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "What the next stage needs, naming the resources and attributes that fall short; empty at Optimal."},
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
	diags := &resp.Diagnostics
	var p maturity.Posture
	if proxies := decodeResourceObjects(ctx, "access_proxy", m.AccessProxy, false, diags, kindAccessProxy); len(proxies) == 1 {
		p.Proxy = proxyFacts(proxies[0], diags)
	}
	surfaces := decodeResourceObjects(ctx, "protect_surfaces", m.ProtectSurfaces, true, diags, kindProtectSurface)
	checks := decodeResourceObjects(ctx, "decision_checks", m.DecisionChecks, true, diags, kindDecision)
	var bySurface map[int][]string
	p.DecisionChecks, bySurface = decisionChecksBySurface(checks, surfaces, diags)
	for i, o := range surfaces {
		surface := maturity.SurfaceOf(o.resource(diags), surfaceOf(o, diags), bySurface[i])
		surface.CustomerManagedKey = o.str(diags, o.at, o.attrs, "kms_key_arn") != ""
		p.Surfaces = append(p.Surfaces, surface)
	}
	segments := decodeResourceObjects(ctx, "segments", m.Segments, true, diags, kindSegment)
	policies, manifests := governedPolicies(decodeResourceObjects(ctx, "segment_policies", m.SegmentPolicies, true, diags, kindSegmentPolicy, kindPolicySet), segments, diags)
	p.Segments = segmentFacts(segments, policies, manifests, diags)
	for _, o := range decodeResourceObjects(ctx, "privileged_access", m.PrivilegedAccess, true, diags, kindPrivileged) {
		p.PrivilegedAccess = append(p.PrivilegedAccess, maturity.GrantOf(o.resource(diags), grantOf(o, diags)))
	}
	if x := m.Declared; x != nil {
		p.Declared = maturity.Declared{
			PhishingResistantMFA: x.PhishingResistantMFA.ValueBool(), CentralAnalysis: x.CentralAnalysis.ValueBool(),
			DriftDetectionScheduled: x.DriftDetectionScheduled.ValueBool(), EncryptedAtRest: x.EncryptedAtRest.ValueBool(),
			EncryptedInTransit: x.EncryptedInTransit.ValueBool(), AccessReviewDays: wholeInt(x.AccessReviewDays),
		}
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
