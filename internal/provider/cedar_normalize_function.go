package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze/whatif"
)

var _ function.Function = (*cedarNormalizeFunction)(nil)

func newCedarNormalizeFunction() function.Function { return &cedarNormalizeFunction{} }

// cedarNormalizeFunction is provider::zerotrust::cedar_normalize(text): the
// canonical form of any Cedar document, so hand-written or API-returned
// policies compare equal to compiled ones when they mean the same.
type cedarNormalizeFunction struct{}

func (f *cedarNormalizeFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "cedar_normalize"
}

func (f *cedarNormalizeFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Canonical form of a Cedar policy document",
		MarkdownDescription: "Parses `text` with cedar-go and returns it in the canonical form this provider compiles to: each " +
			"statement as cedar-go marshals it, forbid before permit, then by `@id`, one blank line between statements and one " +
			"trailing newline. Layout, comments and statement order do not survive; meaning does. Invalid Cedar is an error " +
			"naming the position.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "text", MarkdownDescription: "Cedar policy text (one or more statements)."},
		},
		Return: function.StringReturn{},
	}
}

func (f *cedarNormalizeFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var text string
	resp.Error = req.Arguments.Get(ctx, &text)
	if resp.Error != nil {
		return
	}
	out, err := whatif.Normalize(text)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, "Invalid Cedar: "+err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, out)
}
