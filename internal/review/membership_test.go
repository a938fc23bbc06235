package review

import (
	"slices"
	"testing"
)

func TestMembershipToARestrictedSurface(t *testing.T) {
	const gid = "c242c5b0-6081-1845-6fa8-6e0d9513c107"
	group := func(members ...any) map[string]any {
		return map[string]any{"id": gid, "display_name": "payments-ops", "members": members}
	}
	surface := map[string]any{"name": "payments", "sensitivity": "restricted", "proxy_trust_context": `{"identity_provider":{"type":"iam-identity-center","reference":"idc","mfa_enforced":true},"device_trust_providers":[]}`,
		"application": []any{map[string]any{"name": "admin"}},
		"access_rule": []any{
			map[string]any{"name": "ops", "effect": "permit", "groups": []any{gid}, "require_mfa": true},
			map[string]any{"name": "nobody", "effect": "forbid", "groups": []any{"another"}},
		}}
	p := &Plan{Resources: []Resource{
		{Address: "zerotrust_access_group.ops", Type: "zerotrust_access_group", Actions: []string{"update"}, Before: group("ann", "ben"), After: group("ben", "cy")},
		{Address: "zerotrust_protect_surface.payments", Type: "zerotrust_protect_surface", Actions: []string{"no-op"}, Before: surface, After: surface},
	}}
	rep := Review(p)
	if len(rep.Membership) != 1 {
		t.Fatalf("membership %+v", rep.Membership)
	}
	m := rep.Membership[0]
	if !slices.Equal(m.Added, []string{"cy"}) || !slices.Equal(m.Removed, []string{"ann"}) || !slices.Equal(m.Surfaces, []SurfaceRef{{"payments", "restricted"}}) {
		t.Errorf("membership %+v (a forbid naming a group admits nobody)", m)
	}
	if got := rep.Failed([]string{FailRestrictedGain, FailUnknown}); !slices.Equal(got, []string{FailRestrictedGain}) {
		t.Errorf("fail-on holds %v", got)
	}

	p.Resources[0].After = map[string]any{"id": gid, "display_name": "payments-ops", "members": Unknown{}}
	rep = Review(p)
	if len(rep.Membership) != 1 || !rep.Membership[0].Unknown || len(rep.Membership[0].Added) != 0 || len(rep.Membership[0].Removed) != 0 {
		t.Fatalf("membership %+v: unknown members are neither added nor removed", rep.Membership)
	}
	if got := rep.Failed([]string{FailRestrictedGain, FailUnknown}); !slices.Equal(got, []string{FailUnknown}) {
		t.Errorf("fail-on holds %v", got)
	}
}
