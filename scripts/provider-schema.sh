#!/usr/bin/env bash
# Writes `terraform providers schema -json` of the freshly mirrored provider
# to the file given, through the real CLI and the filesystem mirror (offline),
# prepared for tfplugindocs by zt-docgen.
set -euo pipefail
out="$(realpath -m "${1:?usage: provider-schema.sh OUT.json}")"
root="$(cd "$(dirname "$0")/.." && pwd)"
: "${ZT_CLI_CONFIG:?run through make (install-mirror writes the CLI config)}"
tf="$(command -v terraform || command -v tofu)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/main.tf" <<'HCL'
terraform {
  required_providers {
    zerotrust = {
      source = "ztforge/zerotrust"
    }
  }
}
HCL
(cd "$work" && TF_CLI_CONFIG_FILE="$ZT_CLI_CONFIG" "$tf" init -input=false -no-color >/dev/null \
  && TF_CLI_CONFIG_FILE="$ZT_CLI_CONFIG" "$tf" providers schema -json) > "$work/schema.json"
# Keyed by the short name tfplugindocs looks up, with the blocks and attributes
# the provider requires (validators the CLI's schema cannot express) marked
# required, so the docs list them as Required.
(cd "$root" && go run ./internal/docgen/cmd/zt-docgen -schema-in "$work/schema.json" -schema-out "$out")
