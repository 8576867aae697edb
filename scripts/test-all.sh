#!/usr/bin/env bash
# Quick start (b), and what CI runs: install what is missing, then build and
# run the whole test suite twice: a warnings-as-errors build, and an
# AddressSanitizer + UndefinedBehaviorSanitizer build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh
bash scripts/install-test-tools.sh
# Here the deploy manifest check must run, not skip.
export SEEALSO_REQUIRE_DEPLOY_CHECKS=1
jobs="$(nproc)"

echo "== build-ci: RelWithDebInfo, -Werror, benchmarks built too (so they cannot rot)"
cmake -S . -B build-ci -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSEEALSO_WERROR=ON -DSEEALSO_BUILD_BENCH=ON >/dev/null
cmake --build build-ci -j"$jobs"
ctest --test-dir build-ci --output-on-failure -j"$jobs" --timeout 600

echo "== build-asan: Debug, ASan + UBSan, -Werror"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSEEALSO_WERROR=ON -DSEEALSO_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 900
