# A segment the provider creates: a security group that starts deny-all in
# both directions and is exclusively owned (rules added out of band are drift).
resource "zerotrust_segment" "payments" {
  name        = "payments"
  vpc_id      = var.vpc_id
  sensitivity = "restricted"
}

# A segment whose workloads also run in Kubernetes: segment policies between
# such segments compile to NetworkPolicies (and Istio AuthorizationPolicies).
resource "zerotrust_segment" "checkout" {
  name   = "checkout"
  vpc_id = var.vpc_id

  kubernetes {
    namespace       = "shop"
    pod_labels      = { app = "checkout" }
    service_account = "checkout"
  }
}

# A segment adopting an existing security group: only rules the provider tags
# are managed, and the group is left in place on destroy.
resource "zerotrust_segment" "legacy" {
  name              = "legacy-billing"
  security_group_id = var.legacy_security_group_id
}

variable "vpc_id" {
  type = string
}

variable "legacy_security_group_id" {
  type = string
}
