# Stage the posture on the CISA Zero Trust Maturity Model v2 from the
# resources themselves: every fact the provider knows (rules, floors,
# segment enforcement, internet exposure, grant expiry, logging, decision
# checks) is derived from them, and evidence names the resource and
# attribute it came from. Only what the provider cannot know is declared.
data "zerotrust_maturity_assessment" "posture" {
  access_proxy      = zerotrust_access_proxy.corp
  protect_surfaces  = [zerotrust_protect_surface.payments]
  segments          = [zerotrust_segment.checkout, zerotrust_segment.payments]
  segment_policies  = [zerotrust_segment_policy.payments_in]
  privileged_access = [zerotrust_privileged_access.payments_oncall]
  decision_checks   = [data.zerotrust_access_decision.contractor_unmanaged]

  declared = {
    phishing_resistant_mfa = true # the identity provider accepts FIDO2 only
    central_analysis       = true # the access logs feed the SIEM
    access_review_days     = 90
  }
}

output "maturity" {
  value = { for p in data.zerotrust_maturity_assessment.posture.pillars : p.pillar => p.stage }
}

output "evidence" {
  value = { for p in data.zerotrust_maturity_assessment.posture.pillars : p.pillar => p.evidence }
}

output "next_steps" {
  value = { for p in data.zerotrust_maturity_assessment.posture.pillars : p.pillar => join("\n", p.next_steps) }
}
