package kubernetes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
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

// consistentOrder reports whether sorted keys are in yaml.v2's order pair
// by pair. That order is not transitive for some keys with digits ("007" <
// "0o1" < "1_" < "007"); yaml.v2 then writes them in an order that depends
// on map iteration, and such an object goes to the fallback.
func consistentOrder(members []jsonMember) bool {
	for i := range members {
		for j := i + 1; j < len(members); j++ {
			if !yamlKeyLess(members[i].key, members[j].key) {
				return false
			}
		}
	}
	return true
}

// yamlKeyLess is go.yaml.in/yaml/v2's order of string map keys (keyList.Less):
// letters sort after non-letters, runs of digits compare as numbers.
func yamlKeyLess(a, b []byte) bool {
	if isASCII(a) && isASCII(b) {
		return keyLess(a, b)
	}
	return keyLess([]rune(string(a)), []rune(string(b)))
}

func isASCII(s []byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func keyLess[T byte | rune](ar, br []T) bool {
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		al := unicode.IsLetter(rune(ar[i]))
		bl := unicode.IsLetter(rune(br[i]))
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			return bl
		}
		var ai, bi int
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			for j := i - 1; j >= 0 && unicode.IsDigit(rune(ar[j])); j-- {
				if ar[j] != '0' {
					an = 1
					bn = 1
					break
				}
			}
		}
		for ai = i; ai < len(ar) && unicode.IsDigit(rune(ar[ai])); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for bi = i; bi < len(br) && unicode.IsDigit(rune(br[bi])); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}

type jsonKind uint8

const (
	jsonInvalid jsonKind = iota
	jsonNull
	jsonBool
	jsonNumber
	jsonString
	jsonObject
	jsonArray
)

// jsonValue is a parsed JSON value; members keep the document's order.
// Its text and keys are slices of the parsed document (or, for a string
// with escapes, of its decoded copy): valid while the document is.
type jsonValue struct {
	kind    jsonKind
	text    []byte // bool or number literal, decoded string
	members []jsonMember
	items   []jsonValue
}

type jsonMember struct {
	key   []byte
	value jsonValue
}

// jsonParser parses the compact JSON encoding/json.Marshal writes. It
// rejects anything else (whitespace, numbers yaml.v2 would not keep as the
// same int), which sends the object to the fallback.
type jsonParser struct {
	// data is the document, not copied: parsed text is sliced from it, so
	// the caller keeps it unchanged until the tree is rendered.
	data []byte
	pos  int
	ok   bool
	// Children are gathered on a stack, then copied into exactly sized
	// slices cut from slabs: no slice grows, and as a tree is dropped once
	// rendered, the next parse reuses the slabs.
	memberStack []jsonMember
	itemStack   []jsonValue
	members     slabs[jsonMember]
	items       slabs[jsonValue]
}

// slabs hands out exactly sized slices cut from a list of fixed-size
// slabs. reset keeps every slab for the next tree, so rendering many
// objects allocates slabs only for the largest tree, not for each one.
type slabs[T any] struct {
	list    [][]T
	current int // index in list of the slab being cut
}

func (s *slabs[T]) reset() {
	s.current = 0
	if len(s.list) > 0 {
		s.list[0] = s.list[0][:0]
	}
}

// cut returns a slice of exactly len(from) holding a copy of from.
func (s *slabs[T]) cut(from []T) []T {
	n := len(from)
	if n > jsonSlabSize {
		return append(make([]T, 0, n), from...) // larger than a slab: its own
	}
	if len(s.list) == 0 {
		s.list = append(s.list, make([]T, 0, jsonSlabSize))
	}
	slab := s.list[s.current]
	if cap(slab)-len(slab) < n {
		s.current++
		if s.current == len(s.list) {
			s.list = append(s.list, make([]T, 0, jsonSlabSize))
		}
		slab = s.list[s.current][:0]
	}
	out := slab[len(slab) : len(slab)+n : len(slab)+n]
	copy(out, from)
	s.list[s.current] = slab[:len(slab)+n]
	return out
}

const jsonSlabSize = 512

// The texts of JSON's literals, shared by every parsed bool: never written.
var trueText, falseText = []byte("true"), []byte("false")

func (p *jsonParser) memberSlice(from int) []jsonMember {
	out := p.members.cut(p.memberStack[from:])
	p.memberStack = p.memberStack[:from]
	return out
}

func (p *jsonParser) itemSlice(from int) []jsonValue {
	out := p.items.cut(p.itemStack[from:])
	p.itemStack = p.itemStack[:from]
	return out
}

// resetTree lets the next tree reuse the stacks and slabs.
func (p *jsonParser) resetTree() {
	p.memberStack, p.itemStack = p.memberStack[:0], p.itemStack[:0]
	p.members.reset()
	p.items.reset()
}

func (p *jsonParser) parse(data []byte) (*jsonValue, bool) {
	p.data, p.pos, p.ok = data, 0, true
	p.resetTree()
	v := p.value()
	if !p.ok || p.pos != len(p.data) {
		return nil, false
	}
	return &v, true
}

func (p *jsonParser) fail() { p.ok = false }

func (p *jsonParser) peek() byte {
	if p.pos >= len(p.data) {
		p.fail()
		return 0
	}
	return p.data[p.pos]
}

func (p *jsonParser) literal(s string) bool {
	if rest := p.data[p.pos:]; len(rest) < len(s) || string(rest[:len(s)]) != s {
		p.fail()
		return false
	}
	p.pos += len(s)
	return true
}

// value parses one value. It returns the value rather than filling a
// pointer: a recursive call through a pointer made every member escape to
// the heap.
func (p *jsonParser) value() (v jsonValue) {
	if !p.ok {
		return v
	}
	switch c := p.peek(); {
	case c == '{':
		p.pos++
		v.kind = jsonObject
		if p.peek() == '}' {
			p.pos++
			return v
		}
		from := len(p.memberStack)
		for p.ok {
			if p.peek() != '"' {
				p.fail()
				return v
			}
			key := p.str()
			if !p.literal(":") {
				return v
			}
			p.memberStack = append(p.memberStack, jsonMember{key: key, value: p.value()})
			switch p.peek() {
			case ',':
				p.pos++
			case '}':
				p.pos++
				v.members = p.memberSlice(from)
				return v
			default:
				p.fail()
			}
		}
	case c == '[':
		p.pos++
		v.kind = jsonArray
		if p.peek() == ']' {
			p.pos++
			return v
		}
		from := len(p.itemStack)
		for p.ok {
			p.itemStack = append(p.itemStack, p.value())
			switch p.peek() {
			case ',':
				p.pos++
			case ']':
				p.pos++
				v.items = p.itemSlice(from)
				return v
			default:
				p.fail()
			}
		}
	case c == '"':
		v.kind, v.text = jsonString, p.str()
	case c == 't':
		v.kind, v.text = jsonBool, trueText
		p.literal("true")
	case c == 'f':
		v.kind, v.text = jsonBool, falseText
		p.literal("false")
	case c == 'n':
		v.kind = jsonNull
		p.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		v.kind, v.text = jsonNumber, p.number()
	default:
		p.fail()
	}
	return v
}

// number accepts an integer of at most 18 digits without a leading zero:
// yaml.v2 reads it as an int and writes it back unchanged. Fractions,
// exponents and larger integers fall back.
func (p *jsonParser) number() []byte {
	start := p.pos
	if p.data[p.pos] == '-' {
		p.pos++
	}
	digits := p.pos
	for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
		p.pos++
	}
	n := p.pos - digits
	if n == 0 || n > 18 || (n > 1 && p.data[digits] == '0') {
		p.fail()
		return nil
	}
	return p.data[start:p.pos]
}

// str reads a string at p.pos (an opening quote); escaped strings are
// decoded by encoding/json.
func (p *jsonParser) str() []byte {
	start := p.pos
	p.pos++
	escaped := false
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case '\\':
			escaped = true
			p.pos += 2
			continue
		case '"':
			p.pos++
			if !escaped {
				return p.data[start+1 : p.pos-1]
			}
			var s string
			if err := json.Unmarshal(p.data[start:p.pos], &s); err != nil {
				p.fail()
			}
			return []byte(s)
		}
		p.pos++
	}
	p.fail()
	return nil
}

// renderError names the object a rendering failed for.
func renderError(kind, namespace, name string, err error) error {
	return fmt.Errorf("rendering %s %s/%s: %w", kind, namespace, name, err)
}
