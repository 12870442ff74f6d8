"""Generated floor plans with exact ground truth: the converter's evaluation set.

Why generated: real drawings come without an answer; these come with one (every room's polygon
and name, the solid wall footprint, the door and window counts), and they are drawn the ways
people draw: walls as line pairs, closed polylines, hatches alone, outlines with a separate
hatch, wide polylines, MLINEs or single lines; doors as blocks hinged at the jamb or at the
opening's centre (with frame jambs), bare leaf + arc, double and sliding doors, passages with no
symbol at all; windows as blocks or bare lines; room names centred or near a wall, with area
texts ("12,5 m²"), next to person names and furniture ("Table") on layer 0; one or two
buildings, some rotated (non-orthogonal walls); mm, cm or m, sometimes with a header that lies.

``plan(seed)`` is a pure function of the seed. The split is by seed: :data:`TUNED` for work,
:data:`HELD_OUT` never looked at while tuning (see ``bench/score.py``).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import ezdxf
import shapely
from shapely import affinity
from shapely.geometry import LineString, Polygon, box

__all__ = ["PlanSpec", "Truth", "TUNED", "HELD_OUT", "spec_of", "draw", "SINGLE_LINE_THICKNESS"]

TUNED = range(0, 80)
HELD_OUT = range(1000, 1040)
#: The converter's default thickness for single-line walls; truth walls of single-line plans use it.
SINGLE_LINE_THICKNESS = 0.12

WALL_STYLES = ("lines", "polylines", "hatch", "outline_hatch", "wide", "mline", "single")
DOOR_STYLES = ("block", "hinge_centre", "bare", "double", "sliding", "passage")
ROOM_WORDS = {
    "en": ["Office", "Kitchen", "Bath", "Bedroom", "Living", "Storage", "Meeting", "Lobby", "Server", "Archive",
           "Workshop", "Lab", "Print", "Reception", "Lounge", "Studio", "Pantry", "Library", "Laundry", "Hall"],
    "de": ["Büro", "Küche", "Bad", "Schlafzimmer", "Wohnzimmer", "Abstellraum", "Besprechung", "Flur",
           "Werkstatt", "Archiv", "Technik", "Garderobe", "Kinderzimmer", "Essen"],
    "ko": ["사무실", "주방", "욕실", "침실", "거실", "창고", "회의실", "복도", "현관", "다용도실", "서재"],
}
PEOPLE = ["J. Smith", "Anna Müller", "Kim Min-jun", "P. Rossi", "M. Dubois", "Lee Ji-eun", "T. Nakamura"]
LAYERS = {
    "en": dict(wall="A-WALL", door="A-DOOR", window="A-GLAZ", text="A-AREA-IDEN", patt="A-WALL-PATT"),
    "de": dict(wall="Wand", door="Tueren", window="Fenster", text="Raumname", patt="Schraffur"),
    "ko": dict(wall="벽체", door="문", window="창호", text="실명", patt="해치"),
}
UNIT_SCALE = {"mm": 1000.0, "cm": 100.0, "m": 1.0}
INSUNITS = {"mm": 4, "cm": 5, "m": 6}


@dataclass
class Truth:
    rooms: list[tuple[str, Polygon]] = field(default_factory=list)
    walls: shapely.Geometry | None = None
    doors: int = 0
    windows: int = 0


@dataclass
class PlanSpec:
    seed: int
    wall_style: str
    unit: str
    header: str
    lang: str
    buildings: int
    angle: float
    door_styles: tuple[str, ...]
    unnamed_layers: bool
    furniture: bool
    area_texts: bool
    off_centre: bool
    people: bool


def spec_of(seed: int) -> PlanSpec:
    r = random.Random(seed)
    style = WALL_STYLES[seed % len(WALL_STYLES)]
    unit = r.choice(("mm", "mm", "cm", "m"))
    header = unit if r.random() < 0.75 else r.choice([u for u in UNIT_SCALE if u != unit])
    doors = tuple(r.sample(DOOR_STYLES, r.randint(2, 4)))
    if style == "single":
        doors = tuple(d for d in doors if d in ("bare", "double", "passage")) or ("bare",)
    return PlanSpec(seed, style, unit, header, r.choice(list(ROOM_WORDS)), r.choice((1, 1, 2)),
                    r.choice((0.0, 0.0, 0.0, r.uniform(10, 40))), doors,
                    style == "single" and r.random() < 0.6 or r.random() < 0.15,
                    r.random() < 0.6, r.random() < 0.5, r.random() < 0.5, r.random() < 0.4)


# -- layout -----------------------------------------------------------------------------------------

@dataclass
class _Wall:
    """An interior wall: centre line from a to b (axis-aligned in building coordinates), thickness."""
    horizontal: bool
    c: float
    lo: float
    hi: float
    t: float


def _layout(r: random.Random, w: float, h: float, te: float, ti: float) -> list[_Wall]:
    walls: list[_Wall] = []

    def split(x0: float, y0: float, x1: float, y1: float, depth: int) -> None:
        dx, dy = x1 - x0, y1 - y0
        if depth > 3 or max(dx, dy) < 4.5 or (depth >= 2 and r.random() < 0.3):
            return
        horizontal = dy > dx if abs(dx - dy) > 1 else r.random() < 0.5
        lo, hi = (y0, y1) if horizontal else (x0, x1)
        if hi - lo < 4.5:
            return
        c = round(r.uniform(lo + 2.0, hi - 2.0), 2)
        if horizontal:
            walls.append(_Wall(True, c, x0, x1, ti))
            split(x0, y0, x1, c - ti / 2, depth + 1)
            split(x0, c + ti / 2, x1, y1, depth + 1)
        else:
            walls.append(_Wall(False, c, y0, y1, ti))
            split(x0, y0, c - ti / 2, y1, depth + 1)
            split(c + ti / 2, y0, x1, y1, depth + 1)

    split(te, te, w - te, h - te, 0)
    return walls


def _rect(wall: _Wall, a: float, b: float) -> Polygon:
    """The part [a, b] of an interior wall (a, b along its axis)."""
    if wall.horizontal:
        return box(a, wall.c - wall.t / 2, b, wall.c + wall.t / 2)
    return box(wall.c - wall.t / 2, a, wall.c + wall.t / 2, b)


@dataclass
class _Opening:
    kind: str          # door style or "window"
    u: tuple[float, float]   # wall axis
    n: tuple[float, float]   # normal (towards the room the door swings into)
    start: tuple[float, float]  # gap corner on the n-negative face, at the low end
    width: float
    thick: float

    def gap(self) -> Polygon:
        (ux, uy), (nx, ny), (sx, sy) = self.u, self.n, self.start
        w, t = self.width, self.thick
        return Polygon([(sx, sy), (sx + ux * w, sy + uy * w), (sx + ux * w + nx * t, sy + uy * w + ny * t),
                        (sx + nx * t, sy + ny * t)])


class _Building:
    """One building in its own metre frame: walls, rooms, openings, texts, furniture."""

    def __init__(self, r: random.Random, spec: PlanSpec, single: bool) -> None:
        self.r = r
        self.w, self.h = round(r.uniform(9, 20), 2), round(r.uniform(7, 14), 2)
        if single:
            self.te = self.ti = SINGLE_LINE_THICKNESS
        else:
            self.te, self.ti = r.choice((0.2, 0.25, 0.3)), r.choice((0.1, 0.12, 0.15))
        self.walls = _layout(r, self.w, self.h, self.te, self.ti)
        shell = box(0, 0, self.w, self.h).difference(box(self.te, self.te, self.w - self.te, self.h - self.te))
        self.footprint = shapely.unary_union([shell] + [_rect(x, x.lo, x.hi) for x in self.walls])
        inner = box(self.te, self.te, self.w - self.te, self.h - self.te).difference(self.footprint)
        self.cells = [g for g in getattr(inner, "geoms", [inner]) if g.area >= 1.5]
        self.openings: list[_Opening] = []
        self._openings(spec)

    def cell_at(self, x: float, y: float) -> int:
        p = shapely.Point(x, y)
        for k, c in enumerate(self.cells):
            if c.contains(p):
                return k
        return -1

    def _openings(self, spec: PlanSpec) -> None:
        r = self.r
        pairs: set[tuple[int, int]] = set()
        for wall in self.walls:
            runs: list[list] = []
            steps = int((wall.hi - wall.lo) / 0.05)
            for k in range(steps):
                s = wall.lo + (k + 0.5) * 0.05
                off = wall.t / 2 + 0.02
                if wall.horizontal:
                    a, b = self.cell_at(s, wall.c - off), self.cell_at(s, wall.c + off)
                else:
                    a, b = self.cell_at(wall.c - off, s), self.cell_at(wall.c + off, s)
                key = (a, b)
                if runs and runs[-1][0] == key and abs(runs[-1][2] - (s - 0.025)) < 1e-6:
                    runs[-1][2] = s + 0.025
                else:
                    runs.append([key, s - 0.025, s + 0.025])
            for (a, b), lo, hi in runs:
                if a < 0 or b < 0 or (min(a, b), max(a, b)) in pairs:
                    continue
                style = r.choice(spec.door_styles)
                width = {"double": r.uniform(1.4, 1.8), "sliding": r.uniform(1.0, 1.6),
                         "passage": r.uniform(0.9, 1.6)}.get(style, r.choice((0.8, 0.9, 1.0)))
                width = round(width, 2)
                if hi - lo < width + 0.4:
                    continue
                pairs.add((min(a, b), max(a, b)))
                s0 = round(r.uniform(lo + 0.15, hi - 0.15 - width), 2)
                sign = r.choice((1, -1))
                if wall.horizontal:
                    u, n = (1.0, 0.0), (0.0, float(sign))
                    start = (s0, wall.c - sign * wall.t / 2)
                else:
                    u, n = (0.0, 1.0), (float(sign), 0.0)
                    start = (wall.c - sign * wall.t / 2, s0)
                self.openings.append(_Opening(style, u, n, start, width, wall.t))
        # Exterior: one entrance, windows on the long sides.
        te, w, h = self.te, self.w, self.h
        sides = [((1.0, 0.0), (0.0, 1.0), lambda s: (s, 0.0), w), ((1.0, 0.0), (0.0, -1.0), lambda s: (s, h), w),
                 ((0.0, 1.0), (1.0, 0.0), lambda s: (0.0, s), h), ((0.0, 1.0), (-1.0, 0.0), lambda s: (w, s), h)]
        taken: list[tuple[int, float, float]] = []
        for side, (u, n, at, length) in enumerate(sides):
            s = te + 0.4
            first = True
            while s < length - te - 2.0:
                width = round(r.uniform(0.9, 1.6), 2)
                start = at(s)
                x0, y0 = start[0] + n[0] * (te + 0.05) + u[0] * width / 2, start[1] + n[1] * (te + 0.05) + u[1] * width / 2
                # the whole gap must face one room and clear interior walls
                probe = [(start[0] + n[0] * (te + 0.05) + u[0] * q, start[1] + n[1] * (te + 0.05) + u[1] * q)
                         for q in (-0.2, width / 2, width + 0.2)]
                cells = {self.cell_at(*p) for p in probe}
                if len(cells) == 1 and -1 not in cells and r.random() < 0.6:
                    if side == 0 and first:
                        kind = r.choice([d for d in spec.door_styles if d != "passage"] or ["bare"])
                        width = min(width, 1.0) if kind not in ("double", "sliding") else width
                        first = False
                    else:
                        kind = "window"
                    self.openings.append(_Opening(kind, u, n, start, width, te))
                    s += width + r.uniform(1.0, 3.0)
                else:
                    s += 0.5

    def rooms(self, single: bool) -> list[Polygon]:
        if not single:
            return self.cells
        # Single-line plans: rooms are the faces of the centre-line network.
        return [shapely.buffer(c, self.ti / 2, join_style="mitre") for c in self.cells]

    def solid(self, single: bool) -> shapely.Geometry:
        gaps = shapely.unary_union([o.gap() for o in self.openings])
        return self.footprint.difference(gaps)


# -- drawing ----------------------------------------------------------------------------------------

def draw(seed: int, path: str) -> tuple[PlanSpec, Truth]:
    """Draw plan ``seed`` to ``path``; returns its spec and truth (metres, drawing frame)."""
    spec = spec_of(seed)
    r = random.Random(seed * 7919 + 1)
    single = spec.wall_style == "single"
    s = UNIT_SCALE[spec.unit]
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = INSUNITS[spec.header]
    names = dict(LAYERS[spec.lang])
    if spec.unnamed_layers:
        names.update(wall="0", door="0", text="0")
        if single:
            names["wall"] = r.choice(("0", "Lines", "WALLS"))
    for layer in set(names.values()) | {"FURNITURE"}:
        if layer != "0":
            doc.layers.add(layer)
    msp = doc.modelspace()
    truth = Truth()
    _blocks(doc, s)
    offset_x = 0.0
    words = list(ROOM_WORDS[spec.lang])
    r.shuffle(words)
    used_names: set[str] = set()
    for k in range(spec.buildings):
        b = _Building(r, spec, single)
        angle = spec.angle if k == spec.buildings - 1 else 0.0
        ox, oy = offset_x, r.uniform(0, 3)
        offset_x += max(b.w, b.h) * 1.5 + 6.0

        def T(x: float, y: float) -> tuple[float, float]:
            ca, sa = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            return ((ox + x * ca - y * sa) * s, (oy + x * sa + y * ca) * s)

        def G(g):
            return affinity.translate(affinity.rotate(g, angle, origin=(0, 0)), ox, oy)

        _draw_walls(msp, doc, b, spec, names, T, s, single)
        for o in b.openings:
            _draw_opening(msp, o, spec, names, T, angle, s, r)
            if o.kind == "window":
                truth.windows += 1
            elif o.kind != "passage":
                truth.doors += 1
        for cell, room in zip(b.cells, b.rooms(single)):
            if room.area < 1.0:
                continue
            base = words[len(used_names) % len(words)]
            name = base if base not in used_names else f"{base} {len(used_names) + 1}"
            used_names.add(name)
            truth.rooms.append((name, G(room)))
            _draw_label(msp, cell, name, spec, names, T, s, r, b)
            if spec.furniture and cell.area > 8 and r.random() < 0.7:
                _draw_furniture(msp, cell, T, angle, s, r)
        walls = G(b.solid(single))
        truth.walls = walls if truth.walls is None else truth.walls.union(walls)
    doc.saveas(path)
    return spec, truth


def _blocks(doc, s: float) -> None:
    door = doc.blocks.new("DOOR")  # unit width, hinge at the origin, leaf along +y
    door.add_line((0, 0), (0, s))
    door.add_arc((0, 0), s, 0, 90)
    win = doc.blocks.new("WIN")  # unit length along x, unit depth along y
    for y in (0.0, 0.5, 1.0):
        win.add_line((0, y * s), (s, y * s))
    win.add_line((0, 0), (0, s))
    win.add_line((s, 0), (s, s))
    table = doc.blocks.new("TABLE")
    table.add_lwpolyline([(0, 0), (1.6 * s, 0), (1.6 * s, 0.8 * s), (0, 0.8 * s)], close=True)
    table.add_text("Table", dxfattribs={"height": 0.25 * s, "insert": (0.3 * s, 0.3 * s)})


def _draw_walls(msp, doc, b: _Building, spec: PlanSpec, names: dict, T, s: float, single: bool) -> None:
    layer = {"layer": names["wall"]}
    style = spec.wall_style
    solid = b.solid(single)
    if style in ("lines", "polylines", "outline_hatch", "hatch"):
        for poly in getattr(solid, "geoms", [solid]):
            rings = [list(poly.exterior.coords)] + [list(i.coords) for i in poly.interiors]
            if style in ("lines", "outline_hatch"):
                for ring in rings:
                    for a, c in zip(ring[:-1], ring[1:]):
                        msp.add_line(T(*a), T(*c), dxfattribs=layer)
            elif style == "polylines":
                for ring in rings:
                    msp.add_lwpolyline([T(*p) for p in ring[:-1]], close=True, dxfattribs=layer)
            if style in ("hatch", "outline_hatch"):
                hl = names["wall"] if style == "hatch" else names["patt"]
                h = msp.add_hatch(color=8, dxfattribs={"layer": hl})
                h.paths.add_polyline_path([T(*p) for p in rings[0][:-1]], is_closed=True, flags=1)
                for ring in rings[1:]:
                    h.paths.add_polyline_path([T(*p) for p in ring[:-1]], is_closed=True, flags=0)
        return
    # Centre-line styles: the shell's centre ring and every interior wall, split at the gaps.
    gaps = shapely.unary_union([o.gap() for o in b.openings])
    te, ti = b.te, b.ti
    ring = box(te / 2, te / 2, b.w - te / 2, b.h - te / 2).exterior
    lines = [(ring, te)]
    for wl in b.walls:
        ext = te / 2
        if wl.horizontal:
            ls = LineString([(wl.lo - ext if wl.lo <= te + 1e-6 else wl.lo - ti / 2, wl.c),
                             (wl.hi + ext if wl.hi >= b.w - te - 1e-6 else wl.hi + ti / 2, wl.c)])
        else:
            ls = LineString([(wl.c, wl.lo - ext if wl.lo <= te + 1e-6 else wl.lo - ti / 2),
                             (wl.c, wl.hi + ext if wl.hi >= b.h - te - 1e-6 else wl.hi + ti / 2)])
        lines.append((ls, wl.t))
    for geom, t in lines:
        cut = shapely.line_merge(geom.difference(gaps))
        for part in getattr(cut, "geoms", [cut]):
            if part.length < 1e-6:
                continue
            closed = part.is_ring
            pts = [T(*p) for p in part.coords][:-1 if closed else None]
            if style == "wide":
                msp.add_lwpolyline(pts, close=closed, dxfattribs={**layer, "const_width": t * s})
            elif style == "mline":
                ml = msp.add_mline(pts, close=closed, dxfattribs={**layer, "scale_factor": t * s, "justification": 1})
            else:  # single
                if len(pts) == 2 and not closed:
                    msp.add_line(pts[0], pts[1], dxfattribs=layer)
                else:
                    msp.add_lwpolyline(pts, close=closed, dxfattribs=layer)


def _draw_opening(msp, o: _Opening, spec: PlanSpec, names: dict, T, angle: float, s: float,
                  r: random.Random) -> None:
    (ux, uy), (nx, ny), (sx, sy), w, t = o.u, o.n, o.start, o.width, o.thick
    rot = math.degrees(math.atan2(uy, ux)) + angle
    cross = ux * ny - uy * nx  # +1: n is u turned left

    def P(a: float, b: float) -> tuple[float, float]:
        return T(sx + ux * a + nx * b, sy + uy * a + ny * b)

    if o.kind == "window":
        layer = {"layer": names["window"]}
        if spec.seed % 2:
            msp.add_blockref("WIN", P(0, 0), dxfattribs={**layer, "xscale": w, "yscale": t * cross,
                                                           "rotation": rot})
        else:
            for b in (0.0, t / 2, t):
                msp.add_line(P(0, b), P(w, b), dxfattribs=layer)
        return
    layer = {"layer": names["door"]}
    face = t  # doors swing on the n-positive face
    if o.kind == "block":
        msp.add_blockref("DOOR", P(0, face), dxfattribs={**layer, "xscale": w, "yscale": w * cross,
                                                          "rotation": rot})
    elif o.kind == "hinge_centre":
        # Origin at the opening's centre on the wall axis; frame jambs across the wall; leaf 0.05 in.
        blk_name = f"DOORC_{int(round(w * 100))}_{int(round(t * 1000))}"
        doc = msp.doc
        if blk_name not in doc.blocks:
            blk = doc.blocks.new(blk_name)
            hw, ht, leaf = w / 2 * s, t / 2 * s, (w - 0.1) * s
            for x in (-hw, hw):
                blk.add_line((x, -ht), (x, ht))
            hinge = (-hw + 0.05 * s, ht)
            blk.add_line(hinge, (hinge[0], ht + leaf))
            blk.add_arc(hinge, leaf, 0, 90)
        msp.add_blockref(blk_name, P(w / 2, t / 2), dxfattribs={**layer, "yscale": cross, "rotation": rot})
    elif o.kind == "bare":
        c = P(0, face)
        a0 = math.degrees(math.atan2(uy, ux)) + angle
        start, end = (a0, a0 + 90) if cross > 0 else (a0 - 90, a0)
        msp.add_arc(c, w * s, start, end, dxfattribs=layer)
        msp.add_line(c, P(0, face + w), dxfattribs=layer)
    elif o.kind == "double":
        half = w / 2
        a0 = math.degrees(math.atan2(uy, ux)) + angle
        for hinge, sign in ((0.0, 1), (w, -1)):
            c = P(hinge, face)
            if sign > 0:
                start, end = (a0, a0 + 90) if cross > 0 else (a0 - 90, a0)
            else:
                start, end = (a0 + 90, a0 + 180) if cross > 0 else (a0 + 180, a0 + 270)
            msp.add_arc(c, half * s, start, end, dxfattribs=layer)
            msp.add_line(c, P(hinge, face + half), dxfattribs=layer)
    elif o.kind == "sliding":
        # Two offset panels; on unnamed layers inside a block that says what it is (else nothing could).
        target, at = msp, P
        if spec.unnamed_layers:
            name = f"SLIDING_DOOR_{int(round(w * 100))}_{int(round(t * 1000))}"
            if name not in msp.doc.blocks:
                blk = msp.doc.blocks.new(name)
                for a, b in ((0.0, t * 0.3), (w / 2 - 0.05, t * 0.55)):
                    blk.add_lwpolyline([(a * s, b * s), ((a + w / 2 + 0.05) * s, b * s),
                                        ((a + w / 2 + 0.05) * s, (b + 0.04) * s), (a * s, (b + 0.04) * s)], close=True)
            msp.add_blockref(name, P(0, 0), dxfattribs={**layer, "yscale": cross, "rotation": rot})
            return
        for a, b in ((0.0, t * 0.3), (w / 2 - 0.05, t * 0.55)):
            pts = [at(a, b), at(a + w / 2 + 0.05, b), at(a + w / 2 + 0.05, b + 0.04), at(a, b + 0.04)]
            target.add_lwpolyline(pts, close=True, dxfattribs=layer)


def _draw_label(msp, cell: Polygon, name: str, spec: PlanSpec, names: dict, T, s: float,
                r: random.Random, b: _Building) -> None:
    layer = {"layer": names["text"]}
    h = 0.25
    if spec.off_centre and r.random() < 0.6:
        minx, miny, maxx, maxy = cell.bounds
        x, y = minx + 0.15, r.choice((miny + 0.15, maxy - 0.15 - h))
        if not cell.contains(shapely.Point(x + 0.05, y + 0.05)):
            p = cell.representative_point()
            x, y = p.x - 0.5, p.y
    else:
        p = cell.representative_point()
        x, y = p.x - 0.4, p.y
    if r.random() < 0.5:
        msp.add_text(name, dxfattribs={**layer, "height": h * s, "insert": T(x, y)})
    else:
        msp.add_mtext(name, dxfattribs={**layer, "char_height": h * s, "insert": T(x, y + h)})
    if spec.area_texts:
        area = cell.area
        text = f"{area:.1f} m²".replace(".", ",") if spec.lang == "de" else f"{area:.2f} m2"
        msp.add_text(text, dxfattribs={**layer, "height": 0.18 * s, "insert": T(x, y - 0.3)})
    if spec.people and r.random() < 0.6:
        px, py = x, y - (0.6 if spec.area_texts else 0.35)
        if cell.contains(shapely.Point(px, py)):
            msp.add_text(r.choice(PEOPLE), dxfattribs={"layer": names["text"], "height": 0.15 * s,
                                                       "insert": T(px, py)})


def _draw_furniture(msp, cell: Polygon, T, angle: float, s: float, r: random.Random) -> None:
    minx, miny, maxx, maxy = cell.bounds
    if maxx - minx < 3.2 or maxy - miny < 2.6:
        return
    x = r.uniform(minx + 0.8, maxx - 2.4)
    y = r.uniform(miny + 1.2, maxy - 1.0)
    if not cell.contains(box(x - 0.1, y - 0.1, x + 1.7, y + 0.9)):
        return
    layer = r.choice(("0", "FURNITURE"))
    msp.add_blockref("TABLE", T(x, y), dxfattribs={"layer": layer, "rotation": angle})
    # a desk drawn as loose lines against nothing: two parallel lines 0.6 apart
    if y + 2.2 < maxy:
        msp.add_line(T(x, y + 1.4), T(x + 1.4, y + 1.4), dxfattribs={"layer": layer})
        msp.add_line(T(x, y + 2.0), T(x + 1.4, y + 2.0), dxfattribs={"layer": layer})


if __name__ == "__main__":
    import sys
    sp, tr = draw(int(sys.argv[1]), sys.argv[2])
    print(sp)
    print(len(tr.rooms), "rooms", tr.doors, "doors", tr.windows, "windows", round(tr.walls.area, 2), "m² walls")
