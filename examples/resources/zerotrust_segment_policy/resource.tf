resource "zerotrust_segment" "checkout" {
  name   = "checkout"
  vpc_id = var.vpc_id

  kubernetes {
    namespace       = "shop"
    pod_labels      = { app = "checkout" }
    service_account = "checkout"
  }
}

resource "zerotrust_segment" "payments" {
  name        = "payments"
  vpc_id      = var.vpc_id
  sensitivity = "restricted"

  kubernetes {
    namespace       = "shop"
    pod_labels      = { app = "payment-api" }
    service_account = "payment-api"
  }
}

# Flows allowed into (allow_from) and out of (allow_to) the payments segment;
# everything else stays denied. The compiled security-group rule sets and
# Kubernetes manifests are visible in the plan.
resource "zerotrust_segment_policy" "payments" {
  # The segment's id is known at plan, so the floors are checked and the
  # rules shown in the plan even when the segment is created by this apply.
  segment = zerotrust_segment.payments.id

  allow_from {
    segment      = zerotrust_segment.checkout.id
    protocol     = "tcp"
    ports        = ["8443"]
    http_methods = ["POST"] # enforced by the Istio AuthorizationPolicy
  }

  allow_to {
    cidr_blocks = ["10.20.0.0/16"]
    protocol    = "tcp"
    ports       = ["5432"]
    description = "payments database"
  }

  # Default-deny + allow NetworkPolicies in namespace "shop", and an Istio
  # AuthorizationPolicy admitting only checkout's SPIFFE identity.
  kubernetes {
    istio = true
  }
}

variable "vpc_id" {
  type = string
}
