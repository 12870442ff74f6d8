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

__all__ = ["TriangleBatch", "LineBatch", "polygons_of", "prism_triangles", "triangle_parts", "triangle_arrays",
           "split_parts"]


def polygons_of(geom: BaseGeometry | None) -> list[Polygon]:
    """The non-empty polygons of ``geom``, however deeply its collections nest."""
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    parts = np.asarray([geom], dtype=object)
    while True:
        multi = shapely.get_type_id(parts) >= 4  # Multi* and GeometryCollection
        if not multi.any():
            break
        parts = np.concatenate((parts[~multi], shapely.get_parts(parts[multi])))
    keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
    return list(parts[keep])


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
        """Extrude every polygon of ``geom`` (caps and side walls)."""
        polys = polygons_of(geom)
        if polys:
            self.add_triangles(prism_triangles(polys, z0, z1)[0])

    def part(self, material: str, origin: np.ndarray) -> MeshPart | None:
        if not self.count:
            return None
        tris = np.concatenate(self.tris) if len(self.tris) > 1 else self.tris[0]
        return triangle_parts(tris, np.zeros(len(tris), dtype=np.intp), 1, material, origin)[0]


def prism_triangles(polys: list[Polygon], z0: float, z1: float) -> tuple[np.ndarray, np.ndarray]:
    """Extrude polygons between z0 and z1: (n, 3, 3) triangles and each one's polygon index.

    Why all polygons at once: side walls come from one coordinate array, convex caps (most rooms
    and wall stretches) are fanned in numpy, and only concave caps or caps with holes go through
    earcut one by one.
    """
    polys = shapely.orient_polygons(np.asarray(polys, dtype=object), exterior_cw=False)
    n_rings = shapely.get_num_interior_rings(polys) + 1
    rings = shapely.get_rings(polys)
    ring_poly = np.repeat(np.arange(len(polys)), n_rings)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    # Each ring repeats its first vertex at the end: ring k spans [start[k], start[k + 1]).
    start = np.searchsorted(ring_of, np.arange(len(rings) + 1))
    sides, side_owner = _sides(coords, ring_of, ring_poly, z0, z1)
    flat, cap_owner = _caps(coords, start, n_rings)
    top = np.concatenate((flat, np.full((len(flat), 3, 1), z1)), axis=2)
    bottom = np.concatenate((flat[:, ::-1], np.full((len(flat), 3, 1), z0)), axis=2)
    return np.concatenate((sides, top, bottom)), np.concatenate((side_owner, cap_owner, cap_owner))


def _caps(coords: np.ndarray, start: np.ndarray, n_rings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Counter-clockwise 2-D cap triangles of every polygon, and each one's polygon index."""
    ring_first = np.concatenate(([0], np.cumsum(n_rings)))
    outer = ring_first[:-1]
    size = start[outer + 1] - start[outer] - 1  # vertices of the exterior without the repeat
    tris, owners = [], []
    fan = np.zeros(len(n_rings), dtype=bool)
    for m in np.unique(size[(n_rings == 1) & (size >= 3)]).tolist():
        ids = np.flatnonzero((n_rings == 1) & (size == m))
        pts = coords[start[outer[ids]][:, None] + np.arange(m)]  # (g, m, 2)
        edge = np.roll(pts, -1, axis=1) - pts
        turn = edge[:, :, 0] * np.roll(edge[:, :, 1], -1, axis=1) - edge[:, :, 1] * np.roll(edge[:, :, 0], -1, axis=1)
        scale = np.abs(pts).max(axis=(1, 2)) + 1.0
        convex = np.all(turn >= -1e-12 * scale[:, None] ** 2, axis=1)
        ids, pts = ids[convex], pts[convex]
        fan[ids] = True
        k = np.arange(1, m - 1)
        order = np.stack((np.zeros_like(k), k, k + 1), axis=1)  # (m - 2, 3)
        tris.append(pts[:, order].reshape(-1, 3, 2))
        owners.append(np.repeat(ids, m - 2))
    for p in np.flatnonzero(~fan).tolist():
        parts = [coords[start[r]:start[r + 1] - 1] for r in range(ring_first[p], ring_first[p + 1])]
        parts = [r for r in parts if len(r) >= 3]
        if not parts:
            continue
        verts = np.vstack(parts) if len(parts) > 1 else parts[0]
        idx = earcut.triangulate_float64(verts, np.cumsum([len(r) for r in parts]).astype(np.uint32))
        if len(idx):
            tris.append(verts[idx.reshape(-1, 3)])
            owners.append(np.full(len(idx) // 3, p))
    if not tris:
        return np.zeros((0, 3, 2)), np.zeros(0, dtype=np.intp)
    tri2 = np.concatenate(tris)
    area = (tri2[:, 1, 0] - tri2[:, 0, 0]) * (tri2[:, 2, 1] - tri2[:, 0, 1]) - \
        (tri2[:, 2, 0] - tri2[:, 0, 0]) * (tri2[:, 1, 1] - tri2[:, 0, 1])
    flip = area < 0
    tri2[flip] = tri2[flip][:, ::-1]
    return tri2, np.concatenate(owners)


def _sides(coords: np.ndarray, ring_of: np.ndarray, ring_poly: np.ndarray, z0: float, z1: float
           ) -> tuple[np.ndarray, np.ndarray]:
    """Two triangles per ring edge, and each one's polygon index. Exterior CCW and holes CW
    after orienting, so edge a→b has the solid on its left and the quad faces outwards."""
    same = ring_of[:-1] == ring_of[1:]
    a, b = coords[:-1][same], coords[1:][same]
    keep = np.hypot(*(b - a).T) > 1e-9
    a, b = a[keep], b[keep]
    owner = ring_poly[ring_of[:-1][same][keep]]
    za = np.full((len(a), 1), z0)
    zb = np.full((len(a), 1), z1)
    a0, b0 = np.hstack((a, za)), np.hstack((b, za))
    a1, b1 = np.hstack((a, zb)), np.hstack((b, zb))
    tris = np.concatenate((np.stack((a0, b0, b1), 1), np.stack((a0, b1, a1), 1))).reshape(-1, 3, 3)
    return tris, np.concatenate((owner, owner))


def triangle_parts(tris: np.ndarray, owner: np.ndarray, n_owners: int, material: str,
                   origin: np.ndarray) -> list[MeshPart | None]:
    """One glTF primitive per owner from (n, 3, 3) plan-frame triangles."""
    return split_parts(material, *triangle_arrays(tris, owner, n_owners, origin))


def triangle_arrays(tris: np.ndarray, owner: np.ndarray, n_owners: int, origin: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """glTF positions and flat normals of (n, 3, 3) plan-frame triangles, grouped by owner, and
    the vertex count of each owner; normals computed once for all, degenerate triangles dropped.
    Plain arrays, so a forked helper can send them back cheaply."""
    n = _cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    ln = np.sqrt(np.einsum("ij,ij->i", n, n))
    ok = ln > 1e-12 * np.max(np.abs(tris), initial=1.0)
    tris, n, owner = tris[ok], n[ok] / ln[ok, None], owner[ok]
    if n_owners > 1:
        order = np.argsort(owner, kind="stable")
        tris, n, owner = tris[order], n[order], owner[order]
    pos = to_gltf_frame(tris.reshape(-1, 3), origin)
    # Unit normals stay unit under the frame rotation; one per corner.
    nrm = np.repeat(to_gltf_frame(n, np.zeros(2)), 3, axis=0)
    return pos, nrm, np.bincount(owner, minlength=n_owners) * 3


def split_parts(material: str, pos: np.ndarray, nrm: np.ndarray, counts: np.ndarray) -> list[MeshPart | None]:
    """One triangle primitive per owner from :func:`triangle_arrays` output (None where empty)."""
    cuts = np.cumsum(counts)[:-1]
    idx = np.arange(int(counts.max(initial=0)), dtype=np.uint32)
    return [MeshPart(material, "triangles", p, idx[:len(p)], q) if len(p) else None
            for p, q in zip(np.split(pos, cuts), np.split(nrm, cuts))]


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
