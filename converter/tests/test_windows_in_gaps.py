"""Windows drawn as bare lines between wall jambs on a layer whose name says nothing, and the site
around a building (garden walls, kerbs) drawn with line pairs that look like walls."""
from __future__ import annotations

import sys
from pathlib import Path

import ezdxf
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from score import convert  # noqa: E402


def _rect(msp, x0, y0, x1, y1, layer):
    msp.add_lwpolyline([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], close=True, dxfattribs={"layer": layer})


def _house(tmp_path) -> str:
    """A 10 × 8 m house, walls outlined on A-WALL; two windows as three lines each on layer 0 in gaps
    of the top and left walls; a glass screen (two lines) between two inside walls; a garden wall
    (a line pair, 12 m) and a garage (walls as line pairs, closed) beside it on layer 0."""
    doc = ezdxf.new(setup=True)
    doc.units = ezdxf.units.M
    msp = doc.modelspace()
    w = "A-WALL"
    _rect(msp, 0, 0, 10, 0.3, w)                   # bottom
    _rect(msp, 9.7, 0.3, 10, 7.7, w)                # right
    _rect(msp, 0, 7.7, 3, 8, w)                     # top, left of the window
    _rect(msp, 4.2, 7.7, 10, 8, w)                  # top, right of it
    _rect(msp, 0, 0.3, 0.3, 3, w)                   # left, below the window
    _rect(msp, 0, 4.5, 0.3, 7.7, w)                 # left, above it
    _rect(msp, 5, 0.3, 5.1, 7.7, w)                 # inside wall
    _rect(msp, 7.5, 0.3, 7.6, 3.5, w)               # inside stub
    for y in (7.75, 7.85, 7.95):                    # window 1: frame, glass, frame
        msp.add_line((3, y), (4.2, y), dxfattribs={"layer": "0"})
    for x in (0.05, 0.15, 0.25):                    # window 2
        msp.add_line((x, 3), (x, 4.5), dxfattribs={"layer": "0"})
    for y in (2.0, 2.06):                           # a glass screen between two inside walls
        msp.add_line((5.1, y), (7.5, y), dxfattribs={"layer": "0"})
    for y in (0, 0.25):                             # garden wall
        msp.add_line((14, y - 6), (26, y - 6), dxfattribs={"layer": "0"})
    msp.add_lwpolyline([(14, 2), (20, 2), (20, 8), (14, 8)], close=True, dxfattribs={"layer": "0"})
    msp.add_lwpolyline([(14.25, 2.25), (19.75, 2.25), (19.75, 7.75), (14.25, 7.75)], close=True,
                       dxfattribs={"layer": "0"})
    msp.add_text("Wohnen", height=0.3, dxfattribs={"layer": "0"}).set_placement((2, 5))
    path = str(tmp_path / "house.dxf")
    doc.saveas(path)
    return path


def test_lines_in_a_gap_of_an_outside_wall_are_a_window_not_a_wall(tmp_path):
    b, _, _ = convert(_house(tmp_path))
    windows = [o for o in b.openings if o.kind == "window"]
    assert len(windows) == 2, [(o.kind, o.plug.bounds) for o in b.openings]
    assert sorted(round(o.width, 2) for o in windows) == [1.2, 1.5]
    assert all(o.hosted for o in windows)
    # no wall piece stands where the windows are
    gaps = shapely.union_all([shapely.box(3.05, 7.7, 4.15, 8), shapely.box(0, 3.05, 0.3, 4.45)])
    assert all(pc.polygon.intersection(gaps).area < 1e-3 for pc in b.pieces)


def test_a_glass_screen_between_inside_walls_is_no_window(tmp_path):
    b, _, _ = convert(_house(tmp_path))
    screen = shapely.box(5.1, 1.9, 7.5, 2.2)
    assert not any(o.plug.intersects(screen) for o in b.openings)


def test_garden_walls_around_the_building_are_lines_and_a_garage_stays(tmp_path):
    b, _, _ = convert(_house(tmp_path))
    garden = shapely.box(13.5, -6.5, 26.5, -5.5)
    garage = shapely.box(13.5, 1.5, 20.5, 8.5)
    assert not any(pc.polygon.intersects(garden) for pc in b.pieces)
    assert sum(pc.polygon.intersection(garage).area for pc in b.pieces) > 5.0
    drawn = [pl for (cat, _), lines in b.lines.items() for pl in lines if cat == "other"]
    assert any(pl[:, 1].max() < -5 for pl in drawn)  # the garden wall is still drawn, as lines
