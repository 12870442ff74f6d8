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
from shapely.geometry.base import BaseGeometry

from ..plan.model import Path, Region
from .layers import category_of_name
from .model import Opening, WallPiece

__all__ = ["Instance", "Placements", "WallIndex", "group_instances", "opening_placements", "openings_from",
           "MIN_OPENING", "MAX_OPENING"]

MIN_OPENING = 0.3
MAX_OPENING = 6.0
_SEARCH = 0.3
_TOUCH = 0.02
#: Door parts this close are one door (the offset panels of a sliding door).
_DOOR_TOUCH = 0.06
#: Bare window symbols are parallel lines across the wall (frame, glass): merge those this close.
_PARALLEL_MERGE = 0.35
#: Thickest wall a cross-section may find (m); longer stretches lie along a crossing wall.
_MAX_BAND = 1.0


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
    geoms = shapely.box(*np.array(boxes).T)
    lines = [k for k, p in enumerate(prims) if isinstance(p, Path) and len(p.points) > 1]
    if lines:
        arrays = [prims[k].points for k in lines]
        geoms[lines] = shapely.linestrings(np.concatenate(arrays),
                                           indices=np.repeat(np.arange(len(arrays)), [len(a) for a in arrays]))
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="dwithin", distance=max(_TOUCH, parallel, _DOOR_TOUCH if kind == "door" else 0))
    if kind == "door":  # sliding-door panels (small closed shapes) a few cm apart are one door
        panel = np.array([isinstance(p, Path) and p.closed and len(p.points) <= 5 for p in prims], dtype=bool)
        near = shapely.distance(geoms[a], geoms[b]) <= _TOUCH
        a, b = a[near | (panel[a] & panel[b])], b[near | (panel[a] & panel[b])]
    if parallel > _TOUCH:
        dist = shapely.distance(geoms[a], geoms[b])
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
    out = list(clusters.values())
    return [part for inst in out for part in _split_swings(inst)] if kind == "door" else out


def _split_swings(inst: Instance) -> list[Instance]:
    """A cluster of door lines with several swings that are no double door (two doors whose
    symbols touch across a wall or at a corner) is one door per swing, each with the lines
    nearest its hinge."""
    arcs = [p for p in inst.paths if p.arc is not None and math.radians(60) <= p.arc.sweep <= math.radians(120)
            and p.arc.radius >= MIN_OPENING]
    if len(arcs) < 2:
        return [inst]
    hinge = np.array([(p.arc.cx, p.arc.cy) for p in arcs])
    radius = np.array([p.arc.radius for p in arcs])
    # a double door: two swings hinged a leaf-pair apart, their arcs meeting in the middle
    owner = list(range(len(arcs)))
    for i in range(len(arcs)):
        for j in range(i + 1, len(arcs)):
            gap = float(np.hypot(*(hinge[i] - hinge[j])))
            if abs(gap - radius[i] - radius[j]) <= 0.03 * (radius[i] + radius[j]) + 0.01 and owner[j] == j:
                owner[j] = owner[i]
    heads = sorted(set(owner))
    if len(heads) < 2:
        return [inst]
    parts = {h: Instance(inst.kind, inst.layer, inst.block, inst.axis) for h in heads}
    for a, o in zip(arcs, owner):
        parts[o].paths.append(a)
    taken = {id(a) for a in arcs}
    for p in inst.paths:
        if id(p) in taken:
            continue
        pts = p.points
        d = [min(float(np.min(np.hypot(*(pts - hinge[k]).T))) for k in range(len(arcs)) if owner[k] == h)
             for h in heads]
        parts[heads[int(np.argmin(d))]].paths.append(p)
    for r in inst.regions:
        c = r.exterior.mean(axis=0)
        d = [min(float(np.hypot(*(c - hinge[k]))) for k in range(len(arcs)) if owner[k] == h) for h in heads]
        parts[heads[int(np.argmin(d))]].regions.append(r)
    return list(parts.values())


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
        if arc is None or not (math.radians(10) <= arc.sweep <= math.radians(130)):
            continue
        c = np.array((arc.cx, arc.cy))
        ends = [np.array((math.cos(arc.start), math.sin(arc.start))),
                np.array((math.cos(arc.end), math.sin(arc.end)))]
        tips = [c + e * arc.radius for e in ends]
        straight = [q for q in inst.paths if q is not p and q.arc is None and len(q.points) >= 2]
        for q in straight:
            for a, b in ((q.points[0], q.points[-1]), (q.points[-1], q.points[0])):
                if np.hypot(*(a - c)) < 0.05 * arc.radius + 1e-6:
                    leaf = (b - a) / (np.hypot(*(b - a)) or 1.0)
                    # the closed leaf lies along the wall: the arc end farther from the open leaf
                    # (a quarter swing's closed end is square to it, a door ajar's a little off)
                    closed = min(ends, key=lambda e: float(np.dot(e, leaf)))
                    return closed, True
        for q in straight:  # a leaf drawn by hand from the open tip back to near the hinge
            for a, b in ((q.points[0], q.points[-1]), (q.points[-1], q.points[0])):
                for k, tip in enumerate(tips):
                    if np.hypot(*(a - tip)) < max(0.05 * arc.radius + 0.05, 0.15 * arc.radius) and \
                            np.hypot(*(b - c)) <= 0.75 * arc.radius:
                        return ends[1 - k], True
        if arc.sweep < math.radians(50):
            continue
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
    if best is not None and inst.kind != "window":
        # a symbol far longer than deep (sliding panels, a leaf drawn closed) lies along its wall
        pts = inst.points()
        along = np.ptp(pts @ best)
        across = np.ptp(pts @ np.array((-best[1], best[0])))
        return best, bool(along >= 4.0 * max(across, 1e-9))
    return best, inst.kind == "window"


@dataclass
class Placements:
    """Where openings go, as plain arrays (cheap to send back from a forked helper).

    Row ``j`` places instance ``index[j]`` of ``count`` instances: wall axis ``axis[j]``, span
    along it ``span[j]`` and band across it ``band[j]`` (both in that axis frame), ``hosted[j]``
    whether a wall was found around it.
    """

    count: int
    index: np.ndarray
    axis: np.ndarray
    span: np.ndarray
    band: np.ndarray
    hosted: np.ndarray

    @staticmethod
    def concat(parts: list["Placements"]) -> "Placements":
        """Placements of consecutive chunks of one instance list, as one."""
        offsets = np.cumsum([0] + [p.count for p in parts[:-1]])
        return Placements(sum(p.count for p in parts),
                          np.concatenate([p.index + o for p, o in zip(parts, offsets)]).astype(np.intp),
                          *(np.concatenate([getattr(p, f) for p in parts])
                            for f in ("axis", "span", "band", "hosted")))


def openings_from(insts: list[Instance], at: Placements) -> list[Opening | None]:
    """The :class:`Opening` of every placed instance (plugs built in one call)."""
    out: list[Opening | None] = [None] * len(insts)
    if not len(at.index):
        return out
    u, n = at.axis, np.column_stack((-at.axis[:, 1], at.axis[:, 0]))
    (s0, s1), (t0, t1) = at.span.T[:, :, None], at.band.T[:, :, None]
    plugs = shapely.polygons(np.stack((u * s0 + n * t0, u * s1 + n * t0, u * s1 + n * t1, u * s0 + n * t1), axis=1))
    for j, (k, plug) in enumerate(zip(at.index.tolist(), plugs)):
        inst = insts[k]
        a, b = at.span[j].tolist()
        out[k] = Opening(inst.kind, inst.layer, plug, b - a, u[j], bool(at.hosted[j]), inst.block,
                         tuple(at.band[j].tolist()), (a, b))
    return out


@dataclass
class WallIndex:
    """The wall pieces, indexed once per plan for every opening query: the pieces, their polygons,
    an STRtree over them (None without walls), and the convex quadrilaterals among them (most
    wall pieces: line pairs) as a counter-clockwise (n, 4, 2) array, NaN elsewhere, so
    cross-sections can clip those in numpy."""

    pieces: list[WallPiece]
    geoms: np.ndarray
    tree: shapely.STRtree | None
    quads: np.ndarray
    is_quad: np.ndarray

    @staticmethod
    def of(pieces: list[WallPiece]) -> "WallIndex":
        geoms = np.array([pc.polygon for pc in pieces], dtype=object)
        quads = np.full((len(geoms), 4, 2), np.nan)
        cand = np.zeros(len(geoms), dtype=bool)
        if len(geoms):
            cand = (shapely.get_type_id(geoms) == 3) & (shapely.get_num_coordinates(geoms) == 5) & \
                (shapely.get_num_interior_rings(geoms) == 0)
        if cand.any():
            v = shapely.get_coordinates(geoms[cand]).reshape(-1, 5, 2)[:, :4]
            e = np.roll(v, -1, axis=1) - v
            turn = e[:, :, 0] * np.roll(e[:, :, 1], -1, axis=1) - e[:, :, 1] * np.roll(e[:, :, 0], -1, axis=1)
            ccw, cw = np.all(turn > 0, axis=1), np.all(turn < 0, axis=1)
            v[cw] = v[cw][:, ::-1]
            ok = np.flatnonzero(cand)[ccw | cw]
            quads[ok] = v[ccw | cw]
            cand[:] = False
            cand[ok] = True
        return WallIndex(pieces, geoms, shapely.STRtree(geoms) if len(geoms) else None, quads, cand)

    def near(self, geom, distance: float) -> np.ndarray:
        """The wall polygons within ``distance`` of ``geom``."""
        if self.tree is None:
            return self.geoms[:0]
        return self.geoms[self.tree.query(geom, predicate="dwithin", distance=distance)]


def opening_placements(insts: list[Instance], walls: WallIndex) -> Placements:
    """Find each instance's host wall, axis, span and band.

    Why in bulk: a big plan holds tens of thousands of openings; every spatial query and every
    cross-section (wall × line intersection) of all of them goes to GEOS in one call, and only
    the small per-opening decisions stay in Python.
    """
    facts = []  # (index, points, hint, trusted)
    for k, inst in enumerate(insts):
        pts = inst.points()
        if len(pts) < 2:
            continue
        extent = float(np.max(pts.max(axis=0) - pts.min(axis=0)))
        if not (MIN_OPENING <= extent <= MAX_OPENING):
            continue
        hint, trusted = _hint_axis(inst)
        facts.append((k, pts, hint, trusted))
    if not facts:
        return Placements(len(insts), np.zeros(0, dtype=np.intp), np.zeros((0, 2)), np.zeros((0, 2)),
                          np.zeros((0, 2)), np.zeros(0, dtype=bool))
    counts = np.array([len(f[1]) for f in facts])
    hulls = shapely.convex_hull(shapely.multipoints(np.vstack([f[1] for f in facts]),
                                                    indices=np.repeat(np.arange(len(facts)), counts)))
    near = _near_pieces(walls.tree, hulls, _SEARCH)
    us = np.empty((len(facts), 2))
    spans = np.empty((len(facts), 4))  # s0, s1, t0, t1
    for j, (_, pts, hint, trusted) in enumerate(facts):
        u = _host_axis(hulls[j], hint, trusted, near[j], walls.pieces)
        u = np.array((1.0, 0.0)) if u is None else np.asarray(u, dtype=float)
        s, t = pts @ u, pts @ np.array((-u[1], u[0]))
        us[j] = u
        spans[j] = (s.min(), s.max(), t.min(), t.max())
    ns = np.column_stack((-us[:, 1], us[:, 0]))
    bands = _bands(walls, us, ns, spans)
    hosted = np.array([b is not None for b in bands], dtype=bool)
    s0s, s1s = spans[:, 0].copy(), spans[:, 1].copy()
    if hosted.any():
        h = np.flatnonzero(hosted)
        tm = np.array([0.5 * (bands[j][0] + bands[j][1]) for j in h])
        s0s[h], s1s[h] = _widen_to_gaps(walls, us[h], ns[h], s0s[h], s1s[h], tm)
    band_arr = np.empty((len(facts), 2))
    for j, (k, _, _, _) in enumerate(facts):
        band = bands[j]
        if band is None:
            t0, t1 = spans[j, 2], spans[j, 3]
            mid = 0.5 * (t0 + t1) if insts[k].kind == "window" else t0
            band = (mid - 0.05, mid + 0.05)
        band_arr[j] = band
    keep = s1s - s0s >= MIN_OPENING * 0.5
    index = np.array([f[0] for f in facts], dtype=np.intp)
    return Placements(len(insts), index[keep], us[keep], np.column_stack((s0s, s1s))[keep], band_arr[keep],
                      hosted[keep])


def _near_pieces(tree: shapely.STRtree | None, geoms: np.ndarray, distance: float) -> list[np.ndarray]:
    """Per geometry, the indices of wall pieces within ``distance`` (one bulk query)."""
    if tree is None:
        return [np.zeros(0, dtype=np.intp)] * len(geoms)
    gi, pi = tree.query(geoms, predicate="dwithin", distance=distance)
    order = np.argsort(gi, kind="stable")
    gi, pi = gi[order], pi[order]
    return np.split(pi, np.searchsorted(gi, np.arange(1, len(geoms))))


def _host_axis(hull: BaseGeometry, hint: np.ndarray | None, trusted: bool,
               near: np.ndarray, pieces: list[WallPiece]) -> np.ndarray | None:
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


def _clip_to_quads(quads: np.ndarray, a: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cyrus–Beck: the parameter range [t0, t1] of each segment a + t·d (0 ≤ t ≤ 1) inside its
    convex CCW quad, and whether it is a stretch (not empty, not a touching point)."""
    edge = np.roll(quads, -1, axis=1) - quads
    inward = np.stack((-edge[:, :, 1], edge[:, :, 0]), axis=2)
    num = np.einsum("kij,kij->ki", inward, a[:, None, :] - quads)
    den = np.einsum("kij,kj->ki", inward, d)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = -num / den
    t0 = np.max(np.where(den > 0, t, 0.0), axis=1, initial=0.0)
    t1 = np.min(np.where(den < 0, t, 1.0), axis=1, initial=1.0)
    outside = np.any((den == 0) & (num < 0), axis=1)
    return t0, t1, (t1 > t0) & ~outside


def _cross_sections(walls: WallIndex, a: np.ndarray, b: np.ndarray,
                    axes: np.ndarray) -> list[list[tuple[float, float]]]:
    """Per segment a[i]→b[i], the merged parameter intervals (projected on ``axes[i]``) inside walls.

    Walls may overlap; their intervals are merged in 1-D, which is much cheaper than intersecting
    with their union. Convex quads are clipped in numpy, other pieces by GEOS. Touching points
    cover nothing.
    """
    out: list[list[tuple[float, float]]] = [[] for _ in range(len(a))]
    if walls.tree is None or not len(a):
        return out
    lines = shapely.linestrings(np.stack((a, b), axis=1))
    li, wi = walls.tree.query(lines, predicate="intersects")
    if not len(li):
        return out
    quad = walls.is_quad[wi]
    qa, qd = a[li[quad]], b[li[quad]] - a[li[quad]]
    t0, t1, inside = _clip_to_quads(walls.quads[wi[quad]], qa, qd)
    ax = axes[li[quad]]
    v0 = np.einsum("ij,ij->i", qa + t0[:, None] * qd, ax)
    v1 = np.einsum("ij,ij->i", qa + t1[:, None] * qd, ax)
    los, his, owners = [np.minimum(v0, v1)[inside]], [np.maximum(v0, v1)[inside]], [li[quad][inside]]
    rest_l, rest_w = li[~quad], wi[~quad]
    if len(rest_l):
        parts, owner = shapely.get_parts(shapely.intersection(walls.geoms[rest_w], lines[rest_l]), return_index=True)
        keep = (shapely.get_type_id(parts) == 1) & ~shapely.is_empty(parts)
        parts, line_of = parts[keep], rest_l[owner[keep]]
        if len(parts):
            coords, cidx = shapely.get_coordinates(parts, return_index=True)
            v = np.einsum("ij,ij->i", coords, axes[line_of[cidx]])
            starts = np.flatnonzero(np.r_[True, cidx[1:] != cidx[:-1]])
            los.append(np.minimum.reduceat(v, starts))
            his.append(np.maximum.reduceat(v, starts))
            owners.append(line_of[cidx[starts]])
    lo, hi, part_line = np.concatenate(los), np.concatenate(his), np.concatenate(owners)
    order = np.lexsort((lo, part_line))
    for line, x, y in zip(part_line[order].tolist(), lo[order].tolist(), hi[order].tolist()):
        merged = out[line]
        if merged and x <= merged[-1][1] + 1e-6:
            merged[-1] = (merged[-1][0], max(merged[-1][1], y))
        else:
            merged.append((x, y))
    return out


def _bands(walls: WallIndex, us: np.ndarray, ns: np.ndarray,
           spans: np.ndarray) -> list[tuple[float, float] | None]:
    """The wall's extent across each opening (t range), from cross-sections beside the symbol
    (just outside both ends), else through its middle; None where no wall is near."""
    m = len(us)
    bands: list[tuple[float, float] | None] = [None] * m
    s0, s1, t0, t1 = spans.T
    todo = np.arange(m)
    for offsets in (((s0 - 0.05), (s1 + 0.05)), (0.5 * (s0 + s1),)):
        if not len(todo):
            break
        k = len(offsets)
        rows = np.tile(todo, k)
        s = np.concatenate([o[todo] for o in offsets])
        a = us[rows] * s[:, None] + ns[rows] * (t0[rows] - 1.0)[:, None]
        b = us[rows] * s[:, None] + ns[rows] * (t1[rows] + 1.0)[:, None]
        ivs = _cross_sections(walls, a, b, ns[rows])
        chosen: dict[int, list[tuple[float, float]]] = {}
        for row, found in zip(rows.tolist(), ivs):
            # a stretch longer than any wall is thick runs along a crossing wall, not through this one
            found = [(x, y) for x, y in found if 0.01 < y - x <= _MAX_BAND]
            if not found:
                continue
            gap = [max(0.0, x - t1[row], t0[row] - y) for x, y in found]
            g = int(np.argmin(gap))
            if gap[g] <= 0.25:
                chosen.setdefault(row, []).append(found[g])
        for row, ivs_row in chosen.items():
            # Beside a symbol at a corner one cross-section runs inside the crossing wall: where
            # one side's stretch is much longer than the other's, the shorter one is the wall.
            short = min(y - x for x, y in ivs_row)
            ivs_row = [(x, y) for x, y in ivs_row if y - x <= 1.5 * short + 0.01]
            bands[row] = (min(x for x, _ in ivs_row), max(y for _, y in ivs_row))
        todo = np.array([j for j in todo.tolist() if j not in chosen], dtype=np.intp)
    return bands


def _widen_to_gaps(walls: WallIndex, us: np.ndarray, ns: np.ndarray,
                   s0: np.ndarray, s1: np.ndarray, tm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Extend each span to the wall ends on either side, so the plug closes the gap exactly."""
    reach = 0.5
    a = us * (s0 - reach)[:, None] + ns * tm[:, None]
    b = us * (s1 + reach)[:, None] + ns * tm[:, None]
    s0, s1 = s0.copy(), s1.copy()
    for j, covered in enumerate(_cross_sections(walls, a, b, us)):
        left = [y for x, y in covered if s0[j] - reach <= y <= s0[j] + 0.15]
        right = [x for x, y in covered if s1[j] - 0.15 <= x <= s1[j] + reach]
        if left:
            s0[j] = max(left)
        if right:
            s1[j] = min(right)
    return s0, s1
