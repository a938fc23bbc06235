variable "groups" {
  description = <<-EOT
    Access groups by key. A group is created with display_name (default: the key) and an
    optional description, or an existing Identity Store group (e.g. one synchronised from
    an external identity provider) is adopted with group_id. members are Identity Store
    user names. membership is authoritative (members not listed are removed; the default
    for created groups) or additive (listed members are ensured, others left; the default
    for adopted groups).
  EOT
  type = map(object({
    display_name = optional(string)
    description  = optional(string)
    group_id     = optional(string)
    members      = optional(set(string), [])
    membership   = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for g in values(var.groups) : g.group_id == null || g.description == null])
    error_message = "A group adopted by group_id takes no description: its description is not managed."
  }

  validation {
    condition     = alltrue([for g in values(var.groups) : g.group_id == null ? true : can(regex("^([0-9a-f]{10}-)?[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$", g.group_id))])
    error_message = "groups group_id must be an Identity Store group id such as 9067b2a3-1234-4c5d-8e9f-0123456789ab."
  }

  validation {
    condition     = alltrue([for k, g in var.groups : g.display_name == null ? length(k) <= 1024 : length(g.display_name) >= 1 && length(g.display_name) <= 1024 && trimspace(g.display_name) == g.display_name])
    error_message = "groups display_name (default: the key) must be 1-1024 characters without leading or trailing white space."
  }

  validation {
    condition     = alltrue([for g in values(var.groups) : g.membership == null ? true : contains(["authoritative", "additive"], g.membership)])
    error_message = "groups membership must be \"authoritative\" or \"additive\"."
  }

  validation {
    condition     = alltrue(flatten([for g in values(var.groups) : [for m in g.members : length(m) >= 1 && length(m) <= 128]]))
    error_message = "groups members must be user names of 1-128 characters."
  }
}

variable "permission_sets" {
  description = <<-EOT
    Standing least-privilege access by name: a permission set (named after the key) assigned
    to one group in the listed accounts. group is a key of var.groups or an Identity Store
    group id managed elsewhere. Policies: managed_policies (AWS-managed ARNs),
    customer_managed_policies ({ name, path }), inline_policy (JSON), and an optional
    permissions_boundary. Over-privilege (AdministratorAccess, "*" on "*", iam:PassRole on
    "*", ...) fails the plan unless acknowledgement gives the reason.
  EOT
  type = map(object({
    group                     = string
    accounts                  = list(string)
    description               = optional(string)
    managed_policies          = optional(list(string), [])
    customer_managed_policies = optional(list(object({ name = string, path = optional(string) })), [])
    inline_policy             = optional(string)
    permissions_boundary = optional(object({
      managed_policy_arn                = optional(string)
      customer_managed_policy_reference = optional(object({ name = string, path = optional(string) }))
    }))
    session_duration = optional(string, "PT1H")
    acknowledgement  = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue(flatten([for p in values(var.permission_sets) : [for a in p.accounts : can(regex("^[0-9]{12}$", a))]]))
    error_message = "permission_sets accounts must be 12-digit AWS account ids."
  }

  validation {
    condition     = alltrue([for p in values(var.permission_sets) : length(p.managed_policies) + length(p.customer_managed_policies) > 0 || p.inline_policy != null])
    error_message = "Every permission set needs at least one policy: managed_policies, customer_managed_policies or inline_policy."
  }

  validation {
    condition     = alltrue(flatten([for p in values(var.permission_sets) : [for m in p.managed_policies : can(regex("^arn:aws[a-z-]*:iam::aws:policy/", m))]]))
    error_message = "permission_sets managed_policies must be AWS-managed policy ARNs (arn:aws:iam::aws:policy/…); customer-managed policies go in customer_managed_policies."
  }

  validation {
    condition     = alltrue([for p in values(var.permission_sets) : p.inline_policy == null ? true : can(jsondecode(p.inline_policy))])
    error_message = "permission_sets inline_policy must be a JSON policy document (e.g. from jsonencode)."
  }

  validation {
    condition     = alltrue([for p in values(var.permission_sets) : can(regex("^PT([1-9][0-9]*H)?([1-9][0-9]*M)?$", p.session_duration)) && p.session_duration != "PT"])
    error_message = "permission_sets session_duration must be an ISO-8601 duration between PT1H and PT12H, e.g. PT1H or PT1H30M."
  }

  validation {
    condition     = alltrue([for p in values(var.permission_sets) : p.permissions_boundary == null ? true : (try(p.permissions_boundary.managed_policy_arn, null) == null) != (try(p.permissions_boundary.customer_managed_policy_reference, null) == null)])
    error_message = "A permissions_boundary needs exactly one of managed_policy_arn and customer_managed_policy_reference."
  }

  validation {
    condition     = alltrue([for p in values(var.permission_sets) : p.acknowledgement == null ? true : length(trimspace(p.acknowledgement)) >= 10])
    error_message = "permission_sets acknowledgement must give the reason in at least 10 characters."
  }
}

variable "just_in_time" {
  description = <<-EOT
    Just-in-time grants by name: like var.permission_sets, plus expires_at, an RFC 3339
    time. At and after it the next plan removes every account assignment (the grant's
    expired output turns true); the permission set stays, unassigned, until destroy.
  EOT
  type = map(object({
    group                     = string
    accounts                  = list(string)
    expires_at                = string
    description               = optional(string)
    managed_policies          = optional(list(string), [])
    customer_managed_policies = optional(list(object({ name = string, path = optional(string) })), [])
    inline_policy             = optional(string)
    permissions_boundary = optional(object({
      managed_policy_arn                = optional(string)
      customer_managed_policy_reference = optional(object({ name = string, path = optional(string) }))
    }))
    session_duration = optional(string, "PT1H")
    acknowledgement  = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for p in values(var.just_in_time) : can(formatdate("YYYY", p.expires_at))])
    error_message = "just_in_time expires_at must be an RFC 3339 time such as 2026-12-31T00:00:00Z."
  }

  validation {
    condition     = alltrue(flatten([for p in values(var.just_in_time) : [for a in p.accounts : can(regex("^[0-9]{12}$", a))]]))
    error_message = "just_in_time accounts must be 12-digit AWS account ids."
  }

  validation {
    condition     = alltrue([for p in values(var.just_in_time) : length(p.managed_policies) + length(p.customer_managed_policies) > 0 || p.inline_policy != null])
    error_message = "Every just-in-time grant needs at least one policy: managed_policies, customer_managed_policies or inline_policy."
  }

  validation {
    condition     = alltrue(flatten([for p in values(var.just_in_time) : [for m in p.managed_policies : can(regex("^arn:aws[a-z-]*:iam::aws:policy/", m))]]))
    error_message = "just_in_time managed_policies must be AWS-managed policy ARNs (arn:aws:iam::aws:policy/…); customer-managed policies go in customer_managed_policies."
  }

  validation {
    condition     = alltrue([for p in values(var.just_in_time) : p.inline_policy == null ? true : can(jsondecode(p.inline_policy))])
    error_message = "just_in_time inline_policy must be a JSON policy document (e.g. from jsonencode)."
  }

  validation {
    condition     = alltrue([for p in values(var.just_in_time) : can(regex("^PT([1-9][0-9]*H)?([1-9][0-9]*M)?$", p.session_duration)) && p.session_duration != "PT"])
    error_message = "just_in_time session_duration must be an ISO-8601 duration between PT1H and PT12H, e.g. PT1H or PT1H30M."
  }

  validation {
    condition     = alltrue([for p in values(var.just_in_time) : p.permissions_boundary == null ? true : (try(p.permissions_boundary.managed_policy_arn, null) == null) != (try(p.permissions_boundary.customer_managed_policy_reference, null) == null)])
    error_message = "A permissions_boundary needs exactly one of managed_policy_arn and customer_managed_policy_reference."
  }

  validation {
    condition     = alltrue([for p in values(var.just_in_time) : p.acknowledgement == null ? true : length(trimspace(p.acknowledgement)) >= 10])
    error_message = "just_in_time acknowledgement must give the reason in at least 10 characters."
  }
}
