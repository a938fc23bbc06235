package reach_test

import (
	"fmt"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze/reach"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// What can reach the payments segment, directly and through other segments?
func ExampleGraph_Reaching() {
	web := model.Segment{Name: "web"}
	checkout := model.Segment{Name: "checkout"}
	payments := model.Segment{Name: "payments"}
	g := reach.NewGraph([]reach.Policy{
		{Segment: payments, Flows: []model.Flow{
			{Direction: model.Inbound, Peer: model.Peer{Segment: &checkout}, Protocol: "tcp", Ports: []model.PortRange{{From: 8443, To: 8443}}},
			{Direction: model.Inbound, Peer: model.Peer{CIDR: "10.20.0.0/16"}, Protocol: "tcp", Ports: []model.PortRange{{From: 443, To: 443}}},
		}},
		{Segment: web, Flows: []model.Flow{
			{Direction: model.Outbound, Peer: model.Peer{Segment: &checkout}, Protocol: "tcp", Ports: []model.PortRange{{From: 8080, To: 8080}}},
		}},
	})
	for _, gr := range g.Reaching("payments") {
		fmt.Println(gr)
	}
	fmt.Println("upstream:", g.Upstream("payments"))
	fmt.Println("checkout -> payments tcp/8443:", g.Allows(reach.Endpoint{Segment: "checkout"}, reach.Endpoint{Segment: "payments"}, "tcp", 8443))
	fmt.Println("web -> payments tcp/8443:", g.Allows(reach.Endpoint{Segment: "web"}, reach.Endpoint{Segment: "payments"}, "tcp", 8443))
	// Output:
	// segment checkout -> segment payments tcp [8443]
	// 10.20.0.0/16 -> segment payments tcp [443]
	// upstream: [checkout web]
	// checkout -> payments tcp/8443: true
	// web -> payments tcp/8443: false
}
