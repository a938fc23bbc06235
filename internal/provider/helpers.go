package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// resourceBase is embedded by every resource: Configure takes the client
// factory and the run's plan memory the provider hands over.
type resourceBase struct {
	clients *clientFactory
	plan    *planMemory
}

func (b *resourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := configureResources(req.ProviderData, &resp.Diagnostics); data != nil {
		b.clients, b.plan = data.clients, data.plan
	}
}

// resourceData is what the provider hands every resource: the API clients
// and the plan memory of the run.
type resourceData struct {
	clients *clientFactory
	plan    *planMemory
}

// configureResources extracts the resource data handed over by the provider.
func configureResources(data any, diags *diag.Diagnostics) *resourceData {
	if data == nil {
		return nil // ValidateResourceConfig runs before the provider is configured.
	}
	d, ok := data.(*resourceData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *resourceData, got %T; this is a bug in the provider", data))
		return nil
	}
	return d
}

// userTagsOf reports, from the live tags, the user tags the prior state
// declared: a declared tag changed or removed out of band is drift; tags
// others added are not ours and are ignored.
func userTagsOf(live map[string]string, prior types.Map) types.Map {
	if prior.IsNull() || prior.IsUnknown() {
		return types.MapNull(types.StringType)
	}
	elems := map[string]attr.Value{}
	for k := range prior.Elements() {
		if v, ok := live[k]; ok {
			elems[k] = types.StringValue(v)
		}
	}
	return types.MapValueMust(types.StringType, elems)
}

// isProviderTagKey reports whether the provider owns a tag key.
func isProviderTagKey(k string) bool {
	return k == awsapi.TagManagedBy || strings.HasPrefix(k, "zerotrust:")
}

func providerTagKeys(tags map[string]string) []string {
	var keys []string
	for k := range tags {
		if isProviderTagKey(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// reservedTagKeys rejects user tags that would forge or break ownership.
type reservedTagKeys struct{}

func (reservedTagKeys) Description(context.Context) string {
	return "tag keys managed-by and zerotrust:* are reserved for the provider"
}
func (v reservedTagKeys) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (reservedTagKeys) ValidateMap(ctx context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for k := range req.ConfigValue.Elements() {
		if isProviderTagKey(k) {
			resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(k), "Reserved tag key",
				fmt.Sprintf("The tag key %q is reserved: the provider uses managed-by and zerotrust:* to mark what it owns.", k))
		}
	}
}

// ownershipIDAttribute is the computed ownership_id every resource that
// creates an object records (see awsapi.TagOwnership); description says
// where the id is written and what it decides for that resource.
func ownershipIDAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed:      true,
		Description:   description,
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}
