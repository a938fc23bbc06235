package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"

	"github.com/ztforge/terraform-provider-zerotrust/internal/provider/syntaxtypes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
)

type privilegedAccessModel struct {
	ID                      types.String          `tfsdk:"id"`
	Name                    types.String          `tfsdk:"name"`
	Group                   types.String          `tfsdk:"group"`
	Accounts                types.List            `tfsdk:"accounts"`
	Description             types.String          `tfsdk:"description"`
	ManagedPolicies         types.List            `tfsdk:"managed_policies"`
	CustomerManagedPolicies types.List            `tfsdk:"customer_managed_policies"`
	InlinePolicy            policyDocumentValue   `tfsdk:"inline_policy"`
	PermissionsBoundary     types.Object          `tfsdk:"permissions_boundary"`
	SessionDuration         syntaxtypes.Duration  `tfsdk:"session_duration"`
	ExpiresAt               syntaxtypes.Timestamp `tfsdk:"expires_at"`
	Acknowledgement         types.String          `tfsdk:"acknowledgement"`
	InstanceARN             types.String          `tfsdk:"instance_arn"`
	PermissionSetARN        types.String          `tfsdk:"permission_set_arn"`
	OwnershipID             types.String          `tfsdk:"ownership_id"`
	PermissionSetName       types.String          `tfsdk:"permission_set_name"`
	InlinePolicyCanonical   types.String          `tfsdk:"inline_policy_canonical"`
	Assignments             types.List            `tfsdk:"assignments"`
	Expired                 types.Bool            `tfsdk:"expired"`
	ExpiryScheduleGroup     types.String          `tfsdk:"expiry_schedule_group"`
	ExpiryRoleARN           types.String          `tfsdk:"expiry_role_arn"`
	ExpirySchedules         types.List            `tfsdk:"expiry_schedules"`
	Timeouts                timeouts.Value        `tfsdk:"timeouts"`
}

// IAM Identity Center provisions a permission set and creates or deletes
// account assignments asynchronously; each status is polled for up to ten
// minutes (awsapi.ProvisioningWait, the AWS provider's default for
// aws_ssoadmin_permission_set updates and policy attachments), and an
// expiry adds EventBridge Scheduler waits of 90 seconds. An operation
// provisions and then assigns (or unassigns and then deletes), so each
// gets two provisioning waits by default; every wait inside it runs until
// the operation's time is up.
const (
	privilegedAccessCreateTimeout = 20 * time.Minute
	privilegedAccessUpdateTimeout = 20 * time.Minute
	privilegedAccessDeleteTimeout = 20 * time.Minute
)

var (
	policyRefAttrTypes = map[string]attr.Type{"name": types.StringType, "path": types.StringType}
	policyRefType      = types.ObjectType{AttrTypes: policyRefAttrTypes}
	boundaryAttrTypes  = map[string]attr.Type{
		"managed_policy_arn":                types.StringType,
		"customer_managed_policy_reference": policyRefType,
	}
	assignmentAttrTypes = map[string]attr.Type{"account_id": types.StringType, "principal_type": types.StringType, "principal_id": types.StringType}
	assignmentType      = types.ObjectType{AttrTypes: assignmentAttrTypes}
)

type policyRefModel struct {
	Name types.String `tfsdk:"name"`
	Path types.String `tfsdk:"path"`
}

type boundaryModel struct {
	ManagedPolicyARN types.String `tfsdk:"managed_policy_arn"`
	CustomerManaged  types.Object `tfsdk:"customer_managed_policy_reference"`
}

type assignmentModel struct {
	AccountID     types.String `tfsdk:"account_id"`
	PrincipalType types.String `tfsdk:"principal_type"`
	PrincipalID   types.String `tfsdk:"principal_id"`
}

var paObjectAsOptions = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}

// paPlaceholderGroup stands in for a group id that is unknown at plan time
// (an access group created in the same plan), so everything else compiles.
const paPlaceholderGroup = "00000000-0000-4000-8000-000000000000"

type expiryScheduleModel struct {
	Name               types.String `tfsdk:"name"`
	ARN                types.String `tfsdk:"arn"`
	AccountID          types.String `tfsdk:"account_id"`
	PrincipalType      types.String `tfsdk:"principal_type"`
	PrincipalID        types.String `tfsdk:"principal_id"`
	ScheduleExpression types.String `tfsdk:"schedule_expression"`
}

func privilegedAccessSchema() schema.Schema {
	policyRefAttrs := func(what string) map[string]schema.Attribute {
		return map[string]schema.Attribute{
			"name": schema.StringAttribute{Required: true, Description: "Name of the customer-managed IAM policy " + what + "; it must exist in every assigned account."},
			"path": schema.StringAttribute{Optional: true, Description: "IAM path of the policy, e.g. `/team/`. Defaults to `/`."},
		}
	}
	return schema.Schema{
		Description: "Least-privilege, optionally just-in-time access to AWS accounts for an access group, as an IAM Identity Center " +
			"permission set (inline, AWS-managed and customer-managed policies, permissions boundary, session duration; tagged " +
			"`managed-by = terraform-provider-zerotrust` and exclusively owned) and one account assignment per account. The " +
			"canonical inline policy is computed in the plan, and so are the assignments once the group exists (a group created in " +
			"the same apply has no id until then). Over-privilege (administrator access, " +
			"`iam:PassRole` on `*`, wildcards over identity services…) is a plan-time error unless `acknowledgement` gives the " +
			"reason. With `expires_at`, AWS itself removes the assignments at that time: one one-time EventBridge Scheduler schedule per " +
			"assignment calls IAM Identity Center's DeleteAccountAssignment as an execution role allowed nothing else (see the " +
			"just-in-time access guide); the next plan after it also removes every assignment, sets `expired` and deletes the schedules and role.",
		Attributes: map[string]schema.Attribute{
			// Required
			"name": schema.StringAttribute{
				Required: true,
				Description: "Name of the access. The permission-set name is derived from it (used as is when it fits AWS's 32 characters of " +
					"`[\\w+=,.@-]`, else sanitised and suffixed with a hash; see `permission_set_name`). Changing it replaces the permission set. " +
					"At most 128 characters, each a letter, a digit, a space or one of `_.:/=+-@`: the name is also the value of the " +
					"permission set's `zerotrust:privileged-access` tag, and AWS tag values allow nothing else.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"group": schema.StringAttribute{
				Required:    true,
				Description: "Identity Store group id that receives the access, usually `zerotrust_access_group.<name>.id`.",
			},

			// Optional
			"accounts": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Description: "12-digit AWS account ids in which the group is assigned the permission set. Empty means the access grants nothing.",
			},
			"description": schema.StringAttribute{
				Optional: true,
				Description: "Permission-set description shown in IAM Identity Center (at most 700 Latin-1 characters). Identity Center cannot " +
					"clear a description (UpdatePermissionSet takes none shorter than one character), so removing it replaces the permission set.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(descriptionRemoved,
					"Removing the description replaces the permission set.", "Removing the description replaces the permission set.")},
			},
			"managed_policies": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Description: "AWS-managed policy ARNs to attach, e.g. `arn:aws:iam::aws:policy/ReadOnlyAccess`. Customer-managed policies go in `customer_managed_policies`.",
			},
			"customer_managed_policies": schema.ListNestedAttribute{
				Optional:     true,
				Description:  "Customer-managed IAM policies to attach, by name and path; each must exist in every assigned account.",
				NestedObject: schema.NestedAttributeObject{Attributes: policyRefAttrs("to attach")},
			},
			"inline_policy": schema.StringAttribute{
				Optional:   true,
				CustomType: policyDocumentType{},
				Description: "Inline IAM policy document (JSON, e.g. from `jsonencode` or `data.aws_iam_policy_document`). It is checked " +
					"against the IAM grammar and the over-privilege lint at plan time; a read-back that differs only in white space " +
					"or key order is not drift. The exact text sent to AWS is `inline_policy_canonical`.",
			},
			"permissions_boundary": schema.SingleNestedAttribute{
				Optional:    true,
				Description: "Permissions boundary capping what the policies can grant: exactly one of `managed_policy_arn` and `customer_managed_policy_reference`.",
				Attributes: map[string]schema.Attribute{
					"managed_policy_arn": schema.StringAttribute{Optional: true, Description: "AWS-managed policy ARN used as the boundary."},
					"customer_managed_policy_reference": schema.SingleNestedAttribute{
						Optional:    true,
						Description: "Customer-managed policy used as the boundary.",
						Attributes:  policyRefAttrs("used as the boundary"),
					},
				},
			},
			"session_duration": schema.StringAttribute{
				Optional:    true,
				Computed:    true,
				CustomType:  syntaxtypes.DurationType{},
				Default:     stringdefault.StaticString(identitycenter.DefaultSessionDuration),
				Description: "Session length as an ISO-8601 duration between `PT1H` and `PT12H` (e.g. `PT1H`, `PT90M`, `PT1H30M`). Defaults to `PT1H`.",
			},
			"expires_at": schema.StringAttribute{
				Optional:   true,
				CustomType: syntaxtypes.TimestampType{},
				Description: "End of a just-in-time grant, as an RFC 3339 time (e.g. `2026-12-31T00:00:00Z`). At that time (to the second, " +
					"rounded up, in UTC) EventBridge Scheduler removes every account assignment, whether or not Terraform runs again " +
					"(`expiry_schedules`). At and after it, the next plan also removes them, sets `expired` and deletes the schedules and their " +
					"role; the permission set itself stays (unassigned) until destroy.",
			},
			"acknowledgement": schema.StringAttribute{
				Optional: true,
				Description: "Reason for accepting over-privilege findings, at least 10 characters. When set, lint errors (e.g. AdministratorAccess, `Action: \"*\"` " +
					"on `*`, `iam:PassRole` on `*`) are reported as warnings instead of blocking the plan.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(10)},
			},

			// Computed
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "ARN of the permission set (as `permission_set_arn`).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"ownership_id": ownershipIDAttribute("Random id drawn when this resource created the permission set, written on it as the `" + awsapi.TagOwnership + "` tag. " +
				"A create whose name is taken by a permission set with another ownership id fails instead of taking it over; one whose tag " +
				"no longer matches is neither changed nor deleted; a create interrupted before Terraform recorded it is adopted once by the next."),
			"permission_set_arn": schema.StringAttribute{
				Computed:      true,
				Description:   "ARN of the permission set.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"instance_arn": schema.StringAttribute{
				Computed:      true,
				Description:   "IAM Identity Center instance holding the permission set: the provider's `identity_center.instance_arn`, else the discovered instance.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"permission_set_name": schema.StringAttribute{
				Computed:    true,
				Description: "Name of the permission set, derived from `name`; known at plan time.",
			},
			"inline_policy_canonical": schema.StringAttribute{
				Computed: true,
				Description: "The inline policy exactly as sent to AWS: keys sorted, no insignificant white space, non-ASCII escaped. " +
					"Known at plan time, so reviewers read the real policy in the plan. Null without an inline policy.",
			},
			"assignments": schema.ListNestedAttribute{
				Computed: true,
				Description: "Account assignments of the permission set: as planned (one per account for `group`, none once expired), " +
					"and after a refresh as found in AWS — assignments added or removed outside Terraform show as a change.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"account_id":     schema.StringAttribute{Computed: true, Description: "AWS account id."},
					"principal_type": schema.StringAttribute{Computed: true, Description: "Principal type: `GROUP` for access groups."},
					"principal_id":   schema.StringAttribute{Computed: true, Description: "Identity Store id of the principal."},
				}},
			},
			"expired": schema.BoolAttribute{
				Computed:    true,
				Description: "True once `expires_at` has passed (evaluated at plan time): the access is then planned with no assignments.",
			},
			"expiry_schedule_group": schema.StringAttribute{
				Computed: true,
				Description: "EventBridge Scheduler schedule group holding the expiry schedules: `zerotrust-jit-` and the permission-set name " +
					"(sanitised, with a hash when characters were replaced), tagged `managed-by`, `" + awsapi.TagPrivilegedAccess + "` and `" +
					awsapi.TagOwnership + "`. Null without `expires_at`, once expired, or without assignments. Known in the plan, also when " +
					"the group is created in the same apply (it derives from the grant's name alone).",
			},
			"expiry_role_arn": schema.StringAttribute{
				Computed: true,
				Description: "ARN of the IAM role the expiry schedules run as (path `/zerotrust-jit/`, same name as the group, same tags). Only " +
					"`scheduler.amazonaws.com` may assume it, for this account (`aws:SourceAccount`) and this grant's schedule group " +
					"(`aws:SourceArn`); its one inline policy allows only `sso:DeleteAccountAssignment` on exactly this grant's instance, " +
					"permission set and accounts. Null when there are no schedules; a role edited outside Terraform reads as null, so the plan shows it repaired. " +
					"Known in the plan, also when the group is created in the same apply (it derives from the grant's name and the account the provider's credentials act in).",
			},
			"expiry_schedules": schema.ListNestedAttribute{
				Computed: true,
				Description: "One one-time schedule per assignment (`at(...)` in UTC, flexible time window off, deleted after it ran) whose " +
					"universal target `arn:aws:scheduler:::aws-sdk:ssoadmin:deleteAccountAssignment` removes that assignment at `expires_at`. " +
					"Known in the plan, except when the group is created in the same apply: a schedule is named after the group's id, which " +
					"Identity Store assigns on create. After a refresh, as found in AWS — a schedule deleted or changed outside Terraform is missing, so the plan shows it written again.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":                schema.StringAttribute{Computed: true, Description: "Schedule name: `expire-`, the account id and a hash of the principal."},
					"arn":                 schema.StringAttribute{Computed: true, Description: "Schedule ARN."},
					"account_id":          schema.StringAttribute{Computed: true, Description: "Account of the assignment it removes."},
					"principal_type":      schema.StringAttribute{Computed: true, Description: "Principal type of the assignment it removes (`GROUP`)."},
					"principal_id":        schema.StringAttribute{Computed: true, Description: "Principal of the assignment it removes."},
					"schedule_expression": schema.StringAttribute{Computed: true, Description: "When it runs, e.g. `at(2026-12-31T00:00:00)` (UTC)."},
				}},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(context.Background(), timeouts.Opts{
				Create: true, Update: true, Delete: true,
				CreateDescription: timeoutDescription(opCreate, "creating and provisioning the permission set, creating the account assignments and any expiry schedules, and waiting for each", privilegedAccessCreateTimeout),
				UpdateDescription: timeoutDescription(opUpdate, "re-provisioning the permission set, creating or deleting account assignments and expiry schedules, and waiting for each", privilegedAccessUpdateTimeout),
				DeleteDescription: timeoutDescription(opDelete, "deleting the expiry schedules, the account assignments and the permission set, and waiting for each", privilegedAccessDeleteTimeout),
			}),
		},
	}
}

// descriptionRemoved: Identity Center keeps a description that an update
// omits and refuses an empty one, so only re-creation removes it.
func descriptionRemoved(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = req.StateValue.ValueString() != "" && req.PlanValue.ValueString() == "" && !req.PlanValue.IsUnknown()
}
