# Just-in-time, least-privilege on-call access for the payments engineers:
# read-only everywhere plus one scoped write action, for 90 minutes per
# session, until the end of the year. The plan shows the canonical inline
# policy (inline_policy_canonical) and one assignment per account; after
# expires_at the next plan removes the assignments and sets expired = true.
resource "zerotrust_privileged_access" "payments_oncall" {
  name        = "payments-oncall"
  description = "Payments on-call (JIT)"
  group       = zerotrust_access_group.payments_eng.id
  accounts    = [var.prod_account_id]

  managed_policies          = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  customer_managed_policies = [{ name = "PaymentsOnCallExtras", path = "/payments/" }]
  inline_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "RestartPayments"
      Effect   = "Allow"
      Action   = ["ecs:UpdateService"]
      Resource = "arn:aws:ecs:us-east-1:${var.prod_account_id}:service/prod/payments"
    }]
  })
  permissions_boundary = {
    customer_managed_policy_reference = { name = "OnCallBoundary" }
  }

  session_duration = "PT90M"
  expires_at       = "2027-12-31T00:00:00Z"
}

# Over-privilege is a plan-time error unless acknowledged: this break-glass
# grant plans only because acknowledgement states the reason (the findings
# are then shown as warnings).
resource "zerotrust_privileged_access" "break_glass" {
  name             = "break-glass"
  group            = zerotrust_access_group.payments_eng.id
  accounts         = [var.prod_account_id]
  managed_policies = ["arn:aws:iam::aws:policy/AdministratorAccess"]
  session_duration = "PT1H"
  acknowledgement  = "Break-glass role; use is paged to security (SEC-123)."
}

resource "zerotrust_access_group" "payments_eng" {
  display_name = "payments-engineering"
  members      = ["alice@example.com", "bob@example.com"]
}

variable "prod_account_id" {
  type        = string
  description = "12-digit id of the production account."
}
