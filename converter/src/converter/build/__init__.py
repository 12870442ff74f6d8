"""Build the 3-D scene from a classified building: prisms, slabs, openings and floor lines.

Why one node per category and layer: the kiosk toggles and styles by category, and users
recognise their own layer names; extras carry the meaning (layer, room name, area, counts).
"""
from __future__ import annotations

import numpy as np
import shapely

from ..classify.model import Building
from ..errors import LimitExceeded
from ..options import Options
from .mesh import LineBatch, TriangleBatch, polygons_of
from .openings import add_openings
from .scene import MeshPart, Node

__all__ = ["build_scene", "LINE_HEIGHT", "Node", "MeshPart"]

#: Floor lines sit just above the slabs' top (y = 0) so they do not flicker.
LINE_HEIGHT = 0.003
_PLURAL = {"wall": "walls", "door": "doors", "window": "windows", "column": "columns", "stair": "stairs",
           "room": "rooms", "annotation": "annotation", "other": "other"}


def build_scene(b: Building, opts: Options, origin: np.ndarray) -> Node:
    """Root node of the building; raises LimitExceeded past ``opts.maxVertices``."""
    cats: dict[str, Node] = {}

    def cat_node(cat: str) -> Node:
        if cat not in cats:
            cats[cat] = Node(_PLURAL[cat], extras={"category": cat})
        return cats[cat]

    def layer_node(cat: str, layer: str) -> Node:
        parent = cat_node(cat)
        name = f"{_PLURAL[cat]}: {layer or '(derived)'}"
        for child in parent.children:
            if child.name == name:
                return child
        node = Node(name, extras={"category": cat, "layer": layer})
        parent.children.append(node)
        return node

    budget = _Budget(opts.maxVertices)
    plugs = [o.plug for o in b.openings if o.hosted]
    plug_tree = shapely.STRtree(plugs) if plugs else None
    for layer, geom in b.walls.items():
        batch = TriangleBatch()
        solid = _cut(geom, plugs, plug_tree)
        batch.add_prism(solid, 0.0, opts.wallHeight)
        node = layer_node("wall", layer)
        node.extras["pieces"] = sum(1 for p in b.pieces if p.layer == layer)
        node.extras["footprintArea"] = round(float(solid.area), 3)
        _attach(node, batch.part("wall", origin), budget)
    for kind in ("door", "window"):
        ops = [o for o in b.openings if o.kind == kind]
        for layer in sorted({o.layer for o in ops}):
            wall, leaf = TriangleBatch(), TriangleBatch()
            mine = [o for o in ops if o.layer == layer]
            add_openings(mine, opts, wall, leaf)
            node = layer_node(kind, layer)
            node.extras["count"] = len(mine)
            node.extras["widths"] = [round(o.width, 3) for o in mine][:1000]
            _attach(node, wall.part("wall", origin), budget)
            _attach(node, leaf.part("door" if kind == "door" else "glass", origin), budget)
    for layer, geom in b.columns.items():
        batch = TriangleBatch()
        batch.add_prism(geom, 0.0, opts.wallHeight)
        node = layer_node("column", layer)
        _attach(node, batch.part("column", origin), budget)
    for k, room in enumerate(b.rooms):
        batch = TriangleBatch()
        batch.add_prism(room.polygon, -opts.slabThickness, 0.0)
        parent = layer_node("room", room.layer)
        title = room.name or f"Room {k + 1}"
        node = Node(f"room: {title} ({room.area:.2f} m²)",
                    extras={"category": "room", "name": room.name, "area": room.area,
                            "layer": room.layer, "source": room.source})
        _attach(node, batch.part("floor", origin), budget)
        parent.children.append(node)
    for (cat, layer), polylines in sorted(b.lines.items()):
        batch = LineBatch(LINE_HEIGHT)
        batch.add_many(polylines)
        node = layer_node(cat, layer)
        node.extras["lines"] = len(polylines)
        _attach(node, batch.part(f"{cat}-lines", origin), budget)
    for layer, tris in b.faces.items():
        batch = TriangleBatch()
        for t in tris:
            batch.add_triangles(t)
        _attach(layer_node("other", layer), batch.part("surface", origin), budget)
    if b.labels:
        ann = cat_node("annotation")
        ann.extras["labels"] = [
            {"text": t, "position": [round(x - float(origin[0]), 3), 0.0, round(-(y - float(origin[1])), 3)],
             "layer": layer} for t, x, y, layer in b.labels]
    order = ["wall", "door", "window", "column", "room", "stair", "annotation", "other"]
    root = Node("building", children=[cats[c] for c in order if c in cats])
    _prune(root)
    root.extras["vertices"] = budget.used
    return root


def _cut(geom, plugs: list, tree) -> shapely.Geometry:
    """Wall footprint minus the openings, polygon by polygon (a global difference is slow)."""
    if tree is None:
        return geom
    polys = polygons_of(geom)
    if not polys:
        return geom
    hits, near = tree.query(polys, predicate="intersects")
    order = np.argsort(hits, kind="stable")
    hits, near = hits[order], near[order]
    cuts = np.split(near, np.flatnonzero(np.diff(hits)) + 1) if len(hits) else []
    parts = list(polys)
    for k, idx in zip(np.unique(hits).tolist(), cuts):
        parts[k] = polys[k].difference(shapely.union_all([plugs[j] for j in idx.tolist()]))
    return shapely.GeometryCollection(parts)


class _Budget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise LimitExceeded(f"the model would have more than {self.limit} vertices (maxVertices)",
                                code="vertex_limit")


def _attach(node: Node, part: MeshPart | None, budget: _Budget) -> None:
    if part is None:
        return
    budget.take(part.vertex_count)
    node.parts.append(part)


def _prune(node: Node) -> bool:
    """Drop nodes with neither geometry nor children; returns whether ``node`` stays."""
    node.children = [c for c in node.children if _prune(c)]
    return bool(node.parts or node.children or node.extras.get("labels"))
