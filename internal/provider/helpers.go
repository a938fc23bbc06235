package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	awstarget "github.com/ztforge/terraform-provider-zerotrust/internal/target/aws"
)

// configureClients extracts the client factory handed over by the provider.
func configureClients(data any, diags *diag.Diagnostics) *clientFactory {
	if data == nil {
		return nil // ValidateResourceConfig runs before the provider is configured.
	}
	f, ok := data.(*clientFactory)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *clientFactory, got %T; this is a bug in the provider", data))
		return nil
	}
	return f
}

func stringMap(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out
	}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out
}

func stringList(values []string) types.List {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.ListValueMust(types.StringType, elems)
}

func mergeTags(have, want map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range have {
		out[k] = v
	}
	for k, v := range want {
		out[k] = v
	}
	return out
}

func sortedMapKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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
	return k == awstarget.TagManagedBy || strings.HasPrefix(k, "zerotrust:")
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

func valueOr(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
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

func sortStable[T any](s []T, less func(a, b T) bool) {
	sort.SliceStable(s, func(i, j int) bool { return less(s[i], s[j]) })
}
