package docgen

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/provider"
)

const cliSchema = `{"format_version":"1.0","provider_schemas":{"registry.opentofu.org/ztforge/zerotrust":{
 "provider":{"version":0,"block":{}},
 "resource_schemas":{"zerotrust_access_proxy":{"version":0,"block":{
  "attributes":{"name":{"type":"string","required":true}},
  "block_types":{
   "identity_provider":{"nesting_mode":"single","block":{
    "block_types":{"oidc":{"nesting_mode":"single","block":{"attributes":{"issuer":{"type":"string","optional":true},"scope":{"type":"string","optional":true}}}}}}},
   "logging":{"nesting_mode":"single","block":{}}}}}}}}}`

// TestProviderSchemaMarksRequired: the provider is keyed by its short name
// whatever registry the CLI wrote, required blocks get min_items 1 and
// required attributes lose optional; the others stay as they were.
func TestProviderSchemaMarksRequired(t *testing.T) {
	out, err := ProviderSchema([]byte(cliSchema), "zerotrust", map[string]provider.RequiredPaths{
		"zerotrust_access_proxy": {Blocks: []string{"identity_provider"}, Attributes: []string{"identity_provider.oidc.issuer"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ProviderSchemas map[string]struct {
			ResourceSchemas map[string]struct {
				Block struct {
					BlockTypes map[string]struct {
						MinItems int `json:"min_items"`
						Block    struct {
							BlockTypes map[string]struct {
								Block struct {
									Attributes map[string]struct {
										Required bool `json:"required"`
										Optional bool `json:"optional"`
									} `json:"attributes"`
								} `json:"block"`
							} `json:"block_types"`
						} `json:"block"`
					} `json:"block_types"`
				} `json:"block"`
			} `json:"resource_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	p, ok := doc.ProviderSchemas["zerotrust"]
	if !ok || len(doc.ProviderSchemas) != 1 {
		t.Fatalf("providers %v, want zerotrust alone", doc.ProviderSchemas)
	}
	proxy := p.ResourceSchemas["zerotrust_access_proxy"].Block.BlockTypes
	if proxy["identity_provider"].MinItems != 1 || proxy["logging"].MinItems != 0 {
		t.Errorf("min_items: identity_provider %d (want 1), logging %d (want 0)", proxy["identity_provider"].MinItems, proxy["logging"].MinItems)
	}
	attrs := proxy["identity_provider"].Block.BlockTypes["oidc"].Block.Attributes
	if a := attrs["issuer"]; !a.Required || a.Optional {
		t.Errorf("issuer %+v, want required and not optional", a)
	}
	if a := attrs["scope"]; a.Required || !a.Optional {
		t.Errorf("scope %+v, want optional as written", a)
	}
}

// A path the schema does not hold is an error, not a doc silently missing it.
func TestProviderSchemaRefusesUnknownPaths(t *testing.T) {
	for _, req := range []provider.RequiredPaths{
		{Blocks: []string{"identity_provider.nope"}},
		{Attributes: []string{"identity_provider.oidc.nope"}},
		{Attributes: []string{"nope.issuer"}},
	} {
		_, err := ProviderSchema([]byte(cliSchema), "zerotrust", map[string]provider.RequiredPaths{"zerotrust_access_proxy": req})
		if err == nil || !strings.Contains(err.Error(), "nope") {
			t.Errorf("%+v: error %v, want one naming the missing path", req, err)
		}
	}
	if _, err := ProviderSchema([]byte(cliSchema), "other", nil); err == nil {
		t.Error("a schema of another provider was accepted")
	}
}
