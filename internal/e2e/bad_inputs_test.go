package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// Bad input must fail at plan, through the real CLI, with a diagnostic that
// points at what is wrong — never a panic, a framework conversion message or
// an "error in the provider".
var notForUsers = []string{
	"always an error in the provider", "Value Conversion Error", "panic:", "Plugin did not respond",
	"%!", "Unexpected Provider Error", "goroutine ", "bug in the provider", "tftypes.", "Provider produced invalid",
	"Provider produced inconsistent", "<nil>",
}

// goodInputs must plan: values the bad-input checks must not refuse, among
// them label values known only from a variable or from other resources.
func goodInputs() map[string]string {
	return map[string]string{
		"pod label from a variable": "variable \"app\" {\n  type    = string\n  default = \"web\"\n}\n" +
			badSegmentBase("  kubernetes {\n    namespace  = \"shop\"\n    pod_labels = { app = var.app }\n  }"),
		"pod labels from other resources' attributes": "resource \"terraform_data\" \"label\" {\n  input = \"api\"\n}\n" + badGroup +
			badSegmentBase("  kubernetes {\n    namespace  = \"shop\"\n    pod_labels = { app = terraform_data.label.output, tier = zerotrust_access_group.g.display_name }\n  }") +
			"resource \"zerotrust_segment\" \"peer\" {\n  name   = \"bad-inputs-peer\"\n  vpc_id = \"vpc-0123456789abcdef0\"\n  kubernetes {\n    namespace  = \"shop\"\n    pod_labels = { app = zerotrust_segment.s.name }\n  }\n}\n" +
			"resource \"zerotrust_segment_policy\" \"p\" {\n  segment = zerotrust_segment.s.id\n  allow_from {\n    segment = zerotrust_segment.peer.id\n    ports   = [\"443\"]\n  }\n}\n",
		// A segment name need not be a Kubernetes name: objects are named
		// from it reduced to a DNS label, with a hash of the exact name.
		"kubernetes segment named outside DNS-1123": badKubeSegment("Web_Tier.v2", "    pod_labels = { app = \"web\" }"),
		// Peers planned in the configuration, one known only after apply:
		// the cluster is not asked for them (none need be configured).
		"planned kubernetes peers, one known only after apply": "resource \"terraform_data\" \"label\" {\n  input = \"api\"\n}\n" +
			badKubeSegment("bad-inputs", "    pod_labels = { app = \"s\" }") +
			strings.Replace(badKubeSegment("bad-inputs-peer", "    pod_labels = { app = terraform_data.label.output }"), "\"s\"", "\"peer\"", 1) +
			"resource \"zerotrust_segment_policy\" \"p\" {\n  segment = zerotrust_segment.s.id\n  allow_from {\n    segment = zerotrust_segment.peer.id\n    ports   = [\"443\"]\n  }\n}\n" +
			"resource \"zerotrust_segment_policy_set\" \"set\" {\n  name = \"bad-inputs\"\n  policy {\n    segment = zerotrust_segment.peer.id\n    allow_to {\n      segment = zerotrust_segment.s.id\n      ports   = [\"443\"]\n    }\n  }\n}\n",
		// Without flows a block still compiles to its namespace's default deny.
		"flowless set block over a kubernetes placement": badSegmentBase("  kubernetes {\n    namespace = \"shop\"\n  }") +
			"resource \"zerotrust_segment_policy_set\" \"set\" {\n  name = \"bad-inputs\"\n  policy {\n    segment = zerotrust_segment.s.id\n  }\n}\n",
		// Its description is no security group's: EC2's set does not apply.
		"free description of a Kubernetes-only segment":      badSegment("  name = \"k\"\n  description = \"caf\u00e9 tier \u2014 \\\"web\\\"\"\n  kubernetes {\n    namespace = \"shop\"\n    pod_labels = { app = \"k\" }\n  }"),
		"grant name of letters, digits, spaces and _.:/=+-@": badPrivileged("  name = \"Zugang f\u00fcr Prod-DB: ops@example.com/+=_.\"\n  accounts = [\"111111111111\"]\n  managed_policies = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]"),
		"reachability flows from a for expression with null sources": "locals {\n  flows = [{ to = \"db\", from = \"web\", cidr_blocks = null }, { to = \"web\", from = null, cidr_blocks = [\"0.0.0.0/0\"] }]\n}\n" +
			badReach(reachSegments, "[for f in local.flows : { to = f.to, segment = f.from, cidr_blocks = f.cidr_blocks, ports = [443] }]", ""),
	}
}

type badInput struct {
	name, config string
	// want must match the plan's output: usually the attribute's source
	// line and the substance of the message.
	want string
}

// Valid bases each case changes one thing of. Each base plans cleanly on its
// own (checked first), so a case fails for its bad value only.
const (
	badProxy = `
resource "zerotrust_access_proxy" "p" {
  name = "bad-inputs"
  identity_provider {
    type         = "iam-identity-center"
    reference    = "idc"
    mfa_enforced = true
  }
  device_trust_provider {
    type      = "jamf"
    reference = "jamf"
    tenant_id = "jamf-tenant"
  }
}
`
	badGroup = `
resource "zerotrust_access_group" "g" {
  display_name = "bad-inputs"
}
`
)

func badSegment(attrs string) string {
	return fmt.Sprintf("resource \"zerotrust_segment\" \"s\" {\n%s\n}\n", attrs)
}

func badSegmentBase(extra string) string {
	return badSegment("  name   = \"bad-inputs\"\n  vpc_id = \"vpc-0123456789abcdef0\"\n" + extra)
}

// badPolicy is a policy on a segment created in the same apply: what the
// policy is checked against (the segment's sensitivity) is known at plan
// from the segment's id alone.
func badPolicy(sensitivity, flows string) string {
	return badSegmentBase("  sensitivity = \""+sensitivity+"\"") + fmt.Sprintf(`
resource "zerotrust_segment_policy" "p" {
  segment = zerotrust_segment.s.id
%s
}
`, flows)
}

func badFlow(block, attrs string) string {
	return badPolicy("restricted", fmt.Sprintf("  %s {\n%s\n  }", block, attrs))
}

func badSurface(top, rule string) string {
	return badProxy + badGroup + fmt.Sprintf(`
resource "zerotrust_protect_surface" "s" {
  name                = "bad-inputs"
  proxy_id            = zerotrust_access_proxy.p.id
  proxy_trust_context = zerotrust_access_proxy.p.trust_context
%s
  access_rule {
    name   = "r"
    groups = [zerotrust_access_group.g.id]
%s
  }
}
`, top, rule)
}

func badApp(attrs string) string {
	return badSurface(fmt.Sprintf("  sensitivity = \"internal\"\n  application {\n%s\n  }", attrs), "")
}

func badPrivileged(attrs string) string {
	return badGroup + fmt.Sprintf(`
resource "zerotrust_privileged_access" "a" {
  group = zerotrust_access_group.g.id
%s
}
`, attrs)
}

func badProxyWith(attrs string) string {
	return fmt.Sprintf("resource \"zerotrust_access_proxy\" \"p\" {\n%s\n}\n", attrs)
}

const idc = `
  identity_provider {
    type         = "iam-identity-center"
    reference    = "idc"
    mfa_enforced = true
  }`

func badInputs() (bases []string, cases []badInput) {
	bases = []string{
		badSegmentBase(""),
		badPolicy("restricted", "  allow_from {\n    cidr_blocks = [\"10.0.0.0/8\"]\n    ports = [\"443\"]\n  }"),
		badSurface("  sensitivity = \"internal\"", ""),
		badApp(`    name = "a"
    domain = "a.example.com"
    load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/a/0123456789abcdef"
    port = 443
    domain_certificate_arn = "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"
    subnet_ids = ["subnet-0123456789abcdef0"]`),
		badPrivileged(`  name = "bad-inputs"
  accounts = ["111111111111"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]`),
		badProxy,
		badGroup,
	}
	add := func(name, config, want string) { cases = append(cases, badInput{name, config, want}) }

	// zerotrust_segment
	for _, n := range []string{"", "has space", "-leading", strings.Repeat("a", 64), "tab\\t", "nul\\u0000", "é", "slash/name", "star*"} {
		add("segment name "+n, badSegment("  name = \""+n+"\"\n  vpc_id = \"vpc-0123456789abcdef0\""), `(?s)name`)
	}
	for _, v := range []string{"vpc", "vpc-XYZ", "vpc-0123", "subnet-0123456789abcdef0", ""} {
		add("segment vpc_id "+v, badSegment("  name = \"a\"\n  vpc_id = \""+v+"\""), `(?s)vpc_id`)
	}
	for _, v := range []string{"sg-", "sg-XYZ", "security-group", "sg-0123 "} {
		add("segment security_group_id "+v, badSegment("  name = \"a\"\n  security_group_id = \""+v+"\""), `(?s)security_group_id`)
	}
	for _, v := range []string{"secret", "Restricted", "", "top-secret"} {
		add("segment sensitivity "+v, badSegmentBase("  sensitivity = \""+v+"\""), `(?s)sensitivity.*value must be one of`)
	}
	add("segment neither vpc nor group", badSegment("  name = \"a\""), `(?s)Segment placed nowhere.*Set vpc_id`)
	for _, k := range []string{"managed-by", "zerotrust:segment", "zerotrust:ownership", "zerotrust:anything"} {
		add("segment reserved tag "+k, badSegmentBase("  tags = { \""+k+"\" = \"x\" }"), `(?s)Reserved tag key`)
	}
	for _, k := range []string{`namespace = "Bad_NS"`, `namespace = ""`, `namespace = "ns"` + "\n    pod_labels = { \"bad key!\" = \"v\" }", `namespace = "ns"` + "\n    pod_labels = { app = \"bad value!\" }", `namespace = "ns"` + "\n    service_account = \"Bad_SA\""} {
		add("segment kubernetes "+k, badSegmentBase("  kubernetes {\n    "+k+"\n  }"), `(?s)namespace|pod_labels|service_account`)
	}

	// zerotrust_segment_policy flows
	for _, p := range []string{"0", "70000", "65536", "-1", "a", "1-", "-5", "9000-8000", "1,2", " 443", "443 ", "1-70000", "08x", "65535-65536"} {
		add("flow port "+p, badFlow("allow_from", "    cidr_blocks = [\"10.0.0.0/8\"]\n    ports = [\""+p+"\"]"), `(?s)ports`)
	}
	for _, p := range []string{"TCP", "sctp", "", "6", "any"} {
		add("flow protocol "+p, badFlow("allow_from", "    cidr_blocks = [\"10.0.0.0/8\"]\n    protocol = \""+p+"\"\n    ports = [\"443\"]"), `(?s)protocol`)
	}
	for _, c := range []string{"10.0.0.300/8", "10.0.0.0", "10.0.0.0/33", "::/129", "x", "", "10.0.0.0/8 ", "300.1.1.1/32", "fe80::/10%eth0"} {
		add("flow cidr "+c, badFlow("allow_from", "    cidr_blocks = [\""+c+"\"]\n    ports = [\"443\"]"), `(?s)Invalid CIDR block|cidr_blocks`)
	}
	for _, c := range [][]string{{"0.0.0.0/0"}, {"::/0"}, {"0.0.0.0/1", "128.0.0.0/1"}, {"0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"}, {"::/1", "8000::/1"}, {"::ffff:0.0.0.0/96"}, {"2000::/3"}} {
		add("internet into restricted "+strings.Join(c, "+"), badFlow("allow_from", "    cidr_blocks = [\""+strings.Join(c, "\", \"")+"\"]\n    ports = [\"443\"]"), `(?s)Open internet into a restricted segment`)
	}
	for _, pl := range []string{"pl-", "PL-0123", "prefix", "pl-xyz"} {
		add("flow prefix list "+pl, badFlow("allow_to", "    prefix_list_ids = [\""+pl+"\"]\n    ports = [\"443\"]"), `(?s)prefix_list_ids`)
	}
	for _, d := range []string{"caf\\u00e9", "quote \\\"", "nul \\u0000", "tab\\there", strings.Repeat("d", 256), "emoji 😀"} {
		add("flow description "+d[:min(len(d), 12)], badFlow("allow_from", "    cidr_blocks = [\"10.0.0.0/8\"]\n    ports = [\"443\"]\n    description = \""+d+"\""), `(?s)description`)
	}
	add("flow tcp without ports", badFlow("allow_from", "    cidr_blocks = [\"10.0.0.0/8\"]"), `(?s)Ports required`)
	add("flow icmp with ports", badFlow("allow_from", "    cidr_blocks = [\"10.0.0.0/8\"]\n    protocol = \"icmp\"\n    ports = [\"8\"]"), `(?s)Ports not allowed`)
	add("flow all with ports", badFlow("allow_from", "    cidr_blocks = [\"10.0.0.0/8\"]\n    protocol = \"all\"\n    ports = [\"8\"]"), `(?s)Ports not allowed`)
	// Flows declared twice over segments created in the same apply.
	peer := "resource \"zerotrust_segment\" \"peer\" {\n  name   = \"bad-inputs-peer\"\n  vpc_id = \"vpc-0123456789abcdef0\"\n}\n"
	fromPeer := "  allow_from {\n    segment = zerotrust_segment.peer.id\n    ports = [\"5432\"]\n  }"
	toS := "  allow_to {\n    segment = zerotrust_segment.s.id\n    ports = [\"5432\"]\n  }"
	add("flow declared by two policies over new segments", badPolicy("internal", fromPeer)+peer+
		"resource \"zerotrust_segment_policy\" \"q\" {\n  segment = zerotrust_segment.peer.id\n"+toS+"\n}\n",
		`(?s)Flow declared by two policies.*tcp 5432.*also\s+planned\s+by\s+policy\s+sg/vpc-0123456789abcdef0/bad-inputs`)
	add("flow declared twice in a set over new segments", badSegmentBase("")+peer+
		"resource \"zerotrust_segment_policy_set\" \"set\" {\n  name = \"bad-inputs\"\n  policy {\n    segment = zerotrust_segment.s.id\n"+fromPeer+"\n  }\n  policy {\n    segment = zerotrust_segment.peer.id\n"+toS+"\n  }\n}\n",
		`(?s)Flow declared twice in the set.*tcp 5432.*also\s+compiled\s+from\s+policy\[0\]`)
	add("flow two peers", badFlow("allow_from", "    segment = \"sg-0123456789abcdef0\"\n    cidr_blocks = [\"10.0.0.0/8\"]\n    ports = [\"443\"]"), `(?s)Exactly one peer per flow.*2\s+are\s+set`)
	add("flow no peer", badFlow("allow_from", "    ports = [\"443\"]"), `(?s)Exactly one peer per flow.*none\s+is\s+set`)
	add("flow empty cidr list", badFlow("allow_from", "    cidr_blocks = []\n    ports = [\"443\"]"), `(?s)cidr_blocks`)
	add("flow bad peer segment id", badFlow("allow_from", "    segment = \"web\"\n    ports = [\"443\"]"), `(?s)segment`)
	add("flow short acknowledgement", badFlow("allow_from", "    cidr_blocks = [\"0.0.0.0/0\"]\n    ports = [\"443\"]\n    acknowledgement = \"ok\""), `(?s)acknowledgement`)
	for _, m := range []string{"get", "G ET", "", "POST;DROP"} {
		add("flow http method "+m, badFlow("allow_from", "    segment = zerotrust_segment.s.id\n    ports = [\"443\"]\n    http_methods = [\""+m+"\"]"), `(?s)http_methods`)
	}
	for _, p := range []string{"", "no-slash", "/a b", "/nul\\u0000"} {
		add("flow http path "+p, badFlow("allow_from", "    segment = zerotrust_segment.s.id\n    ports = [\"443\"]\n    http_paths = [\""+p+"\"]"), `(?s)http_paths`)
	}
	add("flow http on udp", badFlow("allow_from", "    segment = zerotrust_segment.s.id\n    protocol = \"udp\"\n    ports = [\"53\"]\n    http_methods = [\"GET\"]"), `(?s)http_methods|HTTP`)
	add("policy bad name", badPolicy("internal", "  name = \"Bad Name\"\n  allow_from {\n    cidr_blocks = [\"10.0.0.0/8\"]\n    ports = [\"443\"]\n  }"), `(?s)name`)
	add("policy quota", badPolicy("internal", "  max_rules_per_direction = 1\n  allow_from {\n    cidr_blocks = [\"10.0.0.0/8\", \"10.1.0.0/16\"]\n    ports = [\"443\"]\n  }"), `(?s)quota`)
	add("policy quota zero", badPolicy("internal", "  max_rules_per_direction = 0\n  allow_from {\n    cidr_blocks = [\"10.0.0.0/8\"]\n    ports = [\"443\"]\n  }"), `(?s)max_rules_per_direction`)
	add("policy bad segment id", badSegmentBase("")+`
resource "zerotrust_segment_policy" "p" {
  segment = "segment-1"
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
    ports       = ["443"]
  }
}`, `(?s)segment`)

	// zerotrust_access_group
	for _, n := range []string{"", " padded", "padded ", strings.Repeat("n", 1025)} {
		add("group display_name "+n[:min(len(n), 10)], "resource \"zerotrust_access_group\" \"g\" {\n  display_name = \""+n+"\"\n}", `(?s)display_name`)
	}
	for _, v := range []string{"payments", "9067b2a3", "9067b2a3-1234-4c5d-8e9f-0123456789aZ", ""} {
		add("group group_id "+v, "resource \"zerotrust_access_group\" \"g\" {\n  group_id = \""+v+"\"\n}", `(?s)group_id`)
	}
	add("group neither", "resource \"zerotrust_access_group\" \"g\" {\n  members = []\n}", `(?s)At least one attribute out of`)
	add("group blank member", "resource \"zerotrust_access_group\" \"g\" {\n  display_name = \"a\"\n  members = [\"\"]\n}", `(?s)members`)
	add("group membership mode", "resource \"zerotrust_access_group\" \"g\" {\n  display_name = \"a\"\n  membership = \"sometimes\"\n}", `(?s)membership`)
	add("group description too long", "resource \"zerotrust_access_group\" \"g\" {\n  display_name = \"a\"\n  description = \""+strings.Repeat("d", 1024)+"\"\n}", `(?s)description`)
	add("group empty description", "resource \"zerotrust_access_group\" \"g\" {\n  display_name = \"a\"\n  description = \"\"\n}", `(?s)description`)

	// zerotrust_access_proxy
	for _, n := range []string{"", "-x", "has space", strings.Repeat("p", 64), "slash/name"} {
		add("proxy name "+n[:min(len(n), 10)], badProxyWith("  name = \""+n+"\""+idc), `(?s)name`)
	}
	add("proxy no identity provider", badProxyWith(`  name = "p"`), `(?s)identity_provider`)
	add("proxy identity type", badProxyWith("  name = \"p\"\n  identity_provider {\n    type = \"saml\"\n    reference = \"idp\"\n  }"), `(?s)type`)
	for _, r := range []string{"", "has space", "1starts-digit", "dash-ed", "dot.ted"} {
		add("proxy reference "+r[:min(len(r), 10)], badProxyWith("  name = \"p\"\n  identity_provider {\n    type = \"iam-identity-center\"\n    reference = \""+r+"\"\n  }"), `(?s)reference`)
	}
	add("proxy oidc without block", badProxyWith("  name = \"p\"\n  identity_provider {\n    type = \"oidc\"\n    reference = \"idp\"\n  }"), `(?s)oidc`)
	for _, u := range []string{"http://idp.example.com", "idp.example.com", "https://", "ftp://x"} {
		add("proxy oidc issuer "+u, badProxyWith("  name = \"p\"\n  identity_provider {\n    type = \"oidc\"\n    reference = \"idp\"\n    oidc {\n      issuer = \""+u+"\"\n      authorization_endpoint = \"https://idp.example.com/a\"\n      token_endpoint = \"https://idp.example.com/t\"\n      user_info_endpoint = \"https://idp.example.com/u\"\n      client_id = \"c\"\n      client_secret = \"s\"\n    }\n  }"), `(?s)issuer`)
	}
	add("proxy empty groups_claim", badProxyWith("  name = \"p\"\n  identity_provider {\n    type = \"oidc\"\n    reference = \"idp\"\n    groups_claim = \"\"\n    oidc {\n      issuer = \"https://idp.example.com\"\n      authorization_endpoint = \"https://idp.example.com/a\"\n      token_endpoint = \"https://idp.example.com/t\"\n      user_info_endpoint = \"https://idp.example.com/u\"\n      client_id = \"c\"\n      client_secret = \"s\"\n    }\n  }"), `(?s)groups_claim`)
	add("proxy device type", badProxyWith("  name = \"p\""+idc+"\n  device_trust_provider {\n    type = \"intune\"\n    reference = \"d\"\n    tenant_id = \"t\"\n  }"), `(?s)type`)
	add("proxy device empty tenant", badProxyWith("  name = \"p\""+idc+"\n  device_trust_provider {\n    type = \"jamf\"\n    reference = \"d\"\n    tenant_id = \"\"\n  }"), `(?s)tenant_id`)
	add("proxy two jamf", badProxyWith("  name = \"p\""+idc+"\n  device_trust_provider {\n    type = \"jamf\"\n    reference = \"a\"\n    tenant_id = \"t\"\n  }\n  device_trust_provider {\n    type = \"jamf\"\n    reference = \"b\"\n    tenant_id = \"t\"\n  }"), `(?s)jamf|device_trust_provider`)
	add("proxy duplicate reference", badProxyWith("  name = \"p\""+idc+"\n  device_trust_provider {\n    type = \"jamf\"\n    reference = \"idc\"\n    tenant_id = \"t\"\n  }"), `(?s)reference`)
	add("proxy four devices", badProxyWith("  name = \"p\""+idc+strings.Repeat("\n  device_trust_provider {\n    type = \"jamf\"\n    reference = \"j\"\n    tenant_id = \"t\"\n  }", 4)), `(?s)device_trust_provider`)
	add("proxy log version", badProxyWith("  name = \"p\""+idc+"\n  logging {\n    log_version = \"ocsf-9\"\n  }"), `(?s)log_version`)
	add("proxy bucket owner", badProxyWith("  name = \"p\""+idc+"\n  logging {\n    s3 {\n      bucket = \"b\"\n      bucket_owner = \"123\"\n    }\n  }"), `(?s)bucket_owner`)
	add("proxy description empty", badProxyWith("  name = \"p\"\n  description = \"\""+idc), `(?s)description`)
	add("proxy reserved tag", badProxyWith("  name = \"p\""+idc+"\n  tags = { \"zerotrust:proxy\" = \"x\" }"), `(?s)Reserved tag key`)

	// zerotrust_protect_surface
	for _, s := range []string{"secret", "", "PUBLIC"} {
		add("surface sensitivity "+s, badSurface("  sensitivity = \""+s+"\"", ""), `(?s)sensitivity`)
	}
	add("surface name", strings.Replace(badSurface("  sensitivity = \"internal\"", ""), `name                = "bad-inputs"`, `name = "bad inputs!"`, 1), `(?s)name`)
	add("surface proxy id", strings.Replace(badSurface("  sensitivity = \"internal\"", ""), `proxy_id            = zerotrust_access_proxy.p.id`, `proxy_id = "instance-1"`, 1), `(?s)proxy_id`)
	add("surface forged trust context", strings.Replace(badSurface("  sensitivity = \"internal\"", ""), `proxy_trust_context = zerotrust_access_proxy.p.trust_context`, `proxy_trust_context = "{\"identity\":\"x\"}"`, 1), `(?s)proxy_trust_context`)
	for _, e := range []string{"allow", "deny", "", "Permit"} {
		add("rule effect "+e, badSurface("  sensitivity = \"internal\"", "    effect = \""+e+"\""), `(?s)effect`)
	}
	for _, m := range []string{"get", "", "G ET"} {
		add("rule method "+m, badSurface("  sensitivity = \"internal\"", "    methods = [\""+m+"\"]"), `(?s)methods`)
	}
	for _, p := range []string{"", "/a\\u0000b", "/a b"} {
		add("rule path "+p, badSurface("  sensitivity = \"internal\"", "    path_prefixes = [\""+p+"\"]"), `(?s)path_prefixes`)
	}
	for _, c := range []string{"10.0.0.0/33", "x", "::ffff:10.0.0.0/104", ""} {
		add("rule client cidr "+c, badSurface("  sensitivity = \"internal\"", "    client_cidrs = [\""+c+"\"]"), `(?s)client_cidrs`)
	}
	add("rule blank name", strings.Replace(badSurface("  sensitivity = \"internal\"", ""), `name   = "r"`, `name   = ""`, 1), `(?s)name`)
	for _, r := range []string{"BAD", "low", ""} {
		add("rule jamf risk "+r, badSurface("  sensitivity = \"internal\"", "    device = { jamf = { max_risk = \""+r+"\" } }"), `(?s)max_risk|jamf`)
	}
	for _, s := range []string{"101", "-1", "50.5"} {
		add("rule crowdstrike score "+s, badSurface("  sensitivity = \"internal\"", "    device = { crowdstrike = { min_overall_score = "+s+" } }"), `(?s)Invalid number.*min_overall_score must be a whole\s+number`)
	}
	add("rule device combine", badSurface("  sensitivity = \"internal\"", "    device = { combine = \"sometimes\", jamf = { max_risk = \"LOW\" } }"), `(?s)combine`)
	add("restricted without device", badSurface("  sensitivity = \"restricted\"", "    require_mfa = true"), `(?s)device`)
	add("restricted without mfa", badSurface("  sensitivity = \"restricted\"", "    require_mfa = false\n    device = { jamf = { max_risk = \"LOW\" } }"), `(?s)require_mfa|MFA`)
	add("confidential without mfa", badSurface("  sensitivity = \"confidential\"", "    require_mfa = false"), `(?s)require_mfa|MFA`)
	add("rule unknown application", badSurface("  sensitivity = \"internal\"", "    applications = [\"nope\"]"), `(?s)applications`)
	for _, a := range []struct{ name, attrs, want string }{
		{"app port 0", "    port = 0", "port"}, {"app port 70000", "    port = 70000", "port"},
		{"app protocol", "    protocol = \"ftp\"", "protocol"}, {"app domain", "    domain = \"not a domain\"", "domain"},
		{"app cert arn", "    domain_certificate_arn = \"cert\"", "domain_certificate_arn"}, {"app lb arn", "    load_balancer_arn = \"lb\"", "load_balancer_arn"},
		{"app eni", "    network_interface_id = \"eni\"", "network_interface_id"}, {"app cidr", "    cidr = \"10.0.0.0/33\"", "cidr"},
		{"app name", "    name = \"bad name!\"", "name"}, {"app endpoint type", "    endpoint_type = \"lambda\"", "endpoint_type"},
		{"app subnet", "    subnet_ids = [\"subnet\"]", "subnet_ids"}, {"app prefix", "    endpoint_domain_prefix = \"Bad_Prefix\"", "endpoint_domain_prefix"},
	} {
		base := map[string]string{
			"name": `    name = "a"`, "domain": `    domain = "a.example.com"`,
			"load_balancer_arn":      `    load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/a/0123456789abcdef"`,
			"port":                   `    port = 443`,
			"domain_certificate_arn": `    domain_certificate_arn = "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"`,
			"subnet_ids":             `    subnet_ids = ["subnet-0123456789abcdef0"]`,
		}
		key := a.want
		if key == "network_interface_id" || key == "cidr" {
			delete(base, "load_balancer_arn")
		}
		base[key] = a.attrs
		var lines []string
		for _, k := range []string{"name", "domain", "load_balancer_arn", "port", "domain_certificate_arn", "subnet_ids", "protocol", "network_interface_id", "cidr", "endpoint_type", "endpoint_domain_prefix"} {
			if v, ok := base[k]; ok {
				lines = append(lines, v)
			}
		}
		add(a.name, badApp(strings.Join(lines, "\n")), `(?s)`+regexp.QuoteMeta(a.want))
	}

	// zerotrust_privileged_access
	base := func(name, accounts, policies string) string {
		return fmt.Sprintf("  name = %s\n  accounts = %s\n  managed_policies = %s", name, accounts, policies)
	}
	ro := `["arn:aws:iam::aws:policy/ReadOnlyAccess"]`
	// Names AWS refuses for a permission set are sanitised (permission_set_name); only an empty one is refused.
	add("privileged empty name", badPrivileged(base(`""`, `["111111111111"]`, ro)), `(?s)name`)
	for _, a := range []string{`["11111111111"]`, `["abcdefghijkl"]`, `[""]`, `["1111111111111"]`} {
		add("privileged account "+a, badPrivileged(base(`"a"`, a, ro)), `(?s)accounts`)
	}
	for _, p := range []string{`["ReadOnlyAccess"]`, `["arn:aws:iam::aws:policy/AdministratorAccess"]`, `["arn:aws:iam::aws:policy/AWSSSOMasterAccountAdministrator"]`, `["arn:aws:iam::aws:policy/IAMFullAccess"]`} {
		add("privileged managed policy "+p, badPrivileged(base(`"a"`, `["111111111111"]`, p)), `(?s)managed_policies`)
	}
	for i, doc := range []string{
		`"not json"`,
		`jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })`,
		`jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iam:*", Resource = "arn:aws:iam::*:*" }] })`,
		`jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "arn:aws:iam::111111111111:role/*" }] })`,
		`jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iam:CreatePolicyVersion", Resource = "*" }] })`,
		`jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "arn:*" }] })`,
		`jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Maybe", Action = "s3:GetObject", Resource = "*" }] })`,
		`jsonencode({ Statement = "x" })`,
	} {
		add(fmt.Sprintf("privileged inline policy %d", i), badPrivileged(base(`"a"`, `["111111111111"]`, ro)+"\n  inline_policy = "+doc), `(?s)inline_policy`)
	}
	for _, d := range []string{"PT30M", "PT13H", "1h", "P1D", "PT1.5H", "pt1h"} {
		add("privileged session "+d, badPrivileged(base(`"a"`, `["111111111111"]`, ro)+"\n  session_duration = \""+d+"\""), `(?s)session_duration`)
	}
	for _, e := range []string{"tomorrow", "2026-13-01T00:00:00Z", "2026-12-31", "1735689600"} {
		add("privileged expires_at "+e, badPrivileged(base(`"a"`, `["111111111111"]`, ro)+"\n  expires_at = \""+e+"\""), `(?s)expires_at`)
	}
	add("privileged short acknowledgement", badPrivileged(base(`"a"`, `["111111111111"]`, `["arn:aws:iam::aws:policy/AdministratorAccess"]`)+"\n  acknowledgement = \"ok\""), `(?s)acknowledgement`)
	add("privileged boundary both", badPrivileged(base(`"a"`, `["111111111111"]`, ro)+"\n  permissions_boundary = { managed_policy_arn = \"arn:aws:iam::aws:policy/ReadOnlyAccess\", customer_managed_policy_reference = { name = \"b\" } }"), `(?s)permissions_boundary`)
	add("privileged boundary arn", badPrivileged(base(`"a"`, `["111111111111"]`, ro)+"\n  permissions_boundary = { managed_policy_arn = \"ReadOnly\" }"), `(?s)managed_policy_arn`)
	add("privileged customer policy name", badPrivileged(base(`"a"`, `["111111111111"]`, ro)+"\n  customer_managed_policies = [{ name = \"bad name!\" }]"), `(?s)customer_managed_policies`)
	add("privileged customer policy path", badPrivileged(base(`"a"`, `["111111111111"]`, ro)+"\n  customer_managed_policies = [{ name = \"n\", path = \"nopath\" }]"), `(?s)path`)
	add("privileged group id", strings.Replace(badPrivileged(base(`"a"`, `["111111111111"]`, ro)), "group = zerotrust_access_group.g.id", `group = "payments"`, 1), `(?s)group`)

	// data sources and functions
	add("decision bad client ip", `
data "zerotrust_access_decision" "d" {
  policy_document = "permit (principal, action, resource);"
  request = { client_ip = "10.0.0.300" }
}`, `(?s)client_ip|IP address`)
	add("decision bad cedar", `
data "zerotrust_access_decision" "d" {
  policy_document = "permit (principal, action, resource"
  request = {}
}`, `(?s)policy`)
	add("normalize bad cedar", `output "x" { value = provider::zerotrust::cedar_normalize("permit (") }`, `(?s)cedar_normalize|parse`)
	add("evaluate bad request", `output "x" { value = provider::zerotrust::evaluate("permit (principal, action, resource);", { client_ip = "nope" }) }`, `(?s)evaluate|client_ip`)
	add("reachability bad cidr", `
data "zerotrust_reachability" "r" {
  segments = [{ name = "a", sensitivity = "restricted" }]
  flows    = [{ to = "a", cidr_blocks = ["10.0.0.300/8"], ports = ["443"] }]
}`, `(?s)cidr_blocks|CIDR`)
	add("reachability bad sensitivity", `
data "zerotrust_reachability" "r" {
  segments = [{ name = "a", sensitivity = "secret" }]
  flows    = []
}`, `(?s)sensitivity`)

	// A fraction in a whole-number attribute: a diagnostic at the attribute
	// saying to write a whole number, not the framework's conversion error.
	flow := "  allow_from {\n    cidr_blocks = [\"10.0.0.0/8\"]\n    ports = [\"443\"]\n  }"
	reachability := func(attr string) string {
		return "data \"zerotrust_reachability\" \"r\" {\n  segments = [{ name = \"a\", sensitivity = \"restricted\" }]\n  flows    = [{ to = \"a\", cidr_blocks = [\"10.0.0.0/8\"], ports = [\"443\"] }]\n  " + attr + "\n}"
	}
	maturity := func(attr string) string { return "data \"zerotrust_maturity_assessment\" \"m\" {\n  " + attr + "\n}" }
	for _, f := range []struct{ name, config, attribute string }{
		{"provider max_retries", "provider \"zerotrust\" {\n  alias = \"fraction\"\n  aws { max_retries = 2.5 }\n}\n" +
			strings.Replace(badSegmentBase(""), "resource \"zerotrust_segment\" \"s\" {", "resource \"zerotrust_segment\" \"s\" {\n  provider = zerotrust.fraction", 1), "aws.max_retries"},
		{"app port", badApp(`    name = "a"
    domain = "a.example.com"
    load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/a/0123456789abcdef"
    port = 443.5
    domain_certificate_arn = "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"
    subnet_ids = ["subnet-0123456789abcdef0"]`), "application[0].port"},
		{"policy quota", badPolicy("internal", "  max_rules_per_direction = 2.5\n"+flow), "max_rules_per_direction"},
		{"set quota", badSegmentBase("") + "resource \"zerotrust_segment_policy_set\" \"set\" {\n  name = \"bad-inputs\"\n  max_rules_per_direction = 2.5\n  policy {\n    segment = zerotrust_segment.s.id\n" + flow + "\n  }\n}\n", "max_rules_per_direction"},
		{"decision crowdstrike overall", "data \"zerotrust_access_decision\" \"d\" {\n  policy_document = \"permit (principal, action, resource);\"\n  request = { device = { crowdstrike = { overall = 2.5 } } }\n}", "request.device.crowdstrike.overall"},
		{"reachability max_hops", reachability("max_hops = 2.5"), "max_hops"},
		{"reachability max_paths", reachability("max_paths = 2.5"), "max_paths"},
		{"maturity access_review_days", maturity("declared = { access_review_days = 2.5 }"), "declared.access_review_days"},
	} {
		value := "2.5"
		if f.name == "app port" {
			value = "443.5"
		}
		add(f.name+" fraction", f.config, `(?s)Invalid number.*`+regexp.QuoteMeta(f.attribute)+`\s+must\s+be\s+a\s+whole\s+number.*got\s+`+regexp.QuoteMeta(value))
	}

	moreBadInputs(add)
	return bases, cases
}

// badSet is the base segment and a segment policy set written as attrs.
func badSet(attrs string) string {
	return badSegmentBase("") + "resource \"zerotrust_segment_policy_set\" \"set\" {\n" + attrs + "\n}\n"
}

const flowIn = "    allow_from {\n      cidr_blocks = [\"10.0.0.0/8\"]\n      ports = [\"443\"]\n    }"

func badSetPolicy(policy string) string {
	return badSet("  name = \"bad-inputs\"\n  policy {\n    segment = zerotrust_segment.s.id\n" + policy + "\n  }")
}

func badKubeSegment(name, k string) string {
	return badSegment("  name = \"" + name + "\"\n  kubernetes {\n    namespace = \"shop\"\n" + k + "\n  }")
}

func badPolicyDocument(top, rule string) string {
	return fmt.Sprintf(`
data "zerotrust_policy_document" "d" {
  identity_provider     = { type = "iam-identity-center", reference = "idc" }
  device_trust_provider = [{ type = "jamf", reference = "jamf" }]
%s
  access_rule {
    name   = "r"
    groups = ["payments-engineering"]
%s
  }
}
`, top, rule)
}

func badDecision(attrs string) string {
	return "data \"zerotrust_access_decision\" \"d\" {\n" + attrs + "\n}\n"
}

func badReach(segments, flows, extra string) string {
	return fmt.Sprintf("data \"zerotrust_reachability\" \"r\" {\n  segments = %s\n  flows    = %s\n%s\n}\n", segments, flows, extra)
}

const reachSegments = `[{ name = "web", sensitivity = "internal" }, { name = "db", sensitivity = "restricted" }]`

// moreBadInputs covers every user-settable attribute the first table did
// not, and the bad input found passing plan: each case names its attribute
// and what is wrong in the want.
func moreBadInputs(add func(name, config, want string)) {
	// zerotrust_segment: description is the security group's (EC2's set).
	for _, d := range []string{"caf\\u00e9 tier", "nul\\u0000", "quote \\\"x\\\"", "tab\\there", "line\\nbreak", "emoji 😀", "percent 100%", "tilde~"} {
		add("segment description "+d, badSegmentBase("  description = \""+d+"\""), `(?s)Unsupported character in description.*description = .*EC2 accepts only`)
	}
	add("segment description empty", badSegmentBase("  description = \"\""), `(?s)description.*string length must be between 1 and 255`)
	add("segment description too long", badSegmentBase("  description = \""+strings.Repeat("d", 256)+"\""), `(?s)description.*string length must be between 1 and 255`)
	add("segment tags on a kubernetes-only segment", badSegment("  name = \"k\"\n  tags = { team = \"a\" }\n  kubernetes {\n    namespace = \"shop\"\n  }"), `(?s)Tags on a Kubernetes-only segment.*tags.*Remove tags, or set vpc_id`)
	for _, n := range []string{"_leading", ".dot", "trailing space ", "new\\nline", "a:b", "a@b"} {
		add("segment name "+n, badSegment("  name = \""+n+"\"\n  vpc_id = \"vpc-0123456789abcdef0\""), `(?s)Invalid Attribute Value Match.*name.*must be 1.63 characters`)
	}
	for _, k := range []struct{ name, block, want string }{
		{"namespace too long", "    namespace = \"" + strings.Repeat("n", 64) + "\"", `Invalid namespace.*namespace`},
		{"namespace with a dot", "    namespace = \"shop.prod\"", `Invalid namespace.*namespace`},
		{"namespace upper case", "    namespace = \"Shop\"", `Invalid namespace.*namespace`},
		{"namespace missing", "    pod_labels = { app = \"web\" }", `Missing namespace.*kubernetes.namespace is required`},
		{"service account empty", "    namespace = \"shop\"\n    service_account = \"\"", `Invalid service account name.*service_account`},
		{"service account with a space", "    namespace = \"shop\"\n    service_account = \"web sa\"", `Invalid service account name.*service_account`},
		{"label key two slashes", "    namespace = \"shop\"\n    pod_labels = { \"a/b/c\" = \"v\" }", `Invalid label key.*pod_labels`},
		{"label key leading dash", "    namespace = \"shop\"\n    pod_labels = { \"-app\" = \"v\" }", `Invalid label key.*pod_labels`},
		{"label key empty", "    namespace = \"shop\"\n    pod_labels = { \"\" = \"v\" }", `Invalid label key.*pod_labels`},
		{"label value too long", "    namespace = \"shop\"\n    pod_labels = { app = \"" + strings.Repeat("v", 64) + "\" }", `Invalid label value.*pod_labels`},
		{"label value trailing dash", "    namespace = \"shop\"\n    pod_labels = { app = \"web-\" }", `Invalid label value.*pod_labels`},
		{"label value with a slash", "    namespace = \"shop\"\n    pod_labels = { app = \"a/b\" }", `Invalid label value.*pod_labels`},
		{"labels too long for the tag", "    namespace = \"shop\"\n    pod_labels = { " + longLabels() + " }", `Pod labels too long.*pod_labels.*at most 256 characters`},
	} {
		add("segment kubernetes "+k.name, badSegmentBase("  kubernetes {\n"+k.block+"\n  }"), `(?s)`+k.want)
	}

	// zerotrust_segment_policy
	for _, n := range []string{"", "-x", "UPPER", strings.Repeat("p", 64), "dot.ted"} {
		add("policy name "+n[:min(len(n), 10)], badPolicy("internal", "  name = \""+n+"\"\n"+strings.ReplaceAll(flowIn, "    ", "  ")), `(?s)Invalid Attribute Value Match.*name.*must be 1.63 characters`)
	}
	for _, id := range []string{"", "k8s/Shop/a", "sg/vpc-123/a", "sg/vpc-0123456789abcdef0/", "k8s/shop/"} {
		add("policy segment id "+id, badSegmentBase("")+"resource \"zerotrust_segment_policy\" \"p\" {\n  segment = \""+id+"\"\n"+strings.ReplaceAll(flowIn, "    ", "  ")+"\n}\n", `(?s)segment.*must be a segment id`)
	}
	add("policy segment_sensitivity", badPolicy("internal", "  segment_sensitivity = \"secret\"\n"+strings.ReplaceAll(flowIn, "    ", "  ")), `(?s)segment_sensitivity.*value must be one of`)
	add("flow peer segment id malformed k8s", badFlow("allow_from", "    segment = \"k8s/shop/\"\n    ports = [\"443\"]"), `(?s)segment.*must be a segment id`)
	add("flow missing kubernetes peer", badFlow("allow_from", "    segment = \"k8s/shop/missing\"\n    ports = [\"443\"]"), `(?s)Peer segment (not found|cannot be found).*segment = "k8s/shop/missing".*planned in this configuration`)
	add("flow missing kubernetes peer, segment created later", "resource \"terraform_data\" \"vpc\" {\n  input = \"vpc-0123456789abcdef0\"\n}\n"+
		badSegment("  name = \"bad-inputs\"\n  vpc_id = terraform_data.vpc.output")+
		"resource \"zerotrust_segment_policy\" \"p\" {\n  segment = zerotrust_segment.s.id\n  allow_from {\n    segment = \"k8s/shop/missing\"\n    ports = [\"443\"]\n  }\n}\n",
		`(?s)Peer segment (not found|cannot be found).*segment = "k8s/shop/missing"`)
	add("flow empty ports list", badFlow("allow_from", "    cidr_blocks = [\"10.0.0.0/8\"]\n    ports = []"), `(?s)Ports required|ports`)
	add("flow empty prefix list", badFlow("allow_to", "    prefix_list_ids = []\n    ports = [\"443\"]"), `(?s)prefix_list_ids`)
	add("flow empty http_methods", badFlow("allow_from", "    segment = zerotrust_segment.s.id\n    ports = [\"443\"]\n    http_methods = []"), `(?s)http_methods.*at least 1`)
	add("flow empty http_paths", badFlow("allow_from", "    segment = zerotrust_segment.s.id\n    ports = [\"443\"]\n    http_paths = []"), `(?s)http_paths.*at least 1`)
	add("flow acknowledgement with a control character", badFlow("allow_from", "    cidr_blocks = [\"0.0.0.0/0\"]\n    ports = [\"443\"]\n    acknowledgement = \"public web\\u0007 entry point\""), `(?s)acknowledgement`)
	add("flow internet into restricted unacknowledged", badFlow("allow_from", "    cidr_blocks = [\"0.0.0.0/0\"]\n    ports = [\"443\"]"), `(?s)Open internet into a restricted segment.*acknowledgement`)
	add("policy kubernetes empty trust domain", badPolicy("internal", "  kubernetes {\n    istio_trust_domain = \"\"\n  }\n"+strings.ReplaceAll(flowIn, "    ", "  ")), `(?s)istio_trust_domain.*string length must be between 1 and 253`)
	add("policy quota negative", badPolicy("internal", "  max_rules_per_direction = -1\n"+strings.ReplaceAll(flowIn, "    ", "  ")), `(?s)Invalid number.*max_rules_per_direction`)

	// zerotrust_segment_policy_set
	add("set policy block with no flow", badSetPolicy(""), `(?s)Policy declares no flow.*policy\[0\]\s+has\s+neither\s+allow_from\s+nor\s+allow_to.*remove\s+the\s+policy\s+block`)
	add("set without policy block", badSet("  name = \"bad-inputs\""), `(?s)No policy block.*a set needs at least one policy block`)
	for _, n := range []string{"", "Bad Name", "UPPER", strings.Repeat("s", 64)} {
		add("set name "+n[:min(len(n), 10)], badSet("  name = \""+n+"\"\n  policy {\n    segment = zerotrust_segment.s.id\n"+flowIn+"\n  }"), `(?s)Invalid Attribute Value Match.*name.*must be 1.63 characters`)
	}
	add("set segment governed twice", badSet("  name = \"bad-inputs\"\n  policy {\n    segment = zerotrust_segment.s.id\n"+flowIn+"\n  }\n  policy {\n    segment = zerotrust_segment.s.id\n"+strings.Replace(flowIn, "443", "8443", 1)+"\n  }"), `(?s)Segment governed twice.*policy\[0\] already governs sg/vpc-0123456789abcdef0/bad-inputs.*put all of a segment's flows in one policy block`)
	add("set bad segment id", badSet("  name = \"bad-inputs\"\n  policy {\n    segment = \"web\"\n"+flowIn+"\n  }"), `(?s)segment.*must be a segment id`)
	add("set segment_sensitivity", badSetPolicy("    segment_sensitivity = \"top\"\n"+flowIn), `(?s)segment_sensitivity.*value must be one of`)
	add("set flow bad port", badSetPolicy(strings.Replace(flowIn, "443", "0", 1)), `(?s)ports`)
	add("set flow bad cidr", badSetPolicy(strings.Replace(flowIn, "10.0.0.0/8", "10.0.0.0/33", 1)), `(?s)Invalid CIDR block|cidr_blocks`)
	add("set flow two peers", badSetPolicy("    allow_from {\n      segment = \"sg-0123456789abcdef0\"\n      cidr_blocks = [\"10.0.0.0/8\"]\n      ports = [\"443\"]\n    }"), `(?s)Exactly one peer per flow`)
	add("set flow missing kubernetes peer", badSetPolicy("    allow_to {\n      segment = \"k8s/shop/missing\"\n      ports = [\"443\"]\n    }"), `(?s)Peer segment (not found|cannot be found).*segment = "k8s/shop/missing"`)
	add("set internet into restricted", strings.Replace(badSetPolicy(strings.Replace(flowIn, "10.0.0.0/8", "0.0.0.0/0", 1)), "vpc_id = \"vpc-0123456789abcdef0\"\n", "vpc_id = \"vpc-0123456789abcdef0\"\n  sensitivity = \"restricted\"\n", 1), `(?s)Open internet into a restricted segment`)
	add("set quota zero", badSet("  name = \"bad-inputs\"\n  max_rules_per_direction = 0\n  policy {\n    segment = zerotrust_segment.s.id\n"+flowIn+"\n  }"), `(?s)max_rules_per_direction`)
	add("set kubernetes empty trust domain", badSet("  name = \"bad-inputs\"\n  kubernetes {\n    istio_trust_domain = \"\"\n  }\n  policy {\n    segment = zerotrust_segment.s.id\n"+flowIn+"\n  }"), `(?s)istio_trust_domain`)

	// zerotrust_access_group
	add("group blank member among others", "resource \"zerotrust_access_group\" \"g\" {\n  display_name = \"a\"\n  members = [\"alice@example.com\", \"\"]\n}", `(?s)members.*string length must be between 1 and 128`)
	add("group member too long", "resource \"zerotrust_access_group\" \"g\" {\n  display_name = \"a\"\n  members = [\""+strings.Repeat("m", 129)+"\"]\n}", `(?s)members.*string length must be between 1 and 128`)
	add("group membership upper case", "resource \"zerotrust_access_group\" \"g\" {\n  display_name = \"a\"\n  membership = \"Additive\"\n}", `(?s)membership.*value must be one of`)

	// zerotrust_access_proxy
	add("proxy description too long", badProxyWith("  name = \"p\"\n  description = \""+strings.Repeat("d", 256)+"\""+idc), `(?s)description.*string length must be between 1 and 255`)
	add("proxy reserved tag managed-by", badProxyWith("  name = \"p\""+idc+"\n  tags = { \"managed-by\" = \"me\" }"), `(?s)Reserved tag key`)
	add("proxy identity type upper case", badProxyWith("  name = \"p\"\n  identity_provider {\n    type = \"OIDC\"\n    reference = \"idp\"\n  }"), `(?s)type.*value must be one of`)
	oidc := func(field, value string) string {
		fields := map[string]string{"issuer": "https://idp.example.com", "authorization_endpoint": "https://idp.example.com/a", "token_endpoint": "https://idp.example.com/t",
			"user_info_endpoint": "https://idp.example.com/u", "client_id": "c", "client_secret": "s"}
		fields[field] = value
		var lines []string
		for _, k := range []string{"issuer", "authorization_endpoint", "token_endpoint", "user_info_endpoint", "client_id", "client_secret", "client_secret_version", "scope"} {
			if v, ok := fields[k]; ok {
				lines = append(lines, "      "+k+" = \""+v+"\"")
			}
		}
		return badProxyWith("  name = \"p\"\n  identity_provider {\n    type = \"oidc\"\n    reference = \"idp\"\n    oidc {\n" + strings.Join(lines, "\n") + "\n    }\n  }")
	}
	for _, f := range []string{"authorization_endpoint", "token_endpoint", "user_info_endpoint"} {
		add("proxy oidc "+f+" http", oidc(f, "http://idp.example.com/x"), `(?s)`+f)
		add("proxy oidc "+f+" relative", oidc(f, "/x"), `(?s)`+f)
	}
	add("proxy oidc client_secret_version empty", oidc("client_secret_version", ""), `(?s)client_secret_version.*string length must be between 1 and 128`)
	add("proxy groups_claim with a space", badProxyWith("  name = \"p\"\n  identity_provider {\n    type = \"iam-identity-center\"\n    reference = \"idc\"\n    groups_claim = \"my groups\"\n  }"), `(?s)groups_claim.*must be a claim name`)
	add("proxy device tenant too long", badProxyWith("  name = \"p\""+idc+"\n  device_trust_provider {\n    type = \"jamf\"\n    reference = \"d\"\n    tenant_id = \""+strings.Repeat("t", 256)+"\"\n  }"), `(?s)tenant_id.*string length must be between 1 and 255`)
	add("proxy device reference with a space", badProxyWith("  name = \"p\""+idc+"\n  device_trust_provider {\n    type = \"jamf\"\n    reference = \"my jamf\"\n    tenant_id = \"t\"\n  }"), `(?s)reference`)
	add("proxy log version upper case", badProxyWith("  name = \"p\""+idc+"\n  logging {\n    log_version = \"OCSF-1.0.0-rc.2\"\n  }"), `(?s)log_version.*value must be one of`)
	add("proxy bucket owner letters", badProxyWith("  name = \"p\""+idc+"\n  logging {\n    s3 {\n      bucket = \"b\"\n      bucket_owner = \"abcdefghijkl\"\n    }\n  }"), `(?s)bucket_owner`)

	// zerotrust_protect_surface
	add("rule device combine upper case", badSurface("  sensitivity = \"internal\"", "    device = { combine = \"ALL\", jamf = { max_risk = \"LOW\" } }"), `(?s)combine`)
	add("rule jamf risk trailing space", badSurface("  sensitivity = \"internal\"", "    device = { jamf = { max_risk = \"LOW \" } }"), `(?s)max_risk`)
	add("rule duplicate name", strings.Replace(badSurface("  sensitivity = \"internal\"", ""), "  access_rule {", "  access_rule {\n    name = \"r\"\n    groups = [zerotrust_access_group.g.id]\n  }\n  access_rule {", 1), `(?s)name`)
	add("rule client cidr with host bits", badSurface("  sensitivity = \"internal\"", "    client_cidrs = [\"10.0.0.1/8 \"]"), `(?s)client_cidrs`)
	add("rule path with dot segment", badSurface("  sensitivity = \"internal\"", "    path_prefixes = [\"/admin/../etc\"]"), `(?s)path_prefixes`)
	add("rule method lower case", badSurface("  sensitivity = \"internal\"", "    methods = [\"post\"]"), `(?s)methods`)
	add("app duplicate name", badSurface("  sensitivity = \"internal\"\n  application {\n    name = \"a\"\n    domain = \"a.example.com\"\n    load_balancer_arn = \"arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/a/0123456789abcdef\"\n    port = 443\n    domain_certificate_arn = \"arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000\"\n    subnet_ids = [\"subnet-0123456789abcdef0\"]\n  }\n  application {\n    name = \"a\"\n    domain = \"b.example.com\"\n    load_balancer_arn = \"arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/a/0123456789abcdef\"\n    port = 443\n    domain_certificate_arn = \"arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000\"\n    subnet_ids = [\"subnet-0123456789abcdef0\"]\n  }", ""), `(?s)Duplicate application`)

	// zerotrust_privileged_access: the name is also a tag value.
	pa := func(name string) string {
		return badPrivileged("  name = \"" + name + "\"\n  accounts = [\"111111111111\"]\n  managed_policies = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]")
	}
	for _, n := range []string{"db admins (prod)", "ops!", "a#b", "a,b", "a;b", "a*b", "a&b", "a$b", "x\\\"y"} {
		add("privileged name tag character "+n, pa(n), `(?s)Unsupported character for a tag value.*name = .*zerotrust:privileged-access.*Use those characters only`)
	}
	add("privileged name too long", pa(strings.Repeat("n", 129)), `(?s)Name too long.*name.*at most 128`)
	add("privileged name leading space", pa(" ops"), `(?s)Invalid name.*white space`)
	add("privileged name tab", pa("a\\tb"), `(?s)name`)
	add("privileged description too long", badPrivileged("  name = \"a\"\n  accounts = [\"111111111111\"]\n  managed_policies = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]\n  description = \""+strings.Repeat("d", 701)+"\""), `(?s)description`)
	add("privileged customer policy path without trailing slash", badPrivileged("  name = \"a\"\n  accounts = [\"111111111111\"]\n  managed_policies = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]\n  customer_managed_policies = [{ name = \"n\", path = \"/team\" }]"), `(?s)path`)
	add("privileged expires_at in the past", badPrivileged("  name = \"a\"\n  accounts = [\"111111111111\"]\n  managed_policies = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]\n  expires_at = \"2020-01-01T00:00:00Z\""), `(?s)expires_at`)

	// data.zerotrust_policy_document
	add("document sensitivity", badPolicyDocument("  sensitivity = \"secret\"", ""), `(?s)sensitivity.*value must be one of`)
	add("document application protocol", badPolicyDocument("  application {\n    name = \"a\"\n    protocol = \"ftp\"\n  }", ""), `(?s)protocol.*value must be one of`)
	add("document rule effect", badPolicyDocument("", "    effect = \"deny\""), `(?s)effect`)
	add("document rule method", badPolicyDocument("", "    methods = [\"get\"]"), `(?s)methods`)
	add("document rule path", badPolicyDocument("", "    path_prefixes = [\"/a b\"]"), `(?s)path_prefixes`)
	add("document rule unknown application", badPolicyDocument("", "    applications = [\"nope\"]"), `(?s)applications`)
	add("document restricted without device", badPolicyDocument("  sensitivity = \"restricted\"", "    require_mfa = true"), `(?s)device`)
	add("document device jamf risk", badPolicyDocument("", "    device = { jamf = { max_risk = \"NONE\" } }"), `(?s)max_risk`)
	add("document forged trust context", strings.Replace(badPolicyDocument("", ""), "  device_trust_provider = [{ type = \"jamf\", reference = \"jamf\" }]\n", "  proxy_trust_context = \"{}\"\n", 1), `(?s)trust_context|identity_provider`)
	add("document identity type", strings.Replace(badPolicyDocument("", ""), "type = \"iam-identity-center\"", "type = \"saml\"", 1), `(?s)type`)

	// data.zerotrust_access_decision
	add("decision empty policy document", badDecision("  policy_document = \"\"\n  request = {}"), `(?s)Empty policy document.*policy_document = "".*policy_document\s+is\s+empty`)
	add("decision blank policy document", badDecision("  policy_document = \"  \\n \"\n  request = {}"), `(?s)Empty policy document.*policy_document\s+is\s+empty`)
	add("decision bad endpoint cedar", badDecision("  policy_document = \"permit (principal, action, resource);\"\n  endpoint_policy_document = \"permit (\"\n  request = {}"), `(?s)Invalid Cedar policy.*endpoint_policy_document`)
	add("decision bad trust context", badDecision("  policy_document = \"permit (principal, action, resource);\"\n  trust_context = \"not json\"\n  request = {}"), `(?s)Invalid trust context.*trust_context`)
	add("decision crowdstrike over 100", badDecision("  policy_document = \"permit (principal, action, resource);\"\n  request = { device = { crowdstrike = { overall = 101 } } }"), `(?s)Invalid number.*request.device.crowdstrike.overall`)
	add("decision jamf risk", badDecision("  policy_document = \"permit (principal, action, resource);\"\n  request = { device = { jamf = { risk = \"low\" } } }"), `(?s)request.*risk|jamf`)
	add("decision client ip cidr", badDecision("  policy_document = \"permit (principal, action, resource);\"\n  request = { client_ip = \"10.0.0.0/8\" }"), `(?s)Invalid request.*request.client_ip: "10.0.0.0/8" is not an IP address`)

	// data.zerotrust_maturity_assessment
	add("maturity surface given as facts", maturityWith("protect_surfaces = [{ name = \"a\", sensitivity = \"restricted\", device_required = true }]"), `(?s)Not\s+a\s+zerotrust_protect_surface.*protect_surfaces\[0\]\s+must\s+be\s+a\s+zerotrust_protect_surface\s+passed\s+whole`)
	add("maturity proxy given as a list", maturityWith("access_proxy = [{ name = \"corp\" }]"), `(?s)access_proxy\s+must\s+be\s+a\s+zerotrust_access_proxy\s+passed\s+whole.*got\s+a\s+list`)
	add("maturity segment given as a name", maturityWith("segments = [\"db\"]"), `(?s)segments\[0\]\s+must\s+be\s+a\s+zerotrust_segment\s+passed\s+whole.*got\s+a\s+string`)
	add("maturity surface passed as a policy set", maturityWith("segment_policies = [{ name = \"a\", sensitivity = \"internal\", access_rule = [], application = [], policy_document = \"\" }]"), `(?s)segment_policies\[0\]\s+must\s+be\s+a\s+zerotrust_segment_policy\s+or\s+zerotrust_segment_policy_set`)
	add("maturity negative review days", maturityWith("declared = { access_review_days = -7 }"), `(?s)Invalid number.*declared.access_review_days`)

	// data.zerotrust_reachability: flows are read as written.
	for _, k := range []struct{ key, meant string }{{"from", "segment"}, {"source", "segment"}, {"port", "ports"}, {"cidr", "cidr_blocks"}, {"description", ""}} {
		want := `(?s)Unknown flow attribute.*flows\[0\]\s+has\s+an\s+attribute\s+"` + k.key + `".*to,\s+segment,\s+cidr_blocks,\s+protocol,\s+ports,\s+acknowledgement`
		if k.meant != "" {
			want += `.*Did\s+you\s+mean\s+` + k.meant
		}
		add("reachability unknown flow key "+k.key, badReach(reachSegments, `[{ to = "db", segment = "web", ports = ["5432"], `+k.key+` = "web" }]`, ""), want)
	}
	add("reachability flows not a list", badReach(reachSegments, `{ to = "db", segment = "web" }`, ""), `(?s)Invalid flows.*flows\s+must\s+be\s+a\s+list`)
	add("reachability flow not an object", badReach(reachSegments, `["db"]`, ""), `(?s)Invalid flow.*flows\[0\]\s+must\s+be\s+an\s+object`)
	add("reachability flow without to", badReach(reachSegments, `[{ segment = "web", ports = ["5432"] }]`, ""), `(?s)Missing flow destination.*flows\[0\]\s+has\s+no\s+to`)
	add("reachability ports not a list", badReach(reachSegments, `[{ to = "db", segment = "web", ports = "5432" }]`, ""), `(?s)flows\[0\].ports\s+must\s+be\s+a\s+list`)
	add("reachability unknown destination", badReach(reachSegments, `[{ to = "cache", segment = "web", ports = ["6379"] }]`, ""), `(?s)Unknown segment.*flows\[0\].to: no segment is named "cache"`)
	add("reachability unknown source", badReach(reachSegments, `[{ to = "db", segment = "cache", ports = ["6379"] }]`, ""), `(?s)Unknown segment.*flows\[0\].segment: no segment is named "cache"`)
	add("reachability two sources", badReach(reachSegments, `[{ to = "db", segment = "web", cidr_blocks = ["10.0.0.0/8"], ports = ["5432"] }]`, ""), `(?s)One source kind per flow`)
	add("reachability no source", badReach(reachSegments, `[{ to = "db", ports = ["5432"] }]`, ""), `(?s)Source required`)
	add("reachability duplicate segment", badReach(`[{ name = "db" }, { name = "db" }]`, `[]`, ""), `(?s)Invalid segment name.*segments\[1\].name: segment names must be non-empty and unique`)
	add("reachability empty segment name", badReach(`[{ name = "" }]`, `[]`, ""), `(?s)Invalid segment name.*segments\[0\].name: segment names must be non-empty and unique`)
	add("reachability bad port", badReach(reachSegments, `[{ to = "db", segment = "web", ports = ["70000"] }]`, ""), `(?s)ports`)
	add("reachability bad protocol", badReach(reachSegments, `[{ to = "db", segment = "web", protocol = "sctp", ports = ["5432"] }]`, ""), `(?s)protocol`)
	add("reachability internet into restricted", badReach(reachSegments, `[{ to = "db", cidr_blocks = ["0.0.0.0/0"], ports = ["5432"] }]`, ""), `(?s)Open internet into a restricted segment`)
	add("reachability min_sensitivity", badReach(reachSegments, `[]`, `  min_sensitivity = "secret"`), `(?s)min_sensitivity.*value must be one of`)
	add("reachability max_hops zero", badReach(reachSegments, `[]`, `  max_hops = 0`), `(?s)Invalid number.*max_hops\s+must\s+be\s+a\s+whole\s+number\s+from\s+1\s+to\s+32`)
	add("reachability max_hops 33", badReach(reachSegments, `[]`, `  max_hops = 33`), `(?s)Invalid number.*max_hops`)
	add("reachability max_paths zero", badReach(reachSegments, `[]`, `  max_paths = 0`), `(?s)Invalid number.*max_paths`)

	// provider functions
	add("evaluate empty policy", `output "x" { value = provider::zerotrust::evaluate("", {}) }`, `(?s)Invalid policy: the policy is empty`)
	add("evaluate unknown request key", `output "x" { value = provider::zerotrust::evaluate("permit (principal, action, resource);", { group = ["a"] }) }`, `(?s)Invalid request.*request has an attribute "group", which a request does not have.*groups`)
	add("evaluate request not an object", `output "x" { value = provider::zerotrust::evaluate("permit (principal, action, resource);", "engineers") }`, `(?s)Invalid request.*must be an object.*got a string`)
	add("evaluate bad trust context", `output "x" { value = provider::zerotrust::evaluate("permit (principal, action, resource);", { trust_context = "nope" }) }`, `(?s)Invalid request.trust_context`)
	add("evaluate bad cedar", `output "x" { value = provider::zerotrust::evaluate("permit (", {}) }`, `(?s)Invalid Cedar policy`)
	add("normalize unterminated", `output "x" { value = provider::zerotrust::cedar_normalize("permit (principal, action, resource)") }`, `(?s)Invalid Cedar`)
}

func maturityWith(attr string) string {
	return "data \"zerotrust_maturity_assessment\" \"m\" {\n  " + attr + "\n}"
}

// longLabels are pod labels each valid whose encoding passes the 256
// characters of one tag value.
func longLabels() string {
	var parts []string
	for i := range 6 {
		parts = append(parts, fmt.Sprintf("l%d = \"%s\"", i, strings.Repeat("v", 60)))
	}
	return strings.Join(parts, ", ")
}

// TestBadInputsThroughTheCLI plans every bad input with the real Terraform
// CLI and the freshly built provider (dev_overrides, no init), and checks the
// plan fails, names what is wrong and shows the user nothing meant for the
// provider's developers.
func TestBadInputsThroughTheCLI(t *testing.T) {
	acctest.PreCheck(t)
	bin := filepath.Join(acctest.RepoRoot(t), "bin")
	if _, err := os.Stat(filepath.Join(bin, "terraform-provider-zerotrust")); err != nil {
		t.Fatalf("the provider is not built (%v): run through `make test-e2e`", err)
	}
	cliConfig := filepath.Join(t.TempDir(), "dev.tfrc")
	if err := os.WriteFile(cliConfig, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"ztforge/zerotrust\" = %q\n  }\n  direct {}\n}\n", bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := func(t *testing.T, config string) (string, error) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(killedProviderBlock+config), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(acctest.TerraformBinary(t), "plan", "-input=false", "-no-color", "-lock=false")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	bases, cases := badInputs()
	if len(cases) < 320 {
		t.Fatalf("only %d bad inputs; the table promises at least 320", len(cases))
	}
	for i, b := range bases {
		if out, err := plan(t, b); err != nil {
			t.Fatalf("base %d does not plan cleanly, so its cases would prove nothing: %v\n%s\n%s", i, err, b, out)
		}
	}
	for name, config := range goodInputs() {
		t.Run("plans/"+name, func(t *testing.T) {
			t.Parallel()
			if out, err := plan(t, config); err != nil {
				t.Fatalf("a valid configuration does not plan: %v\n%s\n%s", err, config, out)
			}
		})
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := plan(t, tc.config)
			if err == nil {
				t.Fatalf("planned without error:\n%s\n%s", tc.config, out)
			}
			if !strings.Contains(out, "Error: ") {
				t.Fatalf("no diagnostic:\n%s", out)
			}
			// Every error points into the configuration: a diagnostic with
			// no source location names nothing the user wrote.
			if !regexp.MustCompile(`(?m)^\s*on main\.tf line \d+`).MatchString(out) {
				t.Errorf("the error points at no line of the configuration:\n%s", out)
			}
			// The CLI wraps long lines: a space in want matches any run of
			// white space.
			if !regexp.MustCompile(strings.ReplaceAll(tc.want, " ", `\s+`)).MatchString(out) {
				t.Errorf("the error does not match %s:\n%s", tc.want, out)
			}
			for _, s := range notForUsers {
				if strings.Contains(out, s) {
					t.Errorf("the user sees %q:\n%s", s, out)
				}
			}
		})
	}
	t.Logf("%d bad inputs planned through the CLI", len(cases))
}
