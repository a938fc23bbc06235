package verifiedaccess

import (
	"strings"
	"testing"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/x/exp/ast"
	"github.com/cedar-policy/cedar-go/x/exp/schema/validate"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// TestNarrowedContextTypesLikeTheFullOne: the validator's verdict on a
// statement (error or not, and the message) is the same against the full
// context and against the context narrowed to what the statement mentions,
// for compiled statements and for hand-written ones that use records as
// values, misuse types, or read undeclared attributes.
func TestNarrowedContextTypesLikeTheFullOne(t *testing.T) {
	proxy := model.AccessProxy{
		IdentityProvider: model.IdentityProvider{Type: model.IdentityIAMIdentityCenter, Reference: "idc", MFAEnforced: true},
		DeviceProviders:  []model.DeviceTrustProvider{{Type: model.DeviceJamf, Reference: "jamf"}, {Type: model.DeviceCrowdStrike, Reference: "crwd"}, {Type: model.DeviceJumpCloud, Reference: "jc"}},
	}
	groups := []string{"c242c5b0-6081-1845-6fa8-6e0d9513c107", "9067f3a2-b0e1-4b1c-8f2e-0a1b2c3d4e5f"}
	res, err := ContextSchema(proxy, groups).Resolve()
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, r := range []model.AccessRule{
		{Name: "a", Effect: model.EffectPermit, Groups: groups, Methods: []string{"GET"}, PathPrefixes: []string{"/x"}, ClientCIDRs: []string{"10.0.0.0/8"}},
		{Name: "b", Effect: model.EffectForbid, Device: &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: "LOW"}, CrowdStrike: &model.CrowdStrikeRequirement{MinOverallScore: 3}, JumpCloud: &model.JumpCloudRequirement{Managed: true}, Combine: model.CombineAnyOf}},
		{Name: "c", Effect: model.EffectPermit, RequireVerifiedEmail: true, RequireMFA: true},
	} {
		texts = append(texts, string(Statement(r, proxy).MarshalCedar()))
	}
	texts = append(texts,
		`permit (principal, action, resource) when { context.jamf == {"risk": "LOW"} };`,
		`permit (principal, action, resource) when { context has jamf && context has crwd && context.jamf == context.crwd };`,
		`permit (principal, action, resource) when { context.idc.groups == {} };`,
		`permit (principal, action, resource) when { context has idc && context.idc has groups && context.idc.groups == {} };`,
		`permit (principal, action, resource) when { context == {} };`,
		`permit (principal, action, resource) when { context.http_request == {"http_method": "GET"} };`,
		`permit (principal, action, resource) when { context.http_request.http_method == 3 };`,
		`permit (principal, action, resource) when { context has jamf && context.jamf has risk && context.jamf.risk in ["LOW"] };`,
		`permit (principal, action, resource) when { context has okta && context.okta.x };`,
		`permit (principal, action, resource) when { context has idc && context.idc has groups && context.idc.groups has "c242c5b0-6081-1845-6fa8-6e0d9513c107" && context.idc.groups["c242c5b0-6081-1845-6fa8-6e0d9513c107"].group_name == "x" };`,
		`permit (principal, action, resource) when { context has idc && context.idc has groups && context.idc.groups has "c242c5b0-6081-1845-6fa8-6e0d9513c107" && context.idc.groups["c242c5b0-6081-1845-6fa8-6e0d9513c107"] has group_name && context.idc.groups["c242c5b0-6081-1845-6fa8-6e0d9513c107"].group_name == 1 };`,
		`permit (principal, action, resource) when { (if context has jamf then context.jamf else context.crwd) has risk };`,
	)
	refused := 0
	for _, text := range texts {
		p, err := cedar.NewPolicyListFromBytes("", []byte(text))
		if err != nil || len(p) != 1 {
			t.Fatalf("%s: %v", text, err)
		}
		policy := (*ast.Policy)(p[0].AST())
		fullErr := validate.New(res, validate.WithPermissive()).Policy("p", policy)
		narrowErr := validate.New(narrowSchema(res, policy), validate.WithPermissive()).Policy("p", policy)
		// cedar-go reports a statement's errors in map order, and the
		// narrowed run now and then lists fewer of them, so the verdicts
		// (all the compiler uses) must agree and every message of the
		// narrowed run must be one the full run gives.
		if (fullErr == nil) != (narrowErr == nil) {
			t.Errorf("%s\nfull context: %v\nnarrowed:     %v", text, fullErr, narrowErr)
		}
		if narrowErr != nil {
			for _, line := range strings.Split(narrowErr.Error(), "\n") {
				if !strings.Contains(fullErr.Error(), line) {
					t.Errorf("%s\nnarrowing invents %q (full context: %v)", text, line, fullErr)
				}
			}
		}
		if fullErr != nil {
			refused++
		}
	}
	// The hand-written cases must include type errors, or agreement on them
	// proves little.
	t.Logf("%d statements, %d refused", len(texts), refused)
	if refused < 4 {
		t.Fatalf("only %d statements refused", refused)
	}
}
