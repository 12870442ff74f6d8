"""Rooms from the faces of the drawn lines, for room names the walls gave no room of their own.

Why a second source: wall finding can miss (a sketch with one line per wall and no door swings,
a wall layer the plan names oddly), and then a visitor looks in vain for a room whose name is
written right there. Every plan still encloses each named room with lines, so the smallest face
of the line network around a name is that room, provided the network holds only what bounds
rooms: wall outlines, door and window openings closed across the wall, and the remaining lines
minus furniture (small free-standing shapes), symbols, hatching and annotation. The face then
has the room's true outline, where the bare "smallest face of all lines" stops at the nearest
desk or door swing.

Two cases, both from names the walls' rooms did not take:
- a name in no room: its face becomes a room;
- a second name, as prominent as the first, inside a room: the walls merged two rooms (an
  opening nothing closed); its face, where lines part it from the first name's, is cut out.
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Polygon

from ..plan.model import Text
from .model import Building, Room
from .rooms import is_room_word, looks_like_a_name, name_candidates, room_name
from .single import furniture_chains
from .union import touching_components

__all__ = ["rooms_from_faces"]

#: Line categories that may bound a room (door, window, stair and annotation lines never do).
_BOUNDING = ("wall", "other", "room", "column")
#: Free-standing groups of lines smaller than this (largest extent, m) are furniture.
_FURNITURE_EXTENT = 2.5
#: A face is no room when more than this share of it is holes (it surrounds a building or a sheet).
_MAX_HOLES = 0.2
#: Largest room a face may give (m²); beyond, the face is a site or a sheet frame.
_MAX_AREA = 2000.0
#: Lines farther than this (m) from every candidate name do not matter.
_REACH = 40.0
#: Most lines the face network takes (noding cost grows faster than linearly).
_MAX_LINES = 30000
#: Least share of a parted room's outline along walls and openings (a desk's is about a third).
_WALLED = 0.6
#: A second name must be at least this tall relative to the room's own name to part the room.
_SAME_STYLE = 0.75


def rooms_from_faces(b: Building, texts: list[Text], min_area: float) -> int:
    """Add rooms for names the wall rooms missed (in place); returns how many rooms changed."""
    cands = [k for k in name_candidates(texts) if looks_like_a_name(texts[k].text)]
    if not cands:
        return 0
    rooms = b.rooms
    polys = np.array([r.polygon for r in rooms], dtype=object)
    pts = shapely.points(np.array([texts[k].position for k in cands], dtype=float))
    tree = shapely.STRtree(polys) if len(polys) else None
    by_name = _by_name(texts)
    loose: list[int] = []          # candidates in no room
    second: list[tuple[int, int]] = []  # (candidate, room) for a second name in a named room
    for j, k in enumerate(cands):
        hit = tree.query(pts[j], predicate="within") if tree is not None else np.zeros(0, dtype=np.intp)
        if not len(hit):
            loose.append(j)
            continue
        r = int(hit[0])
        room = rooms[r]
        name = room_name(texts[k])
        if room.name and room.name != name and texts[k].height >= _SAME_STYLE * _name_height(room, by_name):
            second.append((j, r))
    if not loose and not second:
        return 0
    faces = _faces(b, pts[[j for j in loose] + [j for j, _ in second]])
    if faces is None or not len(faces):
        return 0
    face_tree = shapely.STRtree(faces)
    changed = 0
    used: set[int] = set()
    # Per face, the name that is tallest, then nearest its middle (a person's name sits at a desk).
    best: dict[int, int] = {}
    for j in loose:
        k = _smallest_index(face_tree, faces, pts[j], min_area)
        if k is None:
            continue
        if k not in best or _rank(texts[cands[j]], faces[k]) < _rank(texts[cands[best[k]]], faces[k]):
            best[k] = j
    for k, j in best.items():
        face = faces[k]
        used.add(k)
        if len(polys) and float(shapely.intersection(face, shapely.union_all(polys[tree.query(face)])).area) \
                > 0.1 * face.area:
            continue  # lines and walls disagree here; the walls' rooms stand
        text = texts[cands[j]]
        name = room_name(text)
        if b.walls and not is_room_word(text.text):
            if _on_walls(face, b) < _WALLED:
                continue  # where walls were found, a room of lines is walled or says it is a room
            # A walled space the walls' rooms missed is a room, but with walls found, a text in it
            # that names no kind of room is a note ("Decke neu", "Gitterrost") more often than not.
            name = ""
        rooms.append(Room(face, name, round(float(face.area), 2), "", "lines"))
        changed += 1
    for j, r in second:
        room = rooms[r]
        face = _smallest(face_tree, faces, pts[j], min_area, used)
        if face is None:
            continue
        part = shapely.intersection(face, room.polygon)
        rest = shapely.difference(room.polygon, face)
        own = _name_point(room, by_name)
        if part.area < min_area or part.area > 0.8 * room.polygon.area or own is None or part.contains(own):
            continue
        if b.walls and _on_walls(part, b) < _WALLED:
            continue  # a desk or a table with a person's name on it, not a room
        keep = _largest_containing(rest, own)
        if keep is None or keep.area < min_area:
            continue
        room.polygon, room.area = keep, round(float(keep.area), 2)
        part = max(shapely.get_parts(part), key=lambda g: g.area)
        if isinstance(part, Polygon):
            text = texts[cands[j]]
            rooms.append(Room(part, room_name(text) if is_room_word(text.text) else "",
                              round(float(part.area), 2), "", "lines"))
            changed += 1
    return changed


def _faces(b: Building, near: np.ndarray) -> np.ndarray | None:
    """The faces of the room-bounding line network around the points ``near``."""
    lines = [shapely.boundary(g) for g in b.walls.values()]
    lines += [shapely.boundary(o.plug) for o in b.openings if o.hosted]
    free = [shapely.linestrings(pl) for (cat, _), pls in b.lines.items() if cat in _BOUNDING
            for pl in pls if len(pl) >= 2]
    if free:
        free_arr = np.array(free, dtype=object)
        window = shapely.buffer(shapely.multipoints(shapely.get_coordinates(near)).envelope, _REACH)
        free_arr = free_arr[shapely.intersects(free_arr, window)]
        free_arr = _without_furniture(free_arr, lines)
        lines += list(free_arr)
    lines = [g for g in lines if g is not None and not g.is_empty]
    if not lines or len(lines) > _MAX_LINES:
        return None
    noded = shapely.union_all(np.array(lines, dtype=object))
    faces = np.array(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))), dtype=object)
    if not len(faces):
        return faces
    area = shapely.area(faces)
    hull = shapely.area(shapely.polygons(shapely.get_exterior_ring(faces)))
    ok = (area <= _MAX_AREA) & (hull - area <= _MAX_HOLES * hull)
    return faces[ok]


def _without_furniture(lines: np.ndarray, walls: list) -> np.ndarray:
    """Drop free-standing small groups of lines (desks, tables, fixtures drawn loose) and
    furniture drawn against a wall line (see :func:`.single.furniture_chains`)."""
    if not len(lines):
        return lines
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    inside = owner[1:] == owner[:-1]
    segs = np.hstack((coords[:-1][inside], coords[1:][inside]))
    if len(segs):
        keep = ~furniture_chains(segs, np.zeros((0, 2)))
        lines = shapely.linestrings(segs[keep].reshape(-1, 2, 2))
    if not len(lines):
        return lines
    label = touching_components(lines, 0.01)
    _, inv = np.unique(label, return_inverse=True)
    bounds = shapely.bounds(lines)
    n = int(inv.max()) + 1
    lo = np.full((n, 2), np.inf)
    hi = np.full((n, 2), -np.inf)
    np.minimum.at(lo, inv, bounds[:, :2])
    np.maximum.at(hi, inv, bounds[:, 2:])
    small = np.max(hi - lo, axis=1) < _FURNITURE_EXTENT
    if walls and small.any():
        wall_union = shapely.union_all(np.array(walls, dtype=object))
        touching = shapely.dwithin(lines, wall_union, 0.01)
        on_wall = np.zeros(n, dtype=bool)
        on_wall[inv[touching]] = True
        small &= ~on_wall
    return lines[~small[inv]]


def _smallest_index(tree: shapely.STRtree, faces: np.ndarray, pt, min_area: float) -> int | None:
    hit = [k for k in tree.query(pt, predicate="within").tolist() if faces[k].area >= min_area]
    return min(hit, key=lambda k: faces[k].area) if hit else None


def _rank(t: Text, face: Polygon) -> tuple:
    c = face.centroid
    return (not is_room_word(t.text), -round(t.height, 3), float(np.hypot(t.position[0] - c.x, t.position[1] - c.y)))


def _smallest(tree: shapely.STRtree, faces: np.ndarray, pt, min_area: float, used: set[int]) -> Polygon | None:
    """The smallest room-sized face around ``pt``; None when another name took it already."""
    k = _smallest_index(tree, faces, pt, min_area)
    if k is None or k in used:
        return None
    used.add(k)
    return faces[k]


def _on_walls(face: Polygon, b: Building) -> float:
    """Share of the face's outline that runs along walls or openings."""
    edge = face.exterior
    walls = [g for g in b.walls.values()] + [o.plug for o in b.openings if o.hosted]
    near = shapely.intersection(edge, shapely.buffer(shapely.union_all(np.array(walls, dtype=object)), 0.05))
    return float(near.length) / max(edge.length, 1e-9)


def _by_name(texts: list[Text]) -> dict[str, list[Text]]:
    out: dict[str, list[Text]] = {}
    for t in texts:
        if t.text.strip():
            out.setdefault(room_name(t), []).append(t)
    return out


def _name_height(room: Room, by_name: dict[str, list[Text]]) -> float:
    own = [t.height for t in by_name.get(room.name, ()) if room.polygon.contains(shapely.Point(*t.position))]
    return max(own) if own else 0.0


def _name_point(room: Room, by_name: dict[str, list[Text]]):
    for t in by_name.get(room.name, ()):
        p = shapely.Point(*t.position)
        if room.polygon.contains(p):
            return p
    return None


def _largest_containing(geom, pt) -> Polygon | None:
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon)]
    inside = [g for g in parts if g.contains(pt)]
    return inside[0] if inside else None
