resource "zerotrust_segment" "app" {
  name   = "app"
  vpc_id = var.vpc_id
}

resource "zerotrust_segment" "db" {
  name        = "db"
  vpc_id      = var.vpc_id
  sensitivity = "restricted"
}

resource "zerotrust_segment" "cache" {
  name   = "cache"
  vpc_id = var.vpc_id
}

# One owner for the flows of the whole application: app's egress rules to db
# and cache are written in one Authorize call (two separate policies would
# cost one each). The plan lists every compiled rule on one line.
resource "zerotrust_segment_policy_set" "shop" {
  name = "shop"

  policy {
    segment = zerotrust_segment.db.id
    allow_from {
      segment = zerotrust_segment.app.id
      ports   = ["5432"]
    }
  }

  policy {
    segment = zerotrust_segment.cache.id
    allow_from {
      segment = zerotrust_segment.app.id
      ports   = ["6379"]
    }
  }

  policy {
    segment = zerotrust_segment.app.id
    allow_from {
      cidr_blocks = ["10.0.0.0/8"]
      ports       = ["8443"]
    }
  }
}
