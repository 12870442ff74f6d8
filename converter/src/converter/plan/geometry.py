"""Small pure geometry helpers over numpy rings, shared by readers and classifiers."""
from __future__ import annotations

import numpy as np

__all__ = ["ring_area", "point_in_ring", "affine"]


def ring_area(ring: np.ndarray) -> float:
    """Signed shoelace area (counter-clockwise positive)."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def point_in_ring(p: np.ndarray, ring: np.ndarray) -> bool:
    """Even-odd ray casting; vectorised over the ring's edges."""
    x, y = float(p[0]), float(p[1])
    x0, y0 = ring[:, 0], ring[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    crosses = (y0 > y) != (y1 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    return bool(np.count_nonzero(crosses & (x < xs)) % 2)


def affine(points: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Apply a row-vector 3x3 2-D affine matrix ``m`` to (n, 2) points."""
    return points @ m[:2, :2] + m[2, :2]
