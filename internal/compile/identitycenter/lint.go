package identitycenter

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Rule is one over-privilege lint rule. Its ID appears in brackets at the
// start of every finding's detail, so findings can be grepped and documented.
type Rule struct {
	ID string
	// Severity before acknowledgement. Rules marked Error may also report
	// warnings for narrower matches (see Why).
	Severity model.Severity
	Trigger  string
	Why      string
}

// Rule identifiers.
const (
	RuleAdminWildcard        = "admin-wildcard"
	RuleAllActions           = "all-actions"
	RulePassRoleWildcard     = "passrole-wildcard"
	RulePrivilegedService    = "privileged-service-wildcard"
	RuleDataService          = "data-service-wildcard"
	RuleNotActionAllow       = "not-action-allow"
	RuleNotResourceAllow     = "not-resource-allow"
	RuleAdminManagedPolicy   = "admin-managed-policy"
	RuleBroadManagedPolicy   = "broad-managed-policy"
	RuleIneffectiveBoundary  = "ineffective-boundary"
	RulePrivilegeEscalation  = "privilege-escalation"
	acknowledgedSummaryStart = "Acknowledged: "
)

// PrivilegedServices give control over identity, keys, the organization or
// the audit trail: a wildcard over them is a privilege-escalation or
// defense-evasion path (create access keys or roles, assume any role, rewrite
// Identity Center, change key policies, stop CloudTrail, read every secret).
var PrivilegedServices = []string{"account", "cloudtrail", "iam", "identitystore", "kms", "organizations", "secretsmanager", "sso", "sso-directory", "sts"}

// DataServices hold data or compute whose every action on every resource is a
// data-exfiltration or resource-exposure risk (public buckets, snapshots
// shared out, commands run on any instance), but which are routinely
// administered by wildcard when resources are scoped.
var DataServices = []string{"dynamodb", "ec2", "ecr", "eks", "lambda", "rds", "s3", "ssm"}

// Rules documents the lint; the rule reference page is to be generated from
// it. Statements with Effect "Deny" are never flagged, and never subtract
// from what Allow statements grant (a Deny's scope is not analysed, so
// counting it could hide a grant). A Condition never narrows a finding
// either: the detail says it is there and asks the reviewer to check it.
//
// A resource is "broad" (a wildcard resource) when the statement uses
// NotResource or some Resource value covers every resource of a type — see
// broadResource: "*", "arn:*", "arn:aws:iam::*:*",
// "arn:aws:iam::123456789012:role/*", "arn:aws:s3:::*". A prefix such as
// role/app-* or role/service-role/* is scoped, and an S3 bucket's objects
// (arn:aws:s3:::bucket/*) are scoped.
//
//	id                           severity        trigger
//	admin-wildcard               error           Action "*" on a broad resource
//	all-actions                  warning         Action "*" on scoped resources
//	passrole-wildcard            error/warning   iam:PassRole on a broad resource / on a resource with a wildcard
//	privilege-escalation         error           the policy's grants on broad resources complete a known escalation method
//	privileged-service-wildcard  error/warning   every action of an identity/key/org/audit service, broad / scoped resource
//	data-service-wildcard        warning         every action of a data service on a broad resource
//	not-action-allow             warning         Allow with NotAction
//	not-resource-allow           warning         Allow with NotResource
//	admin-managed-policy         error           an administrator-equivalent AWS-managed policy (see ManagedPolicyFindings)
//	broad-managed-policy         warning         a broad AWS-managed policy (see ManagedPolicyFindings)
//	ineffective-boundary         warning         AdministratorAccess as permissions boundary
//
// Errors become warnings prefixed "Acknowledged: " when the access carries
// an acknowledgement, which the detail then quotes.
var Rules = []Rule{
	{RuleAdminWildcard, model.Error, `Allow of Action "*" (or "*:*") on a broad resource`,
		"full administrator access to every assigned account, including rewriting its own permissions"},
	{RuleAllActions, model.Warning, `Allow of Action "*" on scoped resources`,
		"every action, including policy and deletion actions, on the listed resources"},
	{RulePassRoleWildcard, model.Error, "Allow covering iam:PassRole (iam:PassRole, iam:Pass*, iam:*, NotAction not excluding it) on a broad resource; warning when a scoped resource still holds a wildcard (role/app-*)",
		"passing any role to a service (EC2, Lambda, CloudFormation…) escalates to that role's permissions, up to administrator"},
	{RulePrivilegeEscalation, model.Error, "Allow statements on broad resources that together grant every action of a known privilege-escalation method (EscalationMethods)",
		"each method turns the grant into more permissions than it states: new credentials for other users, rewriting a policy, or running code as an existing role"},
	{RulePrivilegedService, model.Error, "Allow of every action of a privileged service (" + strings.Join(PrivilegedServices, ", ") + "), e.g. iam:*; error on a broad resource, warning on scoped resources",
		"identity, key, organization and audit-trail control planes: a wildcard there is privilege escalation or defense evasion, so even a scoped resource is worth a warning"},
	{RuleDataService, model.Warning, "Allow of every action of a data service (" + strings.Join(DataServices, ", ") + "), e.g. s3:*, on a broad resource",
		"data exfiltration and resource exposure across the account; a warning because scoped administration by wildcard is common and is not escalation by itself"},
	{RuleNotActionAllow, model.Warning, "Allow with NotAction",
		"allows every action of every service except those listed, including services AWS launches later"},
	{RuleNotResourceAllow, model.Warning, "Allow with NotResource",
		"allows the actions on every resource except those listed, including resources created later"},
	{RuleAdminManagedPolicy, model.Error, "an administrator-equivalent AWS-managed policy in managed_policies (ManagedPolicyFindings)",
		"administrator access, or control of identity or the organization from which administrator access is one step away: the opposite of least privilege"},
	{RuleBroadManagedPolicy, model.Warning, "a broad AWS-managed policy in managed_policies (ManagedPolicyFindings)",
		"write access to most services on every resource"},
	{RuleIneffectiveBoundary, model.Warning, "permissions_boundary is AdministratorAccess",
		"a boundary that allows everything restricts nothing"},
}

// ManagedPolicyFinding says why an AWS-managed policy is flagged.
type ManagedPolicyFinding struct {
	Rule string // RuleAdminManagedPolicy or RuleBroadManagedPolicy
	Why  string
}

// ManagedPolicyFindings maps the part of an AWS-managed ARN after "policy/"
// to its finding. Maintained by hand from the AWS managed policy reference;
// a policy is administrator-equivalent when a holder can grant itself
// administrator access without anyone else's help.
var ManagedPolicyFindings = map[string]ManagedPolicyFinding{
	"AdministratorAccess": {RuleAdminManagedPolicy, `Action "*" on Resource "*"`},
	"IAMFullAccess":       {RuleAdminManagedPolicy, "iam:* lets the holder attach AdministratorAccess to its own role"},
	"AWSOrganizationsFullAccess": {RuleAdminManagedPolicy,
		"organizations:* creates and moves accounts and detaches service control policies; a new account's OrganizationAccountAccessRole is administrator"},
	"AWSSSOMasterAccountAdministrator": {RuleAdminManagedPolicy,
		"administers IAM Identity Center from the management account (sso:*, identitystore:*): the holder can create an AdministratorAccess permission set and assign it to itself in every account"},
	"AWSSSOMemberAccountAdministrator": {RuleAdminManagedPolicy,
		"sso:*, sso-directory:* and identitystore:* from a delegated-administrator account: the holder can assign itself any permission set in every member account"},
	"AWSSSODirectoryAdministrator": {RuleAdminManagedPolicy,
		"identitystore:* and sso-directory:* on every resource: the holder can add itself to any group, and so receive every permission set assigned to that group"},
	"PowerUserAccess": {RuleBroadManagedPolicy, "NotAction iam:*, organizations:*, account:*: every other action on every resource"},
	"job-function/SystemAdministrator": {RuleBroadManagedPolicy,
		"write access to compute, storage, networking and monitoring services on every resource, with role passing to its named service roles"},
}

// Lint reports over-privilege in an access: its inline policy (findings at
// inline_policy), its AWS-managed policies (at managed_policies[i]) and its
// boundary. Each finding names its rule, the statement and the reason. When
// the access carries an Acknowledgement, errors are reported as warnings
// prefixed "Acknowledged: ". An inline policy that does not parse is not
// linted (Validate reports it).
func Lint(a model.PrivilegedAccess) model.Problems {
	var tree any
	if a.InlinePolicy != "" {
		if t, err := model.DecodePolicyJSON(a.InlinePolicy); err == nil {
			tree = t
		}
	}
	return lint(a, tree)
}

func lint(a model.PrivilegedAccess, tree any) model.Problems {
	var ps model.Problems
	if root, ok := tree.(map[string]any); ok {
		var inline model.Problems
		lintPolicy(root, model.Root("inline_policy"), &inline)
		ps = append(ps, capFindings(inline, MaxInlineFindings)...)
	}
	for i, arn := range a.ManagedPolicies {
		if f, ok := ManagedPolicyFindings[managedPolicyName(arn)]; ok {
			sev, summary := model.Error, "Administrator managed policy"
			if f.Rule == RuleBroadManagedPolicy {
				sev, summary = model.Warning, "Broad managed policy"
			}
			add(&ps, sev, model.Root("managed_policies").Index(i), summary, f.Rule, "%s: %s. This is %s.", arn, f.Why, ruleWhy(f.Rule))
		}
	}
	if b := a.PermissionsBoundary; b != nil && managedPolicyName(b.ManagedPolicyARN) == "AdministratorAccess" {
		add(&ps, model.Warning, model.Root("permissions_boundary").At("managed_policy_arn"), "Boundary restricts nothing", RuleIneffectiveBoundary,
			"%s as a permissions boundary allows everything, so it restricts nothing; choose a boundary narrower than the policies it caps.", b.ManagedPolicyARN)
	}
	for i := range ps {
		switch {
		case ps[i].Severity != model.Error:
		case a.Acknowledgement != "":
			ps[i].Severity = model.Warning
			ps[i].Summary = acknowledgedSummaryStart + ps[i].Summary
			ps[i].Detail += " Acknowledged because: " + a.Acknowledgement
		default:
			ps[i].Detail += " Narrow it, or set acknowledgement to the reason this is accepted."
		}
	}
	return ps
}

// MaxInlineFindings caps the findings reported for one inline policy, so a
// hostile or generated policy with thousands of bad statements yields a
// readable plan; the rest are summarized in one last finding.
const MaxInlineFindings = 25

func capFindings(ps model.Problems, limit int) model.Problems {
	if len(ps) <= limit {
		return ps
	}
	rest := ps[limit:]
	sev := model.Warning
	for _, p := range rest {
		if p.Severity == model.Error {
			sev = model.Error
		}
	}
	out := append(model.Problems(nil), ps[:limit]...)
	detail := fmt.Sprintf("%d more over-privilege findings in later statements are not shown.", len(rest))
	if sev == model.Error {
		detail += " At least one is an error."
	}
	return append(out, model.Problem{Path: ps[0].Path, Severity: sev, Summary: "More findings", Detail: detail})
}

func ruleWhy(id string) string {
	for _, r := range Rules {
		if r.ID == id {
			return r.Why
		}
	}
	return ""
}

func add(ps *model.Problems, sev model.Severity, path model.Path, summary, rule, format string, args ...any) {
	detail := "[" + rule + "] " + fmt.Sprintf(format, args...)
	*ps = append(*ps, model.Problem{Path: path, Severity: sev, Summary: summary, Detail: detail})
}

// managedPolicyName returns what follows "policy/" in an AWS-managed ARN.
func managedPolicyName(arn string) string {
	if !strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":iam::aws:policy/") {
		return ""
	}
	return arn[strings.Index(arn, ":iam::aws:policy/")+len(":iam::aws:policy/"):]
}

// statement is the lint's view of one policy statement.
type statement struct {
	label      string
	allow      bool
	notAction  bool
	actions    []string // lower-cased patterns of Action or NotAction
	rawActions []string
	broad      bool // some Resource is broad (broadResource) or NotResource is used
	starred    bool // some Resource holds a wildcard, broad or not
	notRes     bool
	resources  []string
	condition  bool
}

func lintPolicy(root map[string]any, path model.Path, ps *model.Problems) {
	scan := policyScan{privileged: map[string]bool{}}
	raw, _ := root["Statement"]
	var stmts []any
	single := false
	switch s := raw.(type) {
	case []any:
		stmts = s
	case map[string]any:
		stmts, single = []any{s}, true
	}
	for i, r := range stmts {
		m, ok := r.(map[string]any)
		if !ok {
			continue
		}
		st, ok := readStatement(m, model.StatementLabel(i, single))
		if !ok || !st.allow {
			continue
		}
		lintStatement(st, path, ps, &scan)
	}
	lintEscalation(scan, path, ps)
}

// policyScan carries what the per-statement rules saw to the policy-wide
// escalation rule.
type policyScan struct {
	broad []statement // Allow statements on broad resources
	// admin: admin-wildcard was reported, which says everything.
	admin bool
	// privileged: services whose wildcard was reported as an error.
	privileged map[string]bool
}

func readStatement(m map[string]any, label string) (statement, bool) {
	st := statement{label: label}
	effect, _ := m["Effect"].(string)
	st.allow = effect == "Allow"
	if sid, ok := m["Sid"].(string); ok && sid != "" {
		st.label += " (Sid " + strconv.Quote(sid) + ")"
	}
	var ok bool
	if v, present := m["NotAction"]; present {
		st.notAction = true
		st.rawActions, ok = model.StringOrStrings(v)
	} else {
		st.rawActions, ok = model.StringOrStrings(m["Action"])
	}
	if !ok {
		return st, false
	}
	st.actions = make([]string, len(st.rawActions))
	for i, a := range st.rawActions {
		st.actions[i] = strings.ToLower(a)
	}
	if v, present := m["NotResource"]; present {
		st.notRes, st.broad = true, true
		st.resources, _ = model.StringOrStrings(v)
	} else {
		st.resources, ok = model.StringOrStrings(m["Resource"])
		if !ok {
			return st, false
		}
		for _, r := range st.resources {
			if broadResource(r) {
				st.broad = true
			}
			if strings.Contains(r, "*") {
				st.starred = true
			}
		}
	}
	_, st.condition = m["Condition"]
	return st, true
}

// coversEverything: Action has a pattern matching every action.
func (st statement) coversEverything() bool {
	if st.notAction {
		return false
	}
	for _, p := range st.actions {
		svc, act, hasColon := strings.Cut(p, ":")
		if strings.Trim(svc, "*") == "" && svc != "" && (!hasColon || (act != "" && strings.Trim(act, "*") == "")) {
			return true
		}
	}
	return false
}

// coversAction: the statement allows the concrete (lower-case) action.
func (st statement) coversAction(action string) bool {
	for _, p := range st.actions {
		if globMatch(p, action) {
			return !st.notAction
		}
	}
	return st.notAction
}

// coversService: the statement allows every action of svc. With NotAction,
// a service counts as covered unless some NotAction pattern covers all of
// it: excluding a few of its actions still leaves the service open.
func (st statement) coversService(svc string) bool {
	for _, p := range st.actions {
		if globCoversPrefix(p, svc+":") {
			return !st.notAction
		}
	}
	return st.notAction
}

func (st statement) describe() string {
	verb, res := "Action", "Resource"
	if st.notAction {
		verb = "NotAction"
	}
	if st.notRes {
		res = "NotResource"
	}
	s := fmt.Sprintf("%s allows %s %s on %s %s", st.label, verb, quoteList(st.rawActions), res, quoteList(st.resources))
	if st.condition {
		s += " (under a Condition — check it really narrows the grant)"
	}
	return s
}

func quoteList(vs []string) string {
	const shown = 5
	parts := make([]string, 0, shown+1)
	for i, v := range vs {
		if i == shown {
			parts = append(parts, fmt.Sprintf("… %d more", len(vs)-shown))
			break
		}
		if len(v) > 120 {
			v = v[:120] + "…"
		}
		parts = append(parts, strconv.Quote(v))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func lintStatement(st statement, path model.Path, ps *model.Problems, scan *policyScan) {
	if st.broad {
		scan.broad = append(scan.broad, st)
	}
	if st.notAction {
		add(ps, model.Warning, path, "Allow with NotAction", RuleNotActionAllow, "%s: this %s.", st.describe(), ruleWhy(RuleNotActionAllow))
	}
	if st.notRes {
		add(ps, model.Warning, path, "Allow with NotResource", RuleNotResourceAllow, "%s: this %s.", st.describe(), ruleWhy(RuleNotResourceAllow))
	}
	if st.coversEverything() {
		// Every narrower rule would fire too; report the one that says it all.
		if st.broad {
			scan.admin = true
			add(ps, model.Error, path, "Full administrator access", RuleAdminWildcard, "%s: %s.", st.describe(), ruleWhy(RuleAdminWildcard))
		} else {
			add(ps, model.Warning, path, "All actions allowed", RuleAllActions, "%s: %s.", st.describe(), ruleWhy(RuleAllActions))
		}
		return
	}
	switch {
	case !st.coversAction("iam:passrole"):
	case st.broad:
		add(ps, model.Error, path, "iam:PassRole on every role", RulePassRoleWildcard, "%s, which includes iam:PassRole on every role: %s.", st.describe(), ruleWhy(RulePassRoleWildcard))
	case st.starred:
		// IAM Access Analyzer's PASS_ROLE_WITH_STAR_IN_RESOURCE: a pattern
		// also matches roles created later, by whoever may create roles.
		add(ps, model.Warning, path, "iam:PassRole on roles matched by a wildcard", RulePassRoleWildcard,
			"%s, which includes iam:PassRole on every role the pattern matches, including roles created later: %s.", st.describe(), ruleWhy(RulePassRoleWildcard))
	}
	var priv, data []string
	for _, svc := range PrivilegedServices {
		if st.coversService(svc) {
			priv = append(priv, svc+":*")
		}
	}
	for _, svc := range DataServices {
		if st.broad && st.coversService(svc) {
			data = append(data, svc+":*")
		}
	}
	sort.Strings(priv)
	sort.Strings(data)
	if len(priv) > 0 {
		sev := model.Warning
		if st.broad {
			sev = model.Error
			for _, svc := range priv {
				scan.privileged[strings.TrimSuffix(svc, ":*")] = true
			}
		}
		add(ps, sev, path, "Wildcard over a privileged service", RulePrivilegedService, "%s, which grants %s: %s.", st.describe(), strings.Join(priv, ", "), ruleWhy(RulePrivilegedService))
	}
	if len(data) > 0 {
		add(ps, model.Warning, path, "Wildcard over a data service on every resource", RuleDataService, "%s, which grants %s: %s.", st.describe(), strings.Join(data, ", "), ruleWhy(RuleDataService))
	}
}

// globMatch reports whether the IAM wildcard pattern p (* any run, ? one
// byte) matches s. Both are expected lower-cased. It simulates the pattern's
// automaton: O(len(p)·len(s)) time, no backtracking blow-up.
func globMatch(p, s string) bool {
	g := newGlob(p)
	for i := 0; i < len(s); i++ {
		if !g.step(s[i]) {
			return false
		}
	}
	return g.cur[len(p)]
}

// globCoversPrefix reports whether p matches every string that starts with
// prefix: after reading prefix, some live state is followed by stars only
// (at least one), which absorb any continuation.
func globCoversPrefix(p, prefix string) bool {
	g := newGlob(p)
	for i := 0; i < len(prefix); i++ {
		if !g.step(prefix[i]) {
			return false
		}
	}
	for i := len(p) - 1; i >= 0 && p[i] == '*'; i-- {
		if g.cur[i] {
			return true
		}
	}
	return false
}

// glob is the set of live positions in a pattern; position len(p) accepts.
type glob struct {
	p         string
	cur, next []bool
}

func newGlob(p string) *glob {
	buf := make([]bool, 2*(len(p)+1))
	g := &glob{p: p, cur: buf[:len(p)+1], next: buf[len(p)+1:]}
	g.cur[0] = true
	g.close(g.cur)
	return g
}

// close lets a live star also skip itself (match the empty run).
func (g *glob) close(st []bool) {
	for i := 0; i < len(g.p); i++ {
		if st[i] && g.p[i] == '*' {
			st[i+1] = true
		}
	}
}

// step consumes one byte; it reports whether any position is still live.
func (g *glob) step(c byte) bool {
	clear(g.next)
	alive := false
	for i := 0; i < len(g.p); i++ {
		if !g.cur[i] {
			continue
		}
		switch g.p[i] {
		case '*':
			g.next[i] = true
			alive = true
		case '?':
			g.next[i+1] = true
			alive = true
		default:
			if g.p[i] == c {
				g.next[i+1] = true
				alive = true
			}
		}
	}
	g.close(g.next)
	g.cur, g.next = g.next, g.cur
	return alive
}
