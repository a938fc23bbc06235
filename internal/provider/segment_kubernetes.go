package provider

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

var k8sTagKeys = []string{awsapi.TagK8sNamespace, awsapi.TagK8sPodLabels, awsapi.TagK8sServiceAccount}

type segmentKubernetesModel struct {
	Namespace      types.String `tfsdk:"namespace"`
	PodLabels      types.Map    `tfsdk:"pod_labels"`
	ServiceAccount types.String `tfsdk:"service_account"`
}

func segmentKubernetesBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		Description: "Where the segment's workloads run in Kubernetes. Segment policies between segments that have this block also " +
			"compile to a default-deny NetworkPolicy per namespace (one, shared by every policy placing segments there) plus allow " +
			"NetworkPolicies (and, when asked, Istio AuthorizationPolicies whose sources are the service accounts' SPIFFE identities). " +
			"The placement is recorded where policies read it at plan: on the security group as `zerotrust:k8s-*` tags, or — for a " +
			"segment with neither `vpc_id` nor `security_group_id`, which lives only in Kubernetes — in a ConfigMap of the namespace " +
			"labelled `zerotrust.ztforge.io/segment-registry`.",
		Attributes: map[string]schema.Attribute{
			"namespace": schema.StringAttribute{
				Optional:    true, // required when the block is present: checked in ValidateConfig with the path
				Description: "Namespace of the segment's pods (a DNS-1123 label). Required when the block is present.",
			},
			"pod_labels": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Description: "Labels selecting the segment's pods in the namespace. Empty or unset selects every pod of the namespace.",
			},
			"service_account": schema.StringAttribute{
				Optional:    true,
				Description: "Service account of the segment's pods; its SPIFFE identity (`cluster.local/ns/<namespace>/sa/<name>`) is the source in Istio AuthorizationPolicies.",
			},
		},
	}
}

// kubernetesSelector maps the block onto the model; nil when absent.
func (k *segmentKubernetesModel) selector(ctx context.Context, diags *diag.Diagnostics) *model.KubernetesSelector {
	if k == nil {
		return nil
	}
	return &model.KubernetesSelector{
		Namespace:      k.Namespace.ValueString(),
		PodLabels:      stringMap(ctx, k.PodLabels, diags),
		ServiceAccount: k.ServiceAccount.ValueString(),
	}
}

// validateSegmentKubernetes checks the placement with Kubernetes' own
// validation functions and returns attribute-pathed errors.
func validateSegmentKubernetes(ctx context.Context, k *segmentKubernetesModel, diags *diag.Diagnostics) {
	if k == nil {
		return
	}
	base := path.Root("kubernetes")
	if k.Namespace.IsUnknown() {
		return
	}
	if k.Namespace.IsNull() || k.Namespace.ValueString() == "" {
		diags.AddAttributeError(base.AtName("namespace"), "Missing namespace", "kubernetes.namespace is required when the kubernetes block is present.")
	} else if errs := validation.IsDNS1123Label(k.Namespace.ValueString()); len(errs) > 0 {
		diags.AddAttributeError(base.AtName("namespace"), "Invalid namespace", fmt.Sprintf("%q: %s", k.Namespace.ValueString(), joinErrs(errs)))
	}
	if !k.ServiceAccount.IsNull() && !k.ServiceAccount.IsUnknown() {
		if errs := validation.IsDNS1123Subdomain(k.ServiceAccount.ValueString()); len(errs) > 0 {
			diags.AddAttributeError(base.AtName("service_account"), "Invalid service account name", fmt.Sprintf("%q: %s", k.ServiceAccount.ValueString(), joinErrs(errs)))
		}
	}
	if k.PodLabels.IsUnknown() {
		return
	}
	for key, v := range k.PodLabels.Elements() {
		if errs := validation.IsQualifiedName(key); len(errs) > 0 {
			diags.AddAttributeError(base.AtName("pod_labels").AtMapKey(key), "Invalid label key", fmt.Sprintf("%q: %s", key, joinErrs(errs)))
		}
		s, ok := v.(types.String)
		if !ok || s.IsUnknown() {
			continue
		}
		if errs := validation.IsValidLabelValue(s.ValueString()); len(errs) > 0 {
			diags.AddAttributeError(base.AtName("pod_labels").AtMapKey(key), "Invalid label value", fmt.Sprintf("%q: %s", s.ValueString(), joinErrs(errs)))
		}
	}
	if diags.HasError() {
		return
	}
	if sel := k.selector(ctx, diags); sel != nil {
		if enc := awsapi.EncodePodLabels(sel.PodLabels); len(enc) > awsapi.MaxTagValue {
			diags.AddAttributeError(base.AtName("pod_labels"), "Pod labels too long",
				fmt.Sprintf("the pod labels are recorded on the security group as one tag value of at most %d characters; these encode to %d. Select the pods with fewer or shorter labels.", awsapi.MaxTagValue, len(enc)))
		}
	}
}

func joinErrs(errs []string) string {
	out := ""
	for i, e := range errs {
		if i > 0 {
			out += "; "
		}
		out += e
	}
	return out
}

// kubernetesModelFromTags is the block as read back, keeping null-vs-empty
// choices of the prior state so an unset pod_labels is not drift.
func kubernetesModelFromTags(tags map[string]string, prior *segmentKubernetesModel) *segmentKubernetesModel {
	return kubernetesModelFromSelector(awsapi.SelectorFromTags(tags), prior)
}

// kubernetesModelFromSelector is the block for a placement read back.
func kubernetesModelFromSelector(sel *model.KubernetesSelector, prior *segmentKubernetesModel) *segmentKubernetesModel {
	if sel == nil {
		return nil
	}
	m := &segmentKubernetesModel{Namespace: types.StringValue(sel.Namespace), ServiceAccount: types.StringNull(), PodLabels: types.MapNull(types.StringType)}
	if sel.ServiceAccount != "" {
		m.ServiceAccount = types.StringValue(sel.ServiceAccount)
	}
	if len(sel.PodLabels) > 0 || (prior != nil && !prior.PodLabels.IsNull()) {
		keys := make([]string, 0, len(sel.PodLabels))
		for k := range sel.PodLabels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		elems := map[string]attr.Value{}
		for _, k := range keys {
			elems[k] = types.StringValue(sel.PodLabels[k])
		}
		m.PodLabels = types.MapValueMust(types.StringType, elems)
	}
	return m
}
