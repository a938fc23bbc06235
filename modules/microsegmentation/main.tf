# Microsegmentation: named tiers become segments, and each tier's allowed
# inbound flows become a segment policy on that tier. A flow from another
# tier is compiled to both halves: the inbound rule on this tier and the
# outbound rule on the source tier (created segments deny egress too).

terraform {
  required_version = ">= 1.6"
  required_providers {
    zerotrust = {
      source = "ztforge/zerotrust"
    }
  }
}

locals {
  policy_tiers = toset([
    for name, tier in var.tiers : name
    if length(tier.allow_from) > 0 || length(tier.allow_to_cidrs) > 0
  ])
}

resource "zerotrust_segment" "tier" {
  for_each = var.tiers

  name        = "${var.name_prefix}${each.key}"
  vpc_id      = var.vpc_id
  sensitivity = each.value.sensitivity
  tags        = var.tags
}

resource "zerotrust_segment_policy" "tier" {
  for_each = local.policy_tiers

  segment = zerotrust_segment.tier[each.key].id

  dynamic "allow_from" {
    for_each = var.tiers[each.key].allow_from
    content {
      segment         = allow_from.value.tier == null ? null : zerotrust_segment.tier[allow_from.value.tier].id
      cidr_blocks     = allow_from.value.cidr_blocks
      protocol        = allow_from.value.protocol
      ports           = allow_from.value.ports
      acknowledgement = allow_from.value.acknowledgement
    }
  }

  dynamic "allow_to" {
    for_each = var.tiers[each.key].allow_to_cidrs
    content {
      cidr_blocks = allow_to.value.cidr_blocks
      protocol    = allow_to.value.protocol
      ports       = allow_to.value.ports
    }
  }
}
