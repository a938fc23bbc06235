#!/usr/bin/env bash
# Ensures BIN_DIR/kube-apiserver: built once from k8s.io/kubernetes through
# the wrapper module in tools/kube-apiserver (about 6–9 minutes on a cold Go
# cache), cached by version, and linked as BIN_DIR/kube-apiserver.
set -euo pipefail
bin_dir="${1:?usage: ensure-kube-apiserver.sh BIN_DIR}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
version="v1.34.2"
target="$bin_dir/kube-apiserver-$version"
mkdir -p "$bin_dir"
if [[ ! -x "$target" ]]; then
  echo "building kube-apiserver $version from its Go module (cached afterwards in $bin_dir)"
  tmp="$(mktemp "$bin_dir/.kube-apiserver.XXXXXX")"
  trap 'rm -f "$tmp"' EXIT
  (cd "$root/tools/kube-apiserver" && go build -trimpath -ldflags "-s -w \
      -X k8s.io/component-base/version.gitVersion=$version \
      -X k8s.io/component-base/version.gitMajor=1 \
      -X k8s.io/component-base/version.gitMinor=34" \
      -o "$tmp" k8s.io/kubernetes/cmd/kube-apiserver)
  mv -f "$tmp" "$target"
  trap - EXIT
fi
ln -sfn "$(basename "$target")" "$bin_dir/kube-apiserver"
echo "kube-apiserver: $target"
