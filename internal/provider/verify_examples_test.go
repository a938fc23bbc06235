package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// The documentation examples of the verification data sources and functions
// are self-contained, so they are applied as written: an example that stops
// working (or whose check block would warn) fails here, not in a reader's
// terminal. The maturity assessment's example takes resources, so it is
// applied with them in the sandbox (TestAccDataSourceMaturityAssessment_example).
func TestAccDataSourceExamples(t *testing.T) {
	read := func(rel string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cases := map[string][]statecheck.StateCheck{
		"data-sources/zerotrust_policy_document/data-source.tf": {
			statecheck.ExpectKnownOutputValue("payments_policy", knownvalue.StringRegexp(regexpMust(`(?s)^@id\("quarantine"\)\nforbid.*@id\("engineers-read-write"\)\npermit`))),
		},
		"data-sources/zerotrust_access_decision/data-source.tf": {
			statecheck.ExpectKnownValue("data.zerotrust_access_decision.contractor_high_risk", tfjsonpath.New("allowed"), knownvalue.Bool(false)),
			statecheck.ExpectKnownValue("data.zerotrust_access_decision.engineer_low_risk", tfjsonpath.New("allowed"), knownvalue.Bool(true)),
		},
		"data-sources/zerotrust_reachability/data-source.tf": {
			statecheck.ExpectKnownOutputValue("routes_into_db", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringExact("app -> db"), knownvalue.StringExact("web -> app -> db"), knownvalue.StringExact("0.0.0.0/0 -> web -> app -> db"),
			})),
		},
		"functions/evaluate/function.tf": {
			statecheck.ExpectKnownOutputValue("decisions", knownvalue.MapExact(map[string]knownvalue.Check{
				"engineer":   knownvalue.StringExact(`allowed by permit "engineers-read-write"`),
				"weak_score": knownvalue.StringExact("denied: no rule permits the request"),
				"contractor": knownvalue.StringExact("denied: no rule permits the request"),
			})),
		},
		"functions/cedar_normalize/function.tf": {
			statecheck.ExpectKnownOutputValue("canonical", knownvalue.StringExact("@id(\"auditors-read\")\npermit ( principal, action, resource )\nwhen { context.http_request.http_method == \"GET\" };\n")),
		},
	}
	for rel, checks := range cases {
		t.Run(rel, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: verifyFactories,
				Steps:                    []resource.TestStep{{Config: read(rel), ConfigStateChecks: checks}},
			})
		})
	}
}

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }
