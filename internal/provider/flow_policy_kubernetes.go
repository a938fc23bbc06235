package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// expandKubernetesOptions are the compiler options a kubernetes block asks
// for (nil: the defaults).
func expandKubernetesOptions(k *policyKubernetesModel, owner string, alongsideSecurityGroups bool) kubernetes.Options {
	opts := kubernetes.Options{Owner: owner, AlongsideSecurityGroups: alongsideSecurityGroups}
	if k == nil {
		return opts
	}
	if !k.AllowDNS.IsNull() {
		opts.AllowDNS = kubernetes.Bool(k.AllowDNS.ValueBool())
	}
	if k.Istio.ValueBool() {
		opts.Istio = &kubernetes.IstioOptions{TrustDomain: k.IstioTrustDomain.ValueString()}
	}
	return opts
}

// compileKubernetes compiles the Kubernetes half of one or more flow
// policies (a policy, or every block of a set) into canonical manifests
// keyed by "<apiVersion>/<kind>/<namespace>/<name>". The compiler decides
// what a NetworkPolicy can express; the rest stays AWS-only.
func compileKubernetes(policies []kubernetes.Policy, opts kubernetes.Options) (map[string]string, diag.Diagnostics) {
	var diags diag.Diagnostics
	checkDNSAgreement(policies, opts, &diags)
	if diags.HasError() {
		return nil, diags
	}
	objs, problems := kubernetes.CompileAll(policies, opts)
	appendProblems(&diags, path.Empty(), problems)
	if diags.HasError() {
		return nil, diags
	}
	manifests, err := objs.Manifests()
	if err != nil {
		diags.AddError("Rendering the Kubernetes manifests failed", err.Error())
		return nil, diags
	}
	out := make(map[string]string, len(manifests))
	for _, mf := range manifests {
		out[mf.ID()] = mf.YAML
	}
	return out, diags
}

// checkDNSAgreement refuses a policy-level allow_dns that disagrees with a
// segment the policy places: DNS egress is the segment's (its
// kubernetes.allow_dns), so every policy placing it writes the same — a
// policy can neither cut a peer's DNS nor leave the segment's own.
func checkDNSAgreement(policies []kubernetes.Policy, opts kubernetes.Options, diags *diag.Diagnostics) {
	if opts.AllowDNS == nil {
		return
	}
	seen := map[string]bool{}
	var disagree []string
	check := func(s *model.Segment) {
		if s == nil || s.Kubernetes == nil || seen[s.ID()] {
			return
		}
		seen[s.ID()] = true
		if !s.Kubernetes.DenyDNS != *opts.AllowDNS {
			disagree = append(disagree, s.Name)
		}
	}
	for _, p := range policies {
		check(&p.Segment)
		for _, f := range p.Flows {
			check(f.Peer.Segment)
		}
	}
	if len(disagree) == 0 {
		return
	}
	sort.Strings(disagree)
	diags.AddAttributeError(path.Root("kubernetes").AtName("allow_dns"), "DNS egress is the segment's",
		fmt.Sprintf("allow_dns = %t here, but segment(s) %s let their pods reach cluster DNS %s. Every policy placing a segment writes the same DNS egress, "+
			"decided by the segment: set kubernetes.allow_dns on the zerotrust_segment, and remove allow_dns from this policy.",
			*opts.AllowDNS, strings.Join(disagree, ", "), map[bool]string{true: "not at all (their kubernetes.allow_dns = false)", false: "(their kubernetes.allow_dns is true, the default)"}[*opts.AllowDNS]))
}

// kubernetesObjects are the cluster objects one flow policy owns — a
// zerotrust_segment_policy's or a set's, by the owner's id — and the steps
// that apply, read, delete, import and watch them. Both resources hold one;
// a cluster client is built only when there is something to do there.
type kubernetesObjects struct {
	clients *clientFactory
	owner   string // the policy's or set's id
}

func (k kubernetesObjects) ownerLabel() string { return kubernetes.OwnerLabelValue(k.owner) }

// apply server-side applies the planned manifests and deletes the owned
// objects no longer planned. uids are the UIDs the last apply recorded (see
// kubernetesUIDs); it returns the ones to record now, nil after a failure.
func (k kubernetesObjects) apply(ctx context.Context, planned, prior, uids map[string]string, force bool, diags *diag.Diagnostics) map[string]string {
	if len(planned) == 0 && len(prior) == 0 {
		return nil // nothing in the cluster, before or after: no cluster needed
	}
	c, err := k.clients.Kube()
	if err != nil {
		diags.AddAttributeError(path.Root("kubernetes_manifests"), "Kubernetes is not configured", err.Error())
		return nil
	}
	// The manifests of the last apply tell which kinds and names exist, so
	// unchanged objects are skipped and no GET precedes a create; with the
	// UIDs it recorded, a change that keeps the names lists nothing.
	res, err := c.ApplyManifestsRecorded(ctx, k.ownerLabel(), planned, prior, uids, force)
	tflog.Info(ctx, "segment policy applied to Kubernetes", map[string]any{"policy": k.owner, "applied": len(res.Applied), "deleted": len(res.Deleted)})
	if err != nil {
		diags.AddAttributeError(path.Root("kubernetes_manifests"), "Applying the Kubernetes objects failed", err.Error())
		return nil
	}
	return res.UIDs
}

// afterFailure returns what the cluster holds after a failed apply (diags
// holds an error), so the state records it and the next plan converges;
// otherwise, or when the cluster cannot be read, it returns recorded.
func (k kubernetesObjects) afterFailure(ctx context.Context, recorded, uids map[string]string, diags *diag.Diagnostics) map[string]string {
	if !diags.HasError() {
		return recorded
	}
	if view, ok := k.read(ctx, recorded, uids, new(diag.Diagnostics)); ok {
		return view
	}
	return recorded
}

// read returns the state's view of the owner's objects. uids are the UIDs
// the last apply recorded: an owned object with another UID is reported as
// replaced.
func (k kubernetesObjects) read(ctx context.Context, inState, uids map[string]string, diags *diag.Diagnostics) (map[string]string, bool) {
	if len(inState) == 0 {
		// Nothing recorded: an AWS-only policy never needs (or touches) a cluster.
		return inState, true
	}
	c, err := k.clients.Kube()
	if err != nil {
		diags.AddError("Kubernetes is not configured", "the policy recorded Kubernetes objects but no cluster is configured: "+err.Error())
		return nil, false
	}
	view, err := c.ReadManifests(ctx, k.ownerLabel(), inState, uids)
	if err != nil {
		diags.AddError("Reading the policy's Kubernetes objects failed", err.Error())
		return nil, false
	}
	return view, true
}

// delete removes the recorded objects. uids are the UIDs the last apply
// recorded: an object that carries the owner's labels with another UID is
// not deleted.
func (k kubernetesObjects) delete(ctx context.Context, recorded, uids map[string]string, diags *diag.Diagnostics) {
	if len(recorded) == 0 {
		return
	}
	c, err := k.clients.Kube()
	if err != nil {
		diags.AddError("Kubernetes is not configured", "the policy owns Kubernetes objects but no cluster is configured: "+err.Error())
		return
	}
	deleted, err := c.DeleteRecorded(ctx, k.ownerLabel(), recorded, uids)
	tflog.Info(ctx, "segment policy removed from Kubernetes", map[string]any{"policy": k.owner, "deleted": len(deleted)})
	if err != nil {
		diags.AddError("Deleting the policy's Kubernetes objects failed", err.Error())
	}
}

// importOwned records the owned objects found in the cluster (when one is
// configured) as placeholders.
func (k kubernetesObjects) importOwned(ctx context.Context) map[string]string {
	c, err := k.clients.Kube()
	if err != nil {
		return map[string]string{} // no cluster configured: nothing to import from it
	}
	out, err := c.ImportManifests(ctx, k.ownerLabel())
	if err != nil {
		tflog.Warn(ctx, "could not list Kubernetes objects on import", map[string]any{"error": err.Error()})
		return map[string]string{}
	}
	return out
}

// warnForeignPolicies warns about NetworkPolicies this policy does not own
// (own: the UIDs of its objects) that can select the segment's pods and
// allow traffic: NetworkPolicies add up, so such a policy can admit what
// the declared flows do not (an allow-all one defeats default-deny). It is
// the cluster owner's to remove; the provider never touches it.
func (k kubernetesObjects) warnForeignPolicies(ctx context.Context, governed model.Segment, own map[string]bool, diags *diag.Diagnostics) {
	sel := governed.Kubernetes
	if sel == nil || sel.Namespace == "" {
		return
	}
	c, err := k.clients.Kube()
	if err != nil {
		return
	}
	foreign, err := c.ForeignPolicies(ctx, sel.Namespace, sel.PodLabels, own, k.owner)
	if err != nil {
		tflog.Warn(ctx, "foreign NetworkPolicies not checked", map[string]any{"error": err.Error()})
		return
	}
	for _, f := range foreign {
		if f.ClaimedOwner != "" {
			diags.AddAttributeWarning(path.Root("kubernetes_manifests"), "NetworkPolicy of another owner admits traffic into segment pods",
				fmt.Sprintf("%s. This policy did not write it: another state's policy governs segment %s too, or someone copied the provider's labels. NetworkPolicies add up, so these pods accept what it allows, whatever this policy declares.",
					f, governed.Name))
			continue
		}
		diags.AddAttributeWarning(path.Root("kubernetes_manifests"), "NetworkPolicy not managed by this provider selects segment pods",
			fmt.Sprintf("%s. NetworkPolicies add up, so these pods may accept traffic segment %s's declared flows do not allow, now or once such pods run. Remove it, or declare the flows it is meant for.",
				f, governed.Name))
	}
}

// ownedUIDs is the set of UIDs a policy's private state records.
func ownedUIDs(uids map[string]string) map[string]bool {
	own := make(map[string]bool, len(uids))
	for _, uid := range uids {
		own[uid] = true
	}
	return own
}

// privateState is the provider-private part of a resource's state: what
// the framework's request and response Private fields offer.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// kubernetesUIDsKey holds, in a policy's private state, the UID of each
// object it owns by manifest key: the identity the API server gave it,
// which the next apply sends as the precondition of its writes. Private,
// because it is the provider's proof of ownership, not configuration: a
// UID in the schema would show as "known after apply" in every plan.
const kubernetesUIDsKey = "kubernetes_uids"

// kubernetesUIDs reads the UIDs recorded by the last apply; nil when there
// is no prior state (a create) or none were recorded.
func kubernetesUIDs(ctx context.Context, priv privateState, diags *diag.Diagnostics) map[string]string {
	if priv == nil {
		return nil
	}
	raw, d := priv.GetKey(ctx, kubernetesUIDsKey)
	diags.Append(d...)
	if len(raw) == 0 {
		return nil
	}
	var uids map[string]string
	if err := json.Unmarshal(raw, &uids); err != nil {
		return nil // unreadable: the apply lists instead
	}
	return uids
}

// recordKubernetesUIDs records the UIDs a successful apply returned. After
// a failure (none returned) the record of the last successful apply stays:
// the objects it names kept their UIDs, and the state's notes send the
// next apply down the listing path, which still refuses an object that
// carries the owner's labels under a recorded name with another UID.
func recordKubernetesUIDs(ctx context.Context, priv privateState, uids map[string]string, diags *diag.Diagnostics) {
	if priv == nil || uids == nil {
		return
	}
	var raw []byte
	if len(uids) > 0 {
		var err error
		if raw, err = json.Marshal(uids); err != nil {
			diags.AddError("Recording the Kubernetes object UIDs failed", err.Error())
			return
		}
	}
	diags.Append(priv.SetKey(ctx, kubernetesUIDsKey, raw)...)
}
