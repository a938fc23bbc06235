# Stage the declared posture on the CISA Zero Trust Maturity Model v2. The
# facts usually come from the module's own resources and variables.
data "zerotrust_maturity_assessment" "posture" {
  identity         = { type = "iam-identity-center", mfa_enforced = true }
  device_providers = ["jamf", "crowdstrike"]

  surfaces = [
    { name = "payments", sensitivity = "restricted", groups_required = true, mfa_required = true, device_required = true, floors_met = true, tested = true },
    { name = "wiki", sensitivity = "internal", groups_required = true, floors_met = true },
  ]
  segments = [
    { name = "db", sensitivity = "restricted", security_group = true, kubernetes_default_deny = true },
    { name = "web", sensitivity = "public", security_group = true, internet_ingress = true },
  ]
  privileged_access = [{ name = "payments-oncall", expires = true, session_minutes = 60 }]

  visibility = { access_logging = true, include_trust_context = true }
  automation = { policy_as_code = true, decision_checks = 4 }
  data       = { encrypted_at_rest = true, encrypted_in_transit = true }
  governance = { access_review_days = 90 }
}

output "maturity" {
  value = { for p in data.zerotrust_maturity_assessment.posture.pillars : p.pillar => p.stage }
}

output "next_steps" {
  value = flatten([for p in data.zerotrust_maturity_assessment.posture.pillars : p.next_steps])
}
