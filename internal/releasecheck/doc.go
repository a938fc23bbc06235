// Package releasecheck holds the test that checks the release configuration
// (.goreleaser.yml, terraform-registry-manifest.json, the release workflow)
// against what the Terraform registry needs to publish a provider, without
// building goreleaser itself (a module too large for CI's cold cache).
package releasecheck
