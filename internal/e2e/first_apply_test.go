package e2e

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// firstApplyCase is one violation added to examples/complete, planned with
// the whole posture into an account where none of it exists yet.
type firstApplyCase struct {
	name string
	// violation is a file added beside the example's; %[1]s is a second
	// VPC no peering joins to the example's.
	violation string
	// want matches the plan's output with white space collapsed: the
	// diagnostic and the attribute it names.
	want string
}

// internetInto is a policy admitting cidrs on 443 into segment key of the
// example (db and payments are restricted, app confidential).
func internetInto(key string, cidrs ...string) string {
	return fmt.Sprintf(`
resource "zerotrust_segment_policy" "violation" {
  segment = zerotrust_segment.this[%q].id
  name    = "violation"
  allow_from {
    cidr_blocks = ["%s"]
    ports       = ["443"]
  }
}
`, key, strings.Join(cidrs, `", "`))
}

const openInternet = `Open internet into a restricted segment`

func firstApplyCases() []firstApplyCase {
	mod := func(tiers string) string {
		return `
module "violation" {
  source = "../../modules/microsegmentation"
  vpc_id = var.vpc_id
  name_prefix = "violation-"
  tiers = {` + tiers + `}
}
`
	}
	ica := func(permissionSet string) string {
		return `
module "violation" {
  source = "../../modules/identity-center-access"
  groups = { oncall = { display_name = "violation-oncall", members = [] } }
  permission_sets = { "violation-ps" = ` + permissionSet + ` }
}
`
	}
	surface := func(sensitivity, rule string) string {
		return `
module "violation" {
  source              = "../../modules/protect-surface"
  name                = "violation"
  sensitivity         = "` + sensitivity + `"
  proxy_id            = zerotrust_access_proxy.corp.id
  proxy_trust_context = zerotrust_access_proxy.corp.trust_context
  applications = {
    admin = {
      load_balancer_arn      = var.load_balancer_arns["payments-admin"]
      domain                 = "violation.corp.example.com"
      port                   = 443
      domain_certificate_arn = var.certificate_arn
      subnet_ids             = var.subnet_ids
    }
  }
  access_rules = [` + rule + `]
}
`
	}
	privileged := func(attrs string) string {
		return `
resource "zerotrust_privileged_access" "violation" {
  name     = "violation"
  group    = zerotrust_access_group.this["engineering"].id
  accounts = [var.account_id]
` + attrs + `
}
`
	}
	return []firstApplyCase{
		// Internet exposure, decided by coverage, into segments created in this apply.
		{"internet whole", internetInto("db", "0.0.0.0/0"), openInternet + `.*cidr_blocks`},
		{"internet halves", internetInto("db", "0.0.0.0/1", "128.0.0.0/1"), openInternet + `.*0\.0\.0\.0/1`},
		{"internet ipv6", internetInto("payments", "::/0"), openInternet},
		{"internet ipv4-mapped", internetInto("payments", "::ffff:0.0.0.0/96"), openInternet},
		{"internet in pieces", internetInto("db", "0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"), openInternet},
		{"internet ipv6 halves", internetInto("db", "::/1", "8000::/1"), openInternet},
		{"internet into confidential", internetInto("app", "0.0.0.0/0"), `Open internet into a confidential segment`},
		{"internet through a set", `
resource "zerotrust_segment_policy_set" "violation" {
  name = "violation"
  policy {
    segment = zerotrust_segment.this["payments"].id
    allow_from {
      cidr_blocks = ["0.0.0.0/1", "128.0.0.0/1"]
      ports       = ["443"]
    }
  }
}
`, openInternet},
		// Flows declared twice.
		{"flow also in the example's set", `
resource "zerotrust_segment_policy" "violation" {
  segment = zerotrust_segment.this["db"].id
  name    = "violation"
  allow_from {
    segment = zerotrust_segment.this["app"].id
    ports   = ["5432"]
  }
}
`, `Flow declared by two policies.*tcp 5432`},
		{"flow twice in a set", `
resource "zerotrust_segment_policy_set" "violation" {
  name = "violation"
  policy {
    segment = zerotrust_segment.this["monitoring"].id
    allow_from {
      segment = zerotrust_segment.this["web"].id
      ports   = ["9200"]
    }
  }
  policy {
    segment = zerotrust_segment.this["web"].id
    allow_to {
      segment = zerotrust_segment.this["monitoring"].id
      ports   = ["9200"]
    }
  }
}
`, `Flow declared twice in the set.*tcp 9200`},
		// Peers.
		{"peer that does not exist", `
resource "zerotrust_segment_policy" "violation" {
  segment = zerotrust_segment.this["db"].id
  name    = "violation"
  allow_from {
    segment = "sg-0123456789abcdef0"
    ports   = ["5432"]
  }
}
`, `Peer segment not found.*segment = "sg-0123456789abcdef0"`},
		{"peer in an unpeered VPC", `
resource "zerotrust_segment" "violation" {
  name   = "violation-elsewhere"
  vpc_id = "%[1]s"
}

resource "zerotrust_segment_policy" "violation" {
  segment = zerotrust_segment.this["db"].id
  name    = "violation"
  allow_from {
    segment = zerotrust_segment.violation.id
    ports   = ["5432"]
  }
}
`, `Peer segment in an unpeered VPC.*segment = zerotrust_segment\.violation\.id`},
		{"rule quota", `
resource "zerotrust_segment_policy" "violation" {
  segment                 = zerotrust_segment.this["monitoring"].id
  name                    = "violation"
  max_rules_per_direction = 1
  allow_from {
    cidr_blocks = ["10.1.0.0/16", "10.2.0.0/16"]
    ports       = ["9100"]
  }
}
`, `max_rules_per_direction`},
		{"governed segment neither planned nor existing", `
resource "zerotrust_segment_policy" "violation" {
  segment = "sg/vpc-0123456789abcdef0/nowhere"
  name    = "violation"
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
    ports       = ["443"]
  }
}
`, `Segment not found.*sg/vpc-0123456789abcdef0/nowhere`},
		// Kubernetes.
		{"kubernetes-only segment and an ICMP flow", `
resource "zerotrust_segment" "violation" {
  name = "violation-pods"
  kubernetes {
    namespace  = var.kubernetes_namespace
    pod_labels = { app = "violation" }
  }
}

resource "zerotrust_segment_policy" "violation" {
  segment = zerotrust_segment.violation.id
  name    = "violation"
  allow_from {
    cidr_blocks = ["10.0.0.0/8"]
    protocol    = "icmp"
  }
}
`, `protocol|ICMP|NetworkPolicy`},
		{"flow enforceable nowhere", `
resource "zerotrust_segment" "violation" {
  name = "violation-pods"
  kubernetes {
    namespace  = var.kubernetes_namespace
    pod_labels = { app = "violation" }
  }
}

# A segment with a security group only: no NetworkPolicy can select it.
resource "zerotrust_segment" "violation_vms" {
  name   = "violation-vms"
  vpc_id = var.vpc_id
}

resource "zerotrust_segment_policy" "violation" {
  segment = zerotrust_segment.violation_vms.id
  name    = "violation"
  allow_from {
    segment = zerotrust_segment.violation.id
    ports   = ["9100"]
  }
}
`, `Flow enforceable nowhere`},
		// Protect surfaces: floors on a surface of a proxy created in this apply.
		{"restricted surface rule without device", `
resource "zerotrust_protect_surface" "violation" {
  name                = "violation"
  sensitivity         = "restricted"
  proxy_id            = zerotrust_access_proxy.corp.id
  proxy_trust_context = zerotrust_access_proxy.corp.trust_context
  access_rule {
    name        = "r"
    groups      = [zerotrust_access_group.this["finance"].id]
    require_mfa = true
  }
}
`, `device`},
		{"confidential surface rule without MFA", `
resource "zerotrust_protect_surface" "violation" {
  name                = "violation"
  sensitivity         = "confidential"
  proxy_id            = zerotrust_access_proxy.corp.id
  proxy_trust_context = zerotrust_access_proxy.corp.trust_context
  access_rule {
    name        = "r"
    groups      = [zerotrust_access_group.this["finance"].id]
    require_mfa = false
  }
}
`, `require_mfa|MFA`},
		{"group by display name", `
resource "zerotrust_protect_surface" "violation" {
  name                = "violation"
  sensitivity         = "internal"
  proxy_id            = zerotrust_access_proxy.corp.id
  proxy_trust_context = zerotrust_access_proxy.corp.trust_context
  access_rule {
    name   = "r"
    groups = [zerotrust_access_group.this["finance"].display_name]
  }
}
`, `Invalid Identity Center group id`},
		{"policy document naming a group by display name", `
data "zerotrust_policy_document" "violation" {
  sensitivity       = "internal"
  identity_provider = { type = "iam-identity-center", reference = "idc", mfa_enforced = true }
  access_rule {
    name   = "new-group"
    groups = [zerotrust_access_group.this["finance"].id]
  }
  access_rule {
    name   = "by-name"
    groups = ["finance"]
  }
}
`, `Invalid Identity Center group id.*"finance" is not an Identity Center group id`},
		// Privileged access.
		{"administrator policy", privileged(`  managed_policies = ["arn:aws:iam::aws:policy/AdministratorAccess"]`), `managed_policies`},
		{"privilege escalation", privileged(`  inline_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "arn:aws:iam::111111111111:role/*" }] })`), `inline_policy`},
		{"grant expired before it starts", privileged(`  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  expires_at       = "2020-01-01T00:00:00Z"`), `Grant expired before it is created.*expires_at`},
		// Module form.
		{"module: internet into a restricted tier", mod(`
    vault = { sensitivity = "restricted", allow_from = [{ cidr_blocks = ["0.0.0.0/1", "128.0.0.0/1"], ports = ["443"] }] }
`), openInternet},
		{"module: internet over IPv6 into a confidential tier", mod(`
    api = { sensitivity = "confidential", allow_from = [{ cidr_blocks = ["::/0"], ports = ["443"] }] }
`), `Open internet into a confidential segment`},
		{"module: surface floor", surface("restricted", `{ name = "r", groups = [zerotrust_access_group.this["finance"].id], require_mfa = true }`), `device`},
		{"module: administrator permission set", ica(`{ group = "oncall", accounts = [var.account_id], managed_policies = ["arn:aws:iam::aws:policy/AdministratorAccess"] }`), `managed_policies`},
	}
}

// TestFirstApplyRefusedAtPlan plans the whole of examples/complete plus one
// violation into a sandbox where none of it exists — every new team's first
// apply — and checks that the plan fails naming what is wrong, and that not
// one object of any kind, in AWS or Kubernetes, was created: the apply never
// starts. Run with Terraform and with OpenTofu (make test-opentofu).
func TestFirstApplyRefusedAtPlan(t *testing.T) {
	acctest.PreCheck(t)
	sb := newCompleteSandbox(t, "10.83.0.0/16")
	elsewhere := acctest.CreateVPC(t, "10.84.0.0/16")
	counts := func() map[string]int {
		t.Helper()
		inv := sb.inventory(t)
		c := inv.Counts()
		c["security groups in the unpeered VPC"] = len(managedGroups(t, elsewhere))
		return c
	}
	cases := firstApplyCases()
	if len(cases) < 25 {
		t.Fatalf("only %d first-apply cases; at least 25 are promised", len(cases))
	}
	empty := counts()
	for kind, n := range empty {
		if n != 0 {
			t.Fatalf("the sandbox is not empty before the first apply: %d %s", n, kind)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := sb.options(t)
			violation := strings.ReplaceAll(tc.violation, "%[1]s", elsewhere)
			if err := os.WriteFile(filepath.Join(opts.TerraformDir, "violation.tf"), []byte(violation), 0o644); err != nil {
				t.Fatal(err)
			}
			before := counts()
			out, err := terraform.InitAndApplyE(t, opts)
			after := counts()
			if err == nil {
				terraform.Destroy(t, opts)
				t.Fatalf("applied; the violation was not refused:\n%s", violation)
			}
			flat := strings.Join(strings.Fields(out), " ")
			if !regexp.MustCompile(tc.want).MatchString(flat) {
				t.Errorf("the failure does not match %q:\n%s", tc.want, out)
			}
			if !maps.Equal(before, after) {
				for _, kind := range slices.Sorted(maps.Keys(after)) {
					if before[kind] != after[kind] {
						t.Errorf("%s: %d before the apply, %d after: the plan let the apply start", kind, before[kind], after[kind])
					}
				}
				terraform.Destroy(t, opts)
			}
		})
	}
}
