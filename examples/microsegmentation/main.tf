# Three-tier microsegmentation: web accepts the corporate range on 443, app
# accepts only web on 8443, db accepts only app on 5432. Everything else —
# including every outbound flow not implied by these — is denied.

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

variable "vpc_id" {
  description = "VPC for the tiers' security groups."
  type        = string
}

variable "kubernetes_namespace" {
  description = "Also segment the tiers' pods in this namespace (null: security groups only). The namespace must exist."
  type        = string
  default     = null
}

module "shop" {
  source = "../../modules/microsegmentation"

  vpc_id      = var.vpc_id
  name_prefix = "shop-"
  kubernetes  = var.kubernetes_namespace == null ? null : { namespace = var.kubernetes_namespace }
  tiers = {
    web = {
      allow_from = [{ cidr_blocks = ["10.0.0.0/8"], ports = ["443"] }]
    }
    app = {
      sensitivity = "confidential"
      allow_from  = [{ tier = "web", ports = ["8443"] }]
    }
    db = {
      sensitivity = "restricted"
      allow_from  = [{ tier = "app", ports = ["5432"] }]
    }
  }
}

output "segment_ids" {
  value = module.shop.segment_ids
}

output "security_group_ids" {
  value = module.shop.security_group_ids
}

output "ingress_rules" {
  value = module.shop.ingress_rules
}

output "kubernetes_manifests" {
  value = module.shop.kubernetes_manifests
}
