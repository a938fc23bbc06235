package provider_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// Bad input that passed plan and failed at apply (or decided nothing),
// refused at plan with no cloud or cluster reachable: each error is at the
// attribute and says what to write instead.

// noCloudWithCluster is ProviderBlockNoCloud plus a Kubernetes API server
// at a closed port: a plan that reads the cluster fails to reach it.
func noCloudWithCluster() string {
	return strings.Replace(acctest.ProviderBlockNoCloud(), "provider \"zerotrust\" {\n",
		"provider \"zerotrust\" {\n"+acctest.Block("kubernetes", acctest.Attr("host", acctest.ClosedEndpoint)), 1)
}

func planOnly(t *testing.T, config, wantErr string) {
	t.Helper()
	step := resource.TestStep{Config: config, PlanOnly: true, ExpectNonEmptyPlan: true}
	if wantErr != "" {
		// The CLI wraps long lines: any space may be a line break.
		step.ExpectError = regexp.MustCompile(strings.ReplaceAll(wantErr, " ", `\s+`))
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: []resource.TestStep{step}})
}

// oidcProxy is an OIDC access proxy; lines add to it and identityLines to
// its identity_provider block.
func oidcProxy(typ string, lines []string, identityLines ...string) string {
	idp := []string{acctest.Attr("type", typ), acctest.Attr("reference", "idp")}
	if typ == "oidc" {
		idp = append(idp, acctest.Block("oidc", acctest.Attr("issuer", "https://idp.example.com"),
			acctest.Attr("authorization_endpoint", "https://idp.example.com/authorize"), acctest.Attr("token_endpoint", "https://idp.example.com/token"),
			acctest.Attr("user_info_endpoint", "https://idp.example.com/userinfo"), acctest.Attr("client_id", "web"), acctest.Attr("client_secret", "s")))
	}
	return acctest.AccessProxy("p", "bad-proxy", append(lines, acctest.Block("identity_provider", append(idp, identityLines...)...))...)
}

// nativeOIDC is a native_application_oidc block; drop leaves one option out.
func nativeOIDC(drop string) string {
	var lines []string
	for _, kv := range [][2]string{
		{"public_signing_key_endpoint", "https://idp.example.com/keys"}, {"issuer", "https://idp.example.com"},
		{"authorization_endpoint", "https://idp.example.com/authorize"}, {"token_endpoint", "https://idp.example.com/token"},
		{"user_info_endpoint", "https://idp.example.com/userinfo"}, {"client_id", "native"}, {"client_secret", "native-secret"},
	} {
		if kv[0] != drop {
			lines = append(lines, acctest.Attr(kv[0], kv[1]))
		}
	}
	return acctest.Block("native_application_oidc", lines...)
}

// restrictedSurface is a restricted surface with a literal proxy id and
// trust context (planned with no cloud); lines add to it.
func restrictedSurface(lines ...string) string {
	return acctest.Resource("zerotrust_protect_surface", "s", append([]string{
		acctest.Attr("name", "ledger"), acctest.Attr("sensitivity", "restricted"), acctest.Attr("proxy_id", "vai-0123456789abcdef0"),
		acctest.Attr("proxy_trust_context", `{"identity_provider":{"type":"iam-identity-center","reference":"idc","mfa_enforced":true},"device_trust_providers":[]}`),
	}, lines...)...)
}

// keysRequired is noCloudWithCluster with the customer-managed-key floor enforced.
func keysRequired() string {
	return strings.Replace(noCloudWithCluster(), "provider \"zerotrust\" {\n",
		"provider \"zerotrust\" {\n"+acctest.Block("sensitivity_floors", acctest.Attr("require_customer_managed_keys", true)), 1)
}

func TestBadInputPlan_refused(t *testing.T) {
	vpc := acctest.Segment("s", "bad-s", firstPlanVPC)
	laterVPC := acctest.Resource("terraform_data", "vpc", acctest.Attr("input", firstPlanVPC)) +
		acctest.Segment("later", "bad-later", "", acctest.Attr("vpc_id", acctest.Expr("terraform_data.vpc.output")))
	missingPeer := acctest.AllowFrom(acctest.Attr("segment", "k8s/shop/missing"), acctest.Attr("ports", []string{"443"}))
	group := acctest.AccessGroup("g", "bad-inputs")
	cases := map[string]struct{ config, want string }{
		"set policy block with no flow": {
			vpc + acctest.Resource("zerotrust_segment_policy_set", "set", acctest.Attr("name", "bad"),
				acctest.Block("policy", acctest.Attr("segment", acctest.Ref("zerotrust_segment.s")))),
			`(?s)Policy declares no flow.*policy\[0\] has neither allow_from nor allow_to.*remove the policy block`,
		},
		"set with no policy block": {
			vpc + acctest.Resource("zerotrust_segment_policy_set", "set", acctest.Attr("name", "bad")),
			`(?s)No policy block.*a set needs at least one policy block`,
		},
		"missing kubernetes peer, governed segment known": {
			vpc + acctest.SegmentPolicy("p", "zerotrust_segment.s", missingPeer),
			`(?s)Peer segment cannot be found.*segment = "k8s/shop/missing".*not planned in this configuration.*zerotrust_segment.<name>.id`,
		},
		"missing kubernetes peer, governed segment known only after apply": {
			laterVPC + acctest.SegmentPolicy("p", "zerotrust_segment.later", missingPeer),
			`(?s)Peer segment cannot be found.*segment = "k8s/shop/missing"`,
		},
		"missing kubernetes peer in a set": {
			vpc + acctest.Resource("zerotrust_segment_policy_set", "set", acctest.Attr("name", "bad"),
				acctest.Block("policy", acctest.Attr("segment", acctest.Ref("zerotrust_segment.s")), strings.Replace(missingPeer, "allow_from", "allow_to", 1))),
			`(?s)Peer segment cannot be found.*segment = "k8s/shop/missing"`,
		},
		"non-ASCII security group description": {
			acctest.Segment("s", "bad-s", firstPlanVPC, acctest.Attr("description", "café tier")),
			`(?s)Unsupported character in description.*description = "café tier".*found 'é'`,
		},
		"grant name outside the tag character set": {
			group + acctest.PrivilegedAccess("a", "db admins (prod)!", acctest.Ref("zerotrust_access_group.g"),
				acctest.Attr("accounts", []string{"111111111111"}), acctest.Attr("managed_policies", []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"})),
			`(?s)Unsupported character for a tag value.*zerotrust:privileged-access.*found '\('`,
		},
		"empty decision policy document": {
			`data "zerotrust_access_decision" "d" {` + "\n  policy_document = \"  \"\n  request = {}\n}\n",
			`(?s)Empty policy document.*policy_document is empty`,
		},
		"maturity assessment given facts instead of a surface": {
			`data "zerotrust_maturity_assessment" "m" {` + "\n  protect_surfaces = [{ name = \"payments\", device_required = true }]\n}\n",
			`(?s)Not a zerotrust_protect_surface.*protect_surfaces\[0\] must be a zerotrust_protect_surface passed whole.*without sensitivity, access_rule`,
		},
		"native-application OIDC options on an IAM Identity Center provider": {
			oidcProxy("iam-identity-center", nil, nativeOIDC("")),
			`(?s)Native-application OIDC options not applicable.*applies to oidc identity providers only, not "iam-identity-center"`,
		},
		"native-application OIDC options without the public signing key endpoint": {
			oidcProxy("oidc", nil, nativeOIDC("public_signing_key_endpoint")),
			`(?s)Missing native-application OIDC option.*public_signing_key_endpoint is required in the native_application_oidc block`,
		},
		"native-application OIDC options without the client secret": {
			oidcProxy("oidc", nil, nativeOIDC("client_secret")),
			`(?s)Missing native-application OIDC option.*client_secret is required`,
		},
		"CIDR-endpoint subdomain in upper case": {
			oidcProxy("oidc", []string{acctest.Attr("cidr_endpoints_custom_subdomain", "Net.Corp.example.com")}),
			`(?s)cidr_endpoints_custom_subdomain.*must be a lower-case DNS name`,
		},
		"CIDR-endpoint subdomain of one label": {
			oidcProxy("oidc", []string{acctest.Attr("cidr_endpoints_custom_subdomain", "localhost")}),
			`(?s)cidr_endpoints_custom_subdomain.*must be a lower-case DNS name of at least two labels`,
		},
		"KMS alias as the proxy's key": {
			oidcProxy("oidc", []string{acctest.Attr("kms_key_arn", "alias/verified-access")}),
			`(?s)kms_key_arn.*must be a KMS key ARN`,
		},
		"KMS key id as a surface's key": {
			restrictedSurface(acctest.Attr("kms_key_arn", "1234abcd-12ab-34cd-56ef-1234567890ab")),
			`(?s)kms_key_arn.*must be a KMS key ARN`,
		},
		"unknown key in a reachability flow": {
			`data "zerotrust_reachability" "r" {` + "\n  segments = [{ name = \"a\" }, { name = \"b\" }]\n  flows = [{ from = \"b\", to = \"a\", cidr_blocks = [\"10.0.0.0/8\"], ports = [\"443\"] }]\n}\n",
			`(?s)Unknown flow attribute.*flows\[0\] has an attribute "from".*to, segment, cidr_blocks.*Did you mean segment\?`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			planOnly(t, acctest.Config(noCloudWithCluster(), tc.config), tc.want)
		})
	}
	t.Run("restricted surface without a customer-managed key where keys are required", func(t *testing.T) {
		t.Parallel()
		planOnly(t, acctest.Config(keysRequired(), restrictedSurface()),
			// The attribute is unset, so the CLI points at the resource; the detail names it.
			`(?s)Below the restricted floor.*resource "zerotrust_protect_surface" "s".*must encrypt its Verified Access group and endpoints with a customer-managed KMS key.*Set kms_key_arn`)
	})
}

// TestBadInputPlan_accepted: what the refusals above must not catch.
func TestBadInputPlan_accepted(t *testing.T) {
	label := acctest.Resource("terraform_data", "label", acctest.Attr("input", "web"))
	pending := acctest.Segment("peer", "bad-peer", "", acctest.Block("kubernetes", acctest.Attr("namespace", "shop"),
		acctest.Attr("pod_labels", acctest.Expr("{ app = terraform_data.label.output }"))))
	known := acctest.Segment("known", "Known_Peer.v2", "", acctest.Block("kubernetes", acctest.Attr("namespace", "shop"), acctest.Attr("pod_labels", map[string]string{"app": "known"})))
	fromPeers := acctest.AllowFrom(acctest.Attr("segment", acctest.Ref("zerotrust_segment.peer")), acctest.Attr("ports", []string{"443"})) +
		acctest.AllowFrom(acctest.Attr("segment", acctest.Ref("zerotrust_segment.known")), acctest.Attr("ports", []string{"443"}))
	cases := map[string]string{
		// Planned peers come from the plan memory: the unreachable cluster is never asked.
		"planned kubernetes peers, cluster unreachable": label + pending + known +
			acctest.Segment("s", "bad-s", "", acctest.Block("kubernetes", acctest.Attr("namespace", "shop"), acctest.Attr("pod_labels", map[string]string{"app": "s"}))) +
			acctest.SegmentPolicy("p", "zerotrust_segment.s", fromPeers) +
			acctest.Resource("zerotrust_segment_policy_set", "set", acctest.Attr("name", "ok"),
				acctest.Block("policy", acctest.Attr("segment", acctest.Ref("zerotrust_segment.known")),
					acctest.AllowTo(acctest.Attr("segment", acctest.Ref("zerotrust_segment.peer")), acctest.Attr("ports", []string{"443"})))),
		// A flowless block over a placed segment compiles to its namespace's default deny.
		"set policy block with no flow over a kubernetes placement": known +
			acctest.Resource("zerotrust_segment_policy_set", "set", acctest.Attr("name", "ok"),
				acctest.Block("policy", acctest.Attr("segment", acctest.Ref("zerotrust_segment.known")))),
		// The description of a segment with no security group is EC2's concern nowhere.
		"non-ASCII description of a Kubernetes-only segment": acctest.Segment("k", "k", "", acctest.Attr("description", "café tier"),
			acctest.Block("kubernetes", acctest.Attr("namespace", "shop"), acctest.Attr("pod_labels", map[string]string{"app": "k"}))),
		"grant name in the tag character set": acctest.AccessGroup("g", "ok") +
			acctest.PrivilegedAccess("a", "Zugang für Prod-DB: ops@example.com/+=", acctest.Ref("zerotrust_access_group.g"),
				acctest.Attr("accounts", []string{"111111111111"}), acctest.Attr("managed_policies", []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"})),
	}
	for name, config := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			planOnly(t, acctest.Config(noCloudWithCluster(), config), "")
		})
	}
	// The customer-managed-key floor binds only where the provider enforces it.
	keyCases := map[string]string{
		"restricted surface without a key, floor not enforced": acctest.Config(noCloudWithCluster(), restrictedSurface()),
		"restricted surface without a key, acknowledged":       acctest.Config(keysRequired(), restrictedSurface(acctest.Attr("customer_managed_key_acknowledgement", "key policy pending review"))),
		"restricted surface with a key, floor enforced": acctest.Config(keysRequired(),
			restrictedSurface(acctest.Attr("kms_key_arn", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"))),
		"native-application OIDC options on an OIDC provider, with a subdomain": acctest.Config(noCloudWithCluster(),
			oidcProxy("oidc", []string{acctest.Attr("cidr_endpoints_custom_subdomain", "net.corp.example.com")}, nativeOIDC(""))),
	}
	for name, config := range keyCases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			planOnly(t, config, "")
		})
	}
}
