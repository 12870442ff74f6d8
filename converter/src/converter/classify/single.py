"""Walls drawn as single lines: office, hackerspace and sketch plans draw a wall as one line.

Why a network: such plans hold no parallel pairs, so the pair search finds nothing, but their
wall lines connect into one large network per building, while furniture, fixtures and text
frames stay small, closed or inside blocks. The network's lines become walls of
``singleLineWallThickness`` centred on the line (flat ends, a square at every junction so
corners drawn as two separate lines close), and their rooms are the faces of the network: the
holes of the thick footprint grown back by half a wall (:func:`grow_to_centre_lines`).
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Polygon

from ..plan.model import Path
from .gaps import MAX_PASSAGE, MAX_SIDE_GAP
from .model import Room, WallPiece
from .union import components
from .walls import segments_of

__all__ = ["single_line_walls", "network_share", "grow_to_centre_lines", "furniture_chains", "MIN_NETWORK"]

#: Least total line length (m) of one connected network before it counts as walls.
MIN_NETWORK = 12.0
#: T-junctions (a wall ending on another wall's side) a network needs before it counts as walls.
_MIN_JUNCTIONS = 2
#: A hit this close to the other path's end is a corner, not a junction (m).
MAX_JUNCTION_END = 0.05
#: Line ends this close (m) count as joined (hand-drawn plans rarely meet exactly).
_JOIN = 0.02
#: Furniture against a wall: every side shorter than this (m), all sides together at most
#: that long, the area closed with the wall at most this (m²).
_FURNITURE_SIDE, _FURNITURE_CHAIN, _FURNITURE_AREA = 2.0, 5.0, 2.5
#: Mean number of lines each line may touch in a wall network (a grid corner touches 4).
_MAX_TOUCHING = 32
#: Closed shapes smaller than this (largest extent, m) are furniture, never walls.
_FURNITURE_EXTENT = 3.0
#: Most wall length per m² of a network's hull (rooms 1 m apart); denser networks are grids, hatches.
_MAX_DENSITY = 2.0
#: Polylines longer than this (vertices) are simplified to this tolerance (m) first.
_SIMPLIFY_ABOVE, _SIMPLIFY = 64, 0.003
#: Doors drawn ajar hinged on a network that make it a floor plan (one such arc may be anything).
_MIN_AJAR = 3
#: Room names inside a network that make it a floor plan without door swings.
_MIN_NAMES = 3
_CURVES = frozenset({"ARC", "CIRCLE", "ELLIPSE", "SPLINE", "HELIX"})


def _candidates(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Straight, unblocked, not furniture-sized closed shapes nor furniture against a wall; the rest."""
    take, rest = _straight_candidates(paths)
    if not take:
        return take, rest
    segs, owners = segments_of(take)
    furniture = furniture_chains(segs, _hinge_points(paths))
    if not furniture.any():
        return take, rest
    # a path is furniture when all its segments are
    share = np.bincount(owners, weights=furniture.astype(float), minlength=len(take))
    count = np.bincount(owners, minlength=len(take))
    drop = (count > 0) & (share == count)
    return [p for p, d in zip(take, drop) if not d], rest + [p for p, d in zip(take, drop) if d]


def _hinge_points(paths: list[Path]) -> np.ndarray:
    return np.array([(p.arc.cx, p.arc.cy) for p in paths if p.arc is not None and 0.2 <= p.arc.sweep <= 1.9
                     and 0.3 <= p.arc.radius <= 1.8]).reshape(-1, 2)


def furniture_chains(segs: np.ndarray, hinges: np.ndarray) -> np.ndarray:
    """Mask of the segments that are furniture drawn against a wall: a chain of short lines (a desk,
    a counter, a shelf) whose two free ends rest on one straight wall line and which closes a
    small area with it, with no door hinged on it (a closet has one)."""
    n = len(segs)
    mask = np.zeros(n, dtype=bool)
    if n < 2:
        return mask
    length = np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1])
    short = np.flatnonzero((length < _FURNITURE_SIDE) & (length > 1e-6))
    if not len(short):
        return mask
    lines = shapely.linestrings(segs.reshape(-1, 2, 2))
    tree = shapely.STRtree(lines[short])
    a, b = tree.query(lines[short], predicate="dwithin", distance=_JOIN)
    label = components(len(short), a[a < b], b[a < b])
    _, inv = np.unique(label, return_inverse=True)
    total = np.bincount(inv, weights=length[short])
    all_tree = shapely.STRtree(lines)
    for c in np.flatnonzero(total <= _FURNITURE_CHAIN).tolist():
        members = short[inv == c]
        if len(members) < 2:
            continue
        ends = segs[members].reshape(-1, 2)
        # free ends: touched by no other member
        pts = shapely.points(ends)
        ei, li = shapely.STRtree(lines[members]).query(pts, predicate="dwithin", distance=_JOIN)
        free = ends[np.bincount(ei, minlength=len(ends)) == 1]
        if len(free) != 2:
            continue
        host = set()
        for e in free:
            hit = all_tree.query(shapely.Point(e), predicate="dwithin", distance=_JOIN)
            host.add(frozenset(int(h) for h in hit.tolist() if h not in set(members.tolist())))
        common = frozenset.intersection(*host) if len(host) == 2 else next(iter(host))
        if not common:
            continue
        k = next(iter(common))
        if length[k] < _FURNITURE_SIDE:
            continue
        u = (segs[k, 2:] - segs[k, :2]) / length[k]
        w = free[1] - free[0]
        if abs(float(u[0] * w[1] - u[1] * w[0])) > _JOIN:
            continue  # the free ends are not on one straight line
        merged = shapely.line_merge(shapely.multilinestrings(segs[members].reshape(-1, 2, 2)))
        coords = shapely.get_coordinates(merged)
        if len(coords) < 3:
            continue
        area = shapely.Polygon(coords).area
        if area > _FURNITURE_AREA or area < 0.05:
            continue
        if len(hinges) and shapely.dwithin(merged, shapely.multipoints(hinges), 0.1):
            continue
        mask[members] = True
    return mask


def _straight_candidates(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    take, rest = [], []
    arcs = [p for p in paths if p.arc is not None and 0.2 <= p.arc.sweep <= 1.9 and 0.3 <= p.arc.radius <= 1.8]
    hinges = np.array([(p.arc.cx, p.arc.cy, p.arc.radius, *p.points[0], *p.points[-1]) for p in arcs]).reshape(-1, 7)
    for p in paths:
        straight = p.arc is None and p.kind not in _CURVES and len(p.points) >= 2 and p.group == 0
        small = p.closed and float(np.max(np.ptp(p.points, axis=0))) < _FURNITURE_EXTENT if straight else True
        if straight and not small and not _is_leaf(p, hinges):
            take.append(_simplified(p))
        else:
            rest.append(p)
    return take, rest


def _simplified(p: Path) -> Path:
    """A long polyline with its needless vertices dropped (a traced outline has millions)."""
    if len(p.points) <= _SIMPLIFY_ABOVE:
        return p
    ring = np.vstack((p.points, p.points[:1])) if p.closed else p.points
    pts = shapely.get_coordinates(shapely.simplify(shapely.linestrings(ring), _SIMPLIFY))
    if p.closed and len(pts) > 3:
        pts = pts[:-1]
    return Path(pts, p.layer, p.closed and len(pts) > 2, p.kind, p.group, p.block, p.width)


def _is_leaf(p: Path, hinges: np.ndarray) -> bool:
    """A door leaf: one straight line from a swing arc's centre about one radius long, or (drawn
    by hand) from the arc's free end back to near its centre; rows of ``hinges`` are
    (cx, cy, r, tip0 x, y, tip1 x, y)."""
    if len(p.points) != 2 or not len(hinges):
        return False
    length = float(np.hypot(*(p.points[1] - p.points[0])))
    r = hinges[:, 2]
    for end, other in ((p.points[0], p.points[1]), (p.points[1], p.points[0])):
        d = np.hypot(hinges[:, 0] - end[0], hinges[:, 1] - end[1])
        at = (d <= 0.05 * r + 0.02) & (np.abs(length - r) <= 0.2 * r)
        if np.any(at):
            # towards one of the arc's ends: a wall line leaving the hinge the other way is no leaf
            u = (other - end) / max(length, 1e-9)
            for k in np.flatnonzero(at):
                c = hinges[k, :2]
                for tip in (hinges[k, 3:5], hinges[k, 5:7]):
                    v = tip - c
                    if float(np.dot(u, v)) >= 0.95 * max(float(np.hypot(*v)), 1e-9):
                        return True
        tip = np.minimum(np.hypot(hinges[:, 3] - end[0], hinges[:, 4] - end[1]),
                         np.hypot(hinges[:, 5] - end[0], hinges[:, 6] - end[1]))
        back = np.hypot(hinges[:, 0] - other[0], hinges[:, 1] - other[1])
        if np.any((tip <= np.maximum(0.05 * r + 0.05, 0.15 * r)) & (back <= 0.75 * r)
                  & (length >= 0.5 * r) & (length <= 1.8 * r)):
            return True
    return False


def _network(segs: np.ndarray, owners: np.ndarray, min_network: float) -> np.ndarray:
    """Mask of the segments in a connected network of at least ``min_network`` m.

    Lines join where they touch, and across the gaps of openings: a line's end faces another
    line along its own direction within :data:`~.gaps.MAX_SIDE_GAP`, or the collinear end of
    another line within :data:`~.gaps.MAX_PASSAGE`.
    """
    if not len(segs):
        return np.zeros(0, dtype=bool)
    lines = shapely.linestrings(segs.reshape(-1, 2, 2))
    length = np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1])
    tree = shapely.STRtree(lines)
    a, b = tree.query(lines, predicate="dwithin", distance=_JOIN)
    if len(a) > _MAX_TOUCHING * len(segs):
        # Lines touching dozens of others each are hatching, lettering or a drawing at the wrong
        # scale, never a wall network; the queries below would grow quadratically on them.
        return np.zeros(len(segs), dtype=bool)
    u = (segs[:, 2:] - segs[:, :2]) / np.maximum(length, 1e-9)[:, None]
    # Rays from the ends of paths only (a polyline's inner vertices are joined already).
    first = np.r_[True, owners[1:] != owners[:-1]]
    last = np.r_[owners[1:] != owners[:-1], True]
    origin = np.concatenate((segs[first, :2] - u[first] * _JOIN, segs[last, 2:] + u[last] * _JOIN))
    out = np.concatenate((-u[first], u[last]))
    own = np.concatenate((np.flatnonzero(first), np.flatnonzero(last)))
    rays = shapely.linestrings(np.stack((origin, origin + out * MAX_PASSAGE), axis=1))
    # dwithin, not intersects: a collinear continuation of a rotated wall misses by float noise
    ri, li = tree.query(rays, predicate="dwithin", distance=_JOIN / 4)
    keep = li != own[ri]
    ri, li = ri[keep], li[keep]
    tee = np.zeros(len(segs))  # per segment: walls ending on another wall's side at it
    if len(ri):
        dist = shapely.distance(shapely.points(origin[ri]), lines[li])
        collinear = np.abs(u[li, 0] * out[ri, 1] - u[li, 1] * out[ri, 0]) < 0.02
        ok = (dist <= MAX_SIDE_GAP) | collinear
        a, b = np.concatenate((a, own[ri[ok]])), np.concatenate((b, li[ok]))
        side = (dist <= MAX_SIDE_GAP) & ~collinear
        far = _path_end_distance(origin[ri], li, segs, owners, first, last) > MAX_JUNCTION_END
        np.add.at(tee, own[ri[side & far]], 1.0)
    ends = np.concatenate((segs[first, :2], segs[last, 2:]))
    ei, li = tree.query(shapely.points(ends), predicate="dwithin", distance=_JOIN)
    other = owners[li] != owners[own[ei]]
    ei, li = ei[other], li[other]
    far = _path_end_distance(ends[ei], li, segs, owners, first, last) > MAX_JUNCTION_END
    np.add.at(tee, own[ei[far]], 1.0)
    label = components(len(segs), a, b)
    _, inv = np.unique(label, return_inverse=True)
    total = np.bincount(inv, weights=length)
    # Walls meet walls: a network without T-junctions is outlines (site plans, frames), not rooms.
    total[np.bincount(inv, weights=tee, minlength=len(total)) < _MIN_JUNCTIONS] = 0.0
    sel = np.flatnonzero(total[inv] >= min_network)
    if len(sel):
        # A grid or hatch is a network too, but a dense one: rooms are metres apart.
        comp, local = np.unique(inv[sel], return_inverse=True)
        order = np.argsort(local, kind="stable")
        hulls = shapely.convex_hull(shapely.multipoints(segs[sel[order]].reshape(-1, 2),
                                                        indices=np.repeat(local[order], 2)))
        dense = total[comp] > _MAX_DENSITY * np.maximum(shapely.area(hulls), 1e-9)
        total[comp[dense]] = 0.0
    return total[inv] >= min_network


def _path_end_distance(pts: np.ndarray, seg: np.ndarray, segs: np.ndarray, owners: np.ndarray,
                       first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Distance from each point to the nearer end of the path that segment ``seg`` belongs to
    (infinite for closed paths, which have no ends)."""
    n_paths = int(owners.max()) + 1
    start = np.full((n_paths, 2), np.inf)
    end = np.full((n_paths, 2), np.inf)
    start[owners[first]] = segs[first, :2]
    end[owners[last]] = segs[last, 2:]
    closed = np.all(np.isclose(start, end), axis=1)
    o = owners[seg]
    d = np.minimum(np.hypot(*(pts - start[o]).T), np.hypot(*(pts - end[o]).T))
    return np.where(closed[o], np.inf, np.nan_to_num(d, nan=np.inf))


def network_share(paths: list[Path], min_network: float = MIN_NETWORK) -> float:
    """Total length (m) of ``paths``' straight lines that join into large networks."""
    take, _ = _candidates(paths)
    segs, owners = segments_of(take)
    keep = _network(segs, owners, min_network)
    return float(np.hypot(segs[keep, 2] - segs[keep, 0], segs[keep, 3] - segs[keep, 1]).sum()) if len(segs) else 0.0


def single_line_walls(paths: list[Path], thickness: float, min_network: float = MIN_NETWORK,
                      need_swing: bool = False, names: np.ndarray | None = None
                      ) -> tuple[list[WallPiece], list[Path]]:
    """Wall pieces from the large line networks among ``paths``; the paths that became none.

    Args:
        paths: candidate paths (single-line wall layers, or unnamed layers of a plan without walls).
        thickness: wall thickness, m.
        need_swing: only with evidence that the lines of unnamed layers are a floor plan, not a
            site plan, frames or a diagram: door swings hinged on the network, or room names
            (``names``, (n, 2) points of the texts that could name rooms) inside it.
    """
    take, rest = _candidates(paths)
    segs, owners = segments_of(take)
    keep = _network(segs, owners, min_network)
    if not keep.any() or need_swing and not _is_floor_plan(paths, segs[keep], names):
        return [], paths
    segs, owners = segs[keep], owners[keep]
    d = segs[:, 2:] - segs[:, :2]
    ln = np.hypot(d[:, 0], d[:, 1])
    ok = ln > 1e-6
    segs, owners, d, ln = segs[ok], owners[ok], d[ok], ln[ok]
    u = d / ln[:, None]
    n = np.column_stack((-u[:, 1], u[:, 0])) * (thickness / 2)
    p0, p1 = segs[:, :2], segs[:, 2:]
    quads = shapely.polygons(np.stack((p0 - n, p1 - n, p1 + n, p0 + n), axis=1))
    pieces = [WallPiece(q, take[o].layer, "single-line", a) for q, a, o in zip(quads, u, owners.tolist())]
    # A square at every end that meets another line: corners and T-junctions close.
    ends = np.concatenate((p0, p1))
    lines = shapely.linestrings(segs.reshape(-1, 2, 2))
    ei, _ = shapely.STRtree(lines).query(shapely.points(ends), predicate="dwithin", distance=_JOIN)
    degree = np.bincount(ei, minlength=len(ends))
    joined = np.flatnonzero(degree >= 2)
    if len(joined):
        k = joined % len(segs)
        c, uu, nn = ends[joined], u[k] * (thickness / 2), n[k]
        squares = shapely.polygons(np.stack((c - uu - nn, c + uu - nn, c + uu + nn, c - uu + nn), axis=1))
        layers = [take[o].layer for o in owners[k].tolist()]
        pieces += [WallPiece(s, layer, "single-line", None) for s, layer in zip(squares, layers)]
    used = set(owners.tolist())
    rest += [p for k, p in enumerate(take) if k not in used]
    return pieces, rest


def _is_floor_plan(paths: list[Path], segs: np.ndarray, names: np.ndarray | None) -> bool:
    hinged = _hinged(paths, segs)
    if hinged >= 1.0:
        return True
    inside = 0
    if names is not None and len(names):
        hull = shapely.convex_hull(shapely.multipoints(segs.reshape(-1, 2)))
        inside = int(shapely.contains_xy(hull, names[:, 0], names[:, 1]).sum())
    # a door ajar and two names, or three names: rooms drawn with lines, whatever their doors
    return inside >= _MIN_NAMES or (hinged > 0 and inside >= _MIN_NAMES - 1)


def _hinged(paths: list[Path], segs: np.ndarray) -> float:
    """How strongly door swings say the segments are walls: 1 when a quarter arc of door radius has
    its centre on one of them, or several arcs of doors drawn ajar (hand-drawn plans show leaves
    open 15–45°) do; a fraction for fewer ajar arcs."""
    arcs = [p.arc for p in paths if p.arc is not None and 0.2 <= p.arc.sweep <= 1.9 and 0.5 <= p.arc.radius <= 1.6]
    if not arcs:
        return 0.0
    tree = shapely.STRtree(shapely.linestrings(segs.reshape(-1, 2, 2)))
    hit, _ = tree.query(shapely.points(np.array([(a.cx, a.cy) for a in arcs])), predicate="dwithin", distance=0.3)
    hit = np.unique(hit)
    if any(arcs[k].sweep >= 1.2 for k in hit.tolist()):
        return 1.0
    return min(len(hit) / _MIN_AJAR, 1.0)



def grow_to_centre_lines(rooms: list[Room], thickness: float) -> None:
    """Rooms of single-line walls reach the wall's centre line, as drawn (in place)."""
    if not rooms:
        return
    grown = shapely.buffer(np.array([r.polygon for r in rooms], dtype=object), thickness / 2,
                           join_style="mitre")
    for room, g in zip(rooms, grown):
        parts = [p for p in shapely.get_parts(g) if isinstance(p, Polygon)]
        if parts:
            poly = max(parts, key=lambda p: p.area)
            room.polygon, room.area = poly, round(float(poly.area), 2)
