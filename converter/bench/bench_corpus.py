#!/usr/bin/env python3
"""Benchmark the converter against assimp on a folder of DXFs, plus a generated 50 MB DXF.

Usage (from the repository root or converter/):
    converter/.venv/bin/python converter/bench/bench_corpus.py [--corpus DIR] [--big-mb 50] [--no-big]

For every file it measures, in the same run: our CLI (cold process), our warm server (one
``serve`` process, median of --repeat jobs), and ``assimp export in.dxf out.glb``: success,
wall-clock seconds, peak memory (max RSS of the process tree), and entity coverage (ours: entities
represented / entities read; assimp: entities of the types its DXF importer reads — LINE,
3DLINE, 3DFACE, POLYLINE, model-space INSERT). Ratios are printed against assimp measured now.
Results go to stdout (a table) and to --json (default converter/bench-out/bench.json).
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = ROOT / ".venv" / "bin" / "python"
ASSIMP_TYPES = {"LINE", "3DLINE", "3DFACE", "POLYLINE", "INSERT"}
GOALS = {"warm_small_s": 0.2, "big_s": 15.0, "big_mb": 2048}


def isolated(cmd: list[str], timeout: float = 600) -> dict:
    """Run ``cmd`` from a fresh helper process so RUSAGE_CHILDREN is this command's alone."""
    helper = ("import json,resource,subprocess,sys,time;t=time.perf_counter();"
              "p=subprocess.run(sys.argv[1:],stdout=subprocess.PIPE,stderr=subprocess.DEVNULL);"
              "print(json.dumps({'rc':p.returncode,'seconds':time.perf_counter()-t,"
              "'peakMb':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024,"
              "'stdout':p.stdout.decode('utf-8','replace')}))")
    proc = subprocess.run([sys.executable, "-c", helper, *cmd], capture_output=True, text=True, timeout=timeout)
    return json.loads(proc.stdout)


def ours_cold(src: Path, out: Path) -> dict:
    r = isolated([str(PY), "-m", "converter", str(src), "-o", str(out)])
    last = json.loads(r["stdout"].strip().splitlines()[-1]) if r["stdout"].strip() else {}
    return {"ok": last.get("type") == "result", "seconds": r["seconds"], "peakMb": r["peakMb"], "event": last}


class Warm:
    """One warm server for the whole run."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([str(PY), "-m", "converter", "serve"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        assert json.loads(self.proc.stdout.readline())["type"] == "ready"
        self.n = 0

    def convert(self, src: Path, out: Path, options: dict | None = None) -> tuple[float, dict]:
        self.n += 1
        job = {"id": self.n, "input": str(src), "output": str(out), "options": options or {}}
        t0 = time.perf_counter()
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        while True:
            ev = json.loads(self.proc.stdout.readline())
            if ev["type"] in ("result", "error") and ev.get("id") == self.n:
                return time.perf_counter() - t0, ev

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def assimp(src: Path, out: Path) -> dict:
    exe = shutil.which("assimp")
    if exe is None:
        return {"ok": None, "seconds": None, "peakMb": None, "note": "assimp not installed (apt-get install assimp-utils)"}
    if out.exists():
        out.unlink()
    r = isolated([exe, "export", str(src), str(out)])
    ok = r["rc"] == 0 and out.exists() and out.stat().st_size > 0
    return {"ok": ok, "seconds": r["seconds"], "peakMb": r["peakMb"], "rc": r["rc"]}


def coverage(event: dict) -> tuple[float | None, float | None]:
    stats = event.get("stats") or {}
    counts = stats.get("entityCounts") or {}
    total = sum(counts.values())
    if not total:
        return None, None
    skipped = sum(stats.get("skipped", {}).values())
    ours = (total - skipped) / total
    theirs = sum(v for k, v in counts.items() if k in ASSIMP_TYPES) / total
    return ours, theirs


def fmt(v, spec=".3f") -> str:
    return "-" if v is None else format(v, spec)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT.parent.parent / "shared" / "corpus" / "dxf"))
    ap.add_argument("--out", default=str(ROOT / "bench-out"))
    ap.add_argument("--big-mb", type=float, default=50.0)
    ap.add_argument("--no-big", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = sorted(Path(args.corpus).glob("*.dxf")) if Path(args.corpus).is_dir() else []
    if not args.no_big:
        big = out_dir / f"synthetic-{int(args.big_mb)}mb.dxf"
        if not big.exists():
            sys.path.insert(0, str(HERE))
            from synthetic import make_big_dxf
            print(f"generating {big} …", file=sys.stderr)
            make_big_dxf(str(big), args.big_mb)
        files.append(big)
    warm = Warm()
    rows = []
    for src in files:
        size_mb = src.stat().st_size / 1e6
        big_file = size_mb > 5
        ours = ours_cold(src, out_dir / (src.stem + ".ours.glb"))
        warm_times, warm_ev = [], {}
        for _ in range(1 if big_file else args.repeat):
            t, warm_ev = warm.convert(src, out_dir / (src.stem + ".warm.glb"), {"timeoutSeconds": 300})
            warm_times.append(t)
        theirs = assimp(src, out_dir / (src.stem + ".assimp.glb"))
        cov_ours, cov_assimp = coverage(ours["event"])
        nothing = ours["event"].get("code") == "nothing_to_build"
        rows.append({
            "file": src.name, "mb": round(size_mb, 3),
            "ours_ok": ours["ok"], "ours_code": None if ours["ok"] else ours["event"].get("code"),
            "nothing_to_build": nothing,
            "ours_cold_s": ours["seconds"], "ours_warm_s": statistics.median(warm_times),
            "ours_peak_mb": max(ours["peakMb"], (warm_ev.get("stats") or {}).get("peakMemoryMb", 0)),
            "assimp_ok": theirs["ok"], "assimp_s": theirs["seconds"], "assimp_peak_mb": theirs["peakMb"],
            "coverage_ours": cov_ours, "coverage_assimp": cov_assimp,
            "stats": {k: (ours["event"].get("stats") or {}).get(k) for k in ("walls", "doors", "windows", "rooms")},
        })
        r = rows[-1]
        print(f"{src.name:40s} {size_mb:7.2f}MB ours={'ok' if r['ours_ok'] else r['ours_code']:16s} "
              f"cold={fmt(r['ours_cold_s'])}s warm={fmt(r['ours_warm_s'])}s peak={fmt(r['ours_peak_mb'], '.0f')}MB | "
              f"assimp={'ok' if r['assimp_ok'] else 'FAIL' if r['assimp_ok'] is False else '-'} "
              f"{fmt(r['assimp_s'])}s {fmt(r['assimp_peak_mb'], '.0f')}MB | cov ours={fmt(cov_ours, '.2f')} "
              f"assimp={fmt(cov_assimp, '.2f')}", flush=True)
    warm.close()
    corpus = [r for r in rows if not r["file"].startswith("synthetic-")]
    summary = {
        "files": len(rows),
        "ours_converted": sum(1 for r in rows if r["ours_ok"]),
        "ours_nothing_to_build": sum(1 for r in rows if r["nothing_to_build"]),
        "assimp_converted": sum(1 for r in rows if r["assimp_ok"]),
    }
    both = [r for r in corpus if r["ours_ok"] and r["assimp_ok"]]
    if both:
        summary["wall_ratio_cold_vs_assimp"] = sum(r["ours_cold_s"] for r in both) / sum(r["assimp_s"] for r in both)
        summary["wall_ratio_warm_vs_assimp"] = sum(r["ours_warm_s"] for r in both) / sum(r["assimp_s"] for r in both)
        summary["peak_ratio_vs_assimp"] = max(r["ours_peak_mb"] for r in both) / max(r["assimp_peak_mb"] for r in both)
    small = [r for r in corpus if r["mb"] <= 1 and r["ours_ok"]]
    if small:
        summary["warm_small_max_s"] = max(r["ours_warm_s"] for r in small)
        summary["goal_warm_small"] = summary["warm_small_max_s"] <= GOALS["warm_small_s"]
    bigs = [r for r in rows if r["file"].startswith("synthetic-")]
    if bigs:
        b = bigs[0]
        summary.update({"big_mb": b["mb"], "big_cold_s": b["ours_cold_s"], "big_warm_s": b["ours_warm_s"],
                        "big_peak_mb": b["ours_peak_mb"], "big_assimp_s": b["assimp_s"], "big_stats": b["stats"],
                        "goal_big_time": b["ours_warm_s"] <= GOALS["big_s"],
                        "goal_big_memory": b["ours_peak_mb"] <= GOALS["big_mb"]})
    summary["goal_every_file"] = all(r["ours_ok"] or r["nothing_to_build"] for r in rows)
    print(json.dumps(summary, indent=1))
    path = Path(args.json) if args.json else out_dir / "bench.json"
    path.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
