// Package whatif answers "would this request be allowed?" for Cedar policy
// documents given as text — a compiled surface's group policy and, when the
// application has one, its endpoint policy — the way Verified Access decides:
// both documents must allow. It is the single entry point the provider's
// zerotrust_access_decision data source and provider::zerotrust::evaluate
// function share, so switching to a faster evaluator (internal/analyze is
// being optimised) means changing Decide alone.
package whatif

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/cedar-policy/cedar-go/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Request is one access attempt in configuration terms. Nil pointers mean
// the trust provider sent nothing for that attribute (absent data never
// satisfies a condition).
type Request struct {
	Groups        []string `json:"groups"`         // group ids (Identity Center) or groups-claim values (OIDC)
	EmailVerified *bool    `json:"email_verified"` // the identity provider reports the email verified
	MFA           *bool    `json:"mfa"`            // the user signed in with MFA (OIDC amr)
	Device        *Device  `json:"device"`
	Method        string   `json:"method"`    // HTTP method, e.g. GET
	Host          string   `json:"host"`      // application domain (context.http_request.hostname)
	Path          string   `json:"path"`      // URL path
	ClientIP      string   `json:"client_ip"` // connecting address; "" unknown
}

// Device is the device trust data per provider type.
type Device struct {
	Jamf        *Jamf        `json:"jamf"`
	CrowdStrike *CrowdStrike `json:"crowdstrike"`
	JumpCloud   *JumpCloud   `json:"jumpcloud"`
}

type Jamf struct {
	Risk *string `json:"risk"` // SECURE, LOW, MEDIUM, HIGH, NOT_APPLICABLE
}

type CrowdStrike struct {
	Overall      *int `json:"overall"`       // Zero Trust Assessment overall score 0–100
	OS           *int `json:"os"`            // assessment.os score 0–100
	SensorConfig *int `json:"sensor_config"` // assessment.sensor_config score 0–100
}

type JumpCloud struct {
	Managed *bool `json:"managed"`
}

// FieldError is a request value that cannot be used, at its attribute name
// (dotted below the request: "client_ip", "device.jamf.risk").
type FieldError struct {
	Field, Message string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// Analyze converts the request for internal/analyze. A device reading for a
// provider type the proxy does not have is dropped by analyze.Context, as
// Verified Access would never send it.
func (r Request) Analyze() (analyze.Request, error) {
	out := analyze.Request{
		Identity: &analyze.Identity{Groups: slices.Clone(r.Groups), EmailVerified: r.EmailVerified, MFA: r.MFA},
		Method:   r.Method,
		Path:     r.Path,
	}
	// A user always reaches Verified Access signed in, so the identity
	// provider always sends its record; an empty groups list is "in no
	// group", not "groups attribute absent".
	if out.Identity.Groups == nil {
		out.Identity.Groups = []string{}
	}
	if r.ClientIP != "" {
		addr, err := netip.ParseAddr(r.ClientIP)
		if err != nil {
			return out, FieldError{"client_ip", fmt.Sprintf("%q is not an IP address", r.ClientIP)}
		}
		out.ClientIP = addr
	}
	if d := r.Device; d != nil {
		if d.Jamf != nil {
			if d.Jamf.Risk != nil && *d.Jamf.Risk != "NOT_APPLICABLE" && model.JamfRiskRank(*d.Jamf.Risk) < 0 {
				return out, FieldError{"device.jamf.risk", fmt.Sprintf("Jamf risk must be one of %s or NOT_APPLICABLE, got %q", strings.Join(model.JamfRiskLevels, ", "), *d.Jamf.Risk)}
			}
			out.Jamf = &analyze.JamfFacts{Risk: d.Jamf.Risk}
		}
		if d.CrowdStrike != nil {
			for name, score := range map[string]*int{"overall": d.CrowdStrike.Overall, "os": d.CrowdStrike.OS, "sensor_config": d.CrowdStrike.SensorConfig} {
				if score != nil && (*score < 0 || *score > 100) {
					return out, FieldError{"device.crowdstrike." + name, fmt.Sprintf("CrowdStrike scores are 0–100, got %d", *score)}
				}
			}
			out.CrowdStrike = &analyze.CrowdStrikeFacts{Overall: d.CrowdStrike.Overall}
		}
		if d.JumpCloud != nil {
			out.JumpCloud = &analyze.JumpCloudFacts{Managed: d.JumpCloud.Managed}
		}
	}
	return out, nil
}

// Outcome is a decision in the terms the provider reports.
type Outcome struct {
	Allowed bool
	// Rules are the deciding statements' @id: the matching permits of the
	// most specific document when allowed; the matching forbids of every
	// document that denied; none when nothing permitted. Sorted.
	Rules []string
	// Reason says it in a sentence ("allowed by rule engineers-read-write",
	// "denied: no rule permits this request", "denied by forbid quarantine").
	Reason string
	// Errors are statements that failed to evaluate ("<id>: <message>");
	// Cedar counts them as not matching.
	Errors []string
}

// DocumentError is a policy document that does not parse, naming which.
type DocumentError struct {
	Endpoint bool // the endpoint policy (else the group policy)
	Err      error
}

func (e DocumentError) Error() string {
	if e.Endpoint {
		return "endpoint policy: " + e.Err.Error()
	}
	return "policy: " + e.Err.Error()
}

func (e DocumentError) Unwrap() error { return e.Err }

// Decide evaluates req against the group policy and, when endpoint is not
// empty, the endpoint policy, through proxy (whose trust-provider references
// place the trust data in the Cedar context). Verified Access allows only
// when every given document allows.
func Decide(group, endpoint string, proxy model.AccessProxy, req Request) (Outcome, error) {
	areq, err := req.Analyze()
	if err != nil {
		return Outcome{}, err
	}
	docs := []string{group}
	if endpoint != "" {
		docs = append(docs, endpoint)
	}
	ctx := withCrowdStrikeScores(analyze.Context(proxy, req.Host, areq), proxy, req.Device)
	evals := make([]analyze.Evaluation, len(docs))
	for i, text := range docs {
		p, err := parse(text)
		if err != nil {
			return Outcome{}, DocumentError{Endpoint: i == 1, Err: err}
		}
		evals[i] = p.Evaluate(ctx)
	}
	out := Outcome{Allowed: true}
	for _, ev := range evals {
		out.Allowed = out.Allowed && ev.Allowed
		out.Errors = append(out.Errors, ev.Errors...)
	}
	if out.Allowed {
		out.Rules = slices.Clone(evals[len(evals)-1].Rules)
	} else {
		for _, ev := range evals {
			if !ev.Allowed {
				out.Rules = append(out.Rules, ev.Rules...)
			}
		}
		slices.Sort(out.Rules)
		out.Rules = slices.Compact(out.Rules)
	}
	out.Reason = reason(out, evals)
	return out, nil
}

// withCrowdStrikeScores adds the assessment's os and sensor_config scores,
// which Verified Access sends beside overall but analyze.Context (built for
// the compiler, which reads overall only) leaves out; hand-written policies
// may test them.
func withCrowdStrikeScores(ctx types.Record, proxy model.AccessProxy, d *Device) types.Record {
	if d == nil || d.CrowdStrike == nil || (d.CrowdStrike.OS == nil && d.CrowdStrike.SensorConfig == nil) {
		return ctx
	}
	provider, ok := proxy.DeviceProvider(model.DeviceCrowdStrike)
	if !ok {
		return ctx
	}
	ref := types.String(provider.Reference)
	assessment := types.RecordMap{}
	if rec, ok := ctx.Get(ref); ok {
		if a, ok := rec.(types.Record).Get("assessment"); ok {
			assessment = a.(types.Record).Map()
		}
	}
	if v := d.CrowdStrike.OS; v != nil {
		assessment["os"] = types.Long(*v)
	}
	if v := d.CrowdStrike.SensorConfig; v != nil {
		assessment["sensor_config"] = types.Long(*v)
	}
	m := ctx.Map()
	m[ref] = types.NewRecord(types.RecordMap{"assessment": types.NewRecord(assessment)})
	return types.NewRecord(m)
}

func reason(o Outcome, evals []analyze.Evaluation) string {
	plural := func(word string, n int) string {
		if n == 1 {
			return word
		}
		return word + "s"
	}
	var s string
	switch {
	case o.Allowed:
		s = "allowed by " + plural("rule", len(o.Rules)) + " " + strings.Join(o.Rules, ", ")
	case len(o.Rules) > 0:
		s = "denied by " + plural("forbid", len(o.Rules)) + " " + strings.Join(o.Rules, ", ")
	case len(evals) == 2 && evals[0].Allowed:
		s = "denied: no rule of the endpoint policy permits this request"
	case len(evals) == 2 && evals[1].Allowed:
		s = "denied: no rule of the group policy permits this request"
	default:
		s = "denied: no rule permits this request"
	}
	if len(o.Errors) > 0 {
		s += fmt.Sprintf(" (%d %s failed to evaluate and did not match: %s)", len(o.Errors), plural("statement", len(o.Errors)), strings.Join(o.Errors, "; "))
	}
	return s
}

// The same document is evaluated many times in one plan (one function call
// or data source per what-if request), and parsing dominates a single
// decision (a 100-rule document parses in milliseconds, evaluates in
// microseconds), so parsed documents are kept by text. Parsed policies are
// immutable, hence safe to share between goroutines. The cache is bounded
// crudely — emptied when full — because a plan touches few documents.
const cacheSize = 64

var cache = struct {
	sync.Mutex
	m map[string]*analyze.Policy
}{m: map[string]*analyze.Policy{}}

func parse(text string) (*analyze.Policy, error) {
	cache.Lock()
	p, ok := cache.m[text]
	cache.Unlock()
	if ok {
		return p, nil
	}
	p, err := analyze.ParsePolicy(text)
	if err != nil {
		return nil, err
	}
	cache.Lock()
	if len(cache.m) >= cacheSize {
		clear(cache.m)
	}
	cache.m[text] = p
	cache.Unlock()
	return p, nil
}
