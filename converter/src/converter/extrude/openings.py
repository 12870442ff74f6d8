"""Door and window geometry: lintels and sills in the wall material, a door leaf, a glass pane.

Why simple boxes: a kiosk needs the openings readable from any angle, not joinery detail; the
boxes sit exactly in the plug the classifier cut out of the wall.
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Polygon

import math

from ..classify.model import Opening
from ..options import Options
from .mesh import TriangleBatch
from .scene import MeshPart, Node

__all__ = ["add_openings", "leaf_rect", "leaf_quads", "opening_instances"]

LEAF_THICKNESS = 0.04
GLASS_THICKNESS = 0.02


def leaf_rect(op: Opening, thickness: float) -> Polygon:
    """A thin rectangle along the opening, centred in the wall band."""
    return Polygon(leaf_quads([op], thickness)[0])


def leaf_quads(ops: list[Opening], thickness: float) -> np.ndarray:
    """(n, 4, 2) leaf rectangles of ``ops`` (see :func:`leaf_rect`), computed all at once."""
    if not ops:
        return np.zeros((0, 4, 2))
    u = np.array([o.axis for o in ops], dtype=float)
    n = np.stack((-u[:, 1], u[:, 0]), axis=1)
    span = np.array([o.span for o in ops], dtype=float)
    band = np.array([o.band for o in ops], dtype=float)
    tm = band.mean(axis=1)
    h = np.minimum(thickness, np.maximum(band[:, 1] - band[:, 0], 1e-3)) / 2
    corners = [(span[:, 0], tm - h), (span[:, 1], tm - h), (span[:, 1], tm + h), (span[:, 0], tm + h)]
    return np.stack([u * s[:, None] + n * t[:, None] for s, t in corners], axis=1)


def _quads(polys: list[Polygon]) -> np.ndarray:
    """First four exterior corners of each (rectangular) plug, as (n, 4, 2)."""
    if not polys:
        return np.zeros((0, 4, 2))
    rings = shapely.get_exterior_ring(np.asarray(polys, dtype=object))
    coords, owner = shapely.get_coordinates(rings, return_index=True)
    start = np.searchsorted(owner, np.arange(len(polys)))
    return coords[start[:, None] + np.arange(4)[None, :]]


def add_openings(ops: list[Opening], opts: Options, wall: TriangleBatch, leaf: TriangleBatch) -> None:
    """Append the openings' wall parts (lintels, sills) to ``wall`` and leaves or glass to ``leaf``."""
    doors = [o for o in ops if o.kind == "door"]
    windows = [o for o in ops if o.kind != "door"]
    hosted_doors = _quads([o.plug for o in doors if o.hosted])
    hosted_windows = _quads([o.plug for o in windows if o.hosted])
    if opts.doorHeight < opts.wallHeight:
        wall.add_boxes(hosted_doors, opts.doorHeight, opts.wallHeight)
    leaf.add_boxes(leaf_quads(doors, LEAF_THICKNESS), 0.0, opts.doorHeight)
    wall.add_boxes(hosted_windows, 0.0, opts.windowSill)
    if opts.windowHead < opts.wallHeight:
        wall.add_boxes(hosted_windows, opts.windowHead, opts.wallHeight)
    leaf.add_boxes(leaf_quads(windows, GLASS_THICKNESS), opts.windowSill, opts.windowHead)


def opening_instances(ops: list[Opening], opts: Options, origin: np.ndarray) -> tuple[list[Node], int]:
    """One node per opening; all openings of one type (kind, wall thickness, hosted) share one mesh,
    built once at the origin 1 m wide and stretched to each opening's width by the node's scale.
    Returns the nodes and the vertices of the shared meshes.

    Why instances: a plan repeats a handful of door and window types dozens of times; each
    instance costs a node (translation, rotation, scale) instead of its own boxes.
    """
    types: dict[tuple, list[MeshPart]] = {}
    nodes: list[Node] = []
    vertices = 0
    zero = np.zeros(2)
    for k, op in enumerate(ops):
        (s0, s1), (t0, t1) = op.span, op.band
        depth = round(t1 - t0, 3)
        key = (op.kind, op.hosted, depth)
        if key not in types:
            proto = Opening(op.kind, op.layer, shapely.box(-0.5, -depth / 2, 0.5, depth / 2), 1.0,
                            np.array((1.0, 0.0)), op.hosted, op.block, (-depth / 2, depth / 2), (-0.5, 0.5))
            wall, leaf = TriangleBatch(), TriangleBatch()
            add_openings([proto], opts, wall, leaf)
            types[key] = [p for p in (wall.part("wall", zero), leaf.part("door" if op.kind == "door" else "glass", zero))
                          if p is not None]
            vertices += sum(p.vertex_count for p in types[key])
        u = np.asarray(op.axis, dtype=float)
        n = np.array((-u[1], u[0]))
        c = u * (s0 + s1) / 2 + n * (t0 + t1) / 2
        theta = math.atan2(u[1], u[0])
        node = Node(f"{op.kind} {k + 1}", types[key],
                    translation=(c[0] - float(origin[0]), 0.0, -(c[1] - float(origin[1]))),
                    rotation=(0.0, math.sin(theta / 2), 0.0, math.cos(theta / 2)), scale=(s1 - s0, 1.0, 1.0))
        nodes.append(node)
    return nodes, vertices
