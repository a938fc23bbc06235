// Package releasecheck holds the tests that check the release configuration
// (.goreleaser.yml, terraform-registry-manifest.json, the release workflow)
// against what the Terraform registry needs to publish a provider, without
// building goreleaser itself (a module too large for CI's cold cache), and
// that keep what users pin in step with the release: every `?ref=` in the
// docs names the newest dated CHANGELOG release, and the modules' provider
// constraints admit it.
package releasecheck
