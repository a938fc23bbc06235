package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
)

// policyDocumentType is a string holding an IAM policy document. Two values
// are semantically equal when their canonical forms are
// (identitycenter.PolicyEqual): a read-back that differs only in white space
// or key order keeps the prior state's text, so it is never drift.
type policyDocumentType struct{ basetypes.StringType }

var (
	_ basetypes.StringTypable                    = policyDocumentType{}
	_ basetypes.StringValuableWithSemanticEquals = policyDocumentValue{}
)

func (t policyDocumentType) Equal(o attr.Type) bool {
	_, ok := o.(policyDocumentType)
	return ok
}

func (t policyDocumentType) String() string { return "policyDocumentType" }

func (t policyDocumentType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return policyDocumentValue{StringValue: in}, nil
}

func (t policyDocumentType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return policyDocumentValue{StringValue: s}, nil
}

func (t policyDocumentType) ValueType(context.Context) attr.Value { return policyDocumentValue{} }

// policyDocumentValue is a value of policyDocumentType.
type policyDocumentValue struct{ basetypes.StringValue }

func (v policyDocumentValue) Equal(o attr.Value) bool {
	ov, ok := o.(policyDocumentValue)
	return ok && v.StringValue.Equal(ov.StringValue)
}

func (v policyDocumentValue) Type(context.Context) attr.Type { return policyDocumentType{} }

// StringSemanticEquals compares canonical forms; a document that does not
// parse equals only itself.
func (v policyDocumentValue) StringSemanticEquals(_ context.Context, other basetypes.StringValuable) (bool, diag.Diagnostics) {
	o, ok := other.(policyDocumentValue)
	if !ok {
		return false, nil
	}
	return identitycenter.PolicyEqual(v.ValueString(), o.ValueString()), nil
}

func policyDocumentNull() policyDocumentValue {
	return policyDocumentValue{StringValue: basetypes.NewStringNull()}
}

func policyDocumentOf(s string) policyDocumentValue {
	return policyDocumentValue{StringValue: basetypes.NewStringValue(s)}
}
