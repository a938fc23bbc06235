#!/usr/bin/env bash
# Writes `terraform providers schema -json` of the freshly mirrored provider
# to the file given, through the real CLI and the filesystem mirror (offline),
# keyed by the provider's short name as tfplugindocs expects.
set -euo pipefail
out="${1:?usage: provider-schema.sh OUT.json}"
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
# tfplugindocs looks the schema up by short name (or under hashicorp/): key it so.
sed 's#"registry\.\(terraform\|opentofu\)\.\(io\|org\)/ztforge/zerotrust"#"zerotrust"#' "$work/schema.json" > "$out"
