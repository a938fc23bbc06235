package identitycenter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Limits of an inline policy on a permission set (IAM Identity Center quotas).
const (
	// MaxInlinePolicyBytes is the API's length limit on InlinePolicy.
	MaxInlinePolicyBytes = 32768
	// MaxInlinePolicyNonSpaceBytes is the quota on non-white-space characters.
	MaxInlinePolicyNonSpaceBytes = 10240
)

// CanonicalPolicy returns the canonical text of a JSON policy document:
//
//   - object keys sorted (byte order of their UTF-8), no insignificant white space;
//   - arrays keep their order and shape: a single-value Action or Resource
//     written as a string stays a string, a one-element array stays an array.
//     The canonical form is syntactic on purpose — it never changes what a
//     reviewer wrote, only how it is spelled — and AWS returns the shape it
//     was given, so comparing canonical forms yields no perpetual diff;
//   - numbers keep their literal spelling (1.0 stays 1.0);
//   - strings are re-escaped by encoding/json without HTML escaping, then every
//     non-ASCII character (and DEL) is written as a \uXXXX escape (surrogate
//     pairs above U+FFFF), because the InlinePolicy API parameter accepts only
//     [\t\n\r\x20-\xFF]. The output is therefore printable ASCII.
//
// Parsing is strict (see model.DecodePolicyJSON): duplicate keys, invalid
// UTF-8, trailing data and nesting deeper than model.MaxPolicyDepth are
// errors. CanonicalPolicy is deterministic and idempotent:
// CanonicalPolicy(CanonicalPolicy(x)) == CanonicalPolicy(x). It checks JSON
// only; PrivilegedAccess.Validate checks the IAM grammar.
func CanonicalPolicy(doc string) (string, error) {
	out, _, err := canonicalize(doc)
	return out, err
}

// canonicalize returns the canonical text and the parsed tree (for the lint).
func canonicalize(doc string) (string, any, error) {
	tree, err := model.DecodePolicyJSON(doc)
	if err != nil {
		return "", nil, err
	}
	out, err := encodeCanonical(tree)
	if err != nil {
		return "", nil, err
	}
	return out, tree, nil
}

// encodeCanonical encodes a decoded tree. encoding/json sorts map keys and
// writes json.Number literally; the encoder is used (not Marshal) to turn off
// HTML escaping of <, > and &, which would make ARN conditions unreadable.
func encodeCanonical(tree any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(tree); err != nil {
		return "", fmt.Errorf("encoding the policy: %w", err)
	}
	return asciiEscape(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})), nil
}

// asciiEscape rewrites every non-ASCII character of encoding/json output as a
// JSON \u escape. In encoder output non-ASCII bytes occur only inside strings,
// where the escape denotes the same character, so the JSON value is unchanged.
func asciiEscape(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x7f {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	const hex = "0123456789abcdef"
	out := make([]byte, 0, len(b)+len(b)/2)
	esc := func(u uint16) {
		out = append(out, '\\', 'u', hex[u>>12&0xf], hex[u>>8&0xf], hex[u>>4&0xf], hex[u&0xf])
	}
	for i := 0; i < len(b); {
		c := b[i]
		if c == 0x7f { // DEL: valid for the API, but invisible in a plan
			esc(0x7f)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		i += size
		if r > 0xFFFF {
			r -= 0x10000
			esc(uint16(0xD800 + (r>>10)&0x3FF))
			esc(uint16(0xDC00 + r&0x3FF))
			continue
		}
		esc(uint16(r))
	}
	return string(out)
}

// PolicyEqual reports whether two policy documents have the same canonical
// form. Two blank documents are equal; a document that does not parse equals
// nothing but itself, byte for byte.
func PolicyEqual(a, b string) bool {
	if a == b {
		return true
	}
	ca, err := CanonicalPolicy(a)
	if err != nil {
		return false
	}
	cb, err := CanonicalPolicy(b)
	return err == nil && ca == cb
}

// nonSpaceBytes counts bytes that are not JSON white space.
func nonSpaceBytes(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n
}
