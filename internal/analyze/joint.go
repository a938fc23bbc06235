package analyze

import (
	"slices"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
)

// A jointPolicy decides a group policy and an endpoint policy together, for
// the decisions that evaluate both (DecideFull). The two documents the
// compiler emits share most statements: the endpoint policy repeats the
// surface's rules (see impliedBy). A statement with the same @id and the
// same canonical text in both is the same Cedar evaluated against the same
// request, so it is evaluated once, in one cedar.Authorize over the
// candidates of the union; each document's decision is then read from the
// results of its own statements. Nothing here assumes that one document
// implies the other.
type jointPolicy struct {
	statements      []statement // the union, in group then endpoint order
	index           *statementIndex
	group, endpoint []uint64 // membership of statements, one bit each
	byID            map[cedar.PolicyID]int
}

// newJointPolicy unites two documents, or returns nil when an @id names
// different statements in them: cedar.Authorize reports deciding statements
// by id, which would then not say which of the two matched.
func newJointPolicy(group, endpoint *Policy) *jointPolicy {
	j := &jointPolicy{byID: map[cedar.PolicyID]int{}}
	words := (len(group.statements) + len(endpoint.statements) + 63) / 64
	j.group, j.endpoint = make([]uint64, words), make([]uint64, words)
	for _, doc := range []struct {
		p       *Policy
		members []uint64
	}{{group, j.group}, {endpoint, j.endpoint}} {
		for _, st := range doc.p.statements {
			i, seen := j.byID[st.id]
			if !seen {
				i = len(j.statements)
				j.statements = append(j.statements, st)
				j.byID[st.id] = i
			} else if j.statements[i].text != st.text {
				return nil
			}
			doc.members[i/64] |= 1 << (i % 64)
		}
	}
	j.group, j.endpoint = j.group[:(len(j.statements)+63)/64], j.endpoint[:(len(j.statements)+63)/64]
	j.index = newStatementIndex(j.statements)
	return j
}

// decide gives combine(group decision, endpoint decision), each document
// decided as Policy.Decide would (only the candidates are evaluated). From
// one cedar.Authorize over the union: when some forbid matched, Authorize
// names every matching forbid, each of which denies the document holding
// it, and combine's answer is exactly those; otherwise it names every
// matching permit, and access is allowed when both documents hold one, by
// the endpoint's.
func (j *jointPolicy) decide(context types.Record) Decision {
	candidates, ok := j.index.candidateStatements(j.statements, context)
	if !ok {
		return Decision{} // what cedar.Authorize decides over no statements
	}
	decision, diag := cedar.Authorize(candidates, nil, cedar.Request{Context: context})
	if len(diag.Reasons) == 0 {
		return Decision{}
	}
	if decision == cedar.Deny {
		d := Decision{Rules: make([]string, len(diag.Reasons))}
		for i, r := range diag.Reasons {
			d.Rules[i] = string(r.PolicyID)
		}
		slices.Sort(d.Rules)
		return d
	}
	groupAllows := false
	var rules []string
	for _, r := range diag.Reasons {
		i := j.byID[r.PolicyID]
		groupAllows = groupAllows || has(j.group, i)
		if has(j.endpoint, i) {
			rules = append(rules, string(r.PolicyID))
		}
	}
	if !groupAllows || len(rules) == 0 {
		return Decision{}
	}
	slices.Sort(rules)
	return Decision{Allowed: true, Rules: rules}
}

func has(bits []uint64, i int) bool { return bits[i/64]&(1<<(i%64)) != 0 }
