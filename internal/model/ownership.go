package model

// ManagedBy names the provider on everything it writes: the managed-by tag
// on AWS objects, the managed-by label and the server-side-apply field
// manager on Kubernetes objects. It marks; it does not prove ownership.
const ManagedBy = "terraform-provider-zerotrust"
