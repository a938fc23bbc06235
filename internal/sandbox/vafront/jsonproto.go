package vafront

import (
	"encoding/json"
	"net/http"
)

// jsonCall is one JSON-protocol request (SSO Admin, Identity Store) the
// front serves itself, possibly with moto's help.
type jsonCall struct {
	f      *Front
	r      *http.Request
	ri     requestInfo
	body   []byte
	prefix string // X-Amz-Target prefix of the service, e.g. "SWBExternalService"
}

// jsonResult is what a handler answers: a document the front writes, or
// moto's own answer relayed as it is.
type jsonResult struct {
	out  any
	moto *motoResponse
}

type jsonHandler func(c *jsonCall) (jsonResult, *jsonErr)

func (f *Front) serveJSON(w http.ResponseWriter, r *http.Request, ri requestInfo, body []byte, h jsonHandler) {
	target := r.Header.Get("X-Amz-Target")
	c := &jsonCall{f: f, r: r, ri: ri, body: body, prefix: target[:len(target)-len(ri.action)-1]}
	f.jsonMu.Lock()
	res, err := h(c)
	f.jsonMu.Unlock()
	switch {
	case err != nil:
		err.write(w)
	case res.moto != nil:
		relay(w, res.moto, res.moto.Body)
	default:
		writeJSONOK(w, res.out)
	}
}

// decode reads the request document; a malformed one is a ValidationException.
func (c *jsonCall) decode(v any) *jsonErr {
	body := c.body
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return validationErr("Invalid request body: %v", err)
	}
	return nil
}

// moto calls another action of the same service on moto.
func (c *jsonCall) moto(action string, payload any) (*motoResponse, *jsonErr) {
	m, err := c.f.callMotoJSON(c.r.Context(), c.r, c.prefix+"."+action, payload)
	if err != nil {
		return nil, internalErr(err)
	}
	return m, nil
}

// forward sends the request itself to moto.
func (c *jsonCall) forward() (*motoResponse, *jsonErr) {
	m, err := c.f.callMoto(c.r.Context(), c.r, c.prefix+"."+c.ri.action, c.body)
	if err != nil {
		return nil, internalErr(err)
	}
	return m, nil
}

func (m *motoResponse) ok() bool { return m.Status == http.StatusOK }
