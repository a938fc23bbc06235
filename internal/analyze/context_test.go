package analyze

import (
	"math/rand/v2"
	"testing"

	"github.com/cedar-policy/cedar-go/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// plainContext builds the context the straightforward way, a fresh map for
// every record and nothing shared between requests: the reference for
// buildContext, which reuses scratch maps and shared sub-records.
func plainContext(proxy model.AccessProxy, hostname string, http bool, req Request) types.Record {
	ctx := types.RecordMap{}
	if req.Host != "" {
		hostname = req.Host
	}
	if http {
		clientIP := ""
		if req.ClientIP.IsValid() {
			clientIP = req.ClientIP.Unmap().WithZone("").String()
		}
		ctx[model.HTTPRequestContextKey] = types.NewRecord(types.RecordMap{
			"http_method": types.String(req.Method),
			"hostname":    types.String(hostname),
			"path":        types.String(req.Path),
			"client_ip":   types.String(clientIP),
		})
	}
	if id := req.Identity; id != nil {
		idp := proxy.IdentityProvider
		switch idp.Type {
		case model.IdentityIAMIdentityCenter:
			email := types.RecordMap{"address": types.String("user@example.com")}
			if id.EmailVerified != nil {
				email["verified"] = types.Boolean(*id.EmailVerified)
			}
			rec := types.RecordMap{"user": types.NewRecord(types.RecordMap{"user_id": types.String("user-1"), "email": types.NewRecord(email)})}
			if id.Groups != nil {
				groups := types.RecordMap{}
				for _, g := range id.Groups {
					groups[types.String(g)] = types.NewRecord(nil)
				}
				rec["groups"] = types.NewRecord(groups)
			}
			ctx[types.String(idp.Reference)] = types.NewRecord(rec)
		case model.IdentityOIDC:
			rec := types.RecordMap{"sub": types.String("user-1")}
			if id.EmailVerified != nil {
				rec["email_verified"] = types.Boolean(*id.EmailVerified)
			}
			if id.MFA != nil {
				amr := []types.Value{types.String("pwd")}
				if *id.MFA {
					amr = append(amr, types.String("mfa"))
				}
				rec["amr"] = types.NewSet(amr...)
			}
			if id.Groups != nil {
				var vals []types.Value
				for _, g := range id.Groups {
					vals = append(vals, types.String(g))
				}
				rec[types.String(idp.GroupsClaimName())] = types.NewSet(vals...)
			}
			ctx[types.String(idp.Reference)] = types.NewRecord(rec)
		}
	}
	for _, d := range proxy.DeviceProviders {
		switch {
		case d.Type == model.DeviceJamf && req.Jamf != nil:
			rec := types.RecordMap{}
			if req.Jamf.Risk != nil {
				rec["risk"] = types.String(*req.Jamf.Risk)
			}
			ctx[types.String(d.Reference)] = types.NewRecord(rec)
		case d.Type == model.DeviceCrowdStrike && req.CrowdStrike != nil:
			rec := types.RecordMap{}
			if req.CrowdStrike.Overall != nil {
				rec["assessment"] = types.NewRecord(types.RecordMap{"overall": types.Long(*req.CrowdStrike.Overall)})
			}
			ctx[types.String(d.Reference)] = types.NewRecord(rec)
		case d.Type == model.DeviceJumpCloud && req.JumpCloud != nil:
			rec := types.RecordMap{}
			if req.JumpCloud.Managed != nil {
				rec["device"] = types.NewRecord(types.RecordMap{"is_managed": types.Boolean(*req.JumpCloud.Managed)})
			}
			ctx[types.String(d.Reference)] = types.NewRecord(rec)
		}
	}
	return types.NewRecord(ctx)
}

// TestContextMatchesPlainConstruction compares buildContext with
// plainContext over random proxies and requests, TCP and HTTP, with and
// without a host override, including group lists long enough to outgrow a
// small map, and, built with the identity records of the surface's groups
// (as CompiledSurface builds it), requests in one of those groups in every
// email and MFA state. Each context is checked again after the next one is
// built: the builder's reuse of scratch maps must not reach a context
// already returned.
func TestContextMatchesPlainConstruction(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	hosts := []string{"", "app.example.com", `we"ird`}
	var prev, prevWant types.Record
	cached := 0
	for i := range 20_000 {
		s := randomSurface(r, 3)
		var groups []string
		for _, rule := range s.AccessRules {
			groups = append(groups, rule.Groups...)
		}
		req := randomRequest(r, s)
		if r.IntN(4) == 0 {
			req.Host = pick(r, hosts)
		}
		switch {
		case req.Identity != nil && r.IntN(20) == 0:
			for j := range 12 {
				req.Identity.Groups = append(req.Identity.Groups, string(rune('a'+j)))
			}
		case req.Identity != nil && len(groups) > 0 && r.IntN(2) == 0:
			req.Identity.Groups = []string{pick(r, groups)}
			cached++
		}
		host, http := pick(r, hosts), r.IntN(4) > 0
		got, want := buildContext(s.Proxy, host, http, req), plainContext(s.Proxy, host, http, req)
		if r.IntN(2) == 0 {
			got = newContext(s.Proxy, types.String(host), http, req, newIdentityRecords(s.Proxy.IdentityProvider, groups))
		}
		if !got.Equal(want) {
			t.Fatalf("request %d: %s\nbuilt  %s\nwant   %s", i, describe(req), got.MarshalCedar(), want.MarshalCedar())
		}
		if i > 0 && !prev.Equal(prevWant) {
			t.Fatalf("request %d: building the next context changed the previous one to %s", i-1, prev.MarshalCedar())
		}
		prev, prevWant = got, want
	}
	if cached < 2000 {
		t.Fatalf("only %d requests in one of the surface's groups", cached)
	}
}
