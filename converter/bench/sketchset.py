"""Generated hand-drawn plans (the way hackerspace, office and sketch plans are drawn), with truth.

Why a second set: plans drawn by hand in LibreCAD or QCAD look nothing like an architect's: every
wall one line on layer 0, drawn straight through the doors; doors ajar (a short arc, a leaf line,
jamb ticks); room names with a bigger area text ("60 m2") beside them; desks drawn as loose lines
against the walls with a person's name as tall as the room's; tables with "Table" in them; and a
header unit that lies (mm declared, cm or m drawn). The layout (rooms, openings) comes from
:mod:`evalset`; only the drawing differs. Truth rooms reach the wall lines (single-line walls).

``draw_sketch(seed, path)`` is a pure function of the seed; :data:`SKETCH_TUNED` for work,
:data:`SKETCH_HELD_OUT` never looked at while tuning.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

import ezdxf
import shapely
from shapely.geometry import LineString, box

from evalset import INSUNITS, PEOPLE, ROOM_WORDS, SINGLE_LINE_THICKNESS, UNIT_SCALE, PlanSpec, Truth, _Building

__all__ = ["SKETCH_TUNED", "SKETCH_HELD_OUT", "SketchSpec", "draw_sketch"]

SKETCH_TUNED = range(2000, 2030)
SKETCH_HELD_OUT = range(3000, 3030)


@dataclass
class SketchSpec:
    seed: int
    unit: str
    header: str
    lang: str
    walls_through_doors: bool
    ajar: float          # leaf angle of the doors, degrees
    desks: bool
    area_texts: bool
    wall_style: str = "sketch"


def sketch_spec(seed: int) -> SketchSpec:
    r = random.Random(seed)
    unit = r.choice(("mm", "cm", "cm", "m"))
    header = r.choice([u for u in ("mm", "cm", "m") if u != unit]) if r.random() < 0.5 else unit
    return SketchSpec(seed, unit, header, r.choice(("en", "de")), r.random() < 0.6, r.choice((20.0, 30.0, 45.0)),
                      r.random() < 0.7, r.random() < 0.7)


def draw_sketch(seed: int, path: str) -> tuple[SketchSpec, Truth]:
    spec = sketch_spec(seed)
    r = random.Random(seed * 104729 + 7)
    s = UNIT_SCALE[spec.unit]
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = INSUNITS[spec.header]
    msp = doc.modelspace()
    layout_spec = PlanSpec(seed, "single", spec.unit, spec.header, spec.lang, 1, 0.0, ("bare", "passage"),
                           True, False, False, False, False)
    b = _Building(r, layout_spec, single=True)
    truth = Truth()

    def P(x: float, y: float) -> tuple[float, float]:
        return (x * s, y * s)

    gaps = shapely.unary_union([o.gap() for o in b.openings if o.kind != "window"])
    te, ti = b.te, b.ti
    lines = [box(te / 2, te / 2, b.w - te / 2, b.h - te / 2).exterior]
    for wl in b.walls:
        lo = wl.lo - (te / 2 if wl.lo <= te + 1e-6 else ti / 2)
        hi = wl.hi + (te / 2 if wl.hi >= (b.w if wl.horizontal else b.h) - te - 1e-6 else ti / 2)
        lines.append(LineString([(lo, wl.c), (hi, wl.c)] if wl.horizontal else [(wl.c, lo), (wl.c, hi)]))
    for geom in lines:
        # Doors of type "passage" are gaps in every sketch; door gaps only where lines break there.
        cut = geom if spec.walls_through_doors else geom.difference(gaps)
        cut = cut.difference(shapely.unary_union([o.gap() for o in b.openings if o.kind == "passage"]) or box(0, 0, 0, 0))
        for part in getattr(cut, "geoms", [cut]):
            coords = list(part.coords)
            for a, c in zip(coords[:-1], coords[1:]):  # one LINE per stretch, as sketching tools draw
                if math.dist(a, c) > 1e-6:
                    msp.add_line(P(*a), P(*c))
    for o in b.openings:
        if o.kind == "window":
            continue  # sketches rarely draw windows
        if o.kind == "passage":
            continue
        truth.doors += 1
        _door_ajar(msp, o, spec.ajar, P)
    words = list(ROOM_WORDS[spec.lang])
    r.shuffle(words)
    all_gaps = shapely.unary_union([o.gap() for o in b.openings]).buffer(0.3)
    for k, (cell, room) in enumerate(zip(b.cells, b.rooms(True))):
        if room.area < 1.0:
            continue
        name = words[k % len(words)] + ("" if k < len(words) else f" {k}")
        truth.rooms.append((name, room))
        _label(msp, cell, room, name, spec, P, r)
        if spec.desks:
            _desk(msp, cell, P, r, all_gaps)
    # windows are not drawn: the walls run on through them
    truth.walls = b.footprint.difference(shapely.unary_union([o.gap() for o in b.openings if o.kind != "window"]))
    doc.saveas(path)
    return spec, truth


def _door_ajar(msp, o, ajar: float, P) -> None:
    """Jamb ticks across the wall line at both ends, a leaf from the hinge open ``ajar`` degrees and
    the arc from the closed leaf's tip to the open one."""
    (ux, uy), (nx, ny), (sx, sy), w = o.u, o.n, o.start, o.width
    cx, cy = sx + nx * o.thick / 2, sy + ny * o.thick / 2  # on the wall line, low end
    for k in (0.0, w):
        msp.add_line(P(cx + ux * k - nx * 0.05, cy + uy * k - ny * 0.05), P(cx + ux * k + nx * 0.05, cy + uy * k + ny * 0.05))
    a0 = math.degrees(math.atan2(uy, ux))
    cross = ux * ny - uy * nx
    leaf = math.radians(a0 + cross * ajar)
    msp.add_line(P(cx, cy), P(cx + w * math.cos(leaf), cy + w * math.sin(leaf)))
    start, end = (a0, a0 + ajar) if cross > 0 else (a0 - ajar, a0)
    msp.add_arc(P(cx, cy), w * _scale(P), start, end)


def _scale(P) -> float:
    return P(1.0, 0.0)[0]


def _label(msp, cell, room, name: str, spec: SketchSpec, P, r: random.Random) -> None:
    p = cell.representative_point()
    x, y = p.x - 0.4, p.y
    msp.add_text(name, dxfattribs={"height": 0.25 * _scale(P), "insert": P(x, y)})
    if spec.area_texts:  # taller than the name, as sketches write areas
        msp.add_mtext(f"{round(room.area)} m2", dxfattribs={"char_height": 0.5 * _scale(P), "insert": P(x - 0.2, y - 0.3)})


def _desk(msp, cell, P, r: random.Random, gaps) -> None:
    """A desk against the cell's bottom wall: three loose lines, a person's name as tall as the
    room's; in big rooms a table (closed rectangle) with "Table" in it."""
    minx, miny, maxx, maxy = cell.bounds
    if maxx - minx < 3.0 or maxy - miny < 2.5:
        return
    x = r.uniform(minx + 0.3, maxx - 1.9)
    y = miny - SINGLE_LINE_THICKNESS / 2  # on the wall line
    if box(x, y - 0.1, x + 1.6, y + 0.9).intersects(gaps):
        return  # never in front of a door or passage
    msp.add_line(P(x, y), P(x, y + 0.8))
    msp.add_line(P(x, y + 0.8), P(x + 1.6, y + 0.8))
    msp.add_line(P(x + 1.6, y + 0.8), P(x + 1.6, y))
    msp.add_text(r.choice(PEOPLE), dxfattribs={"height": 0.25 * _scale(P), "insert": P(x + 0.1, y + 0.3)})
    if cell.area > 12 and maxy - miny > 4.0:
        tx, ty = (minx + maxx) / 2 - 0.9, maxy - 1.5
        msp.add_lwpolyline([P(tx, ty), P(tx + 1.8, ty), P(tx + 1.8, ty + 0.9), P(tx, ty + 0.9)], close=True)
        msp.add_text("Table", dxfattribs={"height": 0.2 * _scale(P), "insert": P(tx + 0.5, ty + 0.35)})


if __name__ == "__main__":
    import sys
    sp, tr = draw_sketch(int(sys.argv[1]), sys.argv[2])
    print(sp)
    print(len(tr.rooms), "rooms", tr.doors, "doors", round(tr.walls.area, 2), "m² walls")
