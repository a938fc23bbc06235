package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The reachability data source's flows are a dynamic value read here, not
// a typed list of objects: Terraform converts an object literal to a typed
// nested attribute by dropping every attribute the type does not have, so
// a flow written { from = "web", to = "db", ... } lost its source without a
// word. Read as written, an attribute a flow does not have is an error at
// the flow, naming the ones it has.

// reachFlowAttributes are a flow's attributes, in documentation order.
var reachFlowAttributes = []string{"to", "segment", "cidr_blocks", "protocol", "ports", "acknowledgement"}

// reachFlowHints name the attribute meant by a likely slip.
var reachFlowHints = map[string]string{
	"from": "segment", "source": "segment", "from_segment": "segment", "peer": "segment",
	"cidr": "cidr_blocks", "cidrs": "cidr_blocks", "cidr_block": "cidr_blocks",
	"port": "ports", "proto": "protocol", "destination": "to", "into": "to",
}

const reachFlowExample = `{ to = "db", segment = "app", ports = ["5432"] }`

// decodeReachFlows reads the flows attribute: null or a list of objects
// with only a flow's attributes, strings where a flow has strings and lists
// of strings where it has lists (numbers are taken as their decimal text,
// as Terraform's conversion to string would).
func decodeReachFlows(ctx context.Context, d types.Dynamic, diags *diag.Diagnostics) []reachFlowModel {
	root := path.Root("flows")
	if d.IsNull() || d.IsUnderlyingValueNull() {
		return nil
	}
	tv, err := d.UnderlyingValue().ToTerraformValue(ctx)
	if err == nil {
		var v any
		if v, err = plainValue(tv); err == nil {
			list, ok := v.([]any)
			if !ok {
				diags.AddAttributeError(root, "Invalid flows", fmt.Sprintf("flows must be a list of flow objects such as [%s], got %s.", reachFlowExample, valueKind(v)))
				return nil
			}
			out := make([]reachFlowModel, 0, len(list))
			for i, e := range list {
				if f, ok := decodeReachFlow(root.AtListIndex(i), e, diags); ok {
					out = append(out, f)
				}
			}
			return out
		}
	}
	diags.AddAttributeError(root, "Invalid flows", fmt.Sprintf("flows cannot be read: %v. Write a list of flow objects such as [%s].", err, reachFlowExample))
	return nil
}

func decodeReachFlow(at path.Path, v any, diags *diag.Diagnostics) (reachFlowModel, bool) {
	obj, ok := v.(map[string]any)
	if !ok {
		diags.AddAttributeError(at, "Invalid flow", fmt.Sprintf("%s must be an object such as %s.", at, reachFlowExample))
		return reachFlowModel{}, false
	}
	var unknown []string
	for k := range obj {
		if !contains(reachFlowAttributes, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		hint := ""
		if meant, ok := reachFlowHints[k]; ok {
			hint = fmt.Sprintf(" Did you mean %s?", meant)
		}
		diags.AddAttributeError(at, "Unknown flow attribute",
			fmt.Sprintf("%s has an attribute %q, which a flow does not have: a flow's attributes are %s.%s",
				at, k, strings.Join(reachFlowAttributes, ", "), hint))
	}
	f := reachFlowModel{
		To:              reachString(at, "to", obj, diags),
		Segment:         reachString(at, "segment", obj, diags),
		CIDRBlocks:      reachStrings(at, "cidr_blocks", obj, diags),
		Protocol:        reachString(at, "protocol", obj, diags),
		Ports:           reachStrings(at, "ports", obj, diags),
		Acknowledgement: reachString(at, "acknowledgement", obj, diags),
	}
	if f.To.IsNull() {
		diags.AddAttributeError(at, "Missing flow destination", fmt.Sprintf("%s has no to: name the segment the flow enters, e.g. %s.", at, reachFlowExample))
	}
	return f, len(unknown) == 0 && !diags.HasError()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// scalarText is a string, or a number's decimal text.
func scalarText(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case json.Number:
		return s.String(), true
	}
	return "", false
}

func reachString(at path.Path, name string, obj map[string]any, diags *diag.Diagnostics) types.String {
	v, set := obj[name]
	if !set || v == nil {
		return types.StringNull()
	}
	s, ok := scalarText(v)
	if !ok {
		diags.AddAttributeError(at.AtName(name), "Invalid flow attribute", fmt.Sprintf("%s must be a string, got %s.", at.AtName(name), valueKind(v)))
		return types.StringNull()
	}
	return types.StringValue(s)
}

func reachStrings(at path.Path, name string, obj map[string]any, diags *diag.Diagnostics) types.List {
	v, set := obj[name]
	if !set || v == nil {
		return types.ListNull(types.StringType)
	}
	list, ok := v.([]any)
	if !ok {
		diags.AddAttributeError(at.AtName(name), "Invalid flow attribute", fmt.Sprintf("%s must be a list of strings, such as %s; got %s.", at.AtName(name), reachListExample[name], valueKind(v)))
		return types.ListNull(types.StringType)
	}
	elems := make([]attr.Value, 0, len(list))
	for j, e := range list {
		s, ok := scalarText(e)
		if !ok {
			diags.AddAttributeError(at.AtName(name).AtListIndex(j), "Invalid flow attribute", fmt.Sprintf("%s must be a string.", at.AtName(name).AtListIndex(j)))
			return types.ListNull(types.StringType)
		}
		elems = append(elems, types.StringValue(s))
	}
	return types.ListValueMust(types.StringType, elems)
}

var reachListExample = map[string]string{"cidr_blocks": `["10.0.0.0/8"]`, "ports": `["443", "8000-8080"]`}

// valueKind names the kind of a decoded value for a user.
func valueKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a bool"
	}
	return "null"
}
