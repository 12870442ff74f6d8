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
from ..runtime.parallel import fork_all
from .mesh import LineBatch, TriangleBatch, polygons_of, prism_triangles, split_parts, triangle_arrays
from .openings import opening_instances
from .scene import MeshPart, Node

__all__ = ["build_scene", "LINE_HEIGHT", "Node", "MeshPart"]

#: Floor lines sit just above the slabs' top (y = 0) so they do not flicker.
LINE_HEIGHT = 0.003
#: Openings per wall polygon up to which they are cut one vectorised round at a time.
_CUT_ROUNDS = 8
#: Rooms from which their slabs are built on the second core (below, a fork costs more).
_FORK_ROOMS = 500
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

    def walls() -> list[tuple[str, float, MeshPart | None]]:
        out = []
        for layer, geom in b.walls.items():
            batch = TriangleBatch()
            solid = _cut(geom, plugs, plug_tree)
            batch.add_prism(solid, 0.0, opts.wallHeight)
            out.append((layer, float(solid.area), batch.part("wall", origin)))
        return out

    # Walls here, room slabs (plain arrays, cheap to send) on the other core.
    built_walls, slab_arrays = fork_all([walls, lambda: _room_slabs(b.rooms, -opts.slabThickness, 0.0, origin)],
                                        worth_it=len(b.rooms) >= _FORK_ROOMS)
    for layer, area, part in built_walls:
        node = layer_node("wall", layer)
        node.extras["pieces"] = sum(1 for p in b.pieces if p.layer == layer)
        node.extras["footprintArea"] = round(area, 3)
        _attach(node, part, budget)
    for kind in ("door", "window"):
        ops = [o for o in b.openings if o.kind == kind]
        for layer in sorted({o.layer for o in ops}):
            mine = [o for o in ops if o.layer == layer]
            node = layer_node(kind, layer)
            node.extras["count"] = len(mine)
            node.extras["widths"] = [round(o.width, 3) for o in mine][:1000]
            instances, vertices = opening_instances(mine, opts, origin)
            budget.take(vertices)
            node.children.extend(instances)
    for layer, geom in b.columns.items():
        batch = TriangleBatch()
        batch.add_prism(geom, 0.0, opts.wallHeight)
        node = layer_node("column", layer)
        _attach(node, batch.part("column", origin), budget)
    slabs = split_parts("floor", *slab_arrays) if slab_arrays is not None else [None] * len(b.rooms)
    for k, (room, slab) in enumerate(zip(b.rooms, slabs)):
        parent = layer_node("room", room.layer)
        title = room.name or f"Room {k + 1}"
        node = Node(f"room: {title} ({room.area:.2f} m²)",
                    extras={"category": "room", "name": room.name, "area": room.area,
                            "layer": room.layer, "source": room.source})
        if b.floors:
            node.extras["floor"] = _floor_at(b.floors, room.polygon.representative_point().x)
        _attach(node, slab, budget)
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
    _mark_floors(root, b.floors)
    root.extras["vertices"] = budget.used
    return root


def _room_slabs(rooms: list, z0: float, z1: float, origin: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Floor slab arrays of all rooms, extruded in one go (a big plan has thousands of rooms)."""
    polys, owner = [], []
    for k, room in enumerate(rooms):
        mine = polygons_of(room.polygon)
        polys.extend(mine)
        owner.extend([k] * len(mine))
    if not polys:
        return None
    tris, poly_of = prism_triangles(polys, z0, z1)
    return triangle_arrays(tris, np.asarray(owner, dtype=np.intp)[poly_of], len(rooms), origin)


def _cut(geom, plugs: list, tree) -> shapely.Geometry:
    """Wall footprint minus the openings, polygon by polygon (a global difference is slow),
    all differences in one GEOS call."""
    if tree is None:
        return geom
    polys = np.asarray(polygons_of(geom), dtype=object)
    if not len(polys):
        return geom
    hits, near = tree.query(polys, predicate="intersects")
    if not len(hits):
        return geom
    order = np.argsort(hits, kind="stable")
    hits, near = hits[order], near[order]
    cut, first, count = np.unique(hits, return_index=True, return_counts=True)
    plug_arr = np.asarray(plugs, dtype=object)
    parts = polys.copy()
    # A polygon with a few openings loses them one round at a time (one call per round);
    # one with many loses their union at once (rounds would redo its big outline each time).
    many = count > _CUT_ROUNDS
    for k in np.flatnonzero(many).tolist():
        parts[cut[k]] = parts[cut[k]].difference(shapely.union_all(plug_arr[near[first[k]:first[k] + count[k]]]))
    rank = np.arange(len(hits)) - np.repeat(first, count)
    few = ~np.repeat(many, count)
    for r in range(int(count[~many].max(initial=0))):
        sel = few & (rank == r)
        parts[hits[sel]] = shapely.difference(parts[hits[sel]], plug_arr[near[sel]])
    return shapely.GeometryCollection(list(parts))


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


def _floor_at(floors: list[tuple[str, float, float]], x: float) -> int:
    """Index of the floor whose x range holds (or lies nearest) ``x``."""
    return min(range(len(floors)), key=lambda k: max(floors[k][1] - x, x - floors[k][2], 0.0))


def _mark_floors(root: Node, floors: list[tuple[str, float, float]]) -> None:
    """``extras.floor`` on every per-floor layer node (``page N|…`` layers) and the list of floors
    on the root, so a kiosk can show one floor (three.js reads extras into ``userData``)."""
    if not floors:
        root.extras["floors"] = [{"index": 0, "name": "ground floor"}]
        return
    root.extras["floors"] = [{"index": k, "name": name} for k, (name, _, _) in enumerate(floors)]
    index = {name: k for k, (name, _, _) in enumerate(floors)}
    stack = [root]
    while stack:
        node = stack.pop()
        layer = node.extras.get("layer")
        if isinstance(layer, str) and "|" in layer and layer.split("|", 1)[0] in index:
            node.extras["floor"] = index[layer.split("|", 1)[0]]
            continue  # its children go with it
        stack.extend(node.children)


def _prune(node: Node) -> bool:
    """Drop nodes with neither geometry nor children; returns whether ``node`` stays."""
    node.children = [c for c in node.children if _prune(c)]
    return bool(node.parts or node.children or node.extras.get("labels"))
