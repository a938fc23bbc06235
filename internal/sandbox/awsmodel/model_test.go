package awsmodel

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestLocateRefusesADirectoryWithoutModels(t *testing.T) {
	t.Setenv(EnvDataDir, t.TempDir())
	if _, err := Locate(); err == nil || !strings.Contains(err.Error(), EnvDataDir) {
		t.Fatalf("want an error naming %s, got %v", EnvDataDir, err)
	}
	t.Setenv(EnvDataDir, "")
	t.Setenv(EnvPython, filepath.Join(t.TempDir(), "no-python"))
	if _, err := Locate(); err == nil || !strings.Contains(err.Error(), "botocore") {
		t.Fatalf("want an error saying botocore is missing, got %v", err)
	}
}

// Model patterns match whole values, as AWS applies them, and Java's
// \uXXXX escapes and lookarounds are understood.
func TestPatternsMatchWholeValues(t *testing.T) {
	cases := []struct {
		pattern string
		value   string
		want    bool
	}{
		{`[\w+=,.@-]+`, "role-name", true},
		{`[\w+=,.@-]+`, "role name", false},
		{`d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`, "d-0123456789", true},
		{`d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`, "d-mwvqqvodug", false},
		{`[\u0009\u000A\u000D\u0020-\u00FF]+`, "{\"a\": \"é\"}", true},
		{`[\u0009\u000A\u000D\u0020-\u00FF]+`, "ĉ", false},
		{`(-?)P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)([DW]))?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?`, "PT8H", true},
		{`(-?)P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)([DW]))?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?`, "P", false},
		{`(-?)P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)([DW]))?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?`, "PT8H\n", false},
	}
	for _, c := range cases {
		matches, failure := compilePattern(c.pattern)
		if matches == nil {
			t.Fatalf("%q does not compile: %+v", c.pattern, failure)
		}
		if got := matches(c.value); got != c.want {
			t.Errorf("%q matches %q: %v, want %v", c.pattern, c.value, got, c.want)
		}
	}
}
