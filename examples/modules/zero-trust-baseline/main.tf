# The access proxy every protect surface sits behind: users verified by IAM
# Identity Center (which enforces MFA at sign-in), devices by Jamf and
# CrowdStrike, and access logs with the trust context in CloudWatch Logs and
# S3 for the SIEM. Nothing is reachable through it yet: deny by default until
# a protect surface adds rules.

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

variable "name" {
  description = "Name of the access proxy."
  type        = string
  default     = "corp"
}

variable "jamf_tenant_id" {
  description = "Jamf tenant id Verified Access trusts."
  type        = string
}

variable "crowdstrike_tenant_id" {
  description = "CrowdStrike tenant id Verified Access trusts."
  type        = string
}

variable "log_group" {
  description = "Existing CloudWatch Logs log group for the access logs."
  type        = string
}

variable "log_bucket" {
  description = "Existing S3 bucket for the access logs (null: CloudWatch Logs only)."
  type        = string
  default     = null
}

module "baseline" {
  source = "../../../modules/zero-trust-baseline"

  name        = var.name
  description = "Corporate access proxy"
  identity_provider = {
    type         = "iam-identity-center"
    mfa_enforced = true
  }
  device_trust_providers = {
    jamf        = { tenant_id = var.jamf_tenant_id }
    crowdstrike = { tenant_id = var.crowdstrike_tenant_id, reference = "falcon" }
  }
  logging = {
    cloudwatch_log_group = var.log_group
    s3                   = var.log_bucket == null ? null : { bucket = var.log_bucket, prefix = "verified-access/" }
  }
  tags = { team = "security" }
}

output "proxy_id" {
  value = module.baseline.proxy_id
}

output "trust_context" {
  value = module.baseline.trust_context
}

output "reference_names" {
  value = module.baseline.reference_names
}

output "identity_reference" {
  value = module.baseline.identity_reference
}

output "device_references" {
  value = module.baseline.device_references
}

output "trust_provider_ids" {
  value = module.baseline.trust_provider_ids
}
