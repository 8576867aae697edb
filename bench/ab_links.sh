#!/usr/bin/env bash
# Alternated A/B of `seealso links` builds on one corpus: each round runs
# every binary once, in turn, so that the VM's drift (up to 30 % within an
# hour on the 2-core sittings) hits them alike; then prints each binary's
# load, index and ranking phase seconds (from its own phase lines), sorted,
# and whether its TSV equals the first binary's.
#
#   bench/ab_links.sh ROUNDS CORPUS_DIR BINARY...
#
# Extra `seealso links` flags (e.g. --shard 0/1000 to time load and index
# only, or --config FILE) come from $SEEALSO_FLAGS. Outputs go to a
# temporary directory, removed at the end.
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 ROUNDS CORPUS_DIR BINARY..." >&2
  exit 2
fi
rounds="$1"; corpus="$2"; shift 2
bins=("$@")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores" >&2
declare -A load index rank
for ((r = 0; r < rounds; ++r)); do
  for i in "${!bins[@]}"; do
    log=$("${bins[$i]}" links --corpus "$corpus" --k 10 --out "$out/$i.tsv" ${SEEALSO_FLAGS:-} 2>&1)
    # "loaded N articles from DIR in X s (...)",
    # "indexed N articles (T terms, M title mentions) in X s",
    # "ranked N articles in X s; ..."
    load[$i]+=" $(sed -n 's/.*loaded .* in \([0-9.]*\) s.*/\1/p' <<<"$log")"
    index[$i]+=" $(sed -n 's/.*indexed .* in \([0-9.]*\) s.*/\1/p' <<<"$log")"
    rank[$i]+=" $(sed -n 's/.*ranked [0-9]* articles in \([0-9.]*\) s.*/\1/p' <<<"$log")"
  done
done
sorted() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -n | tr '\n' ' '; }
printf '%-40s %-28s %-28s %-28s %s\n' binary load_s index_s rank_s same_tsv
for i in "${!bins[@]}"; do
  same=yes
  cmp -s "$out/0.tsv" "$out/$i.tsv" || same=no
  printf '%-40s %-28s %-28s %-28s %s\n' "${bins[$i]}" "$(sorted "${load[$i]}")" \
    "$(sorted "${index[$i]}")" "$(sorted "${rank[$i]}")" "$same"
done
