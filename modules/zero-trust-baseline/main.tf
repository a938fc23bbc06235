# Zero-trust baseline: the policy enforcement point every protect surface sits
# behind. One access proxy (a Verified Access instance) with the user trust
# provider (IAM Identity Center or OIDC) and the device trust providers, and
# access logs with the trust context for a SIEM.
#
# Deny by default: the proxy alone admits nobody. It holds no group and no
# endpoint; an application becomes reachable only when a protect surface
# (modules/protect-surface) places it behind the proxy with access rules, and
# a surface without rules compiles to a deny-all policy.

terraform {
  required_version = ">= 1.6"
  required_providers {
    zerotrust = {
      source  = "ztforge/zerotrust"
      version = ">= 0.2.0, < 1.0.0"
    }
  }
}

locals {
  identity_reference = coalesce(var.identity_provider.reference, var.identity_provider.type == "oidc" ? "oidc" : "idc")
  device_references  = { for type, d in var.device_trust_providers : type => coalesce(d.reference, type) }
}

resource "zerotrust_access_proxy" "this" {
  name         = var.name
  description  = var.description
  fips_enabled = var.fips_enabled
  tags         = length(var.tags) == 0 ? null : var.tags

  identity_provider {
    type         = var.identity_provider.type
    reference    = local.identity_reference
    mfa_enforced = var.identity_provider.mfa_enforced
    groups_claim = var.identity_provider.groups_claim

    dynamic "oidc" {
      for_each = var.identity_provider.oidc == null ? [] : [var.identity_provider.oidc]
      content {
        issuer                 = oidc.value.issuer
        authorization_endpoint = oidc.value.authorization_endpoint
        token_endpoint         = oidc.value.token_endpoint
        user_info_endpoint     = oidc.value.user_info_endpoint
        client_id              = oidc.value.client_id
        scope                  = oidc.value.scope
        client_secret          = var.oidc_client_secret
        client_secret_version  = oidc.value.client_secret_version
      }
    }
  }

  # Keyed by type, so the order (and the plan) does not depend on how the
  # caller wrote the map.
  dynamic "device_trust_provider" {
    for_each = var.device_trust_providers
    content {
      type      = device_trust_provider.key
      reference = local.device_references[device_trust_provider.key]
      tenant_id = device_trust_provider.value.tenant_id
    }
  }

  logging {
    cloudwatch_log_group  = var.logging.cloudwatch_log_group
    include_trust_context = var.logging.include_trust_context
    log_version           = var.logging.log_version

    dynamic "s3" {
      for_each = var.logging.s3 == null ? [] : [var.logging.s3]
      content {
        bucket       = s3.value.bucket
        bucket_owner = s3.value.bucket_owner
        prefix       = s3.value.prefix
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.identity_provider.type != "oidc" || var.oidc_client_secret != null
      error_message = "oidc_client_secret is required when identity_provider.type is \"oidc\"."
    }
    precondition {
      condition     = !contains(values(local.device_references), local.identity_reference) && length(distinct(values(local.device_references))) == length(local.device_references)
      error_message = "The identity provider's and every device trust provider's references must be distinct."
    }
  }
}
