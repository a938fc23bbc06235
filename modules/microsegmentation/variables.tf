variable "vpc_id" {
  description = "VPC in which the tiers' security groups are created. null: the tiers live only in Kubernetes (var.kubernetes is then required)."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Prefix for every segment name, e.g. \"shop-\"."
  type        = string
  default     = ""
}

variable "tiers" {
  description = <<-EOT
    Tiers by name. Each tier is a segment; allow_from lists the flows allowed into it,
    from another tier (tier) or from CIDR blocks; allow_to_cidrs lists flows allowed out
    of it to CIDR blocks. Flows between tiers get both the inbound rule on the target and
    the outbound rule on the source. Everything not listed is denied.
  EOT
  type = map(object({
    sensitivity = optional(string, "internal")
    allow_from = optional(list(object({
      tier            = optional(string)
      cidr_blocks     = optional(list(string))
      protocol        = optional(string, "tcp")
      ports           = optional(list(string), [])
      acknowledgement = optional(string)
    })), [])
    kubernetes = optional(object({
      namespace       = optional(string)
      pod_labels      = optional(map(string))
      service_account = optional(string)
    }))
    allow_to_cidrs = optional(list(object({
      cidr_blocks = list(string)
      protocol    = optional(string, "tcp")
      ports       = optional(list(string), [])
    })), [])
  }))

  validation {
    condition = alltrue(flatten([
      for name, tier in var.tiers : [for f in tier.allow_from : contains(keys(var.tiers), coalesce(f.tier, name))]
    ]))
    error_message = "Every allow_from.tier must name another tier of var.tiers."
  }
}

variable "tags" {
  description = "Extra tags for every security group."
  type        = map(string)
  default     = null
}

variable "kubernetes" {
  description = <<-EOT
    Also segment the tiers in Kubernetes. namespace is the default namespace of every
    tier (a tier's own kubernetes.namespace overrides it); a tier's pods are selected by
    kubernetes.pod_labels, by default app.kubernetes.io/component = <tier>. istio adds
    AuthorizationPolicies for tiers with a service_account. null: security groups only.
  EOT
  type = object({
    namespace = string
    istio     = optional(bool, false)
    allow_dns = optional(bool, true)
  })
  default = null
}
