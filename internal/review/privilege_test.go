package review

import (
	"slices"
	"strings"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

func grantPlan(before, after map[string]any, actions ...string) *Plan {
	return &Plan{Resources: []Resource{{Address: "zerotrust_privileged_access.g", Type: "zerotrust_privileged_access", Actions: actions, Before: before, After: after}}}
}

func TestPrivilegeNarrowedAndBoundary(t *testing.T) {
	before := map[string]any{"name": "ops", "group": "g1", "accounts": []any{"111111111111", "222222222222"}, "session_duration": "PT8H",
		"permissions_boundary": map[string]any{"managed_policy_arn": "arn:aws:iam::aws:policy/PowerUserAccess"}, "expires_at": "2030-01-01T00:00:00Z"}
	after := map[string]any{"name": "ops", "group": "g1", "accounts": []any{"111111111111"}, "session_duration": "PT1H", "expires_at": "2029-06-01T00:00:00Z"}
	got := reviewPrivilege(grantPlan(before, after, "update"))
	if len(got) != 1 {
		t.Fatalf("changes %+v", got)
	}
	c := got[0]
	// Fewer accounts, shorter sessions and an earlier end narrow it; the
	// boundary removed widens it.
	if !c.Has(GrantNarrowed) || !c.Has(GrantWidened) || !c.Has(GrantShortened) || c.Has(GrantExtended) || c.Has(GrantPermanent) {
		t.Errorf("kinds %v", c.Kinds)
	}
	details := strings.Join(c.Details, "\n")
	for _, want := range []string{"accounts removed: 222222222222", "permissions boundary removed", "sessions last PT1H (were PT8H)", "expires at 2029-06-01T00:00:00Z"} {
		if !strings.Contains(details, want) {
			t.Errorf("details lack %q:\n%s", want, details)
		}
	}
}

func TestPrivilegeUnknownIsNotGuessed(t *testing.T) {
	before := map[string]any{"name": "ops", "group": "g1", "accounts": []any{"111111111111"}, "expires_at": "2030-01-01T00:00:00Z"}
	after := map[string]any{"name": "ops", "group": Unknown{}, "accounts": []any{"111111111111"}, "expires_at": Unknown{}}
	got := reviewPrivilege(grantPlan(before, after, "update"))
	if len(got) != 1 || !slices.Equal(got[0].Kinds, []string{GrantUnknown}) || got[0].Permanent {
		t.Fatalf("changes %+v: an unknown group or expiry must be reported as unknown, neither widened nor permanent", got)
	}
}

func TestPrivilegeRemoved(t *testing.T) {
	got := reviewPrivilege(grantPlan(map[string]any{"name": "ops", "group": "g1", "accounts": []any{"111111111111"}}, nil, "delete"))
	if len(got) != 1 || !slices.Equal(got[0].Kinds, []string{GrantRemoved}) {
		t.Fatalf("changes %+v", got)
	}
}

// Sources that are each narrower than the internet but together cover it
// make the segment internet-facing.
func TestExposureOfSourcesTogether(t *testing.T) {
	flow := func(cidr string) declaredFlow {
		return declaredFlow{address: "zerotrust_segment_policy.web", segment: "sg/vpc-0123456789abcdef0/web",
			flow: model.Flow{Direction: model.Inbound, Peer: model.Peer{CIDR: cidr}, Protocol: "tcp", Ports: []model.PortRange{{From: 443, To: 443}}}}
	}
	before := network{sensitivity: map[string]string{}}
	before.flows = []declaredFlow{flow("11.0.0.0/9")}
	after := before
	after.flows = append(slices.Clone(before.flows), flow("11.128.0.0/9"))
	for _, f := range after.flows {
		if model.IsOpenInternet(f.flow.Peer.CIDR) {
			t.Fatalf("%s alone is internet-scale; the test needs narrower sources", f.flow.Peer.CIDR)
		}
	}
	if model.PublicExposure(nil).Open() {
		t.Fatal("no source is open")
	}
	got := diffExposure(before, after)
	if len(got) != 1 || len(got[0].Sources) != 2 || !strings.Contains(got[0].Coverage, "together") {
		t.Fatalf("exposure %+v", got)
	}
	if again := diffExposure(after, after); len(again) != 0 {
		t.Errorf("unchanged sources reported: %+v", again)
	}
}
