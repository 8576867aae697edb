#!/usr/bin/env bash
# Scale runs: for each corpus size N, a generated corpus (seealso gen, seed 1),
# then the batch path end to end (seealso links: read files, analyse, weight,
# top-10 of every article, TSV written) and the index snapshot (seealso index,
# then the time `serve` needs to load it), each under /usr/bin/time for wall
# time and peak RSS. Prints one TSV row per size; plot with bench/plot_scale.py.
#
#   bench/scale.sh SEEALSO_BINARY WORK_DIR N... > scale.tsv
#
# Extra `seealso links` flags (e.g. --config FILE) come from $SEEALSO_FLAGS.
# With SEEALSO_COLD=1 (root only) the page cache is dropped before each
# `links` run, so that `load` reads the files from disk.
# Corpora are kept in WORK_DIR/gN and reused; outputs are overwritten.
set -euo pipefail
bin="$1"; work="$2"; shift 2
mkdir -p "$work"
# Figures move with the VM's CPU model (EPYC and Xeon sittings differ by up to 2x):
# name it with every run. On stderr, so the output stays a plain table.
echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB" >&2
printf 'articles\tterms\tload_s\tindex_s\trank_s\tlinks_wall_s\tlinks_peak_mib\tsnapshot_mib\tsnapshot_load_s\tsnapshot_peak_mib\n'
for n in "$@"; do
  corpus="$work/g$n"
  [[ -f "$corpus/qrels.tsv" ]] || "$bin" gen --out "$corpus" --n "$n" --seed 1 >/dev/null 2>&1
  log="$work/links-$n.log"
  if [[ "${SEEALSO_COLD:-0}" == 1 ]]; then sync; echo 3 > /proc/sys/vm/drop_caches; fi
  # shellcheck disable=SC2086
  /usr/bin/time -f 'TIME %e %M' "$bin" links --corpus "$corpus/articles" --k 10 \
    --out "$work/links-$n.tsv" ${SEEALSO_FLAGS:-} 2>"$log"
  load=$(sed -n 's/.*loaded [0-9]* articles .* in \([0-9.]*\) s.*/\1/p' "$log")
  index=$(sed -n 's/.*indexed [0-9]* articles .* in \([0-9.]*\) s.*/\1/p' "$log")
  terms=$(sed -n 's/.*indexed [0-9]* articles (\([0-9]*\) terms).*/\1/p' "$log")
  rank=$(sed -n 's/.*ranked [0-9]* articles in \([0-9.]*\) s.*/\1/p' "$log")
  read -r wall peak_kb < <(sed -n 's/^TIME //p' "$log")
  "$bin" index --corpus "$corpus/articles" --out "$work/g$n.snap" >/dev/null 2>&1
  snap_bytes=$(stat -c %s "$work/g$n.snap")
  # Time to a served index: `serve --index` logs build_seconds when ready, then is stopped.
  slog="$work/serve-$n.log"
  /usr/bin/time -f 'TIME %e %M' "$bin" serve --index "$work/g$n.snap" --listen 127.0.0.1:0 \
    2>"$slog" &
  pid=$!
  for _ in $(seq 1 600); do
    grep -q 'event=ready' "$slog" && break
    sleep 1
  done
  sleep 1
  kill -TERM "$(pgrep -P "$pid" seealso || echo "$pid")" 2>/dev/null || true
  wait "$pid" || true
  sload=$(sed -n 's/.*event=ready.* build_seconds=\([0-9.]*\).*/\1/p' "$slog" | head -1)
  read -r _ speak_kb < <(sed -n 's/^TIME //p' "$slog")
  printf '%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%d\n' "$n" "$terms" "$load" "$index" "$rank" "$wall" \
    $((peak_kb / 1024)) $((snap_bytes / 1048576)) "$sload" $((speak_kb / 1024))
done
