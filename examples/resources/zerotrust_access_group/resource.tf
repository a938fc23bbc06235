# A group the provider creates and owns: members not listed are removed
# (authoritative is the default for created groups), and destroy deletes it.
resource "zerotrust_access_group" "payments_eng" {
  display_name = "payments-engineering"
  description  = "Engineers of the payments team"
  members      = ["alice@example.com", "bob@example.com"]
  membership   = "authoritative"
}

# A group synchronised from the identity provider, adopted by id: only the
# listed members are ensured (additive is the default for adopted groups), and
# destroy removes only the memberships the provider added.
resource "zerotrust_access_group" "oncall" {
  group_id = var.oncall_group_id
  members  = ["carol@example.com"]
}

variable "oncall_group_id" {
  type        = string
  description = "Identity Store id of an existing group, e.g. one synced from Okta."
}

# Access rules and privileged access refer to the group by its id.
output "payments_eng_group_id" {
  value = zerotrust_access_group.payments_eng.id
}
