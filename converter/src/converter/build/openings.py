"""Door and window geometry: lintels and sills in the wall material, a door leaf, a glass pane.

Why simple boxes: a kiosk needs the openings readable from any angle, not joinery detail; the
boxes sit exactly in the plug the classifier cut out of the wall.
"""
from __future__ import annotations

import numpy as np
from shapely.geometry import Polygon

from ..classify.model import Opening
from ..options import Options
from .mesh import TriangleBatch

__all__ = ["add_openings", "leaf_rect"]

LEAF_THICKNESS = 0.04
GLASS_THICKNESS = 0.02


def leaf_rect(op: Opening, thickness: float) -> Polygon:
    """A thin rectangle along the opening, centred in the wall band."""
    u = op.axis
    n = np.array((-u[1], u[0]))
    (s0, s1), (t0, t1) = op.span, op.band
    tm = 0.5 * (t0 + t1)
    h = min(thickness, max(t1 - t0, 1e-3)) / 2
    return Polygon([u * s0 + n * (tm - h), u * s1 + n * (tm - h), u * s1 + n * (tm + h), u * s0 + n * (tm + h)])


def _quads(polys: list[Polygon]) -> np.ndarray:
    return np.array([np.asarray(p.exterior.coords)[:4] for p in polys], dtype=float).reshape(-1, 4, 2)


def add_openings(ops: list[Opening], opts: Options, wall: TriangleBatch, leaf: TriangleBatch) -> None:
    """Append the openings' wall parts (lintels, sills) to ``wall`` and leaves or glass to ``leaf``."""
    doors = [o for o in ops if o.kind == "door"]
    windows = [o for o in ops if o.kind != "door"]
    hosted_doors = _quads([o.plug for o in doors if o.hosted])
    hosted_windows = _quads([o.plug for o in windows if o.hosted])
    if opts.doorHeight < opts.wallHeight:
        wall.add_boxes(hosted_doors, opts.doorHeight, opts.wallHeight)
    leaf.add_boxes(_quads([leaf_rect(o, LEAF_THICKNESS) for o in doors]), 0.0, opts.doorHeight)
    wall.add_boxes(hosted_windows, 0.0, opts.windowSill)
    if opts.windowHead < opts.wallHeight:
        wall.add_boxes(hosted_windows, opts.windowHead, opts.wallHeight)
    leaf.add_boxes(_quads([leaf_rect(o, GLASS_THICKNESS) for o in windows]), opts.windowSill, opts.windowHead)
