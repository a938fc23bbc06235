package provider

import (
	"context"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// schemaModels is the model struct each resource and data source reads its
// configuration, plan and state into (Get/Set), by type name. Every type the
// provider registers needs an entry: a new resource cannot skip the check.
var schemaModels = map[string]any{
	// resources
	"zerotrust_segment":            segmentModel{},
	"zerotrust_segment_policy":     segmentPolicyModel{},
	"zerotrust_segment_policy_set": segmentPolicySetModel{},
	"zerotrust_access_group":       accessGroupModel{},
	"zerotrust_privileged_access":  privilegedAccessModel{},
	"zerotrust_access_proxy":       accessProxyModel{},
	"zerotrust_protect_surface":    protectSurfaceModel{},
	// data sources
	"data.zerotrust_policy_document":     policyDocumentModel{},
	"data.zerotrust_access_decision":     accessDecisionModel{},
	"data.zerotrust_reachability":        reachabilityModel{},
	"data.zerotrust_maturity_assessment": maturityModel{},
}

// TestSchemaModelParity checks, without calling any API, that every model
// struct matches its schema the way the framework's reflection needs at Get
// and Set: each attribute and block has exactly one field with its tfsdk
// tag, each tagged field names an attribute or block, and nested blocks and
// attributes map onto a struct (single), a slice of structs (list, set) or a
// map of structs, recursively. A field of a framework value type (types.List,
// types.Object, ...) is taken as it is. The framework itself only reports a
// mismatch when a request reaches Get.
func TestSchemaModelParity(t *testing.T) {
	ctx := context.Background()
	p := New("test")()
	seen := map[string]bool{}
	check := func(name string, schemaType attr.Type) {
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			m, ok := schemaModels[name]
			if !ok {
				t.Fatalf("%s has no model in schemaModels (schema_parity_test.go): add its model struct", name)
			}
			for _, problem := range modelParity(schemaType.TerraformType(ctx), reflect.TypeOf(m), name) {
				t.Error(problem)
			}
		})
	}
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "zerotrust"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%s: %v", meta.TypeName, resp.Diagnostics)
		}
		check(meta.TypeName, resp.Schema.Type())
	}
	for _, newDataSource := range p.DataSources(ctx) {
		d := newDataSource()
		var meta datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "zerotrust"}, &meta)
		var resp datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("data.%s: %v", meta.TypeName, resp.Diagnostics)
		}
		check("data."+meta.TypeName, resp.Schema.Type())
	}
	for name := range schemaModels {
		if !seen[name] {
			t.Errorf("schemaModels has %s, which the provider does not register: remove the entry", name)
		}
	}

	t.Run("provider", func(t *testing.T) {
		var resp provider.SchemaResponse
		p.Schema(ctx, provider.SchemaRequest{}, &resp)
		for _, problem := range modelParity(resp.Schema.Type().TerraformType(ctx), reflect.TypeOf(providerModel{}), "provider") {
			t.Error(problem)
		}
	})
}

var attrValueType = reflect.TypeOf((*attr.Value)(nil)).Elem()

// modelParity lists where the Go type model does not fit the Terraform type
// want (at is the path, for the messages).
func modelParity(want tftypes.Type, model reflect.Type, at string) []string {
	if model.Implements(attrValueType) || reflect.PointerTo(model).Implements(attrValueType) {
		return nil // a framework value: it carries its own type
	}
	if model.Kind() == reflect.Pointer {
		model = model.Elem()
		if model.Implements(attrValueType) {
			return nil
		}
	}
	switch w := want.(type) {
	case tftypes.Object:
		if model.Kind() != reflect.Struct {
			return []string{fmt.Sprintf("%s: an object (single nested block or attribute) needs a struct or a pointer to one, not %s", at, model)}
		}
		fields, problems := tfsdkFields(model, at)
		for _, name := range sortedKeys(w.AttributeTypes) {
			f, ok := fields[name]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: %s has no field tagged tfsdk:%q for the schema's %q", at, model, name, name))
				continue
			}
			problems = append(problems, modelParity(w.AttributeTypes[name], f.Type, at+"."+name)...)
		}
		for _, name := range sortedKeys(fields) {
			if _, ok := w.AttributeTypes[name]; !ok {
				problems = append(problems, fmt.Sprintf("%s: %s.%s is tagged tfsdk:%q, which the schema does not have", at, model, fields[name].Name, name))
			}
		}
		return problems
	case tftypes.List:
		return elementParity(w.ElementType, model, at, "list")
	case tftypes.Set:
		return elementParity(w.ElementType, model, at, "set")
	case tftypes.Map:
		if model.Kind() != reflect.Map || model.Key().Kind() != reflect.String {
			return []string{fmt.Sprintf("%s: a map needs a Go map keyed by string or a framework value, not %s", at, model)}
		}
		return modelParity(w.ElementType, model.Elem(), at+"[*]")
	}
	// A primitive: a Go primitive (or *big.Float) fits; a struct or a
	// collection does not.
	switch model.Kind() {
	case reflect.Struct:
		if model == reflect.TypeOf(big.Float{}) {
			return nil
		}
		return []string{fmt.Sprintf("%s: the schema has a %s here, the model a struct %s", at, want, model)}
	case reflect.Slice, reflect.Array, reflect.Map:
		return []string{fmt.Sprintf("%s: the schema has a %s here, the model a collection %s", at, want, model)}
	}
	return nil
}

func elementParity(elem tftypes.Type, model reflect.Type, at, kind string) []string {
	if model.Kind() != reflect.Slice && model.Kind() != reflect.Array {
		return []string{fmt.Sprintf("%s: a %s needs a slice or a framework value, not %s", at, kind, model)}
	}
	return modelParity(elem, model.Elem(), at+"[*]")
}

// tfsdkFields maps the tfsdk tags of a struct to their fields, as the
// framework reads them: "-" is skipped, embedded structs promote their
// fields, every other exported field needs a tag, and a tag is used once.
func tfsdkFields(model reflect.Type, at string) (map[string]reflect.StructField, []string) {
	fields := map[string]reflect.StructField{}
	var problems []string
	for i := 0; i < model.NumField(); i++ {
		f := model.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		tag, tagged := f.Tag.Lookup("tfsdk")
		if tag == "-" {
			continue
		}
		if f.Anonymous {
			embedded := f.Type
			if embedded.Kind() == reflect.Pointer {
				embedded = embedded.Elem()
			}
			inner, ps := tfsdkFields(embedded, at)
			problems = append(problems, ps...)
			for name, g := range inner {
				if _, dup := fields[name]; dup {
					problems = append(problems, fmt.Sprintf("%s: %s has two fields tagged tfsdk:%q", at, model, name))
				}
				fields[name] = g
			}
			continue
		}
		if !tagged {
			problems = append(problems, fmt.Sprintf("%s: %s.%s has no tfsdk tag", at, model, f.Name))
			continue
		}
		if other, dup := fields[tag]; dup {
			problems = append(problems, fmt.Sprintf("%s: %s has two fields tagged tfsdk:%q (%s and %s)", at, model, tag, other.Name, f.Name))
			continue
		}
		fields[tag] = f
	}
	return fields, problems
}

// The parity check itself must catch each kind of mismatch.
func TestModelParityFindsMismatches(t *testing.T) {
	type block struct {
		Port string `tfsdk:"port"`
	}
	want := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"name":   tftypes.String,
		"single": tftypes.Object{AttributeTypes: map[string]tftypes.Type{"port": tftypes.String}},
		"list":   tftypes.List{ElementType: tftypes.Object{AttributeTypes: map[string]tftypes.Type{"port": tftypes.String}}},
	}}
	type good struct {
		Name   string  `tfsdk:"name"`
		Single *block  `tfsdk:"single"`
		List   []block `tfsdk:"list"`
	}
	if ps := modelParity(want, reflect.TypeOf(good{}), "good"); len(ps) > 0 {
		t.Fatalf("a matching model reported: %v", ps)
	}
	cases := map[string]struct {
		model any
		says  string
	}{
		"missing field": {struct {
			Name   string  `tfsdk:"name"`
			Single *block  `tfsdk:"single"`
			List2  []block `tfsdk:"list2"`
		}{}, `no field tagged tfsdk:"list"`},
		"untagged field": {struct {
			Name   string
			Single *block  `tfsdk:"single"`
			List   []block `tfsdk:"list"`
		}{}, "has no tfsdk tag"},
		"duplicate tag": {struct {
			Name   string  `tfsdk:"name"`
			Again  string  `tfsdk:"name"`
			Single *block  `tfsdk:"single"`
			List   []block `tfsdk:"list"`
		}{}, "two fields tagged"},
		"single as slice": {struct {
			Name   string  `tfsdk:"name"`
			Single []block `tfsdk:"single"`
			List   []block `tfsdk:"list"`
		}{}, "needs a struct"},
		"list as struct": {struct {
			Name   string `tfsdk:"name"`
			Single *block `tfsdk:"single"`
			List   block  `tfsdk:"list"`
		}{}, "needs a slice"},
		"nested mismatch": {struct {
			Name   string `tfsdk:"name"`
			Single *block `tfsdk:"single"`
			List   []struct {
				Port  string `tfsdk:"port"`
				Extra string `tfsdk:"extra"`
			} `tfsdk:"list"`
		}{}, "good.list[*]"},
	}
	for name, c := range cases {
		ps := modelParity(want, reflect.TypeOf(c.model), "good")
		if !strings.Contains(strings.Join(ps, "\n"), c.says) {
			t.Errorf("%s: want a problem saying %q, got %v", name, c.says, ps)
		}
	}
}
