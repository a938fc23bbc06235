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
