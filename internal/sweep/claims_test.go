package sweep

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const tfstateV4 = `{
  "version": 4, "terraform_version": "1.9.0", "serial": 3, "lineage": "x", "outputs": {},
  "resources": [
    {"mode": "managed", "type": "zerotrust_segment", "name": "web", "provider": "provider[\"registry.terraform.io/ztforge/zerotrust\"]",
     "instances": [{"schema_version": 0, "attributes": {"id": "sg-0123", "name": "web", "count": 2, "enabled": true}}]},
    {"mode": "managed", "type": "zerotrust_segment_policy", "name": "p",
     "instances": [{"attributes": {"id": "sg-0123/allow-db",
        "kubernetes_manifests": {"networking.k8s.io/v1/NetworkPolicy/shop/zt-web": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"},
        "rules": [{"rule_id": "sgr-9"}]}}]},
    {"mode": "managed", "type": "zerotrust_privileged_access", "name": "a",
     "instances": [{"attributes": {"id": "arn:aws:sso:::instance/ssoins-1,arn:aws:sso:::permissionSet/ssoins-1/ps-7"}}]}
  ]
}`

const showJSON = `{
  "format_version": "1.0", "terraform_version": "1.9.0",
  "values": {"root_module": {
    "resources": [{"address": "zerotrust_identity_group.g", "values": {"id": "g-1", "display_name": "ops"}}],
    "child_modules": [{"address": "module.m", "resources": [{"values": {"instance_id": "vai-5"}}]}]
  }}
}`

const planJSON = `{"format_version": "1.2", "prior_state": {"format_version": "1.0", "values": {"root_module": {
  "resources": [{"values": {"id": "vag-3"}}]}}}, "planned_values": {}}`

func TestLoadClaims(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c, err := LoadClaims(write("a.tfstate", tfstateV4), write("show.json", showJSON), write("plan.json", planJSON))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"sg-0123", "sg-0123/allow-db", "sgr-9", // values, nested lists
		"networking.k8s.io/v1/NetworkPolicy/shop/zt-web", // map keys
		"arn:aws:sso:::permissionSet/ssoins-1/ps-7",      // a part of an import id
		"ps-7",                  // the last part of an ARN
		"g-1", "vai-5", "vag-3", // show -json, child module, plan prior_state
	} {
		if !c[want] {
			t.Errorf("%q not claimed", want)
		}
	}
	for _, not := range []string{"zerotrust_segment", "provider[\"registry.terraform.io/ztforge/zerotrust\"]", "2", "true", "sg-other"} {
		if c[not] {
			t.Errorf("%q claimed, but it is no attribute string of the state", not)
		}
	}
	// Manifests (multi-line) are kept whole, never split into claims.
	if c["NetworkPolicy\n"] || c["apiVersion: networking.k8s.io"] {
		t.Error("a multi-line value was split into claims")
	}
}

func TestLoadClaimsRejectsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"main.tf":    `resource "x" "y" {}`,
		"other.json": `{"hello": "world"}`,
		"v3.tfstate": `{"version": 3, "terraform_version": "0.11", "lineage": "x", "modules": []}`,
	}
	for name, body := range cases {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadClaims(p); err == nil {
			t.Errorf("%s: accepted as a state", name)
		}
	}
	if _, err := LoadClaims(filepath.Join(dir, "missing.tfstate")); err == nil || !strings.Contains(err.Error(), "missing.tfstate") {
		t.Errorf("a missing file: %v", err)
	}
}

func TestCheckDelete(t *testing.T) {
	unproven := Proof{Why: []string{"the AWS endpoint http://127.0.0.1:5000 is not the sandbox's: it does not answer"}}
	cases := []struct {
		name   string
		target Target
		ok     bool
		why    string
	}{
		{"sandbox, both halves proven", Target{AWS: true, Kube: true, Proof: Proof{AWS: true, Kube: true}}, true, ""},
		{"AWS only, proven", Target{AWS: true, Proof: Proof{AWS: true}}, true, ""},
		{"Kubernetes only, proven", Target{Kube: true, Proof: Proof{Kube: true}}, true, ""},
		// A loopback emulator that is not the sandbox proves nothing.
		{"AWS unproven", Target{AWS: true, Proof: unproven}, false, "is not the sandbox's"},
		{"cluster unproven", Target{AWS: true, Kube: true, Proof: Proof{AWS: true, Why: []string{"the Kubernetes API server https://127.0.0.1:6443 is not the sandbox's"}}}, false, "Kubernetes API server"},
		{"nothing proven, no reason given", Target{AWS: true}, false, "not proven"},
		{"real account, explicitly", Target{AWS: true, Kube: true, RealAccount: true}, true, ""},
	}
	for _, c := range cases {
		err := CheckDelete(c.target)
		if (err == nil) != c.ok {
			t.Errorf("%s: CheckDelete = %v, want ok=%v", c.name, err, c.ok)
			continue
		}
		if err != nil && (!strings.Contains(err.Error(), c.why) || !strings.Contains(err.Error(), "-i-know-this-is-a-real-account")) {
			t.Errorf("%s: the refusal does not say why and how: %v", c.name, err)
		}
	}
}

func TestAWSEndpoints(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		name string
		flag string
		env  map[string]string
		want []string
	}{
		{"flag wins", "http://a", map[string]string{"AWS_ENDPOINT_URL": "http://b"}, []string{"http://a"}},
		{"general override", "", map[string]string{"AWS_ENDPOINT_URL": "http://b"}, []string{"http://b"}},
		{"every service", "", map[string]string{"AWS_ENDPOINT_URL_EC2": "http://e", "AWS_ENDPOINT_URL_SSO_ADMIN": "http://s", "AWS_ENDPOINT_URL_IDENTITYSTORE": "http://i"}, []string{"http://e", "http://s", "http://i"}},
		{"one service reaches AWS", "", map[string]string{"AWS_ENDPOINT_URL_EC2": "http://e"}, nil},
		{"no override", "", map[string]string{}, nil},
	}
	for _, c := range cases {
		if got := AWSEndpoints(c.flag, env(c.env)); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestRuleOwnedByIDAndOwnership: a rule written by a policy or set with an
// ownership id (zerotrust:policy = <id>@<ownership id>) is claimed by a
// state holding both, not by one holding the id alone (another state's
// resource of the same id).
func TestRuleOwnedByIDAndOwnership(t *testing.T) {
	rule := func() *Object {
		return &Object{Kind: KindSecurityGroupRule, ID: "sgr-1", keys: []string{"sgr-1"}, ownerPair: []string{"set/shop", "0b6d3c2e-1111-4222-8333-444455556666"}}
	}
	both, idOnly := rule(), rule()
	(&Inventory{Objects: []*Object{both}}).resolve(Claims{"set/shop": true, "0b6d3c2e-1111-4222-8333-444455556666": true})
	(&Inventory{Objects: []*Object{idOnly}}).resolve(Claims{"set/shop": true, "another-ownership-id": true})
	if !both.Claimed {
		t.Error("a rule whose id and ownership id the state holds is not claimed")
	}
	if idOnly.Claimed {
		t.Error("a rule of another state's resource of the same id is claimed")
	}
}
