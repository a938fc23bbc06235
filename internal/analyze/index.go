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
// condition `a && b && …` only if every conjunct is. Some conjuncts can hold
// only for particular values of one context attribute:
//
//	context.P has "k1" || context.P has "k2"     the record context.P has key k1 or k2
//	context.P.contains("k")                       the set context.P contains "k"
//	context.P.containsAny(["k1", "k2"])           the set context.P contains "k1" or "k2"
//	context.P == "k" (either side)                context.P is the string "k"
//	["k1", "k2"].contains(context.P)              context.P is the string "k1" or "k2"
//
// (these are the compiler's group and method conditions). A statement with
// such a conjunct is filed under its keys; a statement `when { false }` is
// filed nowhere; any other statement is always evaluated. For a request the
// candidates are the always-evaluated statements plus those filed under the
// keys the context actually has at each indexed path. A skipped statement is
// false or fails to evaluate — if context.P is absent or of another type the
// conjunct is an error, else it is false — and either way it is not a
// deciding statement, so the decision (effect and deciding ids) is the one
// evaluating every statement gives. Only evaluation errors of skipped
// statements go unreported, which is why Policy.Evaluate, which reports
// errors, does not use the index. (The argument assumes an empty entity
// store, as every decision in this package has: with entities, `has` on an
// entity reference could look up the entity's attributes.)

type indexKind uint8

const (
	keyOfRecord indexKind = iota // context.P has "k"
	elemOfSet                    // context.P.contains("k")
	stringValue                  // context.P == "k"
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
}

// constraint is one indexable conjunct of a statement.
type constraint struct {
	dim   indexDim
	steps []types.String // the attribute path of dim
	keys  []types.String
}

func newStatementIndex(statements []statement) *statementIndex {
	// A statement may have several indexable conjuncts (`context.idc has
	// groups` and `context.idc.groups has "<id>"`, say); it is filed under
	// the one whose keys the fewest statements share (every group statement
	// tests `has groups`, few test a given group), and among those the one
	// on the deepest attribute, so few statements are candidates for any
	// one request.
	options := make([][]constraint, len(statements))
	never := make([]bool, len(statements))
	count := map[indexDim]map[types.String]int{}
	for i, st := range statements {
		options[i], never[i] = constraintsOf((*ast.Policy)(st.policy.AST()))
		for _, c := range options[i] {
			if count[c.dim] == nil {
				count[c.dim] = map[types.String]int{}
			}
			for _, k := range c.keys {
				count[c.dim][k]++
			}
		}
	}
	ix := &statementIndex{filed: map[indexDim]map[types.String][]int{}}
	for i := range statements {
		if never[i] {
			continue
		}
		if len(options[i]) == 0 {
			ix.always = append(ix.always, i)
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
}

func valueAt(context types.Record, steps []types.String) (types.Value, bool) {
	var v types.Value = context
	for _, s := range steps {
		r, ok := v.(types.Record)
		if !ok {
			return nil, false
		}
		if v, ok = r.Get(s); !ok {
			return nil, false
		}
	}
	return v, true
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

// constraintsOf lists the conjuncts of `when` conditions that tie the
// statement to keys of one indexed attribute (see the comment at the top of
// this file). never reports a `when { false }`, which no request satisfies.
func constraintsOf(p *ast.Policy) (out []constraint, never bool) {
	for _, c := range p.Conditions {
		if c.Condition != ast.ConditionWhen {
			continue
		}
		for _, conj := range conjuncts(c.Body, nil) {
			if v, isValue := conj.(ast.NodeValue); isValue && v.Value == types.Boolean(false) {
				return nil, true
			}
			if c, ok := keyTest(conj); ok {
				out = append(out, c)
			}
		}
	}
	return out, false
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

// keyTest recognises one of the indexable forms; every disjunct of an `||`
// must test the same attribute the same way.
func keyTest(n ast.IsNode) (constraint, bool) {
	var c constraint
	for i, d := range disjuncts(n, nil) {
		cd, ok := keyTest1(d)
		if !ok || (i > 0 && cd.dim != c.dim) {
			return constraint{}, false
		}
		cd.keys = append(c.keys, cd.keys...)
		c = cd
	}
	return c, len(c.keys) > 0
}

func keyTest1(n ast.IsNode) (constraint, bool) {
	file := func(steps []types.String, kind indexKind, keys ...types.String) (constraint, bool) {
		return constraint{dim: indexDim{pathKey(steps), kind}, steps: steps, keys: keys}, true
	}
	switch n := n.(type) {
	case ast.NodeTypeHas:
		if steps, ok := contextAttr(n.Arg); ok {
			return file(steps, keyOfRecord, n.Value)
		}
	case ast.NodeTypeContains:
		if steps, ok := contextAttr(n.Left); ok {
			if s, ok := stringLiteral(n.Right); ok {
				return file(steps, elemOfSet, s)
			}
		}
		if steps, ok := contextAttr(n.Right); ok {
			if ss, ok := stringSetLiteral(n.Left); ok {
				return file(steps, stringValue, ss...)
			}
		}
	case ast.NodeTypeContainsAny:
		if steps, ok := contextAttr(n.Left); ok {
			if ss, ok := stringSetLiteral(n.Right); ok {
				return file(steps, elemOfSet, ss...)
			}
		}
	case ast.NodeTypeEquals:
		for _, pair := range [2][2]ast.IsNode{{n.Left, n.Right}, {n.Right, n.Left}} {
			if steps, ok := contextAttr(pair[0]); ok {
				if s, ok := stringLiteral(pair[1]); ok {
					return file(steps, stringValue, s)
				}
			}
		}
	}
	return constraint{}, false
}

// contextAttr returns the attribute names of context.a.b… (at least one).
func contextAttr(n ast.IsNode) ([]types.String, bool) {
	var steps []types.String
	for {
		switch a := n.(type) {
		case ast.NodeTypeAccess:
			steps = append(steps, a.Value)
			n = a.Arg
			continue
		case ast.NodeTypeVariable:
			if a.Name != "context" || len(steps) == 0 {
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
