# The access proxy the surface is placed on (see zerotrust_access_proxy).
resource "zerotrust_access_proxy" "corp" {
  name = "corp"

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
}

# A device requirement is a value: declare it once, use it in several rules.
locals {
  managed_laptop = { jamf = { max_risk = "LOW" } }
}

# A restricted protect surface on that proxy. With proxy_trust_context the
# compiled Cedar (policy_document) is visible in the plan even though the
# proxy is created by the same apply.
resource "zerotrust_protect_surface" "payments" {
  name                = "payments"
  sensitivity         = "restricted"
  proxy_id            = zerotrust_access_proxy.corp.id
  proxy_trust_context = zerotrust_access_proxy.corp.trust_context
  # The group and every endpoint are encrypted with this customer-managed key.
  kms_key_arn = var.payments_kms_key_arn

  application {
    name                   = "payments-admin"
    domain                 = "pay.internal.example.com"
    load_balancer_arn      = var.payments_lb_arn
    port                   = 443
    domain_certificate_arn = var.payments_certificate_arn
    subnet_ids             = var.private_subnet_ids
  }

  # A database behind the proxy: an RDS instance, cluster or proxy ARN, or an
  # RDS endpoint address. Users reach it over TCP with AWS's connectivity client.
  application {
    name               = "ledger-db"
    rds_db_cluster_arn = var.ledger_cluster_arn
    port               = 5432
    subnet_ids         = var.private_subnet_ids
  }

  # A network reached on several ports: each a port or an inclusive range,
  # ascending and not overlapping.
  application {
    name        = "ops-network"
    cidr        = "10.40.0.0/24"
    port_ranges = ["22", "8000-8080"]
    subnet_ids  = var.private_subnet_ids
  }

  # HTTP conditions (methods, path_prefixes, client_cidrs) apply to HTTP(S)
  # applications only: Verified Access sends no HTTP request data for TCP.
  access_rule {
    name         = "engineers-read-write"
    groups       = [var.payments_engineering_group_id]
    device       = local.managed_laptop
    require_mfa  = true
    methods      = ["GET", "POST"]
    client_cidrs = ["198.51.100.0/24"]
    applications = ["payments-admin"]
  }

  # Only this application's endpoint policy gets the rule. A TCP-only rule
  # needs no methods to meet the restricted floor.
  access_rule {
    name         = "dba"
    groups       = [var.dba_group_id]
    device       = { jamf = { max_risk = "SECURE" } }
    require_mfa  = true
    applications = ["ledger-db"]
  }

  access_rule {
    name         = "oncall-ops"
    groups       = [var.dba_group_id]
    device       = local.managed_laptop
    require_mfa  = true
    applications = ["ops-network"]
  }

  # "/admin" matches /admin and everything below it, not /administrator.
  access_rule {
    name          = "no-admin-deletes"
    effect        = "forbid"
    methods       = ["DELETE"]
    path_prefixes = ["/admin"]
    applications  = ["payments-admin"]
  }

  # AWS takes many minutes to activate an endpoint; each operation waits up
  # to 30 minutes unless told otherwise.
  timeouts {
    create = "45m"
  }
}

# Reviewers read the real policy in the plan; it is also an output.
output "payments_policy" {
  value = zerotrust_protect_surface.payments.policy_document
}

variable "payments_kms_key_arn" {
  type = string
}

variable "jamf_tenant_id" {
  type = string
}

# Identity Center group ids, e.g. zerotrust_access_group.<name>.id.
variable "payments_engineering_group_id" {
  type = string
}

variable "payments_lb_arn" {
  type = string
}

variable "payments_certificate_arn" {
  type = string
}

variable "private_subnet_ids" {
  type = list(string)
}

variable "dba_group_id" {
  type = string
}

# The ledger's Aurora cluster, e.g. aws_rds_cluster.<name>.arn.
variable "ledger_cluster_arn" {
  type = string
}
