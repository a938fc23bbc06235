package model

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckSecurityGroupDescription checks a security group's description
// against EC2's rules for a group in a VPC: 1–255 characters of a-z, A-Z,
// 0-9, spaces and ._-:/()#,@[]+=&;{}!$* (the rule description's set).
// Anything else — non-ASCII, quotes, NUL, line breaks — passed plan and
// failed CreateSecurityGroup.
func CheckSecurityGroupDescription(at Path, d string) Problems {
	var ps Problems
	for i := 0; i < len(d); i++ {
		if !ruleDescriptionChar(d[i]) {
			r, _ := utf8.DecodeRuneInString(d[i:])
			ps.Errorf(at, "Unsupported character in description",
				"The description is the security group's, and EC2 accepts only letters a-z and A-Z, digits, spaces and ._-:/()#,@[]+=&;{}!$* in it; found %q (%U) at byte %d. Write it with those characters only.", r, r, i)
			break
		}
	}
	return ps
}

// MaxTagValueLength is AWS's limit on a tag value, in characters.
const MaxTagValueLength = 256

// tagValueRune is the character set AWS documents for tag values on
// Identity Center, EC2 and IAM: letters, separators (spaces), numbers and
// _ . : / = + - @.
func tagValueRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.In(r, unicode.Z) || unicode.IsNumber(r) || strings.ContainsRune("_.:/=+-@", r)
}

// CheckTagValue checks that value can be written as the value of tag key:
// at most 256 characters, each a letter, a space, a number or one of
// _ . : / = + - @. what says what the value is (e.g. "the name").
func CheckTagValue(at Path, key, what, value string) Problems {
	var ps Problems
	if n := utf8.RuneCountInString(value); n > MaxTagValueLength {
		ps.Errorf(at, "Too long for a tag value", "%s is written as the value of the %s tag, which AWS limits to %d characters; it has %d.", what, key, MaxTagValueLength, n)
	}
	for _, r := range value {
		if !tagValueRune(r) {
			ps.Errorf(at, "Unsupported character for a tag value",
				"%s is written as the value of the %s tag, and AWS tag values allow only letters, digits, spaces and _ . : / = + - @; found %q (%U). Use those characters only.", what, key, r, r)
			break
		}
	}
	return ps
}
