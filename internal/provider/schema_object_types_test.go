package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// TestResourceSchemasCarryTheirObjectTypes checks that every nested block of
// every resource schema has its object type set once, and that the type is
// the one the framework would build: the same attributes and nested blocks,
// so values, plans and state decode exactly as without it.
func TestResourceSchemasCarryTheirObjectTypes(t *testing.T) {
	ctx := context.Background()
	for _, newResource := range (&zeroTrustProvider{}).Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "zerotrust"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		t.Run(meta.TypeName, func(t *testing.T) {
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
				t.Fatal(diags)
			}
			checkBlockTypes(t, meta.TypeName, resp.Schema.Blocks)
		})
	}
}

func checkBlockTypes(t *testing.T, at string, blocks map[string]schema.Block) {
	t.Helper()
	for name, b := range blocks {
		path := at + "." + name
		switch b := b.(type) {
		case schema.ListNestedBlock:
			checkObjectType(t, path, b.NestedObject)
		case schema.SetNestedBlock:
			checkObjectType(t, path, b.NestedObject)
		case schema.SingleNestedBlock:
			// The block as its object: its attributes, blocks and type.
			checkObjectType(t, path, schema.NestedBlockObject{Attributes: b.Attributes, Blocks: b.Blocks, CustomType: b.CustomType})
		default:
			t.Errorf("%s: a %T is not covered by withObjectTypes", path, b)
		}
	}
}

func checkObjectType(t *testing.T, path string, o schema.NestedBlockObject) {
	t.Helper()
	if o.CustomType == nil {
		t.Errorf("%s: no object type set", path)
		return
	}
	built := o
	built.CustomType = nil
	got := o.Type()
	// A timeouts block keeps its library's custom type, which wraps the
	// object type the framework builds.
	if tt, ok := o.CustomType.(timeouts.Type); ok {
		got = tt.ObjectType
	}
	if !got.Equal(built.Type()) {
		t.Errorf("%s: object type %s, the framework builds %s", path, o.Type(), built.Type())
	}
	checkBlockTypes(t, path, o.Blocks)
}
