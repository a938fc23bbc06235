variable "name" {
  description = "Name of the protect surface (the Verified Access group's zerotrust:surface tag)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", var.name))
    error_message = "name must be 1-63 characters of letters, digits, '.', '_' or '-', starting with a letter or digit."
  }
}

variable "proxy_id" {
  description = "The access proxy the surface sits behind: module.<baseline>.proxy_id (a Verified Access instance id, vai-…)."
  type        = string

  validation {
    condition     = can(regex("^vai-[0-9a-f]{8,17}$", var.proxy_id))
    error_message = "proxy_id must be a Verified Access instance id such as vai-0123456789abcdef0 (module.<baseline>.proxy_id)."
  }
}

variable "proxy_trust_context" {
  description = "The proxy's trust context: module.<baseline>.trust_context. With it the compiled policy is known in the plan even when the proxy is created in the same apply; null reads the proxy's trust providers from AWS at plan time."
  type        = string
  default     = null
}

variable "sensitivity" {
  description = "How sensitive the surface is: public, internal, confidential or restricted. Each level sets a floor every permit rule must meet (groups; device posture; verified email or MFA; MFA; explicit methods), checked at plan."
  type        = string

  validation {
    condition     = contains(["public", "internal", "confidential", "restricted"], var.sensitivity)
    error_message = "sensitivity must be one of public, internal, confidential, restricted."
  }
}

variable "applications" {
  description = <<-EOT
    The surface's applications by name, each one Verified Access endpoint with exactly one
    target: load_balancer_arn (an internal ALB/NLB; domain and domain_certificate_arn
    required), network_interface_id (likewise), cidr (a network; subnet_ids required,
    protocol tcp) or one of rds_db_instance_arn, rds_db_cluster_arn, rds_db_proxy_arn and
    rds_endpoint (a database; subnet_ids required, protocol tcp). port is the port the
    endpoint listens on and forwards to; a cidr application gives port_ranges (["22",
    "8000-8080"], ascending, not overlapping) or one port. protocol http, https or tcp
    (default https, tcp for cidr and rds).
  EOT
  type = map(object({
    load_balancer_arn      = optional(string)
    network_interface_id   = optional(string)
    cidr                   = optional(string)
    rds_db_instance_arn    = optional(string)
    rds_db_cluster_arn     = optional(string)
    rds_db_proxy_arn       = optional(string)
    rds_endpoint           = optional(string)
    port                   = optional(number)
    port_ranges            = optional(list(string))
    protocol               = optional(string)
    domain                 = optional(string)
    domain_certificate_arn = optional(string)
    endpoint_domain_prefix = optional(string)
    subnet_ids             = optional(set(string))
    security_group_ids     = optional(set(string))
  }))
  default = {}

  validation {
    condition     = alltrue([for name in keys(var.applications) : length(name) >= 1 && length(name) <= 255 && trimspace(name) == name])
    error_message = "applications keys (application names) must be 1-255 characters without leading or trailing white space."
  }

  validation {
    condition = alltrue([for a in values(var.applications) : length(compact([
      a.load_balancer_arn, a.network_interface_id, a.cidr, a.rds_db_instance_arn, a.rds_db_cluster_arn, a.rds_db_proxy_arn, a.rds_endpoint,
    ])) == 1])
    error_message = "Every application needs exactly one target: load_balancer_arn, network_interface_id, cidr, rds_db_instance_arn, rds_db_cluster_arn, rds_db_proxy_arn or rds_endpoint."
  }

  validation {
    condition     = alltrue([for a in values(var.applications) : a.port == null ? a.cidr != null && a.port_ranges != null : a.port >= 1 && a.port <= 65535 && floor(a.port) == a.port])
    error_message = "Every application needs a port, a whole number from 1 to 65535 (a cidr application may give port_ranges instead)."
  }

  validation {
    condition     = alltrue([for a in values(var.applications) : a.port_ranges == null ? true : a.cidr != null && a.port == null])
    error_message = "port_ranges applies to cidr applications, instead of port."
  }

  validation {
    condition = alltrue([for a in values(var.applications) : a.protocol == null ? true : contains(
      a.cidr == null && a.rds_db_instance_arn == null && a.rds_db_cluster_arn == null && a.rds_db_proxy_arn == null && a.rds_endpoint == null ? ["http", "https", "tcp"] : ["tcp"],
    a.protocol)])
    error_message = "application protocol must be http, https or tcp (tcp only for cidr and rds targets)."
  }

  validation {
    condition     = alltrue([for a in values(var.applications) : a.load_balancer_arn == null ? true : can(regex("^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer/(app|net)/", a.load_balancer_arn))])
    error_message = "application load_balancer_arn must be an Application or Network Load Balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app|net/…)."
  }

  validation {
    condition     = alltrue([for a in values(var.applications) : a.cidr == null ? true : can(cidrhost(a.cidr, 0))])
    error_message = "application cidr must be a CIDR block such as 10.40.0.0/24."
  }

  validation {
    condition = alltrue([for a in values(var.applications) :
      a.load_balancer_arn == null && a.network_interface_id == null ? true : a.domain != null && a.domain_certificate_arn != null
    ])
    error_message = "Load-balancer and network-interface applications need domain and domain_certificate_arn."
  }

  validation {
    condition = alltrue([for a in values(var.applications) :
      a.load_balancer_arn != null || a.network_interface_id != null ? true : length(coalesce(a.subnet_ids, [])) > 0
    ])
    error_message = "cidr and rds applications need subnet_ids."
  }
}

variable "device_requirements" {
  description = <<-EOT
    Named device requirements that access rules refer to by device_requirement, so one
    posture is declared once: any of jamf = { max_risk }, crowdstrike = { min_overall_score },
    jumpcloud = { managed = true }; combine is all-of (default) or any-of. The proxy must
    have the matching device trust providers.
  EOT
  type = map(object({
    combine     = optional(string)
    jamf        = optional(object({ max_risk = string }))
    crowdstrike = optional(object({ min_overall_score = number }))
    jumpcloud   = optional(object({ managed = bool }))
  }))
  default = {}

  validation {
    condition     = alltrue([for d in values(var.device_requirements) : d.jamf != null || d.crowdstrike != null || d.jumpcloud != null])
    error_message = "Every device requirement needs at least one of jamf, crowdstrike, jumpcloud."
  }

  validation {
    condition     = alltrue([for d in values(var.device_requirements) : d.combine == null ? true : contains(["all-of", "any-of"], d.combine)])
    error_message = "device requirement combine must be \"all-of\" or \"any-of\"."
  }

  validation {
    condition     = alltrue([for d in values(var.device_requirements) : d.jamf == null ? true : contains(["SECURE", "LOW", "MEDIUM", "HIGH"], d.jamf.max_risk)])
    error_message = "device requirement jamf.max_risk must be SECURE, LOW, MEDIUM or HIGH."
  }

  validation {
    condition     = alltrue([for d in values(var.device_requirements) : d.crowdstrike == null ? true : d.crowdstrike.min_overall_score >= 0 && d.crowdstrike.min_overall_score <= 100 && floor(d.crowdstrike.min_overall_score) == d.crowdstrike.min_overall_score])
    error_message = "device requirement crowdstrike.min_overall_score must be a whole number from 0 to 100."
  }

  validation {
    condition     = alltrue([for d in values(var.device_requirements) : d.jumpcloud == null ? true : d.jumpcloud.managed])
    error_message = "device requirement jumpcloud.managed must be true."
  }
}

variable "access_rules" {
  description = <<-EOT
    The surface's policy, one Cedar statement per rule (its @id is the rule name). A permit
    rule grants access when every condition it sets holds; a forbid rule denies when every
    condition holds. groups are access-group ids (module.<access>.group_ids[…]) or OIDC
    group claims; device_requirement names an entry of var.device_requirements; methods,
    path_prefixes and client_cidrs apply to HTTP(S) applications only; applications limits
    a rule to some applications (compiled into their endpoint policies). Rules weaker
    than the sensitivity floor fail the plan unless acknowledgement says why. Empty:
    nobody is admitted.
  EOT
  type = list(object({
    name                   = string
    effect                 = optional(string, "permit")
    groups                 = optional(list(string), [])
    device_requirement     = optional(string)
    require_mfa            = optional(bool, false)
    require_verified_email = optional(bool, false)
    methods                = optional(list(string), [])
    path_prefixes          = optional(list(string), [])
    client_cidrs           = optional(list(string), [])
    applications           = optional(list(string), [])
    acknowledgement        = optional(string)
  }))
  default = []

  validation {
    condition     = length(distinct([for r in var.access_rules : r.name])) == length(var.access_rules)
    error_message = "access_rules names must be unique in the surface."
  }

  validation {
    condition     = alltrue([for r in var.access_rules : length(r.name) >= 1 && length(r.name) <= 128 && trimspace(r.name) == r.name])
    error_message = "access_rules names must be 1-128 characters without leading or trailing white space."
  }

  validation {
    condition     = alltrue([for r in var.access_rules : contains(["permit", "forbid"], r.effect)])
    error_message = "access_rules effect must be \"permit\" or \"forbid\"."
  }

  validation {
    condition     = alltrue(flatten([for r in var.access_rules : [for m in r.methods : can(regex("^[A-Z]+$", m))]]))
    error_message = "access_rules methods must be upper-case HTTP methods such as GET or POST."
  }

  validation {
    condition     = alltrue(flatten([for r in var.access_rules : [for p in r.path_prefixes : startswith(p, "/")]]))
    error_message = "access_rules path_prefixes must start with \"/\"."
  }

  validation {
    condition     = alltrue(flatten([for r in var.access_rules : [for c in r.client_cidrs : can(cidrhost(c, 0))]]))
    error_message = "access_rules client_cidrs must be CIDR blocks."
  }

  validation {
    condition     = alltrue([for r in var.access_rules : r.acknowledgement == null ? true : length(trimspace(r.acknowledgement)) >= 10])
    error_message = "An access rule's acknowledgement must say why, in at least 10 characters."
  }
}

variable "tags" {
  description = "Extra tags for the Verified Access group. The keys managed-by and zerotrust:* are reserved."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.tags) : k != "managed-by" && !startswith(k, "zerotrust:")])
    error_message = "tags must not use the provider's reserved keys managed-by and zerotrust:*."
  }
}
