package analyze

import (
	"fmt"
	"math/rand/v2"
	"net/netip"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Pools the random models and requests draw from. They are small so that
// random requests often hit random rules, and they carry hostile text
// (quotes, Cedar syntax, newlines, Unicode, pattern wildcards) wherever the
// model accepts free text.
var (
	poolIDCGroups = []string{
		"c242c5b0-6081-1845-6fa8-6e0d9513c107",
		"9067f3a2-b0e1-4b1c-8f2e-0a1b2c3d4e5f",
		"1234567890-aaaabbbb-cccc-dddd-eeee-ffff00001111",
		"D242C5B0-6081-1845-6FA8-6E0D9513C107",
	}
	poolOIDCGroups = []string{"eng", "ops", `"; permit(principal, action, resource); //`, "ünïcødé 🚀", "line\nbreak", `a\"b`, "*", "contractors"}
	poolClaims     = []string{"", "groups", "cognito:groups", `"]; forbid(`, "nul\x00groups", `"groups"`}
	poolRuleNames  = []string{"r-eng", "r-ops", `x"); permit(principal, action, resource); //`, "new\nline", "ünï", "r*", "@id", "deny-by-default", " ", "r9"}
	poolAppNames   = []string{"app-a", `app"b`, "ü-app"}
	poolMethods    = []string{"GET", "POST", "PUT", "DELETE"}
	reqMethods     = []string{"GET", "POST", "PUT", "DELETE", "get", "PATCH", ""}
	// Prefixes cover each form (segment, trailing slash, raw "*", literal
	// "*", root) and requests sit on both sides of every boundary, with and
	// without the leading slash.
	poolPrefixes = []string{"/", "/api/", "/admin", "/a*b", `/";permit(`, "/ü", "/api/v1/", "/api/v1", "/adm*", "/a*b*", "/*", "/.well-known/"}
	reqPaths     = []string{
		"/", "", "/api/x", "/api/v1/y", "/api", "api", "/api/", "api/", "/api/v1", "/api/v10", "api/v1/y",
		"/admin", "/admin/", "/admin/y", "admin", "admin/", "admin/x", "/administrator", "administrator", "/admin-old", "/adm", "adm",
		"/a*b", "a*b", "/a*b/c", "/a*bc", "/axb", "/axb/c", "/a*b*", `/"; permit(principal`, `"; permit(`, "/ü/x", "ü", "/üx",
		"/other", "/x/api/y", "/other/admin", "/b/a*b", "//admin", "//", `/\`, `/\/x`, `\`,
		// Paths a server may resolve elsewhere than they read.
		"/api/../admin", "api/../admin", "/admin/./x", "/admin/..", "./admin", "..", ".", "/api%2F..%2Fadmin", "/admin%2e",
		"/admin/%5C", "/.well-known/x", "/.well-known/..", "/api/v1/.x", "/api/..x",
	}
	poolCIDRs = []string{"10.0.0.0/8", "10.1.0.0/16", "192.168.1.0/24", "2001:db8::/32", "0.0.0.0/0", "::/0", "10.1.2.3/32"}
	reqIPs    = []netip.Addr{
		netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("10.2.3.4"), netip.MustParseAddr("192.168.1.5"),
		netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db9::1"),
		netip.MustParseAddr("::ffff:10.1.2.3"), netip.MustParseAddr("fe80::1%eth0"), {},
	}
	reqRisks  = []string{"SECURE", "LOW", "MEDIUM", "HIGH", "NOT_APPLICABLE", "", "low"}
	reqScores = []int{-1, 0, 1, 49, 50, 79, 80, 99, 100, 101}
	refNames  = []string{"idc", "oidc", "jamf", "crwd", "jc", "dev_1", "Trust2"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// subset picks between lo and hi distinct elements of xs.
func subset[T any](r *rand.Rand, xs []T, lo, hi int) []T {
	n := lo + r.IntN(hi-lo+1)
	perm := r.Perm(len(xs))
	out := make([]T, 0, n)
	for _, i := range perm[:min(n, len(xs))] {
		out = append(out, xs[i])
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// randomSurface draws a valid surface (floors acknowledged) with up to
// maxRules rules.
func randomSurface(r *rand.Rand, maxRules int) model.ProtectSurface {
	refs := subset(r, refNames, len(refNames), len(refNames))
	proxy := model.AccessProxy{Name: "proxy"}
	if r.IntN(2) == 0 {
		proxy.IdentityProvider = model.IdentityProvider{Type: model.IdentityIAMIdentityCenter, Reference: refs[0], MFAEnforced: r.IntN(2) == 0}
	} else {
		proxy.IdentityProvider = model.IdentityProvider{Type: model.IdentityOIDC, Reference: refs[0], GroupsClaim: pick(r, poolClaims), MFAEnforced: r.IntN(4) == 0}
	}
	for i, typ := range []string{model.DeviceJamf, model.DeviceCrowdStrike, model.DeviceJumpCloud} {
		if r.IntN(3) > 0 {
			proxy.DeviceProviders = append(proxy.DeviceProviders, model.DeviceTrustProvider{Type: typ, Reference: refs[1+i]})
		}
	}
	r.Shuffle(len(proxy.DeviceProviders), func(i, j int) {
		proxy.DeviceProviders[i], proxy.DeviceProviders[j] = proxy.DeviceProviders[j], proxy.DeviceProviders[i]
	})

	s := model.ProtectSurface{Name: "surface", Sensitivity: pick(r, model.Sensitivities), Proxy: proxy}
	var appNames, httpApps []string
	for i, n := range subset(r, poolAppNames, 1, len(poolAppNames)) {
		a := model.Application{Name: n}
		// Any application but the first may be TCP, so HTTP rules always
		// have somewhere to apply.
		if i > 0 && r.IntN(3) == 0 {
			a.Protocol = model.ProtocolTCP
		} else {
			httpApps = append(httpApps, n)
		}
		s.Applications = append(s.Applications, a)
		appNames = append(appNames, n)
	}
	groups := poolOIDCGroups
	if proxy.IdentityProvider.Type == model.IdentityIAMIdentityCenter {
		groups = poolIDCGroups
	}
	names := subset(r, poolRuleNames, 0, min(maxRules, len(poolRuleNames)))
	for len(names) < maxRules && r.IntN(4) > 0 { // large surfaces: synthetic names
		names = append(names, fmt.Sprintf("rule-%d", len(names)))
	}
	for _, name := range names {
		rule := model.AccessRule{Name: name, Effect: model.EffectPermit, Acknowledgement: "differential test"}
		if r.IntN(4) == 0 {
			rule.Effect = model.EffectForbid
		}
		if r.IntN(4) > 0 {
			rule.Groups = subset(r, groups, 1, 2)
		}
		if len(proxy.DeviceProviders) > 0 && r.IntN(5) < 2 {
			d := &model.DeviceRequirement{}
			for _, p := range subset(r, proxy.DeviceProviders, 1, len(proxy.DeviceProviders)) {
				switch p.Type {
				case model.DeviceJamf:
					d.Jamf = &model.JamfRequirement{MaxRisk: pick(r, model.JamfRiskLevels)}
				case model.DeviceCrowdStrike:
					d.CrowdStrike = &model.CrowdStrikeRequirement{MinOverallScore: pick(r, []int{0, 1, 50, 80, 100})}
				case model.DeviceJumpCloud:
					d.JumpCloud = &model.JumpCloudRequirement{Managed: true}
				}
			}
			d.Combine = pick(r, []string{"", model.CombineAllOf, model.CombineAnyOf})
			rule.Device = d
		}
		rule.RequireVerifiedEmail = r.IntN(4) == 0
		idp := proxy.IdentityProvider
		rule.RequireMFA = r.IntN(4) == 0 && (idp.Type == model.IdentityOIDC || idp.MFAEnforced)
		if r.IntN(3) == 0 {
			rule.Methods = subset(r, poolMethods, 1, 2)
		}
		if r.IntN(4) == 0 {
			rule.PathPrefixes = subset(r, poolPrefixes, 1, 2)
		}
		if r.IntN(5) == 0 {
			rule.ClientCIDRs = subset(r, poolCIDRs, 1, 2)
		}
		if r.IntN(5) < 2 {
			rule.Applications = subset(r, appNames, 1, min(2, len(appNames)))
		}
		// HTTP conditions may not apply to TCP applications (validation
		// refuses them), so such rules are limited to HTTP ones.
		if len(rule.Methods)+len(rule.PathPrefixes)+len(rule.ClientCIDRs) > 0 && len(httpApps) < len(appNames) {
			rule.Applications = subset(r, httpApps, 1, min(2, len(httpApps)))
		}
		s.AccessRules = append(s.AccessRules, rule)
	}
	return s
}

// randomRequest draws a request whose facts often, but not always, meet the
// surface's conditions.
func randomRequest(r *rand.Rand, s model.ProtectSurface) Request {
	req := Request{Method: pick(r, reqMethods), Path: pick(r, reqPaths), ClientIP: pick(r, reqIPs)}
	maybeBool := func() *bool {
		switch r.IntN(3) {
		case 0:
			return nil
		case 1:
			return ptr(false)
		}
		return ptr(true)
	}
	if r.IntN(10) > 0 {
		id := &Identity{EmailVerified: maybeBool(), MFA: maybeBool()}
		if r.IntN(10) > 0 {
			pool := poolOIDCGroups
			if s.Proxy.IdentityProvider.Type == model.IdentityIAMIdentityCenter {
				pool = poolIDCGroups
			}
			id.Groups = subset(r, pool, 0, 3)
			if r.IntN(8) == 0 {
				id.Groups = append(id.Groups, "not-referenced")
			}
		}
		req.Identity = id
	}
	if r.IntN(4) > 0 {
		req.Jamf = &JamfFacts{}
		if r.IntN(6) > 0 {
			req.Jamf.Risk = ptr(pick(r, reqRisks))
		}
	}
	if r.IntN(4) > 0 {
		req.CrowdStrike = &CrowdStrikeFacts{}
		if r.IntN(6) > 0 {
			req.CrowdStrike.Overall = ptr(pick(r, reqScores))
		}
	}
	if r.IntN(4) > 0 {
		req.JumpCloud = &JumpCloudFacts{Managed: maybeBool()}
	}
	return req
}
