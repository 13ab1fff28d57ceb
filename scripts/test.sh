#!/usr/bin/env bash
# The README's second command: installs what is missing, builds, and runs the whole test suite —
# the normal build, then the ASan+UBSan build (skip the latter with MLW_SKIP_SANITIZE=1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# An independent SQS-compatible server for the SQS client's end-to-end tests (npm). Optional:
# without it those tests skip, so a failed install does not stop the suite.
scripts/install-fauxqs.sh || echo "test.sh: fauxqs not installed; its tests will be skipped" >&2
jobs="$(nproc)"

BUILD_DIR=build scripts/build.sh
(cd build && ctest --output-on-failure -j "$jobs" --timeout 600)

if [ "${MLW_SKIP_SANITIZE:-0}" != "1" ]; then
  BUILD_DIR=build-asan BUILD_TYPE=Debug scripts/build.sh -DMLW_SANITIZE=ON -DMLW_BUILD_BENCH=OFF
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j "$jobs" --timeout 900)
fi
