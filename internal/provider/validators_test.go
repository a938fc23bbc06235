package provider

import (
	"context"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

func number(s string) types.Number {
	f, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
	if err != nil {
		panic(err)
	}
	return types.NumberValue(f)
}

func TestWholeNumber(t *testing.T) {
	port := wholeNumber{min: 1, max: 65535}
	count := wholeNumber{min: 0, max: math.MaxInt64}
	cases := []struct {
		v     wholeNumber
		value types.Number
		want  string // "" when valid
	}{
		{port, number("443"), ""},
		{port, number("1"), ""},
		{port, number("65535"), ""},
		{port, number("443.0"), ""},
		{port, types.NumberNull(), ""},
		{port, types.NumberUnknown(), ""},
		{port, number("443.5"), "port must be a whole number from 1 to 65535, got 443.5"},
		{port, number("0.25"), "port must be a whole number from 1 to 65535, got 0.25"},
		{port, number("0"), "port must be a whole number from 1 to 65535, got 0"},
		{port, number("65536"), "port must be a whole number from 1 to 65535, got 65536"},
		{port, number("-1"), "port must be a whole number from 1 to 65535, got -1"},
		{count, number("0"), ""},
		{count, number("9223372036854775807"), ""},
		{count, number("2.5"), "port must be a whole number of at least 0, got 2.5"},
		{count, number("-3"), "port must be a whole number of at least 0, got -3"},
		{count, number("1e30"), "port must be a whole number of at least 0, got 1e+30"},
		{count, number("9223372036854775808"), "port must be a whole number of at least 0, got 9.223372036854775808e+18"},
	}
	for _, tc := range cases {
		var resp validator.NumberResponse
		tc.v.ValidateNumber(context.Background(), validator.NumberRequest{Path: path.Root("port"), ConfigValue: tc.value}, &resp)
		var got string
		if resp.Diagnostics.HasError() {
			d := resp.Diagnostics.Errors()[0]
			got = d.Detail()
			if d.Summary() != "Invalid number" {
				t.Errorf("%v %s: summary %q", tc.v, tc.value, d.Summary())
			}
		}
		if got != tc.want {
			t.Errorf("%v %s: got %q, want %q", tc.v, tc.value, got, tc.want)
		}
	}
	if got := count.Description(context.Background()); got != "a whole number of at least 0" {
		t.Errorf("description %q", got)
	}
}

func TestWholeValue(t *testing.T) {
	cases := []struct {
		value types.Number
		want  int64
		ok    bool
	}{
		{number("443"), 443, true},
		{number("-2"), -2, true},
		{number("443.5"), 0, false},
		{number("1e30"), 0, false},
		{types.NumberNull(), 0, false},
		{types.NumberUnknown(), 0, false},
		{wholeNumberValue(60), 60, true},
	}
	for _, tc := range cases {
		if got, ok := wholeValue(tc.value); got != tc.want || ok != tc.ok {
			t.Errorf("wholeValue(%s) = %d, %v; want %d, %v", tc.value, got, ok, tc.want, tc.ok)
		}
	}
	if !wholeNumberValue(443).Equal(number("443")) {
		t.Error("wholeNumberValue(443) differs from the configuration's 443")
	}
}

// TestNoInt64Inputs: no attribute set in configuration (Optional or
// Required) of the provider, a resource or a data source is an Int64, and no
// function takes an Int64 parameter: the framework cannot convert a fraction
// such as 443.5 into one and reports an internal "Value Conversion Error"
// instead of a diagnostic at the attribute. Such an attribute is a
// NumberAttribute with the wholeNumber validator. Computed-only outputs
// may be Int64.
func TestNoInt64Inputs(t *testing.T) {
	ctx := context.Background()
	p := New("test")()
	var found []string
	check := func(at string, attrs, blocks any) { found = append(found, int64Inputs(at, attrs, blocks)...) }

	var ps provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &ps)
	check("provider.", ps.Schema.GetAttributes(), ps.Schema.GetBlocks())
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "zerotrust"}, &meta)
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		check(meta.TypeName+".", resp.Schema.GetAttributes(), resp.Schema.GetBlocks())
	}
	for _, newDataSource := range p.DataSources(ctx) {
		d := newDataSource()
		var meta datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "zerotrust"}, &meta)
		var resp datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &resp)
		check("data."+meta.TypeName+".", resp.Schema.GetAttributes(), resp.Schema.GetBlocks())
	}
	pf, ok := p.(provider.ProviderWithFunctions)
	if !ok {
		t.Fatal("the provider has no functions")
	}
	for _, newFunction := range pf.Functions(ctx) {
		f := newFunction()
		var meta function.MetadataResponse
		f.Metadata(ctx, function.MetadataRequest{}, &meta)
		var def function.DefinitionResponse
		f.Definition(ctx, function.DefinitionRequest{}, &def)
		params := def.Definition.Parameters
		if def.Definition.VariadicParameter != nil {
			params = append(params, def.Definition.VariadicParameter)
		}
		for _, param := range params {
			if _, isInt := param.GetType().(basetypes.Int64Typable); isInt {
				found = append(found, "provider::zerotrust::"+meta.Name+"("+param.GetName()+")")
			}
		}
	}
	if len(found) > 0 {
		t.Errorf("Int64 inputs (make them NumberAttribute with wholeNumber): %s", strings.Join(found, ", "))
	}
	// The walk sees nested attributes and blocks: it finds the computed
	// Int64 outputs it lets through.
	if !walkedComputedInt64 {
		t.Error("the schema walk found no computed Int64 output (level, hops): it does not reach nested attributes")
	}
}

var walkedComputedInt64 bool

type inputAttribute interface {
	IsOptional() bool
	IsRequired() bool
	GetType() attr.Type
}

// int64Inputs walks a schema's attributes and blocks (maps of the
// framework's attribute and block values) by reflection: the nested
// attribute and block types of the three schema packages differ, and the
// interface they share is internal to the framework.
func int64Inputs(at string, attrs, blocks any) []string {
	var found []string
	forEach(attrs, func(name string, a reflect.Value) {
		ia, ok := a.Interface().(inputAttribute)
		if !ok {
			return
		}
		if _, isInt := ia.GetType().(basetypes.Int64Typable); isInt {
			if ia.IsOptional() || ia.IsRequired() {
				found = append(found, at+name)
			} else {
				walkedComputedInt64 = true
			}
		}
		found = append(found, nested(at+name+".", reflect.Indirect(a.Elem()))...)
	})
	forEach(blocks, func(name string, b reflect.Value) {
		found = append(found, nested(at+name+".", reflect.Indirect(b.Elem()))...)
	})
	return found
}

// nested walks the attributes and blocks of a nested attribute or block
// value: its own Attributes and Blocks, or its NestedObject's.
func nested(at string, v reflect.Value) []string {
	if v.Kind() != reflect.Struct {
		return nil
	}
	if o := v.FieldByName("NestedObject"); o.IsValid() {
		v = o
	}
	var attrs, blocks any
	if f := v.FieldByName("Attributes"); f.IsValid() {
		attrs = f.Interface()
	}
	if f := v.FieldByName("Blocks"); f.IsValid() {
		blocks = f.Interface()
	}
	return int64Inputs(at, attrs, blocks)
}

func forEach(m any, visit func(name string, v reflect.Value)) {
	if m == nil {
		return
	}
	v := reflect.ValueOf(m)
	if v.Kind() != reflect.Map {
		return
	}
	for it := v.MapRange(); it.Next(); {
		visit(it.Key().String(), it.Value())
	}
}
