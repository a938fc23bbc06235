package whatif

import (
	"errors"
	"slices"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// A network surface reached on two port ranges: a connection to a port in
// either range is decided by the rules; one outside both reaches no
// endpoint and is denied with no deciding rule, whoever asks.
func TestDecideOnPorts_ranges(t *testing.T) {
	s := model.ProtectSurface{
		Name: "ops", Sensitivity: "internal", Proxy: proxy,
		Applications: []model.Application{{Name: "ops-network", Protocol: model.ProtocolTCP}},
		AccessRules:  []model.AccessRule{{Name: "oncall", Effect: model.EffectPermit, Groups: []string{"oncall"}}},
	}
	res := compile(t, s)
	ranges := []model.PortRange{{From: 22, To: 22}, {From: 8000, To: 8080}}
	port := func(p int) *int { return &p }
	cases := []struct {
		name    string
		req     Request
		allowed bool
		rules   []string
		reason  string
	}{
		{"oncall on the single port", Request{Groups: []string{"oncall"}, Port: port(22)}, true, []string{"oncall"}, `allowed by permit "oncall"`},
		{"oncall at the start of the range", Request{Groups: []string{"oncall"}, Port: port(8000)}, true, []string{"oncall"}, `allowed by permit "oncall"`},
		{"oncall at the end of the range", Request{Groups: []string{"oncall"}, Port: port(8080)}, true, []string{"oncall"}, `allowed by permit "oncall"`},
		{"oncall between the ranges", Request{Groups: []string{"oncall"}, Port: port(23)}, false, nil,
			"denied: no endpoint listens on port 23 (the application's ports are 22, 8000-8080)"},
		{"oncall past the last range", Request{Groups: []string{"oncall"}, Port: port(8081)}, false, nil,
			"denied: no endpoint listens on port 8081 (the application's ports are 22, 8000-8080)"},
		{"stranger inside a range", Request{Groups: []string{"visitors"}, Port: port(8001)}, false, nil, "denied: no rule permits the request"},
		{"no port: the rules alone", Request{Groups: []string{"oncall"}}, true, []string{"oncall"}, `allowed by permit "oncall"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := DecideOnPorts(ranges, res.GroupPolicy, "", true, proxy, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if out.Allowed != tc.allowed || !slices.Equal(out.Rules, tc.rules) || out.Reason != tc.reason {
				t.Errorf("got allowed=%v rules=%v reason=%q; want %v %v %q", out.Allowed, out.Rules, out.Reason, tc.allowed, tc.rules, tc.reason)
			}
		})
	}
	// Without ranges (an HTTP application) the port does not gate.
	out, err := DecideOnPorts(nil, res.GroupPolicy, "", true, proxy, Request{Groups: []string{"oncall"}, Port: port(23)})
	if err != nil || !out.Allowed {
		t.Errorf("no ranges: %+v %v", out, err)
	}
	for _, bad := range []int{0, 65536, -1} {
		_, err := DecideOnPorts(ranges, res.GroupPolicy, "", true, proxy, Request{Port: port(bad)})
		var fe FieldError
		if !errors.As(err, &fe) || fe.Field != "port" {
			t.Errorf("port %d: got %v, want a FieldError at port", bad, err)
		}
	}
}

func TestListens(t *testing.T) {
	ranges := []model.PortRange{{From: 22, To: 22}, {From: 8000, To: 8080}}
	for port, want := range map[int]bool{21: false, 22: true, 23: false, 7999: false, 8000: true, 8040: true, 8080: true, 8081: false} {
		if got := Listens(ranges, port); got != want {
			t.Errorf("Listens(%d) = %v, want %v", port, got, want)
		}
	}
}
