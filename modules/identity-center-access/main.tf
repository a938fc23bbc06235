# Identity Center access: who (access groups and their members) and what they
# may do (least-privilege permission sets assigned to those groups in named
# accounts), standing or just in time. A just-in-time grant's assignments are
# removed by the first plan at or after its expires_at.

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
  # Standing permission sets and just-in-time grants are one resource type;
  # a standing one simply never expires.
  grants = merge(
    { for name, p in var.permission_sets : name => merge(p, { expires_at = null }) },
    var.just_in_time,
  )
  group_id_pattern = "^([0-9a-f]{10}-)?[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$"
}

resource "zerotrust_access_group" "this" {
  for_each = var.groups

  display_name = each.value.group_id == null ? coalesce(each.value.display_name, each.key) : each.value.display_name
  group_id     = each.value.group_id
  description  = each.value.description
  members      = each.value.members
  membership   = each.value.membership
}

resource "zerotrust_privileged_access" "this" {
  for_each = local.grants

  name        = each.key
  description = each.value.description
  # A key of var.groups, else an Identity Store group id managed elsewhere
  # (the precondition below refuses anything else).
  group    = try(zerotrust_access_group.this[each.value.group].id, each.value.group)
  accounts = each.value.accounts

  managed_policies          = length(each.value.managed_policies) == 0 ? null : each.value.managed_policies
  customer_managed_policies = length(each.value.customer_managed_policies) == 0 ? null : each.value.customer_managed_policies
  inline_policy             = each.value.inline_policy
  permissions_boundary      = each.value.permissions_boundary
  session_duration          = each.value.session_duration
  expires_at                = each.value.expires_at
  acknowledgement           = each.value.acknowledgement

  lifecycle {
    precondition {
      condition     = contains(keys(var.groups), each.value.group) || can(regex(local.group_id_pattern, each.value.group))
      error_message = "${each.key}: group \"${each.value.group}\" is neither a key of var.groups nor an Identity Store group id."
    }
    precondition {
      condition     = !(contains(keys(var.permission_sets), each.key) && contains(keys(var.just_in_time), each.key))
      error_message = "${each.key} is both in var.permission_sets and in var.just_in_time: permission set names must be unique."
    }
  }
}
