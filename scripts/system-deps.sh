#!/usr/bin/env bash
# Installs the Debian packages the tests use when they are missing (root on Debian; apt-get update first).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != "0" ]; then
    echo "system-deps: missing ${need[*]}; install them (sudo apt-get install ${need[*]}) and run again." >&2
    exit 1
  fi
  echo "system-deps: installing ${need[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
