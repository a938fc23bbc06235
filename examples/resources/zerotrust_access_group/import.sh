# An access group is imported by its Identity Store group id. A group carrying
# the provider's ownership marker ([managed-by=terraform-provider-zerotrust] at
# the end of its description) is imported as created and authoritative; any
# other group is imported as adopted and additive, so destroy never deletes it.
terraform import zerotrust_access_group.payments_eng 9067b2a3-1234-4c5d-8e9f-0123456789ab

# Or, with Terraform 1.5+, an import block:
#
# import {
#   to = zerotrust_access_group.payments_eng
#   id = "9067b2a3-1234-4c5d-8e9f-0123456789ab"
# }
