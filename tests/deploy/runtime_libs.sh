#!/usr/bin/env bash
# The Dockerfile's runtime stage installs only the "runtime" group of
# scripts/packages.txt: every shared library the built binary loads must come
# from a package in that group.
# Usage: runtime_libs.sh SEEALSO_BINARY REPO_ROOT
set -euo pipefail
binary="$1" root="$2"
mapfile -t runtime < <(awk '/^\[/{g=$0; next} g=="[runtime]" && !/^[[:space:]]*(#|$)/{print $1}' \
  "$root/scripts/packages.txt")
# Sanitizer runtimes are in the test build only.
mapfile -t libs < <(ldd "$binary" | awk '/=> \// && $1 !~ /^lib(a|ub)san/ {print $3}')
# One dpkg query for all; usrmerge: a library may be registered under /lib or /usr/lib.
owners="$(dpkg -S "${libs[@]}" "${libs[@]/#//usr}" 2>/dev/null || true)"
fail=0 pass=0
for lib in "${libs[@]}"; do
  pkg="$(awk -v a="$lib" -v b="/usr$lib" '$2 == a || $2 == b {sub(/:.*/, "", $1); print $1; exit}' <<<"$owners")"
  if [[ -n "$pkg" && " ${runtime[*]} " == *" $pkg "* ]]; then
    pass=$((pass + 1))
  else
    echo "FAIL $lib comes from '${pkg:-no package}', not in [runtime] of scripts/packages.txt"
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
exit $((fail > 0 || pass == 0))
