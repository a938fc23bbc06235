package provider

import (
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// checkSurfaceKeyFloor enforces the opt-in customer-managed-key floor
// (sensitivity_floors.require_customer_managed_keys) at plan time: an error
// at kms_key_arn when the surface's floor demands a key and it has none,
// unless acknowledged.
func checkSurfaceKeyFloor(plan protectSurfaceModel, clients *clientFactory, diags *diag.Diagnostics) {
	if clients == nil || plan.Sensitivity.IsUnknown() || plan.KMSKeyARN.IsUnknown() || plan.KeyAcknowledgement.IsUnknown() {
		return // unconfigured provider (validate) or values known only at apply
	}
	problems := model.CheckKeyFloor(plan.Sensitivity.ValueString(), !plan.KMSKeyARN.IsNull(), plan.KeyAcknowledgement.ValueString(),
		clients.requireCustomerManagedKeys, model.Root("kms_key_arn"), model.Root("customer_managed_key_acknowledgement"))
	appendProblems(diags, path.Empty(), problems)
}

// flattenSurfaceKey reads the surface's key from its group and endpoints:
// recorded (the state's) while they all carry it, else the first that does
// not (the group's, then the endpoints' by application), so the plan shows
// the drift and apply corrects it.
func flattenSurfaceKey(recorded types.String, groupKey string, endpoints map[string]*awsapi.VerifiedAccessEndpoint) types.String {
	if groupKey != recorded.ValueString() {
		return nullIfEmpty(groupKey)
	}
	apps := make([]string, 0, len(endpoints))
	for app := range endpoints {
		apps = append(apps, app)
	}
	sort.Strings(apps)
	for _, app := range apps {
		if k := endpoints[app].KMSKeyARN; k != recorded.ValueString() {
			return nullIfEmpty(k)
		}
	}
	return recorded
}
