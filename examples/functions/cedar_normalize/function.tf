# Compare a hand-written (or API-returned) Cedar document with a compiled
# one by meaning rather than layout: both normalize to the same canonical text.
locals {
  hand_written = <<-EOT
    // read-only access for auditors
    @id("auditors-read") permit(principal, action, resource)
      when { context.http_request.http_method == "GET" };
  EOT
}

output "canonical" {
  value = provider::zerotrust::cedar_normalize(local.hand_written)
}
