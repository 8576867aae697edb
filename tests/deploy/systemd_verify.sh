#!/usr/bin/env bash
# systemd-analyze verify on deploy/systemd/seealso.service (ExecStart pointed at
# the built binary, which verify requires to exist), and its offline security
# exposure score must stay "OK" (<= 2.0 of 10). Skips without systemd.
# Usage: systemd_verify.sh SEEALSO_BINARY REPO_ROOT
set -euo pipefail
binary="$1" root="$2"
if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP: systemd-analyze not installed"
  exit 77
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
sed "s|/usr/local/bin/seealso|$binary|" "$root/deploy/systemd/seealso.service" > "$tmp/seealso.service"
fail=0
if systemd-analyze verify --man=no "$tmp/seealso.service" 2>"$tmp/verify.log" && ! grep -q . "$tmp/verify.log"; then
  echo "ok   systemd-analyze verify"
else
  cat "$tmp/verify.log"; echo "FAIL systemd-analyze verify"; fail=$((fail + 1))
fi
score="$(systemd-analyze security --offline=yes --no-pager "$tmp/seealso.service" 2>/dev/null |
  sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')"
if [[ -n "$score" ]] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
  echo "ok   security exposure $score <= 2.0"
else
  echo "FAIL security exposure '$score' (want <= 2.0)"; fail=$((fail + 1))
fi
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$tmp/seealso.service" && echo "ok   reload sends SIGHUP" ||
  { echo "FAIL ExecReload is not SIGHUP"; fail=$((fail + 1)); }
echo "$((3 - fail)) passed, $fail failed"
exit $((fail > 0))
