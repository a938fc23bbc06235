package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// policyKubernetesModel is the segment policy's kubernetes block.
type policyKubernetesModel struct {
	AllowDNS         types.Bool   `tfsdk:"allow_dns"`
	Istio            types.Bool   `tfsdk:"istio"`
	IstioTrustDomain types.String `tfsdk:"istio_trust_domain"`
	ForceConflicts   types.Bool   `tfsdk:"force_conflicts"`
}

func policyKubernetesBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		Description: "How the policy compiles for Kubernetes. Applies when the governed segment has a `kubernetes` placement; " +
			"flows to or from segments with a placement, and from CIDR blocks, then also become NetworkPolicies.",
		Attributes: map[string]schema.Attribute{
			"allow_dns": schema.BoolAttribute{
				Optional:    true,
				Description: "Let the segments' pods reach cluster DNS (kube-system, `k8s-app=kube-dns`, UDP and TCP 53): one egress NetworkPolicy per segment pod selector, shared by every policy that places that segment, and never selecting pods outside a segment. Defaults to true.",
			},
			"istio": schema.BoolAttribute{
				Optional: true,
				Description: "Also compile `security.istio.io/v1` AuthorizationPolicies whose sources are the SPIFFE identities of the peer " +
					"segments' service accounts. Defaults to false.",
			},
			"istio_trust_domain": schema.StringAttribute{
				Optional:    true,
				Description: "Trust domain of the mesh's SPIFFE identities. Defaults to `cluster.local`.",
				Validators:  []validator.String{stringvalidator.LengthBetween(1, 253)},
			},
			"force_conflicts": schema.BoolAttribute{
				Optional: true,
				Description: "Take ownership of fields another server-side applier holds instead of failing with a conflict. Edits made " +
					"imperatively (kubectl edit) are corrected without it. Defaults to false.",
			},
		},
	}
}

// options are the compiler options the block asks for (nil: the defaults).
func (k *policyKubernetesModel) options(owner string, alongsideSecurityGroups bool) kubernetes.Options {
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

func httpMatchAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"http_methods": schema.ListAttribute{
			Optional:    true,
			ElementType: types.StringType,
			Description: "With `kubernetes.istio`, only these HTTP methods are authorized for this flow (tcp flows between segments only).",
			Validators:  []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.OneOf("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"))},
		},
		"http_paths": schema.ListAttribute{
			Optional:    true,
			ElementType: types.StringType,
			Description: "With `kubernetes.istio`, only these request paths (Istio path syntax: exact, `prefix*` or `*suffix`) are authorized for this flow.",
			Validators:  []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.RegexMatches(httpPathRe, "must start with '/' or '*' and hold no white space or control character"))},
		},
	}
}

// httpPathRe: Istio path syntax, and no white space or control character
// (a request path carries none unencoded).
var httpPathRe = regexp.MustCompile(`^[/*][^\s\x00-\x1f\x7f]*$`)

// compileKubernetes compiles the Kubernetes half of a policy into canonical
// manifests keyed by "<apiVersion>/<kind>/<namespace>/<name>". The compiler
// decides what a NetworkPolicy can express; the rest stays AWS-only.
func compileKubernetes(m segmentPolicyModel, governed model.Segment, flows []model.Flow) (map[string]string, diag.Diagnostics) {
	var diags diag.Diagnostics
	// A segment with a security group enforces on AWS what a NetworkPolicy
	// cannot express; one placed only in Kubernetes has nothing else, so
	// every flow must compile here.
	opts := m.Kubernetes.options(policyID(m.Segment.ValueString(), m.Name.ValueString()), !kubernetesOnly(&governed))
	objs, problems := kubernetes.CompileAll([]kubernetes.Policy{{Segment: governed, Flows: flows}}, opts)
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

func ownerLabel(policyID string) string { return kubernetes.OwnerLabelValue(policyID) }

// applyKubernetes server-side applies the planned manifests and deletes the
// owned objects no longer planned. uids are the UIDs the last apply
// recorded (see kubernetesUIDs); it returns the ones to record now, nil
// after a failure.
func (r *segmentPolicyResource) applyKubernetes(ctx context.Context, m segmentPolicyModel, prior, uids map[string]string, diags *diag.Diagnostics) map[string]string {
	planned := stringMap(ctx, m.KubernetesManifests, diags)
	if len(planned) == 0 && len(prior) == 0 {
		return nil // nothing in the cluster, before or after: no cluster needed
	}
	c, err := r.clients.Kube()
	if err != nil {
		diags.AddAttributeError(path.Root("kubernetes_manifests"), "Kubernetes is not configured", err.Error())
		return nil
	}
	force := m.Kubernetes != nil && m.Kubernetes.ForceConflicts.ValueBool()
	// The manifests of the last apply tell which kinds and names exist, so
	// unchanged objects are skipped and no GET precedes a create; with the
	// UIDs it recorded, a change that keeps the names lists nothing.
	res, err := c.ApplyManifestsRecorded(ctx, ownerLabel(m.ID.ValueString()), planned, prior, uids, force)
	tflog.Info(ctx, "segment policy applied to Kubernetes", map[string]any{"policy": m.ID.ValueString(), "applied": len(res.Applied), "deleted": len(res.Deleted)})
	if err != nil {
		diags.AddAttributeError(path.Root("kubernetes_manifests"), "Applying the Kubernetes objects failed", err.Error())
		return nil
	}
	return res.UIDs
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

// readKubernetes returns the state's view of the policy's objects.
// uids are the UIDs the last apply recorded: an owned object with another
// UID is reported as replaced.
func (r *segmentPolicyResource) readKubernetes(ctx context.Context, m segmentPolicyModel, uids map[string]string, diags *diag.Diagnostics) (map[string]string, bool) {
	inState := stringMap(ctx, m.KubernetesManifests, diags)
	if len(inState) == 0 {
		// Nothing recorded: an AWS-only policy never needs (or touches) a cluster.
		return inState, true
	}
	c, err := r.clients.Kube()
	if err != nil {
		diags.AddError("Kubernetes is not configured", "the policy recorded Kubernetes objects but no cluster is configured: "+err.Error())
		return nil, false
	}
	view, err := c.ReadManifests(ctx, ownerLabel(m.ID.ValueString()), inState, uids)
	if err != nil {
		diags.AddError("Reading the policy's Kubernetes objects failed", err.Error())
		return nil, false
	}
	return view, true
}

// uids are the UIDs the last apply recorded: an object that carries the
// policy's labels with another UID is not deleted.
func (r *segmentPolicyResource) deleteKubernetes(ctx context.Context, m segmentPolicyModel, uids map[string]string, diags *diag.Diagnostics) {
	recorded := stringMap(ctx, m.KubernetesManifests, diags)
	if len(recorded) == 0 {
		return
	}
	c, err := r.clients.Kube()
	if err != nil {
		diags.AddError("Kubernetes is not configured", "the policy owns Kubernetes objects but no cluster is configured: "+err.Error())
		return
	}
	deleted, err := c.DeleteRecorded(ctx, ownerLabel(m.ID.ValueString()), recorded, uids)
	tflog.Info(ctx, "segment policy removed from Kubernetes", map[string]any{"policy": m.ID.ValueString(), "deleted": len(deleted)})
	if err != nil {
		diags.AddError("Deleting the policy's Kubernetes objects failed", err.Error())
	}
}

// importKubernetes records the owned objects found in the cluster (when one
// is configured) as placeholders.
func (r *segmentPolicyResource) importKubernetes(ctx context.Context, id string) map[string]string {
	c, err := r.clients.Kube()
	if err != nil {
		return map[string]string{} // no cluster configured: nothing to import from it
	}
	out, err := c.ImportManifests(ctx, ownerLabel(id))
	if err != nil {
		tflog.Warn(ctx, "could not list Kubernetes objects on import", map[string]any{"error": err.Error()})
		return map[string]string{}
	}
	return out
}

// warnForeignPolicies warns about NetworkPolicies the provider does not own
// that select the segment's pods and allow traffic: NetworkPolicies add up,
// so such a policy can admit what the declared flows do not (an allow-all
// one defeats default-deny). It is the cluster owner's to remove; the
// provider never touches it.
func (r *segmentPolicyResource) warnForeignPolicies(ctx context.Context, governed model.Segment, diags *diag.Diagnostics) {
	k := governed.Kubernetes
	if k == nil || k.Namespace == "" {
		return
	}
	c, err := r.clients.Kube()
	if err != nil {
		return
	}
	foreign, err := c.ForeignPolicies(ctx, k.Namespace, k.PodLabels)
	if err != nil {
		tflog.Warn(ctx, "foreign NetworkPolicies not checked", map[string]any{"error": err.Error()})
		return
	}
	for _, f := range foreign {
		diags.AddAttributeWarning(path.Root("kubernetes_manifests"), "NetworkPolicy not managed by this provider selects segment pods",
			fmt.Sprintf("%s. NetworkPolicies add up, so these pods may accept traffic segment %s's declared flows do not allow. Remove it, or declare the flows it is meant for.",
				f, governed.Name))
	}
}
