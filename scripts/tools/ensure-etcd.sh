#!/usr/bin/env bash
# Ensures etcd (Debian's etcd-server) for the Kubernetes half of the sandbox.
# The package may start a system etcd on the default ports; the sandbox runs
# its own on free loopback ports, so that service is stopped.
set -euo pipefail
if command -v etcd >/dev/null 2>&1; then
  echo "etcd: $(command -v etcd)"
  exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
  echo "error: etcd not found; install Debian's etcd-server (apt-get install etcd-server) or put etcd on the PATH" >&2
  exit 1
fi
echo "installing etcd-server from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq etcd-server >/dev/null
(systemctl stop etcd 2>/dev/null || service etcd stop 2>/dev/null || true) >/dev/null 2>&1
pkill -x etcd 2>/dev/null || true
command -v etcd >/dev/null 2>&1 || { echo "error: etcd still not on the PATH after installing etcd-server" >&2; exit 1; }
echo "etcd: $(command -v etcd)"
