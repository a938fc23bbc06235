package provider

import (
	"context"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

type accessGroupModel struct {
	ID               types.String   `tfsdk:"id"`
	DisplayName      types.String   `tfsdk:"display_name"`
	Description      types.String   `tfsdk:"description"`
	Members          types.Set      `tfsdk:"members"`
	Membership       types.String   `tfsdk:"membership"`
	GroupID          types.String   `tfsdk:"group_id"`
	IdentityStoreID  types.String   `tfsdk:"identity_store_id"`
	Adopted          types.Bool     `tfsdk:"adopted"`
	OwnershipID      types.String   `tfsdk:"ownership_id"`
	MemberUserIDs    types.Map      `tfsdk:"member_user_ids"`
	AddedMemberships types.Map      `tfsdk:"added_membership_ids"`
	Timeouts         timeouts.Value `tfsdk:"timeouts"`
}

// The Identity Store is eventually consistent: a group just created may
// refuse members for a while, and adding one waits up to two minutes
// (awsapi.DefaultWait) for it to accept them. Create and update add
// members; each gets a few such waits by default. Delete removes the
// group and memberships without waiting.
const (
	accessGroupCreateTimeout = 5 * time.Minute
	accessGroupUpdateTimeout = 5 * time.Minute
)

// identityStoreGroupIDRe is the Identity Store GroupId format (optionally
// prefixed by a 10-character identity-store prefix).
var identityStoreGroupIDRe = regexp.MustCompile(`^([0-9a-f]{10}-)?[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)

func accessGroupSchema() schema.Schema {
	return schema.Schema{
		Description: "An access group — *who* may reach a protect surface — as an IAM Identity Center (Identity Store) group and its " +
			"user memberships. The provider either creates the group (and owns it: destroy deletes it) or adopts an existing one " +
			"by `group_id` (destroy leaves it and only removes the memberships the provider added). Memberships are " +
			"`authoritative` (members not listed are removed) or `additive` (only listed members are ensured). The group id " +
			"(`id`) is what access rules and `zerotrust_privileged_access.group` refer to.",
		Attributes: map[string]schema.Attribute{
			// Optional (exactly one of display_name and group_id)
			"display_name": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Description: "Display name of the group to create; unique in the identity store. Changing it renames the group in place. " +
					"At least one of `display_name` and `group_id` is set; for an adopted group it is read from the group, and when written it must be the group's name (an adopted group is never renamed).",
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 1024),
					stringvalidator.RegexMatches(regexp.MustCompile(`^\S(.*\S)?$`), "must not start or end with white space"),
					// Both may be written (as -generate-config-out does); an
					// adopted group's name must then be the group's own.
					stringvalidator.AtLeastOneOf(path.MatchRoot("display_name"), path.MatchRoot("group_id")),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"group_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Description: "Adopt this existing Identity Store group (e.g. one synchronised from an external identity provider) instead of " +
					"creating one. Destroy then leaves the group in place and removes only the memberships the provider added. " +
					"When unset, the id of the created group. Changing it replaces the resource.",
				Validators: []validator.String{
					stringvalidator.RegexMatches(identityStoreGroupIDRe, "must be an Identity Store group id such as 9067b2a3-1234-4c5d-8e9f-0123456789ab"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIfConfigured(), stringplanmodifier.UseStateForUnknown()},
			},
			"description": schema.StringAttribute{
				Optional: true,
				Description: "Description of a created group. The provider appends its ownership marker " +
					"`" + awsapi.OwnershipMarker + "` to the stored description (Identity Store groups have no tags); " +
					"this attribute never shows the marker. Not allowed for an adopted group: its description is not managed.",
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, awsapi.MaxUserGroupDescriptionLength),
				},
			},
			"members": schema.SetAttribute{
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				Default:     setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{})),
				Description: "User names (the Identity Store `UserName`, often the e-mail address) of the members. Unknown user names " +
					"are an error at plan time when the identity store can be read, at apply time otherwise. After a refresh, in " +
					"authoritative mode this lists every live member (so members added out of band show up as a change that removes " +
					"them); in additive mode the listed members still present.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthBetween(1, 128))},
			},
			"membership": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Description: "`authoritative`: members not listed are removed (drift is corrected). `additive`: listed members are " +
					"ensured, others are left alone, and only memberships the provider added are removed when a member is dropped " +
					"from the list or on destroy. Defaults to `authoritative` for a created group and to `additive` for an adopted " +
					"one, so adopting a group never empties it by surprise.",
				Validators: []validator.String{stringvalidator.OneOf(membershipAuthoritative, membershipAdditive)},
			},

			// Computed
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "The Identity Store group id; access rules (Cedar `context.<ref>.groups`) and privileged access refer to the group by it.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"identity_store_id": schema.StringAttribute{
				Computed:      true,
				Description:   "Identity store holding the group: the provider's `identity_center.identity_store_id`, else the one of the discovered IAM Identity Center instance.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"ownership_id": ownershipIDAttribute("Random id drawn when this resource created the group, written in the description's ownership marker " +
				"(Identity Store groups have no tags). A create whose display name is taken by a group with another ownership id fails " +
				"instead of taking it over; a group whose marker no longer carries this id is neither changed nor deleted; a create " +
				"interrupted before Terraform recorded it leaves the marker `pending` and the next create adopts that group once. " +
				"Null for an adopted group."),
			"adopted": schema.BoolAttribute{
				Computed:      true,
				Description:   "True when the group was adopted by `group_id` (or imported without the provider's ownership marker); an adopted group survives destroy.",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"member_user_ids": schema.MapAttribute{
				Computed:    true,
				ElementType: types.StringType,
				Description: "User id of each member, by user name, as resolved in the identity store (known at plan time when the identity store can be read).",
			},
			"added_membership_ids": schema.MapAttribute{
				Computed:    true,
				ElementType: types.StringType,
				Description: "Membership ids the provider itself created, by user name. In additive mode and for adopted groups only these memberships are ever removed.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(context.Background(), timeouts.Opts{
				Create: true, Update: true,
				CreateDescription: timeoutDescription(opCreate, "creating or adopting the group and waiting for it to accept its members", accessGroupCreateTimeout),
				UpdateDescription: timeoutDescription(opUpdate, "changing the group and its members, waiting for each membership", accessGroupUpdateTimeout),
			}),
		},
	}
}

const (
	membershipAuthoritative = "authoritative"
	membershipAdditive      = "additive"
)
