// Package whatif answers "would this request be allowed?" for Cedar policy
// documents given as text — a compiled surface's group policy and, when the
// application has one, its endpoint policy — the way Verified Access decides:
// both documents must allow. It adapts configuration-shaped requests to
// internal/analyze's Evaluator (which decides, names the deciding rules and
// phrases the reason) and keeps parsed evaluators by document, and is the
// single entry point the provider's zerotrust_access_decision data source and
// provider::zerotrust::evaluate function share.
package whatif

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"

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
	// Port is the TCP port connected to, checked against the application's
	// port ranges by DecideOnPorts; nil: not checked.
	Port *int `json:"port"`
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
	Overall *int `json:"overall"` // Zero Trust Assessment overall score 0–100
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
		Host:     r.Host,
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
			if o := d.CrowdStrike.Overall; o != nil && (*o < 0 || *o > 100) {
				return out, FieldError{"device.crowdstrike.overall", fmt.Sprintf("the CrowdStrike overall score is 0–100, got %d", *o)}
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
	// Reason says it in a sentence (`allowed by permit "engineers-read-write"`,
	// "denied: no rule permits the request", `denied by forbid "quarantine"`),
	// phrased by analyze.Evaluator.
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
// place the trust data in the Cedar context); tcp says the endpoint is a TCP
// endpoint, whose context has no http_request. Verified Access allows only
// when every given document allows.
func Decide(group, endpoint string, tcp bool, proxy model.AccessProxy, req Request) (Outcome, error) {
	return decide(group, endpoint, tcp, proxy, req, (*analyze.Evaluator).Evaluate)
}

// DecideQuick is Decide without evaluation errors (Outcome.Errors is
// empty): only the statements the request can satisfy are evaluated, which
// gives the same decision, rules and reason (analyze.Evaluator.Decide).
func DecideQuick(group, endpoint string, tcp bool, proxy model.AccessProxy, req Request) (Outcome, error) {
	return decide(group, endpoint, tcp, proxy, req, (*analyze.Evaluator).Decide)
}

func decide(group, endpoint string, tcp bool, proxy model.AccessProxy, req Request, eval func(*analyze.Evaluator, analyze.Request) analyze.Verdict) (Outcome, error) {
	areq, err := req.Analyze()
	if err != nil {
		return Outcome{}, err
	}
	ev, err := evaluator(proxy, analyze.Documents{Group: group, Endpoint: endpoint, TCP: tcp})
	if err != nil {
		return Outcome{}, err
	}
	v := eval(ev, areq)
	return Outcome{Allowed: v.Allowed, Rules: v.Rules, Reason: v.Reason, Errors: v.Errors}, nil
}

// Listens reports whether port lies in one of ranges (inclusive).
func Listens(ranges []model.PortRange, port int) bool {
	for _, r := range ranges {
		if r.From <= port && port <= r.To {
			return true
		}
	}
	return false
}

// DecideOnPorts is Decide for an application reached on ports (a cidr
// application's port ranges): a request to a port outside every range
// reaches no endpoint, so it is denied before any policy is read, with no
// deciding rule. A request without a port, or an application without
// ranges, is decided by the documents alone.
func DecideOnPorts(ports []model.PortRange, group, endpoint string, tcp bool, proxy model.AccessProxy, req Request) (Outcome, error) {
	if out, err := portGate(ports, req); out != nil || err != nil {
		return derefOutcome(out), err
	}
	return Decide(group, endpoint, tcp, proxy, req)
}

// DecideQuickOnPorts is DecideOnPorts without evaluation errors (DecideQuick).
func DecideQuickOnPorts(ports []model.PortRange, group, endpoint string, tcp bool, proxy model.AccessProxy, req Request) (Outcome, error) {
	if out, err := portGate(ports, req); out != nil || err != nil {
		return derefOutcome(out), err
	}
	return DecideQuick(group, endpoint, tcp, proxy, req)
}

// portGate is the outcome of a request whose port no range holds; nil when
// the documents decide.
func portGate(ports []model.PortRange, req Request) (*Outcome, error) {
	p := req.Port
	if p == nil {
		return nil, nil
	}
	if *p < 1 || *p > 65535 {
		return nil, FieldError{"port", fmt.Sprintf("a TCP port is 1–65535, got %d", *p)}
	}
	if len(ports) == 0 || Listens(ports, *p) {
		return nil, nil
	}
	spans := make([]string, len(ports))
	for i, r := range ports {
		spans[i] = r.String()
	}
	return &Outcome{Reason: fmt.Sprintf("denied: no endpoint listens on port %d (the application's ports are %s)", *p, strings.Join(spans, ", "))}, nil
}

func derefOutcome(o *Outcome) Outcome {
	if o == nil {
		return Outcome{}
	}
	return *o
}

// The same documents are evaluated many times in one plan (one function
// call or data source per what-if request), and parsing dominates a single
// decision (a 100-rule document parses in milliseconds, evaluates in
// microseconds), so evaluators are kept by proxy and documents. An Evaluator
// is safe for concurrent use. The cache is bounded crudely — emptied when
// full — because a plan touches few documents.
const cacheSize = 64

type cacheKey struct {
	proxy proxyKey
	docs  analyze.Documents
}

// proxyKey identifies a proxy's trust context: every field of
// model.AccessProxy (TestProxyKeyCoversTheProxy fails when one is added),
// the device providers as quoted type and reference pairs. Building it is a
// few appends, where formatting the proxy with %#v cost a reflective walk
// per decision.
type proxyKey struct {
	name     string
	identity model.IdentityProvider
	devices  string
}

func keyOf(p model.AccessProxy) proxyKey {
	var b []byte
	for _, d := range p.DeviceProviders {
		b = strconv.AppendQuote(b, d.Type)
		b = strconv.AppendQuote(b, d.Reference)
	}
	return proxyKey{name: p.Name, identity: p.IdentityProvider, devices: string(b)}
}

var cache = struct {
	sync.Mutex
	m map[cacheKey]*analyze.Evaluator
}{m: map[cacheKey]*analyze.Evaluator{}}

func evaluator(proxy model.AccessProxy, docs analyze.Documents) (*analyze.Evaluator, error) {
	// The documents are key fields as they are: formatting or concatenating
	// 20 kB of Cedar per call would cost more than the decision.
	key := cacheKey{proxy: keyOf(proxy), docs: docs}
	cache.Lock()
	ev, ok := cache.m[key]
	cache.Unlock()
	if ok {
		return ev, nil
	}
	// NewEvaluator says which document failed only in its message; parse
	// each first so the error names the attribute to fix. This costs a
	// second parse on a cache miss only.
	for i, text := range []string{docs.Group, docs.Endpoint} {
		if i == 1 && strings.TrimSpace(text) == "" {
			continue
		}
		if _, err := analyze.ParsePolicy(text); err != nil {
			return nil, DocumentError{Endpoint: i == 1, Err: err}
		}
	}
	ev, err := analyze.NewEvaluator(proxy, docs)
	if err != nil {
		return nil, err
	}
	cache.Lock()
	if len(cache.m) >= cacheSize {
		clear(cache.m)
	}
	cache.m[key] = ev
	cache.Unlock()
	return ev, nil
}
