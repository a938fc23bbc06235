// Package syntaxtypes holds string attribute types that check their own
// syntax: CIDR blocks, RFC 3339 timestamps and ISO-8601 session durations.
// Terraform validates each known value where it is written — list elements
// included — whatever else in the configuration is still unknown, so
// `terraform validate` catches a malformed CIDR even when the segment it is
// attached to is created in the same apply.
package syntaxtypes

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// syntax is one string syntax: a name for messages and a check.
type syntax interface {
	comparable
	name() string
	check(string) error
}

// Type is a string type whose values must be in syntax S.
type Type[S syntax] struct{ basetypes.StringType }

var (
	_ basetypes.StringTypable     = Type[cidr]{}
	_ basetypes.StringValuable    = Value[cidr]{}
	_ xattr.ValidateableAttribute = Value[cidr]{}
)

func (Type[S]) Equal(o attr.Type) bool {
	_, ok := o.(Type[S])
	return ok
}

func (Type[S]) String() string {
	var s S
	return "syntaxtypes(" + s.name() + ")"
}

func (Type[S]) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return Value[S]{StringValue: in}, nil
}

func (t Type[S]) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return Value[S]{StringValue: s}, nil
}

func (Type[S]) ValueType(context.Context) attr.Value { return Value[S]{} }

// Value is a string in syntax S.
type Value[S syntax] struct{ basetypes.StringValue }

func (v Value[S]) Equal(o attr.Value) bool {
	ov, ok := o.(Value[S])
	return ok && v.StringValue.Equal(ov.StringValue)
}

func (Value[S]) Type(context.Context) attr.Type { return Type[S]{} }

// ValidateAttribute reports a malformed known value at its path.
func (v Value[S]) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	resp.Diagnostics.Append(v.validate(req.Path)...)
}

func (v Value[S]) validate(at path.Path) diag.Diagnostics {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	var s S
	if err := s.check(v.ValueString()); err != nil {
		return diag.Diagnostics{diag.NewAttributeErrorDiagnostic(at, "Invalid "+s.name(), err.Error())}
	}
	return nil
}

// Elements validates each known element of a list of a syntaxtypes type at
// its own path: the framework validates an attribute's value, not the
// elements of a collection.
func Elements() validator.List { return elements{} }

type elements struct{}

func (elements) Description(context.Context) string {
	return "each element must be in the element type's syntax"
}

func (e elements) MarkdownDescription(ctx context.Context) string { return e.Description(ctx) }

func (elements) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for i, e := range req.ConfigValue.Elements() {
		if v, ok := e.(xattr.ValidateableAttribute); ok {
			r := xattr.ValidateAttributeResponse{}
			v.ValidateAttribute(ctx, xattr.ValidateAttributeRequest{Path: req.Path.AtListIndex(i)}, &r)
			resp.Diagnostics.Append(r.Diagnostics...)
		}
	}
}
