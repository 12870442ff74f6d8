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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=os.path.join(HERE, "..", "..", "..", "shared", "corpus"))
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
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
    os.makedirs(os.path.join(HERE, "..", "bench-out"), exist_ok=True)
    with open(os.path.join(HERE, "..", "bench-out", "bench_pdf.json"), "w") as fh:
        json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
