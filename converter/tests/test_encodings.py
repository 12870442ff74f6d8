"""Korean and Japanese layer names (cp949 / Shift-JIS DXF) survive as UTF-8 into GLB and report."""
from __future__ import annotations

import json

import ezdxf
import pygltflib
import pytest

from conftest import assert_valid
from converter.options import merge_options
from converter.pipeline import convert


@pytest.mark.parametrize("codepage, encoding, wall, door, room", [
    ("ANSI_949", "cp949", "벽체", "문", "거실"),
    ("ANSI_932", "cp932", "壁", "建具", "居間"),
])
def test_legacy_codepages(tmp_path, codepage, encoding, wall, door, room):
    doc = ezdxf.new("R2000")
    doc.encoding = encoding
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    for name in (wall, door):
        doc.layers.add(name)
    for a, b in [((0, 0), (6, 0)), ((0, 0.2), (6, 0.2))]:
        msp.add_line(a, b, dxfattribs={"layer": wall})
    msp.add_text(room, dxfattribs={"insert": (1, 2), "layer": wall})
    src = tmp_path / "cjk.dxf"
    doc.saveas(src)
    raw = src.read_bytes()
    assert wall.encode(encoding) in raw  # really stored in the legacy code page
    assert codepage.encode() in raw
    out, report = tmp_path / "cjk.glb", tmp_path / "cjk.json"
    convert(str(src), str(out), merge_options(None), None, str(report))
    assert_valid(out)
    names = [n.name for n in pygltflib.GLTF2.load(str(out)).nodes]
    assert f"walls: {wall}" in names
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["layerCategories"][wall] == "wall"
