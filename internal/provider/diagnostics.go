package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// tfPath maps a model path onto a Terraform attribute path under base. Model
// paths use the schema's attribute names, so the mapping is one-to-one.
func tfPath(base path.Path, p model.Path) path.Path {
	out := base
	for _, s := range p {
		if s.Name != "" {
			out = out.AtName(s.Name)
		} else {
			out = out.AtListIndex(s.Index)
		}
	}
	return out
}

// appendProblems turns model findings into attribute-pathed diagnostics.
func appendProblems(diags *diag.Diagnostics, base path.Path, problems model.Problems) {
	for _, p := range problems.Sorted() {
		at := tfPath(base, p.Path)
		detail := p.Detail
		if detail == "" {
			detail = p.Summary
		}
		if p.Severity == model.Warning {
			diags.AddAttributeWarning(at, p.Summary, detail)
		} else {
			diags.AddAttributeError(at, p.Summary, detail)
		}
	}
}
