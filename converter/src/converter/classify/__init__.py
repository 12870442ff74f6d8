"""Classify a plan in metres into a :class:`Building`: walls, openings, rooms, columns, lines.

Why one orchestrator over small pure helpers: each helper (layers, walls, openings, rooms) is
testable on a tiny plan; this module only routes primitives by category and keeps what no helper
used visible as lines, so nothing disappears.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import shapely
from shapely.geometry import Polygon

from ..options import Options
from ..plan.model import Path, Plan, Region
from ..runtime.parallel import fork_map
from .geometry import door_leaves, door_swings, says_not_wall, walls_by_geometry
from .layers import ANNOTATION_KINDS, LayerClassifier, category_of_name
from .model import Building, Opening, Room, WallPiece
from .openings import Placements, WallIndex, group_instances, opening_placements, openings_from
from .rooms import name_candidates, name_open_plans, name_rooms, rooms_from_boundaries, rooms_from_walls
from .single import MIN_NETWORK, grow_to_centre_lines, network_share, single_line_walls
from .faces import rooms_from_faces
from .gaps import MAX_PASSAGE
from .single import components as _label
from .union import union_by_component
from .walls import polygon_thickness, segments_of, wall_pieces
from .windows import windows_in_gaps

__all__ = ["classify_plan", "Building", "Opening", "Room", "WallPiece"]

MAX_LABELS = 5000


def _without_ignored_layers(plan: Plan, layer_cat: LayerClassifier) -> Plan:
    """Drop what sits on layers the user mapped to ``ignore`` (title blocks, xrefs of the site…)."""
    keep = lambda prims: [x for x in prims if layer_cat.mapped(x.layer) != "ignore"]  # noqa: E731
    return dataclasses.replace(plan, paths=keep(plan.paths), regions=keep(plan.regions), texts=keep(plan.texts),
                               faces=keep(plan.faces))


def classify_plan(plan: Plan, opts: Options) -> Building:
    """Route every primitive of ``plan`` to its category and derive the building elements."""
    layer_cat = LayerClassifier(opts.layerMapping)
    if "ignore" in (opts.layerMapping or {}).values():
        plan = _without_ignored_layers(plan, layer_cat)
    b = Building()
    by_cat: dict[str, tuple[list[Path], list[Region]]] = {}

    def category(prim) -> str:
        if prim.kind in ANNOTATION_KINDS:
            return "annotation"
        cat = layer_cat(prim.layer)
        if cat == "other" and prim.group:
            cat = _block_category(prim.group, plan.groups) or cat
        if prim.kind == "MLINE" and cat == "other" and not layer_cat.mapped(prim.layer):
            cat = "wall"  # a multiline is a wall drawn as one entity, whatever its layer
        return cat

    for p in plan.paths:
        by_cat.setdefault(category(p), ([], []))[0].append(p)
    for r in plan.regions:
        by_cat.setdefault(category(r), ([], []))[1].append(r)
    for layer in {p.layer for p in plan.paths} | {r.layer for r in plan.regions} | \
            {t.layer for t in plan.texts} | {f.layer for f in plan.faces}:
        b.layer_categories[layer] = layer_cat(layer)
    empty: tuple[list[Path], list[Region]] = ([], [])

    _wide_walls(by_cat, layer_cat, opts)
    # Walls: by name first, then by geometry on layers no name or mapping classified.
    wpaths, wregions = by_cat.get("wall", empty)
    # a door drawn on the wall layer: its leaf (a line, a thin rectangle) pairs like a wall
    leaves = door_leaves(wpaths) if any(p.arc is not None for p in wpaths) else set()
    pieces, leftovers = wall_pieces([p for p in wpaths if id(p) not in leaves], wregions, opts)
    leftovers += [p for p in wpaths if id(p) in leaves]
    unnamed, named_other = _unclassified(by_cat.get("other", empty)[0], layer_cat)
    # Windows drawn as bare lines between the named walls' jambs, before those lines pair as walls.
    known = [prim for k in ("door", "window") for part in by_cat.get(k, empty) for prim in part]
    gap_windows, unnamed = windows_in_gaps(pieces, unnamed, known)
    geo_pieces, unnamed = walls_by_geometry(unnamed, opts)
    geo_pieces, loose = _connected(pieces, geo_pieces)
    for pc in loose:  # furniture pairs (desks, tables) standing alone: lines again
        _ring_lines(b, "other", Region(np.asarray(pc.polygon.exterior.coords)[:-1], [], pc.layer))
    by_cat["other"] = (named_other + unnamed, by_cat.get("other", empty)[1])
    pieces = pieces + geo_pieces
    if not pieces:
        fill_pieces = _unnamed_fills(by_cat, layer_cat, opts)
        pieces = pieces + fill_pieces
        geo_pieces = geo_pieces + fill_pieces
    line_pieces, leftovers, unnamed = _single_line(pieces, leftovers, unnamed, opts, plan.texts)
    if line_pieces:
        by_cat["other"] = (named_other + unnamed, by_cat["other"][1])
        b.stats["wallsBySingleLines"] = len(line_pieces)
        b.warnings.append(f"{len(line_pieces)} wall pieces drawn as single lines, given a thickness of "
                          f"{opts.singleLineWallThickness} m (singleLineWallThickness)")
    pieces = pieces + line_pieces
    b.pieces = pieces

    # Doors and windows
    items = [(k, prim) for k in ("door", "window") for prim in
             by_cat.get(k, empty)[0] + by_cat.get(k, empty)[1]]
    walls = WallIndex.of(pieces)
    instances = group_instances(items, plan.groups, layer_cat) + gap_windows
    # Swings on unclassified layers, and on wall layers (a plan drawn on one layer "WALLS")
    on_walls = [p for p in leftovers if p.arc is not None or id(p) in leaves]
    swings, rest = door_swings(unnamed + on_walls, lambda x, y, d: bool(len(walls.near(shapely.Point(x, y), d))))
    kept = {id(p) for p in rest}
    unnamed = [p for p in unnamed if id(p) in kept]
    leftovers = [p for p in leftovers if id(p) in kept or not (p.arc is not None or id(p) in leaves)]
    if swings:
        by_cat["other"] = (named_other + unnamed, by_cat["other"][1])
        instances = instances + swings
    for p in leftovers:
        _line(b, "wall", p)
    swing_ids = {id(inst) for inst in swings}

    placed = openings_from(instances, Placements.concat(
        fork_map(lambda chunk: opening_placements(list(chunk), walls), instances)))
    for inst, op in zip(instances, placed):
        if op is not None:
            b.openings.append(op)
        elif inst.paths or inst.regions:
            b.warnings.append(f"a {inst.kind} symbol on layer {inst.layer!r} is no plausible opening; kept as lines")
        for p in inst.paths:
            _line(b, inst.kind, p)
        for r in inst.regions:
            _ring_lines(b, inst.kind, r)
    _geometry_report(b, geo_pieces, len(pieces) - len(geo_pieces) - len(line_pieces),
                     sum(1 for inst, op in zip(instances, placed) if op is not None and id(inst) in swing_ids))
    unhosted = sum(1 for o in b.openings if not o.hosted)
    if unhosted:
        b.warnings.append(f"{unhosted} door/window symbols have no wall around them")

    # Columns
    cpaths, cregions = by_cat.get("column", empty)
    col_polys: dict[str, list] = {}
    for p in cpaths:
        if p.closed and len(p.points) >= 3:
            col_polys.setdefault(p.layer, []).append(Polygon(p.points))
        else:
            _line(b, "column", p)
    for r in cregions:
        col_polys.setdefault(r.layer, []).append(Polygon(r.exterior, r.holes))
    for layer, polys in col_polys.items():
        geom = shapely.unary_union([shapely.make_valid(g) for g in polys])
        if not geom.is_empty:
            b.columns[layer] = geom

    # Wall footprints per layer and, where no room layer draws them, the rooms the walls enclose.
    rpaths, rregions = by_cat.get("room", empty)
    b.rooms = rooms_from_boundaries(rpaths, rregions, opts.minRoomArea)
    by_layer: dict[str, list] = {}
    for piece in pieces:
        by_layer.setdefault(piece.layer, []).append(piece.polygon)
    for layer, polys in by_layer.items():
        b.walls[layer] = union_by_component(polys)
    if not b.rooms and b.walls:
        footprint = next(iter(b.walls.values())) if len(b.walls) == 1 else \
            union_by_component([g for w in b.walls.values() for g in getattr(w, "geoms", [w])])
        b.rooms = rooms_from_walls(footprint, [o.plug for o in b.openings if o.hosted], opts.minRoomArea)
        if line_pieces and len(line_pieces) == len(pieces):
            grow_to_centre_lines(b.rooms, opts.singleLineWallThickness)
    for p in rpaths:
        if not p.closed:
            _line(b, "room", p)
    name_rooms(b.rooms, plan.texts)

    # Everything else stays visible as lines at floor level.
    for cat in ("stair", "annotation", "other"):
        paths, regions = by_cat.get(cat, empty)
        for p in paths:
            _line(b, cat, p)
        for r in regions:
            _ring_lines(b, cat, r)
    # Names the walls' rooms missed: rooms from the faces of the lines around them.
    by_lines = rooms_from_faces(b, plan.texts, opts.minRoomArea)
    if by_lines:
        b.stats["roomsByLines"] = by_lines
    open_plans = name_open_plans(b.rooms, plan.texts)
    if open_plans:
        b.stats["openPlanRooms"] = open_plans
    for f in plan.faces:
        b.faces.setdefault(f.layer, []).append(f.triangles)
    for t in plan.texts[:MAX_LABELS]:
        b.labels.append((t.text, float(t.position[0]), float(t.position[1]), t.layer))
    if len(plan.texts) > MAX_LABELS:
        b.warnings.append(f"only the first {MAX_LABELS} of {len(plan.texts)} texts kept as labels")
    return b


#: Least total length (m) of a group of touching walls found by geometry alone; shorter groups
#: standing apart from every other wall are furniture (desks, tables, counters).
_MIN_LOOSE_WALLS = 4.0


def _connected(named: list[WallPiece], geo: list[WallPiece]) -> tuple[list[WallPiece], list[WallPiece]]:
    """Split walls found by geometry into those joined to the wall network and loose short ones.

    Pieces join when they touch, or when one continues along its axis to another across the gap
    of an opening (up to :data:`~.gaps.MAX_PASSAGE`); furniture stands apart from both.
    """
    if not geo:
        return geo, []
    pieces = named + geo
    polys = np.asarray([pc.polygon for pc in pieces], dtype=object)
    tree = shapely.STRtree(polys)
    a, b = tree.query(polys, predicate="dwithin", distance=0.02)
    rays, owner = [], []
    for k, pc in enumerate(pieces):
        if pc.axis is None:
            continue
        u = np.asarray(pc.axis, dtype=float)
        xy = shapely.get_coordinates(pc.polygon)
        t = xy @ u
        c = xy.mean(axis=0) - u * float(t.mean())
        for end, d in ((float(t.max()), u), (float(t.min()), -u)):
            o = c + u * end + d * 0.03
            rays.append(np.stack((o, o + d * MAX_PASSAGE)))
            owner.append(k)
    ri = np.zeros(0, dtype=np.intp)
    if rays:
        ray_arr = np.asarray(rays)
        ri, pi = tree.query(shapely.linestrings(ray_arr), predicate="intersects")
    if len(ri):
        # only the first piece each ray meets
        dist = shapely.distance(shapely.points(ray_arr[ri, 0]), polys[pi])
        order = np.lexsort((dist, ri))
        ri, pi = ri[order], pi[order]
        first = np.r_[True, ri[1:] != ri[:-1]]
        ri, pi = ri[first], pi[first]
        own = np.asarray(owner)[ri]
        axes = np.array([pc.axis if pc.axis is not None else (np.nan, np.nan) for pc in pieces], dtype=float)
        parallel = np.abs(axes[own, 0] * axes[pi, 1] - axes[own, 1] * axes[pi, 0]) < 0.05  # a wall going on
        a, b = np.concatenate((a, own[parallel])), np.concatenate((b, pi[parallel]))
    label = _label(len(pieces), a, b)
    _, inv = np.unique(label, return_inverse=True)
    half = shapely.length(polys) / 2
    axis = (half + np.sqrt(np.maximum(half * half - 4 * shapely.area(polys), 0.0))) / 2  # a quad's long side
    length = np.bincount(inv, weights=axis)
    has_named = np.zeros(len(length), dtype=bool)
    has_named[inv[:len(named)]] = True
    ok = has_named | (length >= _MIN_LOOSE_WALLS)
    if named:
        ok &= ~_site_lines(polys, inv, len(named), ok & ~has_named)
    keep = ok[inv[len(named):]]
    return [pc for pc, k in zip(geo, keep) if k], [pc for pc, k in zip(geo, keep) if not k]


#: How far outside the named walls' extent a group of walls found by geometry still belongs to the building, m.
_SITE_MARGIN = 1.0


def _site_lines(polys: np.ndarray, inv: np.ndarray, n_named: int, candidates: np.ndarray) -> np.ndarray:
    """Per group, of the ``candidates`` (kept groups no named wall joins): pairs of lines outside the
    building that enclose nothing — garden walls, kerbs, paths and plot lines of a site plan drawn
    around the building (a detached garage, which encloses a room, stays)."""
    x0, y0, x1, y1 = shapely.total_bounds(polys[:n_named])
    extent = shapely.box(x0 - _SITE_MARGIN, y0 - _SITE_MARGIN, x1 + _SITE_MARGIN, y1 + _SITE_MARGIN)
    site = np.zeros(len(candidates), dtype=bool)
    for g in np.flatnonzero(candidates):
        members = polys[np.flatnonzero(inv == g)]
        if shapely.intersects(extent, members).any():
            continue
        joined = shapely.unary_union(shapely.buffer(members, 0.05, join_style="mitre"))
        encloses = any(Polygon(ring).area >= 1.0 for part in shapely.get_parts(joined)
                       for ring in getattr(part, "interiors", []))
        site[g] = not encloses
    return site


#: Wall-wide polylines on one unnamed layer that make it a wall layer.
_MIN_WIDE = 3


#: Wall-thin fills on one unnamed layer that make it a wall layer (in a plan without other walls).
_MIN_FILLS = 3


def _unnamed_fills(by_cat: dict, layer_cat: LayerClassifier, opts: Options) -> list[WallPiece]:
    """Hatches and solids on unnamed layers drawn wall-thin: the walls of a plan that names none
    (a solid fill on layer 0). Taken from "other" in place."""
    paths, regions = by_cat.get("other", ([], []))
    thin: dict[str, list[tuple[Region, Polygon]]] = {}
    for r in regions:
        if layer_cat.mapped(r.layer) or says_not_wall(r.layer) or len(r.exterior) < 3:
            continue
        poly = shapely.make_valid(Polygon(r.exterior, [h for h in r.holes if len(h) >= 3]),
                                  method="structure", keep_collapsed=False)
        for part in shapely.get_parts(shapely.get_parts(poly)):
            if isinstance(part, Polygon) and part.area > 1e-4 and polygon_thickness(part) <= opts.maxWallThickness:
                thin.setdefault(r.layer, []).append((r, part))
    pieces: list[WallPiece] = []
    used: set[int] = set()
    for layer, found in thin.items():
        if len({id(r) for r, _ in found}) >= _MIN_FILLS:
            pieces += [WallPiece(part, layer, "hatch") for _, part in found]
            used |= {id(r) for r, _ in found}
    if used:
        by_cat["other"] = (paths, [r for r in regions if id(r) not in used])
    return pieces


def _wide_walls(by_cat: dict, layer_cat: LayerClassifier, opts: Options) -> None:
    """Polylines of wall width on unnamed layers are walls drawn by their centre line (in place),
    where a layer holds several of them (one wide line is a border or an arrow)."""
    paths, regions = by_cat.get("other", ([], []))
    wide: dict[str, list[Path]] = {}
    for p in paths:
        if opts.minWallThickness <= p.width <= opts.maxWallThickness and not layer_cat.mapped(p.layer) \
                and not says_not_wall(p.layer):
            wide.setdefault(p.layer, []).append(p)
    moved = {id(p) for group in wide.values() if len(group) >= _MIN_WIDE for p in group}
    if moved:
        by_cat["other"] = ([p for p in paths if id(p) not in moved], regions)
        wall = by_cat.setdefault("wall", ([], []))
        wall[0].extend(p for p in paths if id(p) in moved)


def _single_line(pieces: list[WallPiece], leftovers: list[Path], unnamed: list[Path], opts: Options,
                 texts: list) -> tuple[list[WallPiece], list[Path], list[Path]]:
    """Walls drawn as single lines: on wall layers whose lines form a network but few pairs, or,
    in a plan where nothing else gave walls, on the unnamed layers (see :mod:`.single`)."""
    t = opts.singleLineWallThickness
    paired: dict[str, float] = {}
    for pc in pieces:
        paired[pc.layer] = paired.get(pc.layer, 0.0) + pc.polygon.length / 2
    by_layer: dict[str, list[Path]] = {}
    for p in leftovers:
        by_layer.setdefault(p.layer, []).append(p)
    found: list[WallPiece] = []
    rest: list[Path] = []
    for layer, group in by_layer.items():
        segs, _ = segments_of(group)
        total = float(np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1]).sum()) if len(segs) else 0.0
        if total < MIN_NETWORK or paired.get(layer, 0.0) >= 0.25 * total:  # cheap bound: net ≤ total
            rest += group
            continue
        net = network_share(group)
        if net >= MIN_NETWORK and paired.get(layer, 0.0) < 0.25 * net:
            got, left = single_line_walls(group, t)
            found += got
            rest += left
        else:
            rest += group
    if found or pieces:
        return found, rest, unnamed
    free = [p for p in unnamed if not says_not_wall(p.layer)]
    names = np.array([texts[k].position for k in name_candidates(texts)], dtype=float).reshape(-1, 2)
    got, left = single_line_walls(free, t, need_swing=True, names=names)
    if not got:
        return [], rest, unnamed
    return got, rest, left + [p for p in unnamed if says_not_wall(p.layer)]


def _unclassified(paths: list[Path], layer_cat: LayerClassifier) -> tuple[list[Path], list[Path]]:
    """Split "other" paths into those of layers nothing classified and those mapped to "other".

    Why: ``layerMapping`` to "other" is the user's word that a layer holds nothing to find.
    """
    free, kept = [], []
    for p in paths:
        (kept if layer_cat.mapped(p.layer) else free).append(p)
    return free, kept


def _geometry_report(b: Building, geo_pieces: list[WallPiece], named: int, swing_doors: int) -> None:
    """Counts and a warning, so staff know which walls and doors geometry (not names) decided."""
    layers = sorted({pc.layer for pc in geo_pieces})
    b.stats.update(wallsByName=named, wallsByGeometry=len(geo_pieces), wallLayersByGeometry=len(layers),
                   doorsByGeometry=swing_doors)
    if geo_pieces:
        b.warnings.append(f"{len(geo_pieces)} wall pieces found by geometry (parallel lines) on layers "
                          f"{', '.join(map(repr, layers))} whose names say nothing; please check them")
    if swing_doors:
        b.warnings.append(f"{swing_doors} doors found by geometry (swing arcs) on unclassified layers")


def _block_category(group: int, groups: dict) -> str | None:
    g = group
    while g:
        info = groups.get(g)
        if info is None:
            return None
        cat = category_of_name(info.block)
        if cat in ("door", "window", "column", "stair"):
            return cat
        g = info.parent
    return None


def _line(b: Building, cat: str, p: Path) -> None:
    pts = p.points
    if p.closed and len(pts) > 2:
        pts = np.vstack((pts, pts[:1]))
    if len(pts) >= 2:
        b.add_line(cat, p.layer, pts)


def _ring_lines(b: Building, cat: str, r: Region) -> None:
    for ring in [r.exterior, *r.holes]:
        if len(ring) >= 2:
            b.add_line(cat, r.layer, np.vstack((ring, ring[:1])))
