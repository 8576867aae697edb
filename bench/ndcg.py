#!/usr/bin/python3
"""nDCG@k, P@k and MRR of a `seealso links` TSV against graded qrels.

Usage: bench/ndcg.py QRELS.tsv LINKS.tsv [--k 10]

qrels: article_id<TAB>related_id<TAB>grade. links: article_id<TAB>rank<TAB>related_id[<TAB>score].
Averaged over the articles with at least one judgment; an article without a list scores 0.
nDCG: grades are gains, discount 1/log2(rank+1), ideal = the best k judged grades.
P@k: judged grade > 0 counts as relevant, divided by k. MRR: first relevant within the top k.
Standard library only, so it runs anywhere python3 does.
"""
import argparse
import collections
import math
import sys


def read_qrels(path):
    qrels = collections.defaultdict(dict)
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            a, r, g = line.split("\t")[:3]
            qrels[a][r] = max(qrels[a].get(r, 0), int(g))
    return qrels


def read_links(path):
    lists = collections.defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            a, rank, r = line.split("\t")[:3]
            lists[a].append((int(rank), r))
    return {a: [r for _, r in sorted(v)] for a, v in lists.items()}


def evaluate(qrels, lists, k):
    ndcg = prec = mrr = 0.0
    judged = [a for a, j in qrels.items() if any(g > 0 for g in j.values())]
    for a in judged:
        grades = qrels[a]
        ranked = lists.get(a, [])[:k]
        dcg = sum(grades.get(r, 0) / math.log2(i + 2) for i, r in enumerate(ranked))
        ideal = sorted(grades.values(), reverse=True)[:k]
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        ndcg += dcg / idcg
        prec += sum(1 for r in ranked if grades.get(r, 0) > 0) / k
        mrr += next((1 / (i + 1) for i, r in enumerate(ranked) if grades.get(r, 0) > 0), 0.0)
    n = len(judged)
    return {"articles": n, "ndcg": ndcg / n, "p": prec / n, "mrr": mrr / n}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("qrels")
    p.add_argument("links")
    p.add_argument("--k", type=int, default=10)
    args = p.parse_args()
    m = evaluate(read_qrels(args.qrels), read_links(args.links), args.k)
    print(f"articles={m['articles']} nDCG@{args.k}={m['ndcg']:.4f} "
          f"P@{args.k}={m['p']:.4f} MRR={m['mrr']:.4f}")


if __name__ == "__main__":
    sys.exit(main())
