# A small estate used by the fault-injection end-to-end test
# (internal/e2e/faults_test.go): one access proxy, three protect surfaces on
# it, two access groups and one privileged access grant for one of them.

terraform {
  required_providers {
    zerotrust = {
      source = "ztforge/zerotrust"
    }
  }
}

provider "zerotrust" {
  aws {}
}

variable "prefix" {
  description = "Prefix of every name, so runs do not collide."
  type        = string
}

variable "engineers" {
  description = "Identity Store user names of the engineers group."
  type        = list(string)
}

variable "dbas" {
  description = "Identity Store user names of the DBA group."
  type        = list(string)
}

variable "account_id" {
  description = "Account the privileged access is assigned in."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets of the CIDR endpoints."
  type        = list(string)
}

resource "zerotrust_access_proxy" "corp" {
  name = "${var.prefix}-corp"

  identity_provider {
    type         = "iam-identity-center"
    reference    = "idc"
    mfa_enforced = true
  }

  device_trust_provider {
    type      = "jamf"
    reference = "jamf"
    tenant_id = "jamf-tenant"
  }
}

resource "zerotrust_access_group" "engineers" {
  display_name = "${var.prefix}-engineers"
  members      = var.engineers
}

resource "zerotrust_access_group" "dbas" {
  display_name = "${var.prefix}-dbas"
  members      = var.dbas
}

locals {
  surfaces = {
    payments = { cidr = "10.61.1.0/24", port = 443 }
    ledger   = { cidr = "10.61.2.0/24", port = 5432 }
    billing  = { cidr = "10.61.3.0/24", port = 8443 }
  }
}

resource "zerotrust_protect_surface" "this" {
  for_each = local.surfaces

  name                = "${var.prefix}-${each.key}"
  sensitivity         = "restricted"
  proxy_id            = zerotrust_access_proxy.corp.id
  proxy_trust_context = zerotrust_access_proxy.corp.trust_context

  application {
    name       = "${each.key}-app"
    cidr       = each.value.cidr
    port       = each.value.port
    subnet_ids = var.subnet_ids
  }

  access_rule {
    name        = "engineers"
    groups      = [zerotrust_access_group.engineers.id, zerotrust_access_group.dbas.id]
    device      = { jamf = { max_risk = "LOW" } }
    require_mfa = true
  }
}

resource "zerotrust_privileged_access" "oncall" {
  name             = "${var.prefix}-oncall"
  group            = zerotrust_access_group.engineers.id
  accounts         = [var.account_id]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  session_duration = "PT1H"
}

output "proxy_id" {
  value = zerotrust_access_proxy.corp.id
}

output "surface_ids" {
  value = { for k, s in zerotrust_protect_surface.this : k => s.id }
}

output "group_ids" {
  value = { engineers = zerotrust_access_group.engineers.id, dbas = zerotrust_access_group.dbas.id }
}

output "permission_set_id" {
  value = zerotrust_privileged_access.oncall.id
}
