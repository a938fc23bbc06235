package review

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Privilege change kinds.
const (
	GrantAdded     = "added"
	GrantRemoved   = "removed"
	GrantWidened   = "widened"
	GrantNarrowed  = "narrowed"
	GrantExtended  = "extended"
	GrantPermanent = "made permanent"
	GrantShortened = "shortened"
	GrantUnknown   = "unknown until apply"
)

// PrivilegeChange is what the change does to one privileged access grant
// (zerotrust_privileged_access). Kinds lists every way it changes (a grant
// can be widened and extended at once); Details says how, one line each.
type PrivilegeChange struct {
	Address   string
	Name      string
	Kinds     []string
	Details   []string
	Permanent bool // after the change the grant has no expires_at
}

// Has reports whether the change is of a kind.
func (c PrivilegeChange) Has(kind string) bool { return slices.Contains(c.Kinds, kind) }

func reviewPrivilege(p *Plan) (out []PrivilegeChange) {
	for _, r := range p.ByType("zerotrust_privileged_access") {
		if !changed(r) {
			continue
		}
		c := PrivilegeChange{Address: r.Address}
		kind := func(k string, format string, args ...any) {
			if !slices.Contains(c.Kinds, k) {
				c.Kinds = append(c.Kinds, k)
			}
			c.Details = append(c.Details, fmt.Sprintf(format, args...))
		}
		obj := r.After
		if obj == nil {
			obj = r.Before
		}
		c.Name, _ = str(obj, "name")
		switch {
		case r.Deleted():
			group, _ := str(r.Before, "group")
			accounts, _ := strs(r.Before, "accounts")
			kind(GrantRemoved, "group %s loses it in %s", group, listOrNone(accounts))
		case r.Created():
			group, ok := str(r.After, "group")
			if !ok {
				group = "(a group known after apply)"
			}
			accounts, ok := strs(r.After, "accounts")
			acc := listOrNone(accounts)
			if !ok {
				acc = "accounts known after apply"
			}
			kind(GrantAdded, "to group %s in %s", group, acc)
			c.Details = append(c.Details, grantContents(r.After)...)
		default:
			diffGrant(r.Before, r.After, kind)
		}
		if r.After != nil {
			exp, ok := str(r.After, "expires_at")
			switch {
			case !ok:
				kind(GrantUnknown, "expires_at: known after apply")
			case exp == "":
				c.Permanent = true
				if r.Created() {
					kind(GrantPermanent, "no expires_at: the grant is permanent")
				}
			case r.Created():
				c.Details = append(c.Details, "expires at "+exp)
			}
		}
		if len(c.Kinds) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// grantContents describes a new grant's policies and session.
func grantContents(obj map[string]any) []string {
	var out []string
	if mp, _ := strs(obj, "managed_policies"); len(mp) > 0 {
		out = append(out, "managed policies "+strings.Join(mp, ", "))
	}
	if cm := customerPolicies(obj); len(cm) > 0 {
		out = append(out, "customer-managed policies "+strings.Join(cm, ", "))
	}
	if acts := allowedActions(obj); len(acts) > 0 {
		out = append(out, "inline policy allows "+strings.Join(acts, ", "))
	}
	if s, ok := str(obj, "session_duration"); ok && s != "" {
		out = append(out, "sessions of "+s)
	}
	return out
}

// diffGrant compares a grant before and after an update (or replacement).
func diffGrant(before, after map[string]any, kind func(string, string, ...any)) {
	for _, attr := range []string{"group", "accounts", "managed_policies", "customer_managed_policies", "inline_policy", "permissions_boundary", "session_duration", "expires_at"} {
		if isUnknown(after[attr]) {
			kind(GrantUnknown, "%s: known after apply", attr)
		}
	}
	g0, _ := str(before, "group")
	if g1, ok := str(after, "group"); ok && g1 != g0 {
		kind(GrantWidened, "granted to group %s (was %s)", g1, g0)
	}
	setDiff := func(b, a []string, what string) {
		added, removed := minus(a, b), minus(b, a)
		if len(added) > 0 {
			kind(GrantWidened, "%s added: %s", what, strings.Join(added, ", "))
		}
		if len(removed) > 0 {
			kind(GrantNarrowed, "%s removed: %s", what, strings.Join(removed, ", "))
		}
	}
	ab, _ := strs(before, "accounts")
	if aa, ok := strs(after, "accounts"); ok {
		setDiff(ab, aa, "accounts")
	}
	mb, _ := strs(before, "managed_policies")
	if ma, ok := strs(after, "managed_policies"); ok {
		setDiff(mb, ma, "managed policies")
	}
	if !isUnknown(after["customer_managed_policies"]) {
		setDiff(customerPolicies(before), customerPolicies(after), "customer-managed policies")
	}
	if !isUnknown(after["inline_policy"]) {
		ib, ia := allowedActions(before), allowedActions(after)
		setDiff(ib, ia, "inline policy allows")
		pb, _ := str(before, "inline_policy")
		pa, _ := str(after, "inline_policy")
		if len(minus(ia, ib)) == 0 && len(minus(ib, ia)) == 0 && canonicalJSON(pb) != canonicalJSON(pa) {
			kind(GrantWidened, "inline policy changed (same actions allowed; resources or conditions differ: read it)")
		}
	}
	if !isUnknown(after["permissions_boundary"]) {
		bb, _ := object(before, "permissions_boundary")
		ba, _ := object(after, "permissions_boundary")
		switch {
		case bb != nil && ba == nil:
			kind(GrantWidened, "permissions boundary removed")
		case bb == nil && ba != nil:
			kind(GrantNarrowed, "permissions boundary added")
		case canonicalValue(bb) != canonicalValue(ba):
			kind(GrantWidened, "permissions boundary changed")
		}
	}
	sb, _ := str(before, "session_duration")
	if sa, ok := str(after, "session_duration"); ok && sa != sb {
		db, errB := model.ParseSessionDuration(orDefault(sb, "PT1H"))
		da, errA := model.ParseSessionDuration(orDefault(sa, "PT1H"))
		switch {
		case errA != nil || errB != nil:
			kind(GrantWidened, "session duration %s (was %s)", sa, sb)
		case da > db:
			kind(GrantWidened, "sessions last %s (were %s)", sa, sb)
		case da < db:
			kind(GrantNarrowed, "sessions last %s (were %s)", sa, sb)
		}
	}
	eb, _ := str(before, "expires_at")
	if ea, ok := str(after, "expires_at"); ok && ea != eb {
		tb, errB := time.Parse(time.RFC3339, eb)
		ta, errA := time.Parse(time.RFC3339, ea)
		switch {
		case ea == "":
			kind(GrantPermanent, "expires_at removed (was %s): the grant no longer ends", eb)
		case eb == "":
			kind(GrantShortened, "now expires at %s (was permanent)", ea)
		case errA != nil || errB != nil:
			kind(GrantExtended, "expires at %s (was %s)", ea, eb)
		case ta.After(tb):
			kind(GrantExtended, "expires at %s (was %s, %s later)", ea, eb, ta.Sub(tb))
		case ta.Before(tb):
			kind(GrantShortened, "expires at %s (was %s)", ea, eb)
		}
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func customerPolicies(obj map[string]any) []string {
	l, _ := objects(obj, "customer_managed_policies")
	var out []string
	for _, p := range l {
		name, _ := str(p, "name")
		path, _ := str(p, "path")
		out = append(out, orDefault(path, "/")+name)
	}
	return out
}

// allowedActions lists "Allow <action> on <resource>" of an inline policy
// (NotAction and NotResource spelled as such), sorted.
func allowedActions(obj map[string]any) []string {
	doc, ok := str(obj, "inline_policy")
	if !ok || doc == "" {
		return nil
	}
	var root struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if json.Unmarshal([]byte(doc), &root) != nil {
		return nil
	}
	var stmts []map[string]any
	if json.Unmarshal(root.Statement, &stmts) != nil {
		var one map[string]any
		if json.Unmarshal(root.Statement, &one) != nil {
			return nil
		}
		stmts = []map[string]any{one}
	}
	var out []string
	for _, st := range stmts {
		if st["Effect"] != "Allow" {
			continue
		}
		actionKey, resourceKey := "Action", "Resource"
		if _, ok := st["NotAction"]; ok {
			actionKey = "NotAction"
		}
		if _, ok := st["NotResource"]; ok {
			resourceKey = "NotResource"
		}
		actions, _ := model.StringOrStrings(st[actionKey])
		resources, _ := model.StringOrStrings(st[resourceKey])
		on := strings.Join(resources, ", ")
		if resourceKey == "NotResource" {
			on = "all but " + on
		}
		for _, a := range actions {
			if actionKey == "NotAction" {
				a = "all but " + a
			}
			out = append(out, a+" on "+on)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func canonicalJSON(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	return canonicalValue(v)
}

func canonicalValue(v any) string {
	b, _ := json.Marshal(v) // maps marshal with sorted keys
	return string(b)
}

// minus is the elements of a not in b, sorted.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "no account"
	}
	return "account " + strings.Join(l, ", ")
}
