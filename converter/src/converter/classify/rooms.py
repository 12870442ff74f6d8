"""Rooms: closed boundaries on room layers, or the spaces the walls (with openings closed) enclose.

Why both: many plans carry explicit room polygons (A-AREA, 실, Raum); the others still show
rooms as the holes of the wall footprint once door and window gaps are plugged. Each room takes
its name from the text inside it, preferring words over numbers (areas, room numbers).
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from ..plan.model import Path, Region, Text
from .gaps import gap_bridges
from .model import Room
from .union import touching_components, union_by_component

__all__ = ["rooms_from_boundaries", "rooms_from_walls", "name_rooms", "name_open_plans", "name_candidates", "is_room_word",
           "looks_like_a_name", "room_name", "ROOM_WORDS"]

_NUMBERS = re.compile(r"^[\s\d.,:;+\-×x*/()²³'\"]*$")
#: Units of area and length written after a number: "12,5 m²", "150 sq ft", "13.0帖", "6畳", "20평".
_UNIT_WORDS = frozenset("m m2 m² ㎡ qm sqm sq ft sf sqft cm mm 帖 畳 坪 평 jo tsubo".split())
_DIGIT = re.compile(r"\d")


def _numeric(text: str) -> bool:
    """A number, an area or a dimension ("12,5 m²", "13.0帖", "3.20 x 4.10"): never a room's name."""
    if _NUMBERS.match(text):
        return True
    if not _DIGIT.search(text):
        return False
    rest = re.sub(r"[\d.,:;+\-×*/()'\"\s]+", " ", text.casefold()).split()
    return all(w in _UNIT_WORDS or w == "x" for w in rest)


def rooms_from_boundaries(paths: list[Path], regions: list[Region], min_area: float) -> list[Room]:
    rooms = []
    for p in paths:
        if p.closed and len(p.points) >= 3:
            _append(rooms, Polygon(p.points), p.layer, "boundary", min_area)
    for r in regions:
        _append(rooms, Polygon(r.exterior, r.holes), r.layer, "boundary", min_area)
    return rooms


def rooms_from_walls(walls: BaseGeometry | None, plugs: list[BaseGeometry], min_area: float) -> list[Room]:
    """The interiors enclosed by the wall footprint (a union) once every opening is plugged."""
    if walls is None or walls.is_empty:
        return []
    # Plugs grow by 5 mm so float noise at the jambs cannot leave a sliver joining two rooms.
    grown = shapely.buffer(np.asarray(plugs, dtype=object), 0.005, join_style="mitre") if plugs else []
    rooms: list[Room] = []
    parts = _polygons(_plugged(walls, grown))
    if not len(parts):
        return rooms
    bridges = gap_bridges(parts)
    if bridges:  # gaps no symbol closed: passages, symbols beside or narrower than their gap
        parts = _polygons(_plugged(shapely.multipolygons(parts), bridges))
    rings, owner = shapely.get_rings(parts, return_index=True)
    first = np.r_[True, owner[1:] != owner[:-1]]  # each polygon's first ring is its exterior
    inners, owner = shapely.polygons(rings[~first]), owner[~first]
    # Free-standing walls inside a room are holes of the room; compare locally only (one bulk query).
    ii, jj = shapely.STRtree(parts).query(inners, predicate="intersects")
    other = jj != owner[ii]
    ii, jj = ii[other], jj[other]
    inside: dict[int, list[int]] = {}
    for i, j in zip(ii.tolist(), jj.tolist()):
        inside.setdefault(i, []).append(j)
    for k, inner in enumerate(inners):
        if k in inside:
            inner = inner.difference(shapely.union_all(parts[inside[k]]))
        for part in getattr(inner, "geoms", [inner]):
            if isinstance(part, Polygon):
                _append(rooms, part, "", "walls", min_area)
    return rooms


def _polygons(geoms) -> np.ndarray:
    return np.array([p for g in geoms for p in getattr(g, "geoms", [g])
                     if isinstance(p, Polygon) and not p.is_empty], dtype=object)


def _plugged(walls: BaseGeometry, grown: Sequence[BaseGeometry]) -> np.ndarray:
    """The wall footprint with the openings closed, one geometry per connected component.

    Why not one more union of pieces and plugs: the footprint is already unioned, so each
    component needs a single overlay of its walls with all its (unioned) plugs, all components
    in one GEOS call.
    """
    wall_parts = np.asarray([g for g in getattr(walls, "geoms", [walls]) if g.geom_type == "Polygon"], dtype=object)
    if not len(grown):
        return wall_parts
    joined = union_by_component(grown)
    plugs = np.asarray([g for g in getattr(joined, "geoms", [joined]) if g.geom_type == "Polygon"], dtype=object)
    _, comp = np.unique(touching_components(np.concatenate((wall_parts, plugs))), return_inverse=True)
    n = int(comp.max()) + 1

    def per_component(geoms: np.ndarray, of: np.ndarray) -> np.ndarray:
        out = np.full(n, None, dtype=object)
        order = np.argsort(of, kind="stable")
        present = np.unique(of)
        out[present] = shapely.multipolygons(geoms[order], indices=np.searchsorted(present, of[order]))
        return out

    solid = per_component(wall_parts, comp[:len(wall_parts)])
    plugged = per_component(plugs, comp[len(wall_parts):])
    both = np.flatnonzero(shapely.is_geometry(solid) & shapely.is_geometry(plugged))
    solid[both] = shapely.union(solid[both], plugged[both])
    return solid[shapely.is_geometry(solid)]  # plugs touching no wall enclose nothing


def _append(rooms: list[Room], poly: BaseGeometry, layer: str, source: str, min_area: float) -> None:
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
    for part in shapely.get_parts(shapely.get_parts(poly)):
        if isinstance(part, Polygon) and part.area >= min_area:
            rooms.append(Room(part, "", round(float(part.area), 2), layer, source))


def name_rooms(rooms: list[Room], texts: list[Text]) -> None:
    """Give each room the most prominent wordy text inside it (in place).

    Ranking: words before numbers (areas, room numbers, never a name); texts drawn directly
    before texts inside blocks (furniture and fixture blocks label themselves: "Table", "WC-1")
    and before furniture words; words that name rooms ("Kitchen", "Kinderzimmer") before other
    words (a note, a fixture: "Duschtrennwand"); then the taller text (room names are larger than the person or
    phone number beside them); then the one nearer the room's centre. A room no text lies in
    takes the best text just outside it (a label touching a wall), if no other room contains it.
    """
    if not rooms or not texts:
        return
    points = shapely.points(np.array([t.position for t in texts], dtype=float))
    polys = [r.polygon for r in rooms]
    room_idx, text_idx = shapely.STRtree(points).query(polys, predicate="contains")
    found: dict[int, list[int]] = {}
    for r, k in zip(room_idx.tolist(), text_idx.tolist()):
        found.setdefault(r, []).append(k)
    inside = set(text_idx.tolist())
    loose = [k for k in range(len(texts)) if k not in inside and not _numeric(texts[k].text)]
    if loose:
        ti, ri = shapely.STRtree(polys).query(points[loose], predicate="dwithin", distance=_LABEL_REACH)
        for k, r in zip(ti.tolist(), ri.tolist()):
            if r not in found:
                found.setdefault(-1 - r, []).append(loose[k])
    for key, cands in found.items():
        r = key if key >= 0 else -1 - key
        room = rooms[r]
        if room.name:
            continue
        c = room.polygon.representative_point()

        def rank(k: int) -> tuple:
            t = texts[k]
            return (bool(_numeric(t.text)), _demoted(t), not is_room_word(t.text), -round(t.height, 3),
                    float(np.hypot(t.position[0] - c.x, t.position[1] - c.y)))
        cands = [k for k in cands if _letters(texts[k].text) != 1]  # a section mark, "N", a grid letter
        if not cands:
            continue
        best = texts[min(cands, key=rank)]
        if not _numeric(best.text):
            room.name = room_name(best)


def room_name(text: Text) -> str:
    """The name a text gives a room: its first line (a room stamp's name; area and finish below)."""
    return text.text.splitlines()[0].strip()[:120]


#: Another room name in a room counts as one of its zones when at least this tall relative to its own.
_ZONE_HEIGHT = 0.8


def name_open_plans(rooms: list[Room], texts: list[Text]) -> int:
    """Name an open-plan room by every room name written in it (in place): "Wohnen / Küche / Essen".

    Why: living, dining and kitchen often share one space with no line between them (or walls
    pulled down in a refurbishment), and the plan names each zone. Named by its first zone only,
    the space would hide the others from whoever looks for them. Only names made of room words and
    as tall as the room's own name count: a note or a fixture label does not.
    Returns how many rooms were renamed.
    """
    if not rooms or not texts:
        return 0
    points = shapely.points(np.array([t.position for t in texts], dtype=float))
    room_idx, text_idx = shapely.STRtree(points).query([r.polygon for r in rooms], predicate="contains")
    inside: dict[int, list[int]] = {}
    for r, k in zip(room_idx.tolist(), text_idx.tolist()):
        inside.setdefault(r, []).append(k)
    renamed = 0
    for r, ks in inside.items():
        room = rooms[r]
        own = [texts[k] for k in ks if room_name(texts[k]) == room.name]
        if not room.name or not own or not is_room_word(room.name):
            continue
        height = max(t.height for t in own)
        names = [room.name]
        for k in sorted(ks, key=lambda k: (-texts[k].height, texts[k].position[0])):
            t = texts[k]
            name = room_name(t)
            if name in names or _numeric(t.text) or _demoted(t) or _letters(t.text) < 2 or \
                    not _only_room_words(name) or t.height < _ZONE_HEIGHT * height:
                continue
            names.append(name)
        if len(names) > 1:
            room.name = " / ".join(names)[:120]
            renamed += 1
    return renamed


#: Words that join room names ("Küche und Essen", "Kitchen & Dining").
_JOINERS = frozenset({"und", "and", "et", "y", "e", "mit", "with"})


def _only_room_words(name: str) -> bool:
    """Every word of ``name`` names a room (or joins two): "Küche / Essen", "Living Room 2" — never a
    note that holds one ("BRH wie Bestand Bad": sill height as in the bathroom)."""
    words = [w for w in _WORD.findall(name.casefold()) if not w.isdigit()]
    return bool(words) and all(w in _JOINERS or is_room_word(w) for w in words)


#: Words that name rooms, in the languages plans arrive in (casefolded). A text holding one is a
#: room's name for certain; German compounds count by their last part ("Kinderzimmer").
ROOM_WORDS = frozenset("""
room rooms office offices kitchen kitchenette bath bathroom bathrooms bed bedroom bedrooms living lounge
dining hall hallway corridor lobby foyer entrance entry reception storage store storeroom closet wardrobe
pantry laundry utility garage workshop studio lab laboratory library archive server meeting conference
toilet toilets wc restroom restrooms washroom shower showers cloakroom study den nursery playroom family
guest master attic cellar basement boiler plant technical terrace balcony porch veranda patio loggia
stair stairs staircase stairwell landing atrium gallery classroom canteen cafeteria kiosk shop salon
break copy print mail plenum gym sauna spa pool
zimmer raum räume küche kueche bad wc dusche flur diele gang eingang windfang büro buero arbeiten
schlafen schlafzimmer wohnen wohnzimmer essen esszimmer kochen spielen kind kinder gast gäste abstellraum
abstell lager keller technik heizung hausanschluss hauswirtschaft hwr waschküche speisekammer speis
ankleide garderobe treppe treppenhaus werkstatt archiv besprechung empfang halle saal terrasse balkon
loggia garage carport dachboden galerie atelier studio bibliothek lesesaal mensa kantine teeküche
salle cuisine chambre séjour sejour salon bureau couloir entrée entree toilettes cellier garage atelier
baño bano cocina dormitorio sala oficina pasillo almacén almacen cuarto
bagno cucina camera soggiorno ufficio corridoio ripostiglio
keuken badkamer slaapkamer woonkamer kantoor gang berging
køkken kokken værksted vaerksted lager gang fællesrum faellesrum kontor stue sovevaerelse soveværelse
kök kok sovrum vardagsrum kontor förråd
사무실 주방 욕실 침실 거실 창고 회의실 복도 현관 다용도실 서재 화장실 방
台所 浴室 寝室 居間 和室 洋室 玄関 廊下 トイレ 事務所 倉庫 会議室
厨房 卧室 客厅 卫生间 办公室 走廊 仓库 会议室
""".split())
_COMPOUND_TAILS = ("zimmer", "raum", "räume", "küche", "kammer", "halle", "saal", "room", "lager", "büro",
                   "bad", "flur", "diele", "garderobe", "toilette", "dusche", "keller", "treppe", "werkstatt",
                   "technik", "kontor", "rum", "værksted", "office", "kitchen", "store")
_DECIMAL = re.compile(r"\d[.,]\d")


def is_room_word(text: str) -> bool:
    """The text holds a word that names a room ("Kitchen", "Kinderzimmer", "Gäste-WC", "사무실")."""
    for w in _WORD.findall(text.casefold()):
        if w in ROOM_WORDS or (len(w) > 5 and w.endswith(_COMPOUND_TAILS)):
            return True
    return False


def _letters(text: str) -> int:
    first = text.splitlines()[0] if text.strip() else ""
    return sum(ch.isalpha() for ch in first)


def looks_like_a_name(text: str) -> bool:
    """Stricter than :func:`name_candidates`: what may name a room no wall encloses. Codes with
    decimals ("F1.07", "BRH 0,05") and single letters (section marks) never do."""
    first = text.splitlines()[0].strip() if text.strip() else ""
    letters = sum(ch.isalpha() for ch in first)
    return letters >= 2 and not _DECIMAL.search(first)


#: Most texts looked at as room names (a drawing with more holds schedules, not rooms).
_MAX_NAME_TEXTS = 5000


def name_candidates(texts: list[Text]) -> list[int]:
    """Indices of the texts that could name a room: words, not numbers, areas, furniture or
    labels inside blocks."""
    if len(texts) > _MAX_NAME_TEXTS:
        return []
    return [k for k, t in enumerate(texts) if t.text.strip() and _WORD.search(t.text)
            and len(t.text.splitlines()[0].strip()) <= 60 and not _numeric(t.text) and not _demoted(t)]


#: How far outside a room (m) a label may sit and still name it.
_LABEL_REACH = 0.6
_FURNITURE_WORDS = frozenset("""
table tables desk desks chair chairs sofa couch bed beds shelf shelves cabinet cupboard
sink basin bathtub tub fridge refrigerator oven stove cooker dishwasher washer dryer tv
printer copier plant plants bench stool counter locker lockers piano rack racks
tisch stuhl sessel bett regal schrank spüle wanne
""".split())
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _demoted(t: Text) -> bool:
    """Text that labels an object, not a room: inside a block (not an attribute), or a furniture word."""
    if t.group and t.kind in ("TEXT", "MTEXT"):
        return True
    words = _WORD.findall(t.text.casefold())
    return bool(words) and all(w in _FURNITURE_WORDS for w in words)
