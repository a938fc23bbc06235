package vafront

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/identity"
)

// serveControl implements the JSON control API under /_sandbox/:
//
//	GET    /_sandbox/counters        {"ec2:CreateVerifiedAccessGroup": 2, …}
//	POST   /_sandbox/counters/reset
//	GET    /_sandbox/faults          current Faults (or {} when none)
//	PUT    /_sandbox/faults          Faults
//	DELETE /_sandbox/faults
//	POST   /_sandbox/reset           clears state, counters, faults; resets moto
//	GET    /_sandbox/identity?nonce=N {"mac": HMAC-SHA256(IdentityKey, N)} (package identity)
func (f *Front) serveControl(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/_sandbox"), "/")
	switch {
	case path == "/counters" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, f.counters.snapshot())
	case path == "/counters/reset" && r.Method == http.MethodPost:
		f.counters.reset()
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	case path == "/faults" && r.Method == http.MethodGet:
		cfg, _ := f.faults.get()
		writeJSON(w, http.StatusOK, cfg)
	case path == "/faults" && r.Method == http.MethodPut:
		var cfg Faults
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid faults: " + err.Error()})
			return
		}
		if msg := cfg.validate(); msg != "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": msg})
			return
		}
		f.faults.set(cfg)
		writeJSON(w, http.StatusOK, cfg)
	case path == "/faults" && r.Method == http.MethodDelete:
		f.faults.clear()
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	case path == "/identity" && r.Method == http.MethodGet:
		nonce := r.URL.Query().Get("nonce")
		switch {
		case len(f.opts.IdentityKey) == 0:
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "this front has no identity key"})
		case len(nonce) < 16:
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "nonce: at least 16 characters"})
		default:
			writeJSON(w, http.StatusOK, map[string]string{"mac": identity.MAC(f.opts.IdentityKey, nonce)})
		}
	case path == "/reset" && r.Method == http.MethodPost:
		if err := f.Reset(r.Context()); err != nil {
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown control request " + r.Method + " " + r.URL.Path})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Control is a client of the control API, for tests and tools.
// URL is the control base, e.g. http://127.0.0.1:4566/_sandbox
// (the value of ZT_SANDBOX_CONTROL_URL).
type Control struct {
	URL string
	// HTTPClient defaults to http.DefaultClient.
	HTTPClient *http.Client
}

// SetFaults replaces the fault configuration.
func (c *Control) SetFaults(ctx context.Context, f Faults) error {
	return c.do(ctx, http.MethodPut, "/faults", f, nil)
}

// Faults returns the current fault configuration.
func (c *Control) Faults(ctx context.Context) (Faults, error) {
	var f Faults
	err := c.do(ctx, http.MethodGet, "/faults", nil, &f)
	return f, err
}

// ClearFaults stops every fault injection.
func (c *Control) ClearFaults(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/faults", nil, nil)
}

// Counters returns the request counts per "service:Action".
func (c *Control) Counters(ctx context.Context) (map[string]int64, error) {
	m := map[string]int64{}
	err := c.do(ctx, http.MethodGet, "/counters", nil, &m)
	return m, err
}

// ResetCounters zeroes every counter.
func (c *Control) ResetCounters(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/counters/reset", nil, nil)
}

// Reset clears the front's state, counters and faults, and resets moto.
func (c *Control) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/reset", nil, nil)
}

func (c *Control) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.URL, "/")+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := c.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("sandbox control %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sandbox control %s %s: HTTP %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(raw))
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
