// Package sweep finds the objects this provider created (by its ownership
// marks) that no Terraform state claims, and deletes them on request: the
// orphans a crash between a create and the state write leaves behind, in a
// sandbox or test account. Like the AWS provider's sweepers, it is a test
// and sandbox tool, never part of an apply.
package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Claims is the set of strings the given Terraform states hold: every string
// attribute value and map key, plus, for short single-token values, their
// parts split at ',' and '/' (import ids such as "instanceARN,psARN", policy
// ids such as "sg-…/name", ARNs ending in "…/id"). An object is claimed when
// one of its ids is in the set. Collecting more than ids can only claim more,
// so a state never makes the sweep delete more.
type Claims map[string]bool

// maxSplitLen bounds which values are split into parts: ids and ARNs are
// short; manifests and policy documents are not, and are kept whole only.
const maxSplitLen = 2048

// Has reports whether any of ids is claimed.
func (c Claims) Has(ids ...string) bool {
	for _, id := range ids {
		if id != "" && c[id] {
			return true
		}
	}
	return false
}

// LoadClaims reads Terraform state files: terraform.tfstate (format version
// 4: resources[].instances[].attributes), `terraform show -json` output
// (values.root_module and its child modules) or `terraform show -json` of a
// plan (prior_state). A file that is none of these is an error, so a wrong
// path never silently claims nothing.
func LoadClaims(paths ...string) (Claims, error) {
	c := Claims{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("reading state %s: %w", p, err)
		}
		if err := c.AddState(data); err != nil {
			return nil, fmt.Errorf("state %s: %w", p, err)
		}
	}
	return c, nil
}

// AddState adds the claims of one state document (see LoadClaims).
func (c Claims) AddState(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("not a Terraform state (JSON): %w", err)
	}
	switch {
	case doc["resources"] != nil || doc["version"] != nil && doc["terraform_version"] != nil && doc["lineage"] != nil:
		if v, _ := doc["version"].(json.Number); v != "" && v != "4" {
			return fmt.Errorf("state format version %s is not supported (want 4)", v)
		}
		rs, ok := doc["resources"].([]any)
		if !ok && doc["resources"] != nil {
			return errors.New("resources is not a list")
		}
		for _, r := range rs {
			rm, _ := r.(map[string]any)
			insts, _ := rm["instances"].([]any)
			for _, in := range insts {
				im, _ := in.(map[string]any)
				c.walk(im["attributes"])
			}
		}
		return nil
	case doc["values"] != nil || doc["format_version"] != nil && doc["terraform_version"] != nil:
		if v, ok := doc["values"].(map[string]any); ok {
			c.walkModule(v["root_module"])
		}
		return nil
	case doc["prior_state"] != nil:
		ps, _ := doc["prior_state"].(map[string]any)
		if v, ok := ps["values"].(map[string]any); ok {
			c.walkModule(v["root_module"])
		}
		return nil
	}
	return errors.New("neither a terraform.tfstate (version 4) nor `terraform show -json` output")
}

// walkModule collects the values of a `terraform show -json` module and its
// child modules.
func (c Claims) walkModule(m any) {
	mm, ok := m.(map[string]any)
	if !ok {
		return
	}
	rs, _ := mm["resources"].([]any)
	for _, r := range rs {
		if rm, ok := r.(map[string]any); ok {
			c.walk(rm["values"])
		}
	}
	children, _ := mm["child_modules"].([]any)
	for _, ch := range children {
		c.walkModule(ch)
	}
}

// walk collects every string (and map key) below v.
func (c Claims) walk(v any) {
	switch x := v.(type) {
	case string:
		c.Add(x)
	case map[string]any:
		for k, e := range x {
			c.Add(k)
			c.walk(e)
		}
	case []any:
		for _, e := range x {
			c.walk(e)
		}
	}
}

// Add claims s and, for a short value without white space, its ',' and '/'
// separated parts.
func (c Claims) Add(s string) {
	if s == "" {
		return
	}
	c[s] = true
	if len(s) > maxSplitLen || strings.ContainsAny(s, " \t\r\n") {
		return
	}
	for _, part := range strings.Split(s, ",") {
		if part == "" {
			continue
		}
		c[part] = true
		for _, p := range strings.Split(part, "/") {
			if p != "" {
				c[p] = true
			}
		}
	}
}
