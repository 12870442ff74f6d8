#!/usr/bin/env python3
"""Score the converter on the generated evaluation set (``bench/evalset.py``) against exact truth.

Usage (from the repository root):
    converter/.venv/bin/python converter/bench/score.py [--split tuned|held-out|both] [--seeds 0 1 …]
        [--render DIR] [--naive] [-v]

Per plan: read → normalise → classify → extrude → write exactly as the pipeline runs them; then
- rooms: each true room is *found* when a converted room overlaps it with polygon IoU ≥ 0.9,
  *named* when that room also carries its name, *exact* when, besides, its area is within 2 %;
- wall IoU: solid converted walls (footprint minus openings) against the true solid walls;
- doors / windows: whether the counts are exact.
Prints one line per plan (with -v) and the summary per split. ``--naive`` adds the baseline of
the project guide (node all lines, polygonize, give each text its smallest face). ``--render``
writes a top-view PNG per plan (truth rooms dashed, converted rooms filled with their names).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import numpy as np
import shapely

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from evalset import HELD_OUT, TUNED, draw  # noqa: E402
from sketchset import SKETCH_HELD_OUT, SKETCH_TUNED, draw_sketch  # noqa: E402

from converter.classify import classify_plan  # noqa: E402
from converter.extrude import build_scene  # noqa: E402
from converter.write import write_glb  # noqa: E402
from converter.normalise import check_extent, normalise_units  # noqa: E402
from converter.options import merge_options  # noqa: E402
from converter.read.dxf import read_dxf  # noqa: E402

ROOM_IOU = 0.9
AREA_TOL = 0.02


def _norm(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().casefold()


def convert(path: str, glb: str | None = None):
    """read → normalise → classify as the pipeline runs them; with ``glb``, extrude and write too."""
    opts = merge_options({})
    plan = read_dxf(path, opts)
    normalise_units(plan, opts.units)
    lo, hi = check_extent(plan)
    texts = list(plan.texts)
    b = classify_plan(plan, opts)
    if glb:
        write_glb(build_scene(b, opts, (lo + hi) / 2), glb)
    return b, plan, texts


def solid_walls(b) -> shapely.Geometry:
    walls = shapely.unary_union(list(b.walls.values())) if b.walls else shapely.Polygon()
    plugs = [o.plug for o in b.openings if o.hosted]
    return walls.difference(shapely.unary_union(plugs)) if plugs else walls


def match_rooms(truth_rooms, pred):
    """Per true room: (found, named, exact, best predicted index or -1)."""
    out = []
    if not pred:
        return [(False, False, False, -1)] * len(truth_rooms)
    polys = np.array([p[1] for p in pred], dtype=object)
    tree = shapely.STRtree(polys)
    for name, poly in truth_rooms:
        best, best_iou = -1, 0.0
        for k in tree.query(poly, predicate="intersects").tolist():
            inter = poly.intersection(polys[k]).area
            iou = inter / (poly.area + polys[k].area - inter)
            if iou > best_iou:
                best, best_iou = k, iou
        found = best_iou >= ROOM_IOU
        named = found and _norm(pred[best][0]) == _norm(name)
        exact = named and abs(pred[best][2] - poly.area) <= AREA_TOL * poly.area
        out.append((found, named, exact, best))
    return out


def naive_rooms(plan, texts):
    """The guide's baseline: node every line, polygonize, give each text its smallest face."""
    lines = [shapely.LineString(np.vstack((p.points, p.points[:1])) if p.closed else p.points)
             for p in plan.paths if len(p.points) >= 2]
    for r in plan.regions:
        lines.append(shapely.LinearRing(r.exterior))
    if not lines:
        return []
    noded = shapely.union_all(lines)
    faces = [f for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))) if f.area >= 1.0]
    if not faces:
        return []
    tree = shapely.STRtree(faces)
    named: dict[int, str] = {}
    for t in texts:
        hits = tree.query(shapely.Point(*t.position), predicate="within")
        if len(hits):
            k = min(hits.tolist(), key=lambda i: faces[i].area)
            named.setdefault(k, t.text.splitlines()[0].strip())
    return [(n, faces[k], faces[k].area) for k, n in named.items()]


def render(path: Path, title: str, b, truth=None) -> None:
    """Top view: lines grey, solid walls dark, door plugs red, window plugs blue, converted rooms
    filled with name and area, true rooms (when given) dashed green."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(12, 8), dpi=90)
    for (cat, _), polylines in b.lines.items():
        for pl in polylines:
            ax.plot(pl[:, 0], pl[:, 1], lw=0.4, color="#bbbbbb" if cat != "other" else "#d9a0a0")
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    def fill(geom, **kw) -> None:  # polygons with their holes
        for part in shapely.get_parts(geom):
            if part.geom_type != "Polygon" or part.is_empty:
                continue
            rings = [np.asarray(part.exterior.coords)] + [np.asarray(i.coords) for i in part.interiors]
            codes = np.concatenate([[MplPath.MOVETO] + [MplPath.LINETO] * (len(r) - 2) + [MplPath.CLOSEPOLY]
                                    for r in rings])
            ax.add_patch(PathPatch(MplPath(np.concatenate(rings), codes), lw=0, **kw))

    for k, r in enumerate(b.rooms):
        fill(r.polygon, alpha=0.25, color=f"C{k % 10}")
        c = r.polygon.representative_point()
        ax.text(c.x, c.y, f"{r.name or '?'}\n{r.area:.1f}", fontsize=6, ha="center")
    fill(solid_walls(b), color="#333333")
    for o in b.openings:
        x, y = o.plug.exterior.xy
        ax.fill(x, y, color="red" if o.kind == "door" else "blue", alpha=0.7)
    for name, poly in (truth.rooms if truth else []):
        x, y = poly.exterior.xy
        ax.plot(x, y, "g--", lw=0.6)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=8)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)


def score(seeds, render_dir: str | None, naive: bool, verbose: bool, drawer=draw) -> dict:
    tot = dict(plans=0, rooms=0, found=0, named=0, exact=0, wall_iou=[], doors_ok=0, windows_ok=0, seconds=0.0,
               naive_named=0, naive_exact=0)
    by_style: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            path = os.path.join(tmp, f"plan{seed}.dxf")
            spec, truth = drawer(seed, path)
            t0 = time.perf_counter()
            b, plan, texts = convert(path, path + ".glb")
            tot["seconds"] += time.perf_counter() - t0
            tot.setdefault("glb_ratio", []).append(os.path.getsize(path + ".glb") / os.path.getsize(path))
            pred = [(r.name, r.polygon, r.area) for r in b.rooms]
            m = match_rooms(truth.rooms, pred)
            solid = solid_walls(b)
            inter = solid.intersection(truth.walls).area
            iou = inter / max(solid.union(truth.walls).area, 1e-9)
            doors = sum(1 for o in b.openings if o.kind == "door")
            windows = sum(1 for o in b.openings if o.kind == "window")
            n_exact = sum(e for _, _, e, _ in m)
            tot["plans"] += 1
            tot["rooms"] += len(truth.rooms)
            tot["found"] += sum(f for f, _, _, _ in m)
            tot["named"] += sum(n for _, n, _, _ in m)
            tot["exact"] += n_exact
            tot["wall_iou"].append(iou)
            tot["doors_ok"] += doors == truth.doors
            tot["windows_ok"] += windows == truth.windows
            st = by_style.setdefault(spec.wall_style, [0, 0])
            st[0] += n_exact
            st[1] += len(truth.rooms)
            if naive:
                nm = match_rooms(truth.rooms, naive_rooms(plan, texts))
                tot["naive_named"] += sum(n for _, n, _, _ in nm)
                tot["naive_exact"] += sum(e for _, _, e, _ in nm)
            if verbose:
                print(f"seed {seed:5d} {spec.wall_style:13s} {spec.unit}/{spec.header} rooms {n_exact:2d}/{len(truth.rooms):2d} "
                      f"(found {sum(f for f, _, _, _ in m)}, named {sum(n for _, n, _, _ in m)}, pred {len(pred)}) "
                      f"walls {iou:.3f} doors {doors}/{truth.doors} windows {windows}/{truth.windows} "
                      f"doors {','.join(getattr(spec, 'door_styles', ('ajar',)))}")
                for (name, poly), (f, n, e, k) in zip(truth.rooms, m):
                    if not e and verbose:
                        got = pred[k] if k >= 0 else ("-", None, 0.0)
                        print(f"      miss {name!r} {poly.area:.2f} → {got[0]!r} {got[2]:.2f} found={f} named={n}")
            if render_dir:
                os.makedirs(render_dir, exist_ok=True)
                render(Path(render_dir) / f"seed{seed}.png", f"seed {spec.seed}: {spec.wall_style}, doors "
                       f"{','.join(getattr(spec, 'door_styles', ('ajar',)))}, {spec.unit}/{spec.header}", b, truth)
    tot["by_style"] = by_style
    return tot


def summary(label: str, t: dict) -> str:
    ious = np.array(t["wall_iou"])
    pct = lambda a: f"{100.0 * a / max(t['rooms'], 1):.1f} %"  # noqa: E731
    lines = [f"{label}: {t['plans']} plans, {t['rooms']} rooms",
             f"  rooms found (IoU ≥ {ROOM_IOU}): {pct(t['found'])}; with name: {pct(t['named'])}; "
             f"with name and area ±2 %: {pct(t['exact'])}",
             f"  wall IoU mean {ious.mean():.3f}, min {ious.min():.3f}",
             f"  doors exact on {t['doors_ok']}/{t['plans']} plans, windows exact on {t['windows_ok']}/{t['plans']}",
             f"  convert time {t['seconds']:.1f} s in all; GLB/DXF size mean {np.mean(t['glb_ratio']):.2f}, "
             f"max {np.max(t['glb_ratio']):.2f}",
             "  rooms exact by wall style: " + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(t["by_style"].items()))]
    if t["naive_named"] or t["naive_exact"]:
        lines.append(f"  naive baseline: with name {pct(t['naive_named'])}; with name and area ±2 %: {pct(t['naive_exact'])}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("tuned", "held-out", "both"), default="both")
    ap.add_argument("--sketch", action="store_true", help="the hand-drawn set (bench/sketchset.py) instead")
    ap.add_argument("--seeds", type=int, nargs="*")
    ap.add_argument("--render")
    ap.add_argument("--naive", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    drawer = draw_sketch if args.sketch else draw
    if args.seeds:
        print(summary("seeds", score(args.seeds, args.render, args.naive, args.verbose, drawer)))
        return
    splits = {"tuned": SKETCH_TUNED, "held-out": SKETCH_HELD_OUT} if args.sketch else \
        {"tuned": TUNED, "held-out": HELD_OUT}
    for name in (("tuned", "held-out") if args.split == "both" else (args.split,)):
        label = f"sketch {name}" if args.sketch else name
        print(summary(label, score(splits[name], args.render, args.naive, args.verbose, drawer)), flush=True)


if __name__ == "__main__":
    main()
