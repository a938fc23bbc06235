# The policy under test: here compiled by zerotrust_policy_document; a managed
# surface's zerotrust_protect_surface.<name>.policy_document works the same
# (with trust_context = zerotrust_access_proxy.<name>.trust_context).
data "zerotrust_policy_document" "payments" {
  sensitivity           = "restricted"
  identity_provider     = { type = "oidc", reference = "okta" }
  device_trust_provider = [{ type = "jamf", reference = "jamf" }]

  access_rule {
    name        = "engineers-read-write"
    groups      = ["payments-engineering"]
    device      = { jamf = { max_risk = "LOW" } }
    require_mfa = true
    methods     = ["GET", "POST"]
  }
}

# What if a contractor on a high-risk laptop tries to write?
data "zerotrust_access_decision" "contractor_high_risk" {
  policy_document = data.zerotrust_policy_document.payments.policy_document
  trust_context   = data.zerotrust_policy_document.payments.trust_context
  request = {
    groups = ["contractors"]
    mfa    = true
    device = { jamf = { risk = "HIGH" } }
    method = "POST"
    path   = "/api/payouts"
  }
}

data "zerotrust_access_decision" "engineer_low_risk" {
  policy_document = data.zerotrust_policy_document.payments.policy_document
  trust_context   = data.zerotrust_policy_document.payments.trust_context
  request = {
    groups = ["payments-engineering"]
    mfa    = true
    device = { jamf = { risk = "LOW" } }
    method = "POST"
  }
}

# Checked on every plan: a regression in the rules shows up before apply.
check "payments_access" {
  assert {
    condition     = !data.zerotrust_access_decision.contractor_high_risk.allowed
    error_message = "contractor on a high-risk device reached payments: ${data.zerotrust_access_decision.contractor_high_risk.reason}"
  }
  assert {
    condition     = data.zerotrust_access_decision.engineer_low_risk.allowed
    error_message = "engineers are locked out of payments: ${data.zerotrust_access_decision.engineer_low_risk.reason}"
  }
}
