#!/usr/bin/env bash
# End to end, side by side: every article's top-10 related list, from the
# article files to a links TSV (read files, analyse, weight, top-k, write),
# by seealso and by scikit-learn (bench/sklearn_links.py). Each system runs
# REPEATS times per corpus, alternating; prints median wall seconds and the ratio.
#
#   bench/compare_sklearn.sh SEEALSO_BINARY REPEATS CORPUS_DIR...
#
# Extra seealso flags (e.g. --config FILE) come from $SEEALSO_FLAGS.
set -euo pipefail
bin="$1"; repeats="$2"; shift 2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

seconds() {  # runs "$@", prints its wall time in seconds
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.3f}')"
}

median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" "$@"; }

# Figures move with the VM's CPU model (EPYC and Xeon sittings differ by up to 2x):
# name it with every run. On stderr, so the output stays a plain table.
echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB" >&2
printf '%-40s %8s %12s %12s %8s\n' corpus articles "seealso s" "sklearn s" ratio
for corpus in "$@"; do
  s=(); k=()
  for ((r = 0; r < repeats; ++r)); do
    # shellcheck disable=SC2086
    s+=("$(seconds "$bin" links --corpus "$corpus" --k 10 --out "$out/seealso.tsv" ${SEEALSO_FLAGS:-})")
    k+=("$(seconds /usr/bin/python3 "$here/sklearn_links.py" "$corpus" --k 10 --out "$out/sklearn.tsv")")
  done
  ms=$(median "${s[@]}"); mk=$(median "${k[@]}")
  n=$(cut -f1 "$out/seealso.tsv" | uniq | wc -l)
  printf '%-40s %8d %12s %12s %7.1fx\n' "$corpus" "$n" "$ms" "$mk" \
    "$(python3 -c "print($mk / $ms)")"
done
