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

__all__ = ["add_opening", "leaf_rect"]

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


def add_opening(op: Opening, opts: Options, wall: TriangleBatch, leaf: TriangleBatch) -> None:
    """Append the opening's wall parts to ``wall`` and its leaf or glass to ``leaf``."""
    if op.kind == "door":
        if op.hosted and opts.doorHeight < opts.wallHeight:
            wall.add_prism(op.plug, opts.doorHeight, opts.wallHeight)
        leaf.add_prism(leaf_rect(op, LEAF_THICKNESS), 0.0, opts.doorHeight)
    else:
        if op.hosted:
            wall.add_prism(op.plug, 0.0, opts.windowSill)
            if opts.windowHead < opts.wallHeight:
                wall.add_prism(op.plug, opts.windowHead, opts.wallHeight)
        leaf.add_prism(leaf_rect(op, GLASS_THICKNESS), opts.windowSill, opts.windowHead)
