package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// RequiredPaths are what a configuration must write that the schema Terraform
// sees calls optional, because the framework cannot say it: blocks a
// validator requires (the framework has no required blocks), and attributes
// of a nested block marked requiredInBlock. Paths are dotted block and
// attribute names (identity_provider.oidc.issuer), without list indexes.
type RequiredPaths struct {
	Blocks     []string
	Attributes []string
}

// DocRequirements returns the RequiredPaths of the provider configuration
// (key "provider"), of every resource and of every data source (keys: type
// names), so the generated docs show them as Required.
func DocRequirements(ctx context.Context) map[string]RequiredPaths {
	p := New("docs")()
	out := map[string]RequiredPaths{}
	add := func(name string, r RequiredPaths) {
		if len(r.Blocks)+len(r.Attributes) > 0 {
			sort.Strings(r.Blocks)
			sort.Strings(r.Attributes)
			out[name] = r
		}
	}
	var pm fwprovider.MetadataResponse
	p.Metadata(ctx, fwprovider.MetadataRequest{}, &pm)
	providerTypeName := pm.TypeName
	var ps fwprovider.SchemaResponse
	p.Schema(ctx, fwprovider.SchemaRequest{}, &ps)
	var prov RequiredPaths
	for name, b := range ps.Schema.Blocks {
		walkProviderBlock(ctx, name, b, &prov)
	}
	add("provider", prov)
	for _, f := range p.Resources(ctx) {
		r := f()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: providerTypeName}, &meta)
		var s resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &s)
		var req RequiredPaths
		for name, b := range s.Schema.Blocks {
			walkResourceBlock(ctx, name, b, &req)
		}
		add(meta.TypeName, req)
	}
	for _, f := range p.DataSources(ctx) {
		d := f()
		var meta datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: providerTypeName}, &meta)
		var s datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &s)
		var req RequiredPaths
		for name, b := range s.Schema.Blocks {
			walkDataSourceBlock(ctx, name, b, &req)
		}
		add(meta.TypeName, req)
	}
	return out
}

// blockRequired: a single block with objectvalidator.IsRequired, a list or
// set block with listvalidator.IsRequired or SizeAtLeast(n ≥ 1). Validators
// are recognised by their descriptions, the only thing the framework's
// validator types expose.
func blockRequired(ctx context.Context, object []validator.Object, list []validator.List) bool {
	for _, v := range object {
		if v.Description(ctx) == objectvalidator.IsRequired().Description(ctx) {
			return true
		}
	}
	for _, v := range list {
		switch v.Description(ctx) {
		case listvalidator.IsRequired().Description(ctx), listvalidator.SizeAtLeast(1).Description(ctx):
			return true
		}
	}
	return false
}

type stringValidated interface{ StringValidators() []validator.String }
type numberValidated interface{ NumberValidators() []validator.Number }

// attributeRequiredInBlock: the attribute carries requiredInBlock.
func attributeRequiredInBlock(a any) bool {
	var vs []any
	if s, ok := a.(stringValidated); ok {
		for _, v := range s.StringValidators() {
			vs = append(vs, v)
		}
	}
	if n, ok := a.(numberValidated); ok {
		for _, v := range n.NumberValidators() {
			vs = append(vs, v)
		}
	}
	for _, v := range vs {
		if _, ok := v.(requiredInBlock); ok {
			return true
		}
	}
	return false
}

func collect[A any](prefix string, attrs map[string]A, out *RequiredPaths) {
	for name, a := range attrs {
		if attributeRequiredInBlock(a) {
			out.Attributes = append(out.Attributes, prefix+"."+name)
		}
	}
}

func walkResourceBlock(ctx context.Context, name string, b rschema.Block, out *RequiredPaths) {
	var obj rschema.NestedBlockObject
	var required bool
	switch b := b.(type) {
	case rschema.SingleNestedBlock:
		obj, required = rschema.NestedBlockObject{Attributes: b.Attributes, Blocks: b.Blocks}, blockRequired(ctx, b.Validators, nil)
	case rschema.ListNestedBlock:
		obj, required = b.NestedObject, blockRequired(ctx, nil, b.Validators)
	case rschema.SetNestedBlock:
		obj = b.NestedObject // no set block carries a size validator
	}
	if required {
		out.Blocks = append(out.Blocks, name)
	}
	collect(name, obj.Attributes, out)
	for n, nb := range obj.Blocks {
		walkResourceBlock(ctx, name+"."+n, nb, out)
	}
}

func walkDataSourceBlock(ctx context.Context, name string, b dschema.Block, out *RequiredPaths) {
	var obj dschema.NestedBlockObject
	var required bool
	switch b := b.(type) {
	case dschema.SingleNestedBlock:
		obj, required = dschema.NestedBlockObject{Attributes: b.Attributes, Blocks: b.Blocks}, blockRequired(ctx, b.Validators, nil)
	case dschema.ListNestedBlock:
		obj, required = b.NestedObject, blockRequired(ctx, nil, b.Validators)
	case dschema.SetNestedBlock:
		obj = b.NestedObject
	}
	if required {
		out.Blocks = append(out.Blocks, name)
	}
	collect(name, obj.Attributes, out)
	for n, nb := range obj.Blocks {
		walkDataSourceBlock(ctx, name+"."+n, nb, out)
	}
}

func walkProviderBlock(ctx context.Context, name string, b pschema.Block, out *RequiredPaths) {
	var obj pschema.NestedBlockObject
	var required bool
	switch b := b.(type) {
	case pschema.SingleNestedBlock:
		obj, required = pschema.NestedBlockObject{Attributes: b.Attributes, Blocks: b.Blocks}, blockRequired(ctx, b.Validators, nil)
	case pschema.ListNestedBlock:
		obj, required = b.NestedObject, blockRequired(ctx, nil, b.Validators)
	case pschema.SetNestedBlock:
		obj = b.NestedObject
	}
	if required {
		out.Blocks = append(out.Blocks, name)
	}
	collect(name, obj.Attributes, out)
	for n, nb := range obj.Blocks {
		walkProviderBlock(ctx, name+"."+n, nb, out)
	}
}
