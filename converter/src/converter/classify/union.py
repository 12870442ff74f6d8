"""Union of many small polygons, one connected component at a time.

Why: ``shapely.union_all`` over the 80 000 wall quads of a big drawing builds ever larger
intermediate geometries (seconds); the pieces of different buildings, tiles or wings never touch,
so unioning each group of touching pieces on its own gives the same result far faster.
Components are found with one bulk STRtree query and label propagation in numpy.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["touching_components", "union_by_component", "components"]


def touching_components(geoms: Sequence[BaseGeometry], distance: float = 0.0) -> np.ndarray:
    """A component label per geometry: equal labels for chains of intersecting geometries
    (or, with ``distance``, of geometries that close)."""
    n = len(geoms)
    label = np.arange(n)
    if n < 2:
        return label
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="dwithin", distance=distance) if distance > 0 else \
        tree.query(geoms, predicate="intersects")
    keep = a < b
    return components(n, a[keep], b[keep])


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected-component labels of ``n`` items joined by the edges ``a[k]``–``b[k]``."""
    label = np.arange(n)
    while len(a):
        # Hook every edge's larger root under its smaller one, then jump pointers to the roots.
        la, lb = label[a], label[b]
        lo, hi = np.minimum(la, lb), np.maximum(la, lb)
        np.minimum.at(label, hi, lo)
        while True:
            nxt = label[label]
            if np.array_equal(nxt, label):
                break
            label = nxt
        differ = label[a] != label[b]
        a, b = a[differ], b[differ]
    return label


def union_by_component(geoms: Sequence[BaseGeometry]) -> BaseGeometry:
    """``shapely.union_all(geoms)``, computed per connected component (same area and shape).

    Components are reduced pairwise in rounds, every pair of every component in one GEOS call
    (a binary tree like GEOS's cascaded union, without a Python call per component).
    """
    geoms = list(geoms)
    if len(geoms) < 2:
        return shapely.union_all(geoms)
    label = touching_components(geoms)
    order = np.argsort(label, kind="stable")
    arr, lab = np.asarray(geoms, dtype=object)[order], label[order]
    try:
        merged = _pairwise_rounds(arr, lab)
    except shapely.errors.GEOSException:  # invalid input somewhere: the forgiving way, per component
        cuts = np.flatnonzero(np.diff(lab)) + 1
        merged = np.array([m[0] if len(m) == 1 else shapely.union_all(m) for m in np.split(arr, cuts)], dtype=object)
    odd = (shapely.get_type_id(merged) != 3) | ~shapely.is_valid(merged)
    for k in np.flatnonzero(odd).tolist():  # lone invalid or non-polygon pieces, as union_all has them
        merged[k] = shapely.union_all([merged[k]])
    polys = [p for g in merged for p in getattr(g, "geoms", [g]) if p.geom_type == "Polygon" and not p.is_empty]
    return shapely.multipolygons(polys) if len(polys) > 1 else (polys[0] if polys else shapely.union_all([]))


def _pairwise_rounds(arr: np.ndarray, lab: np.ndarray) -> np.ndarray:
    """One geometry per component of the sorted labels ``lab``: members 0+1, 2+3 … unite each round."""
    while True:
        first = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]])
        size = np.diff(np.r_[first, len(lab)])
        if size.max() == 1:
            return arr
        rank = np.arange(len(lab)) - np.repeat(first, size)
        left = np.flatnonzero((rank % 2 == 0) & (rank + 1 < np.repeat(size, size)))
        arr = arr.copy()
        arr[left] = shapely.union(arr[left], arr[left + 1])
        keep = rank % 2 == 0
        arr, lab = arr[keep], lab[keep]
