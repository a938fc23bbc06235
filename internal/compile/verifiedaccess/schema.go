package verifiedaccess

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	cedar "github.com/cedar-policy/cedar-go"
	cedarast "github.com/cedar-policy/cedar-go/ast"
	"github.com/cedar-policy/cedar-go/types"
	"github.com/cedar-policy/cedar-go/x/exp/ast"
	"github.com/cedar-policy/cedar-go/x/exp/schema"
	sast "github.com/cedar-policy/cedar-go/x/exp/schema/ast"
	"github.com/cedar-policy/cedar-go/x/exp/schema/resolved"
	"github.com/cedar-policy/cedar-go/x/exp/schema/validate"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Verified Access evaluates unscoped policies (permit(principal, action,
// resource)); the schema still needs one action whose context the validator
// type-checks conditions against. These names are this package's, not AWS's.
const (
	schemaPrincipalType = "User"
	schemaResourceType  = "Application"
	schemaAction        = "access"
)

// Trust-data attribute names, as Verified Access documents them.
const (
	attrHTTPRequest   = model.HTTPRequestContextKey
	attrHTTPMethod    = "http_method"
	attrHostname      = "hostname"
	attrPath          = "path"
	attrClientIP      = "client_ip"
	attrGroups        = "groups"
	attrUser          = "user"
	attrEmail         = "email"
	attrVerified      = "verified"
	attrEmailVerified = "email_verified"
	attrAMR           = "amr"
	amrMFA            = "mfa"
	attrRisk          = "risk"
	attrAssessment    = "assessment"
	attrOverall       = "overall"
	attrDevice        = "device"
	attrIsManaged     = "is_managed"
)

func req(t sast.IsType) sast.Attribute { return sast.Attribute{Type: t} }
func opt(t sast.IsType) sast.Attribute { return sast.Attribute{Type: t, Optional: true} }

// ContextSchema is the Cedar schema of the Verified Access context for a
// proxy's trust providers. Every trust-provider key and every attribute
// inside it is optional (Verified Access omits what a provider did not send),
// so the validator proves that each access is guarded by `has`. The
// http_request attributes the compiler reads are required: Verified Access
// sends them for HTTP(S) applications, and rules that read them may not apply
// to TCP applications (model validation), so no TCP context is checked
// against them. groupIDs are the Identity Center group ids the policies
// test (`groups has "<id>"`); Identity Center reports groups as a record keyed
// by id, which a closed Cedar record type can only describe by listing them.
//
//	context.http_request: http_method, hostname, path, client_ip: String;
//	                      query?, user_agent?, x_forwarded_for?: String; port?: Long
//	iam-identity-center:  <ref>?.user?.{user_id?, user_name?: String, email?.{address?: String, verified?: Bool}}
//	                      <ref>?.groups?.{"<group-id>"?: {group_name?: String}, …}
//	oidc:                 <ref>?.{sub?, email?: String, email_verified?: Bool, amr?: Set<String>,
//	                              <groups_claim>?: Set<String>}
//	jamf:                 <ref>?.{risk?, osv?: String, groups?: Set<String>}
//	crowdstrike:          <ref>?.{assessment?.{overall?, os?, sensor_config?: Long}, cid?, aid?: String}
//	jumpcloud:            <ref>?.{device?.{is_managed?: Bool}, org_id?, system?, durt_id?: String}
func ContextSchema(proxy model.AccessProxy, groupIDs []string) *schema.Schema {
	ctx := sast.RecordType{
		attrHTTPRequest: req(sast.RecordType{
			attrHTTPMethod:    req(sast.String()),
			attrHostname:      req(sast.String()),
			attrPath:          req(sast.String()),
			attrClientIP:      req(sast.String()),
			"query":           opt(sast.String()),
			"user_agent":      opt(sast.String()),
			"x_forwarded_for": opt(sast.String()),
			"port":            opt(sast.Long()),
		}),
	}
	idp := proxy.IdentityProvider
	switch idp.Type {
	case model.IdentityIAMIdentityCenter:
		groups := sast.RecordType{}
		for _, g := range groupIDs {
			groups[types.String(g)] = opt(sast.RecordType{"group_name": opt(sast.String())})
		}
		ctx[types.String(idp.Reference)] = opt(sast.RecordType{
			attrUser: opt(sast.RecordType{
				"user_id":   opt(sast.String()),
				"user_name": opt(sast.String()),
				attrEmail: opt(sast.RecordType{
					"address":    opt(sast.String()),
					attrVerified: opt(sast.Bool()),
				}),
			}),
			attrGroups: opt(groups),
		})
	case model.IdentityOIDC:
		rec := sast.RecordType{
			"sub":             opt(sast.String()),
			attrEmail:         opt(sast.String()),
			attrEmailVerified: opt(sast.Bool()),
			attrAMR:           opt(sast.Set(sast.String())),
		}
		rec[types.String(idp.GroupsClaimName())] = opt(sast.Set(sast.String()))
		ctx[types.String(idp.Reference)] = opt(rec)
	}
	for _, d := range proxy.DeviceProviders {
		var rec sast.RecordType
		switch d.Type {
		case model.DeviceJamf:
			rec = sast.RecordType{attrRisk: opt(sast.String()), "osv": opt(sast.String()), attrGroups: opt(sast.Set(sast.String()))}
		case model.DeviceCrowdStrike:
			rec = sast.RecordType{
				attrAssessment: opt(sast.RecordType{attrOverall: opt(sast.Long()), "os": opt(sast.Long()), "sensor_config": opt(sast.Long())}),
				"cid":          opt(sast.String()),
				"aid":          opt(sast.String()),
			}
		case model.DeviceJumpCloud:
			rec = sast.RecordType{
				attrDevice: opt(sast.RecordType{attrIsManaged: opt(sast.Bool())}),
				"org_id":   opt(sast.String()),
				"system":   opt(sast.String()),
				"durt_id":  opt(sast.String()),
			}
		default:
			continue
		}
		ctx[types.String(d.Reference)] = opt(rec)
	}
	return schema.NewSchemaFromAST(&sast.Schema{
		Entities: sast.Entities{schemaPrincipalType: {}, schemaResourceType: {}},
		Actions: sast.Actions{schemaAction: {AppliesTo: &sast.AppliesTo{
			Principals: []sast.EntityTypeRef{schemaPrincipalType},
			Resources:  []sast.EntityTypeRef{schemaResourceType},
			Context:    ctx,
		}}},
	})
}

// SchemaRequest returns a request of the schema's action with the given
// context, for validating a context against the schema.
func SchemaRequest(context types.Record) types.Request {
	return types.Request{
		Principal: types.NewEntityUID(schemaPrincipalType, "u"),
		Action:    types.NewEntityUID("Action", schemaAction),
		Resource:  types.NewEntityUID(schemaResourceType, "a"),
		Context:   context,
	}
}

// Validator type-checks a Cedar policy document against a Cedar schema (both
// in Cedar's human-readable syntax). It is the one seam between this
// compiler and a schema validator, so cedar-go's experimental validator can
// be swapped for another (e.g. the Rust CLI) without touching the compiler.
type Validator interface {
	Validate(schema, policies []byte) error
}

// CedarGoValidator validates with cedar-go's x/exp/schema/validate. It runs
// in permissive mode: strict mode refuses ip() applied to anything but a
// literal, and Verified Access sends the client address as a string
// (ip(context.http_request.client_ip) is the only way to test it against a
// CIDR). Permissive mode still checks every attribute access, its `has`
// guard, and every operand type.
//
// cedar-go's validator converts the whole context type for every statement
// it checks, and an Identity Center context lists every group id the
// surface tests, so validating n statements would cost n × groups. Each
// statement is therefore type-checked against the context narrowed to the
// attributes it names (see narrowSchema; the verdict is the full context's,
// as TestNarrowedContextTypesLikeTheFullOne checks), while checkDeclared
// checks every name it reads against the full schema.
type CedarGoValidator struct{}

// Validate implements Validator.
func (v CedarGoValidator) Validate(schemaText, policies []byte) error {
	check, err := v.forSchema(schemaText)
	if err != nil {
		return err
	}
	list, err := cedar.NewPolicyListFromBytes("", policies)
	if err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	var errs []error
	for i, p := range list {
		id := fmt.Sprintf("policy%d", i)
		if a, ok := p.Annotations()["id"]; ok {
			id = string(a)
		}
		errs = append(errs, check(id, p.AST()))
	}
	return errors.Join(errs...)
}

// statementValidator is a Validator that can check parsed statements one at
// a time against a schema it parses and resolves once: the compiler has
// already parsed each statement (to prove it round-trips), so this spares a
// second parse and lets each parsed statement be dropped once checked.
type statementValidator interface {
	forSchema(schemaText []byte) (func(id string, p *cedarast.Policy) error, error)
}

func (CedarGoValidator) forSchema(schemaText []byte) (func(id string, p *cedarast.Policy) error, error) {
	var s schema.Schema
	if err := s.UnmarshalCedar(schemaText); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	res, err := s.Resolve()
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	var contexts []resolved.RecordType
	for _, a := range res.Actions {
		if a.AppliesTo != nil {
			contexts = append(contexts, a.AppliesTo.Context)
		}
	}
	return func(id string, p *cedarast.Policy) error {
		policy := (*ast.Policy)(p)
		var errs []error
		if err := validate.New(narrowSchema(res, policy), validate.WithPermissive()).Policy(id, policy); err != nil {
			errs = append(errs, err)
		}
		if err := checkDeclared(contexts, policy); err != nil {
			errs = append(errs, fmt.Errorf("for policy `%s`, %w", id, err))
		}
		return errors.Join(errs...)
	}, nil
}

// contextUse is how a policy uses one record of the context (the root is
// the context itself): the attributes it names, in an access or a `has`,
// and whether it also uses the record as a value rather than only through
// its attributes.
type contextUse struct {
	attrs map[types.String]*contextUse
	whole bool
	// occurs counts the record's occurrences, operand those as the operand
	// of an access or a `has`.
	occurs, operand int
}

func (u *contextUse) at(path []string) *contextUse {
	for _, a := range path {
		next := u.attrs[types.String(a)]
		if next == nil {
			next = &contextUse{}
			if u.attrs == nil {
				u.attrs = map[types.String]*contextUse{}
			}
			u.attrs[types.String(a)] = next
		}
		u = next
	}
	return u
}

func (u *contextUse) settle() {
	u.whole = u.occurs > u.operand
	for _, c := range u.attrs {
		c.settle()
	}
}

// useOf walks a policy. A context path (context, context.a, context.a.b…)
// that occurs more often than it is the operand of an attribute access or a
// `has` is used as a value somewhere (compared, passed to a function…), so
// its type must stay whole.
func useOf(policy *ast.Policy) *contextUse {
	root := &contextUse{}
	var scratch []string
	for _, c := range policy.Conditions {
		ast.Inspect(ast.NewNode(c.Body), func(n ast.IsNode) bool {
			path, ok := contextPath(scratch[:0], n)
			scratch = path
			if ok {
				root.at(path).occurs++
			}
			var arg ast.IsNode
			var attr types.String
			switch n := n.(type) {
			case ast.NodeTypeHas:
				arg, attr = n.Arg, n.Value
			case ast.NodeTypeAccess:
				arg, attr = n.Arg, n.Value
			default:
				return true
			}
			path, ok = contextPath(scratch[:0], arg)
			scratch = path
			if ok {
				u := root.at(path)
				u.operand++
				u.at([]string{string(attr)})
			}
			return true
		})
	}
	root.settle()
	return root
}

// narrowSchema returns res with every action's context narrowed to what
// policy uses. Typing a condition only ever looks up the attributes it
// names — a `has` or an access of an attribute the record type lacks types
// the same whether other attributes are declared or not — except where a
// record is used as a value, and those records are kept whole. The cost is
// that of the attributes the policy names, not of the context's size. res
// is not modified.
func narrowSchema(res *resolved.Schema, policy *ast.Policy) *resolved.Schema {
	u := useOf(policy)
	if u.whole {
		return res
	}
	out := *res
	out.Actions = make(map[types.EntityUID]resolved.Action, len(res.Actions))
	for uid, a := range res.Actions {
		if a.AppliesTo != nil {
			to := *a.AppliesTo
			to.Context = narrowContext(a.AppliesTo.Context, u)
			a.AppliesTo = &to
		}
		out.Actions[uid] = a
	}
	return &out
}

func narrowContext(rec resolved.RecordType, u *contextUse) resolved.RecordType {
	out := make(resolved.RecordType, len(u.attrs))
	for name, use := range u.attrs {
		attr, ok := rec[name]
		if !ok {
			continue
		}
		if sub, ok := attr.Type.(resolved.RecordType); ok && !use.whole {
			attr.Type = narrowContext(sub, use)
		}
		out[name] = attr
	}
	return out
}

// checkDeclared refuses any `has` test or attribute read on the context that
// names an attribute the schema does not declare. Cedar's validator types
// such a `has` as false and skips the rest of the conjunction, so without
// this a misspelt trust-provider reference would validate (and never match).
func checkDeclared(contexts []resolved.RecordType, policy *ast.Policy) error {
	var errs []error
	var scratch []string
	for _, c := range policy.Conditions {
		ast.Inspect(ast.NewNode(c.Body), func(n ast.IsNode) bool {
			var arg ast.IsNode
			var attr types.String
			switch n := n.(type) {
			case ast.NodeTypeHas:
				arg, attr = n.Arg, n.Value
			case ast.NodeTypeAccess:
				arg, attr = n.Arg, n.Value
			default:
				return true
			}
			path, ok := contextPath(scratch[:0], arg)
			scratch = path
			if !ok {
				return true
			}
			for _, ctx := range contexts {
				rec, ok := recordAt(ctx, path)
				if !ok {
					errs = append(errs, fmt.Errorf("context.%s is not a record in the schema", strings.Join(path, ".")))
					return false
				}
				if _, ok := rec[attr]; !ok {
					errs = append(errs, fmt.Errorf("the schema declares no attribute %q in context%s", attr, dotted(path)))
					return false
				}
			}
			return true
		})
	}
	return errors.Join(errs...)
}

// contextPath appends to dst the attribute names of context.a.b… (none
// for context itself). Callers pass a scratch slice of their own, since
// every node of every statement is asked.
func contextPath(dst []string, n ast.IsNode) ([]string, bool) {
	switch n := n.(type) {
	case ast.NodeTypeVariable:
		return dst, n.Name == "context"
	case ast.NodeTypeAccess:
		p, ok := contextPath(dst, n.Arg)
		return append(p, string(n.Value)), ok
	}
	return dst, false
}

func recordAt(rec resolved.RecordType, path []string) (resolved.RecordType, bool) {
	for _, a := range path {
		attr, ok := rec[types.String(a)]
		if !ok {
			return nil, false
		}
		if rec, ok = attr.Type.(resolved.RecordType); !ok {
			return nil, false
		}
	}
	return rec, true
}

func dotted(path []string) string {
	if len(path) == 0 {
		return ""
	}
	return "." + strings.Join(path, ".")
}

// ValidateContext checks a request context against the schema, to prove a
// simulated Verified Access context has the shape the policies assume.
func ValidateContext(schemaText []byte, context types.Record) error {
	var s schema.Schema
	if err := s.UnmarshalCedar(schemaText); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	res, err := s.Resolve()
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	return validate.New(res).Request(SchemaRequest(context))
}

// identityCenterGroups lists the distinct group ids rules test, sorted (for
// an Identity Center proxy the schema must list them).
func identityCenterGroups(rules []model.AccessRule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, r.Groups...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
