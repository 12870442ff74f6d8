"""The drawing scale of a PDF page (paper millimetres → real metres) and where it came from.

Why several sources: a scale note ("1:100", "M 1:50", "SCALE 1/4\" = 1'-0\"") is the drawing's
own word; without one, dimension texts against the lines they sit on, then door swings (about
0.9 m), then the size of the drawing on paper give a usable guess. The report says which one won;
the ``scale`` option overrides all of them.
"""
from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

__all__ = ["STANDARD", "scale_from_text", "scale_from_dimensions", "scale_from_doors", "scale_from_extent",
           "parse_scale"]

#: Common drawing scales (denominators), used to snap measured ratios.
STANDARD = (1, 2, 5, 10, 20, 25, 48, 50, 75, 96, 100, 125, 192, 200, 250, 500, 1000, 2000)

_RATIO = re.compile(r"(?<![\d.,:/])1\s*:\s*(\d{1,5}(?:[.,]\d+)?)(?![\d:])")
_IMPERIAL = re.compile(r"(\d+(?:\s*/\s*\d+)?)\s*(?:\"|''|”|in)\s*=\s*(\d+)\s*(?:'|’|ft)\s*-?\s*(\d+)?\s*(?:\"|”|in)?")
_NUMBER = re.compile(r"^\s*(\d{1,5}(?:[.,]\d{1,3})?)\s*[\u00b2\u00b3\u2070-\u2079\d]?\s*$")


def parse_scale(text: str) -> float | None:
    """Denominator of one scale note: ``"1:50"`` → 50, ``1/4" = 1'-0"`` → 48; None if none."""
    m = _IMPERIAL.search(text)
    if m:
        num = m.group(1).replace(" ", "")
        inches = float(num.split("/")[0]) / float(num.split("/")[1]) if "/" in num else float(num)
        real = float(m.group(2)) * 12 + float(m.group(3) or 0)
        if inches > 0 and real > 0:
            return real / inches
    m = _RATIO.search(text)
    if m:
        d = float(m.group(1).replace(",", "."))
        if 1 <= d <= 20000:
            return d
    return None


def scale_from_text(texts: list[str]) -> tuple[float, str] | None:
    """The most frequent scale note among the page's text lines (short lines first)."""
    found = Counter()
    for t in texts:
        if len(t) > 60:
            continue
        d = parse_scale(t)
        if d:
            found[d] += 1
    if not found:
        return None
    d, _ = found.most_common(1)[0]
    note = next(t for t in texts if len(t) <= 60 and parse_scale(t) == d)
    return d, f"scale note {note.strip()!r}"


def _snap(d: float, tol: float = 0.06) -> float | None:
    best = min(STANDARD, key=lambda s: abs(math.log(d / s)))
    return float(best) if abs(math.log(d / best)) <= tol else None


def scale_from_dimensions(lines, segments: np.ndarray) -> tuple[float, str] | None:
    """Numbers written along straight lines, read as m, cm or mm, against the lines' paper length.

    Args:
        lines: text lines (``text``, ``centre``, ``height``) in paper mm.
        segments: (n, 4) straight segments x0 y0 x1 y1 in paper mm.
    """
    if len(segments) == 0:
        return None
    mids = (segments[:, :2] + segments[:, 2:]) / 2
    length = np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1])
    votes = Counter()
    for ln in lines:
        m = _NUMBER.match(ln.text)
        if not m:
            continue
        value = float(m.group(1).replace(",", "."))
        if value <= 0:
            continue
        near = np.hypot(mids[:, 0] - ln.centre[0], mids[:, 1] - ln.centre[1]) <= 2.5 * max(ln.height, 1.0)
        near &= length > 3 * max(ln.height, 1.0)
        for L in length[near]:
            decimal = "." in m.group(1) or "," in m.group(1)
            for unit in ((1.0, 0.01, 0.001) if decimal else (0.01, 0.001)):
                d = _snap(value * unit * 1000.0 / L)
                if d:
                    votes[d] += 1
    if not votes:
        return None
    (d, n), = votes.most_common(1)
    if n < 3:
        return None
    return d, f"{n} dimension texts against their lines"


def scale_from_doors(radii_mm: list[float]) -> tuple[float, str] | None:
    """Door swings are about 0.9 m: the standard scale that makes the median swing door-sized."""
    if len(radii_mm) < 1:
        return None
    r = float(np.median(radii_mm))
    d = min(STANDARD, key=lambda s: abs(math.log(r * s / 900.0)))
    if 0.55 <= r * d / 1000.0 <= 1.4:
        return float(d), f"{len(radii_mm)} door swings (median {r:.1f} mm on paper ≈ 0.9 m)"
    return None


def scale_from_extent(span_mm: float) -> tuple[float, str]:
    """Last resort: the standard scale that makes the drawing about a house in size (≈ 20 m)."""
    d = min(STANDARD, key=lambda s: abs(math.log(max(span_mm, 1e-3) * s / 20000.0)))
    return float(d), f"guessed from the drawing's size on paper ({span_mm:.0f} mm)"
