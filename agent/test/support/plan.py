"""Writes small floor plans for the agent's tests: DXF bytes that the real converter turns into a GLB.

usage: python plan.py OUT.dxf SEED [ROOMS]
Each seed gives a different drawing (room sizes and names vary), so the edge never deduplicates two.
"""
import random
import sys

import ezdxf


def main(out: str, seed: int, rooms: int = 3) -> None:
    rnd = random.Random(seed)
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6  # metres
    msp = doc.modelspace()
    t = 0.2
    x = 0.0
    depth = 4 + rnd.random() * 2
    for i in range(rooms):
        w = 3 + rnd.random() * 2
        # Outer and inner lines of the walls around room i (double-line walls on A-WALL).
        for (ax, ay, bx, by) in (
            (x, 0, x + w, 0), (x, depth, x + w, depth), (x, 0, x, depth), (x + w, 0, x + w, depth),
        ):
            msp.add_line((ax, ay), (bx, by), dxfattribs={"layer": "A-WALL"})
        for (ax, ay, bx, by) in (
            (x + t, t, x + w - t, t), (x + t, depth - t, x + w - t, depth - t),
            (x + t, t, x + t, depth - t), (x + w - t, t, x + w - t, depth - t),
        ):
            msp.add_line((ax, ay), (bx, by), dxfattribs={"layer": "A-WALL"})
        msp.add_arc((x + 1, 0), 0.9, 0, 90, dxfattribs={"layer": "A-DOOR"})
        msp.add_text(f"Room {seed}-{i}", dxfattribs={"insert": (x + w / 2 - 0.5, depth / 2), "height": 0.25, "layer": "A-ANNO"})
        x += w
    doc.saveas(out)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 3)
