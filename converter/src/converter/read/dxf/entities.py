"""Convert one DXF entity into plan primitives, in the coordinates of its block or model space.

Why here and not in ezdxf's drawing add-on: we want tessellated geometry *with* its meaning kept
(arc parameters for door swings, hatch islands, text anchors), and a per-type tally of what was
skipped so the report can say so. INSERT is handled by :mod:`.blocks`.
"""
from __future__ import annotations

import math
from typing import Callable, Iterable

import numpy as np
from ezdxf import path as ezpath
from ezdxf.entities import DXFGraphic
from ezdxf.render import MeshBuilder

from ...plan.model import Arc, Face3D, Path, Region, Text
from .text import clean_text

__all__ = ["EntityConverter", "SKIPPED_TYPES", "ANNOTATION_TYPES", "Primitive"]

Primitive = Path | Region | Text | Face3D

#: Types with no place in a floor-plan model; counted in the report as skipped.
SKIPPED_TYPES = frozenset({
    "POINT", "RAY", "XLINE", "IMAGE", "WIPEOUT", "VIEWPORT", "3DSOLID", "REGION", "BODY", "SURFACE",
    "OLE2FRAME", "OLEFRAME", "TOLERANCE", "ACAD_PROXY_ENTITY", "SHAPE", "PDFUNDERLAY", "DWFUNDERLAY",
    "DGNUNDERLAY", "LIGHT", "SUN", "ACAD_TABLE", "ATTDEF", "SECTION", "HELIX",
})
#: Types that are annotation whatever their layer.
ANNOTATION_TYPES = frozenset({"DIMENSION", "ARC_DIMENSION", "LARGE_RADIAL_DIMENSION", "LEADER", "MLEADER",
                              "MULTILEADER"})
_MAX_VIRTUAL_DEPTH = 4


class EntityConverter:
    """Stateless apart from the tessellation tolerance (drawing units) and the skip tally."""

    def __init__(self, tolerance: float, skipped: dict[str, int]) -> None:
        self.tol = tolerance
        self.skipped = skipped
        self._dispatch: dict[str, Callable[[DXFGraphic, str], list[Primitive]]] = {
            "LINE": self._line,
            "LWPOLYLINE": self._lwpolyline,
            "POLYLINE": self._polyline,
            "ARC": self._arc,
            "CIRCLE": self._curve,
            "ELLIPSE": self._curve,
            "SPLINE": self._curve,
            "HATCH": self._hatch,
            "MPOLYGON": self._hatch,
            "SOLID": self._quad,
            "TRACE": self._quad,
            "3DFACE": self._face3d,
            "MESH": self._mesh,
            "TEXT": self._text,
            "ATTRIB": self._text,
            "MTEXT": self._mtext,
            "MLINE": self._mline,
        }

    def convert(self, e: DXFGraphic, layer: str, depth: int = 0) -> list[Primitive] | None:
        """Primitives of ``e`` on ``layer``; None when the type is not supported (caller counts it)."""
        kind = e.dxftype()
        fn = self._dispatch.get(kind)
        if fn is not None:
            return fn(e, layer)
        if kind in ANNOTATION_TYPES:
            return self._virtual(e, layer, kind, depth)
        return None

    # -- curves and lines -------------------------------------------------------------------
    def _line(self, e: DXFGraphic, layer: str) -> list[Primitive]:
        s, t = e.dxf.start, e.dxf.end
        pts = np.array(((s.x, s.y), (t.x, t.y)), dtype=float)
        return [Path(pts, layer, False, "LINE")]

    def _lwpolyline(self, e: DXFGraphic, layer: str) -> list[Primitive]:
        raw = e.get_points("xyb")
        if not raw:
            return []
        closed = bool(e.closed)
        width = float(e.dxf.get("const_width", 0.0) or 0.0)
        ext = e.dxf.get("extrusion", (0, 0, 1))
        if all(b == 0 for _, _, b in raw) and tuple(ext) == (0, 0, 1):
            pts = np.array([(x, y) for x, y, _ in raw], dtype=float)
        else:
            pts = self._flatten(ezpath.make_path(e))
        return _polyline_path(pts, closed, layer, "LWPOLYLINE", width)

    def _polyline(self, e: DXFGraphic, layer: str) -> list[Primitive]:
        if e.is_poly_face_mesh or e.is_polygon_mesh:
            return self._mesh_from(MeshBuilder.from_polyface(e), layer, "POLYFACE")
        closed = bool(e.is_closed)
        if e.is_3d_polyline:
            pts = np.array([(v.x, v.y) for v in e.points()], dtype=float)
        else:
            pts = self._flatten(ezpath.make_path(e))
        return _polyline_path(pts, closed, layer, "POLYLINE", float(e.dxf.get("default_start_width", 0.0) or 0.0))

    def _mline(self, e: DXFGraphic, layer: str) -> list[Primitive]:
        """A multiline as its centre line with the width of its outermost elements (a wall)."""
        verts = list(e.vertices)
        if len(verts) < 2:
            return []
        pts, width = [], 0.0
        for k, v in enumerate(verts):
            offs = [p[0] for p in v.line_params if len(p)] or [0.0]
            lo, hi = min(offs), max(offs)
            m = v.miter_direction
            pts.append((v.location.x + m.x * (lo + hi) / 2, v.location.y + m.y * (lo + hi) / 2))
            if k == 0:
                d = verts[1].location - v.location
                n = math.hypot(d.x, d.y) or 1.0
                width = (hi - lo) * abs(m.x * d.y - m.y * d.x) / n
        return _polyline_path(_dedupe(np.array(pts, dtype=float)), bool(e.is_closed), layer, "MLINE", width)

    def _arc(self, e: DXFGraphic, layer: str) -> list[Primitive]:
        pts = self._flatten(ezpath.make_path(e))
        if len(pts) < 2:
            return []
        ocs = e.ocs()
        c = ocs.to_wcs(e.dxf.center)
        a0 = math.atan2(pts[0][1] - c.y, pts[0][0] - c.x)
        a1 = math.atan2(pts[-1][1] - c.y, pts[-1][0] - c.x)
        if ocs.uz.z < 0:
            a0, a1 = a1, a0
        arc = Arc(c.x, c.y, float(e.dxf.radius), a0, a1)
        return [Path(pts, layer, False, "ARC", arc=arc)]

    def _curve(self, e: DXFGraphic, layer: str) -> list[Primitive]:
        kind = e.dxftype()
        pts = self._flatten(ezpath.make_path(e))
        if len(pts) < 2:
            return []
        closed = bool(len(pts) > 3 and np.allclose(pts[0], pts[-1], atol=self.tol))
        if closed:
            pts = pts[:-1]
        arc = None
        if kind == "CIRCLE":
            c = e.ocs().to_wcs(e.dxf.center)
            arc = Arc(c.x, c.y, float(e.dxf.radius), 0.0, 2 * math.pi)
        return [Path(pts, layer, closed, kind, arc=arc)]

    # -- areas ------------------------------------------------------------------------------
    def _hatch(self, e: DXFGraphic, layer: str) -> list[Primitive]:
        rings = []
        for p in ezpath.from_hatch(e):
            pts = self._flatten(p)
            if len(pts) > 3 and np.allclose(pts[0], pts[-1]):
                pts = pts[:-1]
            if len(pts) >= 3:
                rings.append(pts)
        kind = e.dxftype()
        return [Region(ext, holes, layer, kind) for ext, holes in nest_rings(rings)]

    def _quad(self, e: DXFGraphic, layer: str) -> list[Primitive]:
        pts = self._flatten(ezpath.make_path(e))
        if len(pts) > 3 and np.allclose(pts[0], pts[-1]):
            pts = pts[:-1]
        pts = _dedupe(pts)
        if len(pts) < 3:
            return []
        return [Region(pts, [], layer, e.dxftype())]

    def _face3d(self, e: DXFGraphic, layer: str) -> list[Primitive]:
        v = [tuple(e.dxf.get(f"vtx{i}")) for i in range(4)]
        tris = [(v[0], v[1], v[2])]
        if v[3] != v[2]:
            tris.append((v[0], v[2], v[3]))
        return [Face3D(np.array(tris, dtype=float), layer, "3DFACE")]

    def _mesh(self, e: DXFGraphic, layer: str) -> list[Primitive]:
        return self._mesh_from(MeshBuilder.from_mesh(e), layer, "MESH")

    def _mesh_from(self, mb: MeshBuilder, layer: str, kind: str) -> list[Primitive]:
        tris = []
        for face in mb.faces_as_vertices():
            pts = [tuple(p) for p in face]
            for i in range(1, len(pts) - 1):
                tris.append((pts[0], pts[i], pts[i + 1]))
        if not tris:
            return []
        return [Face3D(np.array(tris, dtype=float), layer, kind)]

    # -- text -------------------------------------------------------------------------------
    def _text(self, e: DXFGraphic, layer: str) -> list[Primitive]:
        text = clean_text(e.plain_text() if hasattr(e, "plain_text") else e.dxf.text)
        if not text.strip():
            return []
        halign, valign = e.dxf.get("halign", 0), e.dxf.get("valign", 0)
        anchor = e.dxf.align_point if (halign or valign) and e.dxf.hasattr("align_point") else e.dxf.insert
        p = e.ocs().to_wcs(anchor)
        return [Text(text.strip(), np.array((p.x, p.y)), layer, float(e.dxf.get("height", 0.0)), e.dxftype())]

    def _mtext(self, e: DXFGraphic, layer: str) -> list[Primitive]:
        text = clean_text(e.plain_text())
        if not text.strip():
            return []
        p = e.dxf.insert
        return [Text(text.strip(), np.array((p.x, p.y)), layer, float(e.dxf.get("char_height", 0.0)), "MTEXT")]

    # -- annotation -------------------------------------------------------------------------
    def _virtual(self, e: DXFGraphic, layer: str, kind: str, depth: int) -> list[Primitive]:
        """Dimensions and leaders: draw their rendered parts, tagged with the annotation type."""
        out: list[Primitive] = []
        if depth >= _MAX_VIRTUAL_DEPTH:
            return out
        try:
            parts: Iterable[DXFGraphic] = list(e.virtual_entities())
        except Exception:  # noqa: BLE001 - broken dimension: keep nothing but count it
            self.skipped[f"{kind} (unrenderable)"] = self.skipped.get(f"{kind} (unrenderable)", 0) + 1
            return out
        for part in parts:
            if part.dxftype() == "INSERT":  # arrow blocks: not worth exploding here
                continue
            sub_layer = part.dxf.get("layer", layer)
            prims = self.convert(part, layer if sub_layer == "0" else sub_layer, depth + 1)
            for p in prims or ():
                p.kind = kind
                out.append(p)
        return out

    def _flatten(self, p: ezpath.Path) -> np.ndarray:
        tol = self.tol
        if p.has_curves:
            # never finer than a fraction of the curve's own size: a header that lies (m declared,
            # mm drawn) would otherwise cut a door swing into hundreds of segments
            cv = np.array([(v.x, v.y) for v in p.control_vertices()], dtype=float).reshape(-1, 2)
            if len(cv) >= 2:
                tol = max(tol, float(np.max(np.ptp(cv, axis=0))) * _RELATIVE_TOLERANCE)
        pts = [(v.x, v.y) for v in p.flattening(tol, segments=4)]
        return np.array(pts, dtype=float).reshape(-1, 2)


#: Finest chord error relative to a curve's extent (a quarter swing gets about 25 segments).
_RELATIVE_TOLERANCE = 0.0005


def _dedupe(pts: np.ndarray) -> np.ndarray:
    if len(pts) < 2:
        return pts
    keep = np.ones(len(pts), dtype=bool)
    keep[1:] = np.any(np.abs(np.diff(pts, axis=0)) > 1e-12, axis=1)
    return pts[keep]


def nest_rings(rings: list[np.ndarray]) -> list[tuple[np.ndarray, list[np.ndarray]]]:
    """Even-odd nesting of closed rings into (exterior, holes): islands inside holes become
    exteriors again, as a HATCH draws them."""
    if not rings:
        return []
    from ...plan.geometry import ring_area, point_in_ring

    order = sorted(range(len(rings)), key=lambda i: -abs(ring_area(rings[i])))
    depth: dict[int, int] = {}
    parent: dict[int, int] = {}
    for k, i in enumerate(order):
        probe = _inner_point(rings[i])
        best = -1
        for j in reversed(order[:k]):  # smallest enclosing ring first
            if point_in_ring(probe, rings[j]):
                best = j
                break
        depth[i] = 0 if best < 0 else depth[best] + 1
        parent[i] = best
    out: dict[int, tuple[np.ndarray, list[np.ndarray]]] = {}
    for i in order:
        if depth[i] % 2 == 0:
            out[i] = (rings[i], [])
        else:
            out[parent[i]][1].append(rings[i])
    return list(out.values())


def _inner_point(ring: np.ndarray) -> np.ndarray:
    """A point strictly inside ``ring`` (its first vertex may lie on the ring around it: holes that
    touch their outline)."""
    try:
        import shapely
        p = shapely.Polygon(ring).representative_point()
        if not p.is_empty:
            return np.array((p.x, p.y))
    except Exception:  # noqa: BLE001 - degenerate ring: its vertex will do
        pass
    return ring[0]


def _polyline_path(pts: np.ndarray, closed: bool, layer: str, kind: str, width: float) -> list[Primitive]:
    """A (LW)POLYLINE's path: a closed one drops a repeated last vertex (some writers add it)."""
    if len(pts) == 0:
        return []
    if closed and len(pts) > 2 and np.allclose(pts[0], pts[-1]):
        pts = pts[:-1]
    return [Path(pts, layer, closed and len(pts) > 2, kind, width=abs(width))]
