// Package verifiedaccess compiles a protect surface's access rules into AWS
// Verified Access policies: canonical Cedar text built with cedar-go's ast
// package (never by joining strings into syntax), parsed back and
// type-checked against a Cedar schema of the Verified Access context before it
// is returned. It does no I/O.
//
// # Where rules go
//
// Verified Access allows a request only when the group policy allows it AND,
// if the endpoint has a policy, the endpoint policy allows it too. The model's
// meaning is simpler: a request to application A is allowed when some permit
// rule that applies to A matches and no forbid rule that applies to A matches
// (a rule applies to A when its applications list A or is empty). The
// compiler makes the two agree exactly:
//
//   - When no rule lists applications, every rule applies everywhere: the
//     group policy holds every rule and no application gets an endpoint
//     policy (Policy is "").
//   - Otherwise every application gets an endpoint policy holding exactly the
//     rules that apply to it (whole-surface rules and the rules listing it, so
//     a rule that targets exactly one application lands in that application's
//     endpoint policy), and the group policy is the outer gate: every
//     whole-surface rule plus the permit rules of every application-specific
//     rule. Whenever the endpoint policy allows, the gate allows too, so the
//     conjunction is the endpoint policy's decision, which is the model's.
//
// A document with no statement at all is given a single deny-by-default
// statement, `@id("zerotrust:deny-by-default") permit (principal, action,
// resource) when { false };`, so an empty surface compiles to "no access".
//
// # Canonical text
//
// Statements are ordered forbid before permit, then by rule name (byte
// order), each annotated @id("<rule name>") and separated by one blank line;
// the document ends with exactly one newline. Within a statement, conditions
// are separate `when` clauses in a fixed order, cheapest and most selective
// first: HTTP method, path prefix, groups, device, verified email, MFA,
// client CIDR (ip() parsing last). Every read of optional trust data is
// preceded by the `has` guards it needs, so a missing provider or attribute
// short-circuits to false at its first guard. List values are sorted and
// CIDRs masked, so reordering configuration never changes the text. String
// sets are tested with .contains/.containsAny, never `in`.
//
// # Paths and TCP applications
//
// A path prefix compiles to tests on a segment boundary, each also written
// without the leading slash because AWS documents the path as "app/images"
// (see pathPrefixTests). A permit's path prefixes never admit, and a
// forbid's always cover, a path a server may resolve elsewhere than it reads
// (unresolvedPathPatterns, model.UnresolvedPath). Conditions that read context.http_request (methods,
// path prefixes, client CIDRs) are not guarded with `context has
// http_request`: model validation refuses them on rules that apply to a TCP
// application, where Verified Access documents no HTTP request, rather than
// letting a guard turn them into "never matches" (see
// model.AccessRule.checkHTTPConditions for why an error beats a guard).
package verifiedaccess

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/cedar-policy/cedar-go/ast"
	"github.com/cedar-policy/cedar-go/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/collections"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// IDAnnotation is the annotation carrying a statement's rule name.
const IDAnnotation = "id"

// DenyByDefaultID is the @id of the statement an otherwise empty document
// gets; model validation reserves it.
const DenyByDefaultID = model.ReservedRuleNamePrefix + "deny-by-default"

// Result is a compiled surface.
type Result struct {
	// GroupPolicy is the Verified Access group policy document.
	GroupPolicy string
	// Endpoints has one entry per application, sorted by application name.
	Endpoints []EndpointPolicy
	// Schema is the Cedar schema (human-readable syntax) of the Verified
	// Access context for the surface's proxy and groups. Every statement was
	// validated against it.
	Schema string
}

// EndpointPolicy is one application's endpoint policy.
type EndpointPolicy struct {
	Application string
	// Policy is the endpoint policy document, or "" when the application
	// needs none (the group policy alone decides).
	Policy string
}

// Endpoint returns the endpoint policy of an application.
func (r Result) Endpoint(app string) (EndpointPolicy, bool) {
	for _, e := range r.Endpoints {
		if e.Application == app {
			return e, true
		}
	}
	return EndpointPolicy{}, false
}

// Options tune compilation.
type Options struct {
	// Validator type-checks the output; nil means CedarGoValidator.
	Validator Validator
}

// Compile validates a surface and compiles it. Problems carry every
// validation finding (warnings included); on any error the Result is empty.
// A failure of the self-checks (parse-back, canonical round trip, schema
// validation) is reported as an internal error at the surface root.
func Compile(s model.ProtectSurface, opts Options) (Result, model.Problems) {
	problems := s.Validate()
	if problems.HasErrors() {
		return Result{}, problems
	}
	if opts.Validator == nil {
		opts.Validator = CedarGoValidator{}
	}

	rules := slices.Clone(s.AccessRules)
	slices.SortFunc(rules, func(a, b model.AccessRule) int {
		if a.IsPermit() != b.IsPermit() {
			if a.IsPermit() {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Name, b.Name)
	})

	split := slices.ContainsFunc(rules, func(r model.AccessRule) bool { return len(r.Applications) > 0 })
	var group []int
	for i, r := range rules {
		if len(r.Applications) == 0 || (split && r.IsPermit()) {
			group = append(group, i)
		}
	}

	schemaText, err := ContextSchema(s.Proxy, identityCenterGroups(s.AccessRules)).MarshalCedar()
	if err != nil {
		problems.Errorf(nil, "Internal compiler error", "marshalling the context schema: %v", err)
		return Result{}, problems
	}
	res := Result{Schema: string(schemaText)}

	// Every document is a selection of these statements (or, when it
	// selects none, the deny-by-default statement), so they are checked
	// once, together, as one policy set: see checkStatements.
	// Documents only join checked statements with blank lines: each ends
	// with the one-character token `;` and the next starts with `@`, so no
	// token spans a boundary and a document parses into exactly its
	// statements (the package tests parse every document whole to confirm
	// it).
	ids := make([]string, len(rules), len(rules)+1)
	for i, r := range rules {
		ids[i] = r.Name
	}
	// The deny-by-default statement is always checked (one statement more)
	// so that any document selecting no rule can use it. Statements are
	// built as they are checked, so only their text stays in memory.
	ids = append(ids, DenyByDefaultID)
	build := func(i int) *ast.Policy {
		if i == len(rules) {
			return DenyByDefault()
		}
		return Statement(rules[i], s.Proxy)
	}
	texts, err := checkStatements(build, ids, schemaText, opts.Validator)
	if err != nil {
		problems.Errorf(nil, "Internal compiler error", "the compiled statements do not check out: %v", err)
		return Result{}, problems
	}

	// Each document is written once, into a string of its exact size: a
	// document holds most statements, and at a thousand rules copying each
	// through a shared buffer and then into a string was a tenth of the
	// compile, growing faster than the rule count.
	emit := func(idx []int) string {
		if len(idx) == 0 {
			return string(texts[len(texts)-1]) + "\n" // deny-by-default, checked above
		}
		size := 2*len(idx) - 1 // blank lines between statements, one final newline
		for _, i := range idx {
			size += len(texts[i])
		}
		var doc strings.Builder
		doc.Grow(size)
		for k, i := range idx {
			if k > 0 {
				doc.WriteString("\n\n")
			}
			doc.Write(texts[i])
		}
		doc.WriteByte('\n')
		return doc.String()
	}
	res.GroupPolicy = emit(group)
	apps := make([]string, 0, len(s.Applications))
	for _, a := range s.Applications {
		apps = append(apps, a.Name)
	}
	slices.Sort(apps)
	if len(apps) > 0 {
		res.Endpoints = make([]EndpointPolicy, 0, len(apps))
	}
	idx := make([]int, 0, len(rules))
	for _, app := range apps {
		ep := EndpointPolicy{Application: app}
		if split {
			idx = idx[:0]
			for i, r := range rules {
				if r.AppliesTo(app) {
					idx = append(idx, i)
				}
			}
			ep.Policy = emit(idx)
		}
		res.Endpoints = append(res.Endpoints, ep)
	}
	return res, problems
}

// checkStatements builds the statements (build(i) for each of ids),
// marshals them and proves the text means what was
// built: each text parses back into a statement carrying ids[i] that
// marshals back to exactly its own text (so it is canonical, and holds
// nothing after that one statement), and the statements validate against
// the context schema, parsed and resolved once for the whole set. Texts are
// parsed one by one: cedar-go tokenizes its whole input up front, and one
// token slice for a thousand statements costs more (in memory and time) than
// a thousand small ones. They are parsed into the AST alone, not into
// cedar-go's Policy, which would also compile an evaluator nothing here
// runs.
func checkStatements(build func(i int) *ast.Policy, ids []string, schema []byte, v Validator) ([][]byte, error) {
	// A validator that can take parsed statements one at a time checks each
	// as soon as it is parsed, so no parsed statement outlives its check
	// (the schema is still parsed and resolved once); any other validator
	// gets the whole set as text in one call.
	var check func(id string, p *ast.Policy) error
	if sv, ok := v.(statementValidator); ok {
		var err error
		if check, err = sv.forSchema(schema); err != nil {
			return nil, err
		}
	}
	texts := make([][]byte, len(ids))
	var errs []error
	for i := range ids {
		text := build(i).MarshalCedar()
		var parsed ast.Policy
		err := parsed.UnmarshalCedar(text)
		switch id, ok := annotation(&parsed, IDAnnotation); {
		case err != nil:
			return nil, fmt.Errorf("the statement of %q does not parse: %w", ids[i], err)
		case !ok || id != ids[i]:
			return nil, fmt.Errorf("the statement of %q parses with @id %q", ids[i], id)
		case !bytes.HasSuffix(text, []byte(";")) || !bytes.HasPrefix(text, []byte("@")):
			return nil, fmt.Errorf("the statement of %q does not start with an annotation and end with a semicolon", ids[i])
		case !bytes.Equal(parsed.MarshalCedar(), text):
			return nil, fmt.Errorf("the statement of %q is not canonical: its first statement marshalled again is not its text", ids[i])
		}
		if check != nil {
			if err := check(ids[i], &parsed); err != nil {
				errs = append(errs, err)
			}
		}
		texts[i] = text
	}
	if check == nil {
		errs = append(errs, v.Validate(schema, bytes.Join(texts, []byte("\n\n"))))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return texts, nil
}

// annotation is the value of a statement's annotation key, if it has one.
func annotation(p *ast.Policy, key types.AnnotationKey) (string, bool) {
	for _, a := range p.Annotations {
		if a.Key == key {
			return string(a.Value), true
		}
	}
	return "", false
}

// DenyByDefault is the statement of a document that grants nothing.
func DenyByDefault() *ast.Policy {
	return ast.Annotation(IDAnnotation, DenyByDefaultID).Permit().When(ast.False())
}

// Statement builds the Cedar statement of one access rule.
func Statement(r model.AccessRule, proxy model.AccessProxy) *ast.Policy {
	a := ast.Annotation(IDAnnotation, types.String(r.Name))
	var p *ast.Policy
	if r.IsPermit() {
		p = a.Permit()
	} else {
		p = a.Forbid()
	}
	for _, c := range Conditions(r, proxy) {
		p = p.When(c)
	}
	return p
}

// Conditions returns the `when` bodies of a rule in canonical order (see the
// package documentation); none for an unconditional rule.
func Conditions(r model.AccessRule, proxy model.AccessProxy) []ast.Node {
	var out []ast.Node
	idp := proxy.IdentityProvider
	http := ast.Context().Access(attrHTTPRequest)

	if ms := collections.SortedUnique(r.Methods); len(ms) > 0 {
		method := http.Access(attrHTTPMethod)
		if len(ms) == 1 {
			out = append(out, method.Equal(ast.String(ms[0])))
		} else {
			out = append(out, stringSet(ms).Contains(method))
		}
	}
	if ps := collections.SortedUnique(r.PathPrefixes); len(ps) > 0 {
		path := http.Access(attrPath)
		var alts []ast.Node
		for _, prefix := range ps {
			alts = append(alts, pathPrefixTests(path, prefix)...)
		}
		under := anyOf(alts, func(n ast.Node) ast.Node { return n })
		unresolved := anyOf(unresolvedPathPatterns, func(p types.Pattern) ast.Node { return path.Like(p) })
		if r.IsPermit() {
			out = append(out, under.And(ast.Not(unresolved)))
		} else {
			out = append(out, under.Or(unresolved))
		}
	}
	if gs := collections.SortedUnique(r.Groups); len(gs) > 0 {
		out = append(out, groupCondition(gs, idp))
	}
	if d := r.Device; d != nil {
		conds := deviceConditions(*d, proxy)
		if d.IsAnyOf() && len(conds) > 1 {
			n := conds[0]
			for _, c := range conds[1:] {
				n = n.Or(c)
			}
			out = append(out, n)
		} else {
			out = append(out, conds...)
		}
	}
	if r.RequireVerifiedEmail {
		ref := types.String(idp.Reference)
		if idp.Type == model.IdentityIAMIdentityCenter {
			out = append(out, guarded([]types.String{ref, attrUser, attrEmail, attrVerified}, func(v ast.Node) ast.Node { return v.Equal(ast.True()) }))
		} else {
			out = append(out, guarded([]types.String{ref, attrEmailVerified}, func(v ast.Node) ast.Node { return v.Equal(ast.True()) }))
		}
	}
	if r.RequireMFA {
		ref := types.String(idp.Reference)
		if idp.MFAEnforced {
			// The provider demands MFA at every sign-in: its trust data being
			// present proves it.
			out = append(out, ast.Context().Has(ref))
		} else {
			out = append(out, guarded([]types.String{ref, attrAMR}, func(v ast.Node) ast.Node { return v.Contains(ast.String(amrMFA)) }))
		}
	}
	if cidrs := canonicalCIDRs(r.ClientCIDRs); len(cidrs) > 0 {
		client := ast.IPExtensionCall(http.Access(attrClientIP))
		out = append(out, anyOf(cidrs, func(p netip.Prefix) ast.Node {
			return client.IsInRange(ast.IPAddr(p))
		}))
	}
	return out
}

// pathPrefixTests returns the alternatives that match path against one
// configured prefix (model.AccessRule.PathPrefixes documents the semantics):
//
//	"/admin"  -> path == "/admin" || path like "/admin/*" || path == "admin" || path like "admin/*"
//	"/api/"   -> path like "/api/*" || path like "api/*"
//	"/adm*"   -> path like "/adm*" || path like "adm*"
//
// The second half of each line is the same test without the leading slash,
// because AWS documents context.http_request.path as "app/images"; until
// real trust data shows which form Verified Access sends, both must match.
// Prefix text enters the pattern as a literal (cedar-go escapes a `*` in it
// as `\*`); only the trailing `*` of an explicit raw prefix, and the one this
// function appends, are wildcards.
func pathPrefixTests(path ast.Node, prefix string) []ast.Node {
	var out []ast.Node
	below := func(stem string) ast.Node { return path.Like(types.NewPattern(stem, types.Wildcard{})) }
	for _, p := range []string{prefix, strings.TrimPrefix(prefix, "/")} {
		switch {
		case strings.HasSuffix(p, "*"):
			out = append(out, below(strings.TrimSuffix(p, "*")))
		case p == "" || strings.HasSuffix(p, "/"):
			// Already on a boundary: everything below, the prefix included.
			out = append(out, below(p))
		default:
			out = append(out, path.Equal(ast.String(p)), below(p+"/"))
		}
	}
	return out
}

// unresolvedPathPatterns match a path that a server may resolve somewhere
// else than it reads: one with a "." or ".." segment (also at either end, and
// without a leading slash, the form AWS documents), or with a percent-encoded
// dot, slash or backslash, or a raw backslash (some servers take it for a
// slash). Textually "/public/../admin" lies under "/public"; the
// application may serve /admin. So a permit's path prefixes never admit
// such a path, and a forbid's path prefixes always cover it: its prefix
// could be where the path lands. Checked on the whole path, not only after
// the prefix: "/./public" is no more under "/public" than "/x/../public".
var unresolvedPathPatterns = func() []types.Pattern {
	lit := func(parts ...any) types.Pattern { return types.NewPattern(parts...) }
	var ps []types.Pattern
	for _, dots := range []string{".", ".."} {
		ps = append(ps,
			lit(dots),                       // "."
			lit(dots+"/", types.Wildcard{}), // "./x"
			lit(types.Wildcard{}, "/"+dots), // "x/."
			lit(types.Wildcard{}, "/"+dots+"/", types.Wildcard{}), // "x/./y"
		)
	}
	for _, s := range []string{"%2e", "%2E", "%2f", "%2F", "%5c", "%5C", `\`} {
		ps = append(ps, lit(types.Wildcard{}, s, types.Wildcard{}))
	}
	return ps
}()

func groupCondition(groups []string, idp model.IdentityProvider) ast.Node {
	ref := types.String(idp.Reference)
	if idp.Type == model.IdentityIAMIdentityCenter {
		// Identity Center reports groups as a record keyed by group id.
		return guarded([]types.String{ref, attrGroups}, func(g ast.Node) ast.Node {
			return anyOf(groups, func(id string) ast.Node { return g.Has(types.String(id)) })
		})
	}
	return guarded([]types.String{ref, types.String(idp.GroupsClaimName())}, func(g ast.Node) ast.Node {
		if len(groups) == 1 {
			return g.Contains(ast.String(groups[0]))
		}
		return g.ContainsAny(stringSet(groups))
	})
}

// deviceConditions returns one guarded condition per provider condition, in
// the fixed order jamf, crowdstrike, jumpcloud. References come from the
// proxy the requirement was validated against.
func deviceConditions(d model.DeviceRequirement, proxy model.AccessProxy) []ast.Node {
	ref := func(typ string) types.String {
		p, _ := proxy.DeviceProvider(typ)
		return types.String(p.Reference)
	}
	var out []ast.Node
	if d.Jamf != nil {
		var ok []string
		for _, level := range model.JamfRiskLevels {
			if model.JamfRiskRank(level) <= model.JamfRiskRank(d.Jamf.MaxRisk) {
				ok = append(ok, level)
			}
		}
		out = append(out, guarded([]types.String{ref(model.DeviceJamf), attrRisk}, func(risk ast.Node) ast.Node {
			if len(ok) == 1 {
				return risk.Equal(ast.String(ok[0]))
			}
			return stringSet(ok).Contains(risk)
		}))
	}
	if d.CrowdStrike != nil {
		minScore := d.CrowdStrike.MinOverallScore
		out = append(out, guarded([]types.String{ref(model.DeviceCrowdStrike), attrAssessment, attrOverall}, func(score ast.Node) ast.Node {
			return score.GreaterThanOrEqual(ast.Long(minScore))
		}))
	}
	if d.JumpCloud != nil {
		out = append(out, guarded([]types.String{ref(model.DeviceJumpCloud), attrDevice, attrIsManaged}, func(m ast.Node) ast.Node {
			return m.Equal(ast.True())
		}))
	}
	return out
}

// guarded builds `context has a && context.a has b && … && test(context.a.b…)`.
func guarded(path []types.String, test func(ast.Node) ast.Node) ast.Node {
	node := ast.Context()
	var cond ast.Node
	for i, attr := range path {
		g := node.Has(attr)
		if i == 0 {
			cond = g
		} else {
			cond = cond.And(g)
		}
		node = node.Access(attr)
	}
	return cond.And(test(node))
}

func anyOf[T any](items []T, f func(T) ast.Node) ast.Node {
	n := f(items[0])
	for _, it := range items[1:] {
		n = n.Or(f(it))
	}
	return n
}

func stringSet(items []string) ast.Node {
	nodes := make([]ast.Node, len(items))
	for i, s := range items {
		nodes[i] = ast.String(s)
	}
	return ast.Set(nodes...)
}

// canonicalCIDRs parses, masks, sorts (IPv4 first) and de-duplicates CIDRs;
// unparseable entries are dropped (validation refuses them first).
func canonicalCIDRs(cidrs []string) []netip.Prefix {
	var out []netip.Prefix
	for _, c := range cidrs {
		if p, err := model.ParseClientCIDR(c); err == nil {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	return slices.Compact(out)
}

// ConditionTexts returns the Cedar text of each `when` condition of a rule's
// statement, in statement order: the statement read one condition at a time,
// as a plan shows it. Each text is cedar-go's canonical rendering.
func ConditionTexts(r model.AccessRule, proxy model.AccessProxy) []string {
	conds := Conditions(r, proxy)
	out := make([]string, len(conds))
	for i, c := range conds {
		text := string(ast.Permit().When(c).MarshalCedar())
		// The canonical form of a one-condition permit is
		// "permit ( principal, action, resource )\nwhen { <condition> };".
		if _, body, ok := strings.Cut(text, "\nwhen { "); ok {
			text = strings.TrimSuffix(body, " };")
		}
		out[i] = text
	}
	return out
}
