data "zerotrust_policy_document" "payments" {
  sensitivity           = "restricted"
  identity_provider     = { type = "oidc", reference = "okta" }
  device_trust_provider = [{ type = "crowdstrike", reference = "crowdstrike" }]

  access_rule {
    name        = "engineers-read-write"
    groups      = ["payments-engineering"]
    device      = { crowdstrike = { min_overall_score = 80 } }
    require_mfa = true
    methods     = ["GET", "POST"]
  }
}

locals {
  # Many what-ifs in one expression: each returns { allowed, deciding_rules, reason }.
  decisions = {
    for name, request in {
      engineer   = { groups = ["payments-engineering"], mfa = true, device = { crowdstrike = { overall = 92 } }, method = "POST" }
      weak_score = { groups = ["payments-engineering"], mfa = true, device = { crowdstrike = { overall = 40 } }, method = "POST" }
      contractor = { groups = ["contractors"], mfa = true, device = { crowdstrike = { overall = 92 } }, method = "GET" }
    } :
    name => provider::zerotrust::evaluate(
      data.zerotrust_policy_document.payments.policy_document,
      merge(request, { trust_context = data.zerotrust_policy_document.payments.trust_context })
    )
  }
}

output "decisions" {
  value = { for name, d in local.decisions : name => d.reason }
}
