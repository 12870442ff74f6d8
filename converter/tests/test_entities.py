"""Every supported entity type reaches the plan; unsupported ones are counted, never lost."""
from __future__ import annotations

import math

import ezdxf
import numpy as np
import pytest
from ezdxf.render import forms

from conftest import assert_valid
from converter.options import merge_options
from converter.pipeline import convert
from converter.read.dxf import read_dxf


def read(doc, tmp_path, name="e.dxf", **options):
    path = tmp_path / name
    doc.saveas(path)
    return read_dxf(str(path), merge_options(options))


def new(version="R2018"):
    doc = ezdxf.new(version)
    doc.header["$INSUNITS"] = 6
    return doc, doc.modelspace()


def test_lines_polylines_and_bulges(tmp_path):
    doc, msp = new()
    msp.add_line((0, 0), (1, 0))
    msp.add_lwpolyline([(0, 0, 0, 0, 1.0), (2, 0), (2, 2)], format="xyseb")  # half-circle bulge
    msp.add_polyline2d([(0, 0), (1, 1), (2, 0)], close=True)
    msp.add_polyline3d([(0, 0, 0), (1, 1, 1), (2, 0, 2)])
    plan = read(doc, tmp_path)
    kinds = [p.kind for p in plan.paths]
    assert kinds.count("LINE") == 1 and kinds.count("LWPOLYLINE") == 1 and kinds.count("POLYLINE") == 2
    bulged = next(p for p in plan.paths if p.kind == "LWPOLYLINE")
    assert len(bulged.points) > 10  # the bulge became an arc
    assert np.min(bulged.points[:, 1]) == pytest.approx(-1.0, abs=0.02)


def test_curves_are_tessellated_within_tolerance(tmp_path):
    doc, msp = new()
    msp.add_arc((0, 0), 1.0, 0, 90)
    msp.add_circle((5, 0), 0.5)
    msp.add_ellipse((10, 0), major_axis=(2, 0), ratio=0.5)
    msp.add_spline([(0, 5), (1, 6), (2, 5), (3, 6)])
    plan = read(doc, tmp_path)
    by = {p.kind: p for p in plan.paths}
    assert set(by) == {"ARC", "CIRCLE", "ELLIPSE", "SPLINE"}
    r = np.hypot(*by["ARC"].points.T)
    assert np.allclose(r, 1.0, atol=1e-3)
    assert by["ARC"].arc.sweep == pytest.approx(math.pi / 2)
    assert by["CIRCLE"].closed and by["ELLIPSE"].closed
    mid = (by["CIRCLE"].points[:-1] + by["CIRCLE"].points[1:]) / 2 - (5, 0)
    assert np.all(0.5 - np.hypot(*mid.T) <= 0.0101)


def test_hatch_with_island_solid_trace(tmp_path):
    doc, msp = new()
    h = msp.add_hatch()
    h.paths.add_polyline_path([(0, 0), (10, 0), (10, 10), (0, 10)], is_closed=True, flags=1)
    h.paths.add_polyline_path([(2, 2), (8, 2), (8, 8), (2, 8)], is_closed=True, flags=16)
    h.paths.add_polyline_path([(4, 4), (6, 4), (6, 6), (4, 6)], is_closed=True, flags=16)
    msp.add_solid([(20, 0), (21, 0), (20, 1), (21, 1)])
    msp.add_trace([(30, 0), (31, 0), (30, 1), (31, 1)])
    plan = read(doc, tmp_path)
    hatch = [r for r in plan.regions if r.kind == "HATCH"]
    assert len(hatch) == 2  # outer with a hole, and the island inside the hole
    outer = max(hatch, key=lambda r: len(r.holes))
    assert len(outer.holes) == 1
    quads = [r for r in plan.regions if r.kind in ("SOLID", "TRACE")]
    assert len(quads) == 2 and all(len(q.exterior) == 4 for q in quads)


def test_3d_faces_mesh_polyface(tmp_path):
    doc, msp = new()
    msp.add_3dface([(0, 0, 0), (1, 0, 0), (1, 1, 1), (0, 1, 1)])
    forms.cube().render_mesh(msp)
    forms.cube().translate(3, 0, 0).render_polyface(msp)
    plan = read(doc, tmp_path)
    kinds = {f.kind: len(f.triangles) for f in plan.faces}
    assert kinds == {"3DFACE": 2, "MESH": 12, "POLYFACE": 12}


def test_text_mtext_dimension_leader(tmp_path):
    doc, msp = new()
    msp.add_text("Hall", dxfattribs={"insert": (1, 2), "height": 0.3})
    msp.add_mtext("Bed\\Proom", dxfattribs={"insert": (3, 4), "char_height": 0.3})
    msp.add_linear_dim(base=(0, -1), p1=(0, 0), p2=(5, 0)).render()
    msp.add_leader([(0, 0), (1, 1), (2, 1)])
    msp.add_line((0, 0), (5, 0))
    plan = read(doc, tmp_path)
    texts = {t.text: t for t in plan.texts}
    assert "Hall" in texts and "Bed\nroom" in texts
    assert np.allclose(texts["Hall"].position, (1, 2))
    assert {p.kind for p in plan.paths} >= {"DIMENSION", "LEADER", "LINE"}
    assert plan.entity_counts["DIMENSION"] == 1 and plan.entity_counts["LEADER"] == 1


def test_inserts_nested_rotated_scaled_mirrored_minsert(tmp_path):
    doc, msp = new()
    leaf = doc.blocks.new("LEAF", base_point=(1, 0))
    leaf.add_line((1, 0), (2, 0))
    outer = doc.blocks.new("OUTER")
    outer.add_blockref("LEAF", (0, 0), dxfattribs={"rotation": 90})
    msp.add_blockref("OUTER", (10, 10), dxfattribs={"xscale": 2, "yscale": 2})
    msp.add_blockref("LEAF", (0, 0), dxfattribs={"xscale": -1})
    m = msp.add_blockref("LEAF", (0, 20))
    m.grid(size=(2, 3), spacing=(5, 7))
    plan = read(doc, tmp_path)
    pts = sorted(tuple(np.round(p.points, 6).ravel()) for p in plan.paths)
    # nested: LEAF base (1,0) → local (0,0)-(1,0) → rotated 90 → (0,0)-(0,1) → scaled 2, moved (10,10)
    assert (10.0, 10.0, 10.0, 12.0) in pts
    # mirrored: (0,0)-(-1,0)
    assert (0.0, 0.0, -1.0, 0.0) in pts
    # MINSERT 2 rows × 3 columns
    assert sum(1 for p in pts if p[1] >= 20) == 6
    assert plan.entity_counts["LINE"] == 8
    assert len(plan.groups) == 9  # OUTER, its LEAF, mirrored LEAF, 6 MINSERT cells


def test_unsupported_entities_are_counted(tmp_path):
    doc, msp = new()
    msp.add_point((0, 0))
    msp.add_xline((0, 0), (1, 0))
    msp.add_ray((0, 0), (1, 0))
    msp.add_line((0, 0), (1, 1))
    plan = read(doc, tmp_path)
    assert plan.skipped == {"POINT": 1, "XLINE": 1, "RAY": 1}
    assert plan.entity_counts["POINT"] == 1


def test_hidden_layers_are_counted(tmp_path):
    doc, msp = new()
    doc.layers.add("OFF").off()
    msp.add_line((0, 0), (1, 1), dxfattribs={"layer": "OFF"})
    msp.add_line((0, 0), (1, 2))
    plan = read(doc, tmp_path)
    assert plan.skipped == {"LINE (hidden layer)": 1}


@pytest.mark.parametrize("version", ["R12", "R2000", "R2004", "R2007", "R2010", "R2013", "R2018"])
def test_every_version_converts_and_validates(tmp_path, version):
    doc, msp = new(version)
    msp.add_line((0, 0), (4, 0))
    msp.add_lwpolyline([(0, 0), (4, 0), (4, 3), (0, 3)], close=True) if version != "R12" else \
        msp.add_polyline2d([(0, 0), (4, 0), (4, 3), (0, 3)], close=True)
    msp.add_arc((2, 2), 1, 0, 180)
    msp.add_3dface([(0, 0, 0), (1, 0, 0), (1, 1, 1)])
    src, out = tmp_path / f"v{version}.dxf", tmp_path / f"v{version}.glb"
    doc.saveas(src)
    result = convert(str(src), str(out), merge_options(None))
    assert result["ok"] and result["stats"]["dxfVersion"] == doc.dxfversion
    assert_valid(out)


def test_binary_dxf(tmp_path):
    doc, msp = new("R2010")
    msp.add_line((0, 0), (4, 0))
    src, out = tmp_path / "bin.dxf", tmp_path / "bin.glb"
    doc.saveas(src, fmt="bin")
    assert src.read_bytes().startswith(b"AutoCAD Binary DXF")
    result = convert(str(src), str(out), merge_options(None))
    assert result["stats"]["format"] == "dxf-binary"
    assert_valid(out)
