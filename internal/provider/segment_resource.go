package provider

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"github.com/google/uuid"

	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/kube"
)

var (
	_ resource.ResourceWithConfigure    = (*segmentResource)(nil)
	_ resource.ResourceWithImportState  = (*segmentResource)(nil)
	_ resource.ResourceWithModifyPlan   = (*segmentResource)(nil)
	_ resource.ResourceWithUpgradeState = (*segmentResource)(nil)

	_ resource.ResourceWithValidateConfig = (*segmentResource)(nil)
)

func newSegmentResource() resource.Resource { return &segmentResource{} }

// segmentResource is a workload segment: a security group the provider
// creates (deny-all in both directions, exclusively owned) or adopts by id.
type segmentResource struct{ resourceBase }

func (r *segmentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_segment"
}

func (r *segmentResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = withObjectTypes(segmentSchema())
}

// ValidateConfig checks the Kubernetes placement with the API server's own
// validation rules, so a bad namespace or label fails the plan, not the apply.
func (r *segmentResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var k types.Object
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("kubernetes"), &k)...)
	if k.IsUnknown() || resp.Diagnostics.HasError() {
		return // a dynamic block over values not known yet: checked at plan
	}
	var m segmentModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateSegmentKubernetes(ctx, m.Kubernetes, &resp.Diagnostics)
	if !kubernetesOnlyConfig(m) && !m.Description.IsNull() && !m.Description.IsUnknown() {
		// The description is the security group's: EC2's character set.
		appendProblems(&resp.Diagnostics, path.Empty(), model.CheckSecurityGroupDescription(model.Root("description"), m.Description.ValueString()))
	}
	switch {
	case m.VPCID.IsNull() && m.SecurityGroupID.IsNull() && m.Kubernetes == nil:
		resp.Diagnostics.AddAttributeError(path.Root("vpc_id"), "Segment placed nowhere",
			"Set vpc_id (create a security group), security_group_id (adopt one), or a kubernetes block alone (a segment that lives only in Kubernetes and needs no AWS account).")
	case kubernetesOnlyConfig(m) && !m.Tags.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("tags"), "Tags on a Kubernetes-only segment",
			"tags are written on the segment's security group; a segment placed only in Kubernetes has none. Remove tags, or set vpc_id.")
	}
	if kubernetesOnlyConfig(m) && !m.Kubernetes.PodLabels.IsUnknown() && len(m.Kubernetes.PodLabels.Elements()) == 0 {
		resp.Diagnostics.AddAttributeError(path.Root("kubernetes").AtName("pod_labels"), "Pod labels required on a Kubernetes-only segment",
			"A segment placed only in Kubernetes is recorded in a "+kube.RecordKind+" that policies of other states read as a peer, and a record "+
				"that selects no pod labels is never taken as one: it would admit every pod of the namespace. Set pod_labels to the labels of "+
				"the segment's pods.")
	}
}

func replaceIfCreated(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	var adopted types.Bool
	req.State.GetAttribute(context.Background(), path.Root("adopted"), &adopted)
	resp.RequiresReplace = !adopted.ValueBool() && !req.ConfigValue.IsNull()
}

// ModifyPlan plans away out-of-band rules in a created group: the desired set
// of unmanaged rules is always empty, so drift shows as an in-place update.
func (r *segmentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() {
		if !req.Plan.Raw.IsNull() {
			planNoUnmanaged(ctx, resp)
			r.planKubernetesOnly(ctx, req, resp)
			r.planSecurityGroupSegment(ctx, req, resp)
			r.checkAdoption(ctx, req, resp)
		}
		return
	}
	var state segmentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if kubernetesOnlyState(state) {
		r.planKubernetesOnly(ctx, req, resp)
		return
	}
	if len(state.UnmanagedRules.Elements()) > 0 {
		planNoUnmanaged(ctx, resp)
	}
	r.planSecurityGroupSegment(ctx, req, resp)
	var planned types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("sensitivity"), &planned)...)
	if !planned.IsUnknown() && model.SensitivityRank(planned.ValueString()) > model.SensitivityRank(state.Sensitivity.ValueString()) {
		r.checkRaise(ctx, state, planned.ValueString(), &resp.Diagnostics)
	}
}

// checkRaise refuses, at plan, to raise the segment's sensitivity while
// rules its policies wrote admit the open internet without an
// acknowledgement: the policies are judged against the sensitivity the
// segment has now, so without this the raise would apply and leave the
// segment open. Acknowledged flows (tagged so by their policy) are accepted.
func (r *segmentResource) checkRaise(ctx context.Context, state segmentModel, sensitivity string, diags *diag.Diagnostics) {
	if r.clients == nil {
		return
	}
	c, err := r.clients.AWS(ctx)
	if err != nil {
		return
	}
	rules, err := awsapi.PolicyIngressRules(ctx, c.EC2, state.SecurityGroupID.ValueString())
	if err != nil {
		tflog.Debug(ctx, "policy rules not readable at plan time", map[string]any{"error": err.Error()})
		return
	}
	target := model.Segment{Name: state.Name.ValueString(), Sensitivity: sensitivity}
	var flows []model.Flow
	byPath := map[string]awsapi.LiveRule{}
	for i, rule := range rules {
		cidr := rule.CIDRv4 + rule.CIDRv6
		if cidr == "" {
			continue
		}
		f := model.Flow{Direction: model.Inbound, Protocol: securitygroup.ModelProtocol(rule.Protocol), Peer: model.Peer{CIDR: cidr},
			Path: model.Root("rule").Index(i)}
		if f.Protocol == "tcp" || f.Protocol == "udp" {
			f.Ports = []model.PortRange{{From: int(rule.FromPort), To: int(rule.ToPort)}}
		}
		if rule.Acknowledged {
			f.Acknowledgement = "acknowledged by its policy"
		}
		byPath[f.Path.String()] = rule
		flows = append(flows, f)
	}
	ps, _ := model.ValidateFlows(target, flows)
	var open []string
	seen := map[string]bool{}
	for _, p := range ps {
		if p.Severity != model.Error {
			continue
		}
		for key, rule := range byPath {
			if strings.HasPrefix(p.Path.String(), key) && !seen[rule.ID] {
				seen[rule.ID] = true
				open = append(open, rule.Describe())
			}
		}
	}
	if len(open) > 0 {
		sort.Strings(open)
		diags.AddAttributeError(path.Root("sensitivity"), "Raising the sensitivity leaves the internet in",
			fmt.Sprintf("Segment %s would become %s while its policies' rules admit the open internet without an acknowledgement: %s. "+
				"Remove those flows, or acknowledge them in their policy, and apply that first; then raise the sensitivity.",
				state.Name.ValueString(), sensitivity, strings.Join(open, "; ")))
	}
}

// checkAdoption refuses at plan a group to adopt that does not exist or is
// not in the written vpc_id, when the group can be read.
func (r *segmentResource) checkAdoption(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var id, vpc types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("security_group_id"), &id)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("vpc_id"), &vpc)...)
	if resp.Diagnostics.HasError() || id.IsNull() || id.IsUnknown() || r.clients == nil {
		return
	}
	c, err := r.clients.AWS(ctx)
	if err != nil {
		return // checked again at apply
	}
	sg, err := awsapi.FindSecurityGroup(ctx, c.EC2, id.ValueString())
	switch {
	case awsapi.IsNotFound(err):
		resp.Diagnostics.AddAttributeError(path.Root("security_group_id"), "Security group not found",
			fmt.Sprintf("security_group_id: no security group %s exists to adopt.", id.ValueString()))
	case err != nil:
		tflog.Debug(ctx, "security group to adopt not readable at plan time", map[string]any{"error": err.Error()})
	case !vpc.IsNull() && !vpc.IsUnknown() && sg.VPCID != vpc.ValueString():
		resp.Diagnostics.AddAttributeError(path.Root("vpc_id"), "Security group is in another VPC",
			fmt.Sprintf("security_group_id %s is in %s, not in vpc_id %s. Remove vpc_id to adopt the group where it is.", sg.ID, sg.VPCID, vpc.ValueString()))
	}
}

// planNoUnmanaged plans the desired state of out-of-band rules: none.
func planNoUnmanaged(ctx context.Context, resp *resource.ModifyPlanResponse) {
	for _, a := range []string{"unmanaged_rule_ids", "unmanaged_rules"} {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(a), types.ListValueMust(types.StringType, []attr.Value{}))...)
	}
}

func (r *segmentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan segmentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if kubernetesOnlyConfig(plan) {
		r.createKubernetesOnly(ctx, plan, &resp.State, &resp.Diagnostics)
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := boundOperation(ctx, plan.Timeouts, opCreate, segmentCreateTimeout, &resp.Diagnostics)
	defer cancel()
	userTags := stringMap(ctx, plan.Tags, &resp.Diagnostics)
	want := expandSegmentTags(plan, userTags)
	ownership := uuid.NewString()
	want[awsapi.TagOwnership] = ownership
	plan.OwnershipID = types.StringValue(ownership)
	var sg *awsapi.SecurityGroup
	if id := plan.SecurityGroupID.ValueString(); id != "" {
		existing, err := awsapi.FindSecurityGroup(ctx, c.EC2, id)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("security_group_id"), "Cannot adopt security group", operationError(ctx, err))
			return
		}
		if owner := existing.Tags[awsapi.TagOwnership]; owner != "" {
			resp.Diagnostics.AddAttributeError(path.Root("security_group_id"), "Security group owned by another resource",
				(&awsapi.OwnershipError{Kind: "security group", Name: existing.Name, ID: id, Owner: owner, Import: id}).Error())
			return
		}
		if vpc := plan.VPCID.ValueString(); vpc != "" && !plan.VPCID.IsUnknown() && existing.VPCID != vpc {
			resp.Diagnostics.AddAttributeError(path.Root("vpc_id"), "Security group is in another VPC",
				fmt.Sprintf("security_group_id %s is in %s, not in vpc_id %s. Remove vpc_id to adopt the group where it is.", id, existing.VPCID, vpc))
			return
		}
		want[awsapi.TagAdopted] = "true"
		keepOwnName(want, userTags)
		recordAdoptedTags(ctx, resp.Private, existing.Tags, &resp.Diagnostics)
		if err := awsapi.SetTags(ctx, c.EC2, id, existing.Tags, want, nil); err != nil {
			resp.Diagnostics.AddError("Tagging the adopted security group failed", operationError(ctx, err))
			return
		}
		existing.Tags = mergeTags(existing.Tags, want)
		sg = existing
		plan.Adopted = types.BoolValue(true)
	} else {
		description := plan.Description.ValueString()
		if description == "" || plan.Description.IsUnknown() {
			description = defaultSegmentDescription(plan.Name.ValueString())
		}
		want[awsapi.TagCreatePending] = ownership
		created, err := awsapi.CreateSegmentGroup(ctx, c.EC2, awsapi.CreateSegmentGroupInput{
			Name: plan.Name.ValueString(), Description: description, VPCID: plan.VPCID.ValueString(), Tags: want,
		})
		if err == nil && created.Claimed {
			// Emptied before the pending mark goes: a failure leaves the
			// group pending, to be claimed and emptied again.
			err = clearClaimedGroup(ctx, c, created.ID, &resp.Diagnostics)
		}
		if err == nil {
			err = awsapi.CompleteCreate(ctx, c.EC2, created.ID)
		}
		if created != nil && created.ID != "" {
			// Record what exists even when a later step failed, so nothing is orphaned.
			plan.SecurityGroupID = types.StringValue(created.ID)
			plan.Description = types.StringValue(description)
		}
		if err != nil {
			resp.Diagnostics.AddError("Creating the segment's security group failed", operationError(ctx, err))
			if created != nil && created.ID != "" {
				fillSegmentUnknowns(&plan)
				plan.ID = segmentIdentity(plan)
				resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
			}
			return
		}
		sg = created
		plan.Adopted = types.BoolValue(false)
	}
	tflog.Info(ctx, "segment security group ready", map[string]any{"security_group_id": sg.ID, "adopted": plan.Adopted.ValueBool()})
	plan.Governing = stringList(nil) // a new group holds no rule
	if plan.Adopted.ValueBool() {
		governing, err := awsapi.GoverningPolicies(ctx, c.EC2, sg.ID)
		if err != nil {
			resp.Diagnostics.AddWarning("Reading the adopted group's rules failed", operationError(ctx, err))
		}
		plan.Governing = stringList(governing)
	}
	flattenSecurityGroup(&plan, sg)
	plan.ID = segmentIdentity(plan)
	flattenUnmanagedRules(&plan, nil)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// clearClaimedGroup empties a group an interrupted create left pending and
// this create claimed: a new segment holds no rule (its policies write
// theirs later in the same apply), so every rule on it — added out of band,
// or tagged as some policy's by whoever could write to the pending group —
// goes now, not at the next apply, and the warning says what went.
func clearClaimedGroup(ctx context.Context, c *awsapi.Clients, id string, diags *diag.Diagnostics) error {
	rules, err := awsapi.GroupRules(ctx, c.EC2, id)
	if err == nil {
		err = awsapi.RevokeRuleIDs(ctx, c.EC2, id, awsapi.IDs(rules))
	}
	if err != nil {
		return fmt.Errorf("removing the rules of security group %s, left by an interrupted create: %w", id, err)
	}
	if len(rules) > 0 {
		described := make([]string, len(rules))
		for i, rule := range rules {
			described[i] = rule.Describe()
		}
		diags.AddAttributeWarning(path.Root("security_group_id"), "Rules removed from the group of an interrupted create",
			fmt.Sprintf("Security group %s was left pending by an interrupted create and is this segment's now. A new segment holds no rule, so the %d rule(s) it held were removed:\n  %s",
				id, len(rules), strings.Join(described, "\n  ")))
	}
	return nil
}

func (r *segmentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state segmentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if kubernetesOnlyState(state) {
		r.readKubernetesOnly(ctx, state, resp)
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	sg, err := awsapi.FindSecurityGroup(ctx, c.EC2, state.SecurityGroupID.ValueString())
	if awsapi.IsNotFound(err) {
		tflog.Warn(ctx, "segment security group disappeared; removing from state", map[string]any{"security_group_id": state.SecurityGroupID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading the segment's security group failed", err.Error())
		return
	}
	if err := awsapi.CheckOwnership("security group", sg.ID, sg.Tags, state.OwnershipID.ValueString()); err != nil {
		resp.Diagnostics.AddWarning("Segment owned by another resource", err.Error())
	}
	flattenSecurityGroup(&state, sg)
	// Adoption is what the state recorded (on adoption or import), never a
	// tag: a foreign group imported carries no adopted tag until the next
	// apply writes one, and a forged one must not stop drift correction.
	if s := sg.Tags[awsapi.TagSensitivity]; s != "" {
		state.Sensitivity = types.StringValue(s)
	}
	state.Tags = flattenUserTags(sg.Tags, state.Tags)
	state.Kubernetes = flattenSegmentKubernetesTags(sg.Tags, state.Kubernetes)
	state.Exclusive = types.BoolValue(sg.Tags[awsapi.TagExclusive] == "true")
	var unmanaged []awsapi.LiveRule
	if !state.Adopted.ValueBool() {
		unmanaged, err = awsapi.UnmanagedRules(ctx, c.EC2, sg.ID)
		if err != nil {
			resp.Diagnostics.AddError("Reading the segment's rules failed", err.Error())
			return
		}
	}
	flattenUnmanagedRules(&state, unmanaged)
	governing, err := awsapi.GoverningPolicies(ctx, c.EC2, sg.ID) // the same rule list, read once
	if err != nil {
		resp.Diagnostics.AddError("Reading the segment's rules failed", err.Error())
		return
	}
	state.Governing = stringList(governing)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *segmentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state segmentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if kubernetesOnlyState(state) {
		r.updateKubernetesOnly(ctx, plan, state, resp)
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	id := state.SecurityGroupID.ValueString()
	sg, err := awsapi.FindSecurityGroup(ctx, c.EC2, id)
	if err != nil {
		resp.Diagnostics.AddError("Reading the segment's security group failed", err.Error())
		return
	}
	if err := awsapi.CheckOwnership("security group", id, sg.Tags, state.OwnershipID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Segment owned by another resource", err.Error())
		return
	}
	want := expandSegmentTags(plan, stringMap(ctx, plan.Tags, &resp.Diagnostics))
	if state.Adopted.ValueBool() {
		want[awsapi.TagAdopted] = "true"
		keepOwnName(want, stringMap(ctx, plan.Tags, &resp.Diagnostics))
	}
	managed := append(sortedKeys(stringMap(ctx, state.Tags, &resp.Diagnostics)), awsapi.TagSensitivity, awsapi.TagExclusive)
	managed = append(managed, k8sTagKeys...)
	if err := awsapi.SetTags(ctx, c.EC2, id, sg.Tags, want, managed); err != nil {
		resp.Diagnostics.AddError("Updating the segment's tags failed", err.Error())
		return
	}
	if !state.Adopted.ValueBool() {
		rules, err := awsapi.UnmanagedRules(ctx, c.EC2, id)
		if err == nil {
			err = awsapi.RevokeRuleIDs(ctx, c.EC2, id, awsapi.IDs(rules))
		}
		if err != nil {
			resp.Diagnostics.AddError("Removing rules added out of band failed", err.Error())
			return
		}
	}
	sg.Tags = mergeTags(sg.Tags, want)
	flattenSecurityGroup(&plan, sg)
	plan.Adopted = state.Adopted
	plan.OwnershipID = state.OwnershipID
	plan.Governing = state.Governing
	flattenUnmanagedRules(&plan, nil)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *segmentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state segmentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if kubernetesOnlyState(state) {
		r.deleteKubernetesOnly(ctx, state, &resp.Diagnostics)
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := boundOperation(ctx, state.Timeouts, opDelete, segmentDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	id := state.SecurityGroupID.ValueString()
	sg, err := awsapi.FindSecurityGroup(ctx, c.EC2, id)
	if awsapi.IsNotFound(err) {
		return
	}
	if err == nil {
		err = awsapi.CheckOwnership("security group", id, sg.Tags, state.OwnershipID.ValueString())
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot delete the segment's security group", operationError(ctx, err))
		return
	}
	if state.Adopted.ValueBool() {
		// An adopted group is not ours to delete: it goes back to the tags
		// it had (ours go, the configuration's are undone).
		before, managed := adoptedTagsRestore(ctx, req.Private, sg.Tags, stringMap(ctx, state.Tags, &resp.Diagnostics), &resp.Diagnostics)
		if err := awsapi.SetTags(ctx, c.EC2, id, sg.Tags, before, managed); err != nil {
			resp.Diagnostics.AddError("Releasing the adopted security group failed", operationError(ctx, err))
		}
		return
	}
	if err := awsapi.DeleteSecurityGroup(ctx, c.EC2, id); err != nil {
		resp.Diagnostics.AddError("Deleting the segment's security group failed", operationError(ctx, err))
	}
}

// ImportState accepts a created segment's id (sg/<vpc_id>/<name>), a
// security group id, or a Kubernetes-only segment's id (k8s/<namespace>/<name>).
// A group the provider created (tagged managed-by and not adopted) is
// imported as created, known by sg/<vpc_id>/<name> whichever id named it;
// any other group is imported as adopted, known by its group id, so destroy
// will never delete it.
func (r *segmentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if model.KubernetesSegmentIDPattern.MatchString(req.ID) {
		r.importKubernetesOnly(ctx, req.ID, resp)
		return
	}
	vpc, groupName, byName := model.ParseAWSSegmentID(req.ID)
	if !byName && !model.SecurityGroupIDPattern.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("expected a segment id (sg/<vpc_id>/<name>), a security group id such as sg-0123456789abcdef0, or k8s/<namespace>/<name> for a segment placed only in Kubernetes, got %q", req.ID))
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	var sg *awsapi.SecurityGroup
	var err error
	if byName {
		sg, err = awsapi.FindSecurityGroupByName(ctx, c.EC2, vpc, groupName)
	} else {
		sg, err = awsapi.FindSecurityGroup(ctx, c.EC2, req.ID)
	}
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
		Sensitivity: types.StringValue(awsapi.SegmentOf(sg).Sensitivity),
		Adopted:     types.BoolValue(!created),
		Tags:        types.MapNull(types.StringType),
		Governing:   types.ListNull(types.StringType), // Read, which follows, fills it
		Timeouts:    timeoutsNull(opCreate, opDelete),
	}
	flattenSecurityGroup(&m, sg)
	m.OwnershipID = nullIfEmpty(sg.Tags[awsapi.TagOwnership])
	if created {
		m.VPCID = types.StringValue(sg.VPCID)
	} else {
		m.VPCID = types.StringNull()
	}
	flattenUnmanagedRules(&m, nil)
	m.ID = segmentIdentity(m)
	if byName && !created {
		resp.Diagnostics.AddError("Cannot import segment",
			fmt.Sprintf("%s names security group %s, which this provider did not create for a segment; an sg/<vpc_id>/<name> id names created segments only. Import it by its group id (%s) to adopt it.", req.ID, sg.ID, sg.ID))
		return
	}
	if created {
		m.Tags = flattenImportedUserTags(sg.Tags, name)
	} // a foreign group's tags are its own: none is the configuration's to manage
	m.Kubernetes = flattenSegmentKubernetesTags(sg.Tags, nil)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	if !created {
		recordAdoptedTags(ctx, resp.Private, sg.Tags, &resp.Diagnostics)
		resp.Diagnostics.AddWarning("Imported as adopted",
			"The security group was not created by this provider, so it was imported as adopted: destroy will leave it in place and only rules the provider tags are managed. Set security_group_id in the configuration.")
	}
}

// adoptedTagsKey holds, in an adopted segment's private state, the group's
// own tags when it was adopted or imported, so destroy can give them back.
const adoptedTagsKey = "adopted_tags"

// recordAdoptedTags records a group's own tags (not the provider's) as they
// are before adoption.
func recordAdoptedTags(ctx context.Context, priv privateState, tags map[string]string, diags *diag.Diagnostics) {
	own := map[string]string{}
	for k, v := range tags {
		if !isProviderTagKey(k) {
			own[k] = v
		}
	}
	raw, err := json.Marshal(own)
	if err != nil {
		diags.AddError("Recording the adopted group's tags failed", err.Error())
		return
	}
	diags.Append(priv.SetKey(ctx, adoptedTagsKey, raw)...)
}

// adoptedTagsRestore is what an adopted group's tags go back to on destroy
// and the keys that SetTags may change for it: the provider's (removed)
// and the configuration's (removed, or back to their value before
// adoption). Tags others added since are left alone. A state from before
// the record was kept knows no earlier values: only the provider's go.
func adoptedTagsRestore(ctx context.Context, priv privateState, live, configured map[string]string, diags *diag.Diagnostics) (map[string]string, []string) {
	managed := providerTagKeys(live)
	raw, d := priv.GetKey(ctx, adoptedTagsKey)
	diags.Append(d...)
	before := map[string]string{}
	if len(raw) == 0 || json.Unmarshal(raw, &before) != nil {
		return map[string]string{}, managed
	}
	for k := range configured {
		if _, had := before[k]; !had {
			managed = append(managed, k)
		}
	}
	want := map[string]string{}
	for k := range configured {
		if v, had := before[k]; had {
			want[k] = v
		}
	}
	return want, managed
}

// keepOwnName drops, for an adopted group, the Name tag the segment's name
// would write: the group's name is its own, and it must read the same after
// destroy as before adoption. A Name the configuration's tags set is kept.
func keepOwnName(want, userTags map[string]string) {
	if _, declared := userTags["Name"]; !declared {
		delete(want, "Name")
	}
}
