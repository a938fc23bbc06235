package vafront

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/awsmodel"
)

// ProviderAppID is the app id (User-Agent token app/<id>) the provider's
// AWS clients carry; the operations record notes which operations it
// called, so an IAM policy can be derived from what the provider sends.
const ProviderAppID = "terraform-provider-zerotrust"

// OperationRecord is one operation the front checked against its model.
type OperationRecord struct {
	// Service is the SigV4 service (the IAM action prefix: ec2, sso, …).
	Service string `json:"service"`
	// Model is botocore's name of the model ("sso-admin"); "" when none.
	Model     string `json:"model"`
	Operation string `json:"operation"`
	Count     int64  `json:"count"`
	// Violations counts the requests refused for breaking the model.
	Violations int64 `json:"violations"`
	// AppIDs are the User-Agent app ids seen, sorted.
	AppIDs []string `json:"app_ids,omitempty"`
	// FromProvider: some request carried app id ProviderAppID.
	FromProvider bool `json:"from_provider"`
}

// operationLog records the checked operations. It survives Reset: it is
// the record of a whole run.
type operationLog struct {
	mu sync.Mutex
	m  map[string]*OperationRecord
}

func (l *operationLog) add(service, model, operation string, violated bool, appIDs []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]*OperationRecord{}
	}
	key := service + ":" + operation
	rec := l.m[key]
	if rec == nil {
		rec = &OperationRecord{Service: service, Model: model, Operation: operation}
		l.m[key] = rec
	}
	rec.Count++
	if violated {
		rec.Violations++
	}
	for _, id := range appIDs {
		if id == ProviderAppID {
			rec.FromProvider = true
		}
		i := sort.SearchStrings(rec.AppIDs, id)
		if i == len(rec.AppIDs) || rec.AppIDs[i] != id {
			rec.AppIDs = append(rec.AppIDs[:i], append([]string{id}, rec.AppIDs[i:]...)...)
		}
	}
}

func (l *operationLog) snapshot() []OperationRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]OperationRecord, 0, len(l.m))
	for _, rec := range l.m {
		cp := *rec
		cp.AppIDs = append([]string(nil), rec.AppIDs...)
		out = append(out, cp)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Operation < out[j].Operation
	})
	return out
}

func (l *operationLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m = nil
}

// appIDs are the ids of the User-Agent's app/<id> tokens.
func appIDs(userAgent string) []string {
	var ids []string
	for _, tok := range strings.Fields(userAgent) {
		if id, ok := strings.CutPrefix(tok, "app/"); ok && id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// refuseInvalid checks the request against its operation's API model and,
// when AWS would refuse it, answers as AWS would and reports true. Without
// models (Options.Models nil) every request passes.
func (f *Front) refuseInvalid(w http.ResponseWriter, r *http.Request, ri requestInfo, body []byte) bool {
	if f.opts.Models == nil {
		return false
	}
	res := f.opts.Models.Check(ri.service, r, body)
	ids := appIDs(r.Header.Get("User-Agent"))
	if res.Service == nil {
		f.operations.add(ri.service, "", ri.action, true, ids)
		msg := fmt.Sprintf("The sandbox has no API model for service %q (credential scope); it serves %s.", ri.service, strings.Join(f.opts.Models.SigningNames(), ", "))
		switch {
		case ri.json:
			writeJSONError(w, http.StatusBadRequest, "UnrecognizedClientException", msg)
		default:
			writeEC2Error(w, &apiError{http.StatusBadRequest, "InvalidAction", msg})
		}
		return true
	}
	refused := res.UnknownOperation || len(res.Violations) > 0
	f.operations.add(ri.service, res.Service.Name, res.Operation, refused, ids)
	if !refused {
		return false
	}
	switch res.Service.Protocol {
	case "ec2":
		writeEC2Error(w, ec2Violation(res))
	case "query":
		code, msg := "ValidationError", awsmodel.Summary(res.Violations)
		if res.UnknownOperation {
			code, msg = "InvalidAction", fmt.Sprintf("Could not find operation %s for version %s", res.Operation, res.Service.Version)
		}
		out, _ := xml.Marshal(xQueryErrorResponse{Error: xQueryError{Type: "Sender", Code: code, Message: msg}, RequestID: requestID()})
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(append([]byte(xml.Header), out...))
	case "json":
		if res.UnknownOperation {
			writeJSONError(w, http.StatusBadRequest, "UnknownOperationException", "Unknown operation "+res.Operation)
		} else {
			writeJSONError(w, http.StatusBadRequest, "ValidationException", awsmodel.Summary(res.Violations))
		}
	default: // rest-json
		status, code, msg := http.StatusBadRequest, "ValidationException", ""
		if res.UnknownOperation {
			status, code, msg = http.StatusNotFound, "UnknownOperationException", "Unknown operation "+res.Operation
		} else {
			msg = awsmodel.Summary(res.Violations)
		}
		body, _ := json.Marshal(map[string]string{"Message": msg})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Requestid", requestID())
		w.Header().Set("X-Amzn-Errortype", code)
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
	return true
}

// ec2Violation is EC2's answer: one error, the first violation, with
// EC2's codes for a missing, unknown or invalid parameter.
func ec2Violation(res awsmodel.Result) *apiError {
	if res.UnknownOperation {
		return &apiError{http.StatusBadRequest, "InvalidAction",
			fmt.Sprintf("The action %s is not valid for this web service.", res.Operation)}
	}
	v := res.Violations[0]
	switch v.Kind {
	case awsmodel.Missing:
		return errMissing(v.Path)
	case awsmodel.Unknown:
		return &apiError{http.StatusBadRequest, "UnknownParameter", fmt.Sprintf("The parameter %s is not recognized", v.Path)}
	default:
		return errInvalid("Value (%s) for parameter %s is invalid. %s", v.Value, v.Path, v.Constraint)
	}
}
