package model

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// CheckPrintable reports a single-line value (a name, a path, a group or
// label name) that is not valid UTF-8 or holds a character that is not
// printable in the sense of unicode.IsPrint: NUL and every other control
// character, line and paragraph separators, invisible format characters
// (bidirectional overrides, zero-width spaces) and spaces other than U+0020.
// Such characters pass Terraform's type checks but fail the API at apply
// time, truncate C strings, or make a reviewed name read differently from
// what it is. The problem is reported at path; nil means the value is fine.
func CheckPrintable(path Path, value string) Problems {
	return checkRunes(path, value, "a single-line value", func(r rune) bool { return unicode.IsPrint(r) })
}

// CheckText is CheckPrintable for free text (acknowledgements, reasons):
// tab, newline and carriage return and any Unicode space are allowed; NUL,
// other control characters and bidirectional formatting characters are not,
// because the text is shown to reviewers in plans and logs and must read as
// it is.
func CheckText(path Path, value string) Problems {
	return checkRunes(path, value, "text", func(r rune) bool {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return true
		case unicode.IsControl(r) || isBidiControl(r):
			return false
		}
		return true
	})
}

func checkRunes(path Path, value, kind string, ok func(rune) bool) Problems {
	var ps Problems
	for i, r := range value {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(value[i:]); n == 1 {
				ps.Errorf(path, "Invalid UTF-8", "the value is not valid UTF-8: byte %d is 0x%02x", i, value[i])
				return ps
			}
		}
		if !ok(r) {
			ps.Errorf(path, "Unprintable character", "%s may not contain %s (%U) — found at byte %d", kind, runeName(r), r, i)
			return ps
		}
	}
	return ps
}

// isBidiControl reports the Unicode bidirectional formatting characters
// (the "Trojan Source" characters, CVE-2021-42574).
func isBidiControl(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

func runeName(r rune) string {
	switch {
	case r == 0:
		return "NUL"
	case r == '\n' || r == '\r':
		return "a line break"
	case unicode.IsControl(r):
		return "a control character"
	case r == 0x2028 || r == 0x2029:
		return "a line or paragraph separator"
	case isBidiControl(r):
		return "a bidirectional formatting character"
	case unicode.Is(unicode.Cf, r):
		return "an invisible format character"
	case unicode.IsSpace(r):
		return "a space other than U+0020"
	}
	return fmt.Sprintf("the unprintable character %q", r)
}
