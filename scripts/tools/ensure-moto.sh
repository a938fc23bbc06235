#!/usr/bin/env bash
# Ensures moto_server (the AWS emulator behind the sandbox) is available.
# moto ships only on PyPI, which these machines cannot reach, so it comes with
# the machine image; say clearly what is missing when it is not there.
set -euo pipefail
bin="${ZT_MOTO_SERVER:-moto_server}"
if command -v "$bin" >/dev/null 2>&1; then
  echo "moto_server: $(command -v "$bin")"
  exit 0
fi
if command -v pip >/dev/null 2>&1 && pip install --quiet 'moto[server]==5.2.1' 2>/dev/null && command -v moto_server >/dev/null; then
  echo "moto_server: installed with pip"
  exit 0
fi
echo "error: moto_server not found and could not be installed (pip install 'moto[server]==5.2.1')." >&2
echo "       Install moto 5.2.1 with its server extra, or set ZT_MOTO_SERVER to its path." >&2
exit 1
