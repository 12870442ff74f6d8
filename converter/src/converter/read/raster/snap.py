"""Snap a detected door or window box onto the wall gap it sits in.

Why: a door's box covers its swing, so its long side may run across the wall; the opening placer
takes a symbol's long side as the opening's direction. The wall mask knows better: wall pixels
continue on two opposite sides of the box. The symbol handed on is the gap itself — the box's
extent along the wall (narrowed to the empty run of the wall band) by the wall's thickness.
"""
from __future__ import annotations

import numpy as np

__all__ = ["snap_to_wall"]


def _band(hits: np.ndarray) -> tuple[int, int] | None:
    """The longest run of True in ``hits`` as (start, end) inclusive."""
    idx = np.nonzero(hits)[0]
    if not len(idx):
        return None
    splits = np.nonzero(np.diff(idx) > 1)[0]
    runs = np.split(idx, splits + 1)
    best = max(runs, key=len)
    return int(best[0]), int(best[-1])


def snap_to_wall(box: tuple[float, float, float, float], mask: np.ndarray, margin: int | None = None
                 ) -> tuple[tuple[float, float, float, float], str] | None:
    """(gap box in pixels, "h"/"v" wall direction), or None when no wall flanks the box."""
    h, w = mask.shape
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(w, x1), min(h, y1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    m = margin or max(3, int(0.35 * min(x1 - x0, y1 - y0)))
    left = mask[y0:y1, max(0, x0 - m):x0].any(axis=1) if x0 > 0 else np.zeros(y1 - y0, bool)
    right = mask[y0:y1, x1:min(w, x1 + m)].any(axis=1) if x1 < w else np.zeros(y1 - y0, bool)
    top = mask[max(0, y0 - m):y0, x0:x1].any(axis=0) if y0 > 0 else np.zeros(x1 - x0, bool)
    bottom = mask[y1:min(h, y1 + m), x0:x1].any(axis=0) if y1 < h else np.zeros(x1 - x0, bool)
    sh = int((left & right).sum()) * 2 + int((left | right).sum())
    sv = int((top & bottom).sum()) * 2 + int((top | bottom).sum())
    if max(sh, sv) == 0:
        return None
    if sh >= sv:
        band = _band(left & right) or _band(left | right)
        a, b = y0 + band[0], y0 + band[1] + 1
        row = mask[a:b, max(0, x0 - m):min(w, x1 + m)].any(axis=0)
        gap = _band(~row)
        off = max(0, x0 - m)
        g0, g1 = (off + gap[0], off + gap[1] + 1) if gap and (gap[1] - gap[0] + 1) >= 0.5 * (x1 - x0) else (x0, x1)
        return (float(g0), float(a), float(g1), float(b)), "h"
    band = _band(top & bottom) or _band(top | bottom)
    a, b = x0 + band[0], x0 + band[1] + 1
    col = mask[max(0, y0 - m):min(h, y1 + m), a:b].any(axis=1)
    gap = _band(~col)
    off = max(0, y0 - m)
    g0, g1 = (off + gap[0], off + gap[1] + 1) if gap and (gap[1] - gap[0] + 1) >= 0.5 * (y1 - y0) else (y0, y1)
    return (float(a), float(g0), float(b), float(g1)), "v"
