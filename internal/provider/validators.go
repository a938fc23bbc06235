package provider

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// portSpec validates a port or port range with the model's own parser, so
// the schema, the expander and the compilers agree on the syntax; the
// values (range, order, port 0) are checked with the flow (ValidateConfig).
type portSpec struct{}

func (portSpec) Description(context.Context) string {
	return `a port ("443") or an inclusive range ("8000-8080")`
}
func (v portSpec) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (portSpec) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := model.ParsePortSpec(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid port", err.Error())
	}
}

// wholeNumber accepts a whole number in [min, max] (max math.MaxInt64: no
// upper bound). A number attribute with this validator replaces an Int64
// one wherever configuration sets the value: the framework cannot convert
// 50.5 to an Int64 and would report an internal "Value Conversion Error"
// instead of a diagnostic at the attribute. Read the value with wholeValue.
type wholeNumber struct{ min, max int64 }

// atLeastZero rejects negative or fractional counts and durations at their
// attribute.
var atLeastZero = []validator.Number{wholeNumber{min: 0, max: math.MaxInt64}}

func (v wholeNumber) Description(context.Context) string {
	if v.max == math.MaxInt64 {
		return fmt.Sprintf("a whole number of at least %d", v.min)
	}
	return fmt.Sprintf("a whole number from %d to %d", v.min, v.max)
}
func (v wholeNumber) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (v wholeNumber) ValidateNumber(ctx context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	f := req.ConfigValue.ValueBigFloat()
	i, accuracy := f.Int64()
	if !f.IsInt() || accuracy != big.Exact || i < v.min || i > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid number", fmt.Sprintf("%s must be %s, got %s", req.Path, v.Description(ctx), f.Text('g', -1)))
	}
}

// wholeValue is the value of a wholeNumber attribute, and false when it is
// null, unknown or not a whole int64 (which the validator reports at the
// attribute before any read, so callers take false as "unset").
func wholeValue(n types.Number) (int64, bool) {
	if n.IsNull() || n.IsUnknown() {
		return 0, false
	}
	f := n.ValueBigFloat()
	if f == nil || !f.IsInt() {
		return 0, false
	}
	i, accuracy := f.Int64()
	if accuracy != big.Exact {
		return 0, false
	}
	return i, true
}

// wholeInt is wholeValue as an int, 0 when unset.
func wholeInt(n types.Number) int {
	i, _ := wholeValue(n)
	return int(i)
}

// wholeNumberValue is i as the value of a wholeNumber attribute.
func wholeNumberValue(i int64) types.Number {
	return types.NumberValue(new(big.Float).SetInt64(i))
}

// onePeer requires exactly one peer kind in a flow block. It reads the
// block's own attributes: the framework's ExactlyOneOf matched its path
// expressions by walking the whole configuration once per block, which made
// validating n flows cost n² (half of a 500-flow plan's CPU).
type onePeer struct{}

var peerAttributes = []string{"segment", "cidr_blocks", "prefix_list_ids"}

func (onePeer) Description(context.Context) string {
	return "exactly one of " + strings.Join(peerAttributes, ", ") + " is set"
}
func (v onePeer) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (onePeer) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attrs := req.ConfigValue.Attributes()
	var set []string
	for _, name := range peerAttributes {
		v, ok := attrs[name]
		if !ok {
			continue
		}
		if v.IsUnknown() {
			return // decided once the value is known
		}
		if !v.IsNull() {
			set = append(set, name)
		}
	}
	switch len(set) {
	case 1:
	case 0:
		resp.Diagnostics.AddAttributeError(req.Path, "Exactly one peer per flow",
			"Set exactly one of segment, cidr_blocks or prefix_list_ids in this block; none is set.")
	default:
		resp.Diagnostics.AddAttributeError(req.Path, "Exactly one peer per flow",
			fmt.Sprintf("Set exactly one of segment, cidr_blocks or prefix_list_ids in this block; %d are set (%s). Write one block per peer kind.", len(set), strings.Join(set, ", ")))
	}
}

// checkEndpointURL returns a reason when s is set but is not an absolute
// http(s) URL (the provider's endpoint overrides, checked in clients.go).
func checkEndpointURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Sprintf("must be an absolute http:// or https:// URL, got %q.", s)
	}
	return ""
}

// notBlank refuses an empty or white-space-only string at its attribute,
// with why it matters and what to write instead: an empty value that would
// otherwise be taken as "nothing" and decide silently.
type notBlank struct{ summary, detail string }

func (v notBlank) Description(context.Context) string { return "not empty or only white space" }
func (v notBlank) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}
func (v notBlank) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || strings.TrimSpace(req.ConfigValue.ValueString()) != "" {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("%s is empty. %s", req.Path, v.detail))
}

// requiredInBlock is a Required attribute of a nested block that the schema
// must declare Optional: the framework reports a Required attribute of a
// single nested block missing even when the block itself is left out. It
// refuses a null value while the enclosing block is present, with the
// block's path, and marks the attribute for the generated docs, which show
// it as Required (RequiredPaths).
type requiredInBlock struct{}

func (requiredInBlock) Description(context.Context) string {
	return "required when the enclosing block is present"
}
func (v requiredInBlock) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

// check reports the attribute at p missing when value is null and its
// enclosing block is set.
func (requiredInBlock) check(ctx context.Context, p path.Path, cfg tfsdk.Config, null bool, diags *diag.Diagnostics) {
	if !null {
		return
	}
	var parent attr.Value
	if d := cfg.GetAttribute(ctx, p.ParentPath(), &parent); d.HasError() || parent == nil || parent.IsNull() || parent.IsUnknown() {
		return
	}
	name, block := lastStep(p), lastStep(p.ParentPath())
	diags.AddAttributeError(p, "Missing "+name, fmt.Sprintf("%s is required when the %s block is present.", p.String(), block))
}

func (v requiredInBlock) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	v.check(ctx, req.Path, req.Config, req.ConfigValue.IsNull(), &resp.Diagnostics)
}

func (v requiredInBlock) ValidateNumber(ctx context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	v.check(ctx, req.Path, req.Config, req.ConfigValue.IsNull(), &resp.Diagnostics)
}

// lastStep is the name of the last attribute or block of p, skipping list
// indexes (application[0] is the application block).
func lastStep(p path.Path) string {
	steps := p.Steps()
	for i := len(steps) - 1; i >= 0; i-- {
		if n, ok := steps[i].(path.PathStepAttributeName); ok {
			return string(n)
		}
	}
	return ""
}
