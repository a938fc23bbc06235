package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

var _ resource.ResourceWithImportState = (*segmentPolicySetResource)(nil)

// ImportState imports a set by name from the rules tagged with its id. The
// policy blocks are rebuilt from those rules. A flow between two segments
// is one rule on each group (the destination's ingress, the source's
// egress), and either segment's block may have declared it; it is rebuilt
// once, as allow_from of the destination, and the source's egress half is
// not read as a second flow. A group whose only rules are such halves gets
// no block. What rules do not hold — acknowledgements, HTTP matches,
// segments placed only in Kubernetes, the kubernetes block — is not
// rebuilt: the first plan shows it as changes to the configuration.
func (r *segmentPolicySetResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name := req.ID
	if !policyNameRe.MatchString(name) {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("expected the set's name (1–63 characters: lower-case letters, digits, '_' or '-'), e.g. shop, got %q", req.ID))
		return
	}
	id := setID(name)
	ownership, ok := r.clients.importedOwnership(ctx, id, "Cannot import segment policy set", &resp.Diagnostics)
	if !ok {
		return
	}
	rules, ok := r.clients.ownedRules(ctx, awsapi.RuleOwner(id, ownership), "Cannot import segment policy set", &resp.Diagnostics)
	if !ok {
		return
	}
	manifests := kubernetesObjects{clients: r.clients, owner: id}.importOwned(ctx)
	if len(rules) == 0 && len(manifests) == 0 {
		resp.Diagnostics.AddError("Cannot import segment policy set",
			fmt.Sprintf("no security-group rule carries the tag zerotrust:policy = %s and no Kubernetes object belongs to it: there is no set named %q to import", id, name))
		return
	}
	refs, err := r.clients.segmentIDsOfGroups(ctx, ruleGroups(rules))
	if err != nil {
		resp.Diagnostics.AddError("Cannot import segment policy set", err.Error())
		return
	}
	blocks := flattenSetBlocks(rules, refs)
	ids := make([]string, len(blocks))
	for i, b := range blocks {
		ids[i] = b.Segment.ValueString()
	}
	segments, err := r.clients.readSegments(ctx, ids)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import segment policy set", err.Error())
		return
	}
	for i := range blocks {
		seg, ok := segments[ids[i]]
		if !ok {
			resp.Diagnostics.AddError("Cannot import segment policy set",
				fmt.Sprintf("rules of %s are on security group %s, which is not a zerotrust_segment; import the group as a segment first", id, ids[i]))
			return
		}
		blocks[i].SegmentSensitivity = types.StringValue(seg.Sensitivity)
	}
	m := segmentPolicySetModel{
		ID:                   types.StringValue(id),
		Name:                 types.StringValue(name),
		MaxRulesPerDirection: wholeNumberValue(securitygroup.DefaultMaxRulesPerDirection),
		Policies:             blocks,
		Rules:                flattenSetRules(rules, refs),
		KubernetesManifests:  stringMapValue(manifests),
		OwnershipID:          nullIfEmpty(ownership),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
