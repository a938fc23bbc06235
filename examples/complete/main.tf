# The complete example, applied by `make demo` against the local sandbox.
# It declares a three-tier application's workload segmentation through the
# microsegmentation module (security groups, and NetworkPolicies in the
# given namespace), plus a segment policy written by hand for a
# monitoring segment, and shows the compiled rule sets as outputs.

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
  description = "VPC in which the segments are created (the demo creates one in the sandbox)."
  type        = string
}

variable "kubernetes_namespace" {
  description = "Namespace of the shop's pods; the tiers are then also segmented with NetworkPolicies (null: security groups only)."
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

resource "zerotrust_segment" "monitoring" {
  name        = "shop-monitoring"
  vpc_id      = var.vpc_id
  sensitivity = "internal"
}

# Monitoring scrapes metrics from every tier; nothing may connect to it.
resource "zerotrust_segment_policy" "monitoring" {
  segment = zerotrust_segment.monitoring.id
  # Declaring the segment's sensitivity lets the plan check the floors even
  # when the segment is created by the same apply.
  segment_sensitivity = zerotrust_segment.monitoring.sensitivity

  allow_to {
    segment  = module.shop.segment_ids["web"]
    protocol = "tcp"
    ports    = ["9100"]
  }
  allow_to {
    segment  = module.shop.segment_ids["app"]
    protocol = "tcp"
    ports    = ["9100", "9102-9104"]
  }
}

output "segment_ids" {
  value = merge(module.shop.segment_ids, { monitoring = zerotrust_segment.monitoring.id })
}

output "ingress_rules" {
  value = module.shop.ingress_rules
}

output "monitoring_egress_rules" {
  value = zerotrust_segment_policy.monitoring.egress_rules
}

output "kubernetes_objects" {
  description = "Names of the compiled Kubernetes objects by tier."
  value       = { for tier, m in module.shop.kubernetes_manifests : tier => sort(keys(m)) }
}
