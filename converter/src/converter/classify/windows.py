"""Windows drawn as bare lines in a gap of an outside wall: the frame and glass lines between two jambs.

Why: many plans (Allplan and other CAD exports to PDF, DXFs drawn on a few layers) draw a window as
two to four thin lines along the wall, filling the gap between two wall ends, on a layer whose
name says nothing ("Konstruktion", "0"). Left alone, the wall finder pairs those lines into a thin
wall, and the building has walls where its windows are. What marks them: two or more parallel
lines of about one length, side by side within a wall's thickness; beyond both ends of the group,
a wall (the jambs); in its middle, no wall (the gap); on one side of it, the outside (no wall as
far as the building reaches), which tells a window from a shower screen or a glass partition
between two walls. A door's gap holds a swing arc; a passage holds nothing.
"""
from __future__ import annotations

import numpy as np
import shapely

from ..plan.model import Path, Region
from .model import WallPiece
from .openings import Instance
from .union import union_by_component
from .walls import segments_of

__all__ = ["windows_in_gaps"]

#: Window widths found this way, m.
WIDTH = (0.4, 4.0)
#: The lines of one window lie within this distance across the wall, m.
_SPREAD = 0.6
#: Their ends agree within this along the wall (frame lines stop short of the glass), m.
_END_SLACK = 0.12
#: How far beyond a line group's ends the jamb may begin (a frame profile between), m.
_JAMB_REACH = (0.04, 0.1, 0.2, 0.35)
#: Rays that look for the outside reach this far, m.
_OUTSIDE_RAY = 60.0


def windows_in_gaps(pieces: list[WallPiece], paths: list[Path], known: list[Path | Region] = ()
                    ) -> tuple[list[Instance], list[Path]]:
    """Window instances from groups of lines in the gaps of the outside walls ``pieces``.

    Args:
        pieces: walls found so far by their layers' names: their ends are the jambs.
        paths: paths on layers nothing classified; those of a window leave this list.
        known: door and window symbols on door and window layers; a gap holding one is theirs.
    Returns:
        (window instances, the paths left).
    """
    lines = [p for p in paths if p.arc is None]
    segs, owner = _segments(lines)
    if not pieces or not len(segs):
        return [], paths
    walls = shapely.get_parts(union_by_component([pc.polygon for pc in pieces]))
    wall_tree = shapely.STRtree(walls)
    groups = _parallel_groups(segs, _between_jambs(segs, wall_tree))
    if not groups:
        return [], paths
    blockers = [p.points for p in paths if p.arc is not None] + \
        [(k.points if isinstance(k, Path) else k.exterior) for k in known]
    block_tree = shapely.STRtree(shapely.multipoints(np.concatenate(blockers), indices=np.repeat(
        np.arange(len(blockers)), [len(b) for b in blockers]))) if blockers else None
    line_tree = shapely.STRtree(shapely.linestrings(
        np.concatenate([p.points for p in lines]), indices=np.repeat(np.arange(len(lines)), [len(p.points) for p in lines])))
    taken: set[int] = set()
    found: list[Instance] = []
    for group in groups:
        if any(owner[k] in taken for k in group):
            continue
        frame = _frame(segs[group])
        if frame is None or not _in_outside_wall_gap(frame, walls, wall_tree):
            continue
        rect = _rect(frame, 0.05)
        if block_tree is not None and len(block_tree.query(rect, predicate="intersects")):
            continue
        members = [int(i) for i in line_tree.query(_rect(frame, 0.1), predicate="contains")
                   if int(i) not in taken]
        if not members:
            continue
        taken.update(members)
        found.append(Instance("window", lines[members[0]].layer, paths=[lines[i] for i in members]))
    gone = {id(lines[i]) for i in taken}
    return found, [p for p in paths if id(p) not in gone]


def _segments(paths: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    """Straight segments of window width (x0, y0, x1, y1) and the index of the path each belongs to."""
    segs, owner = segments_of(paths)
    length = np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1])
    ok = (length >= WIDTH[0]) & (length <= WIDTH[1])
    return segs[ok], owner[ok]


def _between_jambs(segs: np.ndarray, tree: shapely.STRtree) -> np.ndarray:
    """Per segment, in bulk: no wall at its middle and a wall just beyond both its ends (the test
    :func:`_in_outside_wall_gap` makes exactly, per group, for the few segments that pass)."""
    d = segs[:, 2:] - segs[:, :2]
    u = d / np.hypot(d[:, 0], d[:, 1])[:, None]

    def hits(geoms: np.ndarray) -> np.ndarray:
        hit = np.zeros(len(geoms), dtype=bool)
        hit[tree.query(geoms, predicate="intersects")[0]] = True
        return hit

    ok = ~hits(shapely.points(0.5 * (segs[:, :2] + segs[:, 2:])))
    reach = (_JAMB_REACH[0], _JAMB_REACH[-1] + _END_SLACK)
    for end, sign in ((segs[:, :2], -1.0), (segs[:, 2:], 1.0)):
        k = np.flatnonzero(ok)
        probes = np.stack([end[k] + sign * u[k] * r for r in reach], axis=1)
        ok[k] &= hits(shapely.linestrings(probes))
    return ok


def _parallel_groups(segs: np.ndarray, lead: np.ndarray) -> list[np.ndarray]:
    """Groups of two or more segments: parallel, about one span along, within ``_SPREAD`` across;
    one per segment that may ``lead`` a group."""
    d = segs[:, 2:] - segs[:, :2]
    length = np.hypot(d[:, 0], d[:, 1])
    u = d / length[:, None]
    mid = 0.5 * (segs[:, :2] + segs[:, 2:])
    tree = shapely.STRtree(shapely.points(mid))
    leads = np.flatnonzero(lead)
    if not len(leads):
        return []
    i, j = tree.query(shapely.points(mid[leads]), predicate="dwithin", distance=_SPREAD)
    i = leads[i]
    keep = i != j
    i, j = i[keep], j[keep]
    par = np.abs(u[i, 0] * u[j, 1] - u[i, 1] * u[j, 0]) < 0.01
    rel = mid[j] - mid[i]
    along = np.abs(np.einsum("ij,ij->i", rel, u[i]))
    ok = par & (along <= _END_SLACK) & (np.abs(length[i] - length[j]) <= 2 * _END_SLACK)
    i, j = i[ok], j[ok]
    groups: dict[int, set[int]] = {}
    for a, b in zip(i.tolist(), j.tolist()):
        groups.setdefault(a, {a}).add(b)
    # Longest first: each segment's own neighbourhood is one candidate group.
    order = sorted(groups, key=lambda a: -length[a])
    return [np.asarray(sorted(groups[a])) for a in order]


def _frame(segs: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float, float, float] | None:
    """(origin, axis, t0, t1, s0, s1): the group's span along its axis and its spread across."""
    d = segs[0, 2:] - segs[0, :2]
    u = d / np.hypot(*d)
    v = np.array([-u[1], u[0]])
    o = segs[0, :2]
    pts = segs.reshape(-1, 2) - o
    t, s = pts @ u, pts @ v
    if np.ptp(s) < 0.01:  # one line drawn twice
        return None
    return o, u, float(t.min()), float(t.max()), float(s.min()), float(s.max())


def _rect(frame, grow: float) -> shapely.Polygon:
    o, u, t0, t1, s0, s1 = frame
    v = np.array([-u[1], u[0]])
    corners = [o + u * t + v * s for t, s in ((t0 - grow, s0 - grow), (t1 + grow, s0 - grow),
                                                 (t1 + grow, s1 + grow), (t0 - grow, s1 + grow))]
    return shapely.Polygon(corners)


def _in_outside_wall_gap(frame, walls: np.ndarray, tree: shapely.STRtree) -> bool:
    """A jamb beyond both ends, no wall in the middle, and the outside on one side."""
    o, u, t0, t1, s0, s1 = frame
    v = np.array([-u[1], u[0]])
    sc, tm = 0.5 * (s0 + s1), 0.5 * (t0 + t1)
    centre = o + u * tm + v * sc
    if len(tree.query(shapely.Point(centre), predicate="intersects")):
        return False
    for t, sign in ((t0, -1.0), (t1, 1.0)):
        probes = shapely.points([o + u * (t + sign * r) + v * sc for r in _JAMB_REACH])
        if not len(tree.query(probes, predicate="intersects")[0]):
            return False
    for side in (v, -v):
        ray = shapely.LineString([centre + side * 0.02, centre + side * _OUTSIDE_RAY])
        if not len(tree.query(ray, predicate="intersects")):
            return True
    return False
