package collections

import (
	"slices"
	"testing"
)

func TestSortedUnique(t *testing.T) {
	for _, tc := range []struct {
		name     string
		in, want []string
	}{
		{"nil", nil, nil},
		{"empty", []string{}, nil},
		{"one", []string{"a"}, []string{"a"}},
		{"sorted and deduplicated", []string{"b", "a", "c", "a", "b"}, []string{"a", "b", "c"}},
		{"empty string kept", []string{"x", "", "x", ""}, []string{"", "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := slices.Clone(tc.in)
			got := SortedUnique(in)
			if !slices.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
				t.Errorf("SortedUnique(%q) = %#v, want %#v", tc.in, got, tc.want)
			}
			if !slices.Equal(in, tc.in) {
				t.Errorf("SortedUnique changed its input: %q, was %q", in, tc.in)
			}
		})
	}
}

func TestSortedUniqueReturnsACopy(t *testing.T) {
	in := []string{"a"}
	out := SortedUnique(in)
	out[0] = "z"
	if in[0] != "a" {
		t.Errorf("writing the result wrote the input: %q", in)
	}
}
