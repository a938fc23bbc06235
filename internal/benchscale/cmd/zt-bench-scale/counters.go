package main

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// kubeResources are the kinds the provider reads or writes; the API
// server's own background requests (leases, events, …) are left out.
var kubeResources = map[string]bool{"networkpolicies": true, "authorizationpolicies": true, "namespaces": true, "configmaps": true, "segmentrecords": true, "pods": true, "customresourcedefinitions": true}

// kubeRequests reads apiserver_request_total by "verb resource".
func (b *bench) kubeRequests() (map[string]int, error) {
	raw, err := b.kube.RESTClient().Get().AbsPath("/metrics").DoRaw(b.ctx)
	if err != nil {
		return nil, fmt.Errorf("reading kube-apiserver /metrics: %w", err)
	}
	out := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	const metric = "apiserver_request_total{"
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, metric) {
			continue
		}
		labels, value, _ := strings.Cut(line[len(metric):], "} ")
		resource, verb := label(labels, "resource"), label(labels, "verb")
		if !kubeResources[resource] {
			continue
		}
		n, _ := strconv.ParseFloat(value, 64)
		out[verb+" "+resource] += int(n)
	}
	return out, nil
}

func label(labels, name string) string {
	_, rest, ok := strings.Cut(labels, name+`="`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

func diff(a, b map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range a {
		if d := v - b[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// ec2Calls sums the EC2 counters whose action passes keep.
func ec2Calls(m map[string]int64, keep func(action string) bool) (int64, string) {
	var n int64
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		action, ok := strings.CutPrefix(k, "ec2:")
		if !ok || !keep(action) {
			continue
		}
		n += m[k]
		parts = append(parts, fmt.Sprintf("%s %d", action, m[k]))
	}
	return n, strings.Join(parts, ", ")
}

func isRead(a string) bool {
	return strings.HasPrefix(a, "Describe") || strings.HasPrefix(a, "Get") || strings.HasPrefix(a, "List")
}

func isRuleWrite(a string) bool {
	return strings.HasPrefix(a, "AuthorizeSecurityGroup") || strings.HasPrefix(a, "RevokeSecurityGroup") ||
		a == "ModifySecurityGroupRules" || strings.HasPrefix(a, "UpdateSecurityGroupRuleDescriptions")
}
