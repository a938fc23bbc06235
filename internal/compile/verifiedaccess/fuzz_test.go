package verifiedaccess_test

import (
	"testing"

	cedar "github.com/cedar-policy/cedar-go"

	va "github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// FuzzCompile puts arbitrary text into every free-text position of a surface
// (rule names, OIDC group values and claim name, paths, methods, CIDRs,
// application names, references) and arbitrary numbers into the device
// requirement. Compile must not panic; whenever the surface is valid it must
// succeed, and every document must parse into one statement per rule it
// holds, carrying the rule names.
func FuzzCompile(f *testing.F) {
	f.Add("r1", "r2", "eng", "ops", "groups", "/api/", "GET", "10.0.0.0/8", "app", "oidc", "LOW", 80, true, false, uint8(0))
	f.Add(`x"); permit(principal, action, resource); //`, "new\nline", `"; permit(`, "ünï 🚀", `"]; forbid(`, `/"; permit(*`, "DELETE", "2001:db8::/32", `app"b`, "idp_1", "SECURE", 0, false, true, uint8(7))
	f.Add("", "", "", "", "", "", "", "", "", "", "", -1, false, false, uint8(255))
	f.Add("a", "a", "\x00", "\\", "amr", "/\\*", "get", "::ffff:1.2.3.4/128", "", "has", "NOT_APPLICABLE", 101, true, true, uint8(3))
	f.Fuzz(func(t *testing.T, name1, name2, group1, group2, claim, prefix, method, cidr, app, ref, risk string, score int, mfa, email bool, shape uint8) {
		s := model.ProtectSurface{
			Name: "fuzz", Sensitivity: model.Sensitivities[int(shape)%len(model.Sensitivities)],
			Proxy: model.AccessProxy{
				IdentityProvider: model.IdentityProvider{Type: model.IdentityOIDC, Reference: ref, GroupsClaim: claim, MFAEnforced: shape&8 != 0},
				DeviceProviders:  []model.DeviceTrustProvider{{Type: model.DeviceJamf, Reference: "jamf"}, {Type: model.DeviceCrowdStrike, Reference: "crwd"}},
			},
			Applications: []model.Application{{Name: app}, {Name: app + "2"}},
		}
		if shape&16 != 0 {
			s.Proxy.IdentityProvider = model.IdentityProvider{Type: model.IdentityIAMIdentityCenter, Reference: ref, MFAEnforced: true}
		}
		r1 := model.AccessRule{Name: name1, Effect: model.EffectPermit, Groups: []string{group1, group2}, RequireMFA: mfa, RequireVerifiedEmail: email,
			Methods: []string{method}, PathPrefixes: []string{prefix}, Acknowledgement: "fuzz",
			Device: &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: risk}, CrowdStrike: &model.CrowdStrikeRequirement{MinOverallScore: score}}}
		if shape&1 != 0 {
			r1.Device.Combine = model.CombineAnyOf
		}
		if shape&2 != 0 {
			r1.ClientCIDRs = []string{cidr}
		}
		r2 := model.AccessRule{Name: name2, Effect: model.EffectForbid, Groups: []string{group2}, PathPrefixes: []string{prefix}}
		if shape&4 != 0 {
			r2.Applications = []string{app}
		}
		s.AccessRules = []model.AccessRule{r1, r2}

		res, ps := va.Compile(s, va.Options{})
		valid := !s.Validate().HasErrors()
		if valid == ps.HasErrors() {
			t.Fatalf("Compile and Validate disagree: %v", ps)
		}
		if !valid {
			return
		}
		docs := []string{res.GroupPolicy}
		for _, e := range res.Endpoints {
			if e.Policy != "" {
				docs = append(docs, e.Policy)
			}
		}
		for _, doc := range docs {
			list, err := cedar.NewPolicyListFromBytes("", []byte(doc))
			if err != nil {
				t.Fatalf("output does not parse: %v\n%s", err, doc)
			}
			for _, p := range list {
				id := string(p.Annotations()[va.IDAnnotation])
				if id != name1 && id != name2 && id != va.DenyByDefaultID {
					t.Fatalf("statement with unexpected @id %q", id)
				}
			}
		}
		split := len(r2.Applications) > 0
		want := map[string]int{"": 2, app: 0, app + "2": 0} // statements per document
		if split {
			want = map[string]int{"": 1, app: 2, app + "2": 1}
		}
		if n := len(ids(t, res.GroupPolicy)); n != want[""] {
			t.Fatalf("group policy has %d statements, want %d", n, want[""])
		}
		for _, e := range res.Endpoints {
			n := 0
			if e.Policy != "" {
				n = len(ids(t, e.Policy))
			}
			if n != want[e.Application] {
				t.Fatalf("endpoint %q has %d statements, want %d", e.Application, n, want[e.Application])
			}
		}
	})
}
