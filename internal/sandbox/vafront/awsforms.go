package vafront

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"sync"
)

// moto 5.2.1 answers two Identity Center identifiers unlike AWS:
//   - permission-set ARNs as arn:aws:sso:::instance/ssoins-…/ps-… where
//     AWS's model has arn:aws:sso:::permissionSet/ssoins-…/ps-…;
//   - identity-store ids as d- and 10 random lowercase letters and digits
//     where AWS's pattern is d-[0-9a-f]{10}.
//
// The front rewrites them in every SSO Admin and Identity Store answer and
// back in every request, so clients only ever see AWS's forms and moto
// only its own (and drops the empty ExternalIds AWS never answers). Only whole JSON string values are rewritten, through the
// JSON decoder and encoder: text that merely contains such a value (a
// policy document, a message) is left as it is.
var (
	motoPermissionSetArn = regexp.MustCompile(`^(arn:[a-z-]+:sso:::)instance/((?:sso)?ins-[^/]+/ps-[^/]+)$`)
	awsPermissionSetArn  = regexp.MustCompile(`^(arn:[a-z-]+:sso:::)permissionSet/((?:sso)?ins-[^/]+/ps-[^/]+)$`)
	motoIdentityStoreID  = regexp.MustCompile(`^d-[0-9a-z]{10}$`)
	awsIdentityStoreID   = regexp.MustCompile(`^d-[0-9a-f]{10}$`)
)

// awsIDForms maps moto's identity-store ids to AWS-form ones and back.
type awsIDForms struct {
	mu     sync.Mutex
	toAWS  map[string]string
	toMoto map[string]string
}

// applies: the request is one whose identifiers are translated.
func (a *awsIDForms) applies(ri requestInfo) bool {
	return ri.json && (ri.service == "sso" || ri.service == "identitystore")
}

// awsForm is s in AWS's form (s itself when it is no moto identifier).
func (a *awsIDForms) awsForm(s string) string {
	if m := motoPermissionSetArn.FindStringSubmatch(s); m != nil {
		return m[1] + "permissionSet/" + m[2]
	}
	if motoIdentityStoreID.MatchString(s) && !awsIdentityStoreID.MatchString(s) {
		a.mu.Lock()
		defer a.mu.Unlock()
		if id, ok := a.toAWS[s]; ok {
			return id
		}
		// A stable hex digest of moto's id, so the same store keeps one
		// AWS-form id for as long as the front runs.
		sum := sha256.Sum256([]byte(s))
		id := "d-" + hex.EncodeToString(sum[:])[:10]
		if a.toAWS == nil {
			a.toAWS, a.toMoto = map[string]string{}, map[string]string{}
		}
		a.toAWS[s], a.toMoto[id] = id, s
		return id
	}
	return s
}

// motoForm is s in moto's form (s itself when it is no translated identifier).
func (a *awsIDForms) motoForm(s string) string {
	if m := awsPermissionSetArn.FindStringSubmatch(s); m != nil {
		return m[1] + "instance/" + m[2]
	}
	if awsIdentityStoreID.MatchString(s) {
		a.mu.Lock()
		defer a.mu.Unlock()
		if id, ok := a.toMoto[s]; ok {
			return id
		}
	}
	return s
}

// rewriteJSON applies form to every string value of a JSON document; ok is
// false when the document is not JSON or nothing changed. dropEmpty names
// list members removed when empty: moto answers Identity Store's
// ExternalIds as [] where AWS's model (a list of at least one) has AWS
// leave the member out.
func rewriteJSON(doc []byte, form func(string) string, dropEmpty ...string) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, false
	}
	changed := false
	var walk func(any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case string:
			if s := form(t); s != t {
				changed = true
				return s
			}
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		case map[string]any:
			for k := range t {
				if list, ok := t[k].([]any); ok && len(list) == 0 && slices.Contains(dropEmpty, k) {
					delete(t, k)
					changed = true
					continue
				}
				t[k] = walk(t[k])
			}
		}
		return v
	}
	v = walk(v)
	if !changed {
		return nil, false
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, false
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), true
}

// wrap translates the request body to moto's forms and returns a writer
// that buffers the answer; flush writes it in AWS's forms.
func (a *awsIDForms) wrap(w http.ResponseWriter, r *http.Request, body []byte) (http.ResponseWriter, []byte, func()) {
	if out, ok := rewriteJSON(body, a.motoForm); ok {
		body = out
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	bw := &bufferedWriter{header: http.Header{}, status: http.StatusOK}
	return bw, body, func() {
		out := bw.body.Bytes()
		if translated, ok := rewriteJSON(out, a.awsForm, "ExternalIds"); ok {
			out = translated
		}
		for k, vs := range bw.header {
			w.Header()[k] = vs
		}
		if bw.header.Get("Content-Length") != "" {
			w.Header().Set("Content-Length", strconv.Itoa(len(out)))
		}
		w.WriteHeader(bw.status)
		_, _ = w.Write(out)
	}
}

// bufferedWriter holds an answer until it has been translated.
type bufferedWriter struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(status int) {
	if !b.wroteHeader {
		b.status, b.wroteHeader = status, true
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.wroteHeader = true
	return b.body.Write(p)
}
