package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

type segmentPolicySetModel struct {
	ID                   types.String           `tfsdk:"id"`
	Name                 types.String           `tfsdk:"name"`
	MaxRulesPerDirection types.Number           `tfsdk:"max_rules_per_direction"`
	Policies             []setPolicyModel       `tfsdk:"policy"`
	Rules                types.List             `tfsdk:"rules"`
	Kubernetes           *policyKubernetesModel `tfsdk:"kubernetes"`
	KubernetesManifests  types.Map              `tfsdk:"kubernetes_manifests"`
	OwnershipID          types.String           `tfsdk:"ownership_id"`
}

type setPolicyModel struct {
	Segment            types.String `tfsdk:"segment"`
	SegmentSensitivity types.String `tfsdk:"segment_sensitivity"`
	AllowFrom          []flowModel  `tfsdk:"allow_from"`
	AllowTo            []flowModel  `tfsdk:"allow_to"`
}

func segmentPolicySetSchema() schema.Schema {
	return schema.Schema{
		Description: "The flows of a whole set of segments, owned as one: every `policy` block is what a `zerotrust_segment_policy` " +
			"would be for its segment, but the set compiles them together and reconciles each security group with at most one " +
			"Authorize and one Revoke call per direction for the whole set — where separate policies cost one call per policy and " +
			"peer group. Use it when one team owns the segmentation of an application (`modules/microsegmentation` does); keep " +
			"`zerotrust_segment_policy` per segment when teams split ownership. The compiled rules are shown in the plan as one " +
			"line each in `rules`; every rule carries the set's id in its `zerotrust:policy` tag. A flow declared twice in the set " +
			"(for example as `allow_to` of one segment and `allow_from` of the other) is refused at plan; declare each flow once — " +
			"both halves are compiled from it.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Required:      true,
				Description:   "Name of the set; its id is `set/<name>`. Changing it replaces the set.",
				Validators:    []validator.String{stringvalidator.RegexMatches(policyNameRe, "must be 1–63 characters: lower-case letters, digits, '_' or '-'")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"max_rules_per_direction": maxRulesPerDirectionAttribute(),
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "`set/<name>`; also the value of the `zerotrust:policy` tag on every rule the set owns.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"rules": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				Description: "The compiled security-group rules, one line each in canonical order: `<group> <direction> <protocol> <ports> from|to <peer>`.",
			},
			"kubernetes_manifests": schema.MapAttribute{
				Computed:    true,
				ElementType: types.StringType,
				Description: "Compiled Kubernetes objects of every segment with a placement, as canonical YAML keyed by `<apiVersion>/<kind>/<namespace>/<name>` (see `zerotrust_segment_policy`).",
			},
			"ownership_id": ownershipIDAttribute("Random id drawn when this resource was created, carried by every security-group rule it writes (the `" + awsapi.TagPolicy + "` tag is `<id>@<ownership_id>`). " +
				"Another state's set of the same name writes other rules: a flow both declare is refused to the second, and neither changes nor revokes the other's rules. " +
				"A create interrupted before Terraform recorded it leaves its rules marked `" + awsapi.TagCreatePending + "`; the next create of the same name adopts them once. " +
				"Null for a set created before ownership ids, whose rules carry its id alone."),
		},
		Blocks: map[string]schema.Block{
			"policy": schema.ListNestedBlock{
				Description: "The flows into and out of one segment of the set; at most one block per segment.",
				Validators:  []validator.List{listvalidator.SizeAtLeast(1)},
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"segment": schema.StringAttribute{
							Required:    true,
							Description: "The segment these flows govern (`zerotrust_segment.<name>.id`).",
							Validators:  []validator.String{stringvalidator.RegexMatches(model.SegmentIDPattern, segmentIDMessage)},
						},
						"segment_sensitivity": schema.StringAttribute{
							Optional:           true,
							DeprecationMessage: segmentSensitivityDeprecation,
							Description: "Deprecated: the segment's sensitivity is known at plan without it. When set, flows are judged " +
								"against the stricter of it and the segment's.",
							Validators: []validator.String{stringvalidator.OneOf(model.Sensitivities...)},
						},
					},
					Blocks: map[string]schema.Block{
						"allow_from": flowBlock("ingress"),
						"allow_to":   flowBlock("egress"),
					},
				},
			},
			"kubernetes": policyKubernetesBlock("How the set compiles for Kubernetes: one block for the whole set, applying to every " +
				"`policy` block alike (the Istio options and conflict handling cannot differ between the set's segments). A policy " +
				"block whose segment has a `kubernetes` placement also compiles to NetworkPolicies — its flows to or from segments with " +
				"a placement, and from CIDR blocks; the others compile to security-group rules only. Without this block the placed " +
				"segments still get NetworkPolicies, with the defaults below."),
		},
	}
}
