output "group_id" {
  description = "The surface's Verified Access group id (vagr-…)."
  value       = zerotrust_protect_surface.this.id
}

output "group_arn" {
  description = "ARN of the Verified Access group."
  value       = zerotrust_protect_surface.this.arn
}

output "endpoint_ids" {
  description = "Verified Access endpoint id (vae-…) by application name."
  value       = { for name, e in zerotrust_protect_surface.this.endpoints : name => e.id }
}

output "endpoint_domains" {
  description = "Generated endpoint domain by application name: the DNS name to point each application's domain at."
  value       = { for name, e in zerotrust_protect_surface.this.endpoints : name => e.endpoint_domain }
}

output "policy_document" {
  description = "The compiled Cedar group policy (canonical), known in the plan; a surface without rules compiles to deny-all."
  value       = zerotrust_protect_surface.this.policy_document
}

output "policy_statements" {
  description = "The compiled statements, one per access rule in order: id, effect and the Cedar text of each condition."
  value       = zerotrust_protect_surface.this.policy_statements
}

output "endpoint_policy_documents" {
  description = "Compiled Cedar endpoint policies by application name, for applications some rule targets by name."
  value       = zerotrust_protect_surface.this.endpoint_policy_documents
}
