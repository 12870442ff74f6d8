"""Close the gaps that openings left in the wall footprint, whatever (or whether) a symbol marks them.

Why: rooms are the holes of the footprint once every opening is closed. A door symbol placed
beside its gap, a frame drawn wider than the leaf, a sliding door, a passage with no symbol at
all — each leaves the wall open and two rooms merge. What every such gap has in common is its
shape: a wall ends in a short *end cap* (an edge about one wall thickness long, both corners
convex, both neighbours at right angles) that faces another wall close by. So each end cap
casts three rays straight out of the wall; when all three hit the footprint at (nearly) the
same distance — the opposite jamb's cap, or the side of a crossing wall — the swept cap is a
*bridge* that closes the gap. Cap to cap reaches up to :data:`MAX_PASSAGE`; cap to the side of
a wall only up to :data:`MAX_SIDE_GAP` (a wall stub ending in a room must not cut it in two).
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["gap_bridges", "MAX_PASSAGE", "MAX_SIDE_GAP"]

#: Widest opening closed between two facing wall ends, m (double doors, wide passages).
MAX_PASSAGE = 2.6
#: Widest opening closed between a wall end and the side of another wall, m.
MAX_SIDE_GAP = 1.3
_PERPENDICULAR_COS = 0.2
_RAY_AGREE = 0.03


def _caps(parts: np.ndarray, min_cap: float, max_cap: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """End caps of the polygons ``parts``: (a, b, outward unit normal) arrays, one row per cap."""
    oriented = shapely.orient_polygons(shapely.simplify(parts, 0.002), exterior_cw=False)
    rings = shapely.get_rings(oriented)
    coords, owner = shapely.get_coordinates(rings, return_index=True)
    if not len(coords):
        z = np.zeros((0, 2))
        return z, z, z
    # Per ring, drop the repeated closing vertex; edges k → k+1 within each ring.
    start = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    count = np.diff(np.r_[start, len(owner)])
    keep = np.ones(len(coords), dtype=bool)
    keep[start + count - 1] = False
    v, ring = coords[keep], owner[keep]
    start = np.flatnonzero(np.r_[True, ring[1:] != ring[:-1]])
    n = np.diff(np.r_[start, len(ring)])
    pos = np.arange(len(v)) - np.repeat(start, n)
    base = np.repeat(start, n)
    size = np.repeat(n, n)
    nxt = base + (pos + 1) % size
    prv = base + (pos - 1) % size
    e = v[nxt] - v                     # edge k: v[k] → v[k+1]
    ep = e[prv]                        # edge before
    en = e[nxt]                        # edge after
    ln = np.hypot(e[:, 0], e[:, 1])
    lp, lnx = np.hypot(ep[:, 0], ep[:, 1]), np.hypot(en[:, 0], en[:, 1])
    with np.errstate(divide="ignore", invalid="ignore"):
        cos_p = np.abs(np.einsum("ij,ij->i", e, ep)) / (ln * lp)
        cos_n = np.abs(np.einsum("ij,ij->i", e, en)) / (ln * lnx)
    turn_in = ep[:, 0] * e[:, 1] - ep[:, 1] * e[:, 0]    # interior on the left: convex = left turn
    turn_out = e[:, 0] * en[:, 1] - e[:, 1] * en[:, 0]
    cap = (n[np.searchsorted(start, np.arange(len(v)), side="right") - 1] >= 4) & \
        (ln >= min_cap) & (ln <= max_cap) & (cos_p < _PERPENDICULAR_COS) & (cos_n < _PERPENDICULAR_COS) & \
        (turn_in > 0) & (turn_out > 0) & (lp >= 0.8 * ln) & (lnx >= 0.8 * ln)
    k = np.flatnonzero(cap)
    a, b = v[k], v[nxt[k]]
    d = (b - a) / ln[k, None]
    normal = np.column_stack((d[:, 1], -d[:, 0]))  # right of the edge: outside the wall
    return a, b, normal


def gap_bridges(parts: np.ndarray, min_cap: float = 0.04, max_cap: float = 0.85) -> list[BaseGeometry]:
    """Bridges (rectangles) that close the gaps between wall ends of the footprint ``parts``.

    Args:
        parts: polygons of the wall footprint with the known openings already plugged.
        min_cap, max_cap: the range of wall thicknesses an end cap may have, m.
    """
    parts = np.asarray(parts, dtype=object)
    if not len(parts):
        return []
    a, b, nrm = _caps(parts, min_cap, max_cap)
    m = len(a)
    if not m:
        return []
    tree = shapely.STRtree(parts)
    fractions = (0.2, 0.5, 0.8)
    eps = 0.002
    origins = np.concatenate([a + (b - a) * f + nrm * eps for f in fractions])
    dirs = np.tile(nrm, (len(fractions), 1))
    rays = shapely.linestrings(np.stack((origins, origins + dirs * MAX_PASSAGE), axis=1))
    hit = np.full(len(rays), np.inf)
    ri, pi = tree.query(rays, predicate="intersects")
    if len(ri):
        inter = shapely.intersection(rays[ri], parts[pi])
        coords, idx = shapely.get_coordinates(inter, return_index=True)
        if len(coords):
            row = ri[idx]
            dist = np.einsum("ij,ij->i", coords - origins[row], dirs[row])
            np.minimum.at(hit, row, dist)
    hit = hit.reshape(len(fractions), m)
    near, far = hit.min(axis=0), hit.max(axis=0)
    ok = np.isfinite(far)
    ok[ok] = (far[ok] - near[ok] <= _RAY_AGREE) & (near[ok] > 0.01)
    # Beyond MAX_SIDE_GAP only when the hit is another cap facing back (a passage between wall ends).
    mid = 0.5 * (a + b)
    far_ok = np.zeros(m, dtype=bool)
    long = np.flatnonzero(ok & (far > MAX_SIDE_GAP))
    if len(long):
        for k in long.tolist():
            target = mid[k] + nrm[k] * (near[k] + eps)
            d = np.hypot(*(mid - target).T)
            j = int(np.argmin(d))
            far_ok[k] = d[j] <= 0.5 * np.hypot(*(b[k] - a[k])) + 0.02 and float(np.dot(nrm[j], nrm[k])) < -0.95
    ok &= (far <= MAX_SIDE_GAP) | far_ok
    k = np.flatnonzero(ok)
    if not len(k):
        return []
    reach = (far[k] + eps + 0.002)[:, None]
    quads = np.stack((a[k], b[k], b[k] + nrm[k] * reach, a[k] + nrm[k] * reach), axis=1)
    return list(shapely.polygons(quads))
