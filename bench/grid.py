#!/usr/bin/python3
"""Grid search over configuration keys: runs `seealso links` once per point and
prints nDCG@k, P@k and MRR (bench/ndcg.py) for each, best first.

Usage: bench/grid.py --seealso build-ci/seealso --corpus DIR --qrels FILE \
           [--base key=value ...] KEY=V1,V2,... [KEY=V1,V2 ...]
KEY is section.name as in docs/configuration.md; --base pins keys for every point.
"""
import argparse
import itertools
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ndcg  # noqa: E402


def to_yaml(settings):
    sections = {}
    for key, value in settings.items():
        section, name = key.split(".", 1)
        sections.setdefault(section, []).append(f"  {name}: {value}")
    return "".join(f"{s}:\n" + "\n".join(lines) + "\n" for s, lines in sections.items())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seealso", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--qrels", required=True)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--base", action="append", default=[])
    p.add_argument("axes", nargs="+")
    args = p.parse_args()
    base = dict(b.split("=", 1) for b in args.base)
    axes = [(a.split("=", 1)[0], a.split("=", 1)[1].split(",")) for a in args.axes]
    qrels = ndcg.read_qrels(args.qrels)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        config, out = os.path.join(tmp, "c.yaml"), os.path.join(tmp, "links.tsv")
        for values in itertools.product(*(v for _, v in axes)):
            point = dict(zip((k for k, _ in axes), values))
            with open(config, "w") as f:
                f.write(to_yaml({**base, **point}))
            subprocess.run([args.seealso, "links", "--config", config, "--corpus", args.corpus,
                            "--k", str(args.k), "--out", out], check=True)
            m = ndcg.evaluate(qrels, ndcg.read_links(out), args.k)
            rows.append((m["ndcg"], m["p"], m["mrr"], point))
            print(f"{m['ndcg']:.4f} {m['p']:.4f} {m['mrr']:.4f} {point}", file=sys.stderr)
    print(f"nDCG@{args.k}  P@{args.k}    MRR     point")
    for n, pr, r, point in sorted(rows, key=lambda x: -x[0]):
        print(f"{n:.4f}  {pr:.4f}  {r:.4f}  " + " ".join(f"{k}={v}" for k, v in point.items()))


if __name__ == "__main__":
    main()
