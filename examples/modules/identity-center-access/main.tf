# Who may do what in AWS: the payments engineers (a group this configuration
# owns, members authoritative) get standing read-only access to the
# production account, and on-call a just-in-time grant to restart the
# payments service that expires by itself.

terraform {
  required_providers {
    zerotrust = {
      source = "ztforge/zerotrust"
    }
  }
}

provider "zerotrust" {
  aws {}
  identity_center {
    instance_arn      = var.identity_center_instance_arn
    identity_store_id = var.identity_store_id
  }
}

variable "identity_center_instance_arn" {
  description = "ARN of the IAM Identity Center instance."
  type        = string
}

variable "identity_store_id" {
  description = "Identity store id of that instance."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of the group and permission-set names."
  type        = string
  default     = ""
}

variable "prod_account_id" {
  description = "12-digit id of the production account."
  type        = string
}

variable "engineers" {
  description = "User names (Identity Store UserName) of the payments engineers; the users must exist."
  type        = set(string)
}

variable "oncall_expires_at" {
  description = "End of the on-call grant (RFC 3339)."
  type        = string
  default     = "2030-01-01T00:00:00Z"
}

module "access" {
  source = "../../../modules/identity-center-access"

  groups = {
    payments-engineering = {
      display_name = "${var.name_prefix}payments-engineering"
      description  = "Engineers of the payments team"
      members      = var.engineers
    }
  }

  permission_sets = {
    "${var.name_prefix}payments-read" = {
      group            = "payments-engineering"
      accounts         = [var.prod_account_id]
      description      = "Read-only access for payments engineers"
      managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
      session_duration = "PT4H"
    }
  }

  just_in_time = {
    "${var.name_prefix}payments-oncall" = {
      group       = "payments-engineering"
      accounts    = [var.prod_account_id]
      description = "Payments on-call (JIT)"
      expires_at  = var.oncall_expires_at
      inline_policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Sid      = "RestartPayments"
          Effect   = "Allow"
          Action   = ["ecs:UpdateService"]
          Resource = "arn:aws:ecs:us-east-1:${var.prod_account_id}:service/prod/payments"
        }]
      })
    }
  }
}

output "group_ids" {
  value = module.access.group_ids
}

output "permission_set_arns" {
  value = module.access.permission_set_arns
}

output "grant_expiry" {
  value = module.access.grant_expiry
}

output "grants_expired" {
  value = module.access.grants_expired
}
