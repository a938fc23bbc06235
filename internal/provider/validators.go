package provider

import (
	"context"

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
