package model

import (
	"slices"
	"testing"
)

func TestParsePortSpec(t *testing.T) {
	good := map[string]PortRange{"443": {443, 443}, "8000-8080": {8000, 8080}, "0-65535": {0, 65535}, "9000-8000": {9000, 8000}, "70000": {70000, 70000}}
	for in, want := range good {
		got, err := ParsePortSpec(in)
		if err != nil || got != want {
			t.Errorf("ParsePortSpec(%q) = %v, %v; want %v (values are judged by Flow.Validate, not the parser)", in, got, err, want)
		}
		if err == nil && got.String() != in {
			t.Errorf("PortRange(%v).String() = %q, want %q", got, got.String(), in)
		}
	}
	for _, in := range []string{"", "-", "-443", "443-", "a", "1-2-3", " 443", "443 ", "+443", "1-+2", "４４３", "99999999999999999999"} {
		if got, err := ParsePortSpec(in); err == nil {
			t.Errorf("ParsePortSpec(%q) = %v, want an error", in, got)
		}
	}
}

func TestMergePortRanges(t *testing.T) {
	in := []PortRange{{9000, 9100}, {80, 80}, {81, 85}, {8443, 8443}, {9050, 9200}, {1, 1}}
	want := []PortRange{{1, 1}, {80, 85}, {8443, 8443}, {9000, 9200}}
	if got := MergePortRanges(in); !slices.Equal(got, want) {
		t.Fatalf("MergePortRanges = %v, want %v", got, want)
	}
	if in[0] != (PortRange{9000, 9100}) {
		t.Fatal("MergePortRanges changed its input")
	}
}
