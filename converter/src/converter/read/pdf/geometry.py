"""PDF drawing commands → polylines in paper millimetres (y up), with arcs recognised.

Why here: PyMuPDF's ``get_drawings()`` gives lines, cubic Béziers, rectangles and quads per path;
the plan model wants polylines, and door swings are recognised from circle arcs, so a run of
Béziers that lies on one circle becomes a :class:`~converter.plan.model.Arc`.
"""
from __future__ import annotations

import math

import numpy as np

from ...plan.model import Arc

__all__ = ["PT_MM", "subpaths", "fit_arc"]

PT_MM = 25.4 / 72.0  # one PDF point in millimetres
_BEZIER_STEPS = 8
_T = np.linspace(0.0, 1.0, _BEZIER_STEPS + 1)[1:]
_B = np.stack([(1 - _T) ** 3, 3 * (1 - _T) ** 2 * _T, 3 * (1 - _T) * _T ** 2, _T ** 3], axis=1)


def subpaths(items: list, height: float) -> list[tuple[np.ndarray, bool, bool]]:
    """Split one drawing's items into connected runs: [(points (n, 2) mm y-up, closed, curved)].

    Args:
        items: ``get_drawings()[k]["items"]``.
        height: page height in points (to flip y).
    """
    out: list[tuple[np.ndarray, bool, bool]] = []
    run: list[tuple[float, float]] = []
    curved = False

    def flush() -> None:
        nonlocal run, curved
        if len(run) >= 2:
            pts = np.asarray(run, dtype=np.float64)
            closed = len(pts) > 3 and abs(pts[0, 0] - pts[-1, 0]) < 1e-6 and abs(pts[0, 1] - pts[-1, 1]) < 1e-6
            if closed:
                pts = pts[:-1]
            out.append((pts, closed, curved))
        run, curved = [], False

    for it in items:
        op = it[0]
        if op == "re":
            flush()
            r = it[1]
            out.append((np.array([(r.x0, r.y0), (r.x1, r.y0), (r.x1, r.y1), (r.x0, r.y1)], dtype=np.float64), True, False))
            continue
        if op == "qu":
            flush()
            q = it[1]
            out.append((np.array([(q.ul.x, q.ul.y), (q.ur.x, q.ur.y), (q.lr.x, q.lr.y), (q.ll.x, q.ll.y)],
                                 dtype=np.float64), True, False))
            continue
        p0 = (it[1].x, it[1].y)
        if run and (abs(run[-1][0] - p0[0]) > 1e-6 or abs(run[-1][1] - p0[1]) > 1e-6):
            flush()
        if not run:
            run.append(p0)
        if op == "l":
            run.append((it[2].x, it[2].y))
        elif op == "c":
            ctrl = np.array([[p.x, p.y] for p in it[1:5]], dtype=np.float64)
            run.extend(map(tuple, _B @ ctrl))
            curved = True
    flush()
    result = []
    for pts, closed, curved in out:
        pts = pts * PT_MM
        pts[:, 1] = height * PT_MM - pts[:, 1]
        result.append((pts, closed, curved))
    return result


def fit_arc(pts: np.ndarray) -> Arc | None:
    """A circle arc through ``pts`` (counter-clockwise), or None when they are not on one circle."""
    if len(pts) < 5:
        return None
    x, y = pts[:, 0], pts[:, 1]
    A = np.column_stack((x, y, np.ones_like(x)))
    b = x * x + y * y
    try:
        sol, *_ = np.linalg.lstsq(A, b, rcond=None)
    except np.linalg.LinAlgError:
        return None
    cx, cy = sol[0] / 2, sol[1] / 2
    r2 = sol[2] + cx * cx + cy * cy
    if r2 <= 0:
        return None
    r = math.sqrt(r2)
    if np.max(np.abs(np.hypot(x - cx, y - cy) - r)) > 0.02 * r + 1e-3:
        return None
    ang = np.unwrap(np.arctan2(y - cy, x - cx))
    if ang[-1] < ang[0]:
        ang = ang[::-1]
    sweep = ang[-1] - ang[0]
    if sweep <= 0.05 or sweep > 2 * math.pi + 1e-6:
        return None
    start = float(ang[0] % (2 * math.pi))
    return Arc(float(cx), float(cy), float(r), start, float((start + min(sweep, 2 * math.pi - 1e-9)) % (2 * math.pi)))
