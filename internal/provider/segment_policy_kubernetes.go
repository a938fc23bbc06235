package provider

import (
	"context"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	k8scompile "github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	awstarget "github.com/ztforge/terraform-provider-zerotrust/internal/target/aws"
	"github.com/ztforge/terraform-provider-zerotrust/internal/target/kube"
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
				Description: "Let the pods of every namespace involved reach cluster DNS (kube-system, `k8s-app=kube-dns`, UDP and TCP 53). Defaults to true.",
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
			Validators:  []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(stringvalidator.RegexMatches(httpPathRe, "must start with '/' or '*'"))},
		},
	}
}

var httpPathRe = regexp.MustCompile(`^[/*]`)

// readSegments reads the governed segment and its peers with one
// DescribeSecurityGroups call. Missing ids are absent from the result.
func readSegments(ctx context.Context, f *clientFactory, governed string, flows []model.Flow) (map[string]model.Segment, error) {
	ids := []string{governed}
	for _, fl := range flows {
		if fl.Peer.SegmentGroupID != "" {
			ids = append(ids, fl.Peer.SegmentGroupID)
		}
	}
	ids = uniqueSorted(ids)
	c, err := f.AWS(ctx)
	if err != nil {
		return nil, err
	}
	groups, err := awstarget.FindSecurityGroups(ctx, c.EC2, ids)
	if err != nil {
		return nil, err
	}
	out := map[string]model.Segment{}
	for id, g := range groups {
		out[id] = model.Segment{
			Name:            valueOr(g.Tags[awstarget.TagSegment], g.Name),
			SecurityGroupID: id,
			Sensitivity:     valueOr(g.Tags[awstarget.TagSensitivity], "internal"),
			Kubernetes:      selectorFromTags(g.Tags),
		}
	}
	return out, nil
}

// peersKnown reports whether every peer segment of the flows was found.
func peersKnown(segments map[string]model.Segment, flows []model.Flow) bool {
	for _, fl := range flows {
		if fl.Peer.SegmentGroupID != "" {
			if _, ok := segments[fl.Peer.SegmentGroupID]; !ok {
				return false
			}
		}
	}
	return true
}

// compileKubernetes compiles the Kubernetes half of a policy into canonical
// manifests keyed by "<apiVersion>/<kind>/<namespace>/<name>". A governed
// segment without a placement compiles to nothing. Flows NetworkPolicy cannot
// express (prefix lists, ICMP, peers without a placement) stay AWS-only;
// leaving them out of the allow list keeps them denied in the cluster.
func compileKubernetes(ctx context.Context, m segmentPolicyModel, flows []model.Flow, httpMatches map[string]k8scompile.HTTPMatch, segments map[string]model.Segment) (map[string]string, diag.Diagnostics) {
	var diags diag.Diagnostics
	governed, ok := segments[m.Segment.ValueString()]
	if !ok || governed.Kubernetes == nil {
		return map[string]string{}, diags
	}
	opts := k8scompile.Options{Owner: policyID(m.Segment.ValueString(), m.Name.ValueString()), Segments: map[string]model.Segment{}}
	for id, s := range segments {
		if s.Kubernetes != nil {
			opts.Segments[id] = s
		}
	}
	istio := false
	if k := m.Kubernetes; k != nil {
		if !k.AllowDNS.IsNull() {
			opts.AllowDNS = k8scompile.Bool(k.AllowDNS.ValueBool())
		}
		if k.Istio.ValueBool() {
			istio = true
			opts.Istio = &k8scompile.IstioOptions{TrustDomain: k.IstioTrustDomain.ValueString()}
		}
	}
	var kept []model.Flow
	http := map[int]k8scompile.HTTPMatch{}
	for _, fl := range flows {
		switch {
		case fl.Peer.PrefixListID != "", fl.Protocol == "icmp", fl.Protocol == "icmpv6":
			continue
		case fl.Peer.SegmentGroupID != "" && opts.Segments[fl.Peer.SegmentGroupID].Kubernetes == nil:
			continue
		}
		if hm, ok := httpMatches[fl.Path.String()]; ok {
			if !istio {
				diags.AddAttributeError(tfPath(path.Empty(), fl.Path.At("http_methods")), "HTTP matching needs Istio",
					"http_methods and http_paths are enforced by Istio AuthorizationPolicies: set kubernetes.istio = true, or remove them.")
				continue
			}
			if fl.Peer.SegmentGroupID != "" {
				http[len(kept)] = hm
			}
		}
		kept = append(kept, fl)
	}
	if diags.HasError() {
		return nil, diags
	}
	objs, problems := k8scompile.CompileAll([]k8scompile.Policy{{Segment: governed, SegmentPath: nil, Flows: kept, HTTP: http}}, opts)
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

func manifestsValue(m map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func manifestsOf(ctx context.Context, v types.Map, diags *diag.Diagnostics) map[string]string {
	if v.IsNull() || v.IsUnknown() {
		return map[string]string{}
	}
	return stringMap(ctx, v, diags)
}

// Drift notes replace a manifest's text in state when the cluster differs, so
// the next plan shows the change back to the compiled manifest.
const (
	driftPrefix       = "# drift: "
	importedPlacehold = "# imported from the cluster: the next apply re-applies the compiled manifest\n"
)

func parseManifest(text string) (*unstructured.Unstructured, bool) {
	if strings.HasPrefix(text, "#") {
		return nil, false
	}
	obj := map[string]any{}
	if err := yaml.Unmarshal([]byte(text), &obj); err != nil || len(obj) == 0 {
		return nil, false
	}
	return &unstructured.Unstructured{Object: obj}, true
}

func manifestKey(o *unstructured.Unstructured) string {
	return o.GetAPIVersion() + "/" + o.GetKind() + "/" + o.GetNamespace() + "/" + o.GetName()
}

func ownerLabel(policyID string) string { return k8scompile.OwnerLabelValue(policyID) }

func (r *segmentPolicyResource) kubeClient(m segmentPolicyModel) (*kube.Client, error) {
	cfg, err := r.clients.Kubernetes()
	if err != nil {
		return nil, err
	}
	c, err := kube.New(cfg)
	if err != nil {
		return nil, err
	}
	c.Force = m.Kubernetes != nil && m.Kubernetes.ForceConflicts.ValueBool()
	return c, nil
}

// applyKubernetes server-side applies the planned manifests and deletes the
// owned objects no longer planned.
func (r *segmentPolicyResource) applyKubernetes(ctx context.Context, m segmentPolicyModel, prior map[string]string, diags *diag.Diagnostics) {
	planned := manifestsOf(ctx, m.KubernetesManifests, diags)
	if len(planned) == 0 && len(prior) == 0 {
		return // nothing in the cluster, before or after: no cluster needed
	}
	c, err := r.kubeClient(m)
	if err != nil {
		diags.AddAttributeError(path.Root("kubernetes_manifests"), "Kubernetes is not configured", err.Error())
		return
	}
	var desired []*unstructured.Unstructured
	for _, k := range sortedMapKeys(planned) {
		o, ok := parseManifest(planned[k])
		if !ok {
			diags.AddAttributeError(path.Root("kubernetes_manifests").AtMapKey(k), "Unreadable manifest", "the planned manifest could not be parsed")
			return
		}
		desired = append(desired, o)
	}
	owner := ownerLabel(m.ID.ValueString())
	res, err := c.Apply(ctx, owner, desired)
	tflog.Info(ctx, "segment policy applied to Kubernetes", map[string]any{"policy": m.ID.ValueString(), "applied": len(res.Applied), "deleted": len(res.Deleted)})
	if err != nil {
		diags.AddAttributeError(path.Root("kubernetes_manifests"), "Applying the Kubernetes objects failed", err.Error())
	}
}

// readKubernetes compares the cluster with the manifests in state and
// returns the state's view: unchanged entries as they were, drifted ones
// replaced by a note saying what differs, undeclared owned objects added.
func (r *segmentPolicyResource) readKubernetes(ctx context.Context, m segmentPolicyModel, diags *diag.Diagnostics) (map[string]string, bool) {
	inState := manifestsOf(ctx, m.KubernetesManifests, diags)
	if len(inState) == 0 {
		// Nothing recorded: an AWS-only policy never needs (or touches) a cluster.
		return inState, true
	}
	c, err := r.kubeClient(m)
	if err != nil {
		diags.AddError("Kubernetes is not configured", "the policy recorded Kubernetes objects but no cluster is configured: "+err.Error())
		return nil, false
	}
	live, err := c.List(ctx, ownerLabel(m.ID.ValueString()))
	if err != nil {
		diags.AddError("Reading the policy's Kubernetes objects failed", err.Error())
		return nil, false
	}
	return reconcileManifestView(inState, live), true
}

func reconcileManifestView(inState map[string]string, live []*unstructured.Unstructured) map[string]string {
	liveByKey := map[string]*unstructured.Unstructured{}
	for _, o := range live {
		liveByKey[manifestKey(o)] = o
	}
	out := map[string]string{}
	for k, text := range inState {
		l, exists := liveByKey[k]
		desired, parsed := parseManifest(text)
		switch {
		case !exists:
			out[k] = driftPrefix + "missing in the cluster\n"
		case !parsed:
			out[k] = text // a note or placeholder: keep it until the next apply
		default:
			if p := kube.ObjectDrift(desired, l); p != "" {
				out[k] = driftPrefix + p + " changed in the cluster\n"
			} else {
				out[k] = text
			}
		}
	}
	for k := range liveByKey {
		if _, declared := inState[k]; !declared {
			out[k] = driftPrefix + "owned by this policy but not declared; it will be deleted\n"
		}
	}
	return out
}

func (r *segmentPolicyResource) deleteKubernetes(ctx context.Context, m segmentPolicyModel, diags *diag.Diagnostics) {
	if len(manifestsOf(ctx, m.KubernetesManifests, diags)) == 0 {
		return
	}
	c, err := r.kubeClient(m)
	if err != nil {
		diags.AddError("Kubernetes is not configured", "the policy owns Kubernetes objects but no cluster is configured: "+err.Error())
		return
	}
	deleted, err := c.DeleteAll(ctx, ownerLabel(m.ID.ValueString()))
	tflog.Info(ctx, "segment policy removed from Kubernetes", map[string]any{"policy": m.ID.ValueString(), "deleted": len(deleted)})
	if err != nil {
		diags.AddError("Deleting the policy's Kubernetes objects failed", err.Error())
	}
}

// importKubernetes records the owned objects found in the cluster (when one
// is configured) as placeholders; the first plan after import re-applies the
// compiled manifests, which server-side apply makes a no-op where equal.
func (r *segmentPolicyResource) importKubernetes(ctx context.Context, id string) map[string]string {
	out := map[string]string{}
	c, err := r.kubeClient(segmentPolicyModel{})
	if err != nil {
		return out // no cluster configured: nothing to import from it
	}
	live, err := c.List(ctx, ownerLabel(id))
	if err != nil {
		tflog.Warn(ctx, "could not list Kubernetes objects on import", map[string]any{"error": err.Error()})
		return out
	}
	for _, o := range live {
		out[manifestKey(o)] = importedPlacehold
	}
	return out
}

// httpMatchesOf collects the flows' HTTP restrictions, keyed by flow path.
func httpMatchesOf(ctx context.Context, m segmentPolicyModel, diags *diag.Diagnostics) map[string]k8scompile.HTTPMatch {
	out := map[string]k8scompile.HTTPMatch{}
	for attrName, blocks := range map[string][]flowModel{"allow_from": m.AllowFrom, "allow_to": m.AllowTo} {
		for i, b := range blocks {
			var hm k8scompile.HTTPMatch
			diags.Append(b.HTTPMethods.ElementsAs(ctx, &hm.Methods, true)...)
			diags.Append(b.HTTPPaths.ElementsAs(ctx, &hm.Paths, true)...)
			if len(hm.Methods) == 0 && len(hm.Paths) == 0 {
				continue
			}
			at := model.Root(attrName).Index(i)
			if !b.Segment.IsNull() {
				out[at.String()] = hm
			} else {
				diags.AddAttributeError(tfPath(path.Empty(), at.At("http_methods")), "HTTP matching needs a segment peer",
					"http_methods and http_paths restrict traffic between segments' service identities; this flow's peer is not a segment.")
			}
		}
	}
	return out
}

func uniqueSorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
