"""Refuse absurd coordinates before any geometry work.

Why: a drawing with NaNs or coordinates beyond the size of the Earth yields a GLB that no viewer
can show (float32 precision) and may blow up triangulation; better a clear permanent error.
Drawings whose geometry is all far from the origin are fine: the writer centres the model.
"""
from __future__ import annotations

import numpy as np

from ..errors import BadDrawing
from ..plan.model import Plan

__all__ = ["MAX_COORDINATE_M", "MAX_EXTENT_M", "check_extent"]

MAX_COORDINATE_M = 1.0e7
MAX_EXTENT_M = 1.0e5


def _all_points(plan: Plan) -> np.ndarray:
    """Every 2-D vertex of paths, region exteriors and faces in one array (one concatenation
    instead of a reduction per primitive: big drawings hold hundreds of thousands)."""
    arrays = [p.points for p in plan.paths] + [r.exterior for r in plan.regions]
    arrays += [f.triangles.reshape(-1, 3)[:, :2] for f in plan.faces]
    arrays = [a for a in arrays if len(a)]
    return np.concatenate(arrays) if arrays else np.zeros((0, 2))


def check_extent(plan: Plan) -> tuple[np.ndarray, np.ndarray] | None:
    """Drop non-finite primitives (counted) and refuse coordinates beyond the limits; returns the
    plan's bounds (lo, hi), None when it has no geometry.

    Raises:
        BadDrawing: code ``absurd_coordinates``.
    """
    def finite(a: np.ndarray) -> bool:
        return bool(np.all(np.isfinite(a)))

    before = len(plan.paths) + len(plan.regions) + len(plan.faces)
    pts = _all_points(plan)
    if not finite(pts) or any(not finite(h) for r in plan.regions for h in r.holes) \
            or any(not finite(f.triangles) for f in plan.faces):
        plan.paths = [p for p in plan.paths if finite(p.points)]
        plan.regions = [r for r in plan.regions if finite(r.exterior) and all(finite(h) for h in r.holes)]
        plan.faces = [f for f in plan.faces if finite(f.triangles)]
    plan.texts = [t for t in plan.texts if finite(t.position)]
    dropped = before - (len(plan.paths) + len(plan.regions) + len(plan.faces))
    if dropped:
        plan.skipped["(non-finite coordinates)"] += dropped
        plan.warnings.append(f"{dropped} primitives with non-finite coordinates dropped")
    if dropped:
        pts = _all_points(plan)
    if len(pts) == 0:
        return None
    xs, ys = pts[:, 0], pts[:, 1]  # column by column: far faster than an axis-0 reduction
    lo, hi = np.array((xs.min(), ys.min())), np.array((xs.max(), ys.max()))
    if max(np.max(np.abs(lo)), np.max(np.abs(hi))) > MAX_COORDINATE_M:
        raise BadDrawing(
            f"absurd coordinates: the drawing reaches {max(np.max(np.abs(lo)), np.max(np.abs(hi))):.3g} m "
            f"from the origin (limit {MAX_COORDINATE_M:.0e} m); check the units", code="absurd_coordinates")
    if np.max(hi - lo) > MAX_EXTENT_M:
        raise BadDrawing(
            f"absurd coordinates: the drawing spans {np.max(hi - lo):.3g} m (limit {MAX_EXTENT_M:.0e} m "
            f"for a building plan); check the units or stray entities", code="absurd_coordinates")
    return lo, hi
