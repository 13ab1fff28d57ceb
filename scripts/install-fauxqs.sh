#!/usr/bin/env bash
# Installs fauxqs, an independent SQS-compatible server from the npm registry, into
# .cache/npm/ (ignored by git) for tests/sqs_client/fauxqs_test, which is skipped without it.
# fauxqs 2.x needs Node.js >= 22 (node:sqlite); 1.9.2 is the newest release that runs on the
# Node.js 20 of Debian-based images here. Needs node and npm; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${FAUXQS_VERSION:-1.9.2}"
prefix=".cache/npm"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-fauxqs: node/npm not found; fauxqs tests will be skipped" >&2
  exit 0
fi
installed="$(node -p "require('./$prefix/node_modules/fauxqs/package.json').version" 2>/dev/null || true)"
if [ "$installed" = "$version" ]; then
  echo "install-fauxqs: fauxqs $version present"
  exit 0
fi
mkdir -p "$prefix"
[ -f "$prefix/package.json" ] || echo '{"name":"mlworker-test-tools","private":true}' >"$prefix/package.json"
npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "fauxqs@$version"
echo "install-fauxqs: installed fauxqs $version into $prefix"
