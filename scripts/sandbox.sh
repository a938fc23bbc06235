#!/usr/bin/env bash
# Starts or stops the local sandbox in the background.
#   scripts/sandbox.sh up DIR    -> starts it, waits until DIR/sandbox.env exists, prints it
#   scripts/sandbox.sh down DIR  -> stops it
set -euo pipefail
cmd="${1:?usage: sandbox.sh up|down DIR}"
dir="${2:?usage: sandbox.sh up|down DIR}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$dir/zt-sandbox"
mkdir -p "$dir"
case "$cmd" in
up)
  if [[ -f "$dir/pid" ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    echo "sandbox already running (pid $(cat "$dir/pid")):"
    cat "$dir/sandbox.env"
    exit 0
  fi
  rm -f "$dir/sandbox.env" "$dir/pid"
  (cd "$root" && go build -o "$bin" ./internal/sandbox/cmd/zt-sandbox)
  nohup "$bin" up --state-dir "$dir" --aws --kubernetes >"$dir/sandbox.log" 2>&1 &
  for _ in $(seq 1 120); do
    [[ -s "$dir/sandbox.env" ]] && break
    if ! kill -0 $! 2>/dev/null; then echo "sandbox failed to start:" >&2; tail -30 "$dir/sandbox.log" >&2; exit 1; fi
    sleep 1
  done
  [[ -s "$dir/sandbox.env" ]] || { echo "sandbox did not become ready in 120s" >&2; tail -30 "$dir/sandbox.log" >&2; exit 1; }
  echo "sandbox is up. Endpoints and environment (source $dir/sandbox.env):"
  cat "$dir/sandbox.env"
  ;;
down)
  if [[ -x "$bin" ]]; then "$bin" down --state-dir "$dir" || true; fi
  rm -f "$dir/sandbox.env"
  echo "sandbox stopped"
  ;;
*) echo "usage: sandbox.sh up|down DIR" >&2; exit 2 ;;
esac
