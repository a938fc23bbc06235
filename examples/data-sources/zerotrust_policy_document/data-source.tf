# Compile access rules to Verified Access Cedar without managing anything,
# e.g. to feed aws_verifiedaccess_group / aws_verifiedaccess_endpoint in the
# AWS provider. Floors and lint apply as on zerotrust_protect_surface.
data "zerotrust_policy_document" "payments" {
  name        = "payments"
  sensitivity = "restricted"

  identity_provider     = { type = "oidc", reference = "okta" }
  device_trust_provider = [{ type = "jamf", reference = "jamf" }]

  application {
    name   = "admin"
    domain = "pay.internal.example.com"
  }

  access_rule {
    name        = "engineers-read-write"
    groups      = ["payments-engineering"]
    device      = { jamf = { max_risk = "LOW" } }
    require_mfa = true
    methods     = ["GET", "POST"]
  }

  access_rule {
    name   = "quarantine"
    effect = "forbid"
    groups = ["quarantined"]
  }
}

# resource "aws_verifiedaccess_group" "payments" {
#   policy_document = data.zerotrust_policy_document.payments.policy_document
#   ...
# }

output "payments_policy" {
  value = data.zerotrust_policy_document.payments.policy_document
}
