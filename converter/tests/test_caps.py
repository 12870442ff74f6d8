"""Caps before explosion (MINSERT grids, block fan-out), dense polylines, every entity kind."""
from __future__ import annotations

import json
import struct
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import caps  # noqa: E402
from converter.errors import LimitExceeded  # noqa: E402
from converter.options import merge_options  # noqa: E402
from converter.pipeline import convert  # noqa: E402


@pytest.mark.parametrize("make", [caps.minsert, caps.fanout])
def test_runaway_blocks_refused_before_exploding(tmp_path, make):
    src = tmp_path / "runaway.dxf"
    make(str(src))
    t0 = time.perf_counter()
    with pytest.raises(LimitExceeded) as err:
        convert(str(src), str(tmp_path / "out.glb"), merge_options({}))
    assert err.value.code == "entity_limit" and err.value.exit_code == 6
    assert time.perf_counter() - t0 < 5.0


def test_dense_polyline_converts(tmp_path):
    src = tmp_path / "dense.dxf"
    caps.polyline(str(src), 200_000)
    t0 = time.perf_counter()
    result = convert(str(src), str(tmp_path / "out.glb"), merge_options({}))
    assert result["ok"]
    assert time.perf_counter() - t0 < 60


def test_kitchen_sink_counts_what_it_skips_and_ignores_infinite_lines(tmp_path):
    src = tmp_path / "sink.dxf"
    caps.kitchen_sink(str(src))
    result = convert(str(src), str(tmp_path / "out.glb"), merge_options({}))
    stats = result["stats"]
    for kind in ("XLINE", "RAY", "WIPEOUT"):
        assert stats["skipped"].get(kind) == 1, stats["skipped"]
    assert max(stats["extent"]) < 100, stats["extent"]  # metres: no kilometre helpers, no infinite lines
    assert stats["entityCounts"].get("MLINE") == 1 and "MLINE" not in stats["skipped"]


def test_glb_solids_have_no_normals_and_share_corners(tmp_path):
    from plans import draw_plan
    src = tmp_path / "plan.dxf"
    draw_plan(str(src))
    out = tmp_path / "plan.glb"
    result = convert(str(src), str(out), merge_options({}))
    data = out.read_bytes()
    n = struct.unpack("<I", data[12:16])[0]
    doc = json.loads(data[20:20 + n])
    prims = [p for m in doc["meshes"] for p in m["primitives"] if p.get("mode", 4) == 4]
    assert prims and all("NORMAL" not in p["attributes"] for p in prims)
    assert result["stats"]["bytes"] <= 1.5 * src.stat().st_size
