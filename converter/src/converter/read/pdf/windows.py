"""Window symbols in PDFs without layers: parallel thin lines spanning a gap between wall jambs.

Why in the reader: without a layer name nothing says "window", and the classifier only knows
windows by name. The drawing convention is stable, though: two to four parallel thin lines of the
same length, stacked across the wall's thickness, whose ends meet the wall outline's ends (the
jambs). Such groups move to a ``PDF-WINDOW`` layer; the opening placer does the rest.
"""
from __future__ import annotations

import numpy as np

from ...plan.model import Path

__all__ = ["mark_windows", "WINDOW"]

WINDOW = "PDF-WINDOW"
_LEN = (0.4, 3.5)  # window width, m
_SPREAD = 0.6  # the lines of one symbol lie within this distance across, m
_TOL = 0.06  # ends meet jambs / each other within this, m


def mark_windows(paths: list[Path], line_layer_suffix: str, wall_layers: set[str]) -> int:
    """Move window-like groups of thin straight lines onto ``WINDOW`` layers (in place); returns count."""
    cand = [p for p in paths if p.layer.endswith(line_layer_suffix) and p.arc is None and len(p.points) == 2]
    jambs = [p.points for p in paths if p.layer in wall_layers]
    if not cand or not jambs:
        return 0
    ends = np.concatenate(jambs)
    seg = np.array([p.points.ravel() for p in cand])  # x0 y0 x1 y1
    d = seg[:, 2:] - seg[:, :2]
    length = np.hypot(d[:, 0], d[:, 1])
    ok = (length >= _LEN[0]) & (length <= _LEN[1])
    u = d / np.maximum(length, 1e-9)[:, None]
    mid = (seg[:, :2] + seg[:, 2:]) / 2
    used = np.zeros(len(cand), bool)
    found = 0
    for i in np.nonzero(ok)[0]:
        if used[i]:
            continue
        # same direction, same length, mids offset only across the line
        par = ok & ~used & (np.abs(np.abs(u @ u[i]) - 1) < 1e-3) & (np.abs(length - length[i]) < _TOL)
        rel = mid - mid[i]
        along = rel @ u[i]
        across = np.abs(rel[:, 0] * u[i, 1] - rel[:, 1] * u[i, 0])
        group = np.nonzero(par & (np.abs(along) < _TOL) & (across <= _SPREAD))[0]
        if len(group) < 2:
            continue
        pts = seg[group].reshape(-1, 2)  # rows: start, end, start, end …
        near = np.min(np.hypot(pts[:, None, 0] - ends[None, :, 0], pts[:, None, 1] - ends[None, :, 1]), axis=1)
        near = (near <= _TOL).reshape(-1, 2)
        # Most line ends sit on wall outline corners, on both jambs (dimension ticks touch one side).
        if near.mean() < 0.6 or not (near[:, 0].any() and near[:, 1].any()):
            continue
        for k in group:
            used[k] = True
            p = cand[k]
            p.layer = p.layer[: -len(line_layer_suffix)] + WINDOW
        found += 1
    return found
