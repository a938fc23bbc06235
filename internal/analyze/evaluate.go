package analyze

import (
	"fmt"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// This file is the entry point for what-if questions asked of compiled
// Cedar alone (the zerotrust_access_decision data source and the evaluate
// function): the caller has the policy text a protect surface planned, and
// the access proxy whose trust providers fill the context, but not
// necessarily the surface's model.

// Documents are the Verified Access policy documents that govern requests
// to one endpoint. Verified Access allows a request only when the group
// policy allows it and, if the endpoint has a policy, the endpoint policy
// allows it too.
type Documents struct {
	Group    string // the group policy (a protect surface's policy_document)
	Endpoint string // the endpoint policy; "" when the endpoint has none
	// TCP says the endpoint is a TCP endpoint: its context carries no
	// http_request (see model.Application.Protocol), so Method, Path, Host
	// and ClientIP of a request are not sent.
	TCP bool
}

// Evaluator decides requests against parsed Documents. It is safe for
// concurrent use.
type Evaluator struct {
	proxy    model.AccessProxy
	group    *Policy
	endpoint *Policy // nil: none
	tcp      bool
}

// NewEvaluator parses the documents. proxy names the trust providers, by
// type and policy reference name, whose data a request carries: the
// reference is the context key the policies read (context.<reference>).
func NewEvaluator(proxy model.AccessProxy, docs Documents) (*Evaluator, error) {
	if ps := proxy.Validate(); ps.HasErrors() {
		return nil, fmt.Errorf("access proxy: %s", ps.Error())
	}
	e := &Evaluator{proxy: proxy, tcp: docs.TCP}
	var err error
	if e.group, err = ParsePolicy(docs.Group); err != nil {
		return nil, fmt.Errorf("group policy: %w", err)
	}
	if strings.TrimSpace(docs.Endpoint) != "" {
		if e.endpoint, err = ParsePolicy(docs.Endpoint); err != nil {
			return nil, fmt.Errorf("endpoint policy: %w", err)
		}
	}
	return e, nil
}

// Verdict is the answer to one request.
type Verdict struct {
	Allowed bool
	// Rules are the deciding statements' @id annotations (rule names),
	// sorted: the matching forbids of every document that denied, the
	// matching permits of the endpoint policy (else the group policy) when
	// allowed, none when nothing matched.
	Rules []string
	// Reason says in a sentence why, e.g. `denied by forbid "no-contractors"`
	// or "denied: no rule of the group policy permits the request".
	Reason string
	// Errors are statements that failed to evaluate ("<id>: <message>");
	// they count as not matching.
	Errors []string
}

// Evaluate decides a request. Every statement of every document is
// evaluated (Policy.Evaluate), so Errors is complete.
func (e *Evaluator) Evaluate(req Request) Verdict { return e.verdict(req, true) }

// Decide is Evaluate without Errors: each document evaluates only the
// statements the request can satisfy (Policy.Decide), which gives the same
// decision, deciding rules and reason — the differential and evaluator
// tests check that — several times faster. For callers that show no
// evaluation errors (the evaluate function).
func (e *Evaluator) Decide(req Request) Verdict { return e.verdict(req, false) }

func (e *Evaluator) verdict(req Request, complete bool) Verdict {
	ctx := buildContext(e.proxy, "", !e.tcp, req)
	eval := func(p *Policy) Evaluation {
		if complete {
			return p.Evaluate(ctx)
		}
		return Evaluation{Decision: p.Decide(ctx)}
	}
	g := eval(e.group)
	v := Verdict{Errors: g.Errors}
	if e.endpoint == nil {
		v.Allowed, v.Rules = g.Allowed, g.Rules
		v.Reason = reason(g.Decision, "", nil)
		return v
	}
	ep := eval(e.endpoint)
	v.Errors = append(v.Errors, ep.Errors...)
	d := combine(g.Decision, ep.Decision)
	v.Allowed, v.Rules = d.Allowed, d.Rules
	var permitNothing []string
	for _, doc := range []struct {
		name string
		d    Decision
	}{{"group policy", g.Decision}, {"endpoint policy", ep.Decision}} {
		if !doc.d.Allowed && len(doc.d.Rules) == 0 {
			permitNothing = append(permitNothing, doc.name)
		}
	}
	v.Reason = reason(d, "both the group and the endpoint policy allow", permitNothing)
	return v
}

// reason phrases a decision. allowedBy qualifies an allow; permitNothing
// names the documents that denied because no rule permits the request.
func reason(d Decision, allowedBy string, permitNothing []string) string {
	quoted := make([]string, len(d.Rules))
	for i, r := range d.Rules {
		quoted[i] = fmt.Sprintf("%q", r)
	}
	rules := strings.Join(quoted, ", ")
	switch {
	case d.Allowed && allowedBy != "":
		return "allowed by permit " + rules + " (" + allowedBy + ")"
	case d.Allowed:
		return "allowed by permit " + rules
	case len(d.Rules) > 0:
		return "denied by forbid " + rules
	case len(permitNothing) == 2:
		return "denied: no rule of the group policy or the endpoint policy permits the request"
	case len(permitNothing) == 1:
		return "denied: no rule of the " + permitNothing[0] + " permits the request"
	}
	return "denied: no rule permits the request"
}
