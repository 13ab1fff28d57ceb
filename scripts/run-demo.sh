#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and starts the all-in-one
# `mlworker run` on the embedded default (data under ./mlworker-data) with a demo user and a year of
# demo data. Stop it with Ctrl-C; extra arguments are passed to `mlworker run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD_DIR=build BUILD_TARGET=mlworker scripts/build.sh
exec build/bin/mlworker run --demo "$@"
