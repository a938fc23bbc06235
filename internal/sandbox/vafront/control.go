package vafront

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

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
//	GET    /_sandbox/operations      [OperationRecord…]: operations checked against AWS's models
//	DELETE /_sandbox/operations      forgets them (reset keeps them: they record a whole run)
//	GET    /_sandbox/identity?nonce=N {"mac": HMAC-SHA256(IdentityKey, N)} (package identity)
//	GET    /_sandbox/clock           {"now": RFC 3339 sandbox time, "offset_seconds": N}
//	POST   /_sandbox/clock           {"advance_seconds": N} (N >= 0) moves the sandbox clock on; answers as GET
//	DELETE /_sandbox/clock           puts the sandbox clock back on real time; answers as GET
//	GET    /_sandbox/scheduler/invocations  [Invocation …], oldest first
//	POST   /_sandbox/scheduler/run   runs one pass of the scheduler runner now; answers as invocations
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
	case path == "/clock" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, f.clockState())
	case path == "/clock" && r.Method == http.MethodPost:
		var req ClockAdvance
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid clock request: " + err.Error()})
			return
		}
		if req.AdvanceSeconds < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "advance_seconds: the sandbox clock only moves forward (DELETE returns to real time)"})
			return
		}
		f.AdvanceClock(time.Duration(req.AdvanceSeconds * float64(time.Second)))
		writeJSON(w, http.StatusOK, f.clockState())
	case path == "/clock" && r.Method == http.MethodDelete:
		f.ResetClock()
		writeJSON(w, http.StatusOK, f.clockState())
	case path == "/scheduler/invocations" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, f.Invocations())
	case path == "/scheduler/run" && r.Method == http.MethodPost:
		if err := f.RunSchedules(r.Context()); err != nil {
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, f.Invocations())
	case path == "/operations" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, f.operations.snapshot())
	case path == "/operations" && r.Method == http.MethodDelete:
		f.operations.reset()
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
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

// ClockAdvance is the body of POST /_sandbox/clock.
type ClockAdvance struct {
	AdvanceSeconds float64 `json:"advance_seconds"`
}

// ClockState is the sandbox clock as the control API reports it.
type ClockState struct {
	Now           time.Time `json:"now"`
	OffsetSeconds float64   `json:"offset_seconds"`
}

func (f *Front) clockState() ClockState {
	now := f.clock()
	return ClockState{Now: now, OffsetSeconds: now.Sub(f.now()).Round(time.Millisecond).Seconds()}
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

// Operations returns the operations checked against AWS's API models.
func (c *Control) Operations(ctx context.Context) ([]OperationRecord, error) {
	var ops []OperationRecord
	err := c.do(ctx, http.MethodGet, "/operations", nil, &ops)
	return ops, err
}

// Reset clears the front's state, counters and faults, and resets moto.
func (c *Control) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/reset", nil, nil)
}

// Clock reads the sandbox clock.
func (c *Control) Clock(ctx context.Context) (ClockState, error) {
	var st ClockState
	err := c.do(ctx, http.MethodGet, "/clock", nil, &st)
	return st, err
}

// AdvanceClock moves the sandbox clock forward by d: schedules due by the
// new time fire on the runner's next pass.
func (c *Control) AdvanceClock(ctx context.Context, d time.Duration) (ClockState, error) {
	var st ClockState
	err := c.do(ctx, http.MethodPost, "/clock", ClockAdvance{AdvanceSeconds: d.Seconds()}, &st)
	return st, err
}

// ResetClock puts the sandbox clock back on real time.
func (c *Control) ResetClock(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/clock", nil, nil)
}

// Invocations returns the scheduler's recorded invocation attempts.
func (c *Control) Invocations(ctx context.Context) ([]Invocation, error) {
	var out []Invocation
	err := c.do(ctx, http.MethodGet, "/scheduler/invocations", nil, &out)
	return out, err
}

// RunSchedules runs one pass of the scheduler runner now.
func (c *Control) RunSchedules(ctx context.Context) ([]Invocation, error) {
	var out []Invocation
	err := c.do(ctx, http.MethodPost, "/scheduler/run", nil, &out)
	return out, err
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
