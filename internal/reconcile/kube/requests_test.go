package kube

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
)

// requestCounter counts the API requests a client makes on the managed
// kinds, as "verb resource" (list, get, apply, delete, deletecollection…).
type requestCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (rc *requestCounter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		rc.record(req)
		return rt.RoundTrip(req)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (rc *requestCounter) record(req *http.Request) {
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	// /apis/<group>/<version>[/namespaces/<ns>]/<resource>[/<name>]
	if len(parts) < 4 || parts[0] != "apis" {
		return
	}
	rest := parts[3:]
	if rest[0] == "namespaces" && len(rest) >= 3 {
		rest = rest[2:]
	}
	resource := rest[0]
	if resource != NetworkPolicyGVR.Resource && resource != AuthorizationPolicyGVR.Resource {
		return
	}
	named := len(rest) > 1
	var verb string
	switch req.Method {
	case http.MethodGet:
		verb = map[bool]string{true: "get", false: "list"}[named]
	case http.MethodPatch:
		verb = "patch"
		if strings.HasPrefix(req.Header.Get("Content-Type"), "application/apply-patch") {
			verb = "apply"
		}
	case http.MethodDelete:
		verb = map[bool]string{true: "delete", false: "deletecollection"}[named]
	case http.MethodPost:
		verb = "create"
	case http.MethodPut:
		verb = "update"
	default:
		verb = req.Method
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.counts == nil {
		rc.counts = map[string]int{}
	}
	rc.counts[verb+" "+resource]++
}

// take returns the counts since the last take ("apply networkpolicies=3, …")
// and the total, and resets them.
func (rc *requestCounter) take() (string, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var parts []string
	total := 0
	for k, n := range rc.counts {
		parts = append(parts, fmt.Sprintf("%s=%d", k, n))
		total += n
	}
	sort.Strings(parts)
	rc.counts = nil
	return strings.Join(parts, ", "), total
}

// countingClient is a Client built with kube.New over a configuration whose
// transport counts requests.
func countingClient(t *testing.T, namespaces ...string) (*Client, *requestCounter) {
	t.Helper()
	for _, ns := range namespaces {
		if err := cluster.EnsureNamespace(context.Background(), ns); err != nil {
			t.Fatal(err)
		}
	}
	rc := &requestCounter{}
	cfg := rest.CopyConfig(cluster.RESTConfig())
	cfg.QPS, cfg.Burst = 1000, 1000
	cfg.WrapTransport = rc.wrap
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, rc
}

// twelve is a segment of 12 objects: 5 NetworkPolicies and one
// AuthorizationPolicy in each of two namespaces.
func twelve(a, b string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, ns := range []string{a, b} {
		for i := range 5 {
			out = append(out, netpol(ns, fmt.Sprintf("flow-%d", i), int64(8000+i)))
		}
		out = append(out, authz(ns, "flow-authz"))
	}
	return out
}

func TestMeasureRequests(t *testing.T) {
	ctx := context.Background()
	c, rc := countingClient(t, "meas-a", "meas-b")
	owner := "seg-measure"
	desired := twelve("meas-a", "meas-b")
	step := func(name string, f func() error) {
		t.Helper()
		rc.take()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s, n := rc.take()
		t.Logf("%-28s %2d requests: %s", name, n, s)
	}
	step("create 12", func() error { _, err := c.Apply(ctx, owner, desired); return err })
	step("re-apply unchanged", func() error { _, err := c.Apply(ctx, owner, desired); return err })
	changed := twelve("meas-a", "meas-b")
	changed[2] = netpol("meas-a", "flow-2", 9999)
	step("one changed", func() error { _, err := c.Apply(ctx, owner, changed); return err })
	step("refresh (List)", func() error { _, err := c.List(ctx, owner); return err })
	step("delete all", func() error { _, err := c.DeleteAll(ctx, owner); return err })
}
