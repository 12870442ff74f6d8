"""The project's synthetic test plan (``plans.py``) as a vector PDF and as a scan, with its truth.

Vector: ezdxf's drawing add-on with its PyMuPDF backend at a true drawing scale (each DXF layer an
optional content group, or none with line weights only), texts written as real PDF text (the
backend draws glyphs as fills), a title block with a scale note, and optionally a second page.
Raster: that page rendered at a given resolution and degraded like a scan (``train/degrade.py``).
The symbol detector never trained on this plan: its training pages come from ``train/synth.py``.
"""
from __future__ import annotations

import os
import sys

import ezdxf
import numpy as np
import shapely
from ezdxf.addons.drawing import Frontend, RenderContext, config, layout
from ezdxf.addons.drawing import pymupdf as mupdf_backend

from plans import PlanTruth, draw_plan

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "train"))

__all__ = ["draw_pdf", "scan_pdf", "align_iou", "PT_MM"]

PT_MM = 25.4 / 72
TEXTS = [("Living", 3.0, 3.2, 10), ("32.2 m2", 3.0, 2.8, 7), ("Kitchen", 7.5, 3.5, 10)]


def draw_pdf(path: str, tmp: str, *, wall_style: str = "hatch", layers: bool = True, denom: float = 100,
             title_block: bool = True, pages: int = 1, scale_note: bool = True) -> PlanTruth:
    """Write the test plan as a vector PDF at 1:``denom``; returns the truth (metres, plan origin)."""
    dxf = os.path.join(tmp, f"plan-{wall_style}.dxf")
    t = draw_plan(dxf, wall_style=wall_style, unit="mm")
    doc = ezdxf.readfile(dxf)
    if not layers:
        for lay in doc.layers:
            lay.dxf.lineweight = 70 if lay.dxf.name.upper().startswith("A-WALL") else 18
    cfg = config.Configuration(text_policy=config.TextPolicy.IGNORE, color_policy=config.ColorPolicy.BLACK,
                               background_policy=config.BackgroundPolicy.WHITE,
                               lineweight_policy=config.LineweightPolicy.ABSOLUTE)
    backend = mupdf_backend.PyMuPdfBackend()
    Frontend(RenderContext(doc), backend, config=cfg).draw_layout(doc.modelspace())
    page = layout.Page(420, 297, layout.Units.mm, margins=layout.Margins.all(15))
    data = backend.get_pdf_bytes(page, settings=layout.Settings(fit_page=False, scale=1 / denom,
                                                                  output_layers=layers))
    import pymupdf

    out = pymupdf.open("pdf", data)
    for _ in range(pages - 1):
        out.fullcopy_page(0)  # keeps the optional content groups (insert_pdf drops them)
    for pg in out:
        walls = [d["rect"] for d in pg.get_drawings() if (d.get("width") or 0) > 1.9]  # 0.7 mm wall pen
        # The walls' corner (0, 0) in page points: the wall truth's bounds against the drawn ones.
        wall_rects = [d["rect"] for d in pg.get_drawings() if (d.get("layer") or "").lower().startswith("a-wall")] \
            if layers else walls
        x0 = min(r.x0 for r in wall_rects)
        y1 = max(r.y1 for r in wall_rects)
        lo = t.walls.bounds
        k_pt = 1000.0 / denom / PT_MM  # points per metre on paper
        x0 -= lo[0] * k_pt
        y1 += lo[1] * k_pt

        def at(x, y):
            return pymupdf.Point(x0 + x * k_pt, y1 - y * k_pt)

        for s, x, y, size in TEXTS:
            w = pymupdf.get_text_length(s, fontsize=size)
            pg.insert_text(at(x, y) + (-w / 2, size / 3), s, fontsize=size)
        if title_block:
            W, H = pg.rect.width, pg.rect.height
            box = pymupdf.Rect(W - 230, H - 120, W - 20, H - 20)
            pg.draw_rect(box, width=1.2)
            for i, s in enumerate(["Project: Test house", "Drawing: Ground floor plan", "Drawn: CI   Checked: CI",
                                   "Date: 2026-11-30   Sheet 1" + (f" of {pages}" if pages > 1 else ""),
                                   f"Scale 1:{denom:g}" if scale_note else "Scale: as shown"]):
                pg.draw_line((box.x0, box.y0 + 20 * i), (box.x1, box.y0 + 20 * i), width=0.5)
                pg.insert_text((box.x0 + 6, box.y0 + 20 * i + 14), s, fontsize=9)
        pg.draw_rect(pymupdf.Rect(10, 10, pg.rect.width - 10, pg.rect.height - 10), width=1.5)
    out.save(path)
    return t


def scan_pdf(pdf: str, out: str, dpi: float, seed: int = 7, strength: float = 1.0, crop_mm: float = 0.0) -> float:
    """Render page 1 of ``pdf`` at ``dpi`` and degrade it; writes PNG/JPEG ``out``; returns px per metre at 1:100."""
    import pymupdf
    from degrade import degrade

    doc = pymupdf.open(pdf)
    pix = doc[0].get_pixmap(dpi=dpi)
    from PIL import Image

    img = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    img, _ = degrade(img, np.random.default_rng(seed), strength=strength, max_rotation=0.5)
    img.save(out, quality=85) if out.endswith(".jpg") else img.save(out)
    return dpi / 25.4 * 10.0


def align_iou(found: shapely.Geometry, truth: shapely.Geometry) -> float:
    """IoU after moving ``found`` so its bounds' lower-left corner meets the truth's."""
    if found.is_empty:
        return 0.0
    fx, fy = found.bounds[:2]
    tx, ty = truth.bounds[:2]
    moved = shapely.affinity.translate(found, tx - fx, ty - fy)
    inter = moved.intersection(truth).area
    return inter / moved.union(truth).area



def scanned_pdf(vector_pdf: str, png: str, out: str, dpi: float) -> None:
    """A PDF page holding only the scan of ``vector_pdf`` page 1, with the vector page's text as an
    invisible text layer (what a scanner's OCR writes)."""
    import pymupdf
    from PIL import Image

    w, h = Image.open(png).size
    src = pymupdf.open(vector_pdf)[0]
    doc = pymupdf.open()
    page = doc.new_page(width=w * 72 / dpi, height=h * 72 / dpi)
    page.insert_image(page.rect, filename=png)
    for block in src.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                page.insert_text(span["origin"], span["text"], fontsize=span["size"], render_mode=3)
    doc.save(out)
