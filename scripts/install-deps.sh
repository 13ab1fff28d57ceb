#!/usr/bin/env bash
# Installs, from Debian 12's archive, everything mlworker needs to build, test and run.
# Idempotent: installs only what is missing. Needs root (or sudo) the first time.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates tzdata
  libsqlite3-dev sqlite3 libpq-dev nlohmann-json3-dev libboost1.81-dev libssl-dev
  libcurl4-openssl-dev libcli11-dev libtomlplusplus-dev libhowardhinnant-date-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  # test and benchmark peers: real SQS clients, PostgreSQL server, HTTP load tool
  python3 python3-boto3 awscli postgresql wrk curl procps
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The aws CLI may already be installed outside apt (pip, pyenv); then its package is not needed.
if command -v aws >/dev/null 2>&1; then
  missing=("${missing[@]/awscli}")
fi
read -r -a missing <<<"${missing[*]}"
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
