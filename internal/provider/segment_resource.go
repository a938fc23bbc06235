package provider

import (
	"context"

	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

var (
	_ resource.ResourceWithConfigure   = (*segmentResource)(nil)
	_ resource.ResourceWithImportState = (*segmentResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*segmentResource)(nil)

	_ resource.ResourceWithValidateConfig = (*segmentResource)(nil)
)

func newSegmentResource() resource.Resource { return &segmentResource{} }

// segmentResource is a workload segment: a security group the provider
// creates (deny-all in both directions, exclusively owned) or adopts by id.
type segmentResource struct{ clients *clientFactory }

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
	UnmanagedRules  types.List   `tfsdk:"unmanaged_rule_ids"`

	Kubernetes *segmentKubernetesModel `tfsdk:"kubernetes"`
}

var (
	segmentNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	securityGroupIDRe  = regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`)
	vpcIDRe            = regexp.MustCompile(`^vpc-[0-9a-f]{8,17}$`)
)

func (r *segmentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_segment"
}

func (r *segmentResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "A workload segment: the unit that allowed flows (`zerotrust_segment_policy`) connect. On AWS it is a security " +
			"group that the provider either creates — deny-all inbound and outbound, and exclusively owned: any rule not " +
			"declared by a segment policy is drift and is removed — or adopts by id, in which case only the rules the provider " +
			"tagged are ever touched and the group is left in place on destroy.",
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
				Optional:      true,
				Computed:      true,
				Description:   "Security group description (immutable in EC2: changing it replaces a created group). Defaults to a text naming the segment.",
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 255)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(replaceIfCreated, "replaces the created security group", "replaces the created security group"), stringplanmodifier.UseStateForUnknown()},
			},
			"vpc_id": schema.StringAttribute{
				Optional:      true,
				Computed:      true,
				Description:   "VPC in which to create the security group. Required unless `security_group_id` adopts an existing group.",
				Validators:    []validator.String{stringvalidator.RegexMatches(vpcIDRe, "must be a VPC id such as vpc-0123456789abcdef0")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIfConfigured(), stringplanmodifier.UseStateForUnknown()},
			},
			"security_group_id": schema.StringAttribute{
				Optional:    true,
				Computed:    true,
				Description: "Adopt this existing security group instead of creating one. When unset, the id of the created group.",
				Validators: []validator.String{
					stringvalidator.RegexMatches(securityGroupIDRe, "must be a security group id such as sg-0123456789abcdef0"),
					stringvalidator.ExactlyOneOf(path.MatchRoot("vpc_id"), path.MatchRoot("security_group_id")),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIfConfigured(), stringplanmodifier.UseStateForUnknown()},
			},
			"sensitivity": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString("internal"),
				Description: "Data sensitivity of the workloads in the segment: `public`, `internal`, `confidential` or `restricted`. " +
					"Segment policies refuse flows from the open internet (0.0.0.0/0, ::/0) into confidential and restricted segments unless acknowledged.",
				Validators: []validator.String{stringvalidator.OneOf("public", "internal", "confidential", "restricted")},
			},
			"tags": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Description: "Extra tags for the security group. The provider's own keys (`managed-by`, `zerotrust:*`) are reserved.",
				Validators:  []validator.Map{reservedTagKeys{}},
			},

			// Computed
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "The security group id (as `security_group_id`); segment policies refer to segments by it.",
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
			"adopted": schema.BoolAttribute{
				Computed:      true,
				Description:   "True when the group was adopted by id rather than created; an adopted group survives destroy.",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
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
		},
	}
}

// ValidateConfig checks the Kubernetes placement with the API server's own
// validation rules, so a bad namespace or label fails the plan, not the apply.
func (r *segmentResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var k *segmentKubernetesModel
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("kubernetes"), &k)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateSegmentKubernetes(ctx, k, &resp.Diagnostics)
}

func replaceIfCreated(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	var adopted types.Bool
	req.State.GetAttribute(context.Background(), path.Root("adopted"), &adopted)
	resp.RequiresReplace = !adopted.ValueBool() && !req.ConfigValue.IsNull()
}

func (r *segmentResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan plans away out-of-band rules in a created group: the desired set
// of unmanaged rules is always empty, so drift shows as an in-place update.
func (r *segmentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() {
		if !req.Plan.Raw.IsNull() {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("unmanaged_rule_ids"), types.ListValueMust(types.StringType, []attr.Value{}))...)
		}
		return
	}
	var state segmentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(state.UnmanagedRules.Elements()) > 0 {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("unmanaged_rule_ids"), types.ListValueMust(types.StringType, []attr.Value{}))...)
	}
}

func (r *segmentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan segmentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	userTags := stringMap(ctx, plan.Tags, &resp.Diagnostics)
	want := segmentTags(plan, userTags)
	var sg *awsapi.SecurityGroup
	if id := plan.SecurityGroupID.ValueString(); id != "" {
		existing, err := awsapi.FindSecurityGroup(ctx, c.EC2, id)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("security_group_id"), "Cannot adopt security group", err.Error())
			return
		}
		want[awsapi.TagAdopted] = "true"
		if err := awsapi.SetTags(ctx, c.EC2, id, existing.Tags, want, nil); err != nil {
			resp.Diagnostics.AddError("Tagging the adopted security group failed", err.Error())
			return
		}
		existing.Tags = mergeTags(existing.Tags, want)
		sg = existing
		plan.Adopted = types.BoolValue(true)
	} else {
		description := plan.Description.ValueString()
		if description == "" || plan.Description.IsUnknown() {
			description = "Zero-trust segment " + plan.Name.ValueString() + " (managed by terraform-provider-zerotrust)"
		}
		created, err := awsapi.CreateSegmentGroup(ctx, c.EC2, awsapi.CreateSegmentGroupInput{
			Name: plan.Name.ValueString(), Description: description, VPCID: plan.VPCID.ValueString(), Tags: want,
		})
		if created != nil && created.ID != "" {
			// Record what exists even when a later step failed, so nothing is orphaned.
			plan.ID = types.StringValue(created.ID)
			plan.SecurityGroupID = types.StringValue(created.ID)
			plan.Description = types.StringValue(description)
		}
		if err != nil {
			resp.Diagnostics.AddError("Creating the segment's security group failed", err.Error())
			if created != nil && created.ID != "" {
				fillSegmentUnknowns(&plan)
				resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
			}
			return
		}
		sg = created
		plan.Adopted = types.BoolValue(false)
	}
	tflog.Info(ctx, "segment security group ready", map[string]any{"security_group_id": sg.ID, "adopted": plan.Adopted.ValueBool()})
	applyGroupToModel(&plan, sg)
	plan.UnmanagedRules = types.ListValueMust(types.StringType, []attr.Value{})
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *segmentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state segmentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	sg, err := awsapi.FindSecurityGroup(ctx, c.EC2, state.ID.ValueString())
	if awsapi.IsNotFound(err) {
		tflog.Warn(ctx, "segment security group disappeared; removing from state", map[string]any{"security_group_id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading the segment's security group failed", err.Error())
		return
	}
	applyGroupToModel(&state, sg)
	state.Adopted = types.BoolValue(sg.Tags[awsapi.TagAdopted] == "true")
	if s := sg.Tags[awsapi.TagSensitivity]; s != "" {
		state.Sensitivity = types.StringValue(s)
	}
	state.Tags = userTagsOf(sg.Tags, state.Tags)
	state.Kubernetes = kubernetesModelFromTags(sg.Tags, state.Kubernetes)
	unmanaged := []string{}
	if !state.Adopted.ValueBool() {
		unmanaged, err = awsapi.UnmanagedRuleIDs(ctx, c.EC2, sg.ID)
		if err != nil {
			resp.Diagnostics.AddError("Reading the segment's rules failed", err.Error())
			return
		}
	}
	state.UnmanagedRules = stringList(unmanaged)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *segmentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state segmentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	id := state.ID.ValueString()
	sg, err := awsapi.FindSecurityGroup(ctx, c.EC2, id)
	if err != nil {
		resp.Diagnostics.AddError("Reading the segment's security group failed", err.Error())
		return
	}
	want := segmentTags(plan, stringMap(ctx, plan.Tags, &resp.Diagnostics))
	if state.Adopted.ValueBool() {
		want[awsapi.TagAdopted] = "true"
	}
	managed := append(sortedKeys(stringMap(ctx, state.Tags, &resp.Diagnostics)), awsapi.TagSensitivity)
	managed = append(managed, k8sTagKeys...)
	if err := awsapi.SetTags(ctx, c.EC2, id, sg.Tags, want, managed); err != nil {
		resp.Diagnostics.AddError("Updating the segment's tags failed", err.Error())
		return
	}
	if !state.Adopted.ValueBool() {
		ids, err := awsapi.UnmanagedRuleIDs(ctx, c.EC2, id)
		if err == nil {
			err = awsapi.RevokeRuleIDs(ctx, c.EC2, id, ids)
		}
		if err != nil {
			resp.Diagnostics.AddError("Removing rules added out of band failed", err.Error())
			return
		}
	}
	sg.Tags = mergeTags(sg.Tags, want)
	applyGroupToModel(&plan, sg)
	plan.Adopted = state.Adopted
	plan.UnmanagedRules = types.ListValueMust(types.StringType, []attr.Value{})
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *segmentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state segmentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	id := state.ID.ValueString()
	if state.Adopted.ValueBool() {
		// An adopted group is not ours to delete: only our tags go.
		sg, err := awsapi.FindSecurityGroup(ctx, c.EC2, id)
		if awsapi.IsNotFound(err) {
			return
		}
		if err == nil {
			err = awsapi.SetTags(ctx, c.EC2, id, sg.Tags, map[string]string{}, providerTagKeys(sg.Tags))
		}
		if err != nil {
			resp.Diagnostics.AddError("Releasing the adopted security group failed", err.Error())
		}
		return
	}
	if err := awsapi.DeleteSecurityGroup(ctx, c.EC2, id); err != nil {
		resp.Diagnostics.AddError("Deleting the segment's security group failed", err.Error())
	}
}

// ImportState accepts a security group id. A group the provider created
// (tagged managed-by and not adopted) is imported as created; any other
// group is imported as adopted, so destroy will never delete it.
func (r *segmentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !securityGroupIDRe.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("expected a security group id such as sg-0123456789abcdef0, got %q", req.ID))
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	sg, err := awsapi.FindSecurityGroup(ctx, c.EC2, req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import segment", err.Error())
		return
	}
	created := sg.Tags[awsapi.TagManagedBy] == awsapi.ManagedByValue && sg.Tags[awsapi.TagAdopted] != "true"
	name := sg.Tags[awsapi.TagSegment]
	if name == "" {
		name = sg.Name
	}
	m := segmentModel{
		Name:        types.StringValue(name),
		Sensitivity: types.StringValue(valueOr(sg.Tags[awsapi.TagSensitivity], "internal")),
		Adopted:     types.BoolValue(!created),
		Tags:        types.MapNull(types.StringType),
	}
	applyGroupToModel(&m, sg)
	if created {
		m.VPCID = types.StringValue(sg.VPCID)
	} else {
		m.VPCID = types.StringNull()
	}
	m.UnmanagedRules = types.ListValueMust(types.StringType, []attr.Value{})
	m.Tags = importedUserTags(sg.Tags, name)
	m.Kubernetes = kubernetesModelFromTags(sg.Tags, nil)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	if !created {
		resp.Diagnostics.AddWarning("Imported as adopted",
			"The security group was not created by this provider, so it was imported as adopted: destroy will leave it in place and only rules the provider tags are managed. Set security_group_id in the configuration.")
	}
}

func applyGroupToModel(m *segmentModel, sg *awsapi.SecurityGroup) {
	m.ID = types.StringValue(sg.ID)
	m.SecurityGroupID = types.StringValue(sg.ID)
	if sg.ARN != "" {
		m.ARN = types.StringValue(sg.ARN)
	} else {
		m.ARN = types.StringValue(fmt.Sprintf("arn:aws:ec2:::security-group/%s", sg.ID))
	}
	m.OwnerID = types.StringValue(sg.OwnerID)
	if sg.Description != "" {
		m.Description = types.StringValue(sg.Description)
	}
	if sg.VPCID != "" && !m.VPCID.IsNull() {
		m.VPCID = types.StringValue(sg.VPCID)
	}
}

func fillSegmentUnknowns(m *segmentModel) {
	for _, s := range []*types.String{&m.ARN, &m.OwnerID, &m.VPCID, &m.Description} {
		if s.IsUnknown() {
			*s = types.StringNull()
		}
	}
	m.Adopted = types.BoolValue(false)
	m.UnmanagedRules = types.ListValueMust(types.StringType, []attr.Value{})
}

func segmentTags(m segmentModel, user map[string]string) map[string]string {
	tags := map[string]string{}
	for k, v := range user {
		tags[k] = v
	}
	tags["Name"] = valueOr(tags["Name"], m.Name.ValueString())
	tags[awsapi.TagManagedBy] = awsapi.ManagedByValue
	tags[awsapi.TagSegment] = m.Name.ValueString()
	tags[awsapi.TagSensitivity] = valueOr(m.Sensitivity.ValueString(), "internal")
	var diags diag.Diagnostics // the block was validated at plan time
	for k, v := range kubernetesTags(m.Kubernetes.selector(context.Background(), &diags)) {
		tags[k] = v
	}
	return tags
}

// importedUserTags treats every tag the provider does not own as the user's,
// except the Name tag the provider sets to the segment name by default.
func importedUserTags(live map[string]string, segmentName string) types.Map {
	elems := map[string]attr.Value{}
	for k, v := range live {
		if isProviderTagKey(k) || (k == "Name" && v == segmentName) {
			continue
		}
		elems[k] = types.StringValue(v)
	}
	if len(elems) == 0 {
		return types.MapNull(types.StringType)
	}
	return types.MapValueMust(types.StringType, elems)
}
