"""Mesh assembly: extrude polygons into prisms with flat normals, and polylines into GL lines.

Why flat normals and duplicated vertices: architectural prisms have hard edges; smooth normals
would shade walls as blobs. Triangulation uses earcut (holes supported), winding is fixed
afterwards by signed area so every face points outwards.
"""
from __future__ import annotations

import mapbox_earcut as earcut
import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from .scene import MeshPart, to_gltf_frame

__all__ = ["TriangleBatch", "LineBatch", "polygons_of"]


def polygons_of(geom: BaseGeometry | None) -> list[Polygon]:
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    return [p for sub in getattr(geom, "geoms", []) for p in polygons_of(sub)]


class TriangleBatch:
    """Collects triangles (plan frame, float64) and emits one glTF triangle primitive."""

    def __init__(self) -> None:
        self.tris: list[np.ndarray] = []
        self.count = 0

    def add_triangles(self, tris: np.ndarray) -> None:
        """(n, 3, 3) triangles; normals are computed once in :meth:`part`."""
        if len(tris):
            self.tris.append(tris)
            self.count += len(tris) * 3

    def add_boxes(self, quads: np.ndarray, z0: float, z1: float) -> None:
        """Vectorised prisms over (n, 4, 2) quadrilaterals (openings, leaves)."""
        if len(quads) == 0:
            return
        q = quads.astype(float)
        area = np.sum(q[:, :, 0] * np.roll(q[:, :, 1], -1, axis=1) - np.roll(q[:, :, 0], -1, axis=1) * q[:, :, 1], axis=1)
        q[area < 0] = q[area < 0][:, ::-1]
        lo = np.concatenate((q, np.full((len(q), 4, 1), z0)), axis=2)
        hi = np.concatenate((q, np.full((len(q), 4, 1), z1)), axis=2)
        faces = [hi[:, [0, 1, 2]], hi[:, [0, 2, 3]], lo[:, [0, 2, 1]], lo[:, [0, 3, 2]]]
        for k in range(4):
            j = (k + 1) % 4
            a0, b0, a1, b1 = lo[:, k], lo[:, j], hi[:, k], hi[:, j]
            faces.append(np.stack((a0, b0, b1), axis=1))
            faces.append(np.stack((a0, b1, a1), axis=1))
        self.add_triangles(np.concatenate(faces))

    def add_prism(self, geom: BaseGeometry, z0: float, z1: float) -> None:
        """Extrude every polygon of ``geom``: caps by earcut per polygon, all side walls at once."""
        polys = polygons_of(geom)
        if not polys:
            return
        polys = shapely.orient_polygons(np.asarray(polys, dtype=object), exterior_cw=False)
        n_rings = shapely.get_num_interior_rings(polys) + 1
        rings = shapely.get_rings(polys)
        coords, ring_of = shapely.get_coordinates(rings, return_index=True)
        # Each ring repeats its first vertex at the end: ring k spans [start[k], start[k + 1]).
        start = np.searchsorted(ring_of, np.arange(len(rings) + 1))
        self._sides(coords, ring_of, z0, z1)
        ring_first = np.concatenate(([0], np.cumsum(n_rings)))
        for k in range(len(polys)):
            r0, r1 = ring_first[k], ring_first[k + 1]
            parts = [coords[start[r]:start[r + 1] - 1] for r in range(r0, r1)]
            parts = [r for r in parts if len(r) >= 3]
            if parts:
                self._caps(parts, z0, z1)

    def _caps(self, rings: list[np.ndarray], z0: float, z1: float) -> None:
        verts = np.vstack(rings) if len(rings) > 1 else rings[0]
        ends = np.cumsum([len(r) for r in rings]).astype(np.uint32)
        idx = earcut.triangulate_float64(verts, ends)
        if not len(idx):
            return
        tri2 = verts[idx.reshape(-1, 3)]
        area = (tri2[:, 1, 0] - tri2[:, 0, 0]) * (tri2[:, 2, 1] - tri2[:, 0, 1]) - \
            (tri2[:, 2, 0] - tri2[:, 0, 0]) * (tri2[:, 1, 1] - tri2[:, 0, 1])
        flip = area < 0
        tri2[flip] = tri2[flip][:, ::-1]
        top = np.concatenate((tri2, np.full((len(tri2), 3, 1), z1)), axis=2)
        bottom = np.concatenate((tri2[:, ::-1], np.full((len(tri2), 3, 1), z0)), axis=2)
        self.add_triangles(top)
        self.add_triangles(bottom)

    def _sides(self, coords: np.ndarray, ring_of: np.ndarray, z0: float, z1: float) -> None:
        """Two triangles per ring edge; exterior CCW and holes CW after orienting, so edge a→b
        has the solid on its left and the quad faces outwards."""
        same = ring_of[:-1] == ring_of[1:]
        a, b = coords[:-1][same], coords[1:][same]
        keep = np.hypot(*(b - a).T) > 1e-9
        a, b = a[keep], b[keep]
        if len(a) == 0:
            return
        za = np.full((len(a), 1), z0)
        zb = np.full((len(a), 1), z1)
        a0, b0 = np.hstack((a, za)), np.hstack((b, za))
        a1, b1 = np.hstack((a, zb)), np.hstack((b, zb))
        self.add_triangles(np.concatenate((np.stack((a0, b0, b1), 1), np.stack((a0, b1, a1), 1))))

    def part(self, material: str, origin: np.ndarray) -> MeshPart | None:
        if not self.count:
            return None
        tris = np.concatenate(self.tris) if len(self.tris) > 1 else self.tris[0]
        n = _cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
        ln = np.sqrt(np.einsum("ij,ij->i", n, n))
        ok = ln > 1e-12 * np.max(np.abs(tris), initial=1.0)
        tris, n = tris[ok], n[ok] / ln[ok, None]
        if len(tris) == 0:
            return None
        pos = to_gltf_frame(tris.reshape(-1, 3), origin)
        nrm = to_gltf_frame(np.repeat(n, 3, axis=0), np.zeros(2)).astype(np.float64)
        nrm /= np.sqrt(np.einsum("ij,ij->i", nrm, nrm))[:, None]
        idx = np.arange(len(pos), dtype=np.uint32)
        return MeshPart(material, "triangles", pos, idx, nrm.astype(np.float32))


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise 3-D cross product (np.cross's axis handling costs more than the maths here)."""
    return np.stack((a[:, 1] * b[:, 2] - a[:, 2] * b[:, 1],
                     a[:, 2] * b[:, 0] - a[:, 0] * b[:, 2],
                     a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]), axis=1)


class LineBatch:
    """Collects polylines at a fixed height and emits one glTF LINES primitive."""

    def __init__(self, z: float) -> None:
        self.z = z
        self.pts: list[np.ndarray] = []
        self.idx: list[np.ndarray] = []
        self.count = 0

    def add(self, pts: np.ndarray) -> None:
        self.add_many([pts])

    def add_many(self, polylines: list[np.ndarray]) -> None:
        """Append polylines in one go: segment indices are computed for all of them at once."""
        polylines = [p for p in polylines if len(p) >= 2]
        if not polylines:
            return
        lengths = np.fromiter((len(p) for p in polylines), dtype=np.int64, count=len(polylines))
        total = int(lengths.sum())
        last = np.cumsum(lengths) - 1  # a polyline's last vertex starts no segment
        first = np.ones(total, dtype=bool)
        first[last] = False
        seg = (np.flatnonzero(first) + self.count).astype(np.uint32)
        self.idx.append(np.stack((seg, seg + 1), axis=1).ravel())
        self.pts.append(np.concatenate(polylines))
        self.count += total

    def part(self, material: str, origin: np.ndarray) -> MeshPart | None:
        if not self.count:
            return None
        xy = np.vstack(self.pts)
        xyz = np.hstack((xy, np.full((len(xy), 1), self.z)))
        return MeshPart(material, "lines", to_gltf_frame(xyz, origin), np.concatenate(self.idx))
