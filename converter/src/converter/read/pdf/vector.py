"""A vector page's styled primitives → plan primitives in metres, with scale and title blocks.

Order matters: the frame and title blocks go first (their texts must not vote for the scale of
the building, and their lines must not become walls), then the scale, then every primitive is
scaled from paper millimetres to metres and put on its role layer.
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np
import shapely
from shapely.geometry import Polygon

from ...options import Options
from ...plan.model import Path, Plan, Region, Text
from .geometry import fit_arc
from .page import FILL, LINES, TEXT, WALL, PageContent, assign_roles
from .scale import parse_scale, scale_from_dimensions, scale_from_doors, scale_from_extent, scale_from_text
from .titleblock import bbox_of, inside, is_frame, title_areas
from .windows import mark_windows

__all__ = ["vector_page", "page_scale"]

#: A filled region on the wall layer must be at least this long (m) — glyphs and arrowheads are not.
MIN_WALL_FILL_M = 0.6


def page_scale(pc: PageContent, options: Options, arcs_mm: list[float], kept) -> tuple[float, str]:
    """Denominator and its source, in the order: option, scale note, dimensions, door swings, size."""
    override = getattr(options, "scale", None)
    if override:
        d = float(override) if not isinstance(override, str) else parse_scale(override) or float(override)
        return d, "the scale option"
    texts = [t for ln in pc.lines for t in ln.text.splitlines()]
    found = scale_from_text(texts)
    if found:
        return found
    segs = [s.points[[0, -1]].ravel() for s in kept if not s.curved and len(s.points) == 2]
    found = scale_from_dimensions(pc.lines, np.array(segs).reshape(-1, 4))
    if found:
        return found
    found = scale_from_doors(arcs_mm)
    if found:
        return found
    pts = [s.points for s in kept] or [np.zeros((1, 2))]
    allp = np.concatenate(pts)
    span = float(np.max(np.percentile(allp, 98, axis=0) - np.percentile(allp, 2, axis=0)))
    return scale_from_extent(span)


def vector_page(pc: PageContent, options: Options, prefix: str = "") -> tuple[Plan, dict]:
    """Plan primitives (metres, y up) of one vector page, and its report entry."""
    areas = title_areas(pc.lines, pc.width, pc.height)
    dropped = 0
    kept_strokes, kept_fills = [], []
    for s in pc.strokes:
        bb = bbox_of(s.points)
        if (s.closed and is_frame(bb, pc.width, pc.height)) or (areas and inside(bb, areas)):
            dropped += 1
        else:
            kept_strokes.append(s)
    for f in pc.fills:
        bb = bbox_of(np.concatenate(f.rings))
        if is_frame(bb, pc.width, pc.height) or (areas and inside(bb, areas)):
            dropped += 1
        else:
            kept_fills.append(f)
    stroke_layers, fill_layers, style = assign_roles(kept_strokes, kept_fills)
    strokes = list(zip(kept_strokes, stroke_layers))
    fills = list(zip(kept_fills, fill_layers))
    lines = [ln for ln in pc.lines if not (areas and inside(ln.bbox, areas))]
    arcs = {}
    for s, _ in strokes:
        if s.curved:
            a = fit_arc(s.points)
            if a is not None:
                arcs[id(s)] = a
    swing_radii = [a.radius for a in arcs.values() if 1.3 <= a.sweep <= 1.85]
    denom, source = page_scale(pc, options, swing_radii, [s for s, _ in strokes])
    k = denom / 1000.0  # paper mm → m
    plan = Plan(unit="m")
    for s, layer in strokes:
        a = arcs.get(id(s))
        if a is not None:
            a.cx, a.cy, a.radius = a.cx * k, a.cy * k, a.radius * k
        kind = "ARC" if a is not None else ("SPLINE" if s.curved else ("LINE" if len(s.points) == 2 else "LWPOLYLINE"))
        plan.paths.append(Path(s.points * k, prefix + layer, closed=s.closed, kind=kind, arc=a))
        plan.entity_counts["path"] += 1
    # Only on flat PDFs: with optional content groups, the author's layers say more than a pattern
    # (on the Allplan corpus sheet the pattern also matched shower screens).
    flat = not any(s.ocg for s, _ in strokes)
    windows = mark_windows(plan.paths, LINES, {prefix + WALL}) if flat and style["heavyStrokeMm"] is not None else 0
    for f, layer in fills:
        for poly in _polygons(f.rings, f.even_odd, k):
            lay = layer
            if layer.endswith(WALL + "-FILL"):
                x0, y0, x1, y1 = poly.bounds
                if max(x1 - x0, y1 - y0) < MIN_WALL_FILL_M:
                    lay = layer[: -len(WALL + "-FILL")] + FILL
            plan.regions.append(Region(np.asarray(poly.exterior.coords)[:-1], [np.asarray(h.coords)[:-1] for h in
                                                                              poly.interiors], prefix + lay, kind="FILL"))
            plan.entity_counts["fill"] += 1
    for ln in lines:
        plan.texts.append(Text(ln.text, ln.centre * k, prefix + TEXT, height=ln.height * k, kind="TEXT"))
    plan.entity_counts["text"] += len(lines)
    if dropped:
        plan.skipped["path (frame, title block or legend)"] += dropped
    warnings = []
    if "guessed" in source:
        warnings.append(f"no scale found on the page; {source}: 1:{denom:g} (set the scale option to override)")
    plan.warnings.extend(warnings)
    info = {"page": pc.number + 1, "path": "vector", "scale": f"1:{denom:g}", "scaleSource": source,
            "titleBlocks": [[round(v, 1) for v in a] for a in areas], "droppedAsTitleOrFrame": dropped,
            "strokes": len(strokes), "windowsByLines": windows,
            "primitivesByLayer": dict(sorted(Counter([p.layer for p in plan.paths] + [r.layer for r in plan.regions]).items())), "fills": len(fills), "texts": len(lines),
            "heavyStrokeMm": None if style["heavyStrokeMm"] is None else round(style["heavyStrokeMm"], 3),
            "optionalContentGroups": sorted({s.ocg for s in pc.strokes if s.ocg} | {f.ocg for f in pc.fills if f.ocg}),
            "warnings": warnings}
    return plan, info


def _polygons(rings: list[np.ndarray], even_odd: bool, k: float) -> list[Polygon]:
    polys = []
    for r in rings:
        if len(r) < 3:
            continue
        p = shapely.make_valid(Polygon(r * k))
        if not p.is_empty and p.area > 0:
            polys.append(p)
    if not polys:
        return []
    # Even-odd for both fill rules: CAD exports draw holes as separate rings either way.
    geom = polys[0]
    for p in polys[1:]:
        geom = geom.symmetric_difference(p)
    out = []
    for g in getattr(geom, "geoms", [geom]):
        if isinstance(g, Polygon) and g.area > 0:
            out.append(g)
        elif hasattr(g, "geoms"):
            out.extend(x for x in g.geoms if isinstance(x, Polygon) and x.area > 0)
    return out
