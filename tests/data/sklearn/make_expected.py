#!/usr/bin/python3
"""Regenerates expected.tsv: scikit-learn's top-10 lists over articles/ (the
fixture of tests/sklearn_agreement_test.cc). Run from this directory."""
import pathlib, subprocess, sys
here = pathlib.Path(__file__).resolve().parent
out = subprocess.run([sys.executable, str(here.parents[2] / "bench" / "sklearn_links.py"),
                      str(here / "articles"), "--k", "10", "--no-stop-words"],
                     check=True, capture_output=True, text=True).stdout
(here / "expected.tsv").write_text(out)
