package awsmodel

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind classifies a violation; each protocol names it with its own error code.
type Kind int

const (
	// Missing: a required member is absent.
	Missing Kind = iota
	// Unknown: the request carries a member the input shape does not have.
	Unknown
	// Invalid: a value breaks its shape's constraints or type.
	Invalid
)

// Violation is one way a request differs from its operation's model.
type Violation struct {
	Kind Kind
	// Path names the member: the wire name for the ec2 and query protocols
	// (e.g. TagSpecification.1.Tag.1.Key), the member path for json
	// (e.g. tags.1.key).
	Path string
	// Value is the offending value as sent ("" for Missing; redacted when sensitive).
	Value string
	// Constraint is what the value fails, in AWS's words.
	Constraint string
}

// Message is the violation in the words of AWS's validation errors.
func (v Violation) Message() string {
	switch v.Kind {
	case Missing:
		return fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", v.Path)
	case Unknown:
		return fmt.Sprintf("'%s' is not a member of the operation's input", v.Path)
	default:
		return fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", v.Value, v.Path, v.Constraint)
	}
}

// Summary joins violations the way AWS's ValidationException messages do.
func Summary(vs []Violation) string {
	msgs := make([]string, len(vs))
	for i, v := range vs {
		msgs[i] = v.Message()
	}
	noun := "error"
	if len(vs) != 1 {
		noun = "errors"
	}
	return fmt.Sprintf("%d validation %s detected: %s", len(vs), noun, strings.Join(msgs, "; "))
}

// Result is what Check learned of one request.
type Result struct {
	// Service is the model that serves the request (nil: no model for
	// the request's SigV4 service).
	Service *Service
	// Operation is the operation's name ("" when none matched).
	Operation string
	// UnknownOperation: the service has no such operation (Operation
	// then holds the name the request used, if any).
	UnknownOperation bool
	Violations       []Violation
}

// Check validates a request signed for signingName against its operation's
// input shape. body is the request body (already read).
func (m *Models) Check(signingName string, r *http.Request, body []byte) Result {
	svc := m.bySigningName[signingName]
	if svc == nil {
		return Result{}
	}
	res := Result{Service: svc}
	switch svc.Protocol {
	case "ec2", "query":
		form, err := requestForm(r, body)
		if err != nil {
			res.Violations = []Violation{{Kind: Invalid, Path: "body", Value: "", Constraint: "Request body must be a URL-encoded form: " + err.Error()}}
			return res
		}
		res.Operation = form.Get("Action")
		op := svc.Operations[res.Operation]
		if op == nil {
			res.UnknownOperation = true
			return res
		}
		delete(form, "Action")
		delete(form, "Version")
		w := &formWalker{form: form, used: map[string]bool{}, ec2: svc.Protocol == "ec2"}
		if op.Input != nil {
			w.structure(op.Input, "")
		}
		for _, k := range sortedKeys(form) {
			if !w.used[k] {
				w.add(Violation{Kind: Unknown, Path: k, Value: form.Get(k)})
			}
		}
		res.Violations = w.out
	case "json":
		target := r.Header.Get("X-Amz-Target")
		res.Operation = target[strings.LastIndexByte(target, '.')+1:]
		op := svc.Operations[res.Operation]
		if op == nil {
			res.UnknownOperation = true
			return res
		}
		doc, v := decodeJSON(body)
		if v != nil {
			res.Violations = []Violation{*v}
			return res
		}
		if op.Input != nil {
			res.Violations = CheckJSON(op.Input, doc)
		}
	case "rest-json":
		op, labels := svc.matchREST(r)
		if op == nil {
			res.Operation = r.Method + " " + r.URL.Path
			res.UnknownOperation = true
			return res
		}
		res.Operation = op.Name
		res.Violations = checkREST(op, labels, r, body)
	}
	return res
}

func requestForm(r *http.Request, body []byte) (url.Values, error) {
	form := url.Values{}
	for k, v := range r.URL.Query() {
		form[k] = v
	}
	if len(body) > 0 {
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k, v := range vals {
			form[k] = append(form[k], v...)
		}
	}
	return form, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// formWalker checks the ec2 and query protocols' flattened form against a
// shape, marking each key it accounts for; the rest are unknown members.
type formWalker struct {
	form url.Values
	used map[string]bool
	ec2  bool
	out  []Violation
}

func (w *formWalker) add(v Violation) { w.out = append(w.out, v) }

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// present: the key itself or anything under it was sent.
func (w *formWalker) present(key string) bool {
	if _, ok := w.form[key]; ok {
		return true
	}
	for k := range w.form {
		if strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}

// indices are the N of the keys sent under prefix.N…, ascending.
func (w *formWalker) indices(prefix string) []int {
	seen := map[int]bool{}
	for k := range w.form {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		seg, _, _ := strings.Cut(rest, ".")
		if n, err := strconv.Atoi(seg); err == nil && n > 0 {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// serialName is the wire name of a structure member: the EC2 protocol
// takes queryName, else locationName with an upper-case initial; the
// query protocol takes locationName.
func (w *formWalker) serialName(name string, m *Member) string {
	if w.ec2 {
		if m.QueryName != "" {
			return m.QueryName
		}
		if m.LocationName != "" {
			return strings.ToUpper(m.LocationName[:1]) + m.LocationName[1:]
		}
		return name
	}
	if m.LocationName != "" {
		return m.LocationName
	}
	return name
}

func (w *formWalker) structure(sh *Shape, prefix string) {
	required := map[string]bool{}
	for _, r := range sh.Required {
		required[r] = true
	}
	for _, name := range sortedKeys(sh.Members) {
		m := sh.Members[name]
		key := join(prefix, w.serialName(name, m))
		if !w.present(key) {
			if required[name] {
				w.add(Violation{Kind: Missing, Path: key})
			}
			continue
		}
		w.value(m, key)
	}
}

func (w *formWalker) value(m *Member, key string) {
	sh := m.Shape
	switch sh.Type {
	case "structure":
		w.structure(sh, key)
	case "list":
		elems := key
		if !w.ec2 && !sh.Flattened {
			name := "member"
			if sh.Member.LocationName != "" {
				name = sh.Member.LocationName
			}
			elems = key + "." + name
		}
		if vals, ok := w.form[key]; ok && len(vals) == 1 && vals[0] == "" {
			w.used[key] = true // an empty list: "Name="
		}
		idx := w.indices(elems)
		w.count(sh, key, len(idx))
		for _, n := range idx {
			w.value(sh.Member, elems+"."+strconv.Itoa(n))
		}
	case "map":
		entries := key + ".entry"
		if sh.Flattened {
			entries = key
		}
		if vals, ok := w.form[key]; ok && len(vals) == 1 && vals[0] == "" {
			w.used[key] = true
		}
		keyName, valueName := "key", "value"
		if sh.Key.LocationName != "" {
			keyName = sh.Key.LocationName
		}
		if sh.Value.LocationName != "" {
			valueName = sh.Value.LocationName
		}
		idx := w.indices(entries)
		w.count(sh, key, len(idx))
		for _, n := range idx {
			entry := entries + "." + strconv.Itoa(n)
			if !w.present(entry + "." + keyName) {
				w.add(Violation{Kind: Missing, Path: entry + "." + keyName})
			} else {
				w.value(sh.Key, entry+"."+keyName)
			}
			if w.present(entry + "." + valueName) {
				w.value(sh.Value, entry+"."+valueName)
			}
		}
	default:
		vals, ok := w.form[key]
		if !ok {
			return // only keys under it were sent: they are unknown members
		}
		w.used[key] = true
		if len(vals) > 1 {
			w.add(Violation{Kind: Invalid, Path: key, Value: strings.Join(vals, ","), Constraint: "Member must have a single value"})
			return
		}
		w.out = append(w.out, checkText(sh, vals[0], key)...)
	}
}

func (w *formWalker) count(sh *Shape, key string, n int) {
	if v := checkCount(sh, n, key); v != nil {
		w.add(*v)
	}
}

func checkCount(sh *Shape, n int, path string) *Violation {
	if sh.Min != nil && float64(n) < *sh.Min {
		return &Violation{Kind: Invalid, Path: path, Value: fmt.Sprintf("%d items", n),
			Constraint: "Member must have length greater than or equal to " + numberString(*sh.Min)}
	}
	if sh.Max != nil && float64(n) > *sh.Max {
		return &Violation{Kind: Invalid, Path: path, Value: fmt.Sprintf("%d items", n),
			Constraint: "Member must have length less than or equal to " + numberString(*sh.Max)}
	}
	return nil
}

func shown(sh *Shape, s string) string {
	if sh.Sensitive {
		return "*** Sensitive Data Redacted ***"
	}
	return s
}

// checkText checks a scalar sent as text (query forms, URIs, query
// strings, headers): it must parse as its type and meet its constraints.
func checkText(sh *Shape, s, path string) []Violation {
	bad := func(constraint string) []Violation {
		return []Violation{{Kind: Invalid, Path: path, Value: shown(sh, s), Constraint: constraint}}
	}
	switch sh.Type {
	case "string":
		return checkString(sh, s, path)
	case "integer", "long":
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return bad("Member must be an integer")
		}
		return checkNumber(sh, float64(n), s, path)
	case "float", "double":
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) {
			return bad("Member must be a number")
		}
		return checkNumber(sh, f, s, path)
	case "boolean":
		if s != "true" && s != "false" {
			return bad("Member must be true or false")
		}
	case "timestamp":
		if !parseTimestamp(s) {
			return bad("Member must be a timestamp (ISO 8601 or epoch seconds)")
		}
	case "blob":
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return bad("Member must be base64-encoded")
		}
		if v := checkLength(sh, len(b), s, path); v != nil {
			return []Violation{*v}
		}
	}
	return nil
}

var timestampLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05.999999999Z0700", time.RFC1123, "Mon, 2 Jan 2006 15:04:05 GMT"}

func parseTimestamp(s string) bool {
	for _, layout := range timestampLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func checkString(sh *Shape, s, path string) []Violation {
	var out []Violation
	bad := func(constraint string) {
		out = append(out, Violation{Kind: Invalid, Path: path, Value: shown(sh, s), Constraint: constraint})
	}
	if len(sh.Enum) > 0 {
		found := false
		for _, e := range sh.Enum {
			if e == s {
				found = true
				break
			}
		}
		if !found {
			bad("Member must satisfy enum value set: [" + strings.Join(sh.Enum, ", ") + "]")
		}
	}
	if v := checkLength(sh, utf8.RuneCountInString(s), s, path); v != nil {
		out = append(out, *v)
	}
	if sh.matches != nil && !sh.matches(s) {
		bad("Member must satisfy regular expression pattern: " + sh.Pattern)
	}
	return out
}

func checkLength(sh *Shape, n int, s, path string) *Violation {
	if sh.Min != nil && float64(n) < *sh.Min {
		return &Violation{Kind: Invalid, Path: path, Value: shown(sh, s),
			Constraint: "Member must have length greater than or equal to " + numberString(*sh.Min)}
	}
	if sh.Max != nil && float64(n) > *sh.Max {
		return &Violation{Kind: Invalid, Path: path, Value: shown(sh, s),
			Constraint: "Member must have length less than or equal to " + numberString(*sh.Max)}
	}
	return nil
}

func checkNumber(sh *Shape, f float64, s, path string) []Violation {
	if sh.Min != nil && f < *sh.Min {
		return []Violation{{Kind: Invalid, Path: path, Value: s, Constraint: "Member must have value greater than or equal to " + numberString(*sh.Min)}}
	}
	if sh.Max != nil && f > *sh.Max {
		return []Violation{{Kind: Invalid, Path: path, Value: s, Constraint: "Member must have value less than or equal to " + numberString(*sh.Max)}}
	}
	return nil
}

// decodeJSON reads a JSON document body; an empty body is {}.
func decodeJSON(body []byte) (any, *Violation) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, &Violation{Kind: Invalid, Path: "body", Constraint: "Request body must be a JSON document: " + err.Error()}
	}
	return doc, nil
}

// CheckJSON checks a decoded JSON document (numbers as json.Number)
// against a shape, as the json and rest-json protocols serialize it.
func CheckJSON(sh *Shape, doc any) []Violation {
	var out []Violation
	checkJSONValue(sh, doc, "", &out, nil)
	return out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// checkJSONValue checks v at path; only, when not nil, limits a
// structure to those members (rest-json bodies).
func checkJSONValue(sh *Shape, v any, path string, out *[]Violation, only map[string]bool) {
	bad := func(value, constraint string) {
		*out = append(*out, Violation{Kind: Invalid, Path: path, Value: shown(sh, value), Constraint: constraint})
	}
	if sh.Document {
		return
	}
	switch sh.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			bad(fmt.Sprint(v), "Member must be a structure")
			return
		}
		byWire := map[string]string{}
		for name, m := range sh.Members {
			if only != nil && !only[name] {
				continue
			}
			wire := name
			if m.LocationName != "" && m.Location == "" {
				wire = m.LocationName
			}
			byWire[wire] = name
		}
		present := 0
		for _, k := range sortedKeys(obj) {
			name, ok := byWire[k]
			if !ok {
				*out = append(*out, Violation{Kind: Unknown, Path: join(path, lowerFirst(k))})
				continue
			}
			if obj[k] == nil {
				continue
			}
			present++
			checkJSONValue(sh.Members[name].Shape, obj[k], join(path, lowerFirst(name)), out, nil)
		}
		for _, name := range sh.Required {
			if only != nil && !only[name] {
				continue
			}
			m := sh.Members[name]
			wire := name
			if m != nil && m.LocationName != "" && m.Location == "" {
				wire = m.LocationName
			}
			if obj[wire] == nil {
				*out = append(*out, Violation{Kind: Missing, Path: join(path, lowerFirst(name))})
			}
		}
		if sh.Union && present != 1 {
			bad(fmt.Sprintf("%d members", present), "Exactly one member must be set")
		}
	case "list":
		arr, ok := v.([]any)
		if !ok {
			bad(fmt.Sprint(v), "Member must be a list")
			return
		}
		if c := checkCount(sh, len(arr), path); c != nil {
			*out = append(*out, *c)
		}
		for i, e := range arr {
			p := join(path, strconv.Itoa(i+1))
			if e == nil {
				*out = append(*out, Violation{Kind: Missing, Path: p})
				continue
			}
			checkJSONValue(sh.Member.Shape, e, p, out, nil)
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			bad(fmt.Sprint(v), "Member must be a map")
			return
		}
		if c := checkCount(sh, len(obj), path); c != nil {
			*out = append(*out, *c)
		}
		for _, k := range sortedKeys(obj) {
			p := join(path, k)
			*out = append(*out, checkString(sh.Key.Shape, k, p+".key")...)
			if obj[k] != nil {
				checkJSONValue(sh.Value.Shape, obj[k], p, out, nil)
			}
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			bad(fmt.Sprint(v), "Member must be a string")
			return
		}
		*out = append(*out, checkString(sh, s, path)...)
	case "integer", "long":
		n, ok := v.(json.Number)
		if !ok {
			bad(fmt.Sprint(v), "Member must be an integer")
			return
		}
		i, err := n.Int64()
		if err != nil {
			bad(n.String(), "Member must be an integer")
			return
		}
		*out = append(*out, checkNumber(sh, float64(i), n.String(), path)...)
	case "float", "double":
		n, ok := v.(json.Number)
		if !ok {
			bad(fmt.Sprint(v), "Member must be a number")
			return
		}
		f, err := n.Float64()
		if err != nil {
			bad(n.String(), "Member must be a number")
			return
		}
		*out = append(*out, checkNumber(sh, f, n.String(), path)...)
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad(fmt.Sprint(v), "Member must be true or false")
		}
	case "timestamp":
		if _, ok := v.(json.Number); !ok {
			bad(fmt.Sprint(v), "Member must be a timestamp in epoch seconds")
		}
	case "blob":
		s, ok := v.(string)
		if !ok {
			bad(fmt.Sprint(v), "Member must be base64-encoded")
			return
		}
		*out = append(*out, checkText(sh, s, path)...)
	}
}

// matchREST finds the operation whose method and request URI template
// match the request; the one with the most literal segments wins.
func (s *Service) matchREST(r *http.Request) (*Operation, map[string]string) {
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	var best *Operation
	var bestLabels map[string]string
	bestLiterals := -1
	for _, name := range sortedKeys(s.Operations) {
		op := s.Operations[name]
		if op.Method != r.Method {
			continue
		}
		tmpl, _, _ := strings.Cut(op.RequestURI, "?")
		labels, literals, ok := matchTemplate(strings.Split(strings.Trim(tmpl, "/"), "/"), segs)
		if ok && literals > bestLiterals {
			best, bestLabels, bestLiterals = op, labels, literals
		}
	}
	return best, bestLabels
}

func matchTemplate(tmpl, segs []string) (map[string]string, int, bool) {
	labels := map[string]string{}
	literals := 0
	for i, t := range tmpl {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "+}") {
			if i >= len(segs) {
				return nil, 0, false
			}
			v, err := url.PathUnescape(strings.Join(segs[i:], "/"))
			if err != nil {
				return nil, 0, false
			}
			labels[t[1:len(t)-2]] = v
			return labels, literals, true
		}
		if i >= len(segs) {
			return nil, 0, false
		}
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			v, err := url.PathUnescape(segs[i])
			if err != nil || v == "" {
				return nil, 0, false
			}
			labels[t[1:len(t)-1]] = v
			continue
		}
		if t != segs[i] {
			return nil, 0, false
		}
		literals++
	}
	if len(segs) != len(tmpl) {
		return nil, 0, false
	}
	return labels, literals, true
}

// checkREST checks the members bound to the URI, query string and headers,
// then the body's members.
func checkREST(op *Operation, labels map[string]string, r *http.Request, body []byte) []Violation {
	if op.Input == nil {
		return nil
	}
	var out []Violation
	required := map[string]bool{}
	for _, n := range op.Input.Required {
		required[n] = true
	}
	query := r.URL.Query()
	bodyMembers := map[string]bool{}
	for _, name := range sortedKeys(op.Input.Members) {
		m := op.Input.Members[name]
		wire := name
		if m.LocationName != "" {
			wire = m.LocationName
		}
		var vals []string
		switch m.Location {
		case "":
			bodyMembers[name] = true
			continue
		case "uri":
			if v, ok := labels[wire]; ok {
				vals = []string{v}
			}
		case "querystring":
			vals = query[wire]
		case "header":
			if v := r.Header.Get(wire); v != "" {
				vals = []string{v}
			}
		default:
			continue // headers maps, status codes
		}
		if len(vals) == 0 {
			if required[name] {
				out = append(out, Violation{Kind: Missing, Path: lowerFirst(name)})
			}
			continue
		}
		if m.Shape.Type == "list" {
			if c := checkCount(m.Shape, len(vals), lowerFirst(name)); c != nil {
				out = append(out, *c)
			}
			for i, v := range vals {
				out = append(out, checkText(m.Shape.Member.Shape, v, join(lowerFirst(name), strconv.Itoa(i+1)))...)
			}
			continue
		}
		out = append(out, checkText(m.Shape, vals[0], lowerFirst(name))...)
	}
	doc, v := decodeJSON(body)
	if v != nil {
		return append(out, *v)
	}
	checkJSONValue(op.Input, doc, "", &out, bodyMembers)
	return out
}
