#!/usr/bin/python3
"""Reference related lists from scikit-learn, in the `seealso links` TSV format.

Fits TfidfVectorizer(stop_words='english', sublinear_tf=True) over each article's
title + question + answer and writes every article's top-k by cosine (itself
excluded; ties broken by id) as `article_id<TAB>rank<TAB>related_id<TAB>score`.
`seealso eval --links` then judges it with the same code as the engine.

usage: /usr/bin/python3 bench/sklearn_links.py CORPUS_DIR [--k 10] [--out FILE]
"""
import argparse
import pathlib
import sys

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer


def front_matter(path):
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return None
    parts = text.split("\n---", 1)
    data = yaml.safe_load(parts[0][3:])
    return data if isinstance(data, dict) and "id" in data else None


def field(data, key):
    # Exports carry literal two-character "\n" sequences; the engine reads them as spaces.
    return str(data.get(key) or "").replace("\\n", " ")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out", default="-")
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

    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    sims = (matrix @ matrix.T).toarray()
    rows = []
    for i, article in enumerate(ids):
        sims[i, i] = -1.0
        # Score descending, then id ascending (ids are sorted, so index ascending).
        best = np.lexsort((np.arange(len(ids)), -sims[i]))[: args.k]
        rank = 0
        for j in best:
            if sims[i, j] <= 0:
                break
            rank += 1
            rows.append(f"{article}\t{rank}\t{ids[j]}\t{sims[i, j]:.6f}\n")

    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    out.writelines(rows)
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
