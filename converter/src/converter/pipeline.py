"""One conversion job: read → normalise → classify → build → write, with progress and stats.

Why a single function: the CLI, the warm server and the tests all run exactly this; limits on
time and memory are enforced around it by :mod:`converter.runtime.supervisor`.
"""
from __future__ import annotations

import json
import os
import resource
import time
from typing import Callable

import numpy as np

from .extrude import build_scene
from .classify import classify_plan
from .errors import BadDrawing, LimitExceeded, NothingToBuild
from .normalise import check_extent, normalise_units
from .options import Options
from .read.sniff import read_drawing
from .runtime.memory import collector_paused
from .write import write_glb

__all__ = ["convert", "Emit"]

Emit = Callable[[dict], None]


def convert(input_path: str, output_path: str, opts: Options, emit: Emit | None = None,
            report_path: str | None = None) -> dict:
    """Convert one drawing; returns the final ``result`` event (also passed to ``emit``).

    Raises:
        ConverterError subclasses for every expected failure (see :mod:`converter.errors`).
    """
    with collector_paused():
        return _convert(input_path, output_path, opts, emit, report_path)


def _convert(input_path: str, output_path: str, opts: Options, emit: Emit | None,
             report_path: str | None) -> dict:
    send = emit or (lambda e: None)
    t_start = time.perf_counter()
    timings: dict[str, float] = {}

    def progress(stage: str, percent: float, message: str) -> None:
        send({"type": "progress", "stage": stage, "percent": round(percent, 1), "message": message})

    def stage_done(stage: str, t0: float) -> float:
        now = time.perf_counter()
        timings[stage] = round(now - t0, 4)
        return now

    t = time.perf_counter()
    progress("read", 0, f"reading {os.path.basename(input_path)}")
    plan = read_drawing(input_path, opts, lambda f, m: progress("read", 40 * f, m))
    t = stage_done("read", t)
    progress("normalise", 40, "units to metres")
    # PDF and image readers scale to metres themselves (drawing scale, pixels per metre).
    normalise_units(plan, opts.units if plan.source.get("format") not in ("pdf", "png", "jpeg") else "m")
    bounds = check_extent(plan)
    if plan.is_empty() and plan.source.get("truncated"):
        raise BadDrawing("the file is truncated (no EOF marker) and holds no usable geometry", code="truncated")
    if plan.is_empty():
        what = f"{len(plan.texts)} texts" if plan.texts else "no entities"
        raise NothingToBuild(f"nothing to build: the drawing has no geometry in model space ({what}, "
                             f"{sum(plan.skipped.values())} skipped entities)")
    if plan.vertex_count() > opts.maxVertices:
        raise LimitExceeded(f"the drawing has more than {opts.maxVertices} vertices (maxVertices)",
                            code="vertex_limit")
    t = stage_done("normalise", t)
    progress("classify", 50, "finding walls, openings and rooms")
    building = classify_plan(plan, opts)
    if not _has_building_geometry(building):
        raise NothingToBuild("nothing to build: the drawing holds only annotation (texts, dimensions)")
    pages = [p for p in plan.source.get("pages", []) if "floorX" in p]
    if len(pages) > 1:  # each page a floor, side by side: kiosks show one at a time
        building.floors = [(f"page {p['page']}", *p["floorX"]) for p in pages]
    t = stage_done("classify", t)
    progress("build", 75, "extruding walls and slabs")
    lo, hi = bounds  # type: ignore[misc]
    origin = (lo + hi) / 2
    root = build_scene(building, opts, origin)
    t = stage_done("build", t)
    progress("write", 90, "writing GLB")
    stats = _stats(plan, building, root, lo, hi)
    try:
        size = write_glb(root, output_path, extras={"converter": stats_summary(stats)})
    except OSError as exc:
        raise BadDrawing(f"cannot write the output: {exc.strerror or exc}", code="bad_output") from None
    t = stage_done("write", t)
    stats["bytes"] = size
    stats["timings"] = timings
    stats["seconds"] = round(time.perf_counter() - t_start, 4)
    stats["peakMemoryMb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    warnings = list(dict.fromkeys(plan.warnings + building.warnings))
    if report_path:
        _write_report(report_path, input_path, output_path, stats, warnings, plan, building)
    progress("write", 100, "done")
    result = {"type": "result", "ok": True, "output": output_path, "stats": stats, "warnings": warnings}
    send(result)
    return result


def _has_building_geometry(b) -> bool:
    if b.walls or b.columns or b.rooms or b.openings or b.faces:
        return True
    return any(cat != "annotation" for cat, _ in b.lines)


def _stats(plan, b, root, lo: np.ndarray, hi: np.ndarray) -> dict:
    nodes = list(root.walk())
    return {
        "units": plan.source.get("units"),
        "format": plan.source.get("format"),
        "dxfVersion": plan.source.get("version"),
        "recovered": bool(plan.source.get("recovered")),
        "entities": int(sum(plan.entity_counts.values())),
        "entityCounts": dict(sorted(plan.entity_counts.items())),
        "skipped": dict(sorted(plan.skipped.items())),
        "layers": len(b.layer_categories),
        "walls": len(b.pieces),
        "wallLayers": len(b.walls),
        "doors": sum(1 for o in b.openings if o.kind == "door"),
        "windows": sum(1 for o in b.openings if o.kind == "window"),
        "openingsWithoutWall": sum(1 for o in b.openings if not o.hosted),
        "rooms": len(b.rooms),
        "roomArea": round(sum(r.area for r in b.rooms), 2),
        "columns": sum(len(getattr(g, "geoms", [g])) for g in b.columns.values()),
        "lines": sum(len(v) for v in b.lines.values()),
        "labels": len(b.labels),
        "faces3d": int(sum(len(t) for ts in b.faces.values() for t in ts)),
        "nodes": len(nodes),
        "vertices": int(root.extras.get("vertices", 0)),
        "extent": [round(float(v), 3) for v in (hi - lo)],
        **b.stats,
    }


def stats_summary(stats: dict) -> dict:
    keys = ("units", "entities", "walls", "doors", "windows", "rooms", "roomArea", "columns", "lines",
            "vertices", "extent")
    return {k: stats[k] for k in keys if k in stats} | {"frame": "Y-up, metres, centred on the plan"}


def _write_report(path: str, input_path: str, output_path: str, stats: dict, warnings: list[str],
                  plan, b) -> None:
    report = {
        "ok": True,
        "input": input_path,
        "output": output_path,
        "stats": stats,
        "warnings": warnings,
        "source": plan.source,
        "layerCategories": dict(sorted(b.layer_categories.items())),
        "rooms": [{"name": r.name, "area": r.area, "layer": r.layer, "source": r.source} for r in b.rooms],
        "openings": [{"kind": o.kind, "width": round(o.width, 3), "layer": o.layer, "block": o.block,
                      "hosted": o.hosted} for o in b.openings],
    }
    try:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(report, fh, ensure_ascii=False, indent=1)
    except OSError as exc:
        raise BadDrawing(f"cannot write the report: {exc.strerror or exc}", code="bad_output") from None


def write_error_report(path: str | None, event: dict) -> None:
    """Best effort: a failed job still leaves a report saying why."""
    if not path:
        return
    try:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({"ok": False, "error": event}, fh, ensure_ascii=False, indent=1)
    except OSError:
        pass
