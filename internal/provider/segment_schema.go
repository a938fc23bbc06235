package provider

import (
	"context"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

type segmentModel struct {
	ID              types.String `tfsdk:"id"`
	Name            types.String `tfsdk:"name"`
	Description     types.String `tfsdk:"description"`
	VPCID           types.String `tfsdk:"vpc_id"`
	SecurityGroupID types.String `tfsdk:"security_group_id"`
	Sensitivity     types.String `tfsdk:"sensitivity"`
	Tags            types.Map    `tfsdk:"tags"`
	ARN             types.String `tfsdk:"arn"`
	OwnerID         types.String `tfsdk:"owner_id"`
	Adopted         types.Bool   `tfsdk:"adopted"`
	OwnershipID     types.String `tfsdk:"ownership_id"`
	UnmanagedRules  types.List   `tfsdk:"unmanaged_rule_ids"`
	UnmanagedDetail types.List   `tfsdk:"unmanaged_rules"`
	Exclusive       types.Bool   `tfsdk:"exclusive"`
	Governing       types.List   `tfsdk:"governing_policies"`
	KubeRecord      types.String `tfsdk:"kubernetes_record"`

	Kubernetes *segmentKubernetesModel `tfsdk:"kubernetes"`
	Timeouts   timeouts.Value          `tfsdk:"timeouts"`
}

// A segment waits for its new security group to be readable (EC2 is
// eventually consistent) and, on delete, for the group to be deletable:
// network interfaces of deleted load balancers, Lambda functions or
// endpoints keep a group in use for many minutes after they go. The
// defaults are the AWS provider's for aws_security_group (create 10
// minutes, delete 15). Updates change tags and rules only and do not wait.
const (
	segmentCreateTimeout = 10 * time.Minute
	segmentDeleteTimeout = 15 * time.Minute
)

type segmentKubernetesModel struct {
	Namespace      types.String `tfsdk:"namespace"`
	PodLabels      types.Map    `tfsdk:"pod_labels"`
	ServiceAccount types.String `tfsdk:"service_account"`
	AllowDNS       types.Bool   `tfsdk:"allow_dns"`
}

func segmentKubernetesBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		Description: "Where the segment's workloads run in Kubernetes. Segment policies between segments that have this block also " +
			"compile to a default-deny NetworkPolicy per namespace (one, shared by every policy placing segments there) plus allow " +
			"NetworkPolicies (and, when asked, Istio AuthorizationPolicies whose sources are the service accounts' SPIFFE identities). " +
			"The placement is recorded where policies read it at plan: on the security group as `zerotrust:k8s-*` tags, or — for a " +
			"segment with neither `vpc_id` nor `security_group_id`, which lives only in Kubernetes — in a `SegmentRecord` " +
			"(`zerotrust.ztforge.io/v1alpha1`) of the namespace, where `pod_labels` is then required.",
		Attributes: map[string]schema.Attribute{
			"namespace": schema.StringAttribute{
				Optional:    true, // Required in the block: see requiredInBlock
				Description: "Namespace of the segment's pods (a DNS-1123 label).",
				Validators:  []validator.String{requiredInBlock{}},
			},
			"pod_labels": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Description: "Labels selecting the segment's pods in the namespace. Empty or unset selects every pod of the namespace; " +
					"required (non-empty) on a segment placed only in Kubernetes, whose record is never read as a namespace-wide peer.",
			},
			"service_account": schema.StringAttribute{
				Optional:    true,
				Description: "Service account of the segment's pods; its SPIFFE identity (`cluster.local/ns/<namespace>/sa/<name>`) is the source in Istio AuthorizationPolicies.",
			},
			"allow_dns": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
				Description: "Let the segment's pods reach cluster DNS (UDP and TCP 53) through the segment policies placing them: one egress " +
					"NetworkPolicy per pod selector, shared by those policies. A property of the segment, recorded with its placement, so " +
					"every policy — of any state — writes the same; a policy's own `kubernetes.allow_dns` (deprecated) must agree with it. " +
					"Defaults to true.",
			},
		},
	}
}

func segmentSchema() schema.Schema {
	return schema.Schema{
		Version: 1, // 1: a created group's segment is known by sg/<vpc_id>/<name>, not by the group id
		Description: "A workload segment: the unit that allowed flows (`zerotrust_segment_policy`) connect. On AWS it is a security " +
			"group that the provider either creates — deny-all inbound and outbound, and exclusively owned: any rule not " +
			"declared by a segment policy is drift and is removed — or adopts by id, in which case only the rules the provider " +
			"tagged are ever touched and the group is left in place on destroy. Its `id` is derived from the configuration and known at " +
			"plan — `sg/<vpc_id>/<name>` for a created group, the group id for an adopted one — so the policies, sets and checks of the " +
			"same configuration are decided in the first plan; AWS's id of the group is `security_group_id`. With a `kubernetes` block " +
			"and neither `vpc_id` nor `security_group_id`, the segment lives only in Kubernetes and needs no AWS account: its id is " +
			"`k8s/<namespace>/<name>` (known at plan) and it is recorded in a `SegmentRecord` (a custom resource, " +
			"`zerotrust.ztforge.io/v1alpha1`, whose CRD must be installed) of its namespace, where segment policies read its sensitivity and placement.",
		Attributes: map[string]schema.Attribute{
			// Required
			"name": schema.StringAttribute{
				Required:      true,
				Description:   "Segment name; also the security group name when the provider creates the group. Changing it replaces the segment.",
				Validators:    []validator.String{stringvalidator.RegexMatches(segmentNamePattern, "must be 1–63 characters: letters, digits, '.', '_' or '-', starting with a letter or digit")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},

			// Optional
			"description": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Description: "Security group description (immutable in EC2: changing it replaces a created group). Defaults to a text naming the segment. " +
					"1–255 characters; on a segment with a security group only EC2's set: letters a-z and A-Z, digits, spaces and `._-:/()#,@[]+=&;{}!$*`.",
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 255)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(replaceIfCreated, "replaces the created security group", "replaces the created security group"), stringplanmodifier.UseStateForUnknown()},
			},
			"vpc_id": schema.StringAttribute{
				Optional:      true,
				Computed:      true,
				Description:   "VPC in which to create the security group. One of `vpc_id`, `security_group_id` or a `kubernetes` block alone is required; when both `vpc_id` and `security_group_id` are set, the adopted group must be in this VPC.",
				Validators:    []validator.String{stringvalidator.RegexMatches(vpcIDRe, "must be a VPC id such as vpc-0123456789abcdef0")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIfConfigured(), stringplanmodifier.UseStateForUnknown()},
			},
			"security_group_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Description: "Adopt this existing security group instead of creating one. When unset, the id AWS assigns the created group " +
					"(unknown at plan until it exists): the value to give other providers, such as an instance's `vpc_security_group_ids`.",
				Validators: []validator.String{
					stringvalidator.RegexMatches(model.SecurityGroupIDPattern, "must be a security group id such as sg-0123456789abcdef0"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIfConfigured(), stringplanmodifier.UseStateForUnknown()},
			},
			"sensitivity": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(model.DefaultSensitivity),
				Description: "Data sensitivity of the workloads in the segment: `public`, `internal`, `confidential` or `restricted`. " +
					"Segment policies refuse flows from the open internet (0.0.0.0/0, ::/0) into confidential and restricted segments unless acknowledged.",
				Validators: []validator.String{stringvalidator.OneOf(model.Sensitivities...)},
			},
			"tags": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Description: "Extra tags for the security group. The provider's own keys (`managed-by`, `zerotrust:*`) are reserved.",
				Validators:  []validator.Map{reservedTagKeys{}},
			},

			// Computed
			"id": schema.StringAttribute{
				Computed: true,
				Description: "The segment id that segment policies and sets refer to, derived from the configuration and so known at plan, " +
					"before any group exists: `sg/<vpc_id>/<name>` for a group the provider creates, the adopted group's id when " +
					"`security_group_id` is set, or `k8s/<namespace>/<name>` for a segment placed only in Kubernetes. It is unknown " +
					"only while `vpc_id` or `name` is (a VPC created in the same apply). The security group's own id, assigned by AWS, " +
					"is `security_group_id`: use that with other providers (e.g. `vpc_security_group_ids`).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"arn": schema.StringAttribute{
				Computed:      true,
				Description:   "ARN of the security group.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"owner_id": schema.StringAttribute{
				Computed:      true,
				Description:   "AWS account that owns the security group.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"ownership_id": ownershipIDAttribute("Random id drawn when this resource created (or adopted) the group, written on it as the `" + awsapi.TagOwnership + "` tag. " +
				"Ownership is decided by this id, never by name: a create whose name is taken by a group with another ownership id fails " +
				"(import it deliberately instead), and a group whose tag no longer matches is neither changed nor deleted. A create interrupted " +
				"before Terraform recorded it leaves the group marked `" + awsapi.TagCreatePending + "`; the next create of the same name adopts it " +
				"once instead of making a second one."),
			"adopted": schema.BoolAttribute{
				Computed:      true,
				Description:   "True when the group was adopted by id rather than created; an adopted group survives destroy.",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"kubernetes_record": schema.StringAttribute{
				Computed: true,
				Description: "For a segment placed only in Kubernetes, the object that records it, where segment policies of other states read " +
					"its sensitivity and placement: `segmentrecords.zerotrust.ztforge.io/<namespace>/<object name>`. A segment recorded by " +
					"provider 0.1 reads `configmaps/<namespace>/<object name>` (a ConfigMap, which anyone allowed to edit ConfigMaps could forge) " +
					"until the next apply moves it to a `SegmentRecord`; policies refuse it as a peer until then. Null for a segment with a " +
					"security group.",
			},
			"unmanaged_rules": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				Description: "What each rule in `unmanaged_rule_ids` allows, for the reviewer: id, direction, protocol, ports and peer " +
					"(e.g. `sgr-0abc ingress tcp 0-65535 from 0.0.0.0/0`). A rule counts as unmanaged unless it carries both the " +
					"provider's managed-by tag and a segment policy's tag.",
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"exclusive": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				Description: "Refuse segment policies and sets of other configurations (Terraform states) over this segment: one that governs it, " +
					"or names it as a peer (and so writes rules onto its group), fails at plan. Policies and sets of the configuration that " +
					"declares the segment are not affected. Recorded where other configurations read the segment: on the security group as " +
					"the `" + awsapi.TagExclusive + "` tag (removed out of band, it shows as drift and the next apply restores it), or in the " +
					"`SegmentRecord` of a segment placed only in Kubernetes.",
			},
			"governing_policies": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				Description: "Ids of the segment policies and sets — of this configuration and of others — whose rules are on the segment's " +
					"group, sorted, as of the last refresh: a flow another state adds into (or out of) the segment shows here. Empty for a " +
					"segment placed only in Kubernetes (its other policies' NetworkPolicies are reported by the policies that govern it).",
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"unmanaged_rule_ids": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				Description: "Rules found in a created segment's group that no segment policy declared (added out of band). " +
					"The plan shows them and apply revokes them. Always empty for adopted groups, whose foreign rules are left alone.",
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"kubernetes": segmentKubernetesBlock(),
			"timeouts": timeouts.Block(context.Background(), timeouts.Opts{
				Create: true, Delete: true,
				CreateDescription: timeoutDescription(opCreate, "creating the security group and waiting for it to be readable", segmentCreateTimeout),
				DeleteDescription: timeoutDescription(opDelete, "waiting until no network interface uses the security group, then deleting it", segmentDeleteTimeout),
			}),
		},
	}
}

var (
	segmentNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	vpcIDRe            = regexp.MustCompile(`^vpc-[0-9a-f]{8,17}$`)
)
