package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// verifyFactories serves the provider in-process to the Terraform CLI. The
// verification data sources and functions are pure (no AWS, no cluster), so
// their acceptance tests run with resource.UnitTest: they need the CLI only,
// not the sandbox TF_ACC starts, and run in every `go test`.
var verifyFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"zerotrust": providerserver.NewProtocol6WithError(New("test")()),
}

// Every data source and function documents itself and each attribute,
// nested ones included, so `terraform providers schema -json` and the
// generated docs describe everything.
func TestVerifySchemasAreDescribed(t *testing.T) {
	ctx := context.Background()
	p := New("test")()
	for _, newDS := range p.DataSources(ctx) {
		ds := newDS()
		var meta datasource.MetadataResponse
		ds.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "zerotrust"}, &meta)
		var resp datasource.SchemaResponse
		ds.Schema(ctx, datasource.SchemaRequest{}, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%s: %v", meta.TypeName, resp.Diagnostics)
		}
		if resp.Schema.MarkdownDescription == "" {
			t.Errorf("%s has no description", meta.TypeName)
		}
		var missing []string
		var walkAttrs func(prefix string, attrs map[string]dschema.Attribute)
		walkAttrs = func(prefix string, attrs map[string]dschema.Attribute) {
			for name, a := range attrs {
				if a.GetMarkdownDescription() == "" {
					missing = append(missing, prefix+name)
				}
				switch n := a.(type) {
				case dschema.SingleNestedAttribute:
					walkAttrs(prefix+name+".", n.Attributes)
				case dschema.ListNestedAttribute:
					walkAttrs(prefix+name+".", n.NestedObject.Attributes)
				}
			}
		}
		walkAttrs("", resp.Schema.Attributes)
		for name, b := range resp.Schema.Blocks {
			if b.GetMarkdownDescription() == "" {
				missing = append(missing, name)
			}
			if lb, ok := b.(dschema.ListNestedBlock); ok {
				walkAttrs(name+".", lb.NestedObject.Attributes)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: attributes without a description: %s", meta.TypeName, strings.Join(missing, ", "))
		}
	}
	fns := p.(interface {
		Functions(context.Context) []func() function.Function
	}).Functions(ctx)
	names := map[string]bool{}
	for _, newFn := range fns {
		fn := newFn()
		var meta function.MetadataResponse
		fn.Metadata(ctx, function.MetadataRequest{}, &meta)
		names[meta.Name] = true
		var def function.DefinitionResponse
		fn.Definition(ctx, function.DefinitionRequest{}, &def)
		if def.Definition.MarkdownDescription == "" || def.Definition.Summary == "" {
			t.Errorf("function %s has no description", meta.Name)
		}
		for _, param := range def.Definition.Parameters {
			if param.GetMarkdownDescription() == "" {
				t.Errorf("function %s: parameter %s has no description", meta.Name, param.GetName())
			}
		}
	}
	for _, want := range []string{"evaluate", "cedar_normalize"} {
		if !names[want] {
			t.Errorf("function %s is not registered", want)
		}
	}
}
