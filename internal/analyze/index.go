package analyze

import (
	"iter"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
	"github.com/cedar-policy/cedar-go/x/exp/ast"
)

// The statement index lets a decision skip statements that provably cannot
// be satisfied by a request, and evaluate the rest with cedar-go as before.
//
// A statement is true only if every `when` condition is true, and a
// condition `a && b && …` only if every conjunct is. Some conjuncts can be
// tested against the context directly, with cedar-go's own value
// operations (the compiler's group, method, path and email conditions):
//
//	context.P has "k1" || context.P has "k2"     the record context.P has key k1 or k2
//	context.P.contains("k")                       the set context.P contains "k"
//	context.P.containsAny(["k1", "k2"])           the set context.P contains "k1" or "k2"
//	context.P == "k" (either side)                context.P is the string "k"
//	["k1", "k2"].contains(context.P)              context.P is the string "k1" or "k2"
//	context.P == v (either side)                  context.P equals the literal v (Value.Equal, as ==)
//	context.P like "p1" || context.P like "p2"    context.P is a string matching p1 or p2 (Pattern.Match, as like)
//	context has "k"                               the context has key k
//
// (a disjunction of such tests, on any attributes, is true only if one of
// them is). The first five tie a statement to keys of one attribute: a
// statement with such a conjunct is filed under its keys; a statement
// `when { false }` is filed nowhere; any other statement is always
// evaluated. For a request the candidates are the always-evaluated
// statements plus those filed under the keys the context actually has at
// each indexed path, less those with a testable conjunct that does not
// hold. A skipped statement is false or fails to evaluate — if context.P is
// absent or of another type the conjunct is an error, else it is false —
// and either way it is not a deciding statement, so the decision (effect
// and deciding ids) is the one evaluating every statement gives. Only
// evaluation errors of skipped statements go unreported, which is why
// Policy.Evaluate, which reports errors, does not use the index. (The
// argument assumes an empty entity store, as every decision in this
// package has: with entities, `has` on an entity reference could look up
// the entity's attributes.)

type indexKind uint8

const (
	keyOfRecord    indexKind = iota // context.P has "k"
	elemOfSet                       // context.P.contains("k")
	stringValue                     // context.P == "k"
	equalsValue                     // context.P == v, v not a string (tested, not filed)
	matchesPattern                  // context.P like "p" (tested, not filed)
)

// indexDim is one indexed attribute: a context path and how it is tested.
type indexDim struct {
	path string // pathKey of the attribute names
	kind indexKind
}

// pathKey encodes attribute names unambiguously (each quoted, so no name,
// whatever bytes it holds, can pass for a separator).
func pathKey(steps []types.String) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString(strconv.Quote(string(s)))
	}
	return b.String()
}

type statementIndex struct {
	always []int                               // statements evaluated for every request
	dims   []indexDim                          // every dimension some statement is filed under
	steps  [][]types.String                    // steps[i]: the path of dims[i]
	filed  map[indexDim]map[types.String][]int // dimension -> key -> statements
	// tests[i] are the testable conjuncts of statement i, other than the
	// one it is filed under, tested before it is evaluated.
	tests [][]conjunctTest
}

// constraint is one indexable conjunct of a statement.
type constraint struct {
	dim   indexDim
	steps []types.String // the attribute path of dim
	keys  []types.String
	test  int // the conjunct's index among the statement's tests
}

// atom is one test of one context attribute (see the top of this file).
type atom struct {
	steps   []types.String // the attribute; none: context itself
	kind    indexKind
	keys    []types.String // keyOfRecord, elemOfSet, stringValue: any of them
	members []types.Value  // elemOfSet: keys boxed once (Set.Contains takes a Value)
	value   types.Value    // equalsValue
	pattern types.Pattern  // matchesPattern
}

// conjunctTest is a testable conjunct: it holds only if one of its atoms
// does.
type conjunctTest []atom

func newStatementIndex(statements []statement) *statementIndex {
	// A statement may have several indexable conjuncts (`context.idc has
	// groups` and `context.idc.groups has "<id>"`, say); it is filed under
	// the one whose keys the fewest statements share (every group statement
	// tests `has groups`, few test a given group), and among those the one
	// on the deepest attribute, so few statements are candidates for any
	// one request.
	options := make([][]constraint, len(statements))
	tests := make([][]conjunctTest, len(statements))
	never := make([]bool, len(statements))
	count := map[indexDim]map[types.String]int{}
	for i, st := range statements {
		tests[i], options[i], never[i] = constraintsOf((*ast.Policy)(st.policy.AST()))
		for _, c := range options[i] {
			if count[c.dim] == nil {
				count[c.dim] = map[types.String]int{}
			}
			for _, k := range c.keys {
				count[c.dim][k]++
			}
		}
	}
	ix := &statementIndex{filed: map[indexDim]map[types.String][]int{}, tests: tests}
	for i := range statements {
		if never[i] {
			continue
		}
		if len(options[i]) == 0 {
			ix.always = append(ix.always, i)
			tests[i] = necessary(tests[i], -1)
			continue
		}
		best, bestDepth, bestCost := 0, -1, 0
		for j, c := range options[i] {
			depth := len(c.steps)
			cost := 0
			for _, k := range c.keys {
				cost += count[c.dim][k]
			}
			if bestDepth < 0 || cost < bestCost || (cost == bestCost && depth > bestDepth) {
				best, bestDepth, bestCost = j, depth, cost
			}
		}
		c := options[i][best]
		tests[i] = necessary(tests[i], c.test)
		byKey := ix.filed[c.dim]
		if byKey == nil {
			byKey = map[types.String][]int{}
			ix.filed[c.dim] = byKey
			ix.dims = append(ix.dims, c.dim)
			ix.steps = append(ix.steps, c.steps)
		}
		for _, k := range c.keys {
			if l := byKey[k]; len(l) == 0 || l[len(l)-1] != i {
				byKey[k] = append(l, i)
			}
		}
	}
	return ix
}

// necessary is the tests worth making of a statement: not the one it is
// filed under (its keys were looked up to mark it), nor a test `context.S
// has "k"` that another test implies (an atom on context.S.k… holds only
// where that attribute exists; the compiler guards every attribute so).
func necessary(tests []conjunctTest, filed int) []conjunctTest {
	var out []conjunctTest
	for i, t := range tests {
		if i != filed && !impliedByAnother(tests, i) {
			out = append(out, t)
		}
	}
	return out
}

func impliedByAnother(tests []conjunctTest, i int) bool {
	t := tests[i]
	if len(t) != 1 || t[0].kind != keyOfRecord || len(t[0].keys) != 1 {
		return false
	}
	attr := append(slices.Clone(t[0].steps), t[0].keys[0])
	below := func(a atom) bool { return len(a.steps) >= len(attr) && slices.Equal(a.steps[:len(attr)], attr) }
	for j, u := range tests {
		if j != i && len(u) > 0 && !slices.ContainsFunc(u, func(a atom) bool { return !below(a) }) {
			return true
		}
	}
	return false
}

// candidateStatements are the statements (of which the index was made) that
// may be satisfied by context; false when there are none.
func (ix *statementIndex) candidateStatements(statements []statement, context types.Record) (policySeq, bool) {
	var buf [4]uint64
	var mark []uint64
	if n := (len(statements) + 63) / 64; n <= len(buf) {
		mark = buf[:n]
	} else {
		mark = make([]uint64, n)
	}
	ix.candidates(context, mark)
	if !slices.ContainsFunc(mark, func(w uint64) bool { return w != 0 }) {
		return nil, false
	}
	// The iterator escapes into cedar.Authorize; a copy of the marks keeps
	// buf on the stack in the common case of no candidates.
	return policySeq(marked(statements, slices.Clone(mark))), true
}

// candidates marks in mark (one bit per statement) the statements that may
// be satisfied by context.
func (ix *statementIndex) candidates(context types.Record, mark []uint64) {
	set := func(i int) { mark[i/64] |= 1 << (i % 64) }
	for _, i := range ix.always {
		set(i)
	}
	for d, dim := range ix.dims {
		v, ok := valueAt(context, ix.steps[d])
		if !ok {
			continue
		}
		byKey := ix.filed[dim]
		switch dim.kind {
		case keyOfRecord:
			if r, ok := v.(types.Record); ok {
				for k := range r.Keys() {
					for _, i := range byKey[k] {
						set(i)
					}
				}
			}
		case elemOfSet:
			if s, ok := v.(types.Set); ok {
				for e := range s.All() {
					if str, ok := e.(types.String); ok {
						for _, i := range byKey[str] {
							set(i)
						}
					}
				}
			}
		case stringValue:
			if str, ok := v.(types.String); ok {
				for _, i := range byKey[str] {
					set(i)
				}
			}
		}
	}
	for w, word := range mark {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &^= 1 << b
			for _, t := range ix.tests[w*64+b] {
				if !t.mayHold(context) {
					mark[w] &^= 1 << b
					break
				}
			}
		}
	}
}

// mayHold is false when the conjunct cannot be true for context.
func (t conjunctTest) mayHold(context types.Record) bool {
	for _, a := range t {
		if a.mayHold(context) {
			return true
		}
	}
	return false
}

// mayHold is whether the atom is true for context, by the operation Cedar
// applies: a missing attribute on the path is an evaluation error, so the
// atom cannot be true.
func (a atom) mayHold(context types.Record) bool {
	if a.kind == keyOfRecord {
		if r, ok := recordAt(context, a.steps); ok {
			for _, k := range a.keys {
				if _, ok := r.Get(k); ok {
					return true
				}
			}
		}
		return false
	}
	v, ok := valueAt(context, a.steps)
	if !ok {
		return false
	}
	switch a.kind {
	case elemOfSet:
		if s, ok := v.(types.Set); ok {
			for _, k := range a.members {
				if s.Contains(k) {
					return true
				}
			}
		}
	case stringValue:
		if s, ok := v.(types.String); ok {
			return slices.Contains(a.keys, s)
		}
	case equalsValue:
		return v.Equal(a.value)
	case matchesPattern:
		if s, ok := v.(types.String); ok {
			return a.pattern.Match(s)
		}
	}
	return false
}

// valueAt is the value of context.steps… (at least one step).
func valueAt(context types.Record, steps []types.String) (types.Value, bool) {
	r, ok := recordAt(context, steps[:len(steps)-1])
	if !ok {
		return nil, false
	}
	return r.Get(steps[len(steps)-1])
}

// recordAt is the record context.steps… (context itself for no steps). It
// never holds a record in an interface, which would allocate.
func recordAt(context types.Record, steps []types.String) (types.Record, bool) {
	r := context
	for _, s := range steps {
		v, ok := r.Get(s)
		if !ok {
			return types.Record{}, false
		}
		if r, ok = v.(types.Record); !ok {
			return types.Record{}, false
		}
	}
	return r, true
}

// marked iterates the marked statements in document order.
func marked(statements []statement, mark []uint64) iter.Seq2[cedar.PolicyID, *cedar.Policy] {
	return func(yield func(cedar.PolicyID, *cedar.Policy) bool) {
		for w, word := range mark {
			for word != 0 {
				b := bits.TrailingZeros64(word)
				word &^= 1 << b
				st := statements[w*64+b]
				if !yield(st.id, st.policy) {
					return
				}
			}
		}
	}
}

// constraintsOf lists the testable conjuncts of `when` conditions, and
// among them those that tie the statement to keys of one indexed attribute
// (see the comment at the top of this file). never reports a `when {
// false }`, which no request satisfies.
func constraintsOf(p *ast.Policy) (tests []conjunctTest, options []constraint, never bool) {
	for _, c := range p.Conditions {
		if c.Condition != ast.ConditionWhen {
			continue
		}
		for _, conj := range conjuncts(c.Body, nil) {
			if v, isValue := conj.(ast.NodeValue); isValue && v.Value == types.Boolean(false) {
				return nil, nil, true
			}
			t, ok := testOf(conj)
			if !ok {
				continue
			}
			if c, ok := keyTest(t); ok {
				c.test = len(tests)
				options = append(options, c)
			}
			tests = append(tests, t)
		}
	}
	return tests, options, false
}

func conjuncts(n ast.IsNode, out []ast.IsNode) []ast.IsNode {
	if and, ok := n.(ast.NodeTypeAnd); ok {
		return conjuncts(and.Right, conjuncts(and.Left, out))
	}
	return append(out, n)
}

func disjuncts(n ast.IsNode, out []ast.IsNode) []ast.IsNode {
	if or, ok := n.(ast.NodeTypeOr); ok {
		return disjuncts(or.Right, disjuncts(or.Left, out))
	}
	return append(out, n)
}

// testOf recognises a conjunct every disjunct of which is an atom.
func testOf(n ast.IsNode) (conjunctTest, bool) {
	var t conjunctTest
	for _, d := range disjuncts(n, nil) {
		a, ok := atomOf(d)
		if !ok {
			return nil, false
		}
		t = append(t, a)
	}
	return t, true
}

// keyTest files a test whose atoms all test keys of the same attribute the
// same way.
func keyTest(t conjunctTest) (constraint, bool) {
	var c constraint
	for i, a := range t {
		if a.kind > stringValue || len(a.steps) == 0 {
			return constraint{}, false
		}
		dim := indexDim{pathKey(a.steps), a.kind}
		if i > 0 && dim != c.dim {
			return constraint{}, false
		}
		c = constraint{dim: dim, steps: a.steps, keys: append(c.keys, a.keys...)}
	}
	return c, len(c.keys) > 0
}

func atomOf(n ast.IsNode) (atom, bool) {
	switch n := n.(type) {
	case ast.NodeTypeHas:
		if steps, ok := contextAttr(n.Arg, true); ok {
			return atom{steps: steps, kind: keyOfRecord, keys: []types.String{n.Value}}, true
		}
	case ast.NodeTypeContains:
		if steps, ok := contextAttr(n.Left, false); ok {
			if s, ok := stringLiteral(n.Right); ok {
				return elemAtom(steps, []types.String{s}), true
			}
		}
		if steps, ok := contextAttr(n.Right, false); ok {
			if ss, ok := stringSetLiteral(n.Left); ok {
				return atom{steps: steps, kind: stringValue, keys: ss}, true
			}
		}
	case ast.NodeTypeContainsAny:
		if steps, ok := contextAttr(n.Left, false); ok {
			if ss, ok := stringSetLiteral(n.Right); ok {
				return elemAtom(steps, ss), true
			}
		}
	case ast.NodeTypeEquals:
		for _, pair := range [2][2]ast.IsNode{{n.Left, n.Right}, {n.Right, n.Left}} {
			steps, ok := contextAttr(pair[0], false)
			if !ok {
				continue
			}
			if s, ok := stringLiteral(pair[1]); ok {
				return atom{steps: steps, kind: stringValue, keys: []types.String{s}}, true
			}
			if v, ok := pair[1].(ast.NodeValue); ok {
				return atom{steps: steps, kind: equalsValue, value: v.Value}, true
			}
		}
	case ast.NodeTypeLike:
		if steps, ok := contextAttr(n.Arg, false); ok {
			return atom{steps: steps, kind: matchesPattern, pattern: n.Value}, true
		}
	}
	return atom{}, false
}

func elemAtom(steps, keys []types.String) atom {
	a := atom{steps: steps, kind: elemOfSet, keys: keys}
	for _, k := range keys {
		a.members = append(a.members, k)
	}
	return a
}

// contextAttr returns the attribute names of context.a.b…: at least one,
// unless root allows context itself.
func contextAttr(n ast.IsNode, root bool) ([]types.String, bool) {
	var steps []types.String
	for {
		switch a := n.(type) {
		case ast.NodeTypeAccess:
			steps = append(steps, a.Value)
			n = a.Arg
			continue
		case ast.NodeTypeVariable:
			if a.Name != "context" || (len(steps) == 0 && !root) {
				return nil, false
			}
			slices.Reverse(steps)
			return steps, true
		}
		return nil, false
	}
}

func stringLiteral(n ast.IsNode) (types.String, bool) {
	if v, ok := n.(ast.NodeValue); ok {
		s, ok := v.Value.(types.String)
		return s, ok
	}
	return "", false
}

// stringSetLiteral accepts a set literal of strings only: a non-string
// element could equal a non-string value, which the index does not track.
func stringSetLiteral(n ast.IsNode) ([]types.String, bool) {
	var out []types.String
	switch s := n.(type) {
	case ast.NodeTypeSet:
		for _, e := range s.Elements {
			str, ok := stringLiteral(e)
			if !ok {
				return nil, false
			}
			out = append(out, str)
		}
	case ast.NodeValue:
		set, ok := s.Value.(types.Set)
		if !ok {
			return nil, false
		}
		for e := range set.All() {
			str, ok := e.(types.String)
			if !ok {
				return nil, false
			}
			out = append(out, str)
		}
	default:
		return nil, false
	}
	return out, len(out) > 0
}

// policySeq adapts an iterator to cedar.PolicyIterator.
type policySeq iter.Seq2[cedar.PolicyID, *cedar.Policy]

func (s policySeq) All() iter.Seq2[cedar.PolicyID, *cedar.Policy] {
	return iter.Seq2[cedar.PolicyID, *cedar.Policy](s)
}
