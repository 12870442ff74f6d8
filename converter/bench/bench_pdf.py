"""Seconds per page for vector PDFs and scans, cold (CLI) and warm (in process), and peak memory.

    converter/.venv/bin/python converter/bench/bench_pdf.py [--corpus ../shared/corpus] [--repeat 3]

The seed design budgets ~18 s a drawing for the ML path; the goal is ≤ 2 s a page on CPU
(≤ 0.3 s with a GPU: run it where onnxruntime-gpu sees CUDA, the provider column says which ran).
Inputs: the synthetic test plan as a vector PDF (1 and 4 pages) and as 100 dpi scans (PNG, JPEG,
scanned PDF), plus every file of ``corpus/pdf`` and ``corpus/raster``. Writes
``converter/bench-out/bench_pdf.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.path.insert(0, os.path.join(HERE, "..", "src"))


def inputs(tmp: str, corpus: str) -> list[tuple[str, str]]:
    from pdf_plans import draw_pdf, scan_pdf, scanned_pdf

    out = []
    one = os.path.join(tmp, "synthetic-1p.pdf")
    draw_pdf(one, tmp)
    out.append(("synthetic vector, 1 page", one))
    four = os.path.join(tmp, "synthetic-4p.pdf")
    draw_pdf(four, tmp, pages=4)
    out.append(("synthetic vector, 4 pages", four))
    for name in ("scan.png", "scan.jpg"):
        p = os.path.join(tmp, name)
        scan_pdf(one, p, 100, seed=7)
        out.append((f"synthetic scan ({name.split('.')[1]}, 100 dpi)", p))
    sp = os.path.join(tmp, "scanned.pdf")
    scanned_pdf(one, os.path.join(tmp, "scan.png"), sp, 100)
    out.append(("synthetic scanned PDF", sp))
    for sub in ("pdf", "raster"):
        d = os.path.join(corpus, sub)
        if os.path.isdir(d):
            out += [(f"corpus {f}", os.path.join(d, f)) for f in sorted(os.listdir(d))
                    if f.lower().endswith((".pdf", ".png", ".jpg", ".jpeg"))]
    return out


def cold(path: str, tmp: str) -> dict:
    """One CLI run in a fresh process: wall seconds and the child's peak RSS."""
    out = os.path.join(tmp, "cold.glb")
    rep = os.path.join(tmp, "cold.json")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "converter", path, "-o", out, "--report", rep],
                          capture_output=True, text=True)
    secs = time.perf_counter() - t0
    ok = proc.returncode == 0
    report = json.load(open(rep)) if os.path.exists(rep) else {}
    peak = report.get("stats", {}).get("peakMemoryMb", float("nan"))  # the job's own ru_maxrss
    return {"ok": ok, "seconds": secs, "peakMb": peak, "report": report}


def warm(path: str, tmp: str, repeat: int) -> float:
    from converter.options import merge_options
    from converter.pipeline import convert

    best = 9e9
    for _ in range(repeat):
        t0 = time.perf_counter()
        convert(path, os.path.join(tmp, "warm.glb"), merge_options({}))
        best = min(best, time.perf_counter() - t0)
    return best


def score_walls_txt(png: str, walls_txt: str, thickness_px: float = 6.0) -> dict:
    """Wall IoU and opening F1 of a scan against a FloorplanTransformation ``*.walls.txt`` truth.

    The truth gives wall centre lines (px) and door/window lines; solid truth = centre lines
    buffered by half the drawn thickness (6 px measured on floorplan_1) minus the openings.
    """
    import numpy as np
    import shapely

    from converter.classify import classify_plan
    from converter.normalise import check_extent, normalise_units
    from converter.options import merge_options
    from converter.read.sniff import read_drawing

    rows = [line.split() for line in open(walls_txt).read().splitlines()[2:] if line.strip()]
    h = float(open(walls_txt).readline().split()[1])
    walls = [shapely.LineString([(float(r[0]), float(r[1])), (float(r[2]), float(r[3]))]) for r in rows
             if r[4] not in ("door", "window", "entrance")]
    gaps = [shapely.LineString([(float(r[0]), float(r[1])), (float(r[2]), float(r[3]))]) for r in rows
            if r[4] in ("door", "window")]
    truth = shapely.unary_union([w.buffer(thickness_px / 2, cap_style="square") for w in walls])
    truth = truth.difference(shapely.unary_union([g.buffer(thickness_px, cap_style="flat") for g in gaps]))
    opts = merge_options({})
    plan = read_drawing(png, opts)
    ppm = plan.source["pages"][0]["pixelsPerMetre"]
    normalise_units(plan, "m")
    check_extent(plan)
    b = classify_plan(plan, opts)
    found = shapely.unary_union(list(b.walls.values()))
    plugs = [o.plug for o in b.openings if o.hosted]
    if plugs:
        found = found.difference(shapely.unary_union(plugs))
    to_px = lambda g: shapely.affinity.affine_transform(g, [ppm, 0, 0, -ppm, 0, h])  # noqa: E731
    found = to_px(found)
    iou = found.intersection(truth).area / found.union(truth).area
    centres = [to_px(o.plug).centroid for o in b.openings if o.hosted]
    used, tp = set(), 0
    for c in centres:
        d = [(c.distance(g.centroid), k) for k, g in enumerate(gaps) if k not in used]
        if d and min(d)[0] <= 10:
            used.add(min(d)[1])
            tp += 1
    f1 = 2 * tp / (len(centres) + len(gaps)) if centres or gaps else 1.0
    return {"wallIoU": round(iou, 3), "openingF1": round(f1, 3), "openings": len(centres), "truthOpenings": len(gaps),
            "pixelsPerMetre": ppm, "rooms": len(b.rooms)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=os.path.join(HERE, "..", "..", "..", "shared", "corpus"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--score-only", action="store_true", help="only score floorplan_1 against its walls.txt")
    a = ap.parse_args()
    if a.score_only:
        print(score_walls_txt(os.path.join(a.corpus, "raster", "floorplan_1.png"),
                              os.path.join(a.corpus, "raster", "floorplan_1.walls.txt")))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, path in inputs(tmp, a.corpus):
            c = cold(path, tmp)
            stats = c["report"].get("stats", {})
            pages = c["report"].get("source", {}).get("pages", [{}])
            n = max(1, len(pages))
            w = warm(path, tmp, a.repeat) if c["ok"] else float("nan")
            kinds = sorted({p.get("path", "?") for p in pages})
            provider = next((p["detector"]["provider"] for p in pages if p.get("detector")), "-")
            rows.append({"input": label, "pages": n, "path": "/".join(kinds), "ok": c["ok"],
                         "coldSeconds": round(c["seconds"], 3), "warmSecondsPerPage": round(w / n, 3),
                         "peakMemoryMb": round(c["peakMb"], 1), "provider": provider,
                         "walls": stats.get("walls"), "doors": stats.get("doors"), "windows": stats.get("windows"),
                         "rooms": stats.get("rooms")})
    print(f"{'input':42} {'path':7} {'pages':>5} {'cold s':>7} {'warm s/page':>11} {'peak MB':>8} "
          f"{'doors':>5} {'win':>4} {'rooms':>5}  provider")
    for r in rows:
        print(f"{r['input'][:42]:42} {r['path']:7} {r['pages']:5} {r['coldSeconds']:7.2f} {r['warmSecondsPerPage']:11.3f} "
              f"{r['peakMemoryMb']:8.0f} {r['doors'] or 0:5} {r['windows'] or 0:4} {r['rooms'] or 0:5}  {r['provider']}")
    for kind in ("vector", "raster"):
        ws = [r["warmSecondsPerPage"] for r in rows if r["path"] == kind and r["ok"]]
        if ws:
            print(f"{kind}: warm {max(ws):.3f} s/page at worst, {sum(ws) / len(ws):.3f} mean — "
                  f"{18 / max(ws):.0f}× under the seed's 18 s")
    truth = os.path.join(a.corpus, "raster", "floorplan_1.walls.txt")
    if os.path.exists(truth):
        sc = score_walls_txt(os.path.join(a.corpus, "raster", "floorplan_1.png"), truth)
        print(f"floorplan_1.png against floorplan_1.walls.txt: {sc}")
        rows.append({"input": "floorplan_1 score", **sc})
    os.makedirs(os.path.join(HERE, "..", "bench-out"), exist_ok=True)
    with open(os.path.join(HERE, "..", "bench-out", "bench_pdf.json"), "w") as fh:
        json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
