"""Doors and windows: find each instance, its host wall, and the opening it cuts.

Why instances: a door block holds a leaf, a swing arc and jambs but is *one* door; unblocked
drawings get the same result by clustering touching door-layer primitives. The wall direction
comes from the host wall when one is near, else from the symbol (the leaf of a swing arc, the
block's x axis, the longest window line). The opening footprint ("plug") spans the symbol along
the wall, widened to the gap in the wall, and across the wall's full thickness found by
cross-sections — so it works for walls made of line pairs, outlines and hatches alike.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from ..plan.model import Path, Region
from .layers import category_of_name
from .model import Opening, WallPiece

__all__ = ["Instance", "group_instances", "locate_opening", "MIN_OPENING", "MAX_OPENING"]

MIN_OPENING = 0.3
MAX_OPENING = 6.0
_SEARCH = 0.3
_TOUCH = 0.02
#: Bare window symbols are parallel lines across the wall (frame, glass): merge those this close.
_PARALLEL_MERGE = 0.35


@dataclass
class Instance:
    kind: str
    layer: str
    block: str = ""
    axis: tuple[float, float] | None = None
    paths: list[Path] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)

    def points(self) -> np.ndarray:
        arrays = [p.points for p in self.paths] + [r.exterior for r in self.regions]
        return np.vstack(arrays) if arrays else np.zeros((0, 2))


def group_instances(items: list[tuple[str, Path | Region]], groups: dict, classify_layer) -> list[Instance]:
    """One :class:`Instance` per door/window block instance or cluster of touching primitives."""
    by_group: dict[int, Instance] = {}
    free: dict[str, list[Path | Region]] = {}
    for kind, prim in items:
        anchor, anchor_kind = 0, kind
        g = prim.group
        while g:
            info = groups.get(g)
            if info is None:
                break
            k = category_of_name(info.block)
            if k not in ("door", "window"):
                k = classify_layer(info.layer)
            if k in ("door", "window"):
                anchor, anchor_kind = g, k
            g = info.parent
        if anchor:
            inst = by_group.get(anchor)
            if inst is None:
                info = groups[anchor]
                inst = Instance(anchor_kind, info.layer, info.block, info.axis)
                by_group[anchor] = inst
            _add(inst, prim)
        else:
            free.setdefault(kind, []).append(prim)
    out = list(by_group.values())
    for kind, prims in free.items():
        out.extend(_cluster(kind, prims, _PARALLEL_MERGE if kind == "window" else 0.0))
    return out


def _add(inst: Instance, prim: Path | Region) -> None:
    (inst.paths if isinstance(prim, Path) else inst.regions).append(prim)


def _cluster(kind: str, prims: list[Path | Region], parallel: float) -> list[Instance]:
    """Union-find over primitives that touch, or (windows) run parallel side by side."""
    boxes = []
    for p in prims:
        pts = p.points if isinstance(p, Path) else p.exterior
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        boxes.append((lo[0], lo[1], hi[0], hi[1]))
    geoms = [shapely.linestrings(p.points) if isinstance(p, Path) and len(p.points) > 1
             else shapely.box(*b) for p, b in zip(prims, boxes)]
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="dwithin", distance=max(_TOUCH, parallel))
    if parallel > _TOUCH:
        dist = shapely.distance(np.asarray(geoms)[a], np.asarray(geoms)[b])
        keep = dist <= _TOUCH
        for k in np.nonzero(~keep)[0]:
            keep[k] = _side_by_side(prims[a[k]], prims[b[k]])
        a, b = a[keep], b[keep]
    parent = list(range(len(prims)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in zip(a.tolist(), b.tolist()):
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[rx] = ry
    clusters: dict[int, Instance] = {}
    for k, p in enumerate(prims):
        r = find(k)
        inst = clusters.get(r)
        if inst is None:
            inst = clusters[r] = Instance(kind, p.layer)
        _add(inst, p)
    return list(clusters.values())


def _side_by_side(p: Path | Region, q: Path | Region) -> bool:
    """Two straight lines, parallel, overlapping by half the shorter one."""
    if not (isinstance(p, Path) and isinstance(q, Path)):
        return False
    a0, a1 = p.points[0], p.points[-1]
    b0, b1 = q.points[0], q.points[-1]
    da, db = a1 - a0, b1 - b0
    la, lb = float(np.hypot(*da)), float(np.hypot(*db))
    if la < 1e-9 or lb < 1e-9:
        return False
    u = da / la
    if abs(u[0] * db[1] - u[1] * db[0]) / lb > 0.05:
        return False
    s = sorted((float(np.dot(b0 - a0, u)), float(np.dot(b1 - a0, u))))
    overlap = min(la, s[1]) - max(0.0, s[0])
    return overlap >= 0.5 * min(la, lb)


def _hint_axis(inst: Instance) -> tuple[np.ndarray | None, bool]:
    """Wall direction suggested by the symbol itself; the flag says it is trustworthy."""
    for p in inst.paths:
        arc = p.arc
        if arc is None or not (math.radians(50) <= arc.sweep <= math.radians(130)):
            continue
        c = np.array((arc.cx, arc.cy))
        ends = [np.array((math.cos(arc.start), math.sin(arc.start))),
                np.array((math.cos(arc.end), math.sin(arc.end)))]
        for q in inst.paths:
            if q is p or q.arc is not None or len(q.points) < 2:
                continue
            for a, b in ((q.points[0], q.points[-1]), (q.points[-1], q.points[0])):
                if np.hypot(*(a - c)) < 0.05 * arc.radius + 1e-6:
                    leaf = (b - a) / (np.hypot(*(b - a)) or 1.0)
                    # the closed leaf lies along the wall: the arc end not on the open leaf
                    closed = min(ends, key=lambda e: abs(float(np.dot(e, leaf))))
                    return closed, True
        return ends[0], False
    if inst.axis is not None:
        return np.array(inst.axis, dtype=float), inst.kind == "window"
    best, best_len = None, 0.0
    for p in inst.paths:
        d = np.diff(p.points, axis=0)
        if len(d) == 0:
            continue
        lens = np.hypot(d[:, 0], d[:, 1])
        k = int(np.argmax(lens))
        if lens[k] > best_len:
            best, best_len = d[k] / lens[k], float(lens[k])
    return best, inst.kind == "window"


def locate_opening(inst: Instance, walls_near, tree: shapely.STRtree | None,
                   pieces: list[WallPiece]) -> Opening | None:
    """Place one door/window instance in its wall; None when the symbol is no plausible opening."""
    pts = inst.points()
    if len(pts) < 2:
        return None
    extent = float(np.max(pts.max(axis=0) - pts.min(axis=0)))
    if not (MIN_OPENING <= extent <= MAX_OPENING):
        return None
    hint, trusted = _hint_axis(inst)
    hull = shapely.multipoints(pts).convex_hull
    u = _host_axis(hull, hint, trusted, tree, pieces)
    if u is None:
        u = np.array((1.0, 0.0))
    n = np.array((-u[1], u[0]))
    s = pts @ u
    t = pts @ n
    s0, s1 = float(s.min()), float(s.max())
    t0, t1 = float(t.min()), float(t.max())
    band = None
    walls = walls_near(hull) if walls_near is not None else None
    if walls is not None and len(walls):
        band = _band(walls, u, n, (s0, s1), (t0, t1))
    hosted = band is not None
    if hosted:
        s0, s1 = _widen_to_gap(walls, u, n, (s0, s1), band)
    else:
        mid = 0.5 * (t0 + t1) if inst.kind == "window" else t0
        band = (mid - 0.05, mid + 0.05)
    width = s1 - s0
    if width < MIN_OPENING * 0.5:
        return None
    plug = _rect(u, n, (s0, s1), band)
    return Opening(inst.kind, inst.layer, plug, width, u, hosted, inst.block, band, (s0, s1))


def _host_axis(hull: BaseGeometry, hint: np.ndarray | None, trusted: bool,
               tree: shapely.STRtree | None, pieces: list[WallPiece]) -> np.ndarray | None:
    if tree is None:
        return hint
    near = tree.query(hull, predicate="dwithin", distance=_SEARCH)
    axes = [pieces[k].axis for k in near if pieces[k].axis is not None]
    if not axes:
        return hint
    if hint is None:
        dists = [pieces[k].polygon.distance(hull) for k in near if pieces[k].axis is not None]
        return axes[int(np.argmin(dists))]
    best = max(axes, key=lambda a: abs(float(np.dot(a, hint))))
    if abs(float(np.dot(best, hint))) > math.cos(math.radians(20)):
        return best * (1.0 if float(np.dot(best, hint)) >= 0 else -1.0)
    if trusted:
        return hint
    # The symbol's guess disagrees with every wall near it: trust the walls.
    return best


def _intervals(walls: list[BaseGeometry], a: np.ndarray, b: np.ndarray, axis: np.ndarray) -> list[tuple[float, float]]:
    """Covered parameter intervals (projected on ``axis``) of the segment a→b inside ``walls``.

    ``walls`` is a list of (possibly overlapping) pieces; their intervals are merged in 1-D,
    which is much cheaper than intersecting with their union. Vectorised over the pieces.
    """
    line = shapely.linestrings(np.array((a, b), dtype=float))
    parts = shapely.get_parts(shapely.intersection(walls, line))
    parts = parts[(shapely.get_type_id(parts) == 1) & ~shapely.is_empty(parts)]  # touching points cover nothing
    if len(parts) == 0:
        return []
    coords, owner = shapely.get_coordinates(parts, return_index=True)
    v = coords @ axis
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    raw = sorted(zip(np.minimum.reduceat(v, starts).tolist(), np.maximum.reduceat(v, starts).tolist()))
    out: list[tuple[float, float]] = []
    for lo, hi in raw:
        if out and lo <= out[-1][1] + 1e-6:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _band(walls: list[BaseGeometry], u: np.ndarray, n: np.ndarray, span: tuple[float, float],
          tspan: tuple[float, float]) -> tuple[float, float] | None:
    s0, s1 = span
    t0, t1 = tspan
    lo, hi = t0 - 1.0, t1 + 1.0
    chosen: list[tuple[float, float]] = []
    for group in ((s0 - 0.05, s1 + 0.05), (0.5 * (s0 + s1),)):
        for s in group:
            ivs = _intervals(walls, u * s + n * lo, u * s + n * hi, n)
            ivs = [(a, b) for a, b in ivs if b - a > 0.01]
            if not ivs:
                continue
            gap = [max(0.0, a - t1, t0 - b) for a, b in ivs]
            k = int(np.argmin(gap))
            if gap[k] <= 0.25:
                chosen.append(ivs[k])
        if chosen:
            break
    if not chosen:
        return None
    return min(a for a, _ in chosen), max(b for _, b in chosen)


def _widen_to_gap(walls: list[BaseGeometry], u: np.ndarray, n: np.ndarray, span: tuple[float, float],
                  band: tuple[float, float]) -> tuple[float, float]:
    """Extend the span to the wall ends on either side, so the plug closes the gap exactly."""
    s0, s1 = span
    tm = 0.5 * (band[0] + band[1])
    reach = 0.5
    covered = _intervals(walls, u * (s0 - reach) + n * tm, u * (s1 + reach) + n * tm, u)
    left = [b for a, b in covered if b <= s0 + 0.15 and b >= s0 - reach]
    right = [a for a, b in covered if a >= s1 - 0.15 and a <= s1 + reach]
    if left:
        s0 = max(left)
    if right:
        s1 = min(right)
    return s0, s1


def _rect(u: np.ndarray, n: np.ndarray, span: tuple[float, float], band: tuple[float, float]) -> Polygon:
    (s0, s1), (t0, t1) = span, band
    pts = np.array((u * s0 + n * t0, u * s1 + n * t0, u * s1 + n * t1, u * s0 + n * t1))
    return shapely.polygons(pts)
