package analyze_test

import (
	"fmt"
	"net/netip"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze"
	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// What-if: does a contractor on a high-risk device reach payments? The
// compiled Cedar (evaluated by cedar-go) and the model's own semantics
// answer alike.
func ExampleCompiledSurface_Decide() {
	s := model.ProtectSurface{
		Name:        "payments",
		Sensitivity: "restricted",
		Proxy: model.AccessProxy{
			Name:             "corp",
			IdentityProvider: model.IdentityProvider{Type: "iam-identity-center", Reference: "idc", MFAEnforced: true},
			DeviceProviders:  []model.DeviceTrustProvider{{Type: "jamf", Reference: "jamf"}},
		},
		Applications: []model.Application{{Name: "payments-admin"}},
		AccessRules: []model.AccessRule{
			{
				Name: "engineers-read-write", Effect: "permit", Groups: []string{"c242c5b0-6081-1845-6fa8-6e0d9513c107"},
				Device: &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: "LOW"}}, RequireMFA: true, Methods: []string{"GET", "POST"},
			},
			{Name: "no-contractors", Effect: "forbid", Groups: []string{"9067f3a2-b0e1-4b1c-8f2e-0a1b2c3d4e5f"}},
		},
	}
	res, problems := verifiedaccess.Compile(s, verifiedaccess.Options{})
	if problems.HasErrors() {
		fmt.Println(problems)
		return
	}
	compiled, err := analyze.NewCompiledSurface(s, res)
	if err != nil {
		fmt.Println(err)
		return
	}
	risk := func(r string) *analyze.JamfFacts { return &analyze.JamfFacts{Risk: &r} }
	requests := map[string]analyze.Request{
		"engineer, low-risk Mac": {
			Identity: &analyze.Identity{Groups: []string{"c242c5b0-6081-1845-6fa8-6e0d9513c107"}},
			Jamf:     risk("LOW"), Method: "POST", Path: "/orders", ClientIP: netip.MustParseAddr("10.0.0.7"),
		},
		"contractor, high-risk device": {
			Identity: &analyze.Identity{Groups: []string{"9067f3a2-b0e1-4b1c-8f2e-0a1b2c3d4e5f"}},
			Jamf:     risk("HIGH"), Method: "POST", Path: "/orders",
		},
		"engineer, no device agent": {
			Identity: &analyze.Identity{Groups: []string{"c242c5b0-6081-1845-6fa8-6e0d9513c107"}},
			Method:   "GET", Path: "/orders",
		},
	}
	for _, name := range []string{"engineer, low-risk Mac", "contractor, high-risk device", "engineer, no device agent"} {
		cedarSays, _ := compiled.Decide("payments-admin", requests[name])
		modelSays, _ := analyze.Reference(s, "payments-admin", requests[name])
		fmt.Printf("%-29s cedar: %-30s model: %s\n", name, cedarSays, modelSays)
	}
	// Output:
	// engineer, low-risk Mac        cedar: allow by engineers-read-write  model: allow by engineers-read-write
	// contractor, high-risk device  cedar: deny by no-contractors         model: deny by no-contractors
	// engineer, no device agent     cedar: deny                           model: deny
}

// What-if from policy text alone, as the zerotrust_access_decision data
// source asks it: the planned group policy, and the trust providers (type
// and policy reference name) of the access proxy.
func ExampleEvaluator_Evaluate() {
	proxy := model.AccessProxy{
		Name:             "corp",
		IdentityProvider: model.IdentityProvider{Type: "oidc", Reference: "okta"},
		DeviceProviders:  []model.DeviceTrustProvider{{Type: "jamf", Reference: "jamf"}},
	}
	groupPolicy := `@id("contractors-out")
forbid ( principal, action, resource )
when { context has okta && context.okta has groups && context.okta.groups.contains("contractors") };

@id("engineers")
permit ( principal, action, resource )
when { context.http_request.http_method == "GET" }
when { context has okta && context.okta has groups && context.okta.groups.contains("eng") }
when { context has jamf && context.jamf has risk && ["LOW", "SECURE"].contains(context.jamf.risk) };
`
	ev, err := analyze.NewEvaluator(proxy, analyze.Documents{Group: groupPolicy})
	if err != nil {
		fmt.Println(err)
		return
	}
	risk := func(r string) *analyze.JamfFacts { return &analyze.JamfFacts{Risk: &r} }
	for _, req := range []analyze.Request{
		{Identity: &analyze.Identity{Groups: []string{"eng"}}, Jamf: risk("LOW"), Method: "GET", Path: "/", Host: "wiki.example.com"},
		{Identity: &analyze.Identity{Groups: []string{"eng", "contractors"}}, Jamf: risk("LOW"), Method: "GET", Path: "/"},
		{Identity: &analyze.Identity{Groups: []string{"eng"}}, Jamf: risk("HIGH"), Method: "GET", Path: "/"},
	} {
		v := ev.Evaluate(req)
		fmt.Println(v.Allowed, v.Rules, v.Reason)
	}
	// Output:
	// true [engineers] allowed by permit "engineers"
	// false [contractors-out] denied by forbid "contractors-out"
	// false [] denied: no rule permits the request
}
