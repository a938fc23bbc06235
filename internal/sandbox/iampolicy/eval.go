package iampolicy

import (
	"strings"
)

// Request is what is asked: who (for trust and resource policies), which
// action on which resource, and the request context's condition keys.
type Request struct {
	// PrincipalType and PrincipalID name the caller for policies with a
	// Principal element: "Service" + "scheduler.amazonaws.com", or "AWS" +
	// a role or user ARN. Empty for identity policies.
	PrincipalType, PrincipalID string
	Action                     string // "service:Action"
	Resource                   string // an ARN; "" matches only a Resource of "*" or a NotResource
	// Context holds the condition keys of the request; keys compare
	// case-insensitively, a key may hold several values.
	Context map[string][]string
}

// Decision is the outcome of an evaluation.
type Decision int

const (
	// ImplicitDeny: no statement allows the request (default deny).
	ImplicitDeny Decision = iota
	// Allow: a statement allows it and none denies it.
	Allow
	// ExplicitDeny: a Deny statement matches, whatever allows it.
	ExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// Evaluate decides req against every statement of policies together, as
// AWS does for the policies of one principal in one account.
func Evaluate(req Request, policies ...*Policy) Decision {
	allowed := false
	for _, p := range policies {
		if p == nil {
			continue
		}
		for _, st := range p.Statements {
			if !st.matches(req) {
				continue
			}
			if st.Effect == "Deny" {
				return ExplicitDeny
			}
			allowed = true
		}
	}
	if allowed {
		return Allow
	}
	return ImplicitDeny
}

func (st Statement) matches(req Request) bool {
	switch {
	case st.Action != nil && !anyMatch(st.Action, req.Action, true):
		return false
	case st.NotAction != nil && anyMatch(st.NotAction, req.Action, true):
		return false
	case st.Resource != nil && !anyMatch(st.Resource, req.Resource, false):
		return false
	case st.NotResource != nil && anyMatch(st.NotResource, req.Resource, false):
		return false
	case st.Principal != nil && !st.Principal.matches(req):
		return false
	case st.NotPrincipal != nil && st.NotPrincipal.matches(req):
		return false
	}
	return conditionsHold(st.Condition, req.Context)
}

func anyMatch(patterns []string, value string, foldCase bool) bool {
	for _, p := range patterns {
		if foldCase {
			if Wildcard(strings.ToLower(p), strings.ToLower(value)) {
				return true
			}
		} else if Wildcard(p, value) {
			return true
		}
	}
	return false
}

// matches says whether the principal element names the caller. An AWS
// account id or its root ARN names every principal of that account.
func (p *Principal) matches(req Request) bool {
	if p.Any {
		return true
	}
	if req.PrincipalType == "" {
		return false
	}
	for _, id := range p.IDs[req.PrincipalType] {
		if id == "*" || id == req.PrincipalID {
			return true
		}
		if req.PrincipalType == "AWS" {
			account := accountOf(req.PrincipalID)
			if account != "" && (id == account || id == "arn:aws:iam::"+account+":root") {
				return true
			}
		}
	}
	return false
}

func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// Wildcard matches value against pattern, where * is any run of characters
// and ? is any one character; everything else compares exactly.
func Wildcard(pattern, value string) bool {
	p, v := []rune(pattern), []rune(value)
	star, match := -1, 0
	pi, vi := 0, 0
	for vi < len(v) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == v[vi]):
			pi++
			vi++
		case pi < len(p) && p[pi] == '*':
			star, match = pi, vi
			pi++
		case star >= 0:
			pi = star + 1
			match++
			vi = match
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
