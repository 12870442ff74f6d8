"""Turn the entities of :mod:`.others` into plan primitives, exactly as the ezdxf path would.

Why a separate step: the fast path only parses numbers; the meaning (arc tessellation, text
anchors, block placement) must stay identical to :class:`.entities.EntityConverter` and
:class:`.blocks.Exploder`. Arcs and circles go through the same converter on a light ezdxf
entity; texts and insert matrices are computed here with the same formulas as ezdxf.
"""
from __future__ import annotations

import math
from typing import Iterator

import numpy as np
from ezdxf.entities import Arc as DxfArc, Circle as DxfCircle, DXFGraphic
from ezdxf.math import Matrix44, Vec3, Z_AXIS
from ezdxf.tools.text import escape_dxf_line_endings, fast_plain_mtext, plain_text

from ....plan.model import Path, Text
from ..blocks import Exploder
from ..entities import EntityConverter, Primitive
from .dims import DimPart
from .others import FastOthers
from ..text import clean_text

__all__ = ["FastAdder", "merged_order"]


class FastAdder:
    """Adds fast-path entity ``j`` of ``others`` to the exploder's plan."""

    def __init__(self, doc, conv: EntityConverter, exploder: Exploder, others: FastOthers,
                 dim_parts: dict[str, list[DimPart]]) -> None:
        self.doc = doc
        self.dim_parts = dim_parts
        self.conv = conv
        self.exploder = exploder
        self.o = others
        self.v = {code: col.tolist() for code, col in others.values.items()}
        self._rot: dict[float, np.ndarray] = {}
        self._base: dict[str, tuple[float, float]] = {}

    def add(self, j: int) -> None:
        kind = self.o.kinds[j]
        layer = clean_text(self.o.strings[8][j]) or "0"
        if kind == "INSERT":
            name = self.o.strings[2][j]
            self.exploder.add_insert_matrix(name, self._matrix(j, name), layer)
        elif kind == "DIMENSION":
            name = self.o.strings[2][j]
            self.exploder.add_primitives(kind, layer, lambda: _dimension(self.dim_parts[name], layer))
        elif kind == "TEXT":
            self.exploder.add_primitives(kind, layer, lambda: self._text(j, layer))
        elif kind == "MTEXT":
            self.exploder.add_primitives(kind, layer, lambda: self._mtext(j, layer))
        else:
            self.exploder.add_primitives(kind, layer, lambda: self.conv.convert(self._curve(j, kind), layer))

    def _curve(self, j: int, kind: str) -> DXFGraphic:
        """A detached ezdxf ARC/CIRCLE with the parsed values (unvalidated: they are numbers
        already, and ``new()`` would validate a default layer name thousands of times)."""
        v = self.v
        e = DxfCircle() if kind == "CIRCLE" else DxfArc()
        e.dxf.unprotected_set("center", Vec3(v[10][j], v[20][j], v[30][j]))
        e.dxf.unprotected_set("radius", v[40][j])
        if kind == "ARC":
            e.dxf.unprotected_set("start_angle", v[50][j])
            e.dxf.unprotected_set("end_angle", v[51][j])
        return e

    def _text(self, j: int, layer: str) -> list[Primitive]:
        """Same as ``EntityConverter._text`` for a TEXT with default extrusion."""
        v = self.v
        text = clean_text(plain_text(self.o.strings[1][j]))
        if not text.strip():
            return []
        aligned = (v[72][j] or v[73][j]) and math.isfinite(v[11][j])
        x, y = (v[11][j], v[21][j]) if aligned else (v[10][j], v[20][j])
        return [Text(text.strip(), np.array((x, y)), layer, float(v[40][j]), "TEXT")]

    def _mtext(self, j: int, layer: str) -> list[Primitive]:
        """Same as ``EntityConverter._mtext`` (``MText.plain_text()`` of a one-chunk text)."""
        v = self.v
        text = clean_text(fast_plain_mtext(escape_dxf_line_endings(self.o.strings[1][j]), split=False))
        if not text.strip():
            return []
        height = v[40][j] if math.isfinite(v[40][j]) else 0.0
        return [Text(text.strip(), np.array((v[10][j], v[20][j])), layer, float(height), "MTEXT")]

    def _matrix(self, j: int, name: str) -> np.ndarray:
        """``Insert.matrix44()`` for extrusion (0, 0, 1), as a 3×3 row-vector matrix."""
        v = self.v
        sx, sy, angle = v[41][j], v[42][j], math.radians(v[50][j])
        a = np.array(((sx, 0.0), (0.0, sy)))
        if angle:
            r = self._rot.get(angle)
            if r is None:
                r = np.array(list(Matrix44.axis_rotate(Z_AXIS, angle)), dtype=float).reshape(4, 4)[:2, :2]
                self._rot[angle] = r
            a = np.array(((sx * r[0, 0], sx * r[0, 1]), (sy * r[1, 0], sy * r[1, 1])))
        bx, by = self._base_point(name)
        return np.array(((a[0, 0], a[0, 1], 0.0), (a[1, 0], a[1, 1], 0.0),
                         (v[10][j] - (bx * a[0, 0] + by * a[1, 0]), v[20][j] - (bx * a[0, 1] + by * a[1, 1]), 1.0)))

    def _base_point(self, name: str) -> tuple[float, float]:
        base = self._base.get(name)
        if base is None:
            block = self.doc.blocks.get(name)
            p = block.block.dxf.base_point if block is not None and block.block is not None else (0.0, 0.0)
            base = self._base[name] = (float(p[0]), float(p[1]))
        return base


def _dimension(parts: list[DimPart], layer: str) -> list[Primitive]:
    """Same as ``EntityConverter._virtual`` for a DIMENSION without insert offset or extrusion."""
    out: list[Primitive] = []
    for kind, part_layer, data in parts:
        sub = layer if part_layer == "0" else part_layer
        if kind == "LINE":
            x0, y0, x1, y1 = data
            out.append(Path(np.array(((x0, y0), (x1, y1)), dtype=float), sub, False, "DIMENSION"))
            continue
        x, y, height, raw = data
        text = clean_text(fast_plain_mtext(raw, split=False))
        if text.strip():
            out.append(Text(text.strip(), np.array((x, y)), sub, float(height), "DIMENSION"))
    return out


def merged_order(kept_top: np.ndarray | None, n_ezdxf: int, fast_index: np.ndarray) -> Iterator[tuple[bool, int]]:
    """Yield (is_fast, k) in file order: the k-th ezdxf model-space entity or the k-th fast one.

    Falls back to "ezdxf first" when the counts do not line up (paper-space entities in the
    section, entities ezdxf dropped), which changes only the order, never the content.
    """
    if kept_top is None or len(kept_top) != n_ezdxf:
        yield from ((False, k) for k in range(n_ezdxf))
        yield from ((True, k) for k in range(len(fast_index)))
        return
    a, b = kept_top.tolist(), fast_index.tolist()
    i = j = 0
    while i < len(a) or j < len(b):
        if j >= len(b) or (i < len(a) and a[i] < b[j]):
            yield False, i
            i += 1
        else:
            yield True, j
            j += 1
