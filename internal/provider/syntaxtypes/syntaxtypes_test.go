package syntaxtypes

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

func TestSyntaxes(t *testing.T) {
	cases := []struct {
		value  attr.Value
		errSub string // "" when valid
	}{
		{NewCIDR("10.1.2.3/8"), ""},
		{NewCIDR("2001:db8::/32"), ""},
		{NewCIDR("10.0.0.300/8"), `"10.0.0.300/8" is not a CIDR block`},
		{NewCIDR("10.0.0.0"), "is not a CIDR block"},
		{NewCIDR(""), "is not a CIDR block"},
		{NewTimestamp("2026-12-31T00:00:00Z"), ""},
		{NewTimestamp("2026-12-31T00:00:00+02:00"), ""},
		{NewTimestamp("2026-12-31"), "not an RFC 3339 time"},
		{NewTimestamp("tomorrow"), "not an RFC 3339 time"},
		{NewDuration("PT1H30M"), ""},
		{NewDuration("1h"), "not an ISO-8601 duration"},
		{NewDuration("PT13H"), "12 hours"},
		{CIDR{StringValue: basetypes.NewStringUnknown()}, ""},
		{NullTimestamp(), ""},
	}
	for _, tc := range cases {
		resp := xattr.ValidateAttributeResponse{}
		tc.value.(xattr.ValidateableAttribute).ValidateAttribute(context.Background(), xattr.ValidateAttributeRequest{Path: path.Root("a")}, &resp)
		if tc.errSub == "" {
			if resp.Diagnostics.HasError() {
				t.Errorf("%s: unexpected %v", tc.value, resp.Diagnostics)
			}
			continue
		}
		if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics[0].Detail(), tc.errSub) {
			t.Errorf("%s: want an error containing %q, got %v", tc.value, tc.errSub, resp.Diagnostics)
		}
	}
}

func TestElementsNamesEachBadElement(t *testing.T) {
	list := types.ListValueMust(CIDRType{}, []attr.Value{NewCIDR("10.0.0.0/8"), CIDR{StringValue: basetypes.NewStringUnknown()}, NewCIDR("nope")})
	resp := validator.ListResponse{}
	Elements().ValidateList(context.Background(), validator.ListRequest{Path: path.Root("cidr_blocks"), ConfigValue: list}, &resp)
	if len(resp.Diagnostics) != 1 {
		t.Fatalf("want one diagnostic, got %v", resp.Diagnostics)
	}
	d, ok := resp.Diagnostics[0].(interface{ Path() path.Path })
	if !ok || !d.Path().Equal(path.Root("cidr_blocks").AtListIndex(2)) {
		t.Fatalf("diagnostic not at cidr_blocks[2]: %v", resp.Diagnostics[0])
	}
}

func TestTypeRoundTrip(t *testing.T) {
	ctx := context.Background()
	v := NewCIDR("10.0.0.0/8")
	tf, err := v.ToTerraformValue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	back, err := CIDRType{}.ValueFromTerraform(ctx, tf)
	if err != nil || !back.Equal(v) || back.Equal(NewTimestamp("10.0.0.0/8")) {
		t.Fatalf("round trip: %v, %v", back, err)
	}
	if !(CIDRType{}).Equal(v.Type(ctx)) || (CIDRType{}).Equal(TimestampType{}) {
		t.Fatal("type identity")
	}
}
