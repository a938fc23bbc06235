// Package benchscale generates the segment-policy configurations of
// `make bench-scale` (10 to 5,000 distinct flows) and the `terraform_data`
// floor configuration their plan CPU is compared with, and measures the
// CPU of a command together with the processes it starts.
//
// Configurations are written in Terraform's JSON syntax through
// encoding/json, so nothing is assembled from strings; the same Shape
// always yields byte-identical files.
package benchscale

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Shape is one measured configuration: Flows distinct flows spread over
// Segments segments, one segment policy per segment.
type Shape struct {
	Flows    int
	Segments int
	// Kubernetes places every segment in a namespace too, so the flows
	// also compile to NetworkPolicies and kube-apiserver requests are
	// measured.
	Kubernetes bool
	// MaxRulesPerDirection is the policies' max_rules_per_direction
	// (0: the provider's default, AWS's default quota of 60).
	MaxRulesPerDirection int
	// Set declares the flows as one zerotrust_segment_policy_set (one
	// policy block per segment) instead of one zerotrust_segment_policy
	// per segment.
	Set bool
}

// peerCIDR is the source of the flows that do not come from a segment.
const peerCIDR = "10.200.0.0/16"

// DefaultShapes are the sizes `make bench-scale` measures: the 500
// flows over 10 segments and 1,000 over 20, and 5,000 over 40 with the
// rules-per-group quota raised to 200 (each group holds 125 inbound and
// about 63 outbound rules, above AWS's default 60).
func DefaultShapes() []Shape {
	return []Shape{
		{Flows: 10, Segments: 2, Kubernetes: true},
		{Flows: 100, Segments: 5, Kubernetes: true},
		{Flows: 500, Segments: 10, Kubernetes: true},
		{Flows: 1000, Segments: 20},
		{Flows: 5000, Segments: 40, MaxRulesPerDirection: 200},
	}
}

// Flow is one allowed flow: TCP to Port of segment Dst, from segment Src
// or, when Src is -1, from peerCIDR.
type Flow struct {
	Dst, Src int
	Port     int
}

// FlowList is the shape's flows, deterministically. Flow j goes to
// segment j mod Segments; every second flow of a segment comes from
// another segment (cycling through all of them), the others from a CIDR
// block. Ports are distinct and never adjacent, so no two flows merge into
// one port range and every flow is its own rule.
func (s Shape) FlowList() []Flow {
	flows := make([]Flow, 0, s.Flows)
	for j := 0; j < s.Flows; j++ {
		dst, k := j%s.Segments, j/s.Segments
		f := Flow{Dst: dst, Src: -1, Port: 1024 + 2*j}
		if k%2 == 0 && s.Segments > 1 {
			f.Src = (dst + 1 + (k/2)%(s.Segments-1)) % s.Segments
		}
		flows = append(flows, f)
	}
	return flows
}

// RuleCounts are the rules the shape compiles to: one inbound rule per
// flow on its destination's group, and the outbound half on the source's
// group for every segment-to-segment flow.
type RuleCounts struct {
	Ingress, Egress int
	// MaxIngressPerGroup and MaxEgressPerGroup are the largest per group.
	MaxIngressPerGroup, MaxEgressPerGroup int
}

// Total is the number of compiled rules.
func (c RuleCounts) Total() int { return c.Ingress + c.Egress }

// ExpectedRules counts the rules FlowList compiles to.
func (s Shape) ExpectedRules() RuleCounts {
	in, out := make([]int, s.Segments), make([]int, s.Segments)
	var c RuleCounts
	for _, f := range s.FlowList() {
		in[f.Dst]++
		c.Ingress++
		if f.Src >= 0 {
			out[f.Src]++
			c.Egress++
		}
	}
	for i := range in {
		c.MaxIngressPerGroup = max(c.MaxIngressPerGroup, in[i])
		c.MaxEgressPerGroup = max(c.MaxEgressPerGroup, out[i])
	}
	return c
}

// Validate refuses a shape that cannot be generated.
func (s Shape) Validate() error {
	if s.Flows < 1 || s.Segments < 1 {
		return fmt.Errorf("shape %d flows over %d segments: both must be at least 1", s.Flows, s.Segments)
	}
	if 1024+2*s.Flows > 65535 {
		return fmt.Errorf("shape %d flows: more distinct ports than TCP has", s.Flows)
	}
	return nil
}

// SegmentName is the name (and resource label) of segment i.
func SegmentName(i int) string { return fmt.Sprintf("seg%03d", i) }

// jsonBlock is one Terraform block in JSON syntax.
type jsonBlock = map[string]any

// Config is the shape's configuration (main.tf.json): segments in vpcID,
// and for a Kubernetes shape in namespace.
func (s Shape) Config(vpcID, namespace string) ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	segments := map[string]any{}
	policies := map[string]any{}
	var members []jsonBlock
	flowsTo := make([][]Flow, s.Segments)
	for _, f := range s.FlowList() {
		flowsTo[f.Dst] = append(flowsTo[f.Dst], f)
	}
	for i := 0; i < s.Segments; i++ {
		name := SegmentName(i)
		seg := jsonBlock{"name": "bench-" + name, "vpc_id": vpcID}
		if s.Kubernetes {
			seg["kubernetes"] = []jsonBlock{{"namespace": namespace, "pod_labels": map[string]string{"app": name}}}
		}
		segments[name] = seg
		var allow []jsonBlock
		for _, f := range flowsTo[i] {
			b := jsonBlock{"protocol": "tcp", "ports": []string{fmt.Sprint(f.Port)}}
			if f.Src >= 0 {
				b["segment"] = "${zerotrust_segment." + SegmentName(f.Src) + ".id}"
			} else {
				b["cidr_blocks"] = []string{peerCIDR}
			}
			allow = append(allow, b)
		}
		if len(allow) == 0 {
			continue
		}
		pol := jsonBlock{"segment": "${zerotrust_segment." + name + ".id}", "allow_from": allow}
		if s.MaxRulesPerDirection > 0 && !s.Set {
			pol["max_rules_per_direction"] = s.MaxRulesPerDirection
		}
		policies[name] = pol
		members = append(members, pol)
	}
	resources := jsonBlock{"zerotrust_segment": segments}
	if s.Set {
		set := jsonBlock{"name": "bench", "policy": members}
		if s.MaxRulesPerDirection > 0 {
			set["max_rules_per_direction"] = s.MaxRulesPerDirection
		}
		resources["zerotrust_segment_policy_set"] = jsonBlock{"bench": set}
	} else {
		resources["zerotrust_segment_policy"] = policies
	}
	doc := jsonBlock{
		"terraform": jsonBlock{"required_providers": jsonBlock{"zerotrust": jsonBlock{"source": "ztforge/zerotrust"}}},
		"provider":  jsonBlock{"zerotrust": []jsonBlock{{"aws": []jsonBlock{{}}}}},
		"resource":  resources,
	}
	return json.MarshalIndent(doc, "", " ")
}

// FloorRule is what the floor configuration keeps of one compiled rule.
type FloorRule struct {
	GroupID   string `json:"group_id"`
	Direction string `json:"direction"`
	Protocol  string `json:"protocol"`
	FromPort  int64  `json:"from_port"`
	ToPort    int64  `json:"to_port"`
	Peer      string `json:"peer"`
}

// FloorName is the name of the floor's resource for rule i.
func FloorName(i int) string { return fmt.Sprintf("rule%05d", i) }

// FloorConfig is the plan-CPU floor: one terraform_data resource per
// compiled rule, its input the rule, and no provider at all.
func FloorConfig(rules []FloorRule) ([]byte, error) {
	data := map[string]any{}
	for i, r := range rules {
		data[FloorName(i)] = jsonBlock{"input": r}
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("floor configuration without rules")
	}
	return json.MarshalIndent(jsonBlock{"resource": jsonBlock{"terraform_data": data}}, "", " ")
}

// ParseRuleLine reads one line of a segment policy set's or a segment
// policy's `rules`: "<group> <direction> <protocol> <ports> from|to <peer>",
// the ports a port, a range or "all ports", then (a policy's) the quoted
// description, if any.
func ParseRuleLine(line string) (FloorRule, error) {
	f := strings.Fields(line)
	word := 4
	if len(f) > 4 && f[3] == "all" {
		word = 5 // "all ports"
	}
	if len(f) <= word+1 || (f[word] != "from" && f[word] != "to") {
		return FloorRule{}, fmt.Errorf("rule line %q: want <group> <direction> <protocol> <ports> from|to <peer>", line)
	}
	r := FloorRule{GroupID: f[0], Direction: f[1], Protocol: f[2], FromPort: -1, ToPort: -1, Peer: f[word+1]}
	if f[3] != "all" {
		from, to, _ := strings.Cut(f[3], "-")
		if to == "" {
			to = from
		}
		var err error
		if r.FromPort, err = strconv.ParseInt(from, 10, 64); err == nil {
			r.ToPort, err = strconv.ParseInt(to, 10, 64)
		}
		if err != nil {
			return FloorRule{}, fmt.Errorf("rule line %q: ports %q: %w", line, f[3], err)
		}
	}
	return r, nil
}
