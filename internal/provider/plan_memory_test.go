package provider

import (
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

func TestPlanMemoryFlowRegistry(t *testing.T) {
	var r flowRegistry
	https := securitygroup.Rule{GroupID: "sg-1", Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRv4: "10.0.0.0/8"}
	ssh := securitygroup.Rule{GroupID: "sg-1", Protocol: "tcp", FromPort: 22, ToPort: 22, CIDRv4: "10.0.0.0/8"}
	if c := r.claim("sg-1/a", []securitygroup.Rule{https}); len(c) != 0 {
		t.Fatalf("first claim: %v", c)
	}
	// Planned again (the apply-time plan), a policy never collides with itself.
	if c := r.claim("sg-1/a", []securitygroup.Rule{https, ssh}); len(c) != 0 {
		t.Fatalf("re-plan of the same policy: %v", c)
	}
	c := r.claim("sg-1/b", []securitygroup.Rule{ssh, https})
	if len(c) != 2 || c[0].other != "sg-1/a" || c[1].other != "sg-1/a" {
		t.Fatalf("second policy with both rules: %v", c)
	}
	// A policy that stops declaring a rule releases it.
	r.claim("sg-1/a", []securitygroup.Rule{https})
	if c := r.claim("sg-1/b", []securitygroup.Rule{ssh}); len(c) != 0 {
		t.Fatalf("released rule still claimed: %v", c)
	}
}

func TestPlanMemoryPlannedSegments(t *testing.T) {
	var p planMemory
	created := model.AWSSegmentID("vpc-0123456789abcdef0", "web")
	p.planSegment(created, model.Segment{Name: "web", SecurityGroupID: created, Sensitivity: "restricted"})
	got, rest := p.plannedSegments([]string{created, "sg-0123456789abcdef0"})
	if s, ok := got[created]; !ok || s.Sensitivity != "restricted" || len(got) != 1 {
		t.Fatalf("planned = %v, want only %s as restricted", got, created)
	}
	if len(rest) != 1 || rest[0] != "sg-0123456789abcdef0" {
		t.Fatalf("rest = %v, want the segment this run does not plan", rest)
	}
	// A provider not configured yet (validate) has no memory: everything is read.
	var none *planMemory
	none.planSegment(created, model.Segment{})
	if got, rest := none.plannedSegments([]string{created}); len(got) != 0 || len(rest) != 1 {
		t.Fatalf("nil memory: planned %v, rest %v", got, rest)
	}
}
