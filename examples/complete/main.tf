# The complete example, applied by `make demo` against the local sandbox: a
# small organisation's zero-trust posture on all four targets.
#
#   who        five access groups in IAM Identity Center (engineering, oncall,
#              finance, support, contractors) with their members
#   where      an access proxy (AWS Verified Access) trusting IAM Identity
#              Center for users and Jamf + CrowdStrike for devices, and five
#              protect surfaces of different sensitivity (wiki: internal, hr:
#              confidential, payments: restricted, the ledger database
#              behind the proxy: restricted, the ops network on SSH and two
#              admin ports: confidential), each with access rules that name
#              groups and device requirements
#   workloads  the shop's tiers segmented in EC2 security groups and, for the
#              same flows, NetworkPolicies and Istio AuthorizationPolicies in
#              one Kubernetes namespace
#   admin      least-privilege permission sets, one of them just in time
#   verified   check blocks assert access decisions and how far the internet
#              is from restricted segments on every plan (on the first apply,
#              once the access groups exist); outputs give the access matrix,
#              the routes into restricted segments and the CISA maturity stages
#
# The VPC, subnets, load balancers, Identity Center users and the namespace
# are prerequisites the demo creates and passes in as variables, with the
# ledger's database cluster ARN and the ops network's CIDR block.

terraform {
  required_version = ">= 1.8" # provider::zerotrust::evaluate
  required_providers {
    zerotrust = {
      source = "ztforge/zerotrust"
    }
  }
}

provider "zerotrust" {
  aws {}
}

variable "vpc_id" {
  description = "VPC in which the segments' security groups are created."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the Verified Access endpoints."
  type        = list(string)
}

variable "load_balancer_arns" {
  description = "Internal load balancer in front of each protected application, by application (wiki, payments-admin, hr-portal)."
  type        = map(string)
}

variable "ledger_db_cluster_arn" {
  description = "The ledger's RDS DB cluster (e.g. aws_rds_cluster.<name>.arn), reached through the proxy over TCP."
  type        = string
}

variable "ops_network_cidr" {
  description = "The operations network reached through the proxy on SSH and the admin ports."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for the applications' *.corp.example.com domains."
  type        = string
}

variable "account_id" {
  description = "AWS account in which the privileged access is assigned."
  type        = string
}

variable "members" {
  description = "Identity Center user names of each access group's members (the users must exist)."
  type        = map(list(string))
}

variable "oncall_expires_at" {
  description = "End of the just-in-time on-call grant (RFC 3339). A fixed value, so a re-plan stays clean."
  type        = string
}

variable "kubernetes_namespace" {
  description = "Namespace of the shop's pods."
  type        = string
  default     = "shop"
}

variable "jamf_tenant_id" {
  type    = string
  default = "acme-jamf"
}

variable "crowdstrike_customer_id" {
  type    = string
  default = "acme-crowdstrike"
}

# ---------------------------------------------------------------------------
# Who: access groups in IAM Identity Center.

resource "zerotrust_access_group" "this" {
  for_each = var.members

  display_name = each.key
  description  = "Acme ${each.key}"
  members      = each.value
  membership   = "authoritative"
}

# ---------------------------------------------------------------------------
# Where: the access proxy and the protect surfaces on it.

resource "zerotrust_access_proxy" "corp" {
  name        = "acme-corp"
  description = "Acme's zero-trust access proxy"

  identity_provider {
    type         = "iam-identity-center"
    reference    = "idc"
    mfa_enforced = true
  }

  device_trust_provider {
    type      = "jamf"
    reference = "jamf"
    tenant_id = var.jamf_tenant_id
  }

  device_trust_provider {
    type      = "crowdstrike"
    reference = "crowdstrike"
    tenant_id = var.crowdstrike_customer_id
  }

  logging {
    cloudwatch_log_group  = "/verified-access/acme-corp"
    include_trust_context = true
  }
}

locals {
  # Device requirements are values, reused by reference.
  device_strong   = { jamf = { max_risk = "LOW" }, crowdstrike = { min_overall_score = 80 } }
  device_moderate = { jamf = { max_risk = "MEDIUM" }, crowdstrike = { min_overall_score = 50 }, combine = "any-of" }

  # Each protect surface: its application (one of the forms below), the
  # request the access matrix probes it with (and that request in words),
  # and its access rules (groups by access-group key). The ledger and ops
  # applications are reached over TCP, so their rules carry no HTTP
  # conditions and their probes are TCP connections to a port.
  surfaces = {
    wiki = {
      sensitivity = "internal"
      application = { name = "wiki", domain = "wiki.corp.example.com", load_balancer_arn = var.load_balancer_arns["wiki"], port = 443 }
      probe       = { method = "GET", path = "/" }
      request     = "GET /"
      rules = [
        { name = "staff", effect = "permit", groups = ["engineering", "finance", "support"], device = local.device_moderate, require_mfa = false, methods = [], path_prefixes = [] },
        { name = "contractors-read", effect = "permit", groups = ["contractors"], device = local.device_strong, require_mfa = false, methods = ["GET", "HEAD"], path_prefixes = [] },
      ]
    }
    hr = {
      sensitivity = "confidential"
      application = { name = "hr-portal", domain = "hr.corp.example.com", load_balancer_arn = var.load_balancer_arns["hr-portal"], port = 443 }
      probe       = { method = "GET", path = "/directory/people" }
      request     = "GET /directory/people"
      rules = [
        { name = "finance-payroll", effect = "permit", groups = ["finance"], device = local.device_moderate, require_mfa = true, methods = ["GET", "POST"], path_prefixes = [] },
        { name = "support-directory", effect = "permit", groups = ["support"], device = local.device_moderate, require_mfa = true, methods = ["GET"], path_prefixes = ["/directory"] },
      ]
    }
    payments = {
      sensitivity = "restricted"
      application = { name = "payments-admin", domain = "payments.corp.example.com", load_balancer_arn = var.load_balancer_arns["payments-admin"], port = 443 }
      probe       = { method = "GET", path = "/payouts" }
      request     = "GET /payouts"
      rules = [
        { name = "finance-operate", effect = "permit", groups = ["finance"], device = local.device_strong, require_mfa = true, methods = ["GET", "POST"], path_prefixes = [] },
        { name = "engineering-read", effect = "permit", groups = ["engineering"], device = local.device_strong, require_mfa = true, methods = ["GET"], path_prefixes = [] },
        { name = "no-contractors", effect = "forbid", groups = ["contractors"], device = null, require_mfa = false, methods = [], path_prefixes = [] },
      ]
    }
    # A database behind the proxy: whoever is on call connects to the
    # ledger's PostgreSQL cluster from a strongly managed device, with MFA.
    ledger = {
      sensitivity = "restricted"
      application = { name = "ledger-db", rds_db_cluster_arn = var.ledger_db_cluster_arn, port = 5432, protocol = "tcp" }
      probe       = { tcp = true, port = 5432 }
      request     = "TCP 5432"
      rules = [
        { name = "oncall-connect", effect = "permit", groups = ["oncall"], device = local.device_strong, require_mfa = true, methods = [], path_prefixes = [] },
      ]
    }
    # A network on SSH and two admin ports, one endpoint for all of them.
    ops = {
      sensitivity = "confidential"
      application = { name = "ops-network", cidr = var.ops_network_cidr, port_ranges = ["22", "8443-8444"], protocol = "tcp" }
      probe       = { tcp = true, port = 22, port_ranges = ["22", "8443-8444"] }
      request     = "TCP 22"
      rules = [
        { name = "engineers-operate", effect = "permit", groups = ["engineering", "oncall"], device = local.device_moderate, require_mfa = true, methods = [], path_prefixes = [] },
      ]
    }
  }
}

resource "zerotrust_protect_surface" "this" {
  for_each = local.surfaces

  name                = each.key
  sensitivity         = each.value.sensitivity
  proxy_id            = zerotrust_access_proxy.corp.id
  proxy_trust_context = zerotrust_access_proxy.corp.trust_context

  application {
    name                   = each.value.application.name
    domain                 = lookup(each.value.application, "domain", null)
    load_balancer_arn      = lookup(each.value.application, "load_balancer_arn", null)
    rds_db_cluster_arn     = lookup(each.value.application, "rds_db_cluster_arn", null)
    cidr                   = lookup(each.value.application, "cidr", null)
    port                   = lookup(each.value.application, "port", null)
    port_ranges            = lookup(each.value.application, "port_ranges", null)
    protocol               = lookup(each.value.application, "protocol", null)
    domain_certificate_arn = can(each.value.application.domain) ? var.certificate_arn : null
    subnet_ids             = var.subnet_ids
  }

  dynamic "access_rule" {
    for_each = each.value.rules
    content {
      name          = access_rule.value.name
      effect        = access_rule.value.effect
      groups        = [for g in access_rule.value.groups : zerotrust_access_group.this[g].id]
      device        = access_rule.value.device
      require_mfa   = access_rule.value.require_mfa
      methods       = access_rule.value.methods
      path_prefixes = access_rule.value.path_prefixes
    }
  }
}

# ---------------------------------------------------------------------------
# Workloads: the shop's segments, in security groups and in the namespace.

locals {
  segments = {
    web        = { sensitivity = "public" }
    app        = { sensitivity = "confidential" }
    db         = { sensitivity = "restricted" }
    payments   = { sensitivity = "restricted" }
    monitoring = { sensitivity = "internal" }
  }

  # Every flow allowed; everything else is denied. `from` is a segment, or
  # null with cidr_blocks for a network outside.
  flows = [
    { to = "web", from = null, cidr_blocks = ["0.0.0.0/0"], ports = ["443"] },
    { to = "app", from = "web", cidr_blocks = [], ports = ["8443"] },
    { to = "db", from = "app", cidr_blocks = [], ports = ["5432"] },
    { to = "payments", from = "app", cidr_blocks = [], ports = ["8443"] },
    { to = "db", from = "payments", cidr_blocks = [], ports = ["5432"] },
    { to = "web", from = "monitoring", cidr_blocks = [], ports = ["9100"] },
    { to = "app", from = "monitoring", cidr_blocks = [], ports = ["9100"] },
    { to = "payments", from = "monitoring", cidr_blocks = [], ports = ["9100"] },
  ]

  # Traffic leaving to networks outside, by segment.
  egress = {
    payments = [{ cidr_blocks = ["203.0.113.0/24"], ports = ["443"], description = "card processor" }]
  }
}

resource "zerotrust_segment" "this" {
  for_each = local.segments

  name        = "shop-${each.key}"
  vpc_id      = var.vpc_id
  sensitivity = each.value.sensitivity

  kubernetes {
    namespace       = var.kubernetes_namespace
    pod_labels      = { "app.kubernetes.io/component" = each.key }
    service_account = each.key
  }
}

# The shop's flows, owned as one set: each security group gets at most one
# Authorize and one Revoke call per direction however many flows reach it.
resource "zerotrust_segment_policy_set" "shop" {
  name = "shop"

  dynamic "policy" {
    for_each = toset(concat([for f in local.flows : f.to], keys(local.egress)))
    content {
      segment = zerotrust_segment.this[policy.value].id

      dynamic "allow_from" {
        for_each = [for f in local.flows : f if f.to == policy.value]
        content {
          segment     = allow_from.value.from == null ? null : zerotrust_segment.this[allow_from.value.from].id
          cidr_blocks = allow_from.value.from == null ? allow_from.value.cidr_blocks : null
          protocol    = "tcp"
          ports       = allow_from.value.ports
        }
      }

      dynamic "allow_to" {
        for_each = lookup(local.egress, policy.value, [])
        content {
          cidr_blocks = allow_to.value.cidr_blocks
          protocol    = "tcp"
          ports       = allow_to.value.ports
          description = allow_to.value.description
        }
      }
    }
  }

  # Default-deny and allow NetworkPolicies, and Istio AuthorizationPolicies
  # admitting only the source tiers' SPIFFE identities.
  kubernetes {
    istio = true
  }
}

# ---------------------------------------------------------------------------
# Admin: least privilege in IAM Identity Center.

# Finance reads cost data, nothing else, with no end date.
resource "zerotrust_privileged_access" "finance_costs" {
  name        = "finance-cost-read"
  description = "Cost Explorer and budgets, read only"
  group       = zerotrust_access_group.this["finance"].id
  accounts    = [var.account_id]
  inline_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReadCosts"
      Effect   = "Allow"
      Action   = ["ce:GetCostAndUsage", "ce:GetCostForecast", "budgets:ViewBudget"]
      Resource = "*"
    }]
  })
  session_duration = "PT1H"
}

# Engineering's on-call: read only plus restarting the payments service, for
# one-hour sessions, until oncall_expires_at (then the assignments go).
resource "zerotrust_privileged_access" "payments_oncall" {
  name             = "payments-oncall"
  description      = "Payments on-call, just in time"
  group            = zerotrust_access_group.this["engineering"].id
  accounts         = [var.account_id]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  inline_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "RestartPayments"
      Effect   = "Allow"
      Action   = ["ecs:UpdateService"]
      Resource = "arn:aws:ecs:us-east-1:${var.account_id}:service/shop/payments"
    }]
  })
  session_duration = "PT1H"
  expires_at       = var.oncall_expires_at
}

# ---------------------------------------------------------------------------
# Verified: decisions asserted on every plan, evaluated with Cedar over the
# context Verified Access would send for each request.

locals {
  # Device postures the matrix and the checks try: what the trust providers
  # would report for such a device. "unmanaged" reports nothing.
  postures = {
    compliant = { device = { jamf = { risk = "LOW" }, crowdstrike = { overall = 92 } } }
    degraded  = { device = { jamf = { risk = "MEDIUM" }, crowdstrike = { overall = 60 } } }
    high-risk = { device = { jamf = { risk = "HIGH" }, crowdstrike = { overall = 15 } } }
    unmanaged = {}
  }

  # Expected decisions: group, surface, posture and method.
  decisions = {
    contractor_high_risk_payments = { group = "contractors", surface = "payments", posture = "high-risk", method = "GET", path = "/payouts", allowed = false }
    contractor_compliant_payments = { group = "contractors", surface = "payments", posture = "compliant", method = "GET", path = "/payouts", allowed = false }
    engineer_compliant_wiki       = { group = "engineering", surface = "wiki", posture = "compliant", method = "POST", path = "/pages", allowed = true }
    engineer_payments_write       = { group = "engineering", surface = "payments", posture = "compliant", method = "POST", path = "/payouts", allowed = false }
    finance_compliant_payments    = { group = "finance", surface = "payments", posture = "compliant", method = "POST", path = "/payouts", allowed = true }
    finance_degraded_payments     = { group = "finance", surface = "payments", posture = "degraded", method = "GET", path = "/payouts", allowed = false }
    support_unmanaged_wiki        = { group = "support", surface = "wiki", posture = "unmanaged", method = "GET", path = "/", allowed = false }
    support_hr_outside_directory  = { group = "support", surface = "hr", posture = "compliant", method = "GET", path = "/payroll", allowed = false }
    oncall_compliant_ledger       = { group = "oncall", surface = "ledger", posture = "compliant", port = 5432, allowed = true }
    oncall_degraded_ledger        = { group = "oncall", surface = "ledger", posture = "degraded", port = 5432, allowed = false }
    contractor_compliant_ledger   = { group = "contractors", surface = "ledger", posture = "compliant", port = 5432, allowed = false }
    engineer_ops_admin_port       = { group = "engineering", surface = "ops", posture = "compliant", port = 8444, allowed = true }
    engineer_ops_outside_ranges   = { group = "engineering", surface = "ops", posture = "compliant", port = 80, allowed = false }
  }
}

data "zerotrust_access_decision" "check" {
  for_each = local.decisions

  policy_document = zerotrust_protect_surface.this[each.value.surface].policy_document
  trust_context   = zerotrust_access_proxy.corp.trust_context
  # TCP surfaces: no HTTP request data, and a port outside the application's
  # ranges reaches no endpoint.
  tcp         = lookup(local.surfaces[each.value.surface].probe, "tcp", false)
  port_ranges = lookup(local.surfaces[each.value.surface].probe, "port_ranges", null)
  request = merge(local.postures[each.value.posture], {
    groups = [zerotrust_access_group.this[each.value.group].id]
    method = lookup(each.value, "method", null)
    path   = lookup(each.value, "path", null)
    port   = lookup(each.value, "port", null)
    host   = lookup(local.surfaces[each.value.surface].application, "domain", null)
  })
}

check "access_decisions" {
  assert {
    condition     = alltrue([for k, d in local.decisions : data.zerotrust_access_decision.check[k].allowed == d.allowed])
    error_message = "unexpected access decisions: ${join("; ", [for k, d in local.decisions : "${k}: ${data.zerotrust_access_decision.check[k].reason}" if data.zerotrust_access_decision.check[k].allowed != d.allowed])}"
  }
  assert {
    condition     = contains(data.zerotrust_access_decision.check["contractor_compliant_payments"].deciding_rules, "no-contractors")
    error_message = "contractors are kept out of payments by something other than the no-contractors forbid rule"
  }
}

data "zerotrust_reachability" "shop" {
  segments = [for name, s in local.segments : { name = name, sensitivity = s.sensitivity }]
  flows = [for f in local.flows : {
    to          = f.to
    segment     = f.from
    cidr_blocks = f.from == null ? f.cidr_blocks : null
    ports       = f.ports
  }]
  min_sensitivity = "restricted"
}

check "internet_depth" {
  assert {
    condition     = alltrue([for p in data.zerotrust_reachability.shop.paths : p.hops >= 3 if p.from_internet])
    error_message = "the internet is less than three hops from a restricted segment"
  }
}

# The CISA maturity stages, measured from the resources themselves: rules and
# floors, segment enforcement (security groups, the set's compiled
# NetworkPolicies and Istio policies), internet exposure, grant expiry and
# sessions, logging, and the decision checks over each surface. Nothing the
# provider knows is stated here; facts outside it (phishing-resistant MFA,
# SIEM, encryption, drift schedule, access reviews) would go in `declared`,
# and the demo declares none.
data "zerotrust_maturity_assessment" "acme" {
  access_proxy      = zerotrust_access_proxy.corp
  protect_surfaces  = zerotrust_protect_surface.this
  segments          = zerotrust_segment.this
  segment_policies  = [zerotrust_segment_policy_set.shop]
  privileged_access = [zerotrust_privileged_access.finance_costs, zerotrust_privileged_access.payments_oncall]
  decision_checks   = data.zerotrust_access_decision.check
}

# ---------------------------------------------------------------------------
# Outputs the demo prints.

# Every access group against every surface and device posture, with the
# surface's probe request: allowed or denied, and by which rule.
output "access_matrix" {
  value = flatten([
    for g in keys(var.members) : [
      for s, surface in local.surfaces : [
        for p, posture in local.postures : merge(
          { group = g, surface = s, posture = p, sensitivity = surface.sensitivity, request = surface.request },
          provider::zerotrust::evaluate(
            zerotrust_protect_surface.this[s].policy_document,
            merge(posture, surface.probe, {
              groups        = [zerotrust_access_group.this[g].id]
              host          = lookup(surface.application, "domain", null)
              trust_context = zerotrust_access_proxy.corp.trust_context
            })
          )
        )
      ]
    ]
  ])
}

output "decision_checks" {
  value = { for k, d in local.decisions : k => {
    expected = d.allowed
    allowed  = data.zerotrust_access_decision.check[k].allowed
    reason   = data.zerotrust_access_decision.check[k].reason
  } }
}

output "reachability_matrix" {
  value = data.zerotrust_reachability.shop.matrix
}

output "paths_into_restricted" {
  value = [for p in data.zerotrust_reachability.shop.paths : {
    into          = p.into
    path          = join(" -> ", p.path)
    hops          = p.hops
    from_internet = p.from_internet
  }]
}

output "maturity" {
  value = [for p in data.zerotrust_maturity_assessment.acme.pillars : {
    pillar     = p.pillar
    stage      = p.stage
    evidence   = p.evidence
    next_steps = p.next_steps
  }]
}

output "maturity_overall" {
  value = data.zerotrust_maturity_assessment.acme.overall_stage
}

output "segment_ids" {
  value = { for k, s in zerotrust_segment.this : k => s.id }
}

output "access_group_ids" {
  value = { for k, g in zerotrust_access_group.this : k => g.id }
}

output "proxy_id" {
  value = zerotrust_access_proxy.corp.id
}

output "surface_group_ids" {
  value = { for k, s in zerotrust_protect_surface.this : k => s.id }
}

output "permission_set_arns" {
  value = {
    finance_costs   = zerotrust_privileged_access.finance_costs.permission_set_arn
    payments_oncall = zerotrust_privileged_access.payments_oncall.permission_set_arn
  }
}

output "kubernetes_objects" {
  description = "Names of the compiled Kubernetes objects."
  value       = sort(keys(zerotrust_segment_policy_set.shop.kubernetes_manifests))
}

output "security_group_rules" {
  description = "The compiled security-group rules, one line each."
  value       = zerotrust_segment_policy_set.shop.rules
}
