"""Title blocks, legends and the sheet frame: found on the page and left out of the building.

Why by words and place: a title block is a table of short texts (project, date, scale, drawn by,
"Maßstab", "Datum" …) against the right or bottom edge of the sheet; a legend is a column of
symbol samples with texts under a heading such as "Legend"/"Legende". Everything wholly inside such
an area is dropped (and said so in the report); the sheet frame is a rectangle close to the page
edges.
"""
from __future__ import annotations

import re

import numpy as np

__all__ = ["TITLE_WORDS", "title_areas", "is_frame"]

TITLE_WORDS = re.compile(
    r"\b(project|projekt|projet|proyecto|client|bauherr|architect|architekt|drawn|gez\.?|gezeichnet|checked|"
    r"gepr[üu]ft|datum|date|fecha|scale|ma(?:ß|ss)stab|[ée]chelle|escala|sheet|blatt|drawing|zeichnung|"
    r"plan\s*n[ro]\.?|dwg|rev(?:ision)?|index|title|titel|verfasser|[äa]nderung\w*|bauvorhaben|"
    r"legend|legende|l[ée]gende|leyenda)\b", re.IGNORECASE)


def is_frame(bbox: tuple, page_w: float, page_h: float) -> bool:
    """A rectangle that spans most of the sheet: the drawing frame, not building."""
    x0, y0, x1, y1 = bbox
    return (x1 - x0) >= 0.8 * page_w and (y1 - y0) >= 0.8 * page_h


def title_areas(lines, page_w: float, page_h: float) -> list[tuple[float, float, float, float]]:
    """Boxes (paper mm, y up) of title blocks and legends.

    Keyword texts in the outer part of the sheet seed an area; it grows over the texts stacked
    next to it (gaps under 4 % of the page) and reaches to the nearest sheet edges.
    """
    seeds = [ln for ln in lines if TITLE_WORDS.search(ln.text)]
    if len(seeds) < 2:
        return []
    areas = []
    right = [ln for ln in seeds if ln.centre[0] > 0.6 * page_w]
    bottom = [ln for ln in seeds if ln.centre[1] < 0.3 * page_h and ln not in right]
    gap = 0.04 * max(page_w, page_h)
    for group, side in ((right, "right"), (bottom, "bottom")):
        if len(group) < 2:
            continue
        x0 = min(ln.bbox[0] for ln in group)
        y0 = min(ln.bbox[1] for ln in group)
        x1 = max(ln.bbox[2] for ln in group)
        y1 = max(ln.bbox[3] for ln in group)
        grown = True
        while grown:
            grown = False
            for ln in lines:
                bx0, by0, bx1, by1 = ln.bbox
                inside_x = bx0 >= x0 - gap * 0.5 and bx1 <= (page_w if side == "right" else x1 + gap)
                touches_y = by0 <= y1 + gap and by1 >= y0 - gap
                if inside_x and touches_y and not (bx0 >= x0 and bx1 <= x1 and by0 >= y0 and by1 <= y1):
                    x0, y0, x1, y1 = min(x0, bx0), min(y0, by0), max(x1, bx1), max(y1, by1)
                    grown = True
        pad = 0.01 * max(page_w, page_h)
        box = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
        if side == "right":
            box = (box[0], 0.0 if box[1] < 0.25 * page_h else box[1], page_w, box[3])
        else:
            box = (box[0], 0.0, box[2], box[3])
        if (box[2] - box[0]) * (box[3] - box[1]) <= 0.4 * page_w * page_h:
            areas.append(box)
    return areas


def inside(bbox: tuple, areas: list[tuple]) -> bool:
    x0, y0, x1, y1 = bbox
    return any(x0 >= a[0] and y0 >= a[1] and x1 <= a[2] and y1 <= a[3] for a in areas)


def bbox_of(points: np.ndarray) -> tuple[float, float, float, float]:
    lo = points.min(axis=0)
    hi = points.max(axis=0)
    return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


__all__ += ["inside", "bbox_of"]
