package model

import (
	"strings"
	"testing"
)

func TestCheckPrintable(t *testing.T) {
	tests := []struct {
		value string
		want  string // "" = fine, else a fragment of the detail
	}{
		{"payments-oncall", ""},
		{"Zahlungsverkehr · Bereitschaft", ""},
		{"支付", ""},
		{"a b", ""},
		{"a\x00b", "NUL (U+0000) — found at byte 1"},
		{"a\tb", "control character"},
		{"a\nb", "line break"},
		{"a\x7fb", "control character (U+007F)"},
		{"a\u0085b", "control character (U+0085)"},
		{"admin\u202etxt.exe", "bidirectional formatting character (U+202E)"},
		{"a\u200bb", "invisible format character (U+200B)"},
		{"a\u00a0b", "space other than U+0020"},
		{"a\u2028b", "line or paragraph separator"},
		{"a\xffb", "not valid UTF-8: byte 1 is 0xff"},
	}
	for _, tt := range tests {
		ps := CheckPrintable(Root("name"), tt.value)
		switch {
		case tt.want == "" && len(ps) != 0:
			t.Errorf("CheckPrintable(%q) = %v, want none", tt.value, ps)
		case tt.want != "" && (len(ps) != 1 || ps[0].Path.String() != "name" || !strings.Contains(ps[0].Detail, tt.want)):
			t.Errorf("CheckPrintable(%q) = %+v, want one problem at name containing %q", tt.value, ps, tt.want)
		}
	}
}

func TestCheckText(t *testing.T) {
	fine := []string{"", "reviewed by security\n\tSEC-42\r\n", "non\u00a0breaking", "🔥 emoji"}
	for _, v := range fine {
		if ps := CheckText(Root("acknowledgement"), v); len(ps) != 0 {
			t.Errorf("CheckText(%q) = %v, want none", v, ps)
		}
	}
	bad := map[string]string{"ok\x00": "NUL", "ok\x1b[31m": "control character", "ok\u2066x\u2069": "bidirectional", "\xc3": "UTF-8"}
	for v, want := range bad {
		ps := CheckText(Root("acknowledgement"), v)
		if len(ps) != 1 || ps[0].Severity != Error || ps[0].Path.String() != "acknowledgement" || !strings.Contains(ps[0].Detail, want) {
			t.Errorf("CheckText(%q) = %+v, want one error containing %q", v, ps, want)
		}
	}
}
