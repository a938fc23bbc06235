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
	"%!", "Unexpected Provider Error", "goroutine ",
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
	for _, d := range []string{"caf\\u00e9", "quote \\\"", "nul \\u0000", "tab\\there", strings.Repeat("d", 256), "emoji \\ud83d\\ude00"} {
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
		{"maturity session_minutes", maturity("privileged_access = [{ name = \"a\", session_minutes = 2.5 }]"), "privileged_access[0].session_minutes"},
		{"maturity decision_checks", maturity("automation = { decision_checks = 2.5 }"), "automation.decision_checks"},
		{"maturity acknowledged_exceptions", maturity("governance = { acknowledged_exceptions = 2.5 }"), "governance.acknowledged_exceptions"},
		{"maturity access_review_days", maturity("governance = { access_review_days = 2.5 }"), "governance.access_review_days"},
	} {
		value := "2.5"
		if f.name == "app port" {
			value = "443.5"
		}
		add(f.name+" fraction", f.config, `(?s)Invalid number.*`+regexp.QuoteMeta(f.attribute)+`\s+must\s+be\s+a\s+whole\s+number.*got\s+`+regexp.QuoteMeta(value))
	}
	return bases, cases
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
	if len(cases) < 150 {
		t.Fatalf("only %d bad inputs; the table promises at least 150", len(cases))
	}
	for i, b := range bases {
		if out, err := plan(t, b); err != nil {
			t.Fatalf("base %d does not plan cleanly, so its cases would prove nothing: %v\n%s\n%s", i, err, b, out)
		}
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
			if !regexp.MustCompile(tc.want).MatchString(out) {
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
