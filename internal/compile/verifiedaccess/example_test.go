package verifiedaccess_test

import (
	"fmt"

	va "github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// A restricted surface with one application: its rule compiles into the
// group policy, conditions in canonical order (method, path, groups,
// device, MFA), each read of trust data behind its `has` guards.
func ExampleCompile() {
	s := model.ProtectSurface{
		Name:        "payments",
		Sensitivity: "restricted",
		Proxy: model.AccessProxy{
			Name:             "corp",
			IdentityProvider: model.IdentityProvider{Type: "iam-identity-center", Reference: "idc", MFAEnforced: true},
			DeviceProviders:  []model.DeviceTrustProvider{{Type: "jamf", Reference: "jamf"}},
		},
		Applications: []model.Application{{Name: "payments-admin", Domain: "pay.internal.example.com"}},
		AccessRules: []model.AccessRule{{
			Name:       "engineers-read-write",
			Effect:     "permit",
			Groups:     []string{"c242c5b0-6081-1845-6fa8-6e0d9513c107"},
			Device:     &model.DeviceRequirement{Jamf: &model.JamfRequirement{MaxRisk: "LOW"}},
			RequireMFA: true,
			Methods:    []string{"POST", "GET"},
		}},
	}
	res, problems := va.Compile(s, va.Options{})
	if problems.HasErrors() {
		fmt.Println(problems)
		return
	}
	fmt.Print(res.GroupPolicy)
	for _, e := range res.Endpoints {
		fmt.Printf("endpoint %s: %q\n", e.Application, e.Policy)
	}
	// Output:
	// @id("engineers-read-write")
	// permit ( principal, action, resource )
	// when { ["GET", "POST"].contains(context.http_request.http_method) }
	// when { context has idc && context.idc has groups && context.idc.groups has "c242c5b0-6081-1845-6fa8-6e0d9513c107" }
	// when { context has jamf && context.jamf has risk && ["SECURE", "LOW"].contains(context.jamf.risk) }
	// when { context has idc };
	// endpoint payments-admin: ""
}

// Rules that target one application land in its endpoint policy; the group
// policy is the outer gate (whole-surface rules plus every permit). An OIDC
// provider reads groups, email verification and MFA from claims.
func ExampleCompile_endpoints() {
	s := model.ProtectSurface{
		Name:        "wiki",
		Sensitivity: "confidential",
		Proxy: model.AccessProxy{
			Name:             "corp",
			IdentityProvider: model.IdentityProvider{Type: "oidc", Reference: "okta"},
			DeviceProviders:  []model.DeviceTrustProvider{{Type: "crowdstrike", Reference: "crwd"}, {Type: "jumpcloud", Reference: "jc"}},
		},
		Applications: []model.Application{{Name: "wiki"}, {Name: "wiki-admin"}},
		AccessRules: []model.AccessRule{
			{
				Name: "staff", Effect: "permit", Groups: []string{"staff"}, RequireVerifiedEmail: true,
				Device: &model.DeviceRequirement{CrowdStrike: &model.CrowdStrikeRequirement{MinOverallScore: 60}, JumpCloud: &model.JumpCloudRequirement{Managed: true}, Combine: "any-of"},
			},
			{
				Name: "admins", Effect: "permit", Groups: []string{"wiki-admins", "sre"}, RequireMFA: true, Applications: []string{"wiki-admin"},
				Device: &model.DeviceRequirement{CrowdStrike: &model.CrowdStrikeRequirement{MinOverallScore: 80}},
			},
			{Name: "office-only", Effect: "forbid", PathPrefixes: []string{"/admin"}, ClientCIDRs: []string{"0.0.0.0/0"}, Applications: []string{"wiki"}},
		},
	}
	res, problems := va.Compile(s, va.Options{})
	if problems.HasErrors() {
		fmt.Println(problems)
		return
	}
	fmt.Printf("== group policy\n%s", res.GroupPolicy)
	for _, e := range res.Endpoints {
		fmt.Printf("== endpoint %s\n%s", e.Application, e.Policy)
	}
	// Output:
	// == group policy
	// @id("admins")
	// permit ( principal, action, resource )
	// when { context has okta && context.okta has groups && context.okta.groups.containsAny(["sre", "wiki-admins"]) }
	// when { context has crwd && context.crwd has assessment && context.crwd.assessment has overall && context.crwd.assessment.overall >= 80 }
	// when { context has okta && context.okta has amr && context.okta.amr.contains("mfa") };
	//
	// @id("staff")
	// permit ( principal, action, resource )
	// when { context has okta && context.okta has groups && context.okta.groups.contains("staff") }
	// when { context has crwd && context.crwd has assessment && context.crwd.assessment has overall && context.crwd.assessment.overall >= 60 || context has jc && context.jc has device && context.jc.device has is_managed && context.jc.device.is_managed == true }
	// when { context has okta && context.okta has email_verified && context.okta.email_verified == true };
	// == endpoint wiki
	// @id("office-only")
	// forbid ( principal, action, resource )
	// when { context.http_request.path == "/admin" || context.http_request.path like "/admin/*" || context.http_request.path == "admin" || context.http_request.path like "admin/*" || (context.http_request.path like "." || context.http_request.path like "./*" || context.http_request.path like "*/." || context.http_request.path like "*/./*" || context.http_request.path like ".." || context.http_request.path like "../*" || context.http_request.path like "*/.." || context.http_request.path like "*/../*" || context.http_request.path like "*%2e*" || context.http_request.path like "*%2E*" || context.http_request.path like "*%2f*" || context.http_request.path like "*%2F*" || context.http_request.path like "*%5c*" || context.http_request.path like "*%5C*" || context.http_request.path like "*\\*") }
	// when { ip(context.http_request.client_ip).isInRange(ip("0.0.0.0/0")) };
	//
	// @id("staff")
	// permit ( principal, action, resource )
	// when { context has okta && context.okta has groups && context.okta.groups.contains("staff") }
	// when { context has crwd && context.crwd has assessment && context.crwd.assessment has overall && context.crwd.assessment.overall >= 60 || context has jc && context.jc has device && context.jc.device has is_managed && context.jc.device.is_managed == true }
	// when { context has okta && context.okta has email_verified && context.okta.email_verified == true };
	// == endpoint wiki-admin
	// @id("admins")
	// permit ( principal, action, resource )
	// when { context has okta && context.okta has groups && context.okta.groups.containsAny(["sre", "wiki-admins"]) }
	// when { context has crwd && context.crwd has assessment && context.crwd.assessment has overall && context.crwd.assessment.overall >= 80 }
	// when { context has okta && context.okta has amr && context.okta.amr.contains("mfa") };
	//
	// @id("staff")
	// permit ( principal, action, resource )
	// when { context has okta && context.okta has groups && context.okta.groups.contains("staff") }
	// when { context has crwd && context.crwd has assessment && context.crwd.assessment has overall && context.crwd.assessment.overall >= 60 || context has jc && context.jc has device && context.jc.device has is_managed && context.jc.device.is_managed == true }
	// when { context has okta && context.okta has email_verified && context.okta.email_verified == true };
}

// An empty surface denies everything.
func ExampleCompile_empty() {
	s := model.ProtectSurface{
		Name: "empty", Sensitivity: "internal",
		Proxy: model.AccessProxy{IdentityProvider: model.IdentityProvider{Type: "oidc", Reference: "idp"}},
	}
	res, _ := va.Compile(s, va.Options{})
	fmt.Print(res.GroupPolicy)
	// Output:
	// @id("zerotrust:deny-by-default")
	// permit ( principal, action, resource )
	// when { false };
}

// The Cedar schema of the Verified Access context the compiled policies are
// validated against, for an Identity Center + Jamf proxy.
func ExampleContextSchema() {
	proxy := model.AccessProxy{
		IdentityProvider: model.IdentityProvider{Type: "iam-identity-center", Reference: "idc"},
		DeviceProviders:  []model.DeviceTrustProvider{{Type: "jamf", Reference: "jamf"}},
	}
	text, _ := va.ContextSchema(proxy, []string{"c242c5b0-6081-1845-6fa8-6e0d9513c107"}).MarshalCedar()
	fmt.Print(string(text))
	// Output:
	// entity Application;
	//
	// entity User;
	//
	// action access appliesTo {
	// 	principal: User,
	// 	resource: Application,
	// 	context: {
	// 		http_request: {
	// 			client_ip: String,
	// 			hostname: String,
	// 			http_method: String,
	// 			path: String,
	// 			port?: Long,
	// 			query?: String,
	// 			user_agent?: String,
	// 			x_forwarded_for?: String
	// 		},
	// 		idc?: {
	// 			groups?: {
	// 				"c242c5b0-6081-1845-6fa8-6e0d9513c107"?: {
	// 					group_name?: String
	// 				}
	// 			},
	// 			user?: {
	// 				email?: {
	// 					address?: String,
	// 					verified?: Bool
	// 				},
	// 				user_id?: String,
	// 				user_name?: String
	// 			}
	// 		},
	// 		jamf?: {
	// 			groups?: Set<String>,
	// 			osv?: String,
	// 			risk?: String
	// 		}
	// 	}
	// };
}

// ConditionTexts shows a statement one condition at a time, in the order
// the statement tests them.
func ExampleConditionTexts() {
	rule := model.AccessRule{Name: "admins", Effect: model.EffectPermit, Groups: []string{"admins"}, Methods: []string{"GET"}}
	proxy := model.AccessProxy{IdentityProvider: model.IdentityProvider{Type: model.IdentityOIDC, Reference: "idp"}}
	for _, c := range va.ConditionTexts(rule, proxy) {
		fmt.Println(c)
	}
	// Output:
	// context.http_request.http_method == "GET"
	// context has idp && context.idp has groups && context.idp.groups.contains("admins")
}
