package review

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Removing a forbid on one group changes nothing for members of either
// group alone, but admits users in both: the classes include pairs.
func TestForbidRemovedShowsForMembersOfBothGroups(t *testing.T) {
	before := fixedSurface()
	before.AccessRules = []model.AccessRule{
		{Name: "no-contractors", Effect: model.EffectForbid, Groups: []string{"contractors"}},
		{Name: "staff", Effect: model.EffectPermit, Groups: []string{"staff"}, Acknowledgement: "test surface without floors"},
	}
	after := fixedSurface()
	after.AccessRules = before.AccessRules[1:]
	got, err := DiffSurface(&before, &after)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 { // one class per application
		t.Fatalf("changes %+v, want the contractors + staff class of each application", got)
	}
	for _, c := range got {
		if !c.Gained || !slices.Equal(c.Class.Groups, []string{"contractors", "staff"}) ||
			!slices.Equal(c.Before.Rules, []string{"no-contractors"}) || !slices.Equal(c.After.Rules, []string{"staff"}) {
			t.Errorf("change %+v", c)
		}
	}
}

// A surface that is deleted loses every class it allowed; one that is
// created gains them.
func TestSurfaceCreatedAndDeleted(t *testing.T) {
	s := fixedSurface()
	s.AccessRules = []model.AccessRule{{Name: "eng", Effect: model.EffectPermit, Groups: []string{"eng"}, Methods: []string{"GET"}, Applications: []string{"portal"}}}
	gained, err := DiffSurface(nil, &s)
	if err != nil {
		t.Fatal(err)
	}
	lost, err := DiffSurface(&s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(gained) != 1 || !gained[0].Gained || gained[0].Class.Application != "portal" || gained[0].Class.Request != "GET" {
		t.Errorf("gained %+v", gained)
	}
	if len(lost) != 1 || lost[0].Gained || lost[0].Class.Key() != gained[0].Class.Key() {
		t.Errorf("lost %+v", lost)
	}
}

func TestSubtractPorts(t *testing.T) {
	pr := func(a, b int) model.PortRange { return model.PortRange{From: a, To: b} }
	for _, tc := range []struct{ a, b, want []model.PortRange }{
		{[]model.PortRange{pr(80, 90)}, nil, []model.PortRange{pr(80, 90)}},
		{[]model.PortRange{pr(80, 90)}, []model.PortRange{pr(85, 85)}, []model.PortRange{pr(80, 84), pr(86, 90)}},
		{[]model.PortRange{pr(80, 90)}, []model.PortRange{pr(0, 100)}, nil},
		{[]model.PortRange{pr(80, 90), pr(443, 443)}, []model.PortRange{pr(88, 500)}, []model.PortRange{pr(80, 87)}},
	} {
		if got := subtractPorts(tc.a, tc.b); !slices.Equal(got, tc.want) {
			t.Errorf("%v - %v = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// A surface whose rules distinguish more classes than a review decides is
// refused with a reason, not reviewed for ever.
func TestTooManyClassesIsAnError(t *testing.T) {
	s := fixedSurface()
	var groups, cidrs, prefixes []string
	for i := range 40 {
		groups = append(groups, fmt.Sprintf("group-%d", i))
		cidrs = append(cidrs, fmt.Sprintf("10.%d.0.0/16", i))
		prefixes = append(prefixes, fmt.Sprintf("/p%d", i))
	}
	s.AccessRules = []model.AccessRule{{Name: "wide", Effect: model.EffectPermit, Groups: groups, ClientCIDRs: cidrs, PathPrefixes: prefixes}}
	if _, err := DiffSurface(nil, &s); err == nil || !strings.Contains(err.Error(), "classes of requests") {
		t.Fatalf("err %v", err)
	}
}
