package review

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze"
	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// AccessChange is one class of requests to a protect surface whose decision
// the change turns: gained (denied before, allowed after) or lost.
type AccessChange struct {
	Surface     string // the surface's name
	Address     string // its resource address
	Sensitivity string // after the change (before, for a deleted surface)
	Gained      bool
	Class       Class
	Before      analyze.Decision
	After       analyze.Decision
}

// Undecided is a resource whose effect cannot be computed from the plan:
// values it needs are unknown until apply (or, rarely, invalid). What is
// unknown is listed, never guessed.
type Undecided struct {
	Address string
	Reason  string
}

// surfaceFromAttributes rebuilds the model of a protect surface from its
// attributes (state or planned values), as the provider's expand does;
// unknown lists the attributes the plan leaves unknown.
func surfaceFromAttributes(obj map[string]any) (s model.ProtectSurface, unknown []string) {
	need := func(ok bool, at string) {
		if !ok {
			unknown = append(unknown, at)
		}
	}
	var ok bool
	s.Name, ok = str(obj, "name")
	need(ok, "name")
	s.Sensitivity, ok = str(obj, "sensitivity")
	need(ok, "sensitivity")
	if s.Sensitivity == "" {
		s.Sensitivity = model.DefaultSensitivity
	}
	tc, ok := str(obj, "proxy_trust_context")
	need(ok, "proxy_trust_context")
	if ok {
		proxy, err := parseTrustContext(tc)
		if err != nil {
			unknown = append(unknown, "proxy_trust_context ("+err.Error()+")")
		}
		s.Proxy = proxy
	}
	apps, ok := objects(obj, "application")
	need(ok, "application")
	for i, a := range apps {
		at := fmt.Sprintf("application[%d]", i)
		app := model.Application{}
		app.Name, ok = str(a, "name")
		need(ok, at+".name")
		app.Domain, _ = str(a, "domain")
		protocol, ok := str(a, "protocol")
		if !ok || protocol == "" {
			// The provider's default: tcp for a cidr endpoint, else https.
			protocol = model.ProtocolHTTPS
			if cidr, _ := str(a, "cidr"); cidr != "" {
				protocol = model.ProtocolTCP
			} else if typ, _ := str(a, "endpoint_type"); typ == "cidr" {
				protocol = model.ProtocolTCP
			}
		}
		app.Protocol = protocol
		s.Applications = append(s.Applications, app)
	}
	rules, ok := objects(obj, "access_rule")
	need(ok, "access_rule")
	for i, r := range rules {
		at := fmt.Sprintf("access_rule[%d]", i)
		rule := model.AccessRule{}
		for _, f := range []struct {
			name string
			dst  *string
		}{{"name", &rule.Name}, {"effect", &rule.Effect}, {"acknowledgement", &rule.Acknowledgement}} {
			*f.dst, ok = str(r, f.name)
			need(ok, at+"."+f.name)
		}
		if rule.Effect == "" {
			rule.Effect = model.EffectPermit
		}
		for _, f := range []struct {
			name string
			dst  *bool
		}{{"require_verified_email", &rule.RequireVerifiedEmail}, {"require_mfa", &rule.RequireMFA}} {
			*f.dst, ok = boolean(r, f.name)
			need(ok, at+"."+f.name)
		}
		for _, f := range []struct {
			name string
			dst  *[]string
		}{{"groups", &rule.Groups}, {"methods", &rule.Methods}, {"path_prefixes", &rule.PathPrefixes}, {"client_cidrs", &rule.ClientCIDRs}, {"applications", &rule.Applications}} {
			*f.dst, ok = strs(r, f.name)
			need(ok, at+"."+f.name)
		}
		dev, ok := object(r, "device")
		need(ok, at+".device")
		if dev != nil {
			d := &model.DeviceRequirement{}
			d.Combine, ok = str(dev, "combine")
			need(ok, at+".device.combine")
			if j, ok := object(dev, "jamf"); !ok || j != nil {
				need(ok, at+".device.jamf")
				risk, ok := str(j, "max_risk")
				need(ok, at+".device.jamf.max_risk")
				d.Jamf = &model.JamfRequirement{MaxRisk: risk}
			}
			if c, ok := object(dev, "crowdstrike"); !ok || c != nil {
				need(ok, at+".device.crowdstrike")
				score, ok := number(c, "min_overall_score")
				need(ok, at+".device.crowdstrike.min_overall_score")
				d.CrowdStrike = &model.CrowdStrikeRequirement{MinOverallScore: score}
			}
			if j, ok := object(dev, "jumpcloud"); !ok || j != nil {
				need(ok, at+".device.jumpcloud")
				managed, ok := boolean(j, "managed")
				need(ok, at+".device.jumpcloud.managed")
				d.JumpCloud = &model.JumpCloudRequirement{Managed: managed}
			}
			rule.Device = d
		}
		s.AccessRules = append(s.AccessRules, rule)
	}
	return s, unknown
}

// trustContext is the JSON of an access proxy's trust_context (a surface's
// proxy_trust_context), the exchange format the provider defines.
type trustContext struct {
	IdentityProvider struct {
		Type        string `json:"type"`
		Reference   string `json:"reference"`
		GroupsClaim string `json:"groups_claim"`
		MFAEnforced bool   `json:"mfa_enforced"`
	} `json:"identity_provider"`
	DeviceTrustProviders []struct {
		Type      string `json:"type"`
		Reference string `json:"reference"`
	} `json:"device_trust_providers"`
}

func parseTrustContext(s string) (model.AccessProxy, error) {
	var tc trustContext
	if err := json.Unmarshal([]byte(s), &tc); err != nil {
		return model.AccessProxy{}, fmt.Errorf("not a trust context: %v", err)
	}
	p := model.AccessProxy{Name: "proxy", IdentityProvider: model.IdentityProvider{
		Type: tc.IdentityProvider.Type, Reference: tc.IdentityProvider.Reference,
		GroupsClaim: tc.IdentityProvider.GroupsClaim, MFAEnforced: tc.IdentityProvider.MFAEnforced,
	}}
	for _, d := range tc.DeviceTrustProviders {
		p.DeviceProviders = append(p.DeviceProviders, model.DeviceTrustProvider{Type: d.Type, Reference: d.Reference})
	}
	return p, nil
}

// decider decides requests to a surface as Verified Access would: the
// surface compiled to Cedar by the provider's compiler, evaluated by
// analyze's engine. A nil decider is a surface that does not exist: no
// access.
type decider struct{ compiled *analyze.CompiledSurface }

func newDecider(s *model.ProtectSurface) (*decider, error) {
	if s == nil {
		return &decider{}, nil
	}
	res, problems := verifiedaccess.Compile(*s, verifiedaccess.Options{})
	if problems.HasErrors() {
		return nil, fmt.Errorf("does not compile: %s", problems.Error())
	}
	c, err := analyze.NewCompiledSurface(*s, res)
	if err != nil {
		return nil, err
	}
	return &decider{compiled: c}, nil
}

func (d *decider) decide(c Class) (analyze.Decision, error) {
	if d.compiled == nil {
		return analyze.Decision{}, nil
	}
	dec, err := d.compiled.DecideFull(c.Application, c.Req)
	var unknownApp analyze.ErrUnknownApplication
	if errors.As(err, &unknownApp) {
		return analyze.Decision{}, nil // the application does not exist on this side
	}
	return dec, err
}

// DiffSurface computes the access a change of one surface turns, over every
// class of requests its rules before and after distinguish (Classes). nil
// stands for a surface that does not exist on that side.
func DiffSurface(before, after *model.ProtectSurface) ([]AccessChange, error) {
	db, err := newDecider(before)
	if err != nil {
		return nil, fmt.Errorf("before the change: %w", err)
	}
	da, err := newDecider(after)
	if err != nil {
		return nil, fmt.Errorf("after the change: %w", err)
	}
	named := after
	if named == nil {
		named = before
	}
	classes, err := Classes(before, after)
	if err != nil {
		return nil, err
	}
	var out []AccessChange
	for _, c := range classes {
		b, err := db.decide(c)
		if err != nil {
			return nil, err
		}
		a, err := da.decide(c)
		if err != nil {
			return nil, err
		}
		if a.Allowed == b.Allowed {
			continue
		}
		out = append(out, AccessChange{Surface: named.Name, Sensitivity: named.Sensitivity, Gained: a.Allowed, Class: c, Before: b, After: a})
	}
	return out, nil
}

// reviewAccess diffs every protect surface of the plan.
func reviewAccess(p *Plan) (changes []AccessChange, undecided []Undecided) {
	for _, r := range p.ByType("zerotrust_protect_surface") {
		var sides [2]*model.ProtectSurface
		var unknown []string
		for i, obj := range []map[string]any{r.Before, r.After} {
			if obj == nil {
				continue
			}
			s, u := surfaceFromAttributes(obj)
			sides[i] = &s
			if i == 1 {
				unknown = u
			}
		}
		if len(unknown) > 0 {
			undecided = append(undecided, Undecided{Address: r.Address, Reason: "access cannot be computed until apply: unknown " + strings.Join(unknown, ", ")})
			continue
		}
		if !changed(r) {
			continue
		}
		cs, err := DiffSurface(sides[0], sides[1])
		if err != nil {
			undecided = append(undecided, Undecided{Address: r.Address, Reason: err.Error()})
			continue
		}
		for i := range cs {
			cs[i].Address = r.Address
		}
		changes = append(changes, cs...)
	}
	return changes, undecided
}

// changed reports whether the plan changes the resource at all.
func changed(r Resource) bool {
	return !slices.Equal(r.Actions, []string{"no-op"}) && !slices.Equal(r.Actions, []string{"read"})
}
