"""Explode INSERTs recursively into plan primitives (nested, rotated, scaled, mirrored, MINSERT).

Why not ``virtual_entities()``: a door block placed 500 times would be re-parsed 500 times. Each
block's own entities are converted once (in block coordinates) and every instance only applies a
2-D affine matrix with numpy. Cycles (a block inserting itself) and runaway depth are refused as
a bad drawing; each instance gets a fresh ``group`` id so a door block counts as one door.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import numpy as np
from ezdxf.entities import DXFGraphic, Insert

from ...errors import BadDrawing, LimitExceeded
from ...plan.model import Arc, Face3D, Path, Plan, Region, Text
from .entities import SKIPPED_TYPES, EntityConverter, Primitive
from .text import clean_text

__all__ = ["Exploder", "MAX_BLOCK_DEPTH", "GroupInfo"]

MAX_BLOCK_DEPTH = 24


@dataclass(slots=True)
class GroupInfo:
    """One block instance: its parent instance (0 = model space), block name, layer and the
    direction of its x axis in the drawing (door and window blocks are drawn along x)."""

    parent: int
    block: str
    layer: str
    axis: tuple[float, float] = (1.0, 0.0)


@dataclass
class _BlockContent:
    prims: list[Primitive] = field(default_factory=list)
    inserts: list[Insert] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class Exploder:
    """Walks model space, expanding block references into ``plan``."""

    def __init__(self, doc, conv: EntityConverter, plan: Plan, max_entities: int,
                 hidden_layers: frozenset[str]) -> None:
        self.doc = doc
        self.conv = conv
        self.plan = plan
        self.max_entities = max_entities
        self.hidden = hidden_layers
        self.blocks: dict[str, _BlockContent | None] = {}
        self.groups: dict[int, GroupInfo] = {}
        self._weights: dict[str, int] = {}
        self.total = 0

    # -- counting -----------------------------------------------------------------------------
    def _count(self, kind: str, n: int = 1) -> None:
        self.plan.entity_counts[kind] += n
        self.total += n
        if self.total > self.max_entities:
            raise LimitExceeded(
                f"the drawing has more than {self.max_entities} entities after exploding blocks "
                f"(maxEntities)", code="entity_limit")

    def count_bulk(self, kind: str, n: int) -> None:
        self._count(kind, n)

    def _skip(self, key: str, n: int = 1) -> None:
        self.plan.skipped[key] += n

    def weight(self, name: str, stack: tuple[str, ...] = ()) -> int:
        """Entities one instance of block ``name`` explodes into (nested blocks and MINSERT cells
        included), computed from the block definitions alone and remembered per block.

        Raises:
            BadDrawing: ``recursive_blocks`` for a cycle or nesting deeper than MAX_BLOCK_DEPTH.
        """
        w = self._weights.get(name)
        if w is not None:
            return w
        if name in stack:
            raise BadDrawing(f"recursive block definition: {' → '.join(stack + (name,))}", code="recursive_blocks")
        if len(stack) >= MAX_BLOCK_DEPTH:
            raise BadDrawing(f"blocks nested deeper than {MAX_BLOCK_DEPTH} levels", code="recursive_blocks")
        content = self._content(name)
        w = 0
        if content is not None:
            w = sum(n for kind, n in content.counts.items() if kind != "INSERT")
            for sub in content.inserts:
                cells = max(1, _cells(sub))
                w += cells * (1 + self.weight(sub.dxf.get("name", ""), stack + (name,)))
        self._weights[name] = w
        return w

    def _check_weight(self, name: str, cells: int) -> None:
        """Refuse up front what would pass ``max_entities`` once exploded (MINSERT grids, fan-out)."""
        projected = self.total + cells * (1 + self.weight(name))
        if projected > self.max_entities:
            raise LimitExceeded(
                f"the drawing would have about {projected:.3g} entities after exploding block {name!r} "
                f"({cells} instance(s)), more than {self.max_entities} (maxEntities)", code="entity_limit")

    # -- model space ----------------------------------------------------------------------------
    def add_entity(self, e: DXFGraphic) -> None:
        kind = e.dxftype()
        layer = _layer_of(e)
        if layer in self.hidden:
            self._count(kind)
            self._skip(f"{kind} (hidden layer)")
            return
        if kind == "INSERT":
            self._count(kind)
            self._insert(e, np.eye(3), layer, parent=0, stack=())
            return
        self._count(kind)
        prims = self._convert(e, layer)
        if prims is None:
            return
        for p in prims:
            self._emit(p)

    def _convert(self, e: DXFGraphic, layer: str) -> list[Primitive] | None:
        kind = e.dxftype()
        if kind in SKIPPED_TYPES:
            self._skip(kind)
            return None
        try:
            prims = self.conv.convert(e, layer)
        except (BadDrawing, LimitExceeded):
            raise
        except Exception:  # noqa: BLE001 - one broken entity must not sink the drawing
            self._skip(f"{kind} (invalid)")
            return None
        if prims is None:
            self._skip(kind)
        return prims

    def _emit(self, p: Primitive) -> None:
        if isinstance(p, Path):
            self.plan.paths.append(p)
        elif isinstance(p, Region):
            self.plan.regions.append(p)
        elif isinstance(p, Text):
            self.plan.texts.append(p)
        else:
            self.plan.faces.append(p)

    # -- blocks ---------------------------------------------------------------------------------
    def _content(self, name: str) -> _BlockContent | None:
        if name in self.blocks:
            return self.blocks[name]
        block = self.doc.blocks.get(name)
        content: _BlockContent | None = None
        if block is not None and not (block.block and block.block.is_xref):
            content = _BlockContent()
            for e in block:
                kind = e.dxftype()
                content.counts[kind] = content.counts.get(kind, 0) + 1
                if kind == "INSERT":
                    content.inserts.append(e)
                    continue
                if kind == "ATTDEF":
                    continue
                layer = _layer_of(e)
                prims = self._convert(e, layer) if layer not in self.hidden else None
                content.prims.extend(prims or ())
        self.blocks[name] = content
        return content

    def _insert(self, ins: Insert, parent_m: np.ndarray, layer: str, parent: int,
                stack: tuple[str, ...]) -> None:
        name = ins.dxf.get("name", "")
        if name in stack:
            raise BadDrawing(f"recursive block definition: {' → '.join(stack + (name,))}",
                             code="recursive_blocks")
        if len(stack) >= MAX_BLOCK_DEPTH:
            raise BadDrawing(f"blocks nested deeper than {MAX_BLOCK_DEPTH} levels", code="recursive_blocks")
        content = self._content(name)
        if parent == 0:  # a model-space insert: refuse a runaway before exploding anything
            self._check_weight(name, max(1, _cells(ins)))
        # Attributes are texts in WCS already (room names often live here).
        for attrib in ins.attribs:
            for p in self.conv.convert(attrib, _inherit(_layer_of(attrib), layer)) or ():
                if isinstance(p, Text):
                    p.position = _affine_pt(p.position, parent_m)
                    self._emit(p)
        self._instances(name, content, _instance_matrices(ins), parent_m, layer, parent, stack)

    def add_insert_matrix(self, name: str, m: np.ndarray, layer: str) -> None:
        """A model-space INSERT read by the fast path: ``m`` is its 3×3 block → WCS matrix."""
        self._count("INSERT")
        if layer in self.hidden:
            self._skip("INSERT (hidden layer)")
            return
        self._check_weight(name, 1)
        self._instances(name, self._content(name), (m,), None, layer, 0, ())

    def add_primitives(self, kind: str, layer: str, make: Callable[[], list[Primitive] | None]) -> None:
        """A model-space entity read by the fast path; ``make`` converts it (as :meth:`_convert`)."""
        self._count(kind)
        if layer in self.hidden:
            self._skip(f"{kind} (hidden layer)")
            return
        try:
            prims = make()
        except (BadDrawing, LimitExceeded):
            raise
        except Exception:  # noqa: BLE001 - one broken entity must not sink the drawing
            self._skip(f"{kind} (invalid)")
            return
        if prims is None:
            self._skip(kind)
            return
        for p in prims:
            self._emit(p)

    def _instances(self, name: str, content: _BlockContent | None, mats: Iterable[np.ndarray],
                   parent_m: np.ndarray | None, layer: str, parent: int, stack: tuple[str, ...]) -> None:
        if content is None:
            self._skip("INSERT (missing or external block)")
            return
        for m in mats:
            full = m if parent_m is None else m @ parent_m  # None: model space
            if not np.all(np.isfinite(full)):
                self._skip("INSERT (invalid transform)")
                continue
            gid = len(self.groups) + 1
            ax = full[0, :2]
            norm = float(np.hypot(ax[0], ax[1])) or 1.0
            self.groups[gid] = GroupInfo(parent, clean_text(name), layer, (ax[0] / norm, ax[1] / norm))
            for kind, n in content.counts.items():
                if kind != "INSERT":
                    self._count(kind, n)
            placing = _Placing(full, gid, name)
            for prim in content.prims:
                self._emit(placing(prim, _inherit(prim.layer, layer)))
            for sub in content.inserts:
                self._count("INSERT")
                sub_layer = _inherit(_layer_of(sub), layer)
                if sub_layer in self.hidden:
                    continue
                self._insert(sub, full, sub_layer, gid, stack + (name,))


def _layer_of(e: DXFGraphic) -> str:
    """The entity's layer; damaged or unknown entity classes fall back to layer 0."""
    try:
        return clean_text(e.dxf.get("layer", "0")) or "0"
    except Exception:  # noqa: BLE001
        return "0"


def _inherit(layer: str, insert_layer: str) -> str:
    """Entities on layer 0 inside a block take the layer of the INSERT (AutoCAD semantics)."""
    return insert_layer if layer == "0" else layer


def _cells(ins: Insert) -> int:
    """Instances one INSERT places: rows × columns of a MINSERT, else 1."""
    try:
        return max(1, int(ins.dxf.get("row_count", 1) or 1)) * max(1, int(ins.dxf.get("column_count", 1) or 1))
    except (TypeError, ValueError):
        return 1


def _instance_matrices(ins: Insert) -> Iterator[np.ndarray]:
    inserts = ins.multi_insert() if ins.mcount > 1 else (ins,)
    for one in inserts:
        m44 = np.array(list(one.matrix44()), dtype=float).reshape(4, 4)
        m = np.eye(3)
        m[:2, :2] = m44[:2, :2]
        m[2, :2] = m44[3, :2]
        yield m


def _affine_pt(p: np.ndarray, m: np.ndarray) -> np.ndarray:
    return p @ m[:2, :2] + m[2, :2]


class _Placing:
    """Places block primitives by one instance's matrix; the matrix facts are computed once."""

    __slots__ = ("a", "t", "scale", "mirrored", "gid", "block")

    def __init__(self, m: np.ndarray, gid: int, block: str) -> None:
        self.a, self.t = m[:2, :2], m[2, :2]
        det = float(self.a[0, 0] * self.a[1, 1] - self.a[0, 1] * self.a[1, 0])
        self.scale = math.sqrt(abs(det))
        self.mirrored = det < 0
        self.gid, self.block = gid, block

    def __call__(self, prim: Primitive, layer: str) -> Primitive:
        a, t = self.a, self.t
        if isinstance(prim, Path):
            arc = _place_arc(prim.arc, a, t, self.scale, self.mirrored) if prim.arc is not None else None
            return Path(prim.points @ a + t, layer, prim.closed, prim.kind, self.gid, self.block,
                        prim.width * self.scale, arc)
        if isinstance(prim, Text):
            return Text(prim.text, prim.position @ a + t, layer, prim.height * self.scale, prim.kind,
                        self.gid, self.block)
        if isinstance(prim, Region):
            return Region(prim.exterior @ a + t, [h @ a + t for h in prim.holes], layer, prim.kind,
                          self.gid, self.block)
        tri = prim.triangles.copy()
        tri[..., :2] = tri[..., :2] @ a + t
        return Face3D(tri, layer, prim.kind, self.gid, self.block)


def _place_arc(arc: Arc, a: np.ndarray, t: np.ndarray, scale: float, mirrored: bool) -> Arc:
    c = np.array((arc.cx, arc.cy)) @ a + t
    p0 = np.array((math.cos(arc.start), math.sin(arc.start))) @ a
    p1 = np.array((math.cos(arc.end), math.sin(arc.end))) @ a
    a0, a1 = math.atan2(p0[1], p0[0]), math.atan2(p1[1], p1[0])
    if mirrored:
        a0, a1 = a1, a0
    if arc.sweep >= 2 * math.pi - 1e-9:
        a0, a1 = 0.0, 2 * math.pi
    return Arc(float(c[0]), float(c[1]), arc.radius * scale, a0, a1)
