package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// checkKubernetesPeersAtPlan refuses, at plan, a peer segment placed only in
// Kubernetes (k8s/<namespace>/<name>) that this run does not plan and the
// cluster does not hold: apply reads every peer and would fail there, after
// the rest of the configuration was created. A peer this run plans —
// created, changed or unchanged, known in full or not — is taken from the
// plan memory with no cluster call, so a plan whose cluster is unreachable
// does not fail for it. Peers whose id is not known yet are left to apply.
// It reports whether every such peer was found.
func (b *resourceBase) checkKubernetesPeersAtPlan(ctx context.Context, fp flowPolicy, diags *diag.Diagnostics) bool {
	if b.clients == nil {
		return true
	}
	var ids []string
	at := map[string][]model.Path{}
	for _, bl := range fp.blockLists() {
		for i, blk := range bl.blocks {
			if blk.Segment.IsNull() || blk.Segment.IsUnknown() || !model.KubernetesSegmentIDPattern.MatchString(blk.Segment.ValueString()) {
				continue
			}
			id := blk.Segment.ValueString()
			if _, seen := at[id]; !seen {
				ids = append(ids, id)
			}
			at[id] = append(at[id], fp.At.At(bl.attr).Index(i).At("segment"))
		}
	}
	if len(ids) == 0 {
		return true
	}
	_, rest := b.plan.plannedSegments(ids)
	var unplanned []string
	for _, id := range rest {
		if !b.plan.anyPending([]string{id}) {
			unplanned = append(unplanned, id)
		}
	}
	if len(unplanned) == 0 {
		return true
	}
	found, err := b.clients.readSegments(ctx, unplanned)
	ok := true
	for _, id := range unplanned {
		if _, exists := found[id]; exists && err == nil {
			continue
		}
		ok = false
		for _, p := range at[id] {
			if err != nil {
				diags.AddAttributeError(tfPath(path.Empty(), p), "Peer segment cannot be found",
					fmt.Sprintf("Segment %s is not planned in this configuration, and looking it up failed (%v). "+
						"Refer to a segment of this configuration by reference (zerotrust_segment.<name>.id), so that it is planned first, "+
						"or configure the provider's kubernetes block with a cluster that holds it.", id, err))
				continue
			}
			diags.AddAttributeError(tfPath(path.Empty(), p), "Peer segment not found",
				fmt.Sprintf("No segment %s exists in the cluster or is planned in this configuration, so the flow has no peer and apply would fail. "+
					"Refer to the segment by reference (zerotrust_segment.<name>.id), so that it is planned first, or correct the namespace or name.", id))
		}
	}
	return ok
}
