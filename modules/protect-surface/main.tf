# Protect surface: one application (or a few that share a policy) behind the
# access proxy of modules/zero-trust-baseline. The surface is a Verified
# Access group whose Cedar policy is compiled from the access rules, with one
# endpoint per application. Deny by default: no rule, no access; every permit
# rule must meet the floor of the surface's sensitivity, checked at plan.

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
  # Every application and device requirement a rule names, to check them
  # against var.applications and var.device_requirements before planning.
  unknown_applications = distinct(flatten([
    for r in var.access_rules : [for a in r.applications : a if !contains(keys(var.applications), a)]
  ]))
  unknown_device_requirements = distinct([
    for r in var.access_rules : r.device_requirement
    if r.device_requirement != null && !contains(keys(var.device_requirements), coalesce(r.device_requirement, "-"))
  ])
}

resource "zerotrust_protect_surface" "this" {
  name                = var.name
  sensitivity         = var.sensitivity
  proxy_id            = var.proxy_id
  proxy_trust_context = var.proxy_trust_context
  tags                = length(var.tags) == 0 ? null : var.tags

  dynamic "application" {
    for_each = var.applications
    content {
      name                   = application.key
      load_balancer_arn      = application.value.load_balancer_arn
      network_interface_id   = application.value.network_interface_id
      cidr                   = application.value.cidr
      rds_db_instance_arn    = application.value.rds_db_instance_arn
      rds_db_cluster_arn     = application.value.rds_db_cluster_arn
      rds_db_proxy_arn       = application.value.rds_db_proxy_arn
      rds_endpoint           = application.value.rds_endpoint
      port                   = application.value.port
      port_ranges            = application.value.port_ranges
      protocol               = application.value.protocol
      domain                 = application.value.domain
      domain_certificate_arn = application.value.domain_certificate_arn
      endpoint_domain_prefix = application.value.endpoint_domain_prefix
      subnet_ids             = application.value.subnet_ids
      security_group_ids     = application.value.security_group_ids
    }
  }

  # Empty lists are passed as null: "unset" is what the provider means by
  # "does not constrain", and it keeps the plan free of empty attributes.
  dynamic "access_rule" {
    for_each = var.access_rules
    content {
      name                   = access_rule.value.name
      effect                 = access_rule.value.effect
      groups                 = length(access_rule.value.groups) == 0 ? null : access_rule.value.groups
      device                 = access_rule.value.device_requirement == null ? null : lookup(var.device_requirements, access_rule.value.device_requirement, null)
      require_mfa            = access_rule.value.require_mfa ? true : null
      require_verified_email = access_rule.value.require_verified_email ? true : null
      methods                = length(access_rule.value.methods) == 0 ? null : access_rule.value.methods
      path_prefixes          = length(access_rule.value.path_prefixes) == 0 ? null : access_rule.value.path_prefixes
      client_cidrs           = length(access_rule.value.client_cidrs) == 0 ? null : access_rule.value.client_cidrs
      applications           = length(access_rule.value.applications) == 0 ? null : access_rule.value.applications
      acknowledgement        = access_rule.value.acknowledgement
    }
  }

  lifecycle {
    precondition {
      condition     = length(local.unknown_applications) == 0
      error_message = "access_rules name applications that are not in var.applications: ${join(", ", local.unknown_applications)}."
    }
    precondition {
      condition     = length(local.unknown_device_requirements) == 0
      error_message = "access_rules name device requirements that are not in var.device_requirements: ${join(", ", local.unknown_device_requirements)}."
    }
  }
}
