package kubernetes

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

func TestIstioAuthorizationPolicies(t *testing.T) {
	web := seg("web", "edge", "web", "app", "web")
	policies := []Policy{{
		Segment: payments,
		Flows: []model.Flow{
			in(0, peerOf(checkout), "tcp", pr(8443, 8443), pr(9000, 9001)),
			in(1, peerOf(web), "tcp", pr(9000, 9001), pr(8443, 8443)), // same operation as flow 0: shares its rule
			withHTTP(in(2, peerOf(ledger), "tcp", pr(8080, 8080)), model.HTTPMatch{Methods: []string{"POST", "GET", "GET"}, Paths: []string{"/api/*"}}),
			in(3, model.Peer{CIDR: "10.9.0.0/16"}, "tcp", pr(8443, 8443)),
			in(4, peerOf(web), "udp", pr(5353, 5353)), // UDP is not proxied by Istio
			in(5, peerOf(ledger), "all"),
			out(6, peerOf(ledger), "tcp", pr(5432, 5432)),
			out(7, model.Peer{CIDR: "192.0.2.0/24"}, "tcp", pr(443, 443)), // leaves the mesh: nothing to authorize
		},
	}}
	objs := mustCompile(t, policies, Options{Istio: &IstioOptions{TrustDomain: "mesh.example.com"}, AllowDNS: Bool(false)})
	type simple struct {
		NS, Selector string
		Rules        []AuthorizationRule
	}
	var got []simple
	for _, ap := range objs.AuthorizationPolicies {
		s := simple{NS: ap.Namespace, Rules: ap.Spec.Rules}
		if ap.Spec.Selector != nil {
			s.Selector = ap.Spec.Selector.MatchLabels["app"]
		}
		if ap.Spec.Action != "" && ap.Spec.Action != "ALLOW" {
			t.Errorf("%s: action %q", ap.Name, ap.Spec.Action)
		}
		if ap.APIVersion != "security.istio.io/v1" || ap.Kind != "AuthorizationPolicy" {
			t.Errorf("%s: %s %s", ap.Name, ap.APIVersion, ap.Kind)
		}
		got = append(got, s)
	}
	p := func(ns, sa string) string { return "mesh.example.com/ns/" + ns + "/sa/" + sa }
	want := []simple{
		{NS: "edge"}, // allow-nothing
		{NS: "finance"},
		{NS: "finance", Selector: "ledger", Rules: []AuthorizationRule{{
			From: []RuleFrom{{Source: Source{Principals: []string{p("prod", "payment-api")}}}},
			To:   []RuleTo{{Operation: Operation{Ports: []string{"5432"}}}},
		}}},
		{NS: "prod"},
		{NS: "prod", Selector: "payment-api", Rules: []AuthorizationRule{
			{From: []RuleFrom{{Source: Source{Principals: []string{p("finance", "ledger")}}}}}, // all: any port
			{From: []RuleFrom{{Source: Source{Principals: []string{p("finance", "ledger")}}}},
				To: []RuleTo{{Operation: Operation{Ports: []string{"8080"}, Methods: []string{"GET", "POST"}, Paths: []string{"/api/*"}}}}},
			{From: []RuleFrom{{Source: Source{IPBlocks: []string{"10.9.0.0/16"}}}},
				To: []RuleTo{{Operation: Operation{Ports: []string{"8443"}}}}},
			{From: []RuleFrom{{Source: Source{Principals: []string{p("edge", "web"), p("prod", "checkout")}}}},
				To: []RuleTo{{Operation: Operation{Ports: []string{"8443", "9000", "9001"}}}}},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		a, _ := json.MarshalIndent(got, "", " ")
		b, _ := json.MarshalIndent(want, "", " ")
		t.Fatalf("got\n%s\nwant\n%s", a, b)
	}
	for _, ap := range objs.AuthorizationPolicies[:2] {
		if !strings.HasPrefix(ap.Name, "zt-allow-nothing-") || !reflect.DeepEqual(ap.Spec, AuthorizationPolicySpec{}) {
			t.Errorf("%s: want an allow-nothing policy, got %+v", ap.Name, ap.Spec)
		}
	}
}

func TestIstioDefaultTrustDomain(t *testing.T) {
	objs := mustCompile(t, []Policy{{Segment: payments, Flows: []model.Flow{in(0, peerOf(checkout), "tcp", pr(1, 1))}}}, Options{Istio: &IstioOptions{}})
	last := objs.AuthorizationPolicies[len(objs.AuthorizationPolicies)-1]
	if got := last.Spec.Rules[0].From[0].Source.Principals[0]; got != "cluster.local/ns/prod/sa/checkout" {
		t.Fatalf("principal %q", got)
	}
}

func TestAuthorizationPolicyDeepCopy(t *testing.T) {
	objs := mustCompile(t, []Policy{{Segment: payments, Flows: []model.Flow{in(0, peerOf(checkout), "tcp", pr(1, 2))}}}, Options{Istio: &IstioOptions{}})
	orig := &objs.AuthorizationPolicies[len(objs.AuthorizationPolicies)-1]
	var obj runtime.Object = orig.DeepCopyObject()
	cp := obj.(*AuthorizationPolicy)
	if !reflect.DeepEqual(cp, orig) {
		t.Fatal("copy differs")
	}
	cp.Spec.Rules[0].From[0].Source.Principals[0] = "x"
	cp.Spec.Selector.MatchLabels["app"] = "x"
	cp.Labels[OwnerLabel] = "x"
	if orig.Spec.Rules[0].From[0].Source.Principals[0] == "x" || orig.Spec.Selector.MatchLabels["app"] == "x" || orig.Labels[OwnerLabel] == "x" {
		t.Fatal("copy shares memory with the original")
	}
	if (*AuthorizationPolicy)(nil).DeepCopy() != nil {
		t.Fatal("nil copy")
	}
}
