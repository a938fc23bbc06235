package provider

import (
	"fmt"
	"math/big"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/numberdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/provider/syntaxtypes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

type segmentPolicyModel struct {
	ID                   types.String `tfsdk:"id"`
	Segment              types.String `tfsdk:"segment"`
	Name                 types.String `tfsdk:"name"`
	MaxRulesPerDirection types.Number `tfsdk:"max_rules_per_direction"`
	AllowFrom            []flowModel  `tfsdk:"allow_from"`
	AllowTo              []flowModel  `tfsdk:"allow_to"`
	SegmentSensitivity   types.String `tfsdk:"segment_sensitivity"`
	Rules                types.List   `tfsdk:"rules"`

	Kubernetes          *policyKubernetesModel `tfsdk:"kubernetes"`
	KubernetesManifests types.Map              `tfsdk:"kubernetes_manifests"`
	OwnershipID         types.String           `tfsdk:"ownership_id"`
}

type flowModel struct {
	Segment         types.String `tfsdk:"segment"`
	CIDRBlocks      types.List   `tfsdk:"cidr_blocks"`
	PrefixListIDs   types.List   `tfsdk:"prefix_list_ids"`
	Protocol        types.String `tfsdk:"protocol"`
	Ports           types.List   `tfsdk:"ports"`
	Description     types.String `tfsdk:"description"`
	Acknowledgement types.String `tfsdk:"acknowledgement"`
	HTTPMethods     types.List   `tfsdk:"http_methods"`
	HTTPPaths       types.List   `tfsdk:"http_paths"`
}

// segmentSensitivityDeprecation says why segment_sensitivity is no longer
// needed: it was written only to get the floors checked at plan on a first
// apply, which segment ids derived from the configuration now give.
const segmentSensitivityDeprecation = "segment_sensitivity is no longer needed: segment ids are known at plan, so the segment's sensitivity " +
	"is too, also when the segment is created or changed in the same apply. Remove it; it will be removed in the next major version."

// segmentIDMessage describes the two forms of a segment id.
const segmentIDMessage = "must be a segment id (zerotrust_segment.<name>.id): sg/<vpc_id>/<name> for a created segment, a security group id such as sg-0123456789abcdef0, or k8s/<namespace>/<name> for a segment placed only in Kubernetes"

var (
	policyNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
)

func flowBlock(direction string) schema.ListNestedBlock {
	peerWord, verb := "source", "into"
	if direction == "egress" {
		peerWord, verb = "destination", "out of"
	}
	block := schema.ListNestedBlock{
		Description: "A flow allowed " + verb + " the segment. Exactly one " + peerWord + " kind per block: `segment`, `cidr_blocks` or `prefix_list_ids`. " +
			"A flow between two segments is compiled to both halves: the rule on this segment's group and the matching rule on the other segment's group.",
		NestedObject: schema.NestedBlockObject{
			Validators: []validator.Object{onePeer{}},
			Attributes: map[string]schema.Attribute{
				"segment": schema.StringAttribute{
					Optional:    true,
					Description: "The other segment (its `id`: a security group id, or `k8s/<namespace>/<name>` for a segment placed only in Kubernetes). A flow between a Kubernetes-only segment and a segment without a `kubernetes` block can be enforced nowhere and is refused at plan.",
					Validators:  []validator.String{stringvalidator.RegexMatches(model.SegmentIDPattern, segmentIDMessage)},
				},
				"cidr_blocks": schema.ListAttribute{
					Optional:    true,
					ElementType: syntaxtypes.CIDRType{},
					Description: "IPv4 or IPv6 CIDR blocks. They are canonicalized (10.1.2.3/8 is written 10.0.0.0/8).",
					Validators:  []validator.List{listvalidator.SizeAtLeast(1), syntaxtypes.Elements()},
				},
				"prefix_list_ids": schema.ListAttribute{
					Optional:    true,
					ElementType: types.StringType,
					Description: "Managed prefix list ids (pl-…).",
					Validators:  []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.RegexMatches(model.PrefixListIDPattern, "must be a prefix list id such as pl-0123456789abcdef0"))},
				},
				"protocol": schema.StringAttribute{
					Optional:    true,
					Computed:    true,
					Default:     stringdefault.StaticString("tcp"),
					Description: "`tcp` (default), `udp`, `icmp`, `icmpv6` or `all`.",
					Validators:  []validator.String{stringvalidator.OneOf("tcp", "udp", "icmp", "icmpv6", "all")},
				},
				"ports": schema.ListAttribute{
					Optional:    true,
					ElementType: types.StringType,
					Description: "Ports or inclusive ranges, e.g. `[\"443\", \"8000-8080\"]`. Required for tcp and udp; must be empty for icmp, icmpv6 and all.",
					Validators:  []validator.List{listvalidator.ValueStringsAre(portSpec{})},
				},
				"description": schema.StringAttribute{
					Optional:    true,
					Description: "Description written on the compiled rules.",
					Validators:  []validator.String{stringvalidator.LengthAtMost(200)},
				},
				"acknowledgement": schema.StringAttribute{
					Optional: true,
					Description: "Why an otherwise refused flow is acceptable — required for a flow from the open internet (0.0.0.0/0 or ::/0) " +
						"into a confidential or restricted segment. Recorded, and turns the error into a warning.",
					Validators: []validator.String{stringvalidator.LengthAtLeast(10)},
				},
			},
		},
	}
	for name, a := range httpMatchAttributes() {
		block.NestedObject.Attributes[name] = a
	}
	return block
}

func segmentPolicySchema() schema.Schema {
	return schema.Schema{
		Description: "The flows allowed into and out of one segment; everything else stays denied. The compiled security-group rules " +
			"are a computed attribute known at plan time (`rules`, one line per rule) — also when the segment and its peers are created " +
			"in the same apply, since segment ids are derived from the configuration: the governed group is written `self`, the others " +
			"by the segment ids the configuration names them with. Kubernetes manifests are known at plan likewise, from the segments' " +
			"planned placement. Floors, internet exposure, quotas and flows declared twice are checked in that same plan, with no cloud " +
			"call for segments planned in the same run. Rules are reconciled with one " +
			"Authorize call per group and direction for additions and one Revoke by rule ids for removals. The policy owns exactly " +
			"the rules it tagged with its id; rules changed or removed out of band are drift and are restored. When the governed " +
			"segment has a Kubernetes placement, the same flows also compile to NetworkPolicies (and optionally Istio " +
			"AuthorizationPolicies), shown in `kubernetes_manifests` and server-side applied with the field manager " +
			"`terraform-provider-zerotrust`.",
		Attributes: map[string]schema.Attribute{
			// Required
			"segment": schema.StringAttribute{
				Required: true,
				Description: "The segment this policy governs (`zerotrust_segment.<name>.id`). Changing it replaces the policy, unless " +
					"the new id names the same segment (a created segment's group id replaced by its `sg/<vpc_id>/<name>` id).",
				Validators: []validator.String{stringvalidator.RegexMatches(model.SegmentIDPattern, segmentIDMessage)},
				// Replacement is decided in ModifyPlan: another id of the same
				// segment is not another segment (see sameSegment).
			},

			// Optional
			"name": schema.StringAttribute{
				Optional:      true,
				Computed:      true,
				Default:       stringdefault.StaticString("default"),
				Description:   "Policy name, unique per segment (several policies may govern one segment). Defaults to `default`.",
				Validators:    []validator.String{stringvalidator.RegexMatches(policyNameRe, "must be 1–63 characters: lower-case letters, digits, '_' or '-'")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"max_rules_per_direction": maxRulesPerDirectionAttribute(),

			// Computed
			"id": schema.StringAttribute{
				Computed: true,
				Description: "`<segment>/<name>`, known at plan; also the value of the `zerotrust:policy` tag on every rule the policy owns and " +
					"the owner label of its Kubernetes objects. A policy keeps the id it was created with when its segment comes to be written by " +
					"another id of the same segment (state from before `sg/<vpc_id>/<name>` ids keeps `<security group id>/<name>`).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"ownership_id": ownershipIDAttribute("Random id drawn when this resource was created, carried by every security-group rule it writes (the `" + awsapi.TagPolicy + "` tag is `<id>@<ownership_id>`). " +
				"Another state's policy of the same segment and name writes other rules: a flow both declare is refused to the second, and neither changes nor revokes the other's rules. " +
				"A create interrupted before Terraform recorded it leaves its rules marked `" + awsapi.TagCreatePending + "`; the next create of the same segment and name adopts them once. " +
				"Null for a policy created before ownership ids, whose rules carry its id alone, and for one on a segment placed only in Kubernetes, which writes no rules."),
			"segment_sensitivity": schema.StringAttribute{
				Optional:           true,
				Computed:           true,
				DeprecationMessage: segmentSensitivityDeprecation,
				Description: "Sensitivity of the governed segment; decides which flows need an acknowledgement. Known at plan: the segment's " +
					"planned sensitivity when it is created or changed in the same apply, else read from it. Setting it is deprecated and " +
					"no longer needed; a value that differs from the segment's is an error at apply.",
				Validators: []validator.String{stringvalidator.OneOf(model.Sensitivities...)},
			},
			"rules": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				Description: "Compiled security-group rules, one line each, sorted: `<group> <direction> <protocol> <ports> <from|to> <peer>`, " +
					"then the rule's description in quotes when it has one. The governed segment's group is written `self`, as group and as " +
					"peer; the other groups, the peers' halves of segment-to-segment flows, are written by the segment ids the flows name " +
					"them with (`sg/<vpc_id>/<name>` for a created segment), so the lines are the same in the first plan and after apply. " +
					"Unknown only while a flow's values are (for example a peer in a VPC created in the same apply). One line per rule " +
					"reads better in a plan, and costs Terraform and the provider far less than an object per rule.",
			},
			"kubernetes_manifests": schema.MapAttribute{
				Computed:    true,
				ElementType: types.StringType,
				Description: "Compiled Kubernetes objects as canonical YAML, keyed by `<apiVersion>/<kind>/<namespace>/<name>`: a default-deny " +
					"NetworkPolicy per namespace involved, the allow NetworkPolicies and, with `kubernetes.istio`, the AuthorizationPolicies. " +
					"Empty when the governed segment has no Kubernetes placement. An object changed or deleted in the cluster shows here " +
					"as a `# drift:` note until the next apply restores it.",
			},
		},
		Blocks: map[string]schema.Block{
			"allow_from": flowBlock("ingress"),
			"allow_to":   flowBlock("egress"),
			"kubernetes": policyKubernetesBlock("How the policy compiles for Kubernetes. Applies when the governed segment has a " +
				"`kubernetes` placement; flows to or from segments with a placement, and from CIDR blocks, then also become NetworkPolicies."),
		},
	}
}

// policyKubernetesModel is the segment policy's kubernetes block.
type policyKubernetesModel struct {
	AllowDNS         types.Bool   `tfsdk:"allow_dns"`
	Istio            types.Bool   `tfsdk:"istio"`
	IstioTrustDomain types.String `tfsdk:"istio_trust_domain"`
	ForceConflicts   types.Bool   `tfsdk:"force_conflicts"`
}

// policyKubernetesBlock is the kubernetes block of a segment policy, which
// governs one segment, and of a set, where one block holds for every
// policy block of the set: description says which.
func policyKubernetesBlock(description string) schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		Description: description,
		Attributes: map[string]schema.Attribute{
			"allow_dns": schema.BoolAttribute{
				Optional: true,
				Description: "Deprecated: DNS egress is a property of the segment (`zerotrust_segment`'s `kubernetes.allow_dns`), so every policy " +
					"placing a segment writes the same. When set, it must agree with every segment placed (an error at plan " +
					"otherwise): it can no longer cut a peer's DNS or leave the segment's own.",
				DeprecationMessage: "DNS egress is a property of the segment: set kubernetes.allow_dns on the zerotrust_segment and remove it here.",
			},
			"istio": schema.BoolAttribute{
				Optional: true,
				Description: "Also compile `security.istio.io/v1` AuthorizationPolicies whose sources are the SPIFFE identities of the peer " +
					"segments' service accounts. Defaults to false.",
			},
			"istio_trust_domain": schema.StringAttribute{
				Optional:    true,
				Description: "Trust domain of the mesh's SPIFFE identities. Defaults to `cluster.local`.",
				Validators:  []validator.String{stringvalidator.LengthBetween(1, 253)},
			},
			"force_conflicts": schema.BoolAttribute{
				Optional: true,
				Description: "Take ownership of fields another server-side applier holds instead of failing with a conflict. Edits made " +
					"imperatively (kubectl edit) are corrected without it. Defaults to false.",
			},
		},
	}
}

func httpMatchAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"http_methods": schema.ListAttribute{
			Optional:    true,
			ElementType: types.StringType,
			Description: "With `kubernetes.istio`, only these HTTP methods are authorized for this flow (tcp flows between segments only).",
			Validators:  []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.OneOf("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"))},
		},
		"http_paths": schema.ListAttribute{
			Optional:    true,
			ElementType: types.StringType,
			Description: "With `kubernetes.istio`, only these request paths (Istio path syntax: exact, `prefix*` or `*suffix`) are authorized for this flow.",
			Validators:  []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.RegexMatches(httpPathRe, "must start with '/' or '*' and hold no white space or control character"))},
		},
	}
}

// httpPathRe: Istio path syntax, and no white space or control character
// (a request path carries none unencoded).
var httpPathRe = regexp.MustCompile(`^[/*][^\s\x00-\x1f\x7f]*$`)

// maxRulesPerDirectionAttribute is the rule quota of a policy and of a set.
func maxRulesPerDirectionAttribute() schema.NumberAttribute {
	return schema.NumberAttribute{
		Optional:    true,
		Computed:    true,
		Default:     numberdefault.StaticBigFloat(big.NewFloat(securitygroup.DefaultMaxRulesPerDirection)),
		Description: fmt.Sprintf("Quota of rules per security group and direction, a whole number from 1 to 1000 (the AWS default is %d). Exceeding it is a plan-time error.", securitygroup.DefaultMaxRulesPerDirection),
		Validators:  []validator.Number{wholeNumber{min: 1, max: 1000}},
	}
}
