package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

func runNormalize(text string) (string, *function.FuncError) {
	resp := function.RunResponse{Result: function.NewResultData(types.StringUnknown())}
	(&cedarNormalizeFunction{}).Run(context.Background(), function.RunRequest{
		Arguments: function.NewArgumentsData([]attr.Value{types.StringValue(text)}),
	}, &resp)
	if resp.Error != nil {
		return "", resp.Error
	}
	return resp.Result.Value().(types.String).ValueString(), nil
}

const messyCedar = `// hand-written
@id("b-permit") permit(principal,action,resource) when {context.http_request.http_method=="GET"};
@id("a-forbid")
forbid ( principal , action , resource )
  when { context.http_request.http_method == "DELETE" } ;`

const canonicalCedar = `@id("a-forbid")
forbid ( principal, action, resource )
when { context.http_request.http_method == "DELETE" };

@id("b-permit")
permit ( principal, action, resource )
when { context.http_request.http_method == "GET" };
`

func TestCedarNormalizeFunction_run(t *testing.T) {
	got, ferr := runNormalize(messyCedar)
	if ferr != nil {
		t.Fatal(ferr)
	}
	if got != canonicalCedar {
		t.Errorf("got:\n%s\nwant:\n%s", got, canonicalCedar)
	}
	// The compiler's output is already canonical.
	res := expectedPayments(t)
	if got, ferr := runNormalize(res.GroupPolicy); ferr != nil || got != res.GroupPolicy {
		t.Errorf("compiled policy changed: %v\n%s", ferr, got)
	}
	_, ferr = runNormalize(`permit (principal, action, resource) when { context.x == };`)
	if ferr == nil || ferr.FunctionArgument == nil || *ferr.FunctionArgument != 0 || !strings.Contains(ferr.Text, "Invalid Cedar") {
		t.Errorf("invalid Cedar: got %v", ferr)
	}
}

func TestAccFunctionCedarNormalize(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: verifyFactories,
		Steps: []resource.TestStep{
			// Failing steps first: the post-test destroy runs the last step's configuration.
			{
				Config:      `output "x" { value = provider::zerotrust::cedar_normalize("permit (principal, action, resource) when { nope") }`,
				ExpectError: regexp.MustCompile(`Invalid Cedar`),
			},
			{
				Config: paymentsDocument + `
output "normalized" {
  value = provider::zerotrust::cedar_normalize(<<-EOT
` + messyCedar + `
EOT
  )
}
output "compiled_is_canonical" {
  value = provider::zerotrust::cedar_normalize(data.zerotrust_policy_document.payments.policy_document) == data.zerotrust_policy_document.payments.policy_document
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("normalized", knownvalue.StringExact(canonicalCedar)),
					statecheck.ExpectKnownOutputValue("compiled_is_canonical", knownvalue.Bool(true)),
				},
			},
		},
	})
}
