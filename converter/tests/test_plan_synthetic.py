"""Synthetic floor plans with known walls, doors, windows and rooms (issue 3 acceptance)."""
from __future__ import annotations

import pytest

from conftest import assert_valid
from converter.normalise import normalise_units
from converter.options import merge_options
from converter.pipeline import convert
from converter.read.dxf import read_dxf
from plans import classify, draw_plan, solid_walls


@pytest.mark.parametrize("style", ["lines", "polylines", "hatch"])
@pytest.mark.parametrize("unit", ["mm", "m"])
def test_walls_openings_rooms(tmp_path, style, unit):
    src = tmp_path / f"plan-{style}-{unit}.dxf"
    t = draw_plan(str(src), wall_style=style, unit=unit)
    b = classify(src)
    got = solid_walls(b)
    iou = got.intersection(t.walls).area / got.union(t.walls).area
    assert iou >= 0.95, iou
    doors = [o for o in b.openings if o.kind == "door"]
    windows = [o for o in b.openings if o.kind == "window"]
    assert len(doors) == t.doors
    assert len(windows) == t.windows
    assert all(o.hosted for o in b.openings)
    assert sorted(round(o.width, 2) for o in doors) == [0.9, 0.9, 0.9]
    assert sorted(round(o.width, 2) for o in windows) == [1.0, 1.2, 1.2, 1.5]
    rooms = {r.name: r.area for r in b.rooms}
    assert set(rooms) == set(t.rooms)
    for name, area in t.rooms.items():
        assert abs(rooms[name] - area) / area < 0.02, (name, rooms[name], area)


def test_pipeline_writes_valid_glb(tmp_path):
    src, out, report = tmp_path / "plan.dxf", tmp_path / "plan.glb", tmp_path / "plan.json"
    draw_plan(str(src))
    seen = []
    result = convert(str(src), str(out), merge_options({"wallHeight": 3.0}), seen.append, str(report))
    stats = result["stats"]
    assert (stats["doors"], stats["windows"], stats["rooms"]) == (3, 4, 2)
    assert stats["units"] == "mm"
    assert stats["entityCounts"]["DIMENSION"] == 1
    assert [e["stage"] for e in seen if e["type"] == "progress"][0] == "read"
    assert seen[-1]["type"] == "result"
    assert report.exists()
    assert_valid(out)
    import pygltflib

    gltf = pygltflib.GLTF2.load(str(out))
    names = [n.name for n in gltf.nodes]
    assert "walls: A-WALL" in names and "doors: A-DOOR" in names and "windows: A-GLAZ" in names
    rooms = [n for n in gltf.nodes if (n.extras or {}).get("category") == "room" and "area" in n.extras]
    assert sorted(n.extras["name"] for n in rooms) == ["Kitchen", "Living"]
    # Y-up metres, centred: walls reach 3.0 m, the plan spans 10 m centred on 0.
    pos = [a for a in gltf.accessors if a.max and len(a.max) == 3]
    assert max(a.max[1] for a in pos) == pytest.approx(3.0, abs=1e-4)
    assert max(a.max[0] for a in pos) == pytest.approx(5.0, abs=0.05)
    assert min(a.min[0] for a in pos) == pytest.approx(-5.0, abs=0.05)
    assert {m.name for m in gltf.materials} >= {"wall", "door", "glass", "floor"}


def test_layer_mapping_option(tmp_path):
    src = tmp_path / "odd.dxf"
    draw_plan(str(src), wall_layer="MUROS_X", door_layer="P1", window_layer="V1")
    b = classify(src, layerMapping={"muros*": "wall", "P?": "door", "V1": "windows"})
    assert len([o for o in b.openings if o.kind == "door"]) == 3
    assert len([o for o in b.openings if o.kind == "window"]) == 4


def test_xref_prefixed_layers(tmp_path):
    src = tmp_path / "xref.dxf"
    draw_plan(str(src), wall_layer="XREF$0$A-WALL", door_layer="XREF|A-DOOR", window_layer="PLAN$0$A-GLAZ")
    b = classify(src)
    assert (len(b.walls), len(b.openings), len(b.rooms)) == (1, 7, 2)


@pytest.mark.parametrize("declared", [1, 6])  # inches, metres: both wrong for a plan drawn in mm
def test_wrong_declared_units_corrected_by_door_swings(tmp_path, declared):
    import ezdxf

    src = tmp_path / "plan.dxf"
    t = draw_plan(str(src), unit="mm")
    doc = ezdxf.readfile(str(src))
    doc.header["$INSUNITS"] = declared
    doc.saveas(str(src))
    opts = merge_options({})
    plan = read_dxf(str(src), opts)
    normalise_units(plan, opts.units)
    assert plan.source["units"] == "mm"
    assert plan.source["unitsCorrected"]["used"] == "mm"
    assert any("door swings" in w for w in plan.warnings)
    b = classify(src)
    assert len([o for o in b.openings if o.kind == "door"]) == t.doors
    assert {r.name for r in b.rooms} == set(t.rooms)
    # An explicit units option is the user's word: no correction.
    plan = read_dxf(str(src), merge_options({"units": "in"}))
    normalise_units(plan, "in")
    assert plan.source["units"] == "in" and "unitsCorrected" not in plan.source
