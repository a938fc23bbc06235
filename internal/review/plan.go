// Package review answers a reviewer's question about a saved Terraform or
// OpenTofu plan of this provider's resources: who gains or loses access to
// what. It reads the plan's JSON (`terraform show -json plan`), rebuilds the
// model before and after the change from the resources' attributes, and asks
// the provider's own analysis — the Cedar decision engine over the compiled
// access rules, the reachability graph of the segments' flows, address
// coverage for internet exposure — rather than comparing text.
package review

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// Unknown stands for a value the plan leaves unknown until apply.
type Unknown struct{}

// Resource is one managed resource of this provider in the plan: its
// attributes before (prior state) and after (planned values) the change.
// Before or After is nil when the resource does not exist on that side.
// Unknown values in After are Unknown{}.
type Resource struct {
	Address string
	Type    string
	Actions []string // create, update, delete, no-op (a replacement lists two)
	Before  map[string]any
	After   map[string]any
}

// Created reports whether the resource exists only after the change.
func (r Resource) Created() bool { return r.Before == nil && r.After != nil }

// Deleted reports whether the resource exists only before the change.
func (r Resource) Deleted() bool { return r.Before != nil && r.After == nil }

// Plan is what the review reads from a saved plan's JSON.
type Plan struct {
	// Tool is "terraform" or "opentofu" (from the providers' registry host
	// or the version fields), for the report's header.
	Tool      string
	Version   string
	Resources []Resource // this provider's managed resources, by address
}

// planJSON is the part of the JSON output format the review reads; it is
// the same in Terraform and OpenTofu (format_version 1.x).
type planJSON struct {
	FormatVersion    string           `json:"format_version"`
	TerraformVersion string           `json:"terraform_version"`
	OpenTofuVersion  string           `json:"opentofu_version"`
	ResourceChanges  []resourceChange `json:"resource_changes"`
	PriorState       *struct {
		Values *struct {
			RootModule stateModule `json:"root_module"`
		} `json:"values"`
	} `json:"prior_state"`
}

type resourceChange struct {
	Address      string `json:"address"`
	Mode         string `json:"mode"`
	Type         string `json:"type"`
	ProviderName string `json:"provider_name"`
	Change       struct {
		Actions      []string `json:"actions"`
		Before       any      `json:"before"`
		After        any      `json:"after"`
		AfterUnknown any      `json:"after_unknown"`
	} `json:"change"`
}

type stateModule struct {
	Resources []struct {
		Address      string         `json:"address"`
		Mode         string         `json:"mode"`
		Type         string         `json:"type"`
		ProviderName string         `json:"provider_name"`
		Values       map[string]any `json:"values"`
	} `json:"resources"`
	ChildModules []stateModule `json:"child_modules"`
}

// ResourcePrefix is the type prefix of this provider's resources.
const ResourcePrefix = "zerotrust_"

// ReadPlan reads the JSON of a saved plan. Resources of other providers and
// data sources are ignored. A resource in the prior state that the plan
// lists no change for (a targeted plan) is carried unchanged.
func ReadPlan(r io.Reader) (*Plan, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var raw planJSON
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("not the JSON of a saved plan (use `terraform show -json <planfile>`): %w", err)
	}
	if raw.FormatVersion == "" {
		return nil, fmt.Errorf("not the JSON of a saved plan: no format_version (use `terraform show -json <planfile>`)")
	}
	if major, _, _ := strings.Cut(raw.FormatVersion, "."); major != "1" {
		return nil, fmt.Errorf("plan JSON format %s is not supported (1.x is)", raw.FormatVersion)
	}
	if raw.ResourceChanges == nil && raw.PriorState == nil {
		return nil, fmt.Errorf("the JSON holds neither resource_changes nor prior_state: is it the output of `show -json` on a plan file, not on the state?")
	}
	p := &Plan{Tool: "terraform", Version: raw.TerraformVersion}
	if raw.OpenTofuVersion != "" {
		p.Tool, p.Version = "opentofu", raw.OpenTofuVersion
	}
	seen := map[string]bool{}
	for _, rc := range raw.ResourceChanges {
		if rc.Mode != "managed" || !strings.HasPrefix(rc.Type, ResourcePrefix) {
			continue
		}
		if strings.Contains(rc.ProviderName, "registry.opentofu.org/") {
			p.Tool = "opentofu"
		}
		res := Resource{Address: rc.Address, Type: rc.Type, Actions: slices.Clone(rc.Change.Actions)}
		if m, ok := rc.Change.Before.(map[string]any); ok {
			res.Before = m
		}
		if after := withUnknown(rc.Change.After, rc.Change.AfterUnknown); after != nil {
			switch a := after.(type) {
			case map[string]any:
				res.After = a
			case Unknown:
				res.After = map[string]any{} // wholly unknown: every attribute reads as unknown below
			}
		}
		if slices.Contains(res.Actions, "delete") && !slices.Contains(res.Actions, "create") {
			res.After = nil
		}
		seen[rc.Address] = true
		p.Resources = append(p.Resources, res)
	}
	if raw.PriorState != nil && raw.PriorState.Values != nil {
		var walk func(m stateModule)
		walk = func(m stateModule) {
			for _, r := range m.Resources {
				if r.Mode != "managed" || !strings.HasPrefix(r.Type, ResourcePrefix) || seen[r.Address] {
					continue
				}
				seen[r.Address] = true
				p.Resources = append(p.Resources, Resource{Address: r.Address, Type: r.Type, Actions: []string{"no-op"}, Before: r.Values, After: r.Values})
			}
			for _, c := range m.ChildModules {
				walk(c)
			}
		}
		walk(raw.PriorState.Values.RootModule)
	}
	sort.Slice(p.Resources, func(i, j int) bool { return p.Resources[i].Address < p.Resources[j].Address })
	return p, nil
}

// withUnknown overlays after_unknown on after: a true leaf in unknown
// replaces the value at that place (present or not) with Unknown{}.
func withUnknown(after, unknown any) any {
	switch u := unknown.(type) {
	case bool:
		if u {
			return Unknown{}
		}
		return after
	case map[string]any:
		m, _ := after.(map[string]any)
		if m == nil && len(u) > 0 {
			if after != nil {
				return after
			}
			m = map[string]any{}
		}
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[k] = v
		}
		for k, uv := range u {
			if v := withUnknown(m[k], uv); v != nil {
				out[k] = v
			}
		}
		if after == nil && len(out) == 0 {
			return nil
		}
		return out
	case []any:
		l, _ := after.([]any)
		out := slices.Clone(l)
		for i, uv := range u {
			for len(out) <= i {
				out = append(out, nil)
			}
			out[i] = withUnknown(out[i], uv)
		}
		return out
	}
	return after
}

// ByType returns the plan's resources of one type, by address.
func (p *Plan) ByType(typ string) []Resource {
	var out []Resource
	for _, r := range p.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Attribute readers over a decoded object. Each says whether the value is
// known; a null or absent attribute is known (and empty).

func isUnknown(v any) bool { _, ok := v.(Unknown); return ok }

// str reads a string attribute.
func str(obj map[string]any, key string) (string, bool) {
	v := obj[key]
	if isUnknown(v) {
		return "", false
	}
	s, _ := v.(string)
	return s, true
}

// strs reads a list or set of strings; known is false when the list or any
// element is unknown (the known elements are still returned).
func strs(obj map[string]any, key string) ([]string, bool) {
	v := obj[key]
	if isUnknown(v) {
		return nil, false
	}
	l, _ := v.([]any)
	known := true
	out := make([]string, 0, len(l))
	for _, e := range l {
		if isUnknown(e) {
			known = false
			continue
		}
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out, known
}

// boolean reads a bool attribute.
func boolean(obj map[string]any, key string) (bool, bool) {
	v := obj[key]
	if isUnknown(v) {
		return false, false
	}
	b, _ := v.(bool)
	return b, true
}

// number reads a whole number attribute (absent: 0).
func number(obj map[string]any, key string) (int, bool) {
	switch v := obj[key].(type) {
	case Unknown:
		return 0, false
	case json.Number:
		i, err := v.Int64()
		return int(i), err == nil
	case float64:
		return int(v), true
	}
	return 0, true
}

// object reads a nested object (nil when null); known is false when it is
// unknown as a whole.
func object(obj map[string]any, key string) (map[string]any, bool) {
	v := obj[key]
	if isUnknown(v) {
		return nil, false
	}
	m, _ := v.(map[string]any)
	return m, true
}

// objects reads a list of nested objects or blocks.
func objects(obj map[string]any, key string) ([]map[string]any, bool) {
	v := obj[key]
	if isUnknown(v) {
		return nil, false
	}
	l, _ := v.([]any)
	out := make([]map[string]any, 0, len(l))
	known := true
	for _, e := range l {
		if isUnknown(e) {
			known = false
			continue
		}
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out, known
}
