#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/packages.txt (as root), skipping
# apt entirely when everything is already present so repeated runs are fast.
# Usage: install-deps.sh [GROUP...]  (groups: build, test, runtime; default all)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Prints the packages of the named groups (all groups when none is named).
list_packages() {
  awk -v want=" $* " '
    /^[[:space:]]*(#|$)/ { next }
    /^\[.*\]$/ { group = substr($0, 2, length($0) - 2); next }
    want == "  " || index(want, " " group " ") { print $1 }
  ' "$here/packages.txt"
}
mapfile -t pkgs < <(list_packages "$@")
if ((${#pkgs[@]} == 0)); then
  echo "install-deps: no packages in group(s) '$*' of scripts/packages.txt" >&2
  exit 2
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
