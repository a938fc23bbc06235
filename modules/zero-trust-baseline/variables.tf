variable "name" {
  description = "Name of the access proxy (the Verified Access instance's Name and zerotrust:proxy tags)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", var.name))
    error_message = "name must be 1-63 characters of letters, digits, '.', '_' or '-', starting with a letter or digit."
  }
}

variable "description" {
  description = "Description of the Verified Access instance (null: none)."
  type        = string
  default     = null

  validation {
    condition     = var.description == null ? true : length(var.description) >= 1 && length(var.description) <= 255
    error_message = "description must be 1-255 characters, or null."
  }
}

variable "identity_provider" {
  description = <<-EOT
    The user trust provider. type is "iam-identity-center" or "oidc"; reference is the
    Cedar context key access rules read (default "idc" or "oidc"). mfa_enforced says the
    identity provider demands MFA at every sign-in (required for IAM Identity Center
    before a rule may require_mfa). oidc holds the OIDC endpoints and client id
    (required for, and only for, type = "oidc"); the client secret is var.oidc_client_secret.
  EOT
  type = object({
    type         = string
    reference    = optional(string)
    mfa_enforced = optional(bool, false)
    groups_claim = optional(string)
    oidc = optional(object({
      issuer                 = string
      authorization_endpoint = string
      token_endpoint         = string
      user_info_endpoint     = string
      client_id              = string
      scope                  = optional(string, "openid email groups")
      client_secret_version  = optional(string, "1")
    }))
  })

  validation {
    condition     = contains(["iam-identity-center", "oidc"], var.identity_provider.type)
    error_message = "identity_provider.type must be \"iam-identity-center\" or \"oidc\"."
  }

  validation {
    condition     = (var.identity_provider.type == "oidc") == (var.identity_provider.oidc != null)
    error_message = "identity_provider.oidc is required when type is \"oidc\" and not allowed otherwise."
  }

  validation {
    condition     = var.identity_provider.reference == null ? true : can(regex("^[A-Za-z_][A-Za-z0-9_]{0,127}$", var.identity_provider.reference))
    error_message = "identity_provider.reference must be a Cedar identifier: letters, digits and '_', not starting with a digit."
  }

  validation {
    condition     = var.identity_provider.groups_claim == null || var.identity_provider.type == "oidc"
    error_message = "identity_provider.groups_claim applies to OIDC only."
  }

  validation {
    condition = var.identity_provider.oidc == null || alltrue([
      for u in [
        try(var.identity_provider.oidc.issuer, ""), try(var.identity_provider.oidc.authorization_endpoint, ""),
        try(var.identity_provider.oidc.token_endpoint, ""), try(var.identity_provider.oidc.user_info_endpoint, ""),
      ] : can(regex("^https://[^/\\s]+", u))
    ])
    error_message = "identity_provider.oidc issuer, authorization_endpoint, token_endpoint and user_info_endpoint must be https URLs."
  }

  validation {
    condition     = var.identity_provider.oidc == null || length(try(var.identity_provider.oidc.client_id, "")) > 0
    error_message = "identity_provider.oidc.client_id must not be empty."
  }
}

variable "oidc_client_secret" {
  description = "OIDC client secret (identity_provider.type = \"oidc\" only). Sent to AWS write-only: never in state or plan (Terraform >= 1.11). Change identity_provider.oidc.client_secret_version to rotate it."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.oidc_client_secret == null ? true : length(var.oidc_client_secret) > 0
    error_message = "oidc_client_secret must not be empty."
  }
}

variable "device_trust_providers" {
  description = <<-EOT
    Device trust providers by type ("jamf", "crowdstrike", "jumpcloud"; at most one each):
    tenant_id is the device-management tenant Verified Access trusts, reference the Cedar
    context key device requirements read (default: the type). Empty: no device posture
    can be required, so confidential and restricted surfaces cannot be opened.
  EOT
  type = map(object({
    tenant_id = string
    reference = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.device_trust_providers) : contains(["jamf", "crowdstrike", "jumpcloud"], k)])
    error_message = "device_trust_providers keys must be \"jamf\", \"crowdstrike\" or \"jumpcloud\"."
  }

  validation {
    condition     = alltrue([for d in values(var.device_trust_providers) : length(trimspace(d.tenant_id)) > 0 && length(d.tenant_id) <= 255])
    error_message = "Every device_trust_providers tenant_id must be 1-255 characters."
  }

  validation {
    condition     = alltrue([for d in values(var.device_trust_providers) : d.reference == null ? true : can(regex("^[A-Za-z_][A-Za-z0-9_]{0,127}$", d.reference))])
    error_message = "Every device_trust_providers reference must be a Cedar identifier: letters, digits and '_', not starting with a digit."
  }
}

variable "logging" {
  description = <<-EOT
    Access logging for a SIEM: at least one of cloudwatch_log_group and s3 (bucket, with
    optional bucket_owner and prefix). include_trust_context (default true) adds the trust
    providers' data (user, groups, device posture) to every log record; log_version is
    the OCSF version ("ocsf-1.0.0-rc.2" by default, or "ocsf-0.1"). The log group and
    bucket must exist and allow delivery by Verified Access.
  EOT
  type = object({
    cloudwatch_log_group = optional(string)
    s3 = optional(object({
      bucket       = string
      bucket_owner = optional(string)
      prefix       = optional(string)
    }))
    include_trust_context = optional(bool, true)
    log_version           = optional(string, "ocsf-1.0.0-rc.2")
  })

  validation {
    condition     = var.logging.cloudwatch_log_group != null || var.logging.s3 != null
    error_message = "logging needs at least one destination: cloudwatch_log_group or s3."
  }

  validation {
    condition     = contains(["ocsf-0.1", "ocsf-1.0.0-rc.2"], var.logging.log_version)
    error_message = "logging.log_version must be \"ocsf-0.1\" or \"ocsf-1.0.0-rc.2\"."
  }

  validation {
    condition     = var.logging.cloudwatch_log_group == null ? true : can(regex("^[A-Za-z0-9_./#-]{1,512}$", var.logging.cloudwatch_log_group))
    error_message = "logging.cloudwatch_log_group must be a log group name: 1-512 of letters, digits, '_', '-', '/', '.' and '#'."
  }

  validation {
    condition     = var.logging.s3 == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", try(var.logging.s3.bucket, "")))
    error_message = "logging.s3.bucket must be an S3 bucket name: 3-63 lower-case letters, digits, '.' and '-'."
  }

  validation {
    condition     = var.logging.s3 == null || try(var.logging.s3.bucket_owner, null) == null || can(regex("^[0-9]{12}$", try(var.logging.s3.bucket_owner, "")))
    error_message = "logging.s3.bucket_owner must be a 12-digit AWS account id."
  }
}

variable "fips_enabled" {
  description = "Create the Verified Access instance FIPS-compliant (changing it replaces the proxy)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for the Verified Access instance. The keys managed-by and zerotrust:* are reserved."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.tags) : k != "managed-by" && !startswith(k, "zerotrust:")])
    error_message = "tags must not use the provider's reserved keys managed-by and zerotrust:*."
  }
}
