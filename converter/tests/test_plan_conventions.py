"""Drawing conventions of real plans: dashed lines (beams above, hidden edges) are no walls; an
open-plan space is named by all its zones; room stamps stacked in one PDF text column stay apart."""
from __future__ import annotations

import sys
from pathlib import Path

import ezdxf
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from score import convert  # noqa: E402

from converter.read.pdf.page import _stacks  # noqa: E402


def _walled(msp, w=8.0, h=6.0, t=0.25, layer="A-WALL"):
    msp.add_lwpolyline([(0, 0), (w, 0), (w, h), (0, h)], close=True, dxfattribs={"layer": layer})
    msp.add_lwpolyline([(t, t), (w - t, t), (w - t, h - t), (t, h - t)], close=True, dxfattribs={"layer": layer})


def _dashed(msp, x0, x1, y, dash=0.3, gap=0.15):
    x = x0
    while x < x1:
        msp.add_line((x, y), (min(x + dash, x1), y), dxfattribs={"layer": "0"})
        x += dash + gap


def test_dashed_lines_are_no_walls(tmp_path):
    """A steel beam overhead, drawn as two dashed lines 0.12 m apart across the room, on the layer the
    walls are drawn on (line pairs, layer 0): no wall, and the room stays one room (before, its dashes
    paired into a row of wall stubs)."""
    doc = ezdxf.new()
    msp = doc.modelspace()
    doc.units = ezdxf.units.M
    _walled(msp, layer="0")
    for y in (3.0, 3.12):
        _dashed(msp, 0.25, 7.75, y)
    msp.add_text("Wohnen", height=0.3).set_placement((3, 4.5))
    path = str(tmp_path / "beam.dxf")
    doc.saveas(path)
    b, _, _ = convert(path)
    beam = shapely.box(0.3, 2.95, 7.7, 3.17)
    assert b.pieces and not [pc for pc in b.pieces if pc.polygon.intersection(beam).area > 1e-3]
    assert [(r.name, round(r.area, 1)) for r in b.rooms] == [("Wohnen", 41.2)]


def test_an_open_plan_room_is_named_by_all_its_zones(tmp_path):
    doc = ezdxf.new()
    msp = doc.modelspace()
    doc.units = ezdxf.units.M
    _walled(msp, w=12.0)
    msp.add_text("Wohnen", height=0.3).set_placement((2, 3))
    msp.add_text("Küche / Essen", height=0.3).set_placement((8, 3))
    msp.add_text("Herd", height=0.15).set_placement((9, 1))       # a fixture label, smaller
    msp.add_text("Spüle neu", height=0.3).set_placement((9, 5))   # a note, no kind of room
    path = str(tmp_path / "open.dxf")
    doc.saveas(path)
    b, _, _ = convert(path)
    # the name the room took first, then the other zones
    assert [r.name for r in b.rooms] in (["Wohnen / Küche / Essen"], ["Küche / Essen / Wohnen"])
    assert b.stats["openPlanRooms"] == 1


def _line(text, x0, y0, x1, y1, rotated=False):
    return {"bbox": (x0, y0, x1, y1), "dir": (0.0, -1.0) if rotated else (1.0, 0.0),
            "spans": [{"text": text, "size": y1 - y0}]}


def test_room_stamps_in_one_pdf_text_block_come_apart():
    """PyMuPDF put "Schlafen / FFB=" and, 3 m further down the same column, "Küche / Essen" in one block."""
    block = [_line("Schlafen", 100, 100, 130, 104), _line("FFB=", 100, 104.5, 115, 108.5),
             _line("Küche / Essen", 100, 160, 140, 164), _line("FFB=", 100, 164.5, 115, 168.5),
             _line("Notiz", 300, 168.5, 320, 172.5)]
    assert [[ln["spans"][0]["text"] for ln in s] for s in _stacks(block)] == \
        [["Schlafen", "FFB="], ["Küche / Essen", "FFB="], ["Notiz"]]
    rotated = [_line("BRH", 10, 10, 14, 30, rotated=True), _line("Bestand", 15, 10, 19, 40, rotated=True)]
    assert len(_stacks(rotated)) == 1


def _basin(msp, x, y, w=0.5, d=0.32, r=0.04):
    """A washbasin as CAD exports often draw it: four loose lines between four corner arcs."""
    msp.add_line((x + r, y), (x + w - r, y), dxfattribs={"layer": "0"})
    msp.add_line((x + r, y + d), (x + w - r, y + d), dxfattribs={"layer": "0"})
    msp.add_line((x, y + r), (x, y + d - r), dxfattribs={"layer": "0"})
    msp.add_line((x + w, y + r), (x + w, y + d - r), dxfattribs={"layer": "0"})
    for cx, cy, a0 in ((x + r, y + r, 180), (x + w - r, y + r, 270), (x + w - r, y + d - r, 0), (x + r, y + d - r, 90)):
        msp.add_arc((cx, cy), r, a0, a0 + 90, dxfattribs={"layer": "0"})


def test_a_washbasin_with_rounded_corners_is_no_wall_and_keeps_the_bathroom_whole(tmp_path):
    """Its front and back edges lie a wall apart; paired, they made a wall stub whose end bridged to the
    opposite wall and cut the bathroom in two."""
    doc = ezdxf.new()
    msp = doc.modelspace()
    doc.units = ezdxf.units.M
    _walled(msp, w=4.0, h=2.2, t=0.2)
    for x in (1.0, 2.2):
        _basin(msp, x, 0.2)
    # the rest of layer 0: walls drawn as line pairs, so the layer counts as a wall layer
    for y0 in (-3.0, -6.0):
        msp.add_lwpolyline([(0, y0), (6, y0), (6, y0 + 2), (0, y0 + 2)], close=True, dxfattribs={"layer": "0"})
        msp.add_lwpolyline([(0.2, y0 + 0.2), (5.8, y0 + 0.2), (5.8, y0 + 1.8), (0.2, y0 + 1.8)], close=True,
                           dxfattribs={"layer": "0"})
    msp.add_text("Bad", height=0.25).set_placement((1.5, 1.4))
    msp.add_text("BRH wie Bestand Bad", height=0.25).set_placement((0.4, 1.0))  # a note, not a zone
    path = str(tmp_path / "bath.dxf")
    doc.saveas(path)
    b, _, _ = convert(path)
    basins = shapely.box(0.95, 0.15, 2.75, 0.6)
    assert all(pc.polygon.intersection(basins).area < 1e-3 for pc in b.pieces if pc.source == "geometry")
    bad = [r for r in b.rooms if r.name == "Bad"]
    assert len(bad) == 1 and abs(bad[0].area - 3.6 * 1.8) < 0.05
