"""Walls and doors found by geometry on layers whose names say nothing (layer "0")."""
from __future__ import annotations

import ezdxf
import pytest
import shapely
from shapely.geometry import box

from conftest import CORPUS, assert_valid
from converter.options import merge_options
from converter.pipeline import convert
from plans import DOOR_GAPS, classify, solid_walls

#: (hinge, start angle, end angle, leaf end) of each bare swing, radius 0.9 m
SWINGS = [((1.5, 0.2), 0, 90, (1.5, 1.1)), ((8.9, 0.2), 90, 180, (8.9, 1.1)),
          ((6.05, 2.0), 90, 180, (5.15, 2.0))]


def truth_walls() -> shapely.Geometry:
    shell = box(0, 0, 10, 6).difference(box(0.2, 0.2, 9.8, 5.8))
    inner = box(5.95, 0.2, 6.05, 5.8)
    return shapely.unary_union([shell, inner]).difference(shapely.unary_union(DOOR_GAPS))


def draw_unnamed_plan(path, unit: str = "mm") -> None:
    """Walls as line pairs, doors as arc + leaf, a table and texts: everything on layer 0."""
    s = 1000.0 if unit == "mm" else 1.0
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 4 if unit == "mm" else 6
    msp = doc.modelspace()
    for poly in truth_walls().geoms:
        for ring in [poly.exterior, *poly.interiors]:
            c = list(ring.coords)
            for a, b in zip(c[:-1], c[1:]):
                msp.add_line((a[0] * s, a[1] * s), (b[0] * s, b[1] * s))
    for (hx, hy), a0, a1, (lx, ly) in SWINGS:
        msp.add_arc((hx * s, hy * s), 0.9 * s, a0, a1)
        msp.add_line((hx * s, hy * s), (lx * s, ly * s))
    msp.add_lwpolyline([(p[0] * s, p[1] * s) for p in ((2, 3), (3.6, 3), (3.6, 3.8), (2, 3.8))], close=True)
    msp.add_text("Living", dxfattribs={"height": 0.3 * s, "insert": (3 * s, 4.5 * s)})
    doc.saveas(path)


def draw_distractors(path, furniture: bool = True, grid: bool = True, notes: bool = True) -> None:
    """No walls at all: furniture, a fine floor grid, texts and dimensions, on layer 0 (metres)."""
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    if furniture:
        for k in range(8):
            x = 2.0 * k
            msp.add_lwpolyline([(x, 0), (x + 1.6, 0), (x + 1.6, 0.8), (x, 0.8)], close=True)   # tables
            msp.add_lwpolyline([(x, 2), (x + 2.0, 2), (x + 2.0, 2.4), (x, 2.4)], close=True)   # shelves
    if grid:
        for k in range(21):
            msp.add_line((k * 0.5, 4), (k * 0.5, 14))
            msp.add_line((0, 4 + k * 0.5), (10, 4 + k * 0.5))
    if notes:
        for k in range(10):
            msp.add_text(f"Note {k}", dxfattribs={"height": 0.25, "insert": (12, 4 + k * 0.4)})
        for k in range(6):
            dim = msp.add_linear_dim(base=(0, -1 - 0.3 * k), p1=(0, 0), p2=(2.0 * (k + 1), 0))
            dim.render()
    doc.saveas(path)


@pytest.mark.parametrize("unit", ["mm", "m"])
def test_unnamed_plan_gets_walls_and_doors(tmp_path, unit):
    src = tmp_path / f"unnamed-{unit}.dxf"
    draw_unnamed_plan(src, unit)
    b = classify(src)
    got = solid_walls(b)
    t = truth_walls()
    iou = got.intersection(t).area / got.union(t).area
    assert iou >= 0.95, iou
    doors = [o for o in b.openings if o.kind == "door"]
    assert len(doors) == len(SWINGS)
    assert all(o.hosted for o in doors)
    assert sorted(round(o.width, 2) for o in doors) == [0.9, 0.9, 0.9]
    assert b.stats["wallsByGeometry"] == len(b.pieces) > 0
    assert b.stats["wallsByName"] == 0
    assert b.stats["doorsByGeometry"] == len(SWINGS)
    assert any("by geometry" in w for w in b.warnings)


def test_unnamed_plan_converts_to_valid_glb(tmp_path):
    src = tmp_path / "unnamed.dxf"
    draw_unnamed_plan(src)
    out = tmp_path / "unnamed.glb"
    result = convert(str(src), str(out), merge_options(None))
    assert result["stats"]["walls"] > 0 and result["stats"]["doors"] == len(SWINGS)
    assert_valid(out)


@pytest.mark.parametrize("what", ["all", "furniture", "grid", "notes"])
def test_no_walls_from_distractors(tmp_path, what):
    src = tmp_path / f"distractors-{what}.dxf"
    flags = {k: what in ("all", k) for k in ("furniture", "grid", "notes")}
    draw_distractors(src, **flags)
    b = classify(src)
    assert not b.pieces and not b.walls
    assert not b.openings
    assert b.stats.get("wallsByGeometry", 0) == 0


def test_named_layers_are_not_searched(tmp_path):
    """A layer mapped to "other" is the user's word: no geometric walls there."""
    src = tmp_path / "mapped.dxf"
    draw_unnamed_plan(src)
    b = classify(src, layerMapping={"0": "other"})
    assert not b.pieces and not b.openings


WIPEOUT = CORPUS / "ezdxf-wipeout_door.dxf"


@pytest.mark.skipif(not WIPEOUT.is_file(), reason=f"corpus file {WIPEOUT} is absent")
def test_corpus_wipeout_door(tmp_path):
    """Two door blocks and two exploded doors (arc + leaf on layer 0) in two named walls.

    The file says inches ($INSUNITS=1) but is drawn in millimetres (door radius 927 units),
    so the test gives the units; with inches no wall or door is plausible.
    """
    out = tmp_path / "wipeout.glb"
    result = convert(str(WIPEOUT), str(out), merge_options({"units": "mm"}))
    stats = result["stats"]
    assert stats["walls"] > 0
    assert stats["doors"] == 4
    assert stats["openingsWithoutWall"] == 0
    assert_valid(out)
