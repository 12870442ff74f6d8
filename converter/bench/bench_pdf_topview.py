"""Render a GLB seen from above to a PNG (walls dark, glass blue, doors brown, slabs light), to look at.

    converter/.venv/bin/python converter/bench/bench_pdf_topview.py IN.glb OUT.png [--size 900]

Why: the PDF and scan readers are judged by eye on the corpus; this draws every triangle of the
scene (node transforms applied) projected on the floor plane, tallest last.
"""
from __future__ import annotations

import argparse
import struct

import numpy as np
import pygltflib
from PIL import Image, ImageDraw

COLOURS = {"wall": (60, 60, 60), "column": (30, 30, 30), "door": (170, 110, 50), "glass": (80, 150, 230),
           "floor": (235, 225, 200), "surface": (200, 200, 200)}
_DT = {5126: np.float32, 5125: np.uint32, 5123: np.uint16, 5121: np.uint8}
_N = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}


def _acc(g, blob, i):
    a = g.accessors[i]
    bv = g.bufferViews[a.bufferView]
    n = _N[a.type]
    arr = np.frombuffer(blob, dtype=_DT[a.componentType], count=a.count * n,
                        offset=(bv.byteOffset or 0) + (a.byteOffset or 0))
    return arr.reshape(a.count, n) if n > 1 else arr


def _matrix(node):
    if node.matrix:
        return np.array(node.matrix, dtype=float).reshape(4, 4).T
    m = np.eye(4)
    if node.translation:
        m[:3, 3] = node.translation
    return m


def render(path: str, out: str, size: int = 900) -> None:
    g = pygltflib.GLTF2().load(path)
    blob = g.binary_blob()
    tris, lines = [], []

    def walk(i, parent):
        node = g.nodes[i]
        m = parent @ _matrix(node)
        if node.mesh is not None:
            for prim in g.meshes[node.mesh].primitives:
                pos = _acc(g, blob, prim.attributes.POSITION).astype(float)
                pos = (m @ np.c_[pos, np.ones(len(pos))].T).T[:, :3]
                name = g.materials[prim.material].name if prim.material is not None else ""
                col = COLOURS.get(name, (150, 150, 150))
                idx = _acc(g, blob, prim.indices) if prim.indices is not None else np.arange(len(pos))
                if prim.mode in (None, 4):
                    t = pos[idx.reshape(-1, 3)]
                    for tri in t:
                        tris.append((tri[:, 1].max(), col, tri[:, [0, 2]]))
                elif prim.mode == 1:
                    seg = pos[idx.reshape(-1, 2)]
                    for s in seg:
                        lines.append((col if name.endswith("-lines") is False else (120, 120, 120), s[:, [0, 2]]))
        for c in node.children or []:
            walk(c, m)

    for root in g.scenes[g.scene or 0].nodes:
        walk(root, np.eye(4))
    pts = [t[2] for t in tris] + [s[1] for s in lines]
    allp = np.concatenate(pts)
    lo, hi = allp.min(0), allp.max(0)
    k = (size - 20) / max(hi - lo)
    W, H = int((hi[0] - lo[0]) * k) + 20, int((hi[1] - lo[1]) * k) + 20
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    f = lambda p: [(10 + (x - lo[0]) * k, 10 + (z - lo[1]) * k) for x, z in p]
    for col, s in lines:
        d.line(f(s), fill=(170, 170, 170), width=1)
    # Openings over the walls (a top view would otherwise show only lintels).
    for _, col, t in sorted(tris, key=lambda t: (t[1] in (COLOURS["door"], COLOURS["glass"]), t[0])):
        d.polygon(f(t), fill=col)
    img.save(out)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("glb")
    ap.add_argument("png")
    ap.add_argument("--size", type=int, default=900)
    a = ap.parse_args()
    render(a.glb, a.png, a.size)
