// Package iampolicy evaluates AWS IAM policy documents the way AWS's policy
// evaluation logic does for a single account: an explicit Deny in any
// statement wins, otherwise an Allow that matches admits the request,
// otherwise it is denied by default.
//
// It covers what the sandbox needs to decide whether a service may act as a
// role: Effect; Action/NotAction (case-insensitive, * and ? wildcards);
// Resource/NotResource (case-sensitive, wildcards); Principal/NotPrincipal
// for trust and resource policies (Service, AWS with account ids, root and
// wildcard, Federated, "*"); and Condition with the String*, Arn*, Bool and
// Null operators, their IfExists forms and the ForAnyValue/ForAllValues set
// qualifiers. A statement may be one object or an array; every value may be
// a string or a list. Operators it does not know (Numeric*, Date*,
// IpAddress …) make the statement not match, so an unknown condition never
// grants: Parse reports them so a caller can refuse the document instead.
// No maintained Go module on the proxy does this without a cloud SDK's
// whole IAM simulator, hence this small one.
package iampolicy

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Policy is a parsed policy document.
type Policy struct {
	Version    string
	Statements []Statement
}

// Statement is one statement; a nil list means the element is absent.
type Statement struct {
	Sid          string
	Effect       string // "Allow" or "Deny"
	Principal    *Principal
	NotPrincipal *Principal
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	// Condition: operator (with qualifier/IfExists as written) → key → values.
	Condition map[string]map[string][]string
}

// Principal is a Principal element: "*" (Any), or identifiers by type
// (Service, AWS, Federated, CanonicalUser).
type Principal struct {
	Any bool
	IDs map[string][]string
}

// Parse reads a policy document. IAM's API returns documents URL-encoded
// (GetRole, GetRolePolicy, GetPolicyVersion); those are decoded first.
func Parse(doc string) (*Policy, error) {
	doc = strings.TrimSpace(doc)
	if strings.HasPrefix(doc, "%7B") || strings.HasPrefix(doc, "%7b") {
		dec, err := url.QueryUnescape(doc)
		if err != nil {
			return nil, fmt.Errorf("iampolicy: URL-decoding the document: %w", err)
		}
		doc = dec
	}
	var raw struct {
		Version   string          `json:"Version"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, fmt.Errorf("iampolicy: %w", err)
	}
	var rawStatements []map[string]json.RawMessage
	switch trimmed := strings.TrimSpace(string(raw.Statement)); {
	case trimmed == "":
		return nil, fmt.Errorf("iampolicy: no Statement")
	case trimmed[0] == '[':
		if err := json.Unmarshal(raw.Statement, &rawStatements); err != nil {
			return nil, fmt.Errorf("iampolicy: Statement: %w", err)
		}
	default:
		var one map[string]json.RawMessage
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return nil, fmt.Errorf("iampolicy: Statement: %w", err)
		}
		rawStatements = []map[string]json.RawMessage{one}
	}
	p := &Policy{Version: raw.Version}
	for i, rs := range rawStatements {
		st, err := parseStatement(rs)
		if err != nil {
			return nil, fmt.Errorf("iampolicy: statement %d: %w", i, err)
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

func parseStatement(rs map[string]json.RawMessage) (Statement, error) {
	var st Statement
	for k, v := range rs {
		var err error
		switch k {
		case "Sid":
			err = json.Unmarshal(v, &st.Sid)
		case "Effect":
			err = json.Unmarshal(v, &st.Effect)
			if err == nil && st.Effect != "Allow" && st.Effect != "Deny" {
				err = fmt.Errorf("%q: want Allow or Deny", st.Effect)
			}
		case "Action":
			st.Action, err = stringOrList(v)
		case "NotAction":
			st.NotAction, err = stringOrList(v)
		case "Resource":
			st.Resource, err = stringOrList(v)
		case "NotResource":
			st.NotResource, err = stringOrList(v)
		case "Principal":
			st.Principal, err = parsePrincipal(v)
		case "NotPrincipal":
			st.NotPrincipal, err = parsePrincipal(v)
		case "Condition":
			st.Condition, err = parseCondition(v)
		default:
			err = fmt.Errorf("unknown element %q", k)
		}
		if err != nil {
			return st, fmt.Errorf("%s: %w", k, err)
		}
	}
	if st.Effect == "" {
		return st, fmt.Errorf("no Effect")
	}
	if (st.Action == nil) == (st.NotAction == nil) {
		return st, fmt.Errorf("exactly one of Action and NotAction")
	}
	if st.Resource != nil && st.NotResource != nil {
		return st, fmt.Errorf("both Resource and NotResource")
	}
	return st, nil
}

// stringOrList reads a string, a list of strings, or (in conditions) a
// bool or number, as the list of their string forms.
func stringOrList(v json.RawMessage) ([]string, error) {
	var decoded any
	if err := json.Unmarshal(v, &decoded); err != nil {
		return nil, err
	}
	scalar := func(x any) (string, error) {
		switch t := x.(type) {
		case string:
			return t, nil
		case bool:
			if t {
				return "true", nil
			}
			return "false", nil
		case float64:
			return strconv.FormatFloat(t, 'f', -1, 64), nil
		}
		return "", fmt.Errorf("want a string or a list of strings, got %s", v)
	}
	if list, ok := decoded.([]any); ok {
		out := make([]string, 0, len(list))
		for _, x := range list {
			s, err := scalar(x)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := scalar(decoded)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

func parsePrincipal(v json.RawMessage) (*Principal, error) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		if s != "*" {
			return nil, fmt.Errorf("a string Principal must be \"*\", got %q", s)
		}
		return &Principal{Any: true}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, err
	}
	p := &Principal{IDs: map[string][]string{}}
	for typ, raw := range m {
		ids, err := stringOrList(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", typ, err)
		}
		p.IDs[typ] = ids
	}
	return p, nil
}

func parseCondition(v json.RawMessage) (map[string]map[string][]string, error) {
	var m map[string]map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, err
	}
	out := map[string]map[string][]string{}
	for op, keys := range m {
		out[op] = map[string][]string{}
		for key, raw := range keys {
			vals, err := stringOrList(raw)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", op, key, err)
			}
			out[op][key] = vals
		}
	}
	return out, nil
}

// UnsupportedOperators lists the condition operators of p this package
// cannot evaluate (a statement using one never matches).
func (p *Policy) UnsupportedOperators() []string {
	seen := map[string]bool{}
	for _, st := range p.Statements {
		for op := range st.Condition {
			if _, ok := parseOperator(op); !ok {
				seen[op] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for op := range seen {
		out = append(out, op)
	}
	sort.Strings(out)
	return out
}
