#!/usr/bin/env bash
# Installs the npm packages pinned in tests/deploy/package-lock.json (the offline
# Kubernetes schema validator) into tests/deploy/node_modules (git-ignored),
# skipping npm when that lock file is already installed.
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/deploy" && pwd)"
stamp="$dir/node_modules/.seealso-lock.sha256"
want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "install-test-tools: tests/deploy/node_modules is current"
  exit 0
fi
# --engine-strict=false: the packages ask for node >= 22 but run on the
# machine's node 20 (tests/deploy/validate_manifests.mjs exercises them).
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error --engine-strict=false
echo "$want" > "$stamp"
