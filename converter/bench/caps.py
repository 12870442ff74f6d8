#!/usr/bin/env python3
"""Drawings that try to exhaust the converter, and how fast it refuses or converts them.

Usage (from the repository root):
    converter/.venv/bin/python converter/bench/caps.py [--keep DIR]

- ``minsert``: one MINSERT of 30 000 × 30 000 cells (900 million) of a small block;
- ``fanout``: blocks nested 20 deep, each inserting the next 4 times (4^20 ≈ 10^12 entities);
- ``polyline``: one LWPOLYLINE of 1.5 million vertices (a wall outline gone wild);
- ``kitchen-sink``: one of every entity kind (XLINE, RAY, MLINE, REGION, 3DSOLID, ACAD_TABLE,
  MULTILEADER, LIGHT, TOLERANCE, WIPEOUT, …) around a small plan, with infinite lines and
  helpers kilometres away.
Each runs through the CLI (a cold process, default options) and prints the outcome, the
seconds and the peak memory. Goals: refusals with ``entity_limit`` in ≤ 5 s, the polyline
converted within the memory limit (or refused up front with ``vertex_limit``), the kitchen sink
converted in < 300 MB.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import ezdxf

HERE = Path(__file__).resolve().parent
PY = HERE.parent / ".venv" / "bin" / "python"


def minsert(path: str) -> None:
    doc = ezdxf.new("R2010")
    blk = doc.blocks.new("CELL")
    blk.add_line((0, 0), (100, 0))
    blk.add_line((0, 0), (0, 100))
    doc.modelspace().add_blockref("CELL", (0, 0), dxfattribs={
        "row_count": 30000, "column_count": 30000, "row_spacing": 200, "column_spacing": 200})
    doc.saveas(path)


def fanout(path: str, depth: int = 20, width: int = 4) -> None:
    doc = ezdxf.new("R2010")
    leaf = doc.blocks.new("B0")
    leaf.add_line((0, 0), (1, 0))
    for d in range(1, depth + 1):
        blk = doc.blocks.new(f"B{d}")
        for k in range(width):
            blk.add_blockref(f"B{d - 1}", (k * 2.0 ** d, 0))
    doc.modelspace().add_blockref(f"B{depth}", (0, 0))
    doc.saveas(path)


def polyline(path: str, n: int = 1_500_000) -> None:
    """Written as text: ezdxf takes minutes to build an entity this size."""
    import numpy as np
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = 6
    doc.modelspace().add_lwpolyline([(0, 0), (1, 0), (1, 1)], close=True, dxfattribs={"layer": "A-WALL"})
    doc.saveas(path)
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pts = np.column_stack((20 * np.cos(t) + 0.01 * np.sin(997 * t), 12 * np.sin(t)))
    body = "".join(f" 10\n{x:.6f}\n 20\n{y:.6f}\n" for x, y in pts)
    text = open(path, encoding="utf-8").read()
    head = text.index("AcDbPolyline")
    count = text.index(" 90\n", head)
    end_count = text.index("\n", count + 4)
    first_vertex = text.index(" 10\n", end_count)
    after = text.index("  0\n", first_vertex)
    text = text[:count] + f" 90\n{n}\n" + text[end_count + 1:first_vertex] + body + text[after:]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def kitchen_sink(path: str) -> None:
    """A small plan plus one entity of every kind ezdxf can write, some kilometres away."""
    from ezdxf.render import forms
    doc = ezdxf.new("R2018")
    doc.header["$INSUNITS"] = 4
    msp = doc.modelspace()
    for (a, b) in (((0, 0), (8000, 0)), ((8000, 0), (8000, 6000)), ((8000, 6000), (0, 6000)), ((0, 6000), (0, 0))):
        msp.add_line(a, b, dxfattribs={"layer": "A-WALL"})
    msp.add_xline((0, 0), (1, 1))
    msp.add_ray((5_000_000, 0), (1, 0))
    msp.add_mline([(0, 200), (8000, 200)], dxfattribs={"layer": "A-WALL", "scale_factor": 200})
    msp.add_point((9_000_000, 9_000_000))
    msp.add_circle((4000, 3000), 500)
    msp.add_arc((1000, 1000), 900, 0, 90, dxfattribs={"layer": "A-DOOR"})
    msp.add_ellipse((2000, 2000), (500, 0), 0.5)
    msp.add_spline([(0, 0), (1000, 2000), (3000, 1000), (4000, 4000)])
    msp.add_lwpolyline([(100, 100), (700, 100), (700, 700)], dxfattribs={"const_width": 200})
    msp.add_polyline2d([(0, 0), (100, 100), (200, 0)])
    msp.add_polyline3d([(0, 0, 0), (100, 100, 100), (200, 0, 50)])
    msp.add_solid([(0, 0), (100, 0), (0, 100)])
    msp.add_trace([(0, 0), (100, 0), (0, 100), (100, 100)])
    msp.add_3dface([(0, 0, 0), (100, 0, 0), (100, 100, 100)])
    msp.add_text("Office", dxfattribs={"height": 250, "insert": (3000, 3000)})
    msp.add_mtext("Kitchen", dxfattribs={"char_height": 250, "insert": (6000, 3000)})
    h = msp.add_hatch()
    h.paths.add_polyline_path([(0, 0), (200, 0), (200, 200)], is_closed=True)
    msp.add_linear_dim(base=(0, -1000), p1=(0, 0), p2=(8000, 0)).render()
    msp.add_aligned_dim(p1=(0, 0), p2=(3000, 3000), distance=500).render()
    msp.add_leader([(0, 0), (1000, 1000), (2000, 1000)])
    ml = msp.add_multileader_mtext("Standard")
    ml.set_content("note")
    ml.build(insert=ezdxf.math.Vec2(5000, 5000))
    msp.add_wipeout([(0, 0), (100, 0), (100, 100)])
    msp.add_mesh().vertices  # an empty MESH
    mesh = forms.cube().scale_uniform(100)
    mesh.render_mesh(msp)
    mesh.render_polyface(msp)
    msp.add_body()
    msp.add_region()
    msp.add_3dsolid()
    msp.add_surface()
    msp.add_extruded_surface()
    msp.new_entity("TOLERANCE", {"insert": (0, 0), "content": "{\\Fgdt;j}%%v0.1"})
    msp.new_entity("LIGHT", {})
    try:
        tbl = msp.new_entity("ACAD_TABLE", {"insert": (20_000_000, 0)})
    except Exception:  # noqa: BLE001
        pass
    msp.add_point((-20_000_000, 0))
    doc.saveas(path)


CASES = {"minsert": minsert, "fanout": fanout, "polyline": polyline, "kitchen-sink": kitchen_sink}


def run(path: str) -> dict:
    helper = ("import json,resource,subprocess,sys,time;t=time.perf_counter();"
              "p=subprocess.run(sys.argv[1:],stdout=subprocess.PIPE,stderr=subprocess.DEVNULL);"
              "print(json.dumps({'rc':p.returncode,'seconds':time.perf_counter()-t,"
              "'peakMb':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024,"
              "'last':p.stdout.decode().strip().splitlines()[-1]}))")
    out = subprocess.run([sys.executable, "-c", helper, str(PY), "-m", "converter", path, "-o", path + ".glb"],
                         capture_output=True, text=True, timeout=900)
    r = json.loads(out.stdout)
    ev = json.loads(r["last"])
    return {"rc": r["rc"], "seconds": round(r["seconds"], 2), "peakMb": round(r["peakMb"]),
            "outcome": ev.get("code") if ev.get("type") == "error" else "converted",
            "message": ev.get("message", "")[:120], "skipped": ev.get("stats", {}).get("skipped")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep")
    ap.add_argument("cases", nargs="*", default=list(CASES))
    args = ap.parse_args()
    folder = args.keep or tempfile.mkdtemp()
    os.makedirs(folder, exist_ok=True)
    for name in args.cases:
        path = os.path.join(folder, f"{name}.dxf")
        if not os.path.exists(path):
            CASES[name](path)
        print(name, json.dumps(run(path), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
