output "segment_ids" {
  description = "Segment id by tier, known at plan: sg/<vpc_id>/<name>, or k8s/<namespace>/<name> without vpc_id."
  value       = { for name, s in zerotrust_segment.tier : name => s.id }
}

output "security_group_ids" {
  description = "Security group id by tier, as AWS assigns it (for other providers, e.g. vpc_security_group_ids); null without vpc_id."
  value       = { for name, s in zerotrust_segment.tier : name => s.security_group_id }
}

output "rules" {
  description = "Compiled security-group rules of every tier, one line each (`<group> <direction> <protocol> <ports> from|to <peer>`)."
  value       = try(zerotrust_segment_policy_set.tiers[0].rules, [])
}

output "ingress_rules" {
  description = "Compiled inbound rules by tier, one line each."
  value = {
    for name, s in zerotrust_segment.tier : name => [
      for line in try(zerotrust_segment_policy_set.tiers[0].rules, []) : line if startswith(line, "${s.id} ingress ")
    ]
  }
}

output "egress_rules" {
  description = "Compiled outbound rules by tier, one line each."
  value = {
    for name, s in zerotrust_segment.tier : name => [
      for line in try(zerotrust_segment_policy_set.tiers[0].rules, []) : line if startswith(line, "${s.id} egress ")
    ]
  }
}

output "kubernetes_manifests" {
  description = "Compiled Kubernetes objects (canonical YAML) of every tier, keyed by `<apiVersion>/<kind>/<namespace>/<name>`; empty without `kubernetes`."
  value       = try(zerotrust_segment_policy_set.tiers[0].kubernetes_manifests, {})
}
