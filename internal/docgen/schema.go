package docgen

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/provider"
)

// ProviderSchema turns `terraform providers schema -json` (or OpenTofu's)
// into what tfplugindocs renders: the one provider keyed by its short name
// (tfplugindocs looks a provider up by it, whatever registry host the CLI
// wrote), and every block and attribute in required marked as required —
// blocks with min_items 1, attributes required and not optional — so the
// docs list them under Required instead of Optional. A path that is not in
// the schema is an error: the docs would silently miss it.
func ProviderSchema(raw []byte, shortName string, required map[string]provider.RequiredPaths) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("provider schema: %w", err)
	}
	schemas, _ := doc["provider_schemas"].(map[string]any)
	if len(schemas) != 1 {
		return nil, fmt.Errorf("provider schema: %d providers, want 1", len(schemas))
	}
	var p map[string]any
	for key, v := range schemas {
		if !strings.HasSuffix(key, "/"+shortName) && key != shortName {
			return nil, fmt.Errorf("provider schema: provider %q is not %s", key, shortName)
		}
		p, _ = v.(map[string]any)
	}
	doc["provider_schemas"] = map[string]any{shortName: p}
	for name, req := range required {
		var block map[string]any
		if name == "provider" {
			block = nested(p, "provider", "block")
		} else if block = nested(p, "resource_schemas", name, "block"); block == nil {
			block = nested(p, "data_source_schemas", name, "block")
		}
		if block == nil {
			return nil, fmt.Errorf("provider schema: no %s", name)
		}
		for _, path := range req.Blocks {
			b := blockAt(block, path)
			if b == nil {
				return nil, fmt.Errorf("provider schema: %s has no block %s", name, path)
			}
			b["min_items"] = 1
		}
		for _, path := range req.Attributes {
			i := strings.LastIndex(path, ".")
			var owner map[string]any
			if b := blockAt(block, path[:i]); b != nil {
				owner = nested(b, "block")
			}
			a := nested(owner, "attributes", path[i+1:])
			if a == nil {
				return nil, fmt.Errorf("provider schema: %s has no attribute %s", name, path)
			}
			a["required"] = true
			delete(a, "optional")
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// blockAt is the block type at a dotted path of block names under block.
func blockAt(block map[string]any, path string) map[string]any {
	var b map[string]any
	for _, step := range strings.Split(path, ".") {
		if b != nil {
			block = nested(b, "block")
		}
		if b = nested(block, "block_types", step); b == nil {
			return nil
		}
	}
	return b
}

func nested(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, _ := m[k].(map[string]any)
		if next == nil {
			return nil
		}
		m = next
	}
	return m
}
