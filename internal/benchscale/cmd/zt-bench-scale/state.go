package main

import (
	"encoding/json"
	"fmt"
	"os/exec"

	"github.com/ztforge/terraform-provider-zerotrust/internal/benchscale"
)

// state is what the bench reads back from `terraform show -json`.
type state struct {
	groups    map[string]bool
	policies  int
	counts    benchscale.RuleCounts
	manifests map[string]bool
	// yaml is each object's manifest (a shared one as the last resource
	// holding it shows it: all holders compile it alike).
	yaml map[string]string
	// manifestWrites counts each resource's manifests: a shared object
	// once per resource holding it.
	manifestWrites int
	floor          []benchscale.FloorRule
}

// addRules counts rule lines and adds each to the floor.
func (st *state) addRules(lines []string) error {
	for _, line := range lines {
		rule, err := benchscale.ParseRuleLine(line)
		if err != nil {
			return err
		}
		if rule.Direction == "egress" {
			st.counts.Egress++
		} else {
			st.counts.Ingress++
		}
		st.floor = append(st.floor, rule)
	}
	return nil
}

func (b *bench) readState(dir string) (*state, error) {
	cmd := exec.CommandContext(b.ctx, b.tf, "show", "-json")
	cmd.Dir, cmd.Env = dir, b.tfEnv
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("terraform show -json: %w", err)
	}
	var doc struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Type   string          `json:"type"`
					Values json.RawMessage `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, err
	}
	st := &state{groups: map[string]bool{}, manifests: map[string]bool{}, yaml: map[string]string{}}
	for _, r := range doc.Values.RootModule.Resources {
		switch r.Type {
		case "zerotrust_segment":
			var v struct {
				SecurityGroupID string `json:"security_group_id"`
			}
			if err := json.Unmarshal(r.Values, &v); err != nil {
				return nil, err
			}
			st.groups[v.SecurityGroupID] = true
		case "zerotrust_segment_policy_set", "zerotrust_segment_policy":
			// Both show their rules one line each, and their manifests.
			var v struct {
				Rules     []string          `json:"rules"`
				Manifests map[string]string `json:"kubernetes_manifests"`
				Policy    []json.RawMessage `json:"policy"` // a set's blocks
			}
			if err := json.Unmarshal(r.Values, &v); err != nil {
				return nil, err
			}
			if r.Type == "zerotrust_segment_policy" {
				st.policies++
			} else {
				st.policies = len(v.Policy)
			}
			if err := st.addRules(v.Rules); err != nil {
				return nil, err
			}
			for k, y := range v.Manifests {
				st.manifests[k] = true
				st.yaml[k] = y
			}
			st.manifestWrites += len(v.Manifests)
		}
	}
	return st, nil
}
