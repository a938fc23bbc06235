package provider

import (
	"context"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/provider/syntaxtypes"
)

// Conversions between framework values and Go values, in one place so every
// resource treats null, unknown and empty the same way.

// collection is a list or set value.
type collection interface {
	IsNull() bool
	IsUnknown() bool
	Elements() []attr.Value
}

// knownStrings returns the elements of a list or set of strings in element
// order, and false when the collection or any element is unknown (null is
// known and empty).
func knownStrings(c collection) ([]string, bool) {
	if c.IsUnknown() {
		return nil, false
	}
	elems := c.Elements()
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		s, isStr := asString(e)
		if !isStr || s.IsUnknown() {
			return nil, false
		}
		out = append(out, s.ValueString())
	}
	return out, true
}

// sortedStrings is knownStrings sorted, for sets; unknown reads as empty.
func sortedStrings(c collection) []string {
	out, _ := knownStrings(c)
	slices.Sort(out)
	return out
}

// stringMap reads a map of strings; null and unknown read as empty.
func stringMap(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out
	}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out
}

func stringValues(values []string) []attr.Value {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return elems
}

func stringList(values []string) types.List {
	return types.ListValueMust(types.StringType, stringValues(values))
}

func stringSet(values []string) types.Set {
	return types.SetValueMust(types.StringType, stringValues(values))
}

func stringMapValue(m map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func nullIfEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func valueOr(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// cidrList is a list of CIDR blocks as configured (syntaxtypes.CIDR elements).
func cidrList(values []string) types.List {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = syntaxtypes.NewCIDR(v)
	}
	return types.ListValueMust(syntaxtypes.CIDRType{}, elems)
}

// asString reads a string element, custom string types (syntaxtypes)
// included.
func asString(e attr.Value) (types.String, bool) {
	sv, ok := e.(basetypes.StringValuable)
	if !ok {
		return types.String{}, false
	}
	s, diags := sv.ToStringValue(context.Background())
	return s, !diags.HasError()
}

// unknownCollection reports whether a configuration holds a list, set, map
// or object that is unknown as a whole — what a dynamic block over a value
// not yet known (a module's input during validate) produces. Such blocks
// cannot be read into the Go slices and pointers models use for blocks;
// ValidateConfig then skips the checks that need them, and Terraform calls
// it again at plan with the values known.
func unknownCollection(raw tftypes.Value) bool {
	found := false
	_ = tftypes.Walk(raw, func(_ *tftypes.AttributePath, v tftypes.Value) (bool, error) {
		if found {
			return false, nil
		}
		if !v.IsKnown() {
			switch v.Type().(type) {
			case tftypes.List, tftypes.Set, tftypes.Map, tftypes.Object, tftypes.Tuple:
				found = true
			}
			return false, nil
		}
		return true, nil
	})
	return found
}
