"""`layerMapping` → `ignore`: the edge's upload options may drop layers (title blocks, site xrefs)."""
from __future__ import annotations

import json

import ezdxf
import pytest

from converter.errors import BadOptions
from converter.options import merge_options
from converter.pipeline import convert


def test_ignore_is_an_accepted_category():
    assert merge_options({"layerMapping": {"TITLE*": "ignore"}}).layerMapping == {"TITLE*": "ignore"}
    with pytest.raises(BadOptions, match="ignore"):
        merge_options({"layerMapping": {"X": "furniture"}})


def test_ignored_layers_do_not_reach_the_model(tmp_path):
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    for y in (0.0, 0.2):
        msp.add_line((0, y), (5, y), dxfattribs={"layer": "A-WALL"})
    for y in (3.0, 3.2):  # would be a second wall
        msp.add_line((0, y), (5, y), dxfattribs={"layer": "TITLE-BLOCK"})
    msp.add_text("Drawn by Jane Doe", dxfattribs={"insert": (0, 4), "layer": "TITLE-BLOCK"})
    src = tmp_path / "plan.dxf"
    doc.saveas(src)
    report = tmp_path / "report.json"
    convert(str(src), str(tmp_path / "plan.glb"), merge_options({"layerMapping": {"title*": "ignore"}}), report_path=str(report))
    data = json.loads(report.read_text())
    assert data["stats"]["walls"] == 1
    assert "TITLE-BLOCK" not in data["layerCategories"]
