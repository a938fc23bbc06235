#!/usr/bin/env bash
# Ensures a Terraform-compatible CLI: terraform on PATH, else OpenTofu built
# from its Go module (tools/opentofu) and cached as BIN/tofu. Prints the CLI path.
set -euo pipefail
bin_dir="${1:?usage: ensure-terraform.sh BIN_DIR}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [[ -z "${ZT_FORCE_TOFU:-}" ]] && command -v terraform >/dev/null 2>&1; then
  echo "terraform: $(command -v terraform) ($(terraform version | head -1))"
  exit 0
fi
if [[ -x "$bin_dir/tofu" ]]; then
  echo "tofu: $bin_dir/tofu ($("$bin_dir/tofu" version | head -1))"
  exit 0
fi
echo "terraform not found: building OpenTofu from its Go module (about 7 minutes on a cold cache)"
mkdir -p "$bin_dir"
tmp="$(mktemp "$bin_dir/.tofu.XXXXXX")"
(cd "$root/tools/opentofu" && go build -trimpath -o "$tmp" github.com/opentofu/opentofu/cmd/tofu)
mv -f "$tmp" "$bin_dir/tofu"
echo "tofu: $bin_dir/tofu ($("$bin_dir/tofu" version | head -1))"
