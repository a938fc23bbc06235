package provider

import (
	"context"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// hclObject builds a request argument as Terraform passes an HCL object
// literal to a dynamic parameter: an object whose lists are tuples.
func hclObject(t testing.TB, attrs map[string]attr.Value) types.Dynamic {
	t.Helper()
	typesOf := map[string]attr.Type{}
	for k, v := range attrs {
		typesOf[k] = v.Type(context.Background())
	}
	o, diags := types.ObjectValue(typesOf, attrs)
	if diags.HasError() {
		t.Fatal(diags)
	}
	return types.DynamicValue(o)
}

func tuple(values ...string) attr.Value {
	elems := make([]attr.Value, len(values))
	ts := make([]attr.Type, len(values))
	for i, v := range values {
		elems[i], ts[i] = types.StringValue(v), types.StringType
	}
	return types.TupleValueMust(ts, elems)
}

func obj(attrs map[string]attr.Value) attr.Value {
	typesOf := map[string]attr.Type{}
	for k, v := range attrs {
		typesOf[k] = v.Type(context.Background())
	}
	return types.ObjectValueMust(typesOf, attrs)
}

func runEvaluate(t testing.TB, policy string, request types.Dynamic) (types.Object, *function.FuncError) {
	t.Helper()
	resp := function.RunResponse{Result: function.NewResultData(types.ObjectUnknown(evaluateReturnAttrTypes))}
	(&evaluateFunction{}).Run(context.Background(), function.RunRequest{
		Arguments: function.NewArgumentsData([]attr.Value{types.StringValue(policy), request}),
	}, &resp)
	if resp.Error != nil {
		return types.Object{}, resp.Error
	}
	return resp.Result.Value().(types.Object), nil
}

func TestEvaluateFunction_run(t *testing.T) {
	res := expectedPayments(t)
	trust := `{"identity_provider":{"type":"oidc","reference":"okta"},"device_trust_providers":[{"type":"jamf","reference":"jamf"}]}`
	request := func(groups []string, risk string, method string) types.Dynamic {
		return hclObject(t, map[string]attr.Value{
			"groups":        tuple(groups...),
			"mfa":           types.BoolValue(true),
			"device":        obj(map[string]attr.Value{"jamf": obj(map[string]attr.Value{"risk": types.StringValue(risk)})}),
			"method":        types.StringValue(method),
			"trust_context": types.StringValue(trust),
		})
	}
	cases := []struct {
		name    string
		req     types.Dynamic
		allowed bool
		rules   []string
		reason  string
	}{
		{"engineer, low risk", request([]string{"engineers"}, "LOW", "POST"), true, []string{"engineers-read-write"}, `allowed by permit "engineers-read-write"`},
		{"contractor, high risk", request([]string{"contractors"}, "HIGH", "POST"), false, nil, "denied: no rule permits the request"},
		{"quarantined", request([]string{"engineers", "quarantined"}, "SECURE", "GET"), false, []string{"quarantine"}, `denied by forbid "quarantine"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ferr := runEvaluate(t, res.GroupPolicy, tc.req)
			if ferr != nil {
				t.Fatal(ferr)
			}
			a := got.Attributes()
			var rules []string
			for _, r := range a["deciding_rules"].(types.List).Elements() {
				rules = append(rules, r.(types.String).ValueString())
			}
			if a["allowed"].(types.Bool).ValueBool() != tc.allowed || fmt.Sprint(rules) != fmt.Sprint(tc.rules) || a["reason"].(types.String).ValueString() != tc.reason {
				t.Errorf("got %s, want allowed=%v rules=%q reason=%q", got, tc.allowed, tc.rules, tc.reason)
			}
		})
	}
}

// A request's port decides against the application's port ranges: inside
// any range the policy decides; outside all of them nothing is reached.
func TestEvaluateFunction_portRanges(t *testing.T) {
	policy := `@id("oncall") permit (principal, action, resource);`
	for port, want := range map[int64]string{22: `allowed by permit "oncall"`, 8080: `allowed by permit "oncall"`,
		443: "denied: no endpoint listens on port 443 (the application's ports are 22, 8000-8080)"} {
		got, ferr := runEvaluate(t, policy, hclObject(t, map[string]attr.Value{
			"tcp": types.BoolValue(true), "port": types.NumberValue(big.NewFloat(float64(port))), "port_ranges": tuple("22", "8000-8080"),
		}))
		if ferr != nil {
			t.Fatal(ferr)
		}
		if reason := got.Attributes()["reason"].(types.String).ValueString(); reason != want {
			t.Errorf("port %d: reason %q, want %q", port, reason, want)
		}
	}
}

// The default trust context (idc, jamf, ...) applies when none is given,
// and a crowdstrike score arrives as a Terraform number.
func TestEvaluateFunction_defaultTrustContextAndNumbers(t *testing.T) {
	policy := `@id("healthy") permit (principal, action, resource) when { context has crowdstrike && context.crowdstrike has assessment && context.crowdstrike.assessment.overall >= 80 };`
	for score, want := range map[int64]bool{79: false, 80: true} {
		got, ferr := runEvaluate(t, policy, hclObject(t, map[string]attr.Value{
			"device": obj(map[string]attr.Value{"crowdstrike": obj(map[string]attr.Value{"overall": types.NumberValue(big.NewFloat(float64(score)))})}),
		}))
		if ferr != nil {
			t.Fatal(ferr)
		}
		if allowed := got.Attributes()["allowed"].(types.Bool).ValueBool(); allowed != want {
			t.Errorf("score %d: allowed %v, want %v", score, allowed, want)
		}
	}
}

func TestEvaluateFunction_argumentErrors(t *testing.T) {
	ok := `@id("a") permit (principal, action, resource);`
	cases := []struct {
		name   string
		policy string
		req    types.Dynamic
		arg    int64
		text   string
	}{
		{"invalid Cedar", "permit (", hclObject(t, map[string]attr.Value{}), 0, "Invalid Cedar policy"},
		{"typo in request", ok, hclObject(t, map[string]attr.Value{"gruops": tuple("a")}), 1, `request has an attribute "gruops", which a request does not have: its attributes are groups,`},
		{"request not an object", ok, types.DynamicValue(types.StringValue("engineers")), 1, "must be an object such as { groups = [\"engineers\"], method = \"GET\" }, got a string"},
		{"wrong type", ok, hclObject(t, map[string]attr.Value{"mfa": types.StringValue("yes")}), 1, "Invalid request: request.mfa cannot be string"},
		{"empty policy", "  ", hclObject(t, map[string]attr.Value{}), 0, "Invalid policy: the policy is empty"},
		{"bad client ip", ok, hclObject(t, map[string]attr.Value{"client_ip": types.StringValue("300.1.1.1")}), 1, "not an IP address"},
		{"bad trust context", ok, hclObject(t, map[string]attr.Value{"trust_context": types.StringValue(`{"identity_provider":{"type":"saml","reference":"x"}}`)}), 1, "Unknown identity provider type"},
		{"port ranges out of order", ok, hclObject(t, map[string]attr.Value{"port_ranges": tuple("8000-8080", "22")}), 1, `Invalid request.port_ranges: [1]: "22" overlaps or precedes "8000-8080"`},
		{"port range upside down", ok, hclObject(t, map[string]attr.Value{"port_ranges": tuple("80-22")}), 1, `"80-22" is not a port or range within 1–65535`},
		{"port out of range", ok, hclObject(t, map[string]attr.Value{"port": types.NumberValue(big.NewFloat(70000))}), 1, "port: a TCP port is 1–65535, got 70000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, ferr := runEvaluate(t, tc.policy, tc.req)
			if ferr == nil {
				t.Fatal("no error")
			}
			if ferr.FunctionArgument == nil || *ferr.FunctionArgument != tc.arg || !strings.Contains(ferr.Text, tc.text) {
				t.Errorf("got argument %v %q, want argument %d containing %q", ferr.FunctionArgument, ferr.Text, tc.arg, tc.text)
			}
		})
	}
}

func TestAccFunctionEvaluate(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: verifyFactories,
		Steps: []resource.TestStep{
			// Failing steps first: the post-test destroy runs the last step's configuration.
			{
				Config:      `output "x" { value = provider::zerotrust::evaluate("permit (principal, action, resource);", { method = "GET", metod = "POST" }) }`,
				ExpectError: regexp.MustCompile(`(?s)Invalid request:.*request\s+has\s+an\s+attribute\s+"metod"`),
			},
			{
				Config: paymentsDocument + `
locals {
  doc = data.zerotrust_policy_document.payments
}
output "engineer" {
  value = provider::zerotrust::evaluate(local.doc.policy_document, {
    groups = ["engineers"], mfa = true, device = { jamf = { risk = "LOW" } }, method = "GET", trust_context = local.doc.trust_context
  })
}
output "contractor" {
  value = provider::zerotrust::evaluate(local.doc.policy_document, {
    groups = ["contractors"], mfa = true, device = { jamf = { risk = "HIGH" } }, method = "POST", trust_context = local.doc.trust_context
  })
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("engineer", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"allowed":        knownvalue.Bool(true),
						"deciding_rules": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("engineers-read-write")}),
						"reason":         knownvalue.StringExact(`allowed by permit "engineers-read-write"`),
					})),
					statecheck.ExpectKnownOutputValue("contractor", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"allowed":        knownvalue.Bool(false),
						"deciding_rules": knownvalue.ListSizeExact(0),
						"reason":         knownvalue.StringExact("denied: no rule permits the request"),
					})),
				},
			},
		},
	})
}

// BenchmarkEvaluateFunction100Rules measures decisions per second through
// the function's Run path (argument decoding, trust context, evaluation,
// result object) for a 100-rule restricted surface.
func BenchmarkEvaluateFunction100Rules(b *testing.B) {
	proxy := model.AccessProxy{Name: "p", IdentityProvider: model.IdentityProvider{Type: model.IdentityOIDC, Reference: "okta"},
		DeviceProviders: []model.DeviceTrustProvider{{Type: model.DeviceJamf, Reference: "jamf"}}}
	s := model.ProtectSurface{Name: "bench", Sensitivity: "restricted", Proxy: proxy}
	for i := range 100 {
		s.AccessRules = append(s.AccessRules, model.AccessRule{Name: fmt.Sprintf("team-%03d", i), Effect: model.EffectPermit, Groups: []string{fmt.Sprintf("team-%d", i)},
			Device: &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: "LOW"}}, RequireMFA: true, Methods: []string{"GET", "POST"}})
	}
	res, ps := verifiedaccess.Compile(s, verifiedaccess.Options{})
	if ps.HasErrors() {
		b.Fatal(ps)
	}
	req := hclObject(b, map[string]attr.Value{
		"groups":        tuple("team-99"),
		"mfa":           types.BoolValue(true),
		"device":        obj(map[string]attr.Value{"jamf": obj(map[string]attr.Value{"risk": types.StringValue("LOW")})}),
		"method":        types.StringValue("POST"),
		"trust_context": types.StringValue(trustContextString(proxy)),
	})
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		got, ferr := runEvaluate(b, res.GroupPolicy, req)
		if ferr != nil || !got.Attributes()["allowed"].(types.Bool).ValueBool() {
			b.Fatal(ferr, got)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "decisions/s")
}
