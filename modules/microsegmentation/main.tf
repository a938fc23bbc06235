# Microsegmentation: named tiers become segments, and each tier's allowed
# inbound flows become that tier's policy in one segment policy set. A flow
# from another tier is compiled to both halves: the inbound rule on this tier
# and the outbound rule on the source tier (created segments deny egress
# too). With var.kubernetes set, every tier is also placed in a namespace and
# the same flows compile to default-deny + allow NetworkPolicies (and Istio
# AuthorizationPolicies when asked): one module call, both enforcement
# points. Without var.vpc_id the tiers live only in Kubernetes.

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

  dynamic "kubernetes" {
    for_each = var.kubernetes == null ? [] : [each.value.kubernetes]
    content {
      namespace       = coalesce(try(kubernetes.value.namespace, null), var.kubernetes.namespace)
      pod_labels      = coalesce(try(kubernetes.value.pod_labels, null), { "app.kubernetes.io/component" = each.key })
      service_account = try(kubernetes.value.service_account, null)
      allow_dns       = var.kubernetes.allow_dns
    }
  }
}

# One set owns every tier's flows: each security group gets at most one
# Authorize and one Revoke call per direction for the whole module.
resource "zerotrust_segment_policy_set" "tiers" {
  count = length(local.policy_tiers) > 0 ? 1 : 0

  name = lower("${var.name_prefix}tiers")

  dynamic "policy" {
    for_each = local.policy_tiers
    content {
      # Segment ids are known at plan, so floors and internet exposure are
      # checked at plan on the first apply too.
      segment = zerotrust_segment.tier[policy.value].id

      dynamic "allow_from" {
        for_each = var.tiers[policy.value].allow_from
        content {
          segment         = allow_from.value.tier == null ? null : zerotrust_segment.tier[allow_from.value.tier].id
          cidr_blocks     = allow_from.value.cidr_blocks
          protocol        = allow_from.value.protocol
          ports           = allow_from.value.ports
          acknowledgement = allow_from.value.acknowledgement
        }
      }

      dynamic "allow_to" {
        for_each = var.tiers[policy.value].allow_to_cidrs
        content {
          cidr_blocks = allow_to.value.cidr_blocks
          protocol    = allow_to.value.protocol
          ports       = allow_to.value.ports
        }
      }
    }
  }

  dynamic "kubernetes" {
    for_each = var.kubernetes == null ? [] : [var.kubernetes]
    content {
      istio = kubernetes.value.istio
    }
  }
}
