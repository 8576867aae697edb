#!/usr/bin/env bash
# Quick start (a): install what is missing, build, and serve the bundled sample
# corpus on 127.0.0.1:50051 (override with LISTEN=host:port). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target seealso
listen="${LISTEN:-127.0.0.1:50051}"
cat >&2 <<HINT

Query it from another terminal:
  build/seealso query --server $listen --id 171811 --k 4

HINT
exec build/seealso serve --corpus data/sample --listen "$listen"
