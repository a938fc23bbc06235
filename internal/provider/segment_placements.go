package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// A policy's peers may be another state's segments, read at plan from
// their records (security-group tags, SegmentRecords). When such a peer's
// placement changes, the policy's NetworkPolicies follow it: the plan shows
// the manifests changing, and a warning names the peer and what changed,
// so the reviewer of this state is told that another state moved the pods
// this policy admits. What the last apply compiled against is kept in the
// policy's private state, not the schema, so it never shows as a diff.

// segmentPlacementsKey holds, in a policy's or set's private state, the
// Kubernetes placement of every segment it names as the last apply read it.
const segmentPlacementsKey = "segment_placements"

type recordedPlacement struct {
	Namespace      string            `json:"namespace"`
	PodLabels      map[string]string `json:"pod_labels,omitempty"`
	ServiceAccount string            `json:"service_account,omitempty"`
}

// recordSegmentPlacements records the placements an apply compiled against.
func recordSegmentPlacements(ctx context.Context, priv privateState, segments map[string]model.Segment, diags *diag.Diagnostics) {
	if priv == nil {
		return
	}
	out := map[string]recordedPlacement{}
	for id, s := range segments {
		if k := s.Kubernetes; k != nil {
			out[id] = recordedPlacement{Namespace: k.Namespace, PodLabels: k.PodLabels, ServiceAccount: k.ServiceAccount}
		}
	}
	var raw []byte
	if len(out) > 0 {
		var err error
		if raw, err = json.Marshal(out); err != nil {
			diags.AddError("Recording the segments' placements failed", err.Error())
			return
		}
	}
	diags.Append(priv.SetKey(ctx, segmentPlacementsKey, raw)...)
}

// warnPlacementChanges warns, at plan, for each segment read from outside
// this run whose Kubernetes placement differs from the one the last apply
// recorded. Segments this run plans are skipped: their own plan shows the
// change. at says where a segment id is written in the configuration.
func (b *resourceBase) warnPlacementChanges(ctx context.Context, priv privateState, segments map[string]model.Segment, at func(id string) path.Path, diags *diag.Diagnostics) {
	if priv == nil {
		return
	}
	raw, d := priv.GetKey(ctx, segmentPlacementsKey)
	diags.Append(d...)
	if len(raw) == 0 {
		return
	}
	var recorded map[string]recordedPlacement
	if err := json.Unmarshal(raw, &recorded); err != nil {
		return // unreadable: nothing to compare with
	}
	ids := slices.Sorted(maps.Keys(recorded))
	planned, _ := b.plan.plannedSegments(ids)
	for _, id := range ids {
		now, ok := segments[id]
		if _, mine := planned[id]; mine || !ok {
			continue
		}
		before := recorded[id]
		change := ""
		if now.Kubernetes == nil {
			change = "it is no longer placed in Kubernetes"
		} else {
			change = placementChange(&model.KubernetesSelector{Namespace: before.Namespace, PodLabels: before.PodLabels, ServiceAccount: before.ServiceAccount}, now.Kubernetes)
		}
		if change == "" {
			continue
		}
		diags.AddAttributeWarning(at(id), "Segment placement changed since the last apply",
			fmt.Sprintf("Segment %s, which this policy names, is placed differently than when the policy was last applied: %s. "+
				"The segment is managed outside this configuration; the policy's Kubernetes objects follow the new placement "+
				"(kubernetes_manifests in this plan shows how). Make sure the change is intended before applying.", id, change))
	}
}

// segmentPath is where the policy writes segment id: its segment, or the
// first flow block naming it as a peer.
func (p flowPolicy) segmentPath(id string) (path.Path, bool) {
	base := tfPath(path.Empty(), p.At)
	if p.Segment.ValueString() == id {
		return base.AtName("segment"), true
	}
	for _, bl := range p.blockLists() {
		for i, b := range bl.blocks {
			if !b.Segment.IsNull() && !b.Segment.IsUnknown() && b.Segment.ValueString() == id {
				return base.AtName(bl.attr).AtListIndex(i).AtName("segment"), true
			}
		}
	}
	return path.Empty(), false
}

// placementChange describes how a placement differs from before ("" when
// it does not): namespace, pod labels, service account, as "what: old → new".
func placementChange(before, after *model.KubernetesSelector) string {
	var parts []string
	if before.Namespace != after.Namespace {
		parts = append(parts, fmt.Sprintf("namespace %q → %q", before.Namespace, after.Namespace))
	}
	if !maps.Equal(before.PodLabels, after.PodLabels) {
		parts = append(parts, fmt.Sprintf("pod labels %s → %s", labelList(before.PodLabels), labelList(after.PodLabels)))
	}
	if before.ServiceAccount != after.ServiceAccount {
		parts = append(parts, fmt.Sprintf("service account %q → %q", before.ServiceAccount, after.ServiceAccount))
	}
	return strings.Join(parts, "; ")
}

func labelList(m map[string]string) string {
	if len(m) == 0 {
		return "{} (every pod)"
	}
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// segmentPath is where the set first writes segment id.
func (m segmentPolicySetModel) segmentPath(id string) path.Path {
	for i := range m.Policies {
		if at, ok := m.member(i).segmentPath(id); ok {
			return at
		}
	}
	return path.Root("policy")
}
