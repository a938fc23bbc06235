package kubernetes

import "encoding/json"

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
