# Who can reach the restricted database, directly or by lateral movement?
data "zerotrust_reachability" "shop" {
  segments = [
    { name = "web", sensitivity = "public" },
    { name = "app", sensitivity = "internal", kubernetes = { namespace = "shop", pod_labels = { app = "app" } } },
    { name = "db", sensitivity = "restricted" },
  ]
  flows = [
    { to = "web", cidr_blocks = ["0.0.0.0/0"], ports = ["443"] },
    { to = "app", segment = "web", ports = ["8443"] },
    { to = "db", segment = "app", ports = ["5432"] },
  ]
}

# Fail the plan if the internet can reach the database in fewer than 3 hops.
check "db_depth" {
  assert {
    condition = alltrue([
      for p in data.zerotrust_reachability.shop.paths : p.hops >= 3 if p.from_internet && p.into == "db"
    ])
    error_message = "the internet is less than three hops from the database"
  }
}

output "routes_into_db" {
  value = [for p in data.zerotrust_reachability.shop.paths : join(" -> ", p.path) if p.into == "db"]
}
