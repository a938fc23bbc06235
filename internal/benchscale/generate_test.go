package benchscale

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"
	"time"
)

func TestShapesCountFlowsAndRules(t *testing.T) {
	for _, tc := range []struct {
		shape                Shape
		rules, ingress, peer int
		maxIn, maxOut        int
	}{
		// Half the flows of each segment come from another segment and
		// compile to two rules; the rest come from a CIDR block.
		{Shape{Flows: 10, Segments: 2}, 16, 10, 6, 5, 3},
		{Shape{Flows: 500, Segments: 10}, 750, 500, 250, 50, 25},
		{Shape{Flows: 1000, Segments: 20}, 1500, 1000, 500, 50, 25},
		{Shape{Flows: 5000, Segments: 40}, 7520, 5000, 2520, 125, 63},
	} {
		flows := tc.shape.FlowList()
		if len(flows) != tc.shape.Flows {
			t.Errorf("%+v: %d flows, want %d", tc.shape, len(flows), tc.shape.Flows)
		}
		distinct := map[Flow]bool{}
		ports := map[int]bool{}
		for _, f := range flows {
			if f.Src == f.Dst {
				t.Errorf("%+v: flow %+v from a segment to itself", tc.shape, f)
			}
			if ports[f.Port-1] || ports[f.Port+1] {
				t.Errorf("%+v: port %d is adjacent to another flow's and would merge", tc.shape, f.Port)
			}
			distinct[f], ports[f.Port] = true, true
		}
		if len(distinct) != tc.shape.Flows {
			t.Errorf("%+v: %d distinct flows, want %d", tc.shape, len(distinct), tc.shape.Flows)
		}
		c := tc.shape.ExpectedRules()
		if c.Total() != tc.rules || c.Ingress != tc.ingress || c.Egress != tc.peer || c.MaxIngressPerGroup != tc.maxIn || c.MaxEgressPerGroup != tc.maxOut {
			t.Errorf("%+v: rules %+v (total %d), want total %d, ingress %d, egress %d, per group %d/%d",
				tc.shape, c, c.Total(), tc.rules, tc.ingress, tc.peer, tc.maxIn, tc.maxOut)
		}
	}
}

func TestDefaultShapesFitTheirQuota(t *testing.T) {
	for _, s := range DefaultShapes() {
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		quota := s.MaxRulesPerDirection
		if quota == 0 {
			quota = 60
		}
		if c := s.ExpectedRules(); c.MaxIngressPerGroup > quota || c.MaxEgressPerGroup > quota {
			t.Errorf("%+v: %d inbound / %d outbound rules on one group exceed the quota %d", s, c.MaxIngressPerGroup, c.MaxEgressPerGroup, quota)
		}
	}
}

func TestConfigIsDeterministicAndComplete(t *testing.T) {
	s := Shape{Flows: 100, Segments: 5, Kubernetes: true, MaxRulesPerDirection: 80}
	a, err := s.Config("vpc-123", "ns-a")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Config("vpc-123", "ns-a")
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of one shape differ")
	}
	var doc struct {
		Resource struct {
			Segment map[string]struct {
				VpcID      string `json:"vpc_id"`
				Kubernetes []struct {
					Namespace string `json:"namespace"`
				} `json:"kubernetes"`
			} `json:"zerotrust_segment"`
			Policy map[string]struct {
				Segment   string           `json:"segment"`
				Max       int              `json:"max_rules_per_direction"`
				AllowFrom []map[string]any `json:"allow_from"`
			} `json:"zerotrust_segment_policy"`
		} `json:"resource"`
	}
	if err := json.Unmarshal(a, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Resource.Segment) != 5 || len(doc.Resource.Policy) != 5 {
		t.Fatalf("%d segments and %d policies, want 5 and 5", len(doc.Resource.Segment), len(doc.Resource.Policy))
	}
	flows, fromSegments := 0, 0
	for name, p := range doc.Resource.Policy {
		if p.Segment != "${zerotrust_segment."+name+".id}" || p.Max != 80 {
			t.Errorf("policy %s: segment %q, max %d", name, p.Segment, p.Max)
		}
		for _, f := range p.AllowFrom {
			flows++
			if _, ok := f["segment"]; ok {
				fromSegments++
			}
		}
	}
	for name, seg := range doc.Resource.Segment {
		if seg.VpcID != "vpc-123" || len(seg.Kubernetes) != 1 || seg.Kubernetes[0].Namespace != "ns-a" {
			t.Errorf("segment %s: %+v", name, seg)
		}
	}
	if want := s.ExpectedRules(); flows != 100 || fromSegments != want.Egress {
		t.Errorf("%d flows (%d from segments), want 100 (%d)", flows, fromSegments, want.Egress)
	}
}

func TestFloorConfigHasOneResourcePerRule(t *testing.T) {
	rules := []FloorRule{{GroupID: "sg-1", Direction: "ingress", Protocol: "tcp", FromPort: 1, ToPort: 1, Peer: "10.0.0.0/8"}, {GroupID: "sg-1", Direction: "egress", Protocol: "tcp", FromPort: 2, ToPort: 2, Peer: "sg-2"}}
	b, err := FloorConfig(rules)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resource struct {
			Data map[string]struct{ Input FloorRule } `json:"terraform_data"`
		} `json:"resource"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Resource.Data) != 2 || doc.Resource.Data["rule00001"].Input != rules[1] {
		t.Fatalf("floor: %+v", doc.Resource.Data)
	}
	if _, err := FloorConfig(nil); err == nil {
		t.Fatal("a floor without rules was accepted")
	}
}

// TestRunMeasuredCountsGrandchildren: the CPU of a process started by the
// command (as Terraform starts its provider) is in the measurement.
func TestRunMeasuredCountsGrandchildren(t *testing.T) {
	busy := `i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done`
	u, err := RunMeasured(exec.Command("sh", "-c", "sh -c '"+busy+"'; true"))
	if err != nil {
		t.Fatal(err)
	}
	if u.ChildProcesses != 1 || u.Children < 100*time.Millisecond {
		t.Fatalf("child seen: %d processes, %v CPU; want 1 busy child", u.ChildProcesses, u.Children)
	}
	if u.Total < u.Children || u.Waited < u.Children {
		t.Fatalf("total %v (waited %v) is less than the child's own %v: the grandchild is not counted", u.Total, u.Waited, u.Children)
	}
}

func TestSetConfig(t *testing.T) {
	s := Shape{Flows: 500, Segments: 10, Set: true, MaxRulesPerDirection: 80}
	b, err := s.Config("vpc-0123456789abcdef0", "")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resource map[string]map[string]struct {
			Name   string `json:"name"`
			Max    int    `json:"max_rules_per_direction"`
			Policy []struct {
				Segment   string           `json:"segment"`
				AllowFrom []map[string]any `json:"allow_from"`
			} `json:"policy"`
		} `json:"resource"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if _, separate := doc.Resource["zerotrust_segment_policy"]; separate {
		t.Fatal("a set shape declares separate policies too")
	}
	set := doc.Resource["zerotrust_segment_policy_set"]["bench"]
	flows := 0
	for _, p := range set.Policy {
		flows += len(p.AllowFrom)
	}
	if set.Name != "bench" || set.Max != 80 || len(set.Policy) != 10 || flows != 500 {
		t.Fatalf("set %q max %d: %d policy blocks, %d flows; want bench, 80, 10, 500", set.Name, set.Max, len(set.Policy), flows)
	}
}

func TestParseRuleLine(t *testing.T) {
	for line, want := range map[string]FloorRule{
		"sg-0a ingress tcp 443 from 10.200.0.0/16":    {GroupID: "sg-0a", Direction: "ingress", Protocol: "tcp", FromPort: 443, ToPort: 443, Peer: "10.200.0.0/16"},
		"sg-0a egress tcp 8000-8080 to sg-0b":         {GroupID: "sg-0a", Direction: "egress", Protocol: "tcp", FromPort: 8000, ToPort: 8080, Peer: "sg-0b"},
		"sg-0a ingress all all ports from 10.0.0.0/8": {GroupID: "sg-0a", Direction: "ingress", Protocol: "all", FromPort: -1, ToPort: -1, Peer: "10.0.0.0/8"},
		// A policy's line: the governed group written self, a description.
		`self ingress tcp 53 from sg-0b "dns from b"`: {GroupID: "self", Direction: "ingress", Protocol: "tcp", FromPort: 53, ToPort: 53, Peer: "sg-0b"},
	} {
		got, err := ParseRuleLine(line)
		if err != nil || got != want {
			t.Errorf("%q: %+v %v, want %+v", line, got, err, want)
		}
	}
	for _, bad := range []string{"sg-0a ingress tcp", "sg-0a ingress tcp 443 at 10.0.0.0/8", "sg-0a ingress tcp 443 from"} {
		if _, err := ParseRuleLine(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
