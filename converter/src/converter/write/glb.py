"""Write a scene as binary glTF 2.0 (GLB): JSON document plus one binary chunk built with numpy.

Why hand-rolled instead of pygltflib's serialiser: its dataclass → dict conversion took most of
the write time on big plans (thousands of room nodes). The container is tiny and fixed by the
spec; tests read the result back with pygltflib and the Khronos validator checks every output.
Every accessor has min/max where required, buffer views are 4-byte aligned and targeted, and
empty primitives are never written.
"""
from __future__ import annotations

import json
import struct

import numpy as np

from .. import __version__
from ..extrude.scene import MeshPart, Node
from .materials import MATERIALS

__all__ = ["scene_to_glb", "write_glb", "weld"]

ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963
FLOAT, UNSIGNED_SHORT, UNSIGNED_INT = 5126, 5123, 5125
_MODE = {"triangles": 4, "lines": 1}
_GLB_MAGIC, _JSON, _BIN = 0x46546C67, 0x4E4F534A, 0x004E4942


class _Blob:
    """The binary chunk: vertex data and index data, each one buffer view (fewer views, less JSON:
    a plan has hundreds of small primitives). Accessors address their data by byte offset."""

    def __init__(self) -> None:
        self.sections: dict[int, list] = {ARRAY_BUFFER: [], ELEMENT_ARRAY_BUFFER: []}
        self.sizes = {ARRAY_BUFFER: 0, ELEMENT_ARRAY_BUFFER: 0}
        self.accessors: list[dict] = []
        self.views: list[dict] = []
        self.chunks: list[bytes | memoryview] = []
        self.size = 0

    def add(self, data: np.ndarray, target: int, ctype: int, atype: str, minmax: bool) -> int:
        raw = memoryview(np.ascontiguousarray(data)).cast("B")  # no copy: written straight to the file
        acc = {"bufferView": target, "byteOffset": self.sizes[target], "componentType": ctype,
               "count": int(len(data)), "type": atype}
        self.sections[target].append(raw)
        self.sizes[target] += raw.nbytes
        pad = (-self.sizes[target]) % 4
        if pad:
            self.sections[target].append(b"\0" * pad)
            self.sizes[target] += pad
        if minmax:
            # Column by column: numpy's axis-0 reduction over (n, 3) rows is ~20× slower.
            acc["min"] = [float(data[:, k].min()) for k in range(data.shape[1])]
            acc["max"] = [float(data[:, k].max()) for k in range(data.shape[1])]
        self.accessors.append(acc)
        return len(self.accessors) - 1

    def finish(self) -> None:
        """Lay the sections out one after the other and point the accessors at their views."""
        index: dict[int, int] = {}
        for target in (ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER):
            if not self.sizes[target]:
                continue
            view = {"buffer": 0, "byteOffset": self.size, "byteLength": self.sizes[target], "target": target}
            if target == ARRAY_BUFFER:
                view["byteStride"] = 12  # every vertex attribute is a float32 VEC3
            index[target] = len(self.views)
            self.views.append(view)
            self.chunks.extend(self.sections[target])
            self.size += self.sizes[target]
        for acc in self.accessors:
            acc["bufferView"] = index[acc["bufferView"]]
            if not acc["byteOffset"]:
                del acc["byteOffset"]


def scene_to_glb(root: Node, extras: dict | None = None) -> bytes:
    """Serialise ``root`` (already in glTF's frame: Y up, metres) into GLB bytes."""
    return b"".join(_glb_chunks(root, extras))


def _glb_chunks(root: Node, extras: dict | None) -> list[bytes | memoryview]:
    """The GLB file as consecutive byte chunks (the binary ones are views of the mesh arrays)."""
    blob = _Blob()
    materials: list[dict] = []
    material_index: dict[str, int] = {}
    meshes: list[dict] = []
    nodes: list[dict] = []

    def material(name: str) -> int:
        if name not in material_index:
            rgba, mode, double = MATERIALS.get(name, MATERIALS["surface"])
            mat = {"name": name, "pbrMetallicRoughness": {"baseColorFactor": list(rgba), "metallicFactor": 0.0,
                                                           "roughnessFactor": 0.9}}
            if mode != "OPAQUE":
                mat["alphaMode"] = mode
            if double:
                mat["doubleSided"] = True
            materials.append(mat)
            material_index[name] = len(materials) - 1
        return material_index[name]

    def primitive(part: MeshPart) -> dict:
        positions, indices = part.positions.astype(np.float32, copy=False), part.indices
        if part.mode == "triangles":  # flat-shaded solids: no normals, shared corners (see weld)
            positions, indices = weld(positions, indices)
        attrs = {"POSITION": blob.add(positions, ARRAY_BUFFER, FLOAT, "VEC3", True)}
        if len(positions) < 65536:
            idx = blob.add(indices.astype(np.uint16), ELEMENT_ARRAY_BUFFER, UNSIGNED_SHORT, "SCALAR", False)
        else:
            idx = blob.add(indices.astype(np.uint32, copy=False), ELEMENT_ARRAY_BUFFER, UNSIGNED_INT, "SCALAR", False)
        return {"attributes": attrs, "indices": idx, "material": material(part.material), "mode": _MODE[part.mode]}

    shared: dict[int, int] = {}

    def visit(node: Node) -> int:
        out: dict = {"name": node.name}
        nodes.append(out)
        k = len(nodes) - 1
        if node.extras:
            out["extras"] = node.extras
        if node.parts:
            mesh = shared.get(id(node.parts))
            if mesh is None:  # nodes holding the same parts list are instances of one mesh
                meshes.append({"name": node.name.rsplit(" ", 1)[0] if node.scale is not None else node.name,
                               "primitives": [primitive(p) for p in node.parts]})
                mesh = shared[id(node.parts)] = len(meshes) - 1
            out["mesh"] = mesh
        if node.translation is not None:
            out["translation"] = [round(float(v), 4) for v in node.translation]
        if node.rotation is not None:
            out["rotation"] = [round(float(v), 6) for v in node.rotation]
        if node.scale is not None:
            out["scale"] = [round(float(v), 4) for v in node.scale]
        children = [visit(c) for c in node.children]
        if children:
            out["children"] = children
        return k

    root_index = visit(root)
    blob.finish()
    doc: dict = {
        "asset": {"version": "2.0", "generator": f"cad-kiosk-converter {__version__}"},
        "scene": 0,
        "scenes": [{"name": "plan", "nodes": [root_index]}],
        "nodes": nodes,
    }
    for key, value in (("meshes", meshes), ("materials", materials), ("accessors", blob.accessors),
                       ("bufferViews", blob.views)):
        if value:
            doc[key] = value
    if blob.size:
        doc["buffers"] = [{"byteLength": blob.size}]
    if extras:
        doc["extras"] = extras
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    text += b" " * ((-len(text)) % 4)
    total = 12 + 8 + len(text) + (8 + blob.size if blob.size else 0)
    out = [struct.pack("<III", _GLB_MAGIC, 2, total), struct.pack("<II", len(text), _JSON), text]
    if blob.size:
        out.append(struct.pack("<II", blob.size, _BIN))
        out.extend(blob.chunks)
    return out


def weld(positions: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One vertex per distinct position, indices remapped.

    Why: every solid here is flat-shaded (walls, slabs, leaves). glTF asks viewers to compute flat
    normals where a primitive has none, so normals (and the corner copies they force: a box then
    needs 24 vertices instead of 8) are dead weight: about two thirds of a plan's bytes.
    """
    if not len(positions):
        return positions, indices
    pos = np.ascontiguousarray(positions, dtype=np.float32)
    key = _grid_key(pos)
    if key is None:  # unusual heights or extent: the exact (slower) way
        key = pos.view(np.dtype((np.void, 12))).ravel()
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return pos[first], inverse.astype(np.uint32)[indices]


def _grid_key(pos: np.ndarray) -> np.ndarray | None:
    """One int64 per vertex: x and z on a 0.1 mm grid (30 bits each), the height as one of at most
    16 levels (walls, sills, heads, slabs). Sorting one int64 column is several times faster than
    sorting 12-byte rows; vertices closer than 0.1 mm become one, which no viewer can tell."""
    heights, level = np.unique(pos[:, 1], return_inverse=True)
    if len(heights) > 16:
        return None
    xz = pos[:, [0, 2]].astype(np.float64)
    q = np.floor((xz - xz.min(axis=0)) * 1e4).astype(np.int64)
    if q.size and int(q.max()) >= 1 << 30:
        return None
    return (q[:, 0] << 34) | (q[:, 1] << 4) | level.astype(np.int64)


def write_glb(root: Node, path: str, extras: dict | None = None) -> int:
    """Write ``root`` to ``path``; returns the number of bytes written."""
    size = 0
    with open(path, "wb") as fh:
        for chunk in _glb_chunks(root, extras):
            size += fh.write(chunk)
    return size
