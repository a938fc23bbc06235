output "segment_ids" {
  description = "Segment (security group) id by tier."
  value       = { for name, s in zerotrust_segment.tier : name => s.id }
}

output "ingress_rules" {
  description = "Compiled inbound rules by tier."
  value       = { for name, p in zerotrust_segment_policy.tier : name => p.ingress_rules }
}

output "egress_rules" {
  description = "Compiled outbound rules by tier."
  value       = { for name, p in zerotrust_segment_policy.tier : name => p.egress_rules }
}

output "kubernetes_manifests" {
  description = "Compiled Kubernetes objects (canonical YAML) by tier; empty maps without var.kubernetes."
  value       = { for name, p in zerotrust_segment_policy.tier : name => p.kubernetes_manifests }
}
