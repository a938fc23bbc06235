package vafront

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// motoResponse is an answer the front read from moto itself.
type motoResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// callMoto sends one request to moto with the caller's Authorization
// header (moto takes service, region and account from its credential
// scope and does not check the signature). target is the X-Amz-Target of a
// JSON-protocol request, "" for an EC2 query request.
func (f *Front) callMoto(ctx context.Context, in *http.Request, target string, body []byte) (*motoResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.upstream.String()+"/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Host = in.Host
	req.Header.Set("Authorization", in.Header.Get("Authorization"))
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("vafront: call moto: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("vafront: read moto answer: %w", err)
	}
	return &motoResponse{Status: resp.StatusCode, Header: resp.Header, Body: raw}, nil
}

// callMotoEC2 sends an EC2 query action to moto.
func (f *Front) callMotoEC2(ctx context.Context, in *http.Request, form url.Values) (*motoResponse, error) {
	form.Set("Version", "2016-11-15")
	return f.callMoto(ctx, in, "", []byte(form.Encode()))
}

// callMotoJSON sends a JSON-protocol action (target "SWBExternalService.X",
// "AWSIdentityStore.X") to moto.
func (f *Front) callMotoJSON(ctx context.Context, in *http.Request, target string, payload any) (*motoResponse, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	return f.callMoto(ctx, in, target, body)
}

// relay writes an answer read from moto, with body replaced.
func relay(w http.ResponseWriter, m *motoResponse, body []byte) {
	for k, vs := range m.Header {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Connection", "Transfer-Encoding", "Date", "Server":
			continue
		}
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(m.Status)
	_, _ = w.Write(body)
}

// writeJSONError answers a JSON-protocol (awsJson1_1) error, as SSO Admin
// and Identity Store do: __type names the exception, Message explains it.
func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	body, _ := json.Marshal(map[string]string{"__type": code, "Message": msg})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", requestID())
	w.Header().Set("X-Amzn-Errortype", code)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeJSONOK answers a JSON-protocol success.
func writeJSONOK(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, "InternalServerException", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", requestID())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// jsonErr is a JSON-protocol error decided by the front.
type jsonErr struct {
	Status  int
	Code    string
	Message string
}

func validationErr(format string, args ...any) *jsonErr {
	return &jsonErr{http.StatusBadRequest, "ValidationException", fmt.Sprintf(format, args...)}
}

func notFoundErr(format string, args ...any) *jsonErr {
	return &jsonErr{http.StatusBadRequest, "ResourceNotFoundException", fmt.Sprintf(format, args...)}
}

func conflictErr(format string, args ...any) *jsonErr {
	return &jsonErr{http.StatusBadRequest, "ConflictException", fmt.Sprintf(format, args...)}
}

func internalErr(err error) *jsonErr {
	return &jsonErr{http.StatusInternalServerError, "InternalServerException", err.Error()}
}

func (e *jsonErr) write(w http.ResponseWriter) { writeJSONError(w, e.Status, e.Code, e.Message) }
