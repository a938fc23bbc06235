# A restricted application behind the zero-trust baseline: the payments admin
# console (an internal load balancer) admits payments engineers on a managed,
# low-risk laptop with MFA, for reads and writes only, and no one may DELETE
# under /admin. The compiled Cedar is in the plan, before anything exists.

terraform {
  required_providers {
    zerotrust = {
      source = "ztforge/zerotrust"
    }
  }
}

provider "zerotrust" {
  aws {}
}

variable "name_prefix" {
  description = "Prefix of the proxy's and the surface's names."
  type        = string
  default     = ""
}

variable "jamf_tenant_id" {
  description = "Jamf tenant id Verified Access trusts."
  type        = string
}

variable "log_group" {
  description = "Existing CloudWatch Logs log group for the access logs."
  type        = string
}

variable "load_balancer_arn" {
  description = "Internal Application Load Balancer in front of the payments admin console."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for the application's domain."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets of the Verified Access endpoint (the load balancer's)."
  type        = list(string)
}

variable "engineers_group_id" {
  description = "Identity Store group id of the payments engineers (e.g. module.<identity-center-access>.group_ids[…])."
  type        = string
}

module "baseline" {
  source = "../../../modules/zero-trust-baseline"

  name = "${var.name_prefix}corp"
  identity_provider = {
    type         = "iam-identity-center"
    mfa_enforced = true
  }
  device_trust_providers = {
    jamf = { tenant_id = var.jamf_tenant_id }
  }
  logging = {
    cloudwatch_log_group = var.log_group
  }
}

module "payments" {
  source = "../../../modules/protect-surface"

  name                = "${var.name_prefix}payments"
  sensitivity         = "restricted"
  proxy_id            = module.baseline.proxy_id
  proxy_trust_context = module.baseline.trust_context

  applications = {
    payments-admin = {
      load_balancer_arn      = var.load_balancer_arn
      port                   = 443
      domain                 = "pay.internal.example.com"
      domain_certificate_arn = var.certificate_arn
      subnet_ids             = var.subnet_ids
    }
  }

  device_requirements = {
    managed_laptop = { jamf = { max_risk = "LOW" } }
  }

  access_rules = [
    {
      name               = "engineers-read-write"
      groups             = [var.engineers_group_id]
      device_requirement = "managed_laptop"
      require_mfa        = true
      methods            = ["GET", "POST"]
    },
    {
      name          = "no-admin-deletes"
      effect        = "forbid"
      methods       = ["DELETE"]
      path_prefixes = ["/admin"]
    },
  ]

  tags = { team = "payments" }
}

output "proxy_id" {
  value = module.baseline.proxy_id
}

output "group_id" {
  value = module.payments.group_id
}

output "endpoint_ids" {
  value = module.payments.endpoint_ids
}

output "policy_document" {
  value = module.payments.policy_document
}

output "policy_statements" {
  value = module.payments.policy_statements
}
