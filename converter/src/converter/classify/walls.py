"""Walls from a plan: parallel line pairs, wall polygons/hatches, and wide polylines.

Why these three: they are how walls are drawn in practice. Two parallel lines 5–80 cm apart
are the faces of one wall (the most common case); a closed outline or a hatch on a wall layer
is the footprint itself; a polyline with a constant width is a wall drawn by its centre line.
Pair search is vectorised (STRtree + numpy), so 100k wall lines stay in seconds.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import shapely
from shapely.geometry import Polygon

from ..options import Options
from ..plan.model import Path, Region
from .model import WallPiece

__all__ = ["segments_of", "segment_distance", "pair_segments", "wall_pieces", "polygon_thickness", "unpaired_paths", "Veto"]

#: ``veto(i, j, dist)`` → mask of candidate pairs to drop (callers add their own doubts).
Veto = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]

_PARALLEL_SIN = np.sin(np.radians(3.0))


def segments_of(paths: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    """All straight segments of ``paths`` as an (n, 4) array, and the index of each path.

    One concatenation of every path's points; segments that would join two paths are masked out.
    """
    arrays = [np.vstack((p.points, p.points[:1])) if p.closed and len(p.points) else p.points for p in paths]
    if not arrays:
        return np.zeros((0, 4)), np.zeros(0, dtype=np.intp)
    counts = np.fromiter(map(len, arrays), dtype=np.intp, count=len(arrays))
    pts = np.concatenate(arrays).reshape(-1, 2)
    if len(pts) < 2:
        return np.zeros((0, 4)), np.zeros(0, dtype=np.intp)
    inside = np.ones(len(pts) - 1, dtype=bool)
    ends = np.cumsum(counts) - 1
    inside[ends[(ends >= 0) & (ends < len(inside))]] = False
    segs = np.hstack((pts[:-1][inside], pts[1:][inside]))
    owners = np.repeat(np.arange(len(paths), dtype=np.intp), np.maximum(counts - 1, 0))
    return segs, owners


def polygon_thickness(poly: Polygon) -> float:
    """Mean thickness of a thin shape: twice the area over the perimeter."""
    return 2.0 * poly.area / poly.length if poly.length > 0 else 0.0


def segment_distance(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Row-wise distance between segments p[k] and q[k] ((n, 4) arrays x0, y0, x1, y1)."""
    a0, a1, b0, b1 = p[:, :2], p[:, 2:], q[:, :2], q[:, 2:]

    def point_to_segment(x: np.ndarray, s0: np.ndarray, s1: np.ndarray) -> np.ndarray:
        d = s1 - s0
        dd = np.einsum("ij,ij->i", d, d)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(dd > 0, np.einsum("ij,ij->i", x - s0, d) / dd, 0.0)
        c = s0 + np.clip(t, 0.0, 1.0)[:, None] * d
        return np.hypot(*(x - c).T)

    def side(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.sign((a[:, 0] - o[:, 0]) * (b[:, 1] - o[:, 1]) - (a[:, 1] - o[:, 1]) * (b[:, 0] - o[:, 0]))

    crossing = (side(a0, a1, b0) * side(a0, a1, b1) < 0) & (side(b0, b1, a0) * side(b0, b1, a1) < 0)
    d = np.minimum.reduce([point_to_segment(a0, b0, b1), point_to_segment(a1, b0, b1),
                           point_to_segment(b0, a0, a1), point_to_segment(b1, a0, a1)])
    return np.where(crossing, 0.0, d)


def pair_segments(segs: np.ndarray, tmin: float, tmax: float, veto: Veto | None = None
                  ) -> tuple[list[Polygon], np.ndarray, np.ndarray, np.ndarray]:
    """Pair parallel segments tmin..tmax apart into wall quads.

    A pair must overlap along its axis by at least its distance apart, so the two jambs of a
    door or the two end caps of a wall never pair up into a false wall. ``veto`` lets the
    geometric finder drop candidates it distrusts (hatch stacks, furniture) before the choice.

    Returns:
        (quads, axes, used, chooser) — quad polygons, their unit axis vectors, a mask of the
        segments that took part in a pair, and for each quad the index of one of its segments.
    """
    n = len(segs)
    used = np.zeros(n, dtype=bool)
    if n < 2:
        return [], np.zeros((0, 2)), used, np.zeros(0, dtype=int)
    d = segs[:, 2:] - segs[:, :2]
    length = np.hypot(d[:, 0], d[:, 1])
    ok = length > tmin
    u = np.zeros_like(d)
    u[ok] = d[ok] / length[ok, None]
    # Candidates: boxes within tmax (one bulk query), then parallel, then truly within tmax. Only
    # segments longer than tmin can pair (overlap ≥ distance ≥ tmin): the dense vertices of curves
    # and traced outlines never enter the query, which would otherwise pair each with thousands.
    cand = np.flatnonzero(ok)
    lo, hi = np.minimum(segs[cand, :2], segs[cand, 2:]), np.maximum(segs[cand, :2], segs[cand, 2:])
    tree = shapely.STRtree(shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1]))
    i, j = tree.query(shapely.box(lo[:, 0] - tmax, lo[:, 1] - tmax, hi[:, 0] + tmax, hi[:, 1] + tmax))
    i, j = cand[i], cand[j]
    keep = i != j
    i, j = i[keep], j[keep]
    cross = np.abs(u[i, 0] * u[j, 1] - u[i, 1] * u[j, 0])
    keep = cross < _PARALLEL_SIN
    i, j = i[keep], j[keep]
    keep = segment_distance(segs[i], segs[j]) <= tmax
    i, j = i[keep], j[keep]
    # Axis from the longer segment of each candidate pair.
    base = np.where(length[i] >= length[j], i, j)
    other = np.where(base == i, j, i)
    ub = u[base]
    nb = np.stack((-ub[:, 1], ub[:, 0]), axis=1)
    o = segs[base, :2]
    mid = 0.5 * (segs[other, :2] + segs[other, 2:])
    off = np.einsum("ij,ij->i", mid - o, nb)
    dist = np.abs(off)
    a0 = np.zeros(len(base))
    a1 = length[base]
    b0 = np.einsum("ij,ij->i", segs[other, :2] - o, ub)
    b1 = np.einsum("ij,ij->i", segs[other, 2:] - o, ub)
    b0, b1 = np.minimum(b0, b1), np.maximum(b0, b1)
    overlap = np.minimum(a1, b1) - np.maximum(a0, b0)
    shorter = np.minimum(length[base], length[other])
    keep = (dist >= tmin) & (dist <= tmax) & (overlap > 0) & (overlap >= dist * 0.99)
    idx = np.nonzero(keep)[0]
    if veto is not None and len(idx):
        idx = idx[~veto(i[idx], j[idx], dist[idx])]
    if len(idx) == 0:
        return [], np.zeros((0, 2)), used, np.zeros(0, dtype=int)
    # Each segment keeps its nearest partner (non-mutual union of choices).
    order = np.lexsort((dist[idx], i[idx]))
    idx = idx[order]
    first = np.ones(len(idx), dtype=bool)
    first[1:] = i[idx][1:] != i[idx][:-1]
    idx = idx[first]
    # Deduplicate symmetric choices.
    key = np.stack((np.minimum(i[idx], j[idx]), np.maximum(i[idx], j[idx])), axis=1)
    _, uniq = np.unique(key, axis=0, return_index=True)
    idx = idx[uniq]
    used[i[idx]] = True
    used[j[idx]] = True
    full = overlap[idx] >= 0.5 * shorter[idx]
    s0 = np.where(full, np.minimum(a0[idx], b0[idx]), np.maximum(a0[idx], b0[idx]))
    s1 = np.where(full, np.maximum(a1[idx], b1[idx]), np.minimum(a1[idx], b1[idx]))
    oo, uu, nn, ff = o[idx], ub[idx], nb[idx], off[idx]
    p0 = oo + uu * s0[:, None]
    p1 = oo + uu * s1[:, None]
    p2 = p1 + nn * ff[:, None]
    p3 = p0 + nn * ff[:, None]
    rings = np.stack((p0, p1, p2, p3), axis=1)
    quads = list(shapely.polygons(rings))
    return quads, uu, used, i[idx]


#: Largest closed outline (m²) on a layer of room outlines that is still a wall (a column, a duct).
_MAX_COLUMN_AREA = 1.0


def wall_pieces(paths: list[Path], regions: list[Region], opts: Options) -> tuple[list[WallPiece], list[Path]]:
    """Wall footprints from wall-category primitives.

    Returns:
        (pieces, leftovers) — leftovers are the paths that became no wall (drawn as lines).
    """
    pieces: list[WallPiece] = []
    for r in regions:
        poly = _polygon(r.exterior, r.holes)
        if poly is not None:
            pieces.append(WallPiece(poly, r.layer, "hatch"))
    line_paths: list[Path] = []
    closed_by_layer: dict[str, list[Path]] = {}
    for p in paths:
        if p.width >= opts.minWallThickness and len(p.points) >= 2:
            geom = shapely.buffer(shapely.linestrings(
                np.vstack((p.points, p.points[:1])) if p.closed else p.points),
                p.width / 2, cap_style="flat", join_style="mitre")
            if not geom.is_empty:
                axis = _main_axis(p.points)
                pieces.append(WallPiece(geom, p.layer, "polyline-width", axis))
                continue
        if p.closed and len(p.points) >= 3:
            closed_by_layer.setdefault(p.layer, []).append(p)
        else:
            line_paths.append(p)
    # Closed outlines: even-odd per layer, kept when the result is wall-thin.
    for layer, group in closed_by_layer.items():
        polys = [_polygon(p.points, []) for p in group]
        geom = None
        for poly in polys:
            if poly is None:
                continue
            geom = poly if geom is None else geom.symmetric_difference(poly)
        thin, thick = [], 0.0
        if geom is not None and not geom.is_empty:
            for part in getattr(geom, "geoms", [geom]):
                if not isinstance(part, Polygon) or part.area <= 1e-6:
                    continue
                if polygon_thickness(part) <= opts.maxWallThickness:
                    thin.append(part)
                else:
                    thick += part.area
        if thin and thick > sum(t.area for t in thin):
            # Mostly room-sized shapes: this layer outlines the rooms' insides, and its thin
            # shapes are narrow rooms (a passage, a shower); only column-sized ones are walls.
            small = [t for t in thin if t.area <= _MAX_COLUMN_AREA]
            if len(small) < len(thin):
                thin = small
                if not thin:
                    line_paths.extend(group)
                    continue
        if thin:
            for part in thin:
                pieces.append(WallPiece(part, layer, "outline", _rect_axis(part)))
        else:
            line_paths.extend(group)
    segs, owners = segments_of(line_paths)
    quads, axes, used, chooser = pair_segments(segs, opts.minWallThickness, opts.maxWallThickness)
    for q, a, k in zip(quads, axes, chooser):
        pieces.append(WallPiece(q, line_paths[owners[k]].layer, "pair", a))
    leftovers = unpaired_paths(line_paths, segs, owners, used)
    return pieces, leftovers


def unpaired_paths(paths: list[Path], segs: np.ndarray, owners: np.ndarray, used: np.ndarray) -> list[Path]:
    """The paths (or single segments of partly paired paths) that took part in no pair."""
    used_paths = set(np.asarray(owners)[used].tolist()) if len(owners) else set()
    leftovers = [p for k, p in enumerate(paths) if k not in used_paths]
    owner_list = np.asarray(owners).tolist()
    for k in np.nonzero(~used)[0].tolist():
        if owner_list[k] in used_paths:
            leftovers.append(Path(segs[k].reshape(2, 2), paths[owner_list[k]].layer))
    return leftovers


def _polygon(exterior: np.ndarray, holes: list[np.ndarray]) -> Polygon | None:
    if len(exterior) < 3:
        return None
    poly = Polygon(exterior, [h for h in holes if len(h) >= 3])
    if not poly.is_valid:
        # "structure": rings bound areas even-odd, so a hole whose ring touches itself stays a
        # hole (the default "linework" fills it: a room becomes wall)
        polys = [g for g in shapely.get_parts(shapely.get_parts(
                 shapely.make_valid(poly, method="structure", keep_collapsed=False)))
                 if isinstance(g, Polygon) and not g.is_empty]
        if not polys:
            return None
        poly = shapely.unary_union(polys)
    return None if poly.is_empty or poly.area <= 1e-9 else poly


def _main_axis(points: np.ndarray) -> np.ndarray | None:
    d = np.diff(points, axis=0)
    if len(d) == 0:
        return None
    k = int(np.argmax(np.hypot(d[:, 0], d[:, 1])))
    n = np.hypot(*d[k])
    return d[k] / n if n > 0 else None


def _rect_axis(poly: Polygon) -> np.ndarray | None:
    rect = poly.minimum_rotated_rectangle
    if not isinstance(rect, Polygon):
        return None
    c = np.array(rect.exterior.coords)
    e1, e2 = c[1] - c[0], c[2] - c[1]
    e = e1 if np.hypot(*e1) >= np.hypot(*e2) else e2
    n = np.hypot(*e)
    return e / n if n > 0 else None
