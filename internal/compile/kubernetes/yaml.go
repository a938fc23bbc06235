package kubernetes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"
)

// yamlRenderer renders an object as canonical YAML byte-for-byte equal to
// sigs.k8s.io/yaml.Marshal — which marshals to JSON, parses the JSON back
// as YAML and emits that with go.yaml.in/yaml/v2 — without the YAML parse
// and the reflective emitter, which were most of the cost of a large
// compile. The object's JSON (from encoding/json, so field names,
// omitempty and custom marshallers stay the API types' own) is parsed into
// a small tree and written in yaml.v2's block style with its key order.
//
// Scalars are never quoted by hand: a string that is not trivially plain
// is rendered once by sigs.k8s.io/yaml itself and its single-line token
// reused. Whatever this writer cannot prove equal — a string whose line
// would pass the emitter's 80-column wrap at a space, a line break, a long
// or empty key, a number yaml.v2 would retype — makes the whole object fall
// back to sigs.k8s.io/yaml.Marshal, so the output never differs.
type yamlRenderer struct {
	buf       []byte
	lineStart int // index in buf of the current line's first byte
	tokens    map[string]string
	parser    jsonParser
	jsonBuf   bytes.Buffer
	enc       *json.Encoder // writes what json.Marshal writes (HTML escaped too), into jsonBuf
	treeText  []byte        // the texts of a tree built from fields (see networkPolicyYAML)
}

// yamlWrapColumn is go.yaml.in/yaml/v2's default line width: past it the
// emitter breaks a scalar at a space.
const yamlWrapColumn = 80

// maxSimpleKey is the longest key yaml.v2 writes as "key: value".
const maxSimpleKey = 128

// render returns obj as a canonical single-document YAML manifest.
func (r *yamlRenderer) render(obj any) (string, error) {
	b, err := r.renderBytes(obj)
	return string(b), err
}

// renderBytes is render without the copy: the bytes are the renderer's and
// valid until its next call.
func (r *yamlRenderer) renderBytes(obj any) ([]byte, error) {
	if np, ok := obj.(*networkingv1.NetworkPolicy); ok {
		if b, ok := r.networkPolicyYAML(np); ok {
			return b, nil
		}
	}
	// One encoder and buffer for every object: json.Marshal would copy each
	// document out of its pooled buffer only for the parser to copy it again.
	if r.enc == nil {
		r.enc = json.NewEncoder(&r.jsonBuf)
	}
	r.jsonBuf.Reset()
	if err := r.enc.Encode(obj); err != nil {
		return nil, err
	}
	raw := bytes.TrimSuffix(r.jsonBuf.Bytes(), []byte("\n")) // Encode ends the document with a newline; Marshal does not
	if b, ok := r.fromJSON(raw); ok {
		return b, nil
	}
	return yaml.Marshal(obj)
}

// fromJSON renders a JSON object into the renderer's buffer; false means
// the fast writer cannot guarantee yaml.v2's bytes for it.
func (r *yamlRenderer) fromJSON(raw []byte) ([]byte, bool) {
	v, ok := r.parser.parse(raw)
	if !ok || v.kind != jsonObject || len(v.members) == 0 {
		return nil, false
	}
	r.buf, r.lineStart = r.buf[:0], 0
	if !r.mapping(v, 0, false) {
		return nil, false
	}
	return r.buf, true
}

func (r *yamlRenderer) newline() {
	r.buf = append(r.buf, '\n')
	r.lineStart = len(r.buf)
}

func (r *yamlRenderer) indent(n int) {
	for range n {
		r.buf = append(r.buf, ' ')
	}
}

// mapping writes a non-empty object's members at indent; inline means the
// first key follows a "- " already written.
func (r *yamlRenderer) mapping(v *jsonValue, indent int, inline bool) bool {
	members := v.members
	slices.SortFunc(members, func(a, b jsonMember) int {
		if yamlKeyLess(a.key, b.key) {
			return -1
		}
		if yamlKeyLess(b.key, a.key) {
			return 1
		}
		return 0
	})
	if !consistentOrder(members) {
		return false
	}
	for i := range members {
		m := &members[i]
		if i > 0 || !inline {
			r.indent(indent)
		}
		if len(m.key) == 0 || len(m.key) > maxSimpleKey || !r.scalar(m.key, true) {
			return false
		}
		r.buf = append(r.buf, ':')
		val := &m.value
		switch {
		case val.kind == jsonObject && len(val.members) > 0:
			r.newline()
			if !r.mapping(val, indent+2, false) {
				return false
			}
		case val.kind == jsonArray && len(val.items) > 0:
			r.newline()
			if !r.sequence(val, indent, false) {
				return false
			}
		default:
			r.buf = append(r.buf, ' ')
			if !r.leaf(val) {
				return false
			}
			r.newline()
		}
	}
	return true
}

// sequence writes a non-empty array's items at indent; inline means the
// first "- " follows a "- " already written.
func (r *yamlRenderer) sequence(v *jsonValue, indent int, inline bool) bool {
	for i := range v.items {
		item := &v.items[i]
		if i > 0 || !inline {
			r.indent(indent)
		}
		r.buf = append(r.buf, '-', ' ')
		switch {
		case item.kind == jsonObject && len(item.members) > 0:
			if !r.mapping(item, indent+2, true) {
				return false
			}
		case item.kind == jsonArray && len(item.items) > 0:
			if !r.sequence(item, indent+2, true) {
				return false
			}
		default:
			if !r.leaf(item) {
				return false
			}
			r.newline()
		}
	}
	return true
}

// leaf writes a scalar or an empty collection.
func (r *yamlRenderer) leaf(v *jsonValue) bool {
	switch v.kind {
	case jsonObject:
		r.buf = append(r.buf, '{', '}')
	case jsonArray:
		r.buf = append(r.buf, '[', ']')
	case jsonNull:
		r.buf = append(r.buf, "null"...)
	case jsonBool, jsonNumber:
		// Numbers are kept only when yaml.v2 reads them back as an int
		// and writes the same digits (see jsonParser.number).
		r.buf = append(r.buf, v.text...)
	case jsonString:
		return r.scalar(v.text, false)
	default:
		return false
	}
	return true
}

// scalar writes a string as yaml.v2 would at the current position.
func (r *yamlRenderer) scalar(s []byte, key bool) bool {
	if plainWord(s) {
		r.buf = append(r.buf, s...)
		return true
	}
	tok, ok := r.tokens[string(s)]
	if !ok {
		k := string(s) // a copy: s is a slice of the document being rendered
		tok = standaloneToken(k)
		if r.tokens == nil {
			r.tokens = map[string]string{}
		}
		r.tokens[k] = tok
	}
	if tok == "" {
		return false
	}
	// A value containing a space may be broken there once its line passes
	// the wrap column (a key never is); a line that ends before it is safe.
	if !key && bytes.IndexByte(s, ' ') >= 0 && len(r.buf)-r.lineStart+len(tok) > yamlWrapColumn {
		return false
	}
	r.buf = append(r.buf, tok...)
	return true
}

// standaloneToken is s as sigs.k8s.io/yaml writes it alone on its line, or
// "" when that token could depend on where it is written (line breaks in
// or around it).
func standaloneToken(s string) string {
	if !utf8.ValidString(s) || strings.ContainsAny(s, "\n\r\u0085\u2028\u2029") {
		return ""
	}
	y, err := yaml.Marshal(s)
	if err != nil || len(y) < 2 || y[len(y)-1] != '\n' || strings.IndexByte(string(y[:len(y)-1]), '\n') >= 0 {
		return ""
	}
	tok := string(y[:len(y)-1])
	if strings.HasPrefix(tok, "!") || strings.HasPrefix(tok, "|") || strings.HasPrefix(tok, ">") {
		return ""
	}
	return tok
}

// plainWord reports whether yaml.v2 writes s unquoted in any position:
// letters, digits and -._/ only (and ':' not last, as in IPv6 blocks),
// starting with an ASCII letter and not one of the words YAML 1.1 reads as
// a bool or null, or starting with a digit and holding a '/' (a CIDR block:
// no YAML number or timestamp has one).
func plainWord(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	letter := isASCIILetter(s[0])
	if !letter && (s[0] < '0' || s[0] > '9' || bytes.IndexByte(s, '/') < 0) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && (c < '0' || c > '9') && c != '-' && c != '.' && c != '_' && c != '/' && (c != ':' || i == len(s)-1) {
			return false
		}
	}
	switch string(s) {
	case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"true", "True", "TRUE", "false", "False", "FALSE",
		"on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL":
		return false
	}
	return true
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// renderError names the object a rendering failed for.
func renderError(kind, namespace, name string, err error) error {
	return fmt.Errorf("rendering %s %s/%s: %w", kind, namespace, name, err)
}
