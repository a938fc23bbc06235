package vafront

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Faults is the fault-injection configuration (PUT /_sandbox/faults).
type Faults struct {
	// ThrottleRate is the probability [0,1] of answering a throttling error:
	// RequestLimitExceeded/503 (EC2), ThrottlingException/400 (JSON protocol),
	// Throttling/400 (IAM, STS).
	ThrottleRate float64 `json:"throttle_rate"`
	// ServerErrorRate is the probability [0,1] of answering InternalError/500.
	ServerErrorRate float64 `json:"server_error_rate"`
	// NotFoundAfterCreateMS makes Describe/Get of a Verified Access object
	// created less than this many milliseconds ago answer NotFound.
	NotFoundAfterCreateMS int `json:"not_found_after_create_ms"`
	// EndpointActivationMS keeps a Verified Access endpoint created or
	// modified while it is set pending (or updating) this long instead of
	// the front's EndpointActivation, as AWS takes minutes to activate one.
	// It ignores Actions.
	EndpointActivationMS int `json:"endpoint_activation_ms"`
	// LatencyMS delays every matching request.
	LatencyMS int `json:"latency_ms"`
	// LostResponses serves the first n matching requests — the change is
	// made — and then answers InternalError/500 instead of the response, as
	// when a response is lost on the way back: the client cannot know the
	// request succeeded and retries it.
	LostResponses int `json:"lost_responses"`
	// Actions the faults apply to: "*" (or empty) for all, else names as
	// "ec2:CreateVerifiedAccessGroup", "identitystore:CreateGroup" or a bare
	// action name "CreateVerifiedAccessGroup".
	Actions []string `json:"actions"`
	// Seed makes the random draws reproducible.
	Seed uint64 `json:"seed"`
}

func (fs Faults) validate() string {
	switch {
	case fs.ThrottleRate < 0 || fs.ThrottleRate > 1:
		return "throttle_rate must be within [0,1]"
	case fs.ServerErrorRate < 0 || fs.ServerErrorRate > 1:
		return "server_error_rate must be within [0,1]"
	case fs.NotFoundAfterCreateMS < 0 || fs.LatencyMS < 0 || fs.LostResponses < 0 || fs.EndpointActivationMS < 0:
		return "not_found_after_create_ms, latency_ms, lost_responses and endpoint_activation_ms must not be negative"
	}
	return ""
}

func (fs Faults) applies(ri requestInfo) bool {
	if len(fs.Actions) == 0 {
		return true
	}
	for _, a := range fs.Actions {
		if a == "*" || a == ri.key() || a == ri.action {
			return true
		}
	}
	return false
}

type faultState struct {
	mu     sync.Mutex
	active bool
	cfg    Faults
	rng    *rand.Rand
}

func (s *faultState) set(cfg Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active = true
	s.cfg = cfg
	s.rng = rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
}

func (s *faultState) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active = false
	s.cfg = Faults{}
	s.rng = nil
}

func (s *faultState) get() (Faults, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg, s.active
}

type pickedFault struct {
	latency time.Duration
	err     *apiError
	// lose: serve the request, then answer InternalError in place of it.
	lose bool
}

// pick draws the fault (if any) for one request.
func (s *faultState) pick(ri requestInfo) *pickedFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active || !s.cfg.applies(ri) {
		return nil
	}
	out := &pickedFault{latency: time.Duration(s.cfg.LatencyMS) * time.Millisecond}
	if s.cfg.LostResponses > 0 {
		s.cfg.LostResponses--
		out.lose = true
		return out
	}
	// One draw per request decides between throttle, server error and success.
	x := s.rng.Float64()
	switch {
	case x < s.cfg.ThrottleRate:
		out.err = &apiError{http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded."}
	case x < s.cfg.ThrottleRate+s.cfg.ServerErrorRate:
		out.err = &apiError{http.StatusInternalServerError, "InternalError",
			"An internal error has occurred. (injected by the sandbox)"}
	}
	if out.latency == 0 && out.err == nil {
		return nil
	}
	return out
}

// endpointActivation is how long an endpoint created or modified now stays
// pending: the injected time when set, else normal.
func (s *faultState) endpointActivation(normal time.Duration) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active || s.cfg.EndpointActivationMS == 0 {
		return normal
	}
	return time.Duration(s.cfg.EndpointActivationMS) * time.Millisecond
}

// hideWindow is the not-found-after-create window for this request.
func (s *faultState) hideWindow(ri requestInfo) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active || s.cfg.NotFoundAfterCreateMS == 0 || !s.cfg.applies(ri) {
		return 0
	}
	return time.Duration(s.cfg.NotFoundAfterCreateMS) * time.Millisecond
}

// counters counts requests per "service:Action".
type counters struct {
	mu sync.Mutex
	m  map[string]int64
}

func (c *counters) add(key string) {
	c.mu.Lock()
	c.m[key]++
	c.mu.Unlock()
}

func (c *counters) snapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.m))
	for k, v := range c.m {
		out[k] = v
	}
	return out
}

func (c *counters) reset() {
	c.mu.Lock()
	c.m = map[string]int64{}
	c.mu.Unlock()
}
