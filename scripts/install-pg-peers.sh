#!/usr/bin/env bash
# Installs the PostgreSQL job-queue peers the queue benchmark compares against, pg-boss and
# graphile-worker (with the `pg` driver), from the npm registry into .cache/npm/ (ignored by git).
# Used by bench/postgres_queue_compare.sh; needs node and npm; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=".cache/npm"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-pg-peers: node/npm not found; the peer comparison is skipped" >&2
  exit 0
fi
if node -e "require.resolve('pg-boss',{paths:['$prefix/node_modules']});require.resolve('graphile-worker',{paths:['$prefix/node_modules']});require.resolve('pg',{paths:['$prefix/node_modules']})" 2>/dev/null; then
  echo "install-pg-peers: pg-boss, graphile-worker and pg present"
  exit 0
fi
mkdir -p "$prefix"
[ -f "$prefix/package.json" ] || echo '{"name":"mlworker-test-tools","private":true}' >"$prefix/package.json"
npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error pg-boss@9 graphile-worker@0.16 pg@8
echo "install-pg-peers: installed into $prefix"
