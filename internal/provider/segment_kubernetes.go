package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// The kubernetes placement of a segment, checked at validate with the API
// server's own rules; the tags recording it on a security group are
// k8sTagKeys.

var k8sTagKeys = []string{awsapi.TagK8sNamespace, awsapi.TagK8sPodLabels, awsapi.TagK8sServiceAccount, awsapi.TagK8sDNS}

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
	if diags.HasError() || !mapKnown(k.PodLabels) {
		return // the encoded length is checked once every label value is known
	}
	if sel := expandSegmentKubernetes(ctx, k, diags); sel != nil {
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
