resource "zerotrust_segment" "checkout" {
  name   = "checkout"
  vpc_id = var.vpc_id
}

resource "zerotrust_segment" "payments" {
  name        = "payments"
  vpc_id      = var.vpc_id
  sensitivity = "restricted"
}

# Flows allowed into (allow_from) and out of (allow_to) the payments segment;
# everything else stays denied. The compiled rule sets are visible in the plan.
resource "zerotrust_segment_policy" "payments" {
  segment = zerotrust_segment.payments.id

  allow_from {
    segment  = zerotrust_segment.checkout.id
    protocol = "tcp"
    ports    = ["8443"]
  }

  allow_to {
    cidr_blocks = ["10.20.0.0/16"]
    protocol    = "tcp"
    ports       = ["5432"]
    description = "payments database"
  }
}

variable "vpc_id" {
  type = string
}
