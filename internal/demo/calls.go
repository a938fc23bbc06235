package demo

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"k8s.io/client-go/kubernetes"
)

// AWSCalls reads the sandbox front's call counters ("<service>:<Action>"
// → count since the sandbox started or its counters were reset).
func AWSCalls(ctx context.Context, controlURL string) (map[string]int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, controlURL+"/counters", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading the sandbox's call counters: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("reading the sandbox's call counters: %s", resp.Status)
	}
	m := map[string]int{}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return nil, fmt.Errorf("reading the sandbox's call counters: %w", err)
	}
	return m, nil
}

// kubernetesResources are the kinds the provider reads or writes: its
// policies, and the pods and namespaces it inspects.
var kubernetesResources = map[string]bool{"networkpolicies": true, "authorizationpolicies": true, "pods": true, "namespaces": true}

// KubernetesRequests reads the API server's request counters for the kinds
// the provider touches, as "kubernetes:<VERB> <resource>" → count.
func KubernetesRequests(ctx context.Context, kube kubernetes.Interface) (map[string]int, error) {
	raw, err := kube.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the API server's metrics: %w", err)
	}
	out := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	const metric = "apiserver_request_total{"
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, metric) {
			continue
		}
		labels, value, _ := strings.Cut(line[len(metric):], "} ")
		resource, verb := label(labels, "resource"), label(labels, "verb")
		if !kubernetesResources[resource] {
			continue
		}
		n, _ := strconv.ParseFloat(value, 64)
		out["kubernetes:"+verb+" "+resource] += int(n)
	}
	return out, sc.Err()
}

func label(labels, name string) string {
	// A leading comma keeps "resource" from matching "subresource".
	_, rest, ok := strings.Cut(","+labels, ","+name+`="`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}
