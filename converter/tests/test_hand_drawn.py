"""Plans drawn by hand: one line per wall on layer 0, doors ajar, desks against walls with people's
names, tables, area texts taller than the names, headers whose unit lies; and the rooms the lines
around a name enclose when the walls give none.

Sketch plans come from ``bench/sketchset.py`` (exact truth); the others are drawn here.
"""
from __future__ import annotations

import sys
from pathlib import Path

import ezdxf
import pytest
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from evalset import PEOPLE  # noqa: E402
from score import convert, match_rooms, solid_walls  # noqa: E402
from sketchset import draw_sketch, sketch_spec  # noqa: E402

from converter.classify.rooms import name_candidates  # noqa: E402
from converter.plan.model import Text  # noqa: E402


def _sketch(tmp_path, seed: int):
    path = str(tmp_path / f"sketch{seed}.dxf")
    spec, truth = draw_sketch(seed, path)
    b, plan, _ = convert(path)
    m = match_rooms(truth.rooms, [(r.name, r.polygon, r.area) for r in b.rooms])
    return spec, truth, b, plan, m


@pytest.mark.parametrize("seed", [2000, 2010, 2017, 2025, 2029])
def test_sketch_rooms_come_out_named_with_their_area(tmp_path, seed):
    """Seeds: header lies (m drawn, cm declared), walls through doors with passages only, cm drawn
    under an m header, doors ajar 45° in cut walls, m under mm with desks everywhere."""
    spec, truth, b, plan, m = _sketch(tmp_path, seed)
    assert plan.source["units"] == spec.unit
    exact = sum(e for _, _, e, _ in m)
    assert exact == len(truth.rooms), [(n, r.name, r.area) for (n, _), r in zip(truth.rooms, b.rooms)]
    assert sum(o.kind == "door" for o in b.openings) == truth.doors
    solid = solid_walls(b)
    assert solid.intersection(truth.walls).area / solid.union(truth.walls).area >= 0.93


def test_desks_are_no_walls_and_people_name_no_room(tmp_path):
    seed = next(s for s in range(2000, 2100) if sketch_spec(s).desks)
    _, truth, b, _, _ = _sketch(tmp_path, seed)
    names = {r.name for r in b.rooms}
    assert not names & set(PEOPLE)
    assert "Table" not in names
    assert len(b.rooms) == len(truth.rooms)
    # no wall piece stands inside a true room (a desk against the wall would)
    inner = shapely.union_all([shapely.buffer(poly, -0.1) for _, poly in truth.rooms])
    assert all(pc.polygon.intersection(inner).area < 1e-3 for pc in b.pieces)


def test_header_units_that_lie_are_corrected_from_texts_and_door_leaves(tmp_path):
    lying = [s for s in range(2000, 2060) if sketch_spec(s).unit != sketch_spec(s).header][:3]
    for seed in lying:
        spec, _, _, plan, _ = _sketch(tmp_path, seed)
        assert plan.source["units"] == spec.unit, seed
        assert plan.source["unitsCorrected"] == {"declared": spec.header, "used": spec.unit}
        assert any("read as" in w for w in plan.warnings)


def _two_walled_rooms(height: float):
    """A drawing (m) with two rooms side by side, 4.7 m wide and ``height`` − 0.4 m deep, walled by
    closed outlines on A-WALL; returns the document and its model space."""
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    for ring in ([(0, 0), (10, 0), (10, height), (0, height)],
                 [(0.2, 0.2), (4.9, 0.2), (4.9, height - 0.2), (0.2, height - 0.2)],
                 [(5.1, 0.2), (9.8, 0.2), (9.8, height - 0.2), (5.1, height - 0.2)]):
        msp.add_lwpolyline(ring, close=True, dxfattribs={"layer": "A-WALL"})
    return doc, msp


def _annex_plan(path: Path) -> None:
    """Two rooms walled with line pairs on A-WALL, and an annex drawn with single lines on another
    layer (no door swing), named "Workshop", with a desk against its wall and a person at it."""
    doc, msp = _two_walled_rooms(6)
    msp.add_text("Office", dxfattribs={"height": 0.3, "insert": (2, 3)})
    msp.add_text("Kitchen", dxfattribs={"height": 0.3, "insert": (7, 3)})
    sketch = {"layer": "ANNEX"}
    for a, b in (((10, 0), (16, 0)), ((16, 0), (16, 6)), ((16, 6), (10, 6))):
        msp.add_line(a, b, dxfattribs=sketch)
    for a, b in (((11, 0), (11, 0.8)), ((11, 0.8), (12.6, 0.8)), ((12.6, 0.8), (12.6, 0))):
        msp.add_line(a, b, dxfattribs=sketch)  # a desk against the annex's wall
    msp.add_text(PEOPLE[0], dxfattribs={"height": 0.3, "insert": (11.2, 0.3)})
    msp.add_text("Workshop", dxfattribs={"height": 0.3, "insert": (13, 3)})
    doc.saveas(path)


def test_a_name_no_wall_room_holds_gets_the_room_its_lines_enclose(tmp_path):
    path = tmp_path / "annex.dxf"
    _annex_plan(path)
    b, _, _ = convert(str(path))
    rooms = {r.name: r for r in b.rooms}
    assert {"Office", "Kitchen", "Workshop"} <= set(rooms)
    annex = rooms["Workshop"]
    assert annex.source == "lines"
    # the true outline: wall face (x = 10) to the annex lines, the desk inside it, not cut out
    assert annex.area == pytest.approx(6 * 6, rel=0.02)
    assert PEOPLE[0] not in rooms
    assert b.stats["roomsByLines"] == 1


def test_a_wall_layer_that_outlines_rooms_gives_no_wall_of_a_narrow_room(tmp_path):
    """Rooms' insides as closed polylines on the wall layer, walls as fills: a 0.85 m passage is a
    room like the others, not a wall."""
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    outer = [(0, 0), (9, 0), (9, 5), (0, 5)]
    insides = [[(0.2, 0.2), (5.9, 0.2), (5.9, 4.8), (0.2, 4.8)],      # a big room
               [(6.1, 0.2), (6.95, 0.2), (6.95, 4.8), (6.1, 4.8)],    # a 0.85 m passage
               [(7.15, 0.2), (8.8, 0.2), (8.8, 4.8), (7.15, 4.8)]]    # a shower room
    fill = msp.add_hatch(dxfattribs={"layer": "A-WALL-PATT"})
    fill.paths.add_polyline_path(outer, is_closed=True, flags=1)
    for ring in insides:
        fill.paths.add_polyline_path(ring, is_closed=True, flags=0)
        msp.add_lwpolyline(ring, close=True, dxfattribs={"layer": "A-WALL"})
    msp.add_text("Living", dxfattribs={"height": 0.2, "insert": (2, 2)})
    msp.add_text("Hall", dxfattribs={"height": 0.2, "insert": (6.2, 1)})
    msp.add_text("Shower", dxfattribs={"height": 0.2, "insert": (7.5, 2)})
    path = tmp_path / "outlines.dxf"
    doc.saveas(path)
    b, _, _ = convert(str(path))
    rooms = {r.name: r.area for r in b.rooms}
    assert {"Living", "Hall", "Shower"} <= set(rooms)
    assert rooms["Hall"] == pytest.approx(0.85 * 4.6, rel=0.02)
    assert not any(pc.source == "outline" for pc in b.pieces)


@pytest.mark.parametrize("text", ["13.0帖", "6畳", "12,5 m²", "150 sq ft", "3.20 x 4.10", "42"])
def test_areas_and_sizes_never_name_a_room(text):
    assert name_candidates([Text(text, shapely.get_coordinates(shapely.Point(0, 0))[0], "0", 0.2)]) == []


@pytest.mark.parametrize("text", ["Room 12", "B1.04", "WC", "Küche"])
def test_words_with_numbers_may_name_a_room(text):
    assert name_candidates([Text(text, shapely.get_coordinates(shapely.Point(0, 0))[0], "0", 0.2)]) == [0]


def test_words_that_name_rooms_win_over_notes(tmp_path):
    """A note taller and more central than the room's name ("Duschtrennwand", a shower screen)
    loses to the name ("Bad")."""
    doc, msp = _two_walled_rooms(5)
    msp.add_text("Bad", dxfattribs={"height": 0.2, "insert": (0.5, 0.5)})
    msp.add_text("Duschtrennwand", dxfattribs={"height": 0.3, "insert": (2.2, 2.4)})
    msp.add_text("Flur", dxfattribs={"height": 0.2, "insert": (7, 2.4)})
    path = tmp_path / "notes.dxf"
    doc.saveas(path)
    b, _, _ = convert(str(path))
    names = sorted(r.name for r in b.rooms)
    assert names == ["Bad", "Flur"], names


@pytest.mark.parametrize("text,ok", [("F1.07", False), ("BRH 0,05", False), ("A", False), ("WC", True),
                                     ("Limbo", True), ("Serverrum", True)])
def test_what_may_name_a_room_of_lines(text, ok):
    from converter.classify.rooms import looks_like_a_name
    assert looks_like_a_name(text) is ok


def test_door_symbols_that_touch_are_one_door_each_and_a_double_door_is_one(tmp_path):
    """Two swings on one door layer whose symbols touch (two doors at a corner) are two doors;
    two swings hinged a leaf-pair apart with their arcs meeting are one double door."""
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    wall = {"layer": "A-WALL"}
    for ring in ([(0, 0), (12, 0), (12, 6), (0, 6)], [(0.2, 0.2), (5.9, 0.2), (5.9, 5.8), (0.2, 5.8)],
                 [(6.1, 0.2), (11.8, 0.2), (11.8, 5.8), (6.1, 5.8)]):
        msp.add_lwpolyline(ring, close=True, dxfattribs=wall)
    door = {"layer": "A-DOOR"}
    # two single doors in the middle wall (x 5.9–6.1), at y 1.0–1.9 and 1.9–2.8: their symbols touch
    for y0 in (1.0, 1.9):
        msp.add_arc((6.1, y0), 0.9, 0, 90, dxfattribs=door)
        msp.add_line((6.1, y0), (7.0, y0), dxfattribs=door)
    # a double door in the same wall, y 3.5–5.1
    msp.add_arc((6.1, 3.5), 0.8, 0, 90, dxfattribs=door)
    msp.add_line((6.1, 3.5), (6.9, 3.5), dxfattribs=door)
    msp.add_arc((6.1, 5.1), 0.8, 270, 360, dxfattribs=door)
    msp.add_line((6.1, 5.1), (6.9, 5.1), dxfattribs=door)
    path = tmp_path / "doors.dxf"
    doc.saveas(path)
    b, _, _ = convert(str(path))
    doors = sorted(round(o.width, 1) for o in b.openings if o.kind == "door")
    assert doors == [0.9, 0.9, 1.6], doors


@pytest.mark.parametrize("layer", ["0", "A-WALL"])
def test_a_door_leaf_drawn_as_a_thin_rectangle_is_no_wall(tmp_path, layer):
    """Walls as line pairs, a door as an arc and a 5 cm leaf rectangle from its hinge, all on one
    layer: the leaf is no wall slab standing in the room, the room keeps its area."""
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    at = {"layer": layer}

    def pair(x0, y0, x1, y1):
        msp.add_line((x0, y0), (x1, y1), dxfattribs=at)
        msp.add_line((x0 + (0.2 if x0 == x1 else 0), y0 + (0.2 if y0 == y1 else 0)),
                     (x1 + (0.2 if x0 == x1 else 0), y1 + (0.2 if y0 == y1 else 0)), dxfattribs=at)
    pair(0, 0, 10, 0), pair(0, 5.8, 10, 5.8), pair(0, 0.2, 0, 5.8), pair(9.8, 0.2, 9.8, 5.8)
    pair(4.9, 0.2, 4.9, 2.0), pair(4.9, 2.9, 4.9, 5.8)
    msp.add_line((4.9, 2.0), (5.1, 2.0), dxfattribs=at)
    msp.add_line((4.9, 2.9), (5.1, 2.9), dxfattribs=at)
    msp.add_lwpolyline([(5.1, 2.0), (6.0, 2.0), (6.0, 2.05), (5.1, 2.05)], close=True, dxfattribs=at)
    msp.add_arc((5.1, 2.0), 0.9, 0, 90, dxfattribs=at)
    msp.add_text("Office", dxfattribs={"height": 0.3, "insert": (2, 3)})
    msp.add_text("Lab", dxfattribs={"height": 0.3, "insert": (7, 3)})
    path = tmp_path / "leaf.dxf"
    doc.saveas(path)
    b, _, _ = convert(str(path))
    assert not any(pc.polygon.bounds[1] >= 1.99 and pc.polygon.bounds[3] <= 2.06 for pc in b.pieces)
    assert sorted((r.name, r.area) for r in b.rooms) == [("Lab", pytest.approx(26.32, abs=0.05)),
                                                          ("Office", pytest.approx(26.32, abs=0.05))]
    assert sum(o.kind == "door" for o in b.openings) == 1


def test_a_header_that_lies_with_no_texts_or_doors_is_corrected_from_the_lines(tmp_path):
    """A 12 × 8 m plan drawn in cm under an m header, walls only: read as m it would be a 1.2 km
    building of 12 m thick walls; its lines say cm."""
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()

    def pair(x0, y0, x1, y1):
        dx, dy = (0.2, 0) if x0 == x1 else (0, 0.2)
        msp.add_line((x0 * 100, y0 * 100), (x1 * 100, y1 * 100))
        msp.add_line(((x0 + dx) * 100, (y0 + dy) * 100), ((x1 + dx) * 100, (y1 + dy) * 100))
    pair(0, 0, 12, 0), pair(0, 7.8, 12, 7.8), pair(0, 0.2, 0, 7.8), pair(11.8, 0.2, 11.8, 7.8)
    pair(5.9, 0.2, 5.9, 7.8), pair(6.1, 3.9, 11.8, 3.9)
    path = tmp_path / "cm.dxf"
    doc.saveas(path)
    b, plan, _ = convert(str(path))
    assert plan.source["units"] == "cm"
    assert plan.source["unitsCorrected"] == {"declared": "m", "used": "cm"}
    assert sorted(round(r.area, 1) for r in b.rooms) == [21.1, 21.1, 43.3]
