package provider

import (
	"context"
	"math"
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
