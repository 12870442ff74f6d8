"""One PDF page → styled primitives and text lines in paper millimetres (y up), before scale.

Why keep style: a PDF has no layers unless its optional content groups say so; walls are then
told apart by how they are drawn (the heaviest strokes, grey or dark fills). ``roles`` turns
style into layer names the existing classifier understands, so no second wall finder is needed.
"""
from __future__ import annotations

import colorsys
from dataclasses import dataclass, field

import numpy as np

from ...classify.layers import category_of_name
from .geometry import PT_MM, subpaths

__all__ = ["Stroke", "Fill", "Line", "PageContent", "read_page", "assign_roles", "WALL", "LINES", "TEXT", "FILL", "ANNOTATION"]

#: Layer names the reader gives by style (the classifier maps "wall" and annotation by name).
WALL = "PDF-WALL"
TEXT = "PDF-TEXT"
LINES = "pdf-lines"
FILL = "pdf-fill"
ANNOTATION = "PDF-ANNO-COLOUR"


@dataclass(slots=True)
class Stroke:
    points: np.ndarray
    closed: bool
    curved: bool
    width: float  # mm on paper
    ocg: str
    dashed: bool
    color: tuple


@dataclass(slots=True)
class Fill:
    rings: list[np.ndarray]
    even_odd: bool
    ocg: str
    color: tuple


@dataclass(slots=True)
class Line:
    """A line of text: its string, centre (mm, y up), height (mm) and direction."""

    text: str
    centre: np.ndarray
    height: float
    bbox: tuple[float, float, float, float]


@dataclass
class PageContent:
    number: int
    width: float  # mm
    height: float  # mm
    strokes: list[Stroke] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    images: int = 0
    layer_of: dict[int, str] = field(default_factory=dict)


def read_page(page, max_items: int) -> PageContent:
    """Drawings and text of ``page``; raises ValueError past ``max_items`` path items."""
    h_pt = page.rect.height
    pc = PageContent(page.number, page.rect.width * PT_MM, h_pt * PT_MM)
    count = 0
    for d in page.get_drawings():
        count += len(d["items"])
        if count > max_items:
            raise ValueError(f"more than {max_items} drawing items on page {page.number + 1}")
        ocg = d.get("layer") or ""
        kind = d.get("type") or "s"
        parts = subpaths(d["items"], h_pt)
        if "f" in kind and d.get("fill") is not None:
            rings = [p for p, closed, _ in parts if len(p) >= 3]
            if rings:
                pc.fills.append(Fill(rings, bool(d.get("even_odd")), ocg, tuple(d["fill"])))
        if "s" in kind and d.get("color") is not None:
            dashed = bool(d.get("dashes")) and not str(d.get("dashes")).startswith("[] ")
            w = float(d.get("width") or 0.0) * PT_MM
            for pts, closed, curved in parts:
                pc.strokes.append(Stroke(pts, closed or bool(d.get("closePath")) and len(pts) > 2, curved, w, ocg,
                                         dashed, tuple(d["color"])))
    # One text per stack of lines (a room stamp "Bad / FFB= / 8.42 m²" stays one text, its name first).
    text = page.get_text("dict", flags=0)
    for block in text.get("blocks", []):
        lines = [ln for ln in block.get("lines", []) if "".join(sp["text"] for sp in ln["spans"]).strip()]
        for rows in _stacks(lines):
            _add_text(pc, rows, h_pt)
    pc.images = len(page.get_images())
    return pc


def _stacks(lines: list[dict]) -> list[list[dict]]:
    """A text block's lines, split where one does not sit right under the other.

    Why: PyMuPDF groups lines into blocks by layout, and on a plan two room stamps in one column
    ("Schlafen …" and, 3 m further down, "Küche / Essen …") can come out as one block: one text,
    and the second room never gets its name.
    """
    out: list[list[dict]] = []
    for ln in lines:
        if out and (_rotated(ln) or _right_under(out[-1][-1], ln)):
            out[-1].append(ln)  # rotated lines stay as their block has them
        else:
            out.append([ln])
    return out


def _rotated(ln: dict) -> bool:
    return tuple(np.round(ln.get("dir", (1.0, 0.0)), 3)) != (1.0, 0.0)


def _right_under(prev: dict, ln: dict) -> bool:
    """``ln`` starts within one line height under ``prev`` and overlaps it sideways (PDF y down)."""
    px0, py0, px1, py1 = prev["bbox"]
    x0, y0, x1, _ = ln["bbox"]
    return y0 - py1 <= py1 - py0 and x0 <= px1 and x1 >= px0


def _add_text(pc: PageContent, rows: list[dict], h_pt: float) -> None:
    """One text of a stack of lines: anchored at its first line (the name of a room stamp)."""
    s = "\n".join("".join(sp["text"] for sp in ln["spans"]).strip() for ln in rows)
    x0 = min(ln["bbox"][0] for ln in rows)
    y0 = min(ln["bbox"][1] for ln in rows)
    x1 = max(ln["bbox"][2] for ln in rows)
    y1 = max(ln["bbox"][3] for ln in rows)
    size = max(sp["size"] for ln in rows for sp in ln["spans"]) * PT_MM
    bb = (x0 * PT_MM, (h_pt - y1) * PT_MM, x1 * PT_MM, (h_pt - y0) * PT_MM)
    first = rows[0]["bbox"]
    anchor = np.array([(first[0] + first[2]) / 2 * PT_MM, (h_pt - (first[1] + first[3]) / 2) * PT_MM])
    pc.lines.append(Line(s, anchor, size, bb))


def _grey(color: tuple) -> tuple[float, float]:
    """(saturation, value) of an RGB/grey/CMYK colour."""
    if len(color) == 1:
        return 0.0, float(color[0])
    if len(color) == 4:
        c, m, y, k = color
        color = ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    _, s, v = colorsys.rgb_to_hsv(*color[:3])
    return s, v


def heavy_width(strokes: list[Stroke]) -> float | None:
    """The stroke width from which lines count as walls, or None when widths say nothing.

    The heaviest width class that carries at least 8 % of the drawn length and is at least 1.6×
    the thinnest class that carries 5 % or more.
    """
    if not strokes:
        return None
    widths = np.array([round(s.width, 2) for s in strokes])
    lengths = np.array([float(np.hypot(*np.diff(s.points, axis=0).T).sum()) for s in strokes])
    total = lengths.sum()
    classes = sorted(set(widths.tolist()))
    if total <= 0 or len(classes) < 2:
        return None
    share = {w: lengths[widths == w].sum() / total for w in classes}
    thin = next(w for w in classes if share[w] >= 0.05) if any(v >= 0.05 for v in share.values()) else classes[0]
    for w in reversed(classes):
        if lengths[widths >= w].sum() / total >= 0.08:
            return w if w >= 1.6 * max(thin, 1e-6) else None
    return None


def assign_roles(strokes: list[Stroke], fills: list[Fill]) -> tuple[list[str], list[str], dict]:
    """A layer name per stroke and per fill: the OCG name when it means something, else by style.

    Call it without the sheet frame and title blocks: their long strokes would skew the widths.
    """
    heavy = heavy_width(strokes)
    named = {}

    def meaning(ocg: str) -> str | None:
        if ocg not in named:
            named[ocg] = category_of_name(ocg) if ocg else None
        return named[ocg]

    # Flat PDFs drawn mostly in black/grey: coloured thin strokes are dimensions and notes.
    flat = not any(s.ocg for s in strokes)
    lengths = [float(np.hypot(*np.diff(s.points, axis=0).T).sum()) for s in strokes]
    neutral = sum(n for s, n in zip(strokes, lengths) if _grey(s.color)[0] < 0.2)
    colour_is_annotation = flat and neutral >= 0.5 * max(sum(lengths), 1e-9)
    stroke_layers = []
    for s in strokes:
        if meaning(s.ocg):
            stroke_layers.append(s.ocg)
        elif colour_is_annotation and _grey(s.color)[0] >= 0.5 and (heavy is None or round(s.width, 2) < heavy):
            stroke_layers.append(ANNOTATION)
        elif heavy is not None and round(s.width, 2) >= heavy and not s.dashed:
            stroke_layers.append(WALL)
        else:
            stroke_layers.append(f"{s.ocg}|{LINES}" if s.ocg else LINES)
    fill_layers = []
    for f in fills:
        sat, val = _grey(f.color)
        if meaning(f.ocg) and meaning(f.ocg) != "annotation":
            fill_layers.append(f.ocg)
        elif sat < 0.12 and val < 0.9 and not meaning(f.ocg):
            fill_layers.append(WALL + "-FILL")
        else:
            fill_layers.append(f"{f.ocg}|{FILL}" if f.ocg else FILL)
    return stroke_layers, fill_layers, {"heavyStrokeMm": heavy}
