output "group_ids" {
  description = "Identity Store group id by key of var.groups: access rules' groups and grants' group."
  value       = { for k, g in zerotrust_access_group.this : k => g.id }
}

output "member_user_ids" {
  description = "User id of each member, by group key and user name."
  value       = { for k, g in zerotrust_access_group.this : k => g.member_user_ids }
}

output "permission_set_arns" {
  description = "Permission set ARN by name, standing and just-in-time."
  value       = { for k, p in zerotrust_privileged_access.this : k => p.permission_set_arn }
}

output "permission_set_names" {
  description = "Permission set name (as shown in IAM Identity Center) by name."
  value       = { for k, p in zerotrust_privileged_access.this : k => p.permission_set_name }
}

output "grant_expiry" {
  description = "expires_at of each just-in-time grant, by name."
  value       = { for k, p in zerotrust_privileged_access.this : k => p.expires_at if contains(keys(var.just_in_time), k) }
}

output "grants_expired" {
  description = "Whether each just-in-time grant has expired (its assignments are then removed), by name."
  value       = { for k, p in zerotrust_privileged_access.this : k => p.expired if contains(keys(var.just_in_time), k) }
}
