output "proxy_id" {
  description = "The access proxy's id (Verified Access instance, vai-…): protect surfaces' proxy_id."
  value       = zerotrust_access_proxy.this.id
}

output "trust_context" {
  description = "The proxy's trust context (canonical JSON): protect surfaces' proxy_trust_context, so their policies are compiled and shown in the plan even while the proxy is created."
  value       = zerotrust_access_proxy.this.trust_context
}

output "reference_names" {
  description = "Cedar context key by trust provider type (iam-identity-center or oidc, jamf, crowdstrike, jumpcloud)."
  value       = zerotrust_access_proxy.this.reference_names
}

output "identity_reference" {
  description = "Cedar context key of the user trust provider (access rules' groups and MFA conditions read context.<reference>)."
  value       = local.identity_reference
}

output "device_references" {
  description = "Cedar context key of each device trust provider, by type (device requirements read context.<reference>)."
  value       = local.device_references
}

output "trust_provider_ids" {
  description = "Attached trust provider ids (vatp-…) by reference name."
  value       = zerotrust_access_proxy.this.trust_provider_ids
}
