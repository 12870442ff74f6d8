"""Generate a large synthetic DXF by tiling a known floor plan (for the 50 MB benchmark).

Why tiling the test plan: it exercises every stage (wall pairs, door blocks, bare swings,
windows, rooms, texts, dimensions) at scale, with a known answer per tile.
"""
from __future__ import annotations

import math
import os
import sys
import tempfile

import ezdxf

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from plans import draw_plan  # noqa: E402

__all__ = ["make_big_dxf"]


def make_big_dxf(path: str, target_mb: float = 50.0) -> dict:
    """Write a tiled plan of about ``target_mb`` MB to ``path``; returns tiles and expected counts."""
    with tempfile.TemporaryDirectory() as tmp:
        base = os.path.join(tmp, "base.dxf")
        draw_plan(base, unit="mm", version="R2010")
        doc = ezdxf.readfile(base)
        one = os.path.getsize(base)
    msp = doc.modelspace()
    originals = list(msp)
    per_tile = 8_950  # bytes each copy of the plan adds (measured with ezdxf 1.4, R2010)
    tiles = max(1, int((target_mb * 1e6 - one) / per_tile) + 1)
    cols = int(math.ceil(math.sqrt(tiles)))
    for k in range(1, tiles):
        dx, dy = (k % cols) * 12_000.0, (k // cols) * 8_000.0
        for e in originals:
            c = e.copy()
            c.translate(dx, dy, 0)
            msp.add_entity(c)
    doc.saveas(path)
    return {"tiles": tiles, "bytes": os.path.getsize(path), "baseBytes": one,
            "expected": {"doors": 3 * tiles, "windows": 4 * tiles, "rooms": 2 * tiles}}


if __name__ == "__main__":
    print(make_big_dxf(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 50.0))
