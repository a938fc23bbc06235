package review

import (
	"strings"
	"testing"
)

// A segment named by its security group id in one policy and by its
// segment id in another is one node; a flow added into it is gained, one
// removed is lost, and the route into it from the new CIDR is new.
func TestReachAcrossSegmentIDs(t *testing.T) {
	db := map[string]any{"id": "sg/vpc-0123456789abcdef0/db", "security_group_id": "sg-0123456789abcdef0", "name": "db", "sensitivity": "restricted"}
	app := map[string]any{"id": "sg/vpc-0123456789abcdef0/app", "security_group_id": "sg-0fedcba9876543210", "name": "app", "sensitivity": "internal"}
	flow := func(peer map[string]any) []any { return []any{peer} }
	appBefore := map[string]any{"segment": "sg/vpc-0123456789abcdef0/app",
		"allow_to": flow(map[string]any{"segment": "sg-0123456789abcdef0", "protocol": "tcp", "ports": []any{"5432"}})}
	appAfter := map[string]any{"segment": "sg/vpc-0123456789abcdef0/app",
		"allow_to": flow(map[string]any{"segment": "sg-0123456789abcdef0", "protocol": "tcp", "ports": []any{"5432", "6432"}})}
	dbAfter := map[string]any{"segment": "sg/vpc-0123456789abcdef0/db",
		"allow_from": flow(map[string]any{"cidr_blocks": []any{"192.0.2.0/24"}, "protocol": "tcp", "ports": []any{"5432"}})}
	p := &Plan{Resources: []Resource{
		{Address: "zerotrust_segment.db", Type: "zerotrust_segment", Actions: []string{"no-op"}, Before: db, After: db},
		{Address: "zerotrust_segment.app", Type: "zerotrust_segment", Actions: []string{"no-op"}, Before: app, After: app},
		{Address: "zerotrust_segment_policy.app", Type: "zerotrust_segment_policy", Actions: []string{"update"}, Before: appBefore, After: appAfter},
		{Address: "zerotrust_segment_policy.db", Type: "zerotrust_segment_policy", Actions: []string{"create"}, After: dbAfter},
	}}
	rep := Review(p)
	var lines []string
	for _, c := range rep.Reach {
		lines = append(lines, sign(c.Gained)+" "+rep.cellText(c))
	}
	want := []string{
		"+ app (sg/vpc-0123456789abcdef0/app) -> db (sg/vpc-0123456789abcdef0/db) [restricted] tcp 6432",
		"+ 192.0.2.0/24 -> db (sg/vpc-0123456789abcdef0/db) [restricted] tcp 5432",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("reach:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if len(rep.Routes) != 1 || rep.routeText(rep.Routes[0].Route) != "[restricted] 192.0.2.0/24 -> db (1 hop)" {
		t.Errorf("routes %+v", rep.Routes)
	}

	// The same plan with the db policy's CIDR unknown: its flows are left
	// out on both sides and it is listed as unknown.
	dbUnknown := map[string]any{"segment": "sg/vpc-0123456789abcdef0/db", "allow_from": flow(map[string]any{"cidr_blocks": Unknown{}, "protocol": "tcp", "ports": []any{"5432"}})}
	p.Resources[3].After = dbUnknown
	rep = Review(p)
	if len(rep.Reach) != 1 || rep.Reach[0].From.Segment == "" || len(rep.Undecided) != 1 || !strings.Contains(rep.Undecided[0].Reason, "allow_from[0].cidr_blocks") {
		t.Errorf("reach %+v undecided %+v", rep.Reach, rep.Undecided)
	}
}

func TestMermaidLabelsAreInert(t *testing.T) {
	got := mermaidLabel(`db"]-->x[<script>|`)
	for _, bad := range []string{`"`, "<", ">", "|", "]-->"} {
		if strings.Contains(got, bad) {
			t.Errorf("%q keeps %q", got, bad)
		}
	}
	if mermaidLabel("shop-db (restricted)") != "shop-db (restricted)" {
		t.Error("plain labels are changed")
	}
}
