#!/usr/bin/env python3
"""Plots bench/scale.sh output as one SVG: time and peak memory against corpus size.

    bench/plot_scale.py scale.tsv out.svg [TITLE]

Standard library only (no matplotlib): two log-log panels with the
issue's targets drawn as dashed lines.
"""
import csv
import math
import sys


def main():
    rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
    title = sys.argv[3] if len(sys.argv) > 3 else "seealso at scale (generated corpora, 2 cores)"
    n = [float(r["articles"]) for r in rows]
    panels = [
        ("wall time, s", [
            ("links end to end", [float(r["links_wall_s"]) for r in rows], "#1f77b4"),
            ("rank (all top-10)", [float(r["rank_s"]) for r in rows], "#ff7f0e"),
            ("index (analyse, weigh)", [float(r["index_s"]) for r in rows], "#2ca02c"),
            ("load files", [float(r["load_s"]) for r in rows], "#9467bd"),
            ("snapshot load", [float(r["snapshot_load_s"]) for r in rows], "#8c564b"),
        ], [("10 min", 600.0), ("5 s", 5.0)]),
        ("peak RSS, MiB", [
            ("links", [float(r["links_peak_mib"]) for r in rows], "#1f77b4"),
            ("serve from snapshot", [float(r["snapshot_peak_mib"]) for r in rows], "#8c564b"),
        ], [("6 GiB", 6144.0)]),
    ]
    w, h, pad = 460, 360, 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * w}" height="{h + 40}" '
           'font-family="sans-serif" font-size="11">',
           f'<text x="{w}" y="18" text-anchor="middle" font-size="14">{title}</text>']
    for p, (label, series, targets) in enumerate(panels):
        x0 = p * w
        ys = [v for _, vals, _ in series for v in vals if v > 0] + [t for _, t in targets]
        lo_x, hi_x = math.log10(min(n)), math.log10(max(n))
        lo_y, hi_y = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
        hi_x = hi_x if hi_x > lo_x else lo_x + 1

        def px(v):
            return x0 + pad + (math.log10(v) - lo_x) / (hi_x - lo_x) * (w - 2 * pad)

        def py(v):
            return 40 + (h - pad) - (math.log10(v) - lo_y) / (hi_y - lo_y) * (h - pad - 20)

        out.append(f'<rect x="{x0 + pad}" y="{py(10 ** hi_y)}" width="{w - 2 * pad}" '
                   f'height="{py(10 ** lo_y) - py(10 ** hi_y)}" fill="none" stroke="#999"/>')
        for e in range(lo_y, hi_y + 1):
            out.append(f'<text x="{x0 + pad - 6}" y="{py(10 ** e) + 4}" text-anchor="end">'
                       f'{10 ** e:g}</text>')
        for v in n:
            out.append(f'<text x="{px(v)}" y="{py(10 ** lo_y) + 16}" text-anchor="middle">'
                       f'{int(v):,}</text>')
        out.append(f'<text x="{x0 + w / 2}" y="{h + 30}" text-anchor="middle">articles</text>')
        out.append(f'<text x="{x0 + pad}" y="{py(10 ** hi_y) - 6}">{label}</text>')
        for name, t in targets:
            out.append(f'<line x1="{x0 + pad}" x2="{x0 + w - pad}" y1="{py(t)}" y2="{py(t)}" '
                       'stroke="#d62728" stroke-dasharray="4 3"/>')
            out.append(f'<text x="{x0 + w - pad - 2}" y="{py(t) - 3}" text-anchor="end" '
                       f'fill="#d62728">target {name}</text>')
        for i, (name, vals, color) in enumerate(series):
            pts = " ".join(f"{px(a)},{py(b)}" for a, b in zip(n, vals) if b > 0)
            out.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"/>')
            for a, b in zip(n, vals):
                if b > 0:
                    out.append(f'<circle cx="{px(a)}" cy="{py(b)}" r="3" fill="{color}"/>')
            # Legend in the lower right corner, which rising curves leave empty.
            out.append(f'<text x="{x0 + w - pad - 8}" '
                       f'y="{py(10 ** lo_y) - 8 - 14 * (len(series) - 1 - i)}" '
                       f'text-anchor="end" fill="{color}">{name}</text>')
    out.append("</svg>")
    open(sys.argv[2], "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
