package provider

import (
	"context"
	"regexp"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/provider/syntaxtypes"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

type protectSurfaceModel struct {
	ID                 types.String       `tfsdk:"id"`
	ARN                types.String       `tfsdk:"arn"`
	Name               types.String       `tfsdk:"name"`
	Sensitivity        types.String       `tfsdk:"sensitivity"`
	ProxyID            types.String       `tfsdk:"proxy_id"`
	ProxyTrustContext  types.String       `tfsdk:"proxy_trust_context"`
	Tags               types.Map          `tfsdk:"tags"`
	Applications       []surfaceAppModel  `tfsdk:"application"`
	AccessRules        []surfaceRuleModel `tfsdk:"access_rule"`
	KMSKeyARN          types.String       `tfsdk:"kms_key_arn"`
	KeyAcknowledgement types.String       `tfsdk:"customer_managed_key_acknowledgement"`

	PolicyDocument          types.String   `tfsdk:"policy_document"`
	PolicyStatements        types.List     `tfsdk:"policy_statements"`
	OwnershipID             types.String   `tfsdk:"ownership_id"`
	EndpointPolicyDocuments types.Map      `tfsdk:"endpoint_policy_documents"`
	Endpoints               types.Map      `tfsdk:"endpoints"`
	Timeouts                timeouts.Value `tfsdk:"timeouts"`
}

type surfaceAppModel struct {
	Name                 types.String     `tfsdk:"name"`
	Domain               types.String     `tfsdk:"domain"`
	EndpointType         types.String     `tfsdk:"endpoint_type"`
	LoadBalancerARN      types.String     `tfsdk:"load_balancer_arn"`
	NetworkInterfaceID   types.String     `tfsdk:"network_interface_id"`
	CIDR                 syntaxtypes.CIDR `tfsdk:"cidr"`
	RDSInstanceARN       types.String     `tfsdk:"rds_db_instance_arn"`
	RDSClusterARN        types.String     `tfsdk:"rds_db_cluster_arn"`
	RDSProxyARN          types.String     `tfsdk:"rds_db_proxy_arn"`
	RDSEndpoint          types.String     `tfsdk:"rds_endpoint"`
	Port                 types.Number     `tfsdk:"port"`
	PortRanges           types.List       `tfsdk:"port_ranges"`
	Protocol             types.String     `tfsdk:"protocol"`
	SubnetIDs            types.Set        `tfsdk:"subnet_ids"`
	SecurityGroupIDs     types.Set        `tfsdk:"security_group_ids"`
	DomainCertificateARN types.String     `tfsdk:"domain_certificate_arn"`
	EndpointDomainPrefix types.String     `tfsdk:"endpoint_domain_prefix"`
}

type surfaceRuleModel struct {
	Name                 types.String        `tfsdk:"name"`
	Effect               types.String        `tfsdk:"effect"`
	Groups               types.List          `tfsdk:"groups"`
	Device               *surfaceDeviceModel `tfsdk:"device"`
	RequireVerifiedEmail types.Bool          `tfsdk:"require_verified_email"`
	RequireMFA           types.Bool          `tfsdk:"require_mfa"`
	Methods              types.List          `tfsdk:"methods"`
	PathPrefixes         types.List          `tfsdk:"path_prefixes"`
	ClientCIDRs          types.List          `tfsdk:"client_cidrs"`
	Applications         types.List          `tfsdk:"applications"`
	Acknowledgement      types.String        `tfsdk:"acknowledgement"`
}

type surfaceDeviceModel struct {
	Jamf        *surfaceJamfModel        `tfsdk:"jamf"`
	CrowdStrike *surfaceCrowdStrikeModel `tfsdk:"crowdstrike"`
	JumpCloud   *surfaceJumpCloudModel   `tfsdk:"jumpcloud"`
	Combine     types.String             `tfsdk:"combine"`
}

type surfaceJamfModel struct {
	MaxRisk types.String `tfsdk:"max_risk"`
}

type surfaceCrowdStrikeModel struct {
	MinOverallScore types.Number `tfsdk:"min_overall_score"`
}

type surfaceJumpCloudModel struct {
	Managed types.Bool `tfsdk:"managed"`
}

// surfaceEndpointAttrTypes is one application's endpoint in `endpoints`.
var surfaceEndpointAttrTypes = map[string]attr.Type{
	"id":              types.StringType,
	"endpoint_domain": types.StringType,
}

var surfaceEndpointType = types.ObjectType{AttrTypes: surfaceEndpointAttrTypes}

var (
	vaGroupIDRe        = regexp.MustCompile(`^vagr-[0-9a-f]{8,17}$`)
	surfaceNameRe      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	dnsLabelRe         = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	securityGroupsOnly = regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`)
	subnetIDRe         = regexp.MustCompile(`^subnet-[0-9a-f]{1,17}$`)
)

// policy_statements shows the compiled policy one access rule and one Cedar
// condition at a time, so that a plan in which groups (or the proxy) are
// created in the same apply still shows every condition that does not depend
// on them; policy_document, a single string, is then wholly unknown.
var statementAttrTypes = map[string]attr.Type{
	"id":         types.StringType,
	"effect":     types.StringType,
	"conditions": types.ListType{ElemType: types.StringType},
}

var statementObjectType = types.ObjectType{AttrTypes: statementAttrTypes}

func policyStatementsAttribute() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Computed: true,
		Description: "The compiled statements, one per `access_rule` in configuration order: the rule's `@id`, its effect and the " +
			"Cedar text of each `when` condition in the order the statement tests them. Unlike `policy_document`, known in the plan " +
			"even when the access groups or the access proxy are created in the same apply: only the conditions that name a value " +
			"not yet assigned (a group id; a trust provider's reference) are `(known after apply)`.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"id":         schema.StringAttribute{Computed: true, Description: "The rule's name, its statement's `@id`."},
			"effect":     schema.StringAttribute{Computed: true, Description: "`permit` or `forbid`."},
			"conditions": schema.ListAttribute{Computed: true, ElementType: types.StringType, Description: "Cedar text of each condition; all must hold."},
		}},
	}
}

func protectSurfaceSchema() schema.Schema {
	strList := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{Optional: true, ElementType: types.StringType, Description: desc}
	}
	return schema.Schema{
		Description: "A protect surface (DAAS: data, applications, assets, services) on an access proxy, with the access rules that " +
			"let users and devices reach it. On AWS it is a Verified Access group carrying the compiled Cedar group policy and one " +
			"endpoint per application, each with its endpoint policy when the compiler gives one. The compiled policies are " +
			"computed attributes known in the plan whenever their inputs are; access rules weaker than the sensitivity floor are " +
			"plan-time errors unless acknowledged. A policy edited out of band is drift (the plan shows it and apply restores " +
			"the compiled text); one that differs only in whitespace or statement order is not.",
		Attributes: map[string]schema.Attribute{
			// Required
			"name": schema.StringAttribute{
				Required:    true,
				Description: "Surface name, recorded in the group's description and `zerotrust:surface` tag. Updated in place.",
				Validators:  []validator.String{stringvalidator.RegexMatches(surfaceNameRe, "must be 1–63 characters: letters, digits, '.', '_' or '-', starting with a letter or digit")},
			},
			"proxy_id": schema.StringAttribute{
				Required: true,
				Description: "The access proxy (`zerotrust_access_proxy.<name>.id`, a Verified Access instance id). Changing it replaces the " +
					"surface: a group cannot outlive the instance it is moved from when that instance is replaced.",
				Validators:    []validator.String{stringvalidator.RegexMatches(vaInstanceIDRe, "must be a Verified Access instance id such as vai-0123456789abcdef0")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},

			// Optional
			"sensitivity": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(model.DefaultSensitivity),
				Description: "How sensitive the surface is: `public`, `internal`, `confidential` or `restricted`. Each level sets a floor " +
					"every permit rule must meet (groups; device posture; verified email or MFA; MFA; explicit methods).",
				Validators: []validator.String{stringvalidator.OneOf(model.Sensitivities...)},
			},
			"proxy_trust_context": schema.StringAttribute{
				Optional: true,
				Description: "The proxy's `trust_context` (`zerotrust_access_proxy.<name>.trust_context`). Set it to compile against the " +
					"proxy's declared trust providers, which are known in the plan even while the proxy is created or updated in the " +
					"same apply; apply then checks the live proxy agrees. Without it the trust providers are read from the proxy in " +
					"AWS at plan time, so the policy is unknown in the plan until the proxy exists.",
			},
			"kms_key_arn": schema.StringAttribute{
				Optional: true,
				Description: "ARN of a customer-managed, symmetric KMS key that encrypts the surface's Verified Access group and every " +
					"endpoint (their `SseSpecification`: policies and trust data); unset, Verified Access uses an AWS-owned key. The " +
					"key policy must let Verified Access use it. Changed in place. Not inherited from the proxy's `kms_key_arn`: a " +
					"surface names its own key, so the plan shows exactly which key each object gets.",
				Validators: []validator.String{stringvalidator.RegexMatches(kmsKeyARNRe, "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>); aliases are not accepted")},
			},
			"customer_managed_key_acknowledgement": schema.StringAttribute{
				Optional: true,
				Description: "Why an AWS-owned key is acceptable for this surface where the provider requires customer-managed keys " +
					"(`sensitivity_floors.require_customer_managed_keys`) and the surface's floor demands one: turns that error into a warning.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 1024)},
			},
			"tags": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Description: "Extra tags for the group. The provider's own keys (`managed-by`, `zerotrust:*`) are reserved.",
				Validators:  []validator.Map{reservedTagKeys{}},
			},

			// Computed
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "The Verified Access group id (vagr-…).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"arn": schema.StringAttribute{
				Computed:      true,
				Description:   "ARN of the Verified Access group.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"policy_statements": policyStatementsAttribute(),
			"ownership_id": ownershipIDAttribute("Random id drawn when this resource created the Verified Access group, written on it as the `" + awsapi.TagOwnership + "` tag. " +
				"A group whose tag no longer matches is neither changed nor deleted. A create interrupted before Terraform recorded it leaves " +
				"the group marked `" + awsapi.TagCreatePending + "`; the next create of a surface with the same name on the same proxy adopts it " +
				"once, with its endpoints, instead of creating a second one."),
			"policy_document": schema.StringAttribute{
				Computed: true,
				Description: "The compiled Cedar group policy (canonical: statements ordered forbid before permit then by rule name, each " +
					"annotated with the rule's `@id`). Known in the plan whenever the rules and the proxy's trust providers are. An " +
					"empty surface compiles to a single deny-by-default statement. The policy is enabled whenever it is set.",
			},
			"endpoint_policy_documents": schema.MapAttribute{
				Computed:    true,
				ElementType: types.StringType,
				Description: "Compiled endpoint policies by application name, for applications that get one (when some rule targets specific applications).",
			},
			"endpoints": schema.MapAttribute{
				Computed:    true,
				ElementType: surfaceEndpointType,
				Description: "The Verified Access endpoint of each application, by application name: `id` (vae-…) and `endpoint_domain`. An entry is unknown in the plan when its endpoint is created or re-created.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(context.Background(), timeouts.Opts{
				Create: true, Update: true, Delete: true,
				CreateDescription: timeoutDescription(opCreate, "creating the group and waiting for every endpoint to become active", surfaceCreateTimeout),
				UpdateDescription: timeoutDescription(opUpdate, "re-creating or modifying endpoints and waiting for them to become active", surfaceUpdateTimeout),
				DeleteDescription: timeoutDescription(opDelete, "deleting the endpoints and the group", surfaceDeleteTimeout),
			}),
			"application": schema.ListNestedBlock{
				Description: "An application of the surface: one Verified Access endpoint. Exactly one target: `load_balancer_arn`, " +
					"`network_interface_id`, `cidr` (a network) or one of `rds_db_instance_arn`, `rds_db_cluster_arn`, `rds_db_proxy_arn` " +
					"and `rds_endpoint` (a database). Updated in place: protocol and port (load-balancer, network-interface), port ranges " +
					"(cidr), port, subnets and `rds_endpoint` (rds) and load-balancer subnets; any other change re-creates the " +
					"application's endpoint (its `endpoints` entry is unknown in the plan). Applications reached over TCP (cidr, rds, " +
					"protocol `tcp`) take only access rules without HTTP conditions.",
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"name": schema.StringAttribute{
							Required:    true,
							Description: "Application name, unique in the surface; access rules target it in `applications`. Recorded in the endpoint's `zerotrust:application` tag.",
							Validators:  []validator.String{stringvalidator.LengthBetween(1, 255)},
						},
						"domain": schema.StringAttribute{
							Optional:    true,
							Description: "Application domain users reach it at, e.g. `pay.internal.example.com` (required for load-balancer and network-interface endpoints).",
						},
						"endpoint_type": schema.StringAttribute{
							Optional:    true,
							Computed:    true,
							Description: "`load-balancer`, `network-interface`, `rds` or `cidr`; inferred from the target when unset.",
							Validators:  []validator.String{stringvalidator.OneOf(awsapi.EndpointLoadBalancer, awsapi.EndpointNetworkInterface, awsapi.EndpointRDS, awsapi.EndpointCIDR)},
						},
						"load_balancer_arn": schema.StringAttribute{Optional: true, Description: "Target: an internal Application or Network Load Balancer ARN.",
							Validators: []validator.String{stringvalidator.RegexMatches(loadBalancerARNRe, "must be a load balancer ARN such as arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/name/0123456789abcdef")}},
						"network_interface_id": schema.StringAttribute{Optional: true, Description: "Target: a network interface id (eni-…).", Validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^eni-[0-9a-f]{1,17}$`), "must be a network interface id such as eni-0123456789abcdef0")}},
						"cidr":                 schema.StringAttribute{Optional: true, CustomType: syntaxtypes.CIDRType{}, Description: "Target: a CIDR block (TCP access to the addresses in it)."},
						"rds_db_instance_arn": schema.StringAttribute{Optional: true, Description: "Target: an RDS DB instance ARN (`arn:aws:rds:<region>:<account>:db:<name>`).",
							Validators: []validator.String{stringvalidator.RegexMatches(rdsARNRe("db"), "must be an RDS DB instance ARN such as arn:aws:rds:us-east-1:111111111111:db:payments")}},
						"rds_db_cluster_arn": schema.StringAttribute{Optional: true, Description: "Target: an RDS DB cluster ARN (`arn:aws:rds:<region>:<account>:cluster:<name>`).",
							Validators: []validator.String{stringvalidator.RegexMatches(rdsARNRe("cluster"), "must be an RDS DB cluster ARN such as arn:aws:rds:us-east-1:111111111111:cluster:payments")}},
						"rds_db_proxy_arn": schema.StringAttribute{Optional: true, Description: "Target: an RDS Proxy ARN (`arn:aws:rds:<region>:<account>:db-proxy:<id>`).",
							Validators: []validator.String{stringvalidator.RegexMatches(rdsARNRe("db-proxy"), "must be an RDS Proxy ARN such as arn:aws:rds:us-east-1:111111111111:db-proxy:prx-0123456789abcdef0")}},
						"rds_endpoint": schema.StringAttribute{Optional: true, Description: "Target: an RDS endpoint address, e.g. `payments.cluster-abc.us-east-1.rds.amazonaws.com`. Updated in place.",
							Validators: []validator.String{stringvalidator.RegexMatches(hostNameRe, "must be a DNS name such as payments.cluster-abc.us-east-1.rds.amazonaws.com")}},
						"port": schema.NumberAttribute{
							Optional: true,
							Description: "Port the endpoint listens on and forwards to, a whole number from 1 to 65535. Required for load-balancer, " +
								"network-interface and rds endpoints. A cidr endpoint takes `port` (one port) or `port_ranges`.",
							Validators: []validator.Number{wholeNumber{min: 1, max: 65535}},
						},
						"port_ranges": schema.ListAttribute{
							Optional: true, ElementType: types.StringType,
							Description: "A cidr endpoint's ports: each a port (`\"22\"`) or an inclusive range (`\"8000-8080\"`) from 1 to 65535, " +
								"in ascending order and not overlapping, e.g. `[\"22\", \"8000-8080\"]`. Users reach every address of the CIDR " +
								"block on these ports only. Updated in place. Use it instead of `port`.",
							Validators: []validator.List{listvalidator.SizeAtLeast(1)},
						},
						"protocol": schema.StringAttribute{
							Optional:    true,
							Computed:    true,
							Description: "`http`, `https` or `tcp` (cidr and rds endpoints: `tcp` only). Defaults to `https`, or `tcp` for cidr and rds endpoints.",
							Validators:  []validator.String{stringvalidator.OneOf("http", "https", "tcp")},
						},
						"subnet_ids": schema.SetAttribute{
							Optional: true, ElementType: types.StringType,
							Description: "Subnets (load-balancer: optional, updated in place; rds: required, updated in place; cidr: required).",
							Validators:  []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(subnetIDRe, "must be a subnet id such as subnet-0123456789abcdef0"))},
						},
						"security_group_ids": schema.SetAttribute{
							Optional: true, ElementType: types.StringType,
							Description: "Security groups of the endpoint's network interfaces.",
							Validators:  []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(securityGroupsOnly, "must be a security group id such as sg-0123456789abcdef0"))},
						},
						"domain_certificate_arn": schema.StringAttribute{
							Optional:    true,
							Description: "ACM certificate for `domain` (required for load-balancer and network-interface endpoints).",
							Validators:  []validator.String{stringvalidator.RegexMatches(certificateARNRe, "must be an ACM certificate ARN such as arn:aws:acm:us-east-1:111111111111:certificate/<id>")},
						},
						"endpoint_domain_prefix": schema.StringAttribute{
							Optional:    true,
							Computed:    true,
							Description: "First label of the generated endpoint domain (load-balancer and network-interface). Defaults to the application name when that is a DNS label.",
							Validators:  []validator.String{stringvalidator.RegexMatches(dnsLabelRe, "must be a DNS label: lower-case letters, digits and '-'")},
						},
					},
				},
			},
			"access_rule": schema.ListNestedBlock{
				Description: "One statement of the surface's policy (its Cedar `@id` is the rule name). A permit rule grants access when every " +
					"condition it sets holds; a forbid rule denies it when every condition holds. Unset conditions do not constrain; " +
					"lists match any one entry. With no rule, nothing is allowed.",
				Validators: []validator.List{listvalidator.SizeAtMost(1000)},
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"name": schema.StringAttribute{Required: true, Description: "Rule name, unique in the surface: the Cedar `@id` of its statement."},
						"effect": schema.StringAttribute{
							Optional: true, Computed: true, Default: stringdefault.StaticString(model.EffectPermit),
							Description: "`permit` (default) or `forbid`.",
							Validators:  []validator.String{stringvalidator.OneOf(model.EffectPermit, model.EffectForbid)},
						},
						"groups": strList("Access groups, any of which the user must be in: Identity Center group ids (e.g. `zerotrust_access_group.x.id`), or values of the OIDC groups claim."),
						"device": schema.SingleNestedAttribute{
							Optional: true,
							Description: "Device requirement over the proxy's device trust providers — a value, so one requirement can be " +
								"reused (`device = local.managed_laptop`). At least one of `jamf`, `crowdstrike`, `jumpcloud`.",
							Attributes: map[string]schema.Attribute{
								"jamf": schema.SingleNestedAttribute{
									Optional: true, Description: "Jamf condition.",
									Attributes: map[string]schema.Attribute{
										"max_risk": schema.StringAttribute{Required: true, Description: "Highest accepted Jamf risk: `SECURE`, `LOW`, `MEDIUM` or `HIGH`."},
									},
								},
								"crowdstrike": schema.SingleNestedAttribute{
									Optional: true, Description: "CrowdStrike condition.",
									Attributes: map[string]schema.Attribute{
										"min_overall_score": schema.NumberAttribute{Required: true, Description: "Lowest accepted Zero Trust Assessment overall score, a whole number from 0 to 100.",
											Validators: []validator.Number{wholeNumber{min: 0, max: 100}}},
									},
								},
								"jumpcloud": schema.SingleNestedAttribute{
									Optional: true, Description: "JumpCloud condition.",
									Attributes: map[string]schema.Attribute{
										"managed": schema.BoolAttribute{Required: true, Description: "The device must be managed (must be true)."},
									},
								},
								"combine": schema.StringAttribute{Optional: true, Description: "`all-of` (default: every set condition must hold) or `any-of` (one suffices)."},
							},
						},
						"require_verified_email": schema.BoolAttribute{
							Optional: true, Computed: true, Default: booldefault.StaticBool(false),
							Description: "The identity provider must report a verified email address.",
						},
						"require_mfa": schema.BoolAttribute{
							Optional: true, Computed: true, Default: booldefault.StaticBool(false),
							Description: "The user must have signed in with MFA (OIDC `amr` claim, or the proxy's `mfa_enforced`).",
						},
						"methods": strList("HTTP methods allowed (upper case, e.g. `GET`); empty means any. HTTP(S) applications only: a rule that applies to a TCP application cannot test HTTP request data."),
						"path_prefixes": strList("URL path prefixes (starting with `/`); empty means any. `/admin` matches `/admin` and everything below it on a `/` boundary (`/admin/`, `/admin/users`) but not `/administrator`; a trailing `*` (`/admin*`) keeps raw prefix matching. " +
							"Paths are matched with and without the leading slash, since AWS documents `context.http_request.path` without one. " +
							"A path a server may resolve elsewhere (a `.` or `..` segment, `%2e`, `%2f`, `%5c` in any case, a backslash) is never admitted by a permit's prefixes and always covered by a forbid's; a prefix holding one is refused. HTTP(S) applications only."),
						"client_cidrs": schema.ListAttribute{Optional: true, ElementType: syntaxtypes.CIDRType{}, Validators: []validator.List{syntaxtypes.Elements()},
							Description: "Client networks (CIDR blocks); empty means any. Read from the HTTP request, so HTTP(S) applications only."},
						"applications": strList("Applications of this surface the rule applies to; empty means the whole surface. Rules naming applications compile into those applications' endpoint policies."),
						"acknowledgement": schema.StringAttribute{
							Optional:    true,
							Description: "Why a rule weaker than the surface's sensitivity floor (or an unconditional permit) is acceptable: turns those errors into warnings.",
							Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
						},
					},
				},
			},
		},
	}
}

// A surface's operations wait for its endpoints: AWS takes many minutes to
// activate a Verified Access endpoint (the AWS provider's endpoint
// acceptance tests run 18–22 minutes each, create to delete), so each
// operation gets half an hour by default; every wait inside it runs until
// the operation's time is up.
const (
	surfaceCreateTimeout = 30 * time.Minute
	surfaceUpdateTimeout = 30 * time.Minute
	surfaceDeleteTimeout = 30 * time.Minute
)

// rdsARNRe matches an RDS ARN of one resource type (db, cluster, db-proxy).
func rdsARNRe(resource string) *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws[a-z-]*:rds:[a-z0-9-]+:[0-9]{12}:` + regexp.QuoteMeta(resource) + `:[A-Za-z0-9-]{1,255}$`)
}

var (
	hostNameRe        = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	loadBalancerARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer/(app|net)/[A-Za-z0-9-]+/[0-9a-f]+$`)
	certificateARNRe  = regexp.MustCompile(`^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$`)
)
