// Package vafront is the AWS half of the local sandbox's front door: an HTTP
// endpoint that implements the AWS Verified Access EC2 actions itself
// (stateful, EC2 query protocol, same parameters and error codes as the EC2
// API) and forwards every other request to moto_server, which has no
// Verified Access. EventBridge Scheduler (REST-JSON) is forwarded as is to
// moto, which stores schedules and groups but runs none; the front's
// scheduler runner (scheduler.go, invoke.go) does what AWS then does:
// every 400 ms it fires the ENABLED one-time at() schedules that are due on
// the sandbox clock (ScheduleExpressionTimezone honoured), assumes the
// execution role only if its trust policy admits scheduler.amazonaws.com
// for the schedule's group and account, calls the universal target
// (ssoadmin deleteAccountAssignment; any other target is a recorded
// failure) only if the role's policies allow the action on every resource
// (package iampolicy), through the front's own handler as a client's call
// would go, retries failures by the schedule's RetryPolicy and deletes a
// completed schedule whose ActionAfterCompletion is DELETE. rate() and
// cron() schedules are not fired. The sandbox clock is real time plus an
// offset that tests advance through the control API (POST /_sandbox/clock
// {"advance_seconds": N}); every attempt is listed at GET
// /_sandbox/scheduler/invocations and logged. Where moto 5.2.1 lacks an
// action the provider calls or answers it unlike AWS, the front completes
// it so that clients only ever see AWS's documented behaviour:
//   - EC2 group-pair rule descriptions in DescribeSecurityGroupRules and
//     DescribeSecurityGroups (sgrules.go);
//   - SSO Admin permission-set tags, permissions boundaries, provisioning
//     status, UpdatePermissionSet of some members (ssoadmin.go);
//   - Identity Store UpdateGroup and GetGroupMembershipId (identitystore.go).
//
// Every request is first checked against AWS's published API model of its
// operation (Options.Models, package awsmodel; validate.go): one AWS would
// refuse is refused with that protocol's error, and the operations checked
// are recorded for the control API. moto's Identity Center identifiers are
// answered in AWS's forms and translated back in requests (awsforms.go).
//
// Every request is counted per service and action, and faults (throttling,
// 5xx, not-found-after-create, latency) can be injected through a JSON
// control API under /_sandbox/.
package vafront

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/awsmodel"
)

// Options configure a Front.
type Options struct {
	// Upstream is the moto_server base URL every non-Verified-Access request goes to.
	Upstream string
	// EndpointActivation is how long a created or modified endpoint stays
	// pending/updating before it reports active. 0 means 1s; negative means at once.
	EndpointActivation time.Duration
	// AccountID owns the objects (group ARNs, owner); default 123456789012 (moto's).
	AccountID string
	// Region used in ARNs and endpoint domains; default us-east-1.
	Region string
	// IdentityKey answers GET /_sandbox/identity?nonce=N with its HMAC of N
	// (package identity), so a tool can prove the endpoint is this
	// sandbox's; empty means the front proves nothing.
	IdentityKey []byte
	// SchedulerInterval is how often, in real time, the scheduler runner
	// looks for due schedules (scheduler.go) once the front is served by
	// Start. 0 means 400ms; negative means never (RunSchedules still runs
	// a pass on demand).
	SchedulerInterval time.Duration
	// Logger receives the front's own log lines (scheduler invocations,
	// answers it could not complete); nil means the standard logger.
	Logger *log.Logger
	// Models are AWS's API models every request is checked against
	// (validate.go); nil accepts requests unchecked (the sandbox always
	// sets them).
	Models *awsmodel.Models
}

// Front is the http.Handler.
type Front struct {
	opts     Options
	upstream *url.URL
	proxy    *httputil.ReverseProxy
	now      func() time.Time

	mu   sync.Mutex // guards st, hide, sgrDesc, sso and ids
	st   *store
	hide time.Duration // not-found-after-create window for the call being served

	// sgrDesc: descriptions set through ModifySecurityGroupRules, by rule ID (sgrules.go).
	sgrDesc map[string]string
	sso     *ssoState // SSO Admin state moto lacks (ssoadmin.go)
	ids     *idsState // Identity Store state moto lacks (identitystore.go)

	// jsonMu serializes the JSON-protocol handlers: each may read moto, then
	// change the front's state, and must not interleave with another.
	jsonMu sync.Mutex

	counters   counters
	faults     faultState
	operations operationLog // operations checked against the models (validate.go)
	awsIDs     awsIDForms   // moto's identifiers in AWS's forms (awsforms.go)

	// sched is the scheduler runner's state and the sandbox clock
	// (scheduler.go); runMu serializes its passes.
	sched schedulerRunner
	runMu sync.Mutex
}

// New builds a Front forwarding to opts.Upstream.
func New(opts Options) (*Front, error) {
	u, err := url.Parse(opts.Upstream)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("vafront: invalid upstream URL %q", opts.Upstream)
	}
	if opts.EndpointActivation == 0 {
		opts.EndpointActivation = time.Second
	}
	if opts.EndpointActivation < 0 {
		opts.EndpointActivation = 0
	}
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.SchedulerInterval == 0 {
		opts.SchedulerInterval = 400 * time.Millisecond
	}
	f := &Front{opts: opts, upstream: u, now: time.Now}
	f.resetState()
	f.resetScheduler()
	f.counters.m = map[string]int64{}
	f.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			pr.Out.Host = pr.In.Host // moto routes on the signature, keep the Host the client signed
		},
	}
	return f, nil
}

// requestInfo is what the front learns about a request before serving it.
type requestInfo struct {
	service string // from the SigV4 credential scope (ec2, sso, identitystore, sts, iam …)
	action  string // EC2/query form Action, or the X-Amz-Target operation
	json    bool   // JSON protocol (X-Amz-Target)
	form    params // parsed query-protocol parameters (nil for JSON)
}

func (ri requestInfo) key() string { return ri.service + ":" + ri.action }

// ServeHTTP counts, injects faults, serves Verified Access and what moto
// lacks, forwards the rest.
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sandbox/") || r.URL.Path == "/_sandbox" {
		f.serveControl(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	// The proxy must send the body we consumed.
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }

	ri := inspect(r, body)
	f.counters.add(ri.key())
	if f.refuseInvalid(w, r, ri, body) {
		return
	}
	if translate := f.awsIDs.applies(ri); translate {
		var flush func()
		w, body, flush = f.awsIDs.wrap(w, r, body)
		defer flush()
	}

	if fault := f.faults.pick(ri); fault != nil {
		if fault.latency > 0 {
			select {
			case <-time.After(fault.latency):
			case <-r.Context().Done():
				return
			}
		}
		if fault.err != nil {
			writeFault(w, ri, fault.err)
			return
		}
		if fault.lose {
			f.dispatch(httptest.NewRecorder(), r, ri, body)
			writeFault(w, ri, &apiError{http.StatusInternalServerError, "InternalError",
				"An internal error has occurred. (injected by the sandbox after serving the request: its response was lost)"})
			return
		}
	}
	f.dispatch(w, r, ri, body)
}

// dispatch serves one request: Verified Access and what moto lacks here, the
// rest forwarded to moto.
func (f *Front) dispatch(w http.ResponseWriter, r *http.Request, ri requestInfo, body []byte) {
	if ri.service == "ec2" && ri.form != nil {
		if h, ok := vaHandlers[ri.action]; ok {
			if err := f.checkSseKey(r, ri); err != nil {
				writeEC2Error(w, err)
				return
			}
			f.serveVA(w, ri, h)
			return
		}
		if strings.Contains(ri.action, "VerifiedAccess") {
			writeEC2Error(w, &apiError{http.StatusBadRequest, "UnsupportedOperation",
				fmt.Sprintf("The sandbox does not implement %s.", ri.action)})
			return
		}
		if handled := f.serveTags(w, r, ri); handled {
			return
		}
		if handled := f.serveSecurityGroups(w, r, ri, body); handled {
			return
		}
	}
	if ri.json {
		switch ri.service {
		case "sso":
			if h, ok := ssoHandlers[ri.action]; ok {
				f.serveJSON(w, r, ri, body, h)
				return
			}
		case "identitystore":
			if h, ok := idsHandlers[ri.action]; ok {
				f.serveJSON(w, r, ri, body, h)
				return
			}
		}
	}
	f.proxy.ServeHTTP(w, r)
}

// inspect finds service and action. The service comes from the SigV4
// credential scope (Credential=AKID/date/region/SERVICE/aws4_request).
func inspect(r *http.Request, body []byte) requestInfo {
	ri := requestInfo{service: credentialService(r.Header.Get("Authorization"))}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		ri.json = true
		ri.action = target[strings.LastIndexByte(target, '.')+1:]
	} else {
		form := url.Values{}
		for k, v := range r.URL.Query() {
			form[k] = v
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			if vals, err := url.ParseQuery(string(body)); err == nil {
				for k, v := range vals {
					form[k] = v
				}
			}
		}
		if a := form.Get("Action"); a != "" {
			ri.action = a
			ri.form = params(form)
		}
	}
	if ri.service == "" {
		ri.service = "unsigned"
		if ri.action != "" && ri.form != nil && ri.form.get("Version") == "2016-11-15" {
			ri.service = "ec2"
		}
	}
	if ri.action == "" {
		ri.action = r.Method + " " + r.URL.Path
	}
	return ri
}

func credentialService(auth string) string {
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return ""
	}
	cred := auth[i+len("Credential="):]
	if j := strings.IndexAny(cred, ", "); j >= 0 {
		cred = cred[:j]
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[3]
}

type vaHandler func(f *Front, p params) (requestIDSetter, *apiError)

// serveVA runs one Verified Access action under the state lock.
func (f *Front) serveVA(w http.ResponseWriter, ri requestInfo, h vaHandler) {
	if dry, _ := ri.form.optBool("DryRun"); dry != nil && *dry {
		writeEC2Error(w, errDryRun())
		return
	}
	f.mu.Lock()
	f.hide = f.faults.hideWindow(ri)
	resp, apiErr := h(f, ri.form)
	f.hide = 0
	f.mu.Unlock()
	if apiErr != nil {
		writeEC2Error(w, apiErr)
		return
	}
	writeEC2(w, ri.action, resp)
}

// visible reports whether an object may be read now: objects created less
// than the injected window ago answer NotFound, like an eventually
// consistent read right after create.
func (f *Front) visible(c *common) bool {
	return f.hide <= 0 || f.now().Sub(c.Created) >= f.hide
}

func requestID() string { return uuid.NewString() }

func writeEC2(w http.ResponseWriter, action string, resp requestIDSetter) {
	resp.setRequestID(requestID())
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{
		Name: xml.Name{Local: action + "Response"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ec2Namespace}},
	}
	if err := enc.EncodeElement(resp, start); err != nil {
		writeEC2Error(w, &apiError{http.StatusInternalServerError, "InternalError", "encode: " + err.Error()})
		return
	}
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

func writeEC2Error(w http.ResponseWriter, e *apiError) {
	doc := xErrorResponse{Errors: []xError{{Code: e.Code, Message: e.Message}}, RequestID: requestID()}
	out, _ := xml.Marshal(doc)
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(e.Status)
	_, _ = w.Write(append([]byte(xml.Header), out...))
}

// writeFault answers an injected fault in the protocol of the request.
func writeFault(w http.ResponseWriter, ri requestInfo, e *apiError) {
	switch {
	case ri.json:
		code := e.Code
		if code == "RequestLimitExceeded" {
			code = "ThrottlingException"
		}
		if code == "InternalError" {
			code = "InternalServerException"
		}
		body, _ := json.Marshal(map[string]string{"__type": code, "message": e.Message})
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Requestid", requestID())
		w.Header().Set("X-Amzn-Errortype", code)
		status := e.Status
		if code == "ThrottlingException" {
			status = http.StatusBadRequest
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	case ri.service == "ec2" || ri.form == nil:
		writeEC2Error(w, e)
	default:
		// awsQuery services (IAM, STS).
		code, typ, status := e.Code, "Receiver", e.Status
		if code == "RequestLimitExceeded" {
			code, typ, status = "Throttling", "Sender", http.StatusBadRequest
		}
		out, _ := xml.Marshal(xQueryErrorResponse{Error: xQueryError{Type: typ, Code: code, Message: e.Message}, RequestID: requestID()})
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		_, _ = w.Write(append([]byte(xml.Header), out...))
	}
}

// resetState drops everything the front itself keeps.
func (f *Front) resetState() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st = newStore()
	f.sgrDesc = map[string]string{}
	f.sso = newSSOState()
	f.ids = newIDSState()
}

// Reset clears the front's state (Verified Access, rule descriptions, SSO
// Admin and Identity Store additions), counters, faults, the scheduler's
// invocations and the clock's offset, then resets moto.
func (f *Front) Reset(ctx context.Context) error {
	f.resetState()
	f.resetScheduler()
	f.counters.reset()
	f.faults.clear()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.upstream.String()+"/moto-api/reset", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("vafront: reset moto: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("vafront: reset moto: HTTP %d", resp.StatusCode)
	}
	return nil
}
