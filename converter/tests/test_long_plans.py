"""A very long plan (a row of 1,400 rooms, 6 km) stays in its declared metres when its door swings
say so, and converts within a small memory limit, also when read at a wrong scale (every line then
touches dozens of others: the single-line search must not grow quadratically)."""
from __future__ import annotations

import json
import subprocess
import sys

import ezdxf
import pytest


def _row_of_rooms(path, rooms: int) -> None:
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    t, depth, w = 0.2, 4.5, 4.2
    for i in range(rooms):
        x = i * w
        for ax, ay, bx, by in ((x, 0, x + w, 0), (x, depth, x + w, depth), (x, 0, x, depth),
                               (x + t, t, x + w - t, t), (x + t, depth - t, x + w - t, depth - t),
                               (x + t, t, x + t, depth - t)):
            msp.add_line((ax, ay), (bx, by), dxfattribs={"layer": "A-WALL"})
        msp.add_arc((x + 1, 0), 0.9, 0, 90, dxfattribs={"layer": "A-DOOR"})
        msp.add_text(f"Room {i}", dxfattribs={"insert": (x + 1.5, depth / 2), "height": 0.25})
    doc.saveas(path)


@pytest.mark.parametrize("options, unit", [({}, "m"), ({"units": "mm"}, "mm")])
def test_a_six_km_row_of_rooms_converts_in_little_memory(tmp_path, options, unit):
    src = tmp_path / "row.dxf"
    _row_of_rooms(src, 1400)
    opts = {"memoryMb": 700, "timeoutSeconds": 90, **options}
    out = subprocess.run([sys.executable, "-m", "converter", str(src), "-o", str(tmp_path / "row.glb"),
                          "--options", json.dumps(opts)], capture_output=True, text=True, timeout=120)
    last = json.loads(out.stdout.strip().splitlines()[-1])
    assert last["type"] == "result", last
    assert last["stats"]["units"] == unit
    if unit == "m":
        assert last["stats"]["rooms"] > 1000  # a building, not a 6 m speck
