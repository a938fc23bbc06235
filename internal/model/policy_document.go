package model

// IAM policy documents: a strict JSON decoder (duplicate keys, depth and size
// limits, positions in errors) and the structural checks Identity Center
// applies to an inline policy.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DecodePolicyJSON strictly parses a JSON document into map[string]any,
// []any, string, json.Number, bool and nil. Unlike encoding/json.Unmarshal it
// refuses what would otherwise be silently rewritten or is hostile: invalid
// UTF-8, duplicate object keys (IAM honours one of them — the reviewer may read
// the other), nesting deeper than MaxPolicyDepth, more than MaxPolicyInputBytes,
// and anything after the first value. Errors carry line and column.
func DecodePolicyJSON(doc string) (any, error) {
	if len(doc) > MaxPolicyInputBytes {
		return nil, fmt.Errorf("the document is %d bytes; refusing to parse more than %d", len(doc), MaxPolicyInputBytes)
	}
	if !utf8.ValidString(doc) {
		i := 0
		for i < len(doc) {
			r, size := utf8.DecodeRuneInString(doc[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		line, col := policyLineCol(doc, i)
		return nil, fmt.Errorf("invalid UTF-8 at line %d, column %d", line, col)
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	d := &policyDecoder{doc: doc, dec: dec}
	v, err := d.value(0, "")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := policyLineCol(doc, int(dec.InputOffset()))
		return nil, fmt.Errorf("unexpected data after the JSON document near line %d, column %d", line, col)
	}
	return v, nil
}

type policyDecoder struct {
	doc string
	dec *json.Decoder
}

func (d *policyDecoder) fail(err error) error {
	off := int(d.dec.InputOffset())
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = int(se.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the JSON document is empty or ends early")
	}
	line, col := policyLineCol(d.doc, off)
	return fmt.Errorf("invalid JSON near line %d, column %d: %v", line, col, err)
}

func (d *policyDecoder) value(depth int, where string) (any, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.fail(err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok, nil // string, json.Number, bool or nil
	}
	if depth >= MaxPolicyDepth {
		return nil, fmt.Errorf("the JSON nests deeper than %d levels at %s", MaxPolicyDepth, policyDisplayWhere(where))
	}
	switch delim {
	case '{':
		obj := map[string]any{}
		for d.dec.More() {
			kt, err := d.dec.Token()
			if err != nil {
				return nil, d.fail(err)
			}
			key, _ := kt.(string) // the decoder guarantees object keys are strings
			if _, dup := obj[key]; dup {
				return nil, fmt.Errorf("duplicate key %q in %s: IAM would honour only one of them", key, policyDisplayWhere(where))
			}
			v, err := d.value(depth+1, policyJoinWhere(where, key))
			if err != nil {
				return nil, err
			}
			obj[key] = v
		}
		if _, err := d.dec.Token(); err != nil {
			return nil, d.fail(err)
		}
		return obj, nil
	default: // '['
		arr := []any{}
		for d.dec.More() {
			v, err := d.value(depth+1, where+"["+strconv.Itoa(len(arr))+"]")
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		if _, err := d.dec.Token(); err != nil {
			return nil, d.fail(err)
		}
		return arr, nil
	}
}

func policyJoinWhere(where, key string) string {
	if where == "" {
		return strconv.Quote(key)
	}
	return where + "." + strconv.Quote(key)
}

func policyDisplayWhere(where string) string {
	if where == "" {
		return "the document"
	}
	return where
}

// policyLineCol converts a byte offset into 1-based line and column (in characters).
func policyLineCol(s string, off int) (int, int) {
	if off > len(s) {
		off = len(s)
	}
	if off < 0 {
		off = 0
	}
	line := 1 + strings.Count(s[:off], "\n")
	start := strings.LastIndexByte(s[:off], '\n') + 1
	return line, 1 + utf8.RuneCountInString(s[start:off])
}

// ValidatePolicyDocument parses an IAM identity-policy document and records
// at path every grammar problem: not JSON, not an object, unknown elements,
// missing or invalid Effect, Action/NotAction and Resource/NotResource (exactly
// one of each), Principal (not allowed in identity policies), malformed
// Condition, duplicate or invalid Sid, unsupported Version. It reports whether
// the document parsed.
func ValidatePolicyDocument(doc string, path Path, ps *Problems) bool {
	var found Problems
	ok := validatePolicyDocument(doc, path, &found)
	if len(found) > MaxPolicyProblems {
		rest := len(found) - MaxPolicyProblems
		found = found[:MaxPolicyProblems]
		found.Errorf(path, "More policy problems", "%d more problems in later statements are not shown", rest)
	}
	ps.Append(found)
	return ok
}

// MaxPolicyProblems caps the problems reported for one policy document, so a
// generated policy with thousands of broken statements stays readable.
const MaxPolicyProblems = 50

func validatePolicyDocument(doc string, path Path, ps *Problems) bool {
	if strings.TrimSpace(doc) == "" {
		ps.Errorf(path, "Empty policy", "the policy document is blank; omit it or give a JSON policy")
		return false
	}
	tree, err := DecodePolicyJSON(doc)
	if err != nil {
		ps.Errorf(path, "Invalid policy JSON", "%s", err.Error())
		return false
	}
	root, ok := tree.(map[string]any)
	if !ok {
		ps.Errorf(path, "Invalid policy", "a policy document is a JSON object with Version and Statement, got %s", policyJSONKind(tree))
		return true
	}
	for k := range root {
		switch k {
		case "Version", "Id", "Statement":
		default:
			ps.Errorf(path, "Unknown policy element", "top-level element %q is not part of the IAM policy grammar (Version, Id, Statement; names are case-sensitive)", k)
		}
	}
	switch v := root["Version"].(type) {
	case nil:
		if _, present := root["Version"]; present {
			ps.Errorf(path, "Invalid policy version", "Version is null; use \"2012-10-17\"")
		} else {
			ps.Warnf(path, "Policy version missing", "without Version IAM applies 2008-10-17, which disables policy variables such as ${aws:username}; add \"Version\": \"2012-10-17\"")
		}
	case string:
		switch v {
		case "2012-10-17":
		case "2008-10-17":
			ps.Warnf(path, "Old policy version", "Version 2008-10-17 disables policy variables; use 2012-10-17")
		default:
			ps.Errorf(path, "Invalid policy version", "Version %q is not 2012-10-17 (or the older 2008-10-17)", v)
		}
	default:
		ps.Errorf(path, "Invalid policy version", "Version must be the string \"2012-10-17\", got %s", policyJSONKind(v))
	}
	if id, present := root["Id"]; present {
		if _, ok := id.(string); !ok {
			ps.Errorf(path, "Invalid policy Id", "Id must be a string, got %s", policyJSONKind(id))
		}
	}
	stmts, single, present := policyStatements(root)
	switch {
	case !present:
		ps.Errorf(path, "No Statement", "a policy needs a Statement (one object or an array of objects)")
	case stmts == nil:
		ps.Errorf(path, "Invalid Statement", "Statement must be an object or an array of objects, got %s", policyJSONKind(root["Statement"]))
	case len(stmts) == 0:
		ps.Errorf(path, "No Statement", "the Statement array is empty; a policy needs at least one statement")
	}
	sids := map[string]string{}
	for i, raw := range stmts {
		where := StatementLabel(i, single)
		st, ok := raw.(map[string]any)
		if !ok {
			ps.Errorf(path, "Invalid statement", "%s must be an object, got %s", where, policyJSONKind(raw))
			continue
		}
		validatePolicyStatement(st, where, path, ps, sids)
	}
	return true
}

// policyStatements returns the statements of a policy: the Statement array,
// or a one-element slice when Statement is a single object (single = true).
// stmts is nil when Statement has another type; present says whether it exists.
func policyStatements(root map[string]any) (stmts []any, single bool, present bool) {
	raw, present := root["Statement"]
	switch s := raw.(type) {
	case []any:
		return s, false, present
	case map[string]any:
		return []any{s}, true, present
	}
	return nil, false, present
}

// StatementLabel names statement i for messages: "Statement" for a single
// statement object, "Statement[i]" inside an array.
func StatementLabel(i int, single bool) string {
	if single {
		return "Statement"
	}
	return "Statement[" + strconv.Itoa(i) + "]"
}

func validatePolicyStatement(st map[string]any, where string, path Path, ps *Problems, sids map[string]string) {
	for k := range st {
		switch k {
		case "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition":
		case "Principal", "NotPrincipal":
			ps.Errorf(path, "Principal in an identity policy", "%s has %s; a permission-set policy is attached to a role and cannot name principals", where, k)
		default:
			ps.Errorf(path, "Unknown statement element", "%s has element %q, which is not part of the IAM policy grammar (names are case-sensitive)", where, k)
		}
	}
	if raw, present := st["Sid"]; present {
		sid, ok := raw.(string)
		switch {
		case !ok:
			ps.Errorf(path, "Invalid Sid", "%s: Sid must be a string, got %s", where, policyJSONKind(raw))
		case !paSidRe.MatchString(sid):
			ps.Errorf(path, "Invalid Sid", "%s: Sid %q may contain only ASCII letters and digits", where, sid)
		case sid != "":
			if prev, dup := sids[sid]; dup {
				ps.Errorf(path, "Duplicate Sid", "%s repeats Sid %q of %s; Sids must be unique within a policy", where, sid, prev)
			} else {
				sids[sid] = where
			}
		}
	}
	switch e := st["Effect"].(type) {
	case string:
		if e != "Allow" && e != "Deny" {
			ps.Errorf(path, "Invalid Effect", "%s: Effect must be \"Allow\" or \"Deny\" (case-sensitive), got %q", where, e)
		}
	case nil:
		ps.Errorf(path, "Missing Effect", "%s has no Effect; give \"Allow\" or \"Deny\"", where)
	default:
		ps.Errorf(path, "Invalid Effect", "%s: Effect must be the string \"Allow\" or \"Deny\", got %s", where, policyJSONKind(e))
	}
	validatePolicyPair(st, "Action", "NotAction", where, path, ps, func(v string) string {
		if !paActionRe.MatchString(v) {
			return fmt.Sprintf("%q is not an action of the form service:Action (e.g. s3:GetObject, ec2:Describe*) or *", v)
		}
		return ""
	})
	validatePolicyPair(st, "Resource", "NotResource", where, path, ps, func(v string) string {
		if v != "*" && !strings.HasPrefix(v, "arn:") {
			return fmt.Sprintf("%q is not an ARN (arn:partition:service:region:account:resource) or *", v)
		}
		return ""
	})
	if raw, present := st["Condition"]; present {
		cond, ok := raw.(map[string]any)
		if !ok {
			ps.Errorf(path, "Invalid Condition", "%s: Condition must be an object of operators, got %s", where, policyJSONKind(raw))
			return
		}
		for op, body := range cond {
			if _, ok := body.(map[string]any); !ok {
				ps.Errorf(path, "Invalid Condition", "%s: Condition operator %q must map condition keys to values, got %s", where, op, policyJSONKind(body))
			}
		}
	}
}

// validatePolicyPair checks that exactly one of the two elements is present and is
// a string or a non-empty array of strings, each accepted by check.
func validatePolicyPair(st map[string]any, pos, neg, where string, path Path, ps *Problems, check func(string) string) {
	pv, hasPos := st[pos]
	nv, hasNeg := st[neg]
	switch {
	case hasPos && hasNeg:
		ps.Errorf(path, "Both "+pos+" and "+neg, "%s has both %s and %s; use exactly one", where, pos, neg)
		return
	case !hasPos && !hasNeg:
		ps.Errorf(path, "Missing "+pos, "%s has neither %s nor %s", where, pos, neg)
		return
	}
	name, v := pos, pv
	if hasNeg {
		name, v = neg, nv
	}
	values, ok := StringOrStrings(v)
	switch {
	case !ok:
		ps.Errorf(path, "Invalid "+name, "%s: %s must be a string or an array of strings, got %s", where, name, policyJSONKind(v))
		return
	case len(values) == 0:
		ps.Errorf(path, "Empty "+name, "%s: %s is an empty array and would match nothing", where, name)
		return
	}
	for _, s := range values {
		if msg := check(s); msg != "" {
			ps.Errorf(path, "Invalid "+name, "%s: %s", where, msg)
		}
	}
}

// StringOrStrings reads an IAM element that is a string or an array of
// strings; ok is false for any other shape.
func StringOrStrings(v any) (values []string, ok bool) {
	switch t := v.(type) {
	case string:
		return []string{t}, true
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

func policyJSONKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}
