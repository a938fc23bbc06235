package provider

import (
	"context"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

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

// wholeNumber accepts a whole number in [min, max]. A number attribute with
// this validator replaces an Int64 one where configuration may hold a
// fraction: the framework cannot convert 50.5 to an Int64 and would report
// an internal error instead of a diagnostic at the attribute.
type wholeNumber struct{ min, max int64 }

func (v wholeNumber) Description(context.Context) string {
	return fmt.Sprintf("a whole number from %d to %d", v.min, v.max)
}
func (v wholeNumber) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (v wholeNumber) ValidateNumber(_ context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	f := req.ConfigValue.ValueBigFloat()
	i, accuracy := f.Int64()
	if !f.IsInt() || accuracy != big.Exact || i < v.min || i > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid number", fmt.Sprintf("%s must be a whole number from %d to %d, got %s", req.Path, v.min, v.max, f.Text('g', -1)))
	}
}
