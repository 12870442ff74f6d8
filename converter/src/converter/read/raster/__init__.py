"""Raster reader: PNG/JPEG uploads and scanned PDF pages → the same Plan as a DXF.

Why this split: walls come from image processing (``walls.py``: the thick dark strokes), doors,
windows and stairs from the shipped symbol detector (``converter.detect``); both become plan
primitives on layers the classifier already knows (``SCAN-WALL`` regions, ``SCAN-DOOR`` /
``SCAN-WINDOW`` / ``SCAN-STAIR`` symbol outlines), so openings are hosted, walls cut and rooms
found by the same code as for DXF. The detector sees the plan at the scale it was trained at (the
building about 200 px across, then re-run so doors are ~24 px); the scale in metres comes from the
``pixelsPerMetre`` option, a scale note in the PDF's text layer with the render resolution, the
median door (≈ 1.1 m across its swing box: leaf and wall), or a typical building size, in that order.
Room names come from a scanned PDF's text layer, else from OCR of the text around the walls
(``ocr.py``: ``SCAN-TEXT`` texts), named into rooms by the classifier's one room namer.
"""
from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np

from ...options import Options
from ...plan.model import Path, Plan, Region, Text
from .image import load_image
from .ocr import read_text
from .snap import snap_to_wall
from .walls import mask_polygons, wall_mask

__all__ = ["read_image", "read_pdf_page_image", "plan_from_image", "DOOR_BOX_M", "PDF_RENDER_DPI"]

Progress = Callable[[float, str], None]
#: The long side of a door's swing box (leaf ≈ 0.9 m plus the wall) in metres.
DOOR_BOX_M = 1.1  # a 0.9 m leaf plus a 0.2 m wall
#: Scanned PDF pages are rendered at this resolution (capped at 4000 px a side).
PDF_RENDER_DPI = 150
_TRAIN_BUILDING_PX = 205  # the building's long side in the training pages (256 px × ~0.8)
_TRAIN_DOOR_PX = 24  # a door's box long side at the median training scale
LAYERS = {"door": "SCAN-DOOR", "window": "SCAN-WINDOW", "stair": "SCAN-STAIR"}
#: Layer of the text read by OCR (an annotation layer; the room namer reads every text).
OCR_LAYER = "SCAN-TEXT"


def read_image(path: str, options: Options, progress: Progress | None = None) -> Plan:
    report = progress or (lambda f, m: None)
    report(0.0, "decoding image")
    rgb, info = load_image(path)
    report(0.3, "finding walls and symbols")
    plan, page = plan_from_image(rgb, options, texts=[], ppm_hint=None, prefix="")
    plan.source = {"format": info["format"] or "png", "image": info, "pages": [page]}
    return plan


def read_pdf_page_image(page, pc, options: Options, prefix: str) -> tuple[Plan, dict]:
    """A scanned PDF page: render it, read it as an image, use its text layer for scale and names."""
    import pymupdf

    from ..pdf.scale import scale_from_text

    side_in = max(page.rect.width, page.rect.height) / 72.0
    dpi = min(PDF_RENDER_DPI, 4000 / max(side_in, 1e-6))
    pix = page.get_pixmap(matrix=pymupdf.Matrix(dpi / 72, dpi / 72), colorspace=pymupdf.csRGB, alpha=False)
    rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, :3]
    found = scale_from_text([t for ln in pc.lines for t in ln.text.splitlines()])
    hint = None
    if found:
        denom, src = found
        hint = (dpi / 25.4 * 1000.0 / denom, f"{src} at {dpi:.0f} dpi")
    px_per_mm = dpi / 25.4
    texts = [(ln.text, ln.centre[0] * px_per_mm, (pc.height - ln.centre[1]) * px_per_mm, ln.height * px_per_mm)
             for ln in pc.lines]
    plan, info = plan_from_image(rgb, options, texts=texts, ppm_hint=hint, prefix=prefix)
    info.update(page=pc.number + 1, renderDpi=round(dpi, 1))
    return plan, info


def _detect(rgb: np.ndarray, mask: np.ndarray):
    """Detections in ``rgb`` pixels, run where the model sees the plan at its training scale."""
    import cv2

    from ...detect import detector

    det = detector()
    ys, xs = np.nonzero(mask)
    extent = max(xs.max() - xs.min(), ys.max() - ys.min()) if len(xs) else max(rgb.shape[:2])
    passes = []

    def run(f: float):
        f = min(f, 1600 / max(rgb.shape[:2]))
        img = rgb if abs(f - 1) < 1e-3 else cv2.resize(rgb, None, fx=f, fy=f, interpolation=cv2.INTER_AREA
                                                       if f < 1 else cv2.INTER_LINEAR)
        found = det.detect(img)
        for d in found:
            d.box = tuple(v / f for v in d.box)
        passes.append(round(f, 4))
        return found, f

    found, f = run(_TRAIN_BUILDING_PX / max(extent, 1))
    doors = [max(d.box[2] - d.box[0], d.box[3] - d.box[1]) * f for d in found if d.kind == "door"]
    if doors:
        f2 = f * _TRAIN_DOOR_PX / float(np.median(doors))
        if abs(math.log(f2 / f)) > 0.25:
            found, f = run(f2)
    return found, {"provider": det.provider, "scales": passes}


def plan_from_image(rgb: np.ndarray, options: Options, texts: list, ppm_hint, prefix: str) -> tuple[Plan, dict]:
    """Plan (metres, y up) of a plan image, and its report entry.

    Args:
        texts: [(text, x px, y px, height px)] from a PDF text layer, or [] (then OCR reads them).
        ppm_hint: (pixels per metre, source) from the page's scale note, or None.
    """
    t0 = time.perf_counter()
    h, w = rgb.shape[:2]
    mask, wall_info = wall_mask(rgb)
    found, det_info = _detect(rgb, mask) if mask.any() else ([], {"provider": None, "scales": []})
    t_det = time.perf_counter()
    doors = [max(d.box[2] - d.box[0], d.box[3] - d.box[1]) for d in found if d.kind == "door" and d.score >= 0.4]
    warnings = []
    if getattr(options, "pixelsPerMetre", None):
        ppm, source = float(options.pixelsPerMetre), "the pixelsPerMetre option"
    elif ppm_hint is not None:
        ppm, source = ppm_hint
    elif doors:
        ppm = float(np.median(doors)) / DOOR_BOX_M
        source = f"{len(doors)} doors (median {np.median(doors):.0f} px ≈ {DOOR_BOX_M} m)"
    else:
        ys, xs = np.nonzero(mask)
        extent = max(xs.max() - xs.min(), ys.max() - ys.min()) if len(xs) else max(h, w)
        ppm = extent / 12.0
        source = f"guessed: the walls span {extent} px, taken as a 12 m building"
        warnings.append(f"no scale on the image and no door found; {source} (set pixelsPerMetre to override)")
    k = 1.0 / ppm
    plan = Plan(unit="m")

    def to_m(pts: np.ndarray) -> np.ndarray:
        out = np.empty_like(pts, dtype=np.float64)
        out[:, 0] = pts[:, 0] * k
        out[:, 1] = (h - pts[:, 1]) * k
        return out

    for ring, holes in mask_polygons(mask):
        plan.regions.append(Region(to_m(ring), [to_m(hh) for hh in holes], prefix + "SCAN-WALL", kind="SCAN"))
    plan.entity_counts["wall region"] = len(plan.regions)
    snapped = 0
    for d in found:
        x0, y0, x1, y1 = d.box
        if d.kind in ("door", "window"):
            gap = snap_to_wall(d.box, mask)
            if gap is not None:
                (x0, y0, x1, y1), _ = gap
                snapped += 1
        rect = to_m(np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=np.float64))
        plan.paths.append(Path(rect, prefix + LAYERS[d.kind], closed=True, kind="SCAN"))
        plan.entity_counts[d.kind + " symbol"] += 1
    for s, x, y, th in texts:
        plan.texts.append(Text(s, np.array([x * k, (h - y) * k]), prefix + "PDF-TEXT", height=th * k))
    ocr_info = None
    if not texts:
        read, ocr_info = read_text(rgb, mask, wall_info.get("threshold", 150.0))
        for s, x, y, th in read:
            plan.texts.append(Text(s, np.array([x * k, (h - y) * k]), prefix + OCR_LAYER, height=th * k))
        if "error" in ocr_info:
            warnings.append(f"rooms are unnamed: the image has no text layer and {ocr_info['error']}")
        plan.entity_counts["ocr text"] = len(read)
    t_ocr = time.perf_counter()
    counts = {c: sum(1 for d in found if d.kind == c) for c in LAYERS}
    plan.warnings.extend(warnings)
    info = {"path": "raster", "pixelsPerMetre": round(ppm, 2), "scaleSource": source, "imageSize": [w, h],
            "walls": wall_info, "detector": det_info, "counts": counts, "snappedToWallGaps": snapped,
            "detections": [{"kind": d.kind, "score": round(d.score, 3),
                            "box": [round(v, 1) for v in d.box]} for d in found],
            "seconds": {"walls+detect": round(t_det - t0, 3), "ocr": round(t_ocr - t_det, 3)},
            "warnings": warnings}
    if ocr_info is not None:
        info["ocr"] = ocr_info
    return plan, info
