package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// Where a surface's trust context comes from.
//
// The compiled Cedar names the proxy's trust providers by their policy
// reference names (context.<reference>) and depends on the identity
// provider's type, groups claim and MFA enforcement, so these are inputs of
// compilation. They come from one of two places:
//
//   - proxy_trust_context (the proxy's computed trust_context): the proxy's
//     declared providers, known in the plan even while the proxy is created,
//     replaced or updated in the same apply. This is the design's answer to
//     "visible at plan time": reviewers see the policy in the very plan that
//     creates the proxy, and a change to the proxy's groups claim or MFA
//     enforcement recompiles the surface in the same plan instead of leaving
//     it stale until the next one. Apply checks the live proxy agrees before
//     writing anything.
//   - otherwise the live proxy, read from AWS in ModifyPlan when proxy_id is
//     known (two calls), as segment_policy reads its segment; an unknown
//     proxy_id leaves the policy unknown until apply. This serves proxies
//     managed elsewhere and imported surfaces.
//
// When the context is unknown at plan time, everything that does not depend
// on it is still validated (names, applications, CIDRs, methods, floors),
// against a stand-in proxy that has every provider type; apply validates
// again with the real one before any change.

// surfaceContextSource says where the trust context came from.
type surfaceContextSource int

const (
	contextUnknown surfaceContextSource = iota
	contextDeclared
	contextLive
)

// surfaceTrustContext finds the trust context of a plan: declared (parsed
// from proxy_trust_context) or live (read from the proxy in AWS).
func surfaceTrustContext(ctx context.Context, clients *clientFactory, m protectSurfaceModel, diags *diag.Diagnostics) (proxyTrustContext, surfaceContextSource) {
	switch {
	case m.ProxyTrustContext.IsUnknown():
		return proxyTrustContext{}, contextUnknown
	case !m.ProxyTrustContext.IsNull():
		tc, err := parseProxyTrustContext(m.ProxyTrustContext.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("proxy_trust_context"), "Invalid trust context", err.Error())
			return tc, contextUnknown
		}
		return tc, contextDeclared
	case m.ProxyID.IsUnknown() || clients == nil:
		return proxyTrustContext{}, contextUnknown
	}
	tc, err := readLiveTrustContext(ctx, clients, m.ProxyID.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("proxy_id"), "Cannot read the access proxy", err.Error())
		return tc, contextUnknown
	}
	return tc, contextLive
}

func readLiveTrustContext(ctx context.Context, clients *clientFactory, proxyID string) (proxyTrustContext, error) {
	c, err := clients.AWS(ctx)
	if err != nil {
		return proxyTrustContext{}, err
	}
	live, err := awsapi.ReadProxyTrustProviders(ctx, c.EC2, proxyID)
	if err != nil {
		return proxyTrustContext{}, err
	}
	return liveTrustContext(live)
}

// withAttributeInDetail names the attribute in the text too: an unset
// attribute (a floor asking for require_mfa, say) has no configuration line
// of its own, so Terraform shows the enclosing block.
func withAttributeInDetail(problems model.Problems) {
	for i, p := range problems {
		if len(p.Path) > 1 {
			problems[i].Detail = p.Detail + " (at " + p.Path.String() + ")"
		}
	}
}

// compileSurface validates and compiles; problems are added to diags with
// their attribute paths (proxy problems point at where the context came
// from). ok is false when an error was found.
func compileSurface(s model.ProtectSurface, source surfaceContextSource, diags *diag.Diagnostics) (verifiedaccess.Result, bool) {
	res, problems := verifiedaccess.Compile(s, verifiedaccess.Options{})
	if source == contextDeclared {
		for i, p := range problems {
			if len(p.Path) == 1 && p.Path[0].Name == "proxy_id" {
				problems[i].Path = model.Root("proxy_trust_context")
			}
		}
	}
	withAttributeInDetail(problems)
	appendProblems(diags, path.Empty(), problems)
	return res, !problems.HasErrors()
}

// endpointPolicies maps the compiled endpoint policies by application,
// leaving out applications that get none.
func endpointPolicies(res verifiedaccess.Result) map[string]string {
	out := map[string]string{}
	for _, e := range res.Endpoints {
		if e.Policy != "" {
			out[e.Application] = e.Policy
		}
	}
	return out
}

// compileForApply compiles against the live proxy (checking it agrees with a
// declared trust context) and checks the result is what the plan showed.
func (r *protectSurfaceResource) compileForApply(ctx context.Context, plan protectSurfaceModel, diags *diag.Diagnostics) (verifiedaccess.Result, types.List, bool) {
	res, s, ok := r.compileAgainstLiveProxy(ctx, plan, diags)
	if !ok {
		return res, types.List{}, false
	}
	return res, flattenPolicyStatements(s, nil, false), true
}

func (r *protectSurfaceResource) compileAgainstLiveProxy(ctx context.Context, plan protectSurfaceModel, diags *diag.Diagnostics) (verifiedaccess.Result, model.ProtectSurface, bool) {
	live, err := readLiveTrustContext(ctx, r.clients, plan.ProxyID.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("proxy_id"), "Cannot read the access proxy", err.Error())
		return verifiedaccess.Result{}, model.ProtectSurface{}, false
	}
	source := contextLive
	if !plan.ProxyTrustContext.IsNull() {
		declared, err := parseProxyTrustContext(plan.ProxyTrustContext.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root("proxy_trust_context"), "Invalid trust context", err.Error())
			return verifiedaccess.Result{}, model.ProtectSurface{}, false
		}
		if d := declared.diff(live); d != "" {
			diags.AddAttributeError(path.Root("proxy_trust_context"), "The access proxy does not match its trust context",
				"The live trust providers of "+plan.ProxyID.ValueString()+" differ from proxy_trust_context ("+d+"); "+
					"pass the trust_context of the proxy whose id is proxy_id.")
			return verifiedaccess.Result{}, model.ProtectSurface{}, false
		}
		source = contextDeclared
	}
	s, _ := expandProtectSurface(plan)
	s.Proxy = live.model()
	res, ok := compileSurface(s, source, diags)
	if !ok {
		return res, s, false
	}
	if !plan.PolicyDocument.IsUnknown() && plan.PolicyDocument.ValueString() != res.GroupPolicy {
		diags.AddError("The access proxy changed since the plan",
			"The policy compiled against the live proxy differs from the planned one; the proxy's trust providers changed between plan and apply. Plan again.")
		return res, s, false
	}
	return res, s, true
}
