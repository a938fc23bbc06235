package analyze

import (
	"fmt"
	"iter"
	"slices"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Policy is one parsed Cedar policy document, its statements keyed by rule
// name (their @id annotation; "policy<i>" for a statement without one).
type Policy struct {
	statements []statement // document order
	index      *statementIndex
}

type statement struct {
	id     cedar.PolicyID
	policy *cedar.Policy
	text   string // canonical Cedar of the statement
}

// All iterates the statements in document order (cedar.PolicyIterator).
func (p *Policy) All() iter.Seq2[cedar.PolicyID, *cedar.Policy] {
	return func(yield func(cedar.PolicyID, *cedar.Policy) bool) {
		for _, st := range p.statements {
			if !yield(st.id, st.policy) {
				return
			}
		}
	}
}

// ParsePolicy parses a policy document. Two statements with the same @id are
// an error: deciding rules would be ambiguous.
func ParsePolicy(document string) (*Policy, error) {
	list, err := cedar.NewPolicyListFromBytes("", []byte(document))
	if err != nil {
		return nil, err
	}
	p := &Policy{}
	seen := map[cedar.PolicyID]bool{}
	for i, st := range list {
		id := cedar.PolicyID(fmt.Sprintf("policy%d", i))
		if a, ok := st.Annotations()[verifiedaccess.IDAnnotation]; ok {
			id = cedar.PolicyID(a)
		}
		if seen[id] {
			return nil, fmt.Errorf("two statements have @id %q", id)
		}
		seen[id] = true
		p.statements = append(p.statements, statement{id: id, policy: st, text: string(st.MarshalCedar())})
	}
	p.index = newStatementIndex(p.statements)
	return p, nil
}

// Statements returns the statement ids in document order.
func (p *Policy) Statements() []string {
	out := make([]string, len(p.statements))
	for i, st := range p.statements {
		out[i] = string(st.id)
	}
	return out
}

// Evaluation is a decision of one document with cedar-go's diagnostics.
type Evaluation struct {
	Decision
	// Errors are the statements that failed to evaluate (they count as not
	// matching), e.g. ip() of an unknown client address.
	Errors []string
}

// Evaluate decides one request context against the document, evaluating
// every statement so that every evaluation error is reported.
func (p *Policy) Evaluate(context types.Record) Evaluation {
	decision, diag := cedar.Authorize(p, nil, cedar.Request{Context: context})
	ev := Evaluation{Decision: Decision{Allowed: decision == cedar.Allow}}
	for _, r := range diag.Reasons {
		ev.Rules = append(ev.Rules, string(r.PolicyID))
	}
	slices.Sort(ev.Rules)
	for _, e := range diag.Errors {
		ev.Errors = append(ev.Errors, string(e.PolicyID)+": "+e.Message)
	}
	return ev
}

// Decide decides one request context against the document. It gives the
// decision and deciding statements Evaluate gives, but evaluates only the
// statements the request can satisfy (see index.go), so evaluation errors of
// statements that could not have matched anyway are not collected.
func (p *Policy) Decide(context types.Record) Decision {
	candidates, ok := p.index.candidateStatements(p.statements, context)
	if !ok {
		return Decision{} // what cedar.Authorize decides over no statements
	}
	decision, diag := cedar.Authorize(candidates, nil, cedar.Request{Context: context})
	d := Decision{Allowed: decision == cedar.Allow}
	if len(diag.Reasons) > 0 {
		d.Rules = make([]string, len(diag.Reasons))
		for i, r := range diag.Reasons {
			d.Rules[i] = string(r.PolicyID)
		}
		slices.Sort(d.Rules)
	}
	return d
}

// denyByDefaultText is the compiler's placeholder statement, which never
// matches.
var denyByDefaultText = string(verifiedaccess.DenyByDefault().MarshalCedar())

// impliedBy reports whether this document (a group policy) allows whenever
// endpoint allows, and adds no deciding rule of its own, judged from the
// text alone: every permit statement of endpoint (other than the never-matching
// deny-by-default placeholder) appears identically here,
// and every forbid statement here appears identically in endpoint. Then the
// conjunction of the two is endpoint's decision, deciding rules included.
func (p *Policy) impliedBy(endpoint *Policy) bool {
	index := func(d *Policy) map[cedar.PolicyID]string {
		m := make(map[cedar.PolicyID]string, len(d.statements))
		for _, st := range d.statements {
			m[st.id] = st.text
		}
		return m
	}
	mine, theirs := index(p), index(endpoint)
	for _, st := range endpoint.statements {
		if st.policy.Effect() == cedar.Permit && mine[st.id] != st.text && st.text != denyByDefaultText {
			return false
		}
	}
	for _, st := range p.statements {
		if st.policy.Effect() == cedar.Forbid && theirs[st.id] != st.text {
			return false
		}
	}
	return true
}

// CompiledSurface evaluates requests against a compiled surface the way
// Verified Access does: the group policy and, when the application has one,
// its endpoint policy must both allow. It is safe for concurrent use.
type CompiledSurface struct {
	proxy      model.AccessProxy
	identities identityRecords
	group      *Policy
	apps       map[string]*application // by name: the applications with an endpoint
}

// application is what deciding a request to one application takes, looked
// up once per decision.
type application struct {
	endpoint *Policy     // nil: none
	implied  bool        // the group policy is implied by the endpoint policy
	hostname types.Value // the domain, boxed once
	tcp      bool        // reached over TCP (no http_request)
	// joint decides the group and endpoint policies together; nil when
	// there is no endpoint policy or the two cannot be united.
	joint *jointPolicy
}

// NewCompiledSurface parses a compilation result of a surface.
func NewCompiledSurface(s model.ProtectSurface, res verifiedaccess.Result) (*CompiledSurface, error) {
	group, err := ParsePolicy(res.GroupPolicy)
	if err != nil {
		return nil, fmt.Errorf("group policy: %w", err)
	}
	var groups []string
	for _, r := range s.AccessRules {
		groups = append(groups, r.Groups...)
	}
	slices.Sort(groups)
	c := &CompiledSurface{proxy: s.Proxy, identities: newIdentityRecords(s.Proxy.IdentityProvider, slices.Compact(groups)), group: group, apps: map[string]*application{}}
	for _, e := range res.Endpoints {
		i := slices.IndexFunc(s.Applications, func(a model.Application) bool { return a.Name == e.Application })
		if i < 0 {
			return nil, ErrUnknownApplication{e.Application}
		}
		a := &application{hostname: types.String(s.Applications[i].Domain), tcp: s.Applications[i].IsTCP()}
		c.apps[e.Application] = a
		if e.Policy == "" {
			continue
		}
		if a.endpoint, err = ParsePolicy(e.Policy); err != nil {
			return nil, fmt.Errorf("endpoint policy of %q: %w", e.Application, err)
		}
		a.implied = group.impliedBy(a.endpoint)
		a.joint = newJointPolicy(group, a.endpoint)
	}
	return c, nil
}

// Decide evaluates a request to an application. When access is denied the
// deciding rules are the matching forbid statements of every document that
// denied; when allowed, the matching permit statements of the most specific
// document (the endpoint policy when there is one). When the group policy
// is provably implied by the endpoint policy (see NewCompiledSurface; true
// of this package's compiler output) only the endpoint policy is evaluated;
// DecideFull always evaluates both. Both skip statements the request
// provably cannot satisfy (Policy.Decide).
func (c *CompiledSurface) Decide(app string, req Request) (Decision, error) {
	return c.decide(app, req, false, false)
}

// DecideFull evaluates every document Verified Access would, never relying
// on one implying another. A statement the two documents share (same @id,
// same text) is evaluated once for both (see jointPolicy).
func (c *CompiledSurface) DecideFull(app string, req Request) (Decision, error) {
	return c.decide(app, req, true, false)
}

// decide evaluates the documents of app; full evaluates the group policy
// even when implied, exhaustive evaluates every statement of each document
// on its own (Policy.Evaluate) instead of the candidates (Policy.Decide,
// or jointPolicy for both documents).
func (c *CompiledSurface) decide(app string, req Request, full, exhaustive bool) (Decision, error) {
	a, ok := c.apps[app]
	if !ok {
		return Decision{}, ErrUnknownApplication{app}
	}
	ctx := newContext(c.proxy, a.hostname, !a.tcp, req, c.identities)
	eval := func(p *Policy) Decision {
		if exhaustive {
			return p.Evaluate(ctx).Decision
		}
		return p.Decide(ctx)
	}
	if a.endpoint == nil {
		return eval(c.group), nil
	}
	if !full && a.implied {
		return eval(a.endpoint), nil
	}
	if !exhaustive && a.joint != nil {
		return a.joint.decide(ctx), nil
	}
	return combine(eval(c.group), eval(a.endpoint)), nil
}

// combine is Verified Access's conjunction of a group policy's decision and
// an endpoint policy's: allowed when both allow (deciding rules: the
// endpoint's), else denied by the forbids of every document that denied.
func combine(group, endpoint Decision) Decision {
	if group.Allowed && endpoint.Allowed {
		return endpoint
	}
	var rules []string
	for _, d := range []Decision{group, endpoint} {
		if !d.Allowed {
			rules = append(rules, d.Rules...)
		}
	}
	slices.Sort(rules)
	return Decision{Rules: slices.Compact(rules)}
}
