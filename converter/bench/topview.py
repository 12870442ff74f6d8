#!/usr/bin/env python3
"""Top-view PNGs of converted drawings, to look at before calling a change done.

Usage (from the repository root):
    converter/.venv/bin/python converter/bench/topview.py OUT_DIR [DXF …]   (default: ../shared/corpus/dxf/*.dxf)

Each PNG shows what the converter made of the drawing: floor lines grey, solid walls dark, door
openings red, window openings blue, rooms filled with their name and area (m²).
"""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from score import convert, render  # noqa: E402

if __name__ == "__main__":
    warnings.filterwarnings("ignore")
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    files = [Path(a) for a in sys.argv[2:]] or sorted((HERE.parents[1] / ".." / "shared" / "corpus" / "dxf").glob("*.dxf"))
    for f in files:
        try:
            b, plan, _ = convert(str(f))
        except Exception as exc:  # noqa: BLE001 - a report line per drawing, whatever failed
            print(f"{f.name}: {type(exc).__name__}: {exc}")
            continue
        render(out / (f.stem + ".png"), f"{f.name}: {len(b.pieces)} wall pieces, "
               f"{sum(o.kind == 'door' for o in b.openings)} doors, {sum(o.kind == 'window' for o in b.openings)} "
               f"windows, {len(b.rooms)} rooms", b)
        print(f"{f.name}: rooms {[(r.name, r.area) for r in b.rooms][:12]}")
