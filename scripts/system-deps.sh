#!/usr/bin/env bash
# Installs the Debian packages the tests use when they are missing (root on Debian; apt-get update first):
# chromium (reports, dashboard), postgresql (the PostgreSQL state store; the tests start their own
# server from /usr/lib/postgresql/*/bin as nobody, so the cluster Debian creates is not used) and
# clickhouse-server (the ClickHouse events store; the tests start /usr/sbin/clickhouse-server as nobody
# with a config of their own in a temporary folder, so the service Debian sets up is not used).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/sbin/clickhouse-server ] || command -v clickhouse-server >/dev/null 2>&1 || need+=(clickhouse-server)
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
