"""Walls and doors by geometry, for layers whose names say nothing ("0", "Layer1", …).

Why: many drawings keep everything on one unnamed layer; names alone turn them into lines only.
Walls are found with the same pair search as wall layers (:func:`pair_segments`), but only where
pairs are the *dominant pattern* of a layer, and with vetoes against what also draws parallel
lines a wall apart: equally spaced stacks (hatch patterns, stair treads, fine grids) and thin
closed shapes of furniture size (shelves, tables). Doors are quarter-circle swing arcs of door
radius hinged on or near a wall, with their leaf line when there is one; they become the same
:class:`Instance` a door block gives, so openings are placed exactly as for named doors.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon

from ..options import Options
from ..plan.model import Path
from .model import WallPiece
from .openings import Instance
from .union import components
from .walls import pair_segments, segments_of, unpaired_paths

__all__ = ["GeometryRules", "GEOMETRY_RULES", "walls_by_geometry", "door_swings", "says_not_wall", "dashes"]


@dataclass(frozen=True)
class GeometryRules:
    """Thresholds of the geometric finder (metres, after normalising)."""

    #: fewest wall pairs on a layer before it counts as walls
    min_pairs: int = 4
    #: least total wall length (axis) on a layer, counting pairs at least ``min_piece`` long
    min_length: float = 8.0
    min_piece: float = 0.5
    #: most walls of a plan are thinner than this (median); thick "pairs" are arrows, furniture rows
    max_median_thickness: float = 0.45
    #: least share of the layer's straight line length that must take part in pairs
    min_share: float = 0.25
    #: a closed shape smaller than this (largest extent) pairing with itself is furniture
    furniture_extent: float = 3.0
    #: neighbours on both sides this close in relative spacing make a stack (hatch, treads, grid)
    stack_tolerance: float = 0.1
    #: swing arc: sweep range (degrees), radius range, hinge distance to a wall
    swing_sweep: tuple[float, float] = (75.0, 105.0)
    swing_radius: tuple[float, float] = (0.6, 1.2)
    #: a door drawn ajar (leaf open 12–75°), or narrower than a swing alone may be, counts only
    #: together with its leaf line
    ajar_sweep: float = 12.0
    leaf_radius: float = 0.3
    hinge_to_wall: float = 0.3


GEOMETRY_RULES = GeometryRules()
#: Least length / thickness of a closed outline taken as a wall piece on a wall-pair layer.
_OUTLINE_ELONGATION = 3.0

#: Layer name tokens that say "no walls here" although no category rule knows them.
_NOT_WALL = frozenset({
    "furniture", "furn", "furnishing", "moebel", "möbel", "mobel", "mobilier", "muebles", "eqpm", "equipment",
    "equip", "appl", "appliance", "appliances", "case", "casework", "pfix", "fixture", "fixtures", "plumbing",
    "plmb", "sanitary", "sanitär", "hvac", "mech", "elec", "electrical", "lighting", "lite", "site",
    "landscape", "land", "tree", "trees", "plant", "plants", "planting", "hatch", "patt", "pattern",
    "border", "frame", "viewport", "vport", "people", "car", "cars", "parking", "xref",
})
_TOKEN = re.compile(r"[a-z0-9äöüß]+")


#: Block name tokens of furnishing (besides :data:`_NOT_WALL`).
_FURNITURE_BLOCKS = _NOT_WALL | frozenset({
    "table", "desk", "chair", "sofa", "couch", "bed", "shelf", "shelves", "cabinet", "wardrobe", "counter",
    "tisch", "stuhl", "bett", "regal", "schrank", "sink", "bath", "bathtub", "wc", "toilet", "fridge", "stove",
})


def says_not_wall(layer: str, words: frozenset[str] = _NOT_WALL) -> bool:
    """The layer's (or block's) name names something else (furniture, fixtures, site …)."""
    return bool(set(_TOKEN.findall(layer.lower())) & words)


#: Path kinds that are tessellated curves, never wall faces.
_CURVES = frozenset({"ARC", "CIRCLE", "ELLIPSE", "SPLINE", "HELIX"})


#: Cells per grid row in the hinge hash join (a plan spans well under 10^6 cells of 0.25 m a side).
_ROW = 4_000_003
#: A leaf drawn as a rectangle is at most this thick (m).
_LEAF_THICKNESS = 0.1


def door_leaves(paths: list[Path]) -> set[int]:
    """ids of the paths that are door leaves: a straight line or a thin rectangle about one
    radius long from the centre (hinge) of a swing arc among ``paths`` towards one of the arc's
    ends (a wall stub on the far side of the hinge points away from both).

    Why in bulk: a big plan has a hundred thousand wall lines and ten thousand door arcs; one
    hash join on a grid pairs them, and only the lines starting at a hinge are looked at closely.
    """
    swings = [p for p in paths if p.arc is not None and math.radians(12) <= p.arc.sweep <= math.radians(105)
              and 0.3 <= p.arc.radius <= 1.6]
    if not swings:
        return set()
    cands = [p for p in paths if p.arc is None and 2 <= len(p.points) <= 5 and p.kind not in _CURVES
             and p.kind != "MLINE" and p.width <= 0]
    if not cands:
        return set()
    counts = np.fromiter((len(p.points) for p in cands), dtype=np.intp, count=len(cands))
    pts_all = np.concatenate([p.points for p in cands])
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    lo, hi = np.minimum.reduceat(pts_all, starts, axis=0), np.maximum.reduceat(pts_all, starts, axis=0)
    span = np.max(hi - lo, axis=1)
    keep = np.flatnonzero((span >= 0.25) & (span <= 1.8))
    if not len(keep):
        return set()
    hinge = np.array([(p.arc.cx, p.arc.cy) for p in swings])
    radius = np.array([p.arc.radius for p in swings])
    tips = np.array([(p.points[0], p.points[-1]) for p in swings])  # (n, 2, 2)
    # Pair points with hinges through a grid of cells (a hash join): no geometry objects made.
    cell = 0.25
    origin = np.minimum(hinge.min(axis=0), pts_all.min(axis=0)) - 1.0

    def key(xy: np.ndarray) -> np.ndarray:
        ij = np.floor((xy - origin) / cell).astype(np.int64)
        return ij[:, 0] * _ROW + ij[:, 1]
    hk = key(hinge)
    # each hinge listed under its own cell and the 8 around it, sorted by cell
    cells9 = np.concatenate([hk + dx * _ROW + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1)])
    hinge9 = np.tile(np.arange(len(hinge)), 9)
    order = np.argsort(cells9, kind="stable")
    cells9, hinge9 = cells9[order], hinge9[order]
    owner = np.repeat(np.arange(len(cands)), counts)
    kept = np.zeros(len(cands), dtype=bool)
    kept[keep] = True
    q = np.flatnonzero(kept[owner])
    pk = key(pts_all[q])
    lo, hi = np.searchsorted(cells9, pk, "left"), np.searchsorted(cells9, pk, "right")
    n = hi - lo
    if not n.sum():
        return set()
    rep = np.repeat(np.arange(len(q)), n)
    pos = lo[rep] + np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    pair = np.unique(owner[q][rep].astype(np.int64) * len(hinge) + hinge9[pos])
    ci, hi_k = (pair // len(hinge)).astype(np.intp), (pair % len(hinge)).astype(np.intp)
    closed = np.fromiter((cands[c].closed for c in ci.tolist()), dtype=bool, count=len(ci))
    line = (counts[ci] == 2) & ~closed
    out: set[int] = set()
    # Straight lines, all pairs at once: from the hinge, about one radius long, towards an arc end.
    li, lk = ci[line], hi_k[line]
    if len(li):
        a, b = pts_all[starts[li]], pts_all[starts[li] + 1]
        h, r = hinge[lk], radius[lk]
        da, db = np.hypot(*(a - h).T), np.hypot(*(b - h).T)
        length = np.hypot(*(b - a).T)
        far = np.where((da <= db)[:, None], b, a) - h
        far /= np.maximum(np.hypot(far[:, 0], far[:, 1]), 1e-9)[:, None]
        ends = tips[lk] - h[:, None, :]
        ends /= np.maximum(np.hypot(ends[..., 0], ends[..., 1]), 1e-9)[..., None]
        towards = np.max(np.einsum("nij,nj->ni", ends, far), axis=1) >= 0.95
        ok = (np.minimum(da, db) <= 0.05 * r + 0.05) & (length >= 0.8 * r) & (length <= 1.2 * r) & towards
        out.update(id(cands[c]) for c in li[ok].tolist())
    # Rectangles (few): their long side from the hinge
    for c, k in zip(ci[~line].tolist(), hi_k[~line].tolist()):
        p = cands[c]
        if id(p) in out:
            continue
        pts, r = p.points, radius[k]
        d = np.hypot(*(pts - hinge[k]).T)
        if d.min() > 0.05 * r + 0.05:
            continue
        rect = shapely.minimum_rotated_rectangle(shapely.multipoints(pts))
        xy = shapely.get_coordinates(rect)
        sides = np.hypot(*np.diff(xy[:3], axis=0).T) if len(xy) >= 3 else np.zeros(2)
        if not (float(sides.min()) <= _LEAF_THICKNESS and 0.8 * r <= float(sides.max()) <= 1.2 * r):
            continue
        far = pts[int(np.argmax(d))] - hinge[k]
        far = far / (np.hypot(*far) or 1.0)
        ends = tips[k] - hinge[k]
        ends = ends / np.maximum(np.hypot(ends[:, 0], ends[:, 1]), 1e-9)[:, None]
        if float(np.max(ends @ far)) >= 0.95:  # along the open (or closed) leaf's radius
            out.add(id(p))
    return out


def walls_by_geometry(paths: list[Path], opts: Options, rules: GeometryRules = GEOMETRY_RULES
                      ) -> tuple[list[WallPiece], list[Path]]:
    """Wall pieces from parallel line pairs on each layer where they dominate.

    Args:
        paths: primitives of layers that no name or mapping classified.

    Returns:
        (pieces, rest) — ``rest`` holds every path that became no wall, kept as lines.
    """
    # a door leaf drawn as a thin rectangle pairs like a wall; dashes are what is above or hidden
    leaves = door_leaves(paths) | dashes(paths)
    by_layer: dict[str, list[Path]] = {}
    for p in paths:
        if id(p) not in leaves:
            by_layer.setdefault(p.layer, []).append(p)
    pieces: list[WallPiece] = []
    rest: list[Path] = [p for p in paths if id(p) in leaves]
    for layer, group in by_layer.items():
        if says_not_wall(layer):
            rest.extend(group)
            continue
        furniture = [p for p in group if p.block and says_not_wall(p.block, _FURNITURE_BLOCKS)]
        if furniture:  # tables, desks, beds placed as blocks: their parallel edges are no walls
            rest.extend(furniture)
            group = [p for p in group if not (p.block and says_not_wall(p.block, _FURNITURE_BLOCKS))]
        found, left = _layer_walls(layer, group, opts, rules)
        pieces.extend(found)
        rest.extend(left)
    return pieces, rest


#: A dash: a straight stroke this long at most, m; the gaps of a dashed line, m.
_DASH = 0.6
_DASH_GAP = (0.01, 0.5)
#: Dashes in one line that make it a dashed line.
_MIN_DASHES = 4


def dashes(paths: list[Path]) -> set[int]:
    """Ids of the strokes of dashed lines: short straight strokes, one after another on one line with
    gaps between. Why: a dashed line is what lies above the cut or hidden (beams, upper cabinets,
    a roof edge, a demolished wall), never a wall of the plan; PDFs from CAD draw every dash as a
    stroke of its own, which pairs with the dashes of the line beside it into rows of wall stubs."""
    cand = [p for p in paths if p.arc is None and len(p.points) == 2 and not p.closed]
    if len(cand) < _MIN_DASHES:
        return set()
    seg = np.array([p.points.ravel() for p in cand])
    d = seg[:, 2:] - seg[:, :2]
    length = np.hypot(d[:, 0], d[:, 1])
    short = np.flatnonzero((length > 1e-3) & (length <= _DASH))
    if len(short) < _MIN_DASHES:
        return set()
    seg, d, length = seg[short], d[short], length[short]
    u = d / length[:, None]
    geoms = shapely.linestrings(seg.reshape(-1, 2, 2))
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms, predicate="dwithin", distance=_DASH_GAP[1])
    keep = i < j
    i, j = i[keep], j[keep]
    gap = shapely.distance(geoms[i], geoms[j])
    mid_j = 0.5 * (seg[j, :2] + seg[j, 2:])
    off = np.abs((mid_j[:, 0] - seg[i, 0]) * u[i, 1] - (mid_j[:, 1] - seg[i, 1]) * u[i, 0])
    ok = (gap >= _DASH_GAP[0]) & (np.abs(u[i, 0] * u[j, 1] - u[i, 1] * u[j, 0]) < 0.02) & (off < 0.01)
    label = components(len(seg), i[ok], j[ok])
    size = np.bincount(label)
    return {id(cand[short[k]]) for k in np.flatnonzero(size[label] >= _MIN_DASHES)}


def _layer_walls(layer: str, paths: list[Path], opts: Options, rules: GeometryRules
                 ) -> tuple[list[WallPiece], list[Path]]:
    straight = [p for p in paths if p.arc is None and p.kind not in _CURVES and len(p.points) >= 2]
    curves = [p for p in paths if not (p.arc is None and p.kind not in _CURVES and len(p.points) >= 2)]
    segs, owners = segments_of(straight)
    if len(segs) < 2 * rules.min_pairs:
        return [], paths
    own = np.asarray(owners)
    veto = _veto(segs, own, straight, rules, _rounded(segs, curves))
    quads, axes, used, chooser = pair_segments(segs, opts.minWallThickness, opts.maxWallThickness, veto)
    if not _dominant(segs, used, quads, rules):
        return [], paths
    pieces = [WallPiece(q, layer, "geometry", a) for q, a in zip(quads, axes)]
    # On a layer whose walls are pairs, short closed outlines that are thin and long are wall
    # pieces too (a wall between two openings drawn as its outline); the furniture veto kept them
    # from pairing with themselves. Those standing apart are dropped later (classify._connected).
    outline = np.zeros(len(straight), dtype=bool)
    for k, p in enumerate(straight):
        if not p.closed or len(p.points) < 4 or used[own == k].any():
            continue
        poly = Polygon(p.points)
        if not poly.is_valid or poly.area <= 1e-6:
            continue
        thick = 2.0 * poly.area / poly.length  # mean thickness of a thin shape (also L and T shapes)
        rect = poly.minimum_rotated_rectangle
        c = np.asarray(rect.exterior.coords)
        if thick <= rules.max_median_thickness and poly.length / 2 >= _OUTLINE_ELONGATION * thick:
            d = c[1] - c[0] if np.hypot(*(c[1] - c[0])) >= np.hypot(*(c[2] - c[1])) else c[2] - c[1]
            pieces.append(WallPiece(poly, layer, "geometry", d / np.hypot(*d)))
            outline[k] = True
    used = used | outline[own]
    return pieces, curves + unpaired_paths(straight, segs, owners, used)


def _dominant(segs: np.ndarray, used: np.ndarray, quads: list, rules: GeometryRules) -> bool:
    """Pairs are the layer's main pattern: enough of them, long enough, a fair share of its lines."""
    if len(quads) < rules.min_pairs:
        return False
    q = np.asarray(quads, dtype=object)
    half = shapely.length(q) / 2
    area = shapely.area(q)
    axis_len = (half + np.sqrt(np.maximum(half * half - 4 * area, 0.0))) / 2
    long = axis_len >= rules.min_piece
    if int(long.sum()) < rules.min_pairs or float(axis_len[long].sum()) < rules.min_length:
        return False
    thickness = area[long] / axis_len[long]
    if float(np.median(thickness)) > rules.max_median_thickness:
        return False
    length = np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1])
    total = float(length.sum())
    if total <= 0 or float(length[used].sum()) < rules.min_share * total:
        return False
    return True


def _veto(segs: np.ndarray, own: np.ndarray, paths: list[Path], rules: GeometryRules, rounded: np.ndarray):
    """Candidate pairs to drop: inside one small closed shape, with a line of a fixture's rounded
    outline, or part of an even stack."""
    closed = np.array([p.closed for p in paths], dtype=bool)
    extent = np.array([float(np.max(np.ptp(p.points, axis=0))) for p in paths])
    small = closed & (extent < rules.furniture_extent)

    def veto(i: np.ndarray, j: np.ndarray, dist: np.ndarray) -> np.ndarray:
        furniture = ((own[i] == own[j]) & small[own[i]]) | rounded[i] | rounded[j]
        return furniture | _stacked(segs, i, j, dist, rules.stack_tolerance)

    return veto


#: Corner arcs this small round a fixture's outline (washbasin, sink, tub, WC), never a wall's.
_CORNER_RADIUS = 0.15


def _rounded(segs: np.ndarray, curves: list[Path]) -> np.ndarray:
    """Per segment: both its ends run into small arcs (a washbasin's straight edges between its rounded
    corners). Why: drawn as loose lines and arcs, a basin's front and back edges lie a wall apart and
    pair into a wall stub that parts the bathroom."""
    ends = [p.points[[0, -1]] for p in curves if p.arc is not None and p.arc.radius <= _CORNER_RADIUS and len(p.points) >= 2]
    out = np.zeros(len(segs), dtype=bool)
    if not ends or not len(segs):
        return out
    tree = shapely.STRtree(shapely.points(np.concatenate(ends)))
    touch = []
    for end in (segs[:, :2], segs[:, 2:]):
        hit = np.zeros(len(segs), dtype=bool)
        hit[tree.query(shapely.points(end), predicate="dwithin", distance=0.01)[0]] = True
        touch.append(hit)
    return touch[0] & touch[1]


def _stacked(segs: np.ndarray, i: np.ndarray, j: np.ndarray, dist: np.ndarray, tol: float) -> np.ndarray:
    """Candidates touching a stack of ≥ 4 evenly spaced parallels (hatch lines, stair treads, grids).

    A segment is a *middle* when its nearest parallels on both sides are equally far; two
    neighbouring middles make a stack. Three lines (a wall with its centre line) are no stack.
    """
    n = len(segs)
    d = segs[:, 2:] - segs[:, :2]
    ln = np.hypot(d[:, 0], d[:, 1])
    u = d / np.where(ln > 0, ln, 1.0)[:, None]
    normal = np.stack((-u[:, 1], u[:, 0]), axis=1)
    mid_j = 0.5 * (segs[j, :2] + segs[j, 2:])
    side = np.einsum("ij,ij->i", mid_j - segs[i, :2], normal[i]) > 0
    near = np.full((2, n), -1)
    gap = np.full((2, n), np.inf)
    for s, mask in ((0, side), (1, ~side)):
        ii, jj, dd = i[mask], j[mask], dist[mask]
        order = np.lexsort((dd, ii))
        ii, jj, dd = ii[order], jj[order], dd[order]
        first = np.ones(len(ii), dtype=bool)
        first[1:] = ii[1:] != ii[:-1]
        near[s, ii[first]] = jj[first]
        gap[s, ii[first]] = dd[first]
    both = np.isfinite(gap).all(axis=0)
    middle = np.zeros(n, dtype=bool)
    middle[both] = np.abs(gap[0, both] - gap[1, both]) <= tol * np.maximum(gap[0, both], gap[1, both])
    nb_middle = np.zeros(n, dtype=bool)
    for s in (0, 1):
        has = near[s] >= 0
        nb_middle[has] |= middle[near[s, has]]
    stack = middle & nb_middle
    marked = stack.copy()
    for s in (0, 1):
        k = near[s, stack]
        marked[k[k >= 0]] = True
    return marked[i] | marked[j]


def door_swings(paths: list[Path], near_wall, rules: GeometryRules = GEOMETRY_RULES
                ) -> tuple[list[Instance], list[Path]]:
    """Door instances from swing arcs (with their leaf line) hinged on or near a wall.

    Args:
        paths: primitives of unclassified layers.
        near_wall: ``near_wall(x, y, distance) -> bool`` — is a wall piece that close.

    Returns:
        (doors, rest) — ``rest`` holds the paths no door took.
    """
    lo_sweep, hi_sweep = (math.radians(a) for a in rules.swing_sweep)
    ajar = math.radians(rules.ajar_sweep)
    r_lo, r_hi = rules.swing_radius
    arcs = [p for p in paths if p.arc is not None and ajar <= p.arc.sweep <= hi_sweep
            and rules.leaf_radius <= p.arc.radius <= r_hi]
    if not arcs:
        return [], paths
    taken: set[int] = set()
    doors: list[Instance] = []
    lines = [p for p in paths if p.arc is None and p.kind not in _CURVES and len(p.points) >= 2]
    ends = np.array([(p.points[0][0], p.points[0][1], p.points[-1][0], p.points[-1][1]) for p in lines]) \
        if lines else np.zeros((0, 4))
    for arc_path in arcs:
        a = arc_path.arc
        if id(arc_path) in taken or not near_wall(a.cx, a.cy, rules.hinge_to_wall):
            continue
        leaf = _leaf(arc_path, lines, ends, taken)
        if leaf is None and (a.sweep < lo_sweep or a.radius < r_lo):
            continue  # a short or small arc alone is a curve of something else; with its leaf, a door
        inst = Instance("door", arc_path.layer, paths=[arc_path])
        taken.add(id(arc_path))
        if leaf is not None:
            inst.paths.append(leaf)
            taken.add(id(leaf))
        doors.append(inst)
    return _double_doors(doors), [p for p in paths if id(p) not in taken]


def _double_doors(doors: list[Instance]) -> list[Instance]:
    """Two swings whose arcs meet in the middle of one opening are one (double) door."""
    if len(doors) < 2:
        return doors
    arcs = [d.paths[0].arc for d in doors]
    hinge = np.array([(a.cx, a.cy) for a in arcs])
    radius = np.array([a.radius for a in arcs])
    tree = shapely.STRtree(shapely.points(hinge))
    i, j = tree.query(shapely.points(hinge), predicate="dwithin", distance=2 * float(radius.max()) + 0.05)
    keep = i < j
    i, j = i[keep], j[keep]
    gap = np.hypot(*(hinge[i] - hinge[j]).T)
    pair = (np.abs(gap - radius[i] - radius[j]) <= 0.03 * (radius[i] + radius[j]) + 0.01) & \
        (np.abs(radius[i] - radius[j]) <= 0.15 * np.maximum(radius[i], radius[j]))
    merged: set[int] = set()
    for a, b in zip(i[pair].tolist(), j[pair].tolist()):
        if a in merged or b in merged:
            continue
        # both arcs must end at the midpoint between the hinges (the leaves meet there)
        mid = 0.5 * (hinge[a] + hinge[b])
        if all(min(float(np.hypot(*(doors[k].paths[0].points[e] - mid))) for e in (0, -1)) <= 0.05 * radius[k] + 0.02
               for k in (a, b)):
            doors[a].paths += doors[b].paths
            merged.add(b)
    return [d for k, d in enumerate(doors) if k not in merged]


def _leaf(arc_path: Path, lines: list[Path], ends: np.ndarray, taken: set[int]) -> Path | None:
    """The open leaf, if drawn: a straight line from the hinge about one radius long, or (drawn
    by hand) a line from the arc's free end back to somewhere near the hinge."""
    if not len(ends):
        return None
    a = arc_path.arc
    cx, cy, r = a.cx, a.cy, a.radius
    tol = 0.05 * r + 0.02
    d0 = np.hypot(ends[:, 0] - cx, ends[:, 1] - cy)
    d1 = np.hypot(ends[:, 2] - cx, ends[:, 3] - cy)
    length = np.hypot(ends[:, 2] - ends[:, 0], ends[:, 3] - ends[:, 1])
    ok = (np.minimum(d0, d1) <= tol) & (length >= 0.8 * r) & (length <= 1.2 * r)
    if not ok.any():
        loose = max(0.05 * r + 0.05, 0.15 * r)  # drawn by hand: the leaf meets the arc roughly
        for tip in (arc_path.points[0], arc_path.points[-1]):
            t0 = np.hypot(ends[:, 0] - tip[0], ends[:, 1] - tip[1])
            t1 = np.hypot(ends[:, 2] - tip[0], ends[:, 3] - tip[1])
            ok |= (((t0 <= loose) & (d1 <= 0.75 * r)) | ((t1 <= loose) & (d0 <= 0.75 * r))) & \
                (length >= 0.5 * r) & (length <= 1.8 * r)
    # Of several lines, the leaf is the one whose far end meets the arc (a frame or wall line
    # through the hinge ends near the closed tip at best, or nowhere near the arc).
    tips = np.array((arc_path.points[0], arc_path.points[-1]))
    far = np.where((d0 <= d1)[:, None], ends[:, 2:], ends[:, :2])
    miss = np.min(np.hypot(far[:, None, 0] - tips[None, :, 0], far[:, None, 1] - tips[None, :, 1]), axis=1)
    for k in sorted(np.nonzero(ok)[0].tolist(), key=lambda k: miss[k]):
        p = lines[k]
        if p.layer == arc_path.layer and id(p) not in taken:
            return p
    return None
    tol = 0.05 * r + 0.02
    d0 = np.hypot(ends[:, 0] - cx, ends[:, 1] - cy)
    d1 = np.hypot(ends[:, 2] - cx, ends[:, 3] - cy)
    length = np.hypot(ends[:, 2] - ends[:, 0], ends[:, 3] - ends[:, 1])
    ok = (np.minimum(d0, d1) <= tol) & (length >= 0.8 * r) & (length <= 1.2 * r)
    for k in np.nonzero(ok)[0].tolist():
        p = lines[k]
        if p.layer == layer and id(p) not in taken:
            return p
    return None
