#!/usr/bin/python3
"""Reference related lists from scikit-learn, in the `seealso links` TSV format.

Fits TfidfVectorizer(stop_words='english', sublinear_tf=True) over each article's
title + question + answer and writes every article's top-k by cosine (itself
excluded; ties broken by id) as `article_id<TAB>rank<TAB>related_id<TAB>score`.
`seealso eval --links` then judges it with the same code as the engine.

usage: /usr/bin/python3 bench/sklearn_links.py CORPUS_DIR [--k 10] [--out FILE] [--no-stop-words]
"""
import argparse
import pathlib
import sys

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer


# libyaml's C parser when available (Debian's python3-yaml has it): a fair baseline.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def front_matter(path):
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return None
    parts = text.split("\n---", 1)
    data = yaml.load(parts[0][3:], Loader=LOADER)
    return data if isinstance(data, dict) and "id" in data else None


def field(data, key):
    # Exports carry literal two-character "\n" sequences; the engine reads them as spaces.
    return str(data.get(key) or "").replace("\\n", " ")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out", default="-")
    parser.add_argument("--no-stop-words", action="store_true",
                        help="keep English stopwords (the engine-agreement fixture uses this)")
    args = parser.parse_args()

    ids, texts = [], []
    for path in sorted(pathlib.Path(args.corpus).rglob("*.md")):
        data = front_matter(path)
        if data is None:
            continue
        ids.append(int(data["id"]))
        texts.append(" ".join(field(data, k) for k in ("title", "question", "answer")))
    order = np.argsort(ids, kind="stable")
    ids = [ids[i] for i in order]
    texts = [texts[i] for i in order]

    stop_words = None if args.no_stop_words else "english"
    matrix = TfidfVectorizer(stop_words=stop_words, sublinear_tf=True).fit_transform(texts)
    rows = []
    index = np.arange(len(ids))
    # Dense similarity rows a block at a time: memory stays O(block * n).
    block = 512
    for start in range(0, len(ids), block):
        sims = (matrix[start:start + block] @ matrix.T).toarray()
        for r in range(sims.shape[0]):
            i = start + r
            row = sims[r]
            row[i] = -1.0
            # Candidates: everything at least as good as the k-th best, so that
            # ties at the boundary are then broken by id (ids are sorted).
            k = min(args.k, len(ids) - 1)
            if k <= 0:
                continue
            kth = np.partition(row, -k)[-k]
            cand = index[row >= kth]
            best = cand[np.lexsort((cand, -row[cand]))][:k]
            rank = 0
            for j in best:
                if row[j] <= 0:
                    break
                rank += 1
                rows.append(f"{ids[i]}\t{rank}\t{ids[j]}\t{row[j]:.6f}\n")

    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    out.writelines(rows)
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
