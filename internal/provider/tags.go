package provider

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// Tags: which keys the provider owns, the validator that keeps users off
// them, and the flatteners that read the user's tags back from live ones.

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

// mergeTags returns have overlaid with want.
func mergeTags(have, want map[string]string) map[string]string {
	out := maps.Clone(have)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, want)
	return out
}

// flattenUserTags reports, from the live tags, the user tags the prior state
// declared: a declared tag changed or removed out of band is drift; tags
// others added are not ours and are ignored.
func flattenUserTags(live map[string]string, prior types.Map) types.Map {
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

// flattenImportedUserTags treats every tag the provider does not own as the
// user's, except the Name tag the provider sets to the object's name by
// default.
func flattenImportedUserTags(live map[string]string, name string) types.Map {
	elems := map[string]attr.Value{}
	for k, v := range live {
		if isProviderTagKey(k) || (k == "Name" && v == name) {
			continue
		}
		elems[k] = types.StringValue(v)
	}
	if len(elems) == 0 {
		return types.MapNull(types.StringType)
	}
	return types.MapValueMust(types.StringType, elems)
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
