"""Room names on scans: OCR of the text around the building, as ``(text, x px, y px, height px)``.

Why only around the building: room names sit inside the walls, while a sheet's other text (title
block, legend, notes) sits at its edges — the parts the wall finder already leaves out. Reading
just the walls' bounding box (plus a margin for labels just outside a wall, minus the sheet's
border band) skips that text for free and keeps the time small: the text detector's cost grows
with the pixels it sees. The crop is scaled so a letter is about ``TARGET_CHAR_PX`` tall (scans of
plans at 100 dpi have 7–9 px letters, which the recogniser misreads more often), within a pixel
cap that bounds time and memory, and an enlarged crop is median-filtered (on a degraded 100 dpi
scan "Kitchen" read as "Kichen" without it). The lines found become ``SCAN-TEXT`` texts, which the room
namer (``classify/rooms.py``) uses like any DXF or PDF text.

The engine is RapidOCR (PP-OCRv4 detection and recognition as ONNX, shipped inside its wheel; no
download), run with ONNX Runtime like the symbol detector, and made once per process.
"""
from __future__ import annotations

import re
import time
from functools import lru_cache

import numpy as np

__all__ = ["read_text", "ocr_engine", "MIN_SCORE", "TARGET_CHAR_PX", "MAX_OCR_PIXELS"]

#: Recognised lines scoring below this are dropped (misreads of hatching and symbols score low).
MIN_SCORE = 0.8
#: The crop is scaled so a typical letter is about this tall (px) for the recogniser.
TARGET_CHAR_PX = 12.0
#: The scaled crop's pixel count is capped here: time (~0.4 s on 2 CPU cores) and memory (the text
#: detector holds ~250 MB per MP of input at its peak, on top of ~60 MB for the engine).
MAX_OCR_PIXELS = 600_000
#: Margin around the walls' bounding box, as a fraction of its long side.
MARGIN = 0.08
_SCALE_RANGE = (0.35, 2.0)
_EDGE_PUNCT = " .,;:|'\"`_-~"
_HAS_WORD = re.compile(r"[^\W_]", re.UNICODE)


@lru_cache(maxsize=1)
def ocr_engine():
    """The process-wide RapidOCR engine (made on first use; the warm server imports the module).

    The detection side is fed the crop at the size ``read_text`` chose (``max`` limit, no resize).
    """
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(det_limit_type="max", det_limit_side_len=4000, max_side_len=4000)


def read_text(rgb: np.ndarray, mask: np.ndarray, threshold: float) -> tuple[list, dict]:
    """Lines of text near the walls of ``rgb``, in the image's pixels, and facts for the report.

    Args:
        rgb: the page image (h, w, 3).
        mask: the wall mask (``walls.wall_mask``); nothing is read when it is empty.
        threshold: the grey level below which a pixel is ink (the wall finder's).

    Returns:
        ``[(text, x, y, height)]`` (centre and height in px) and ``{"lines", "dropped", "scale",
        "crop", "loadSeconds" (making the engine: once per process), "seconds" (all)}``; ``{"error": …}`` instead when no OCR engine is installed.
    """
    t0 = time.perf_counter()
    ys, xs = np.nonzero(mask)
    if not len(xs):
        return [], {"lines": 0, "skipped": "no walls"}
    try:
        engine = ocr_engine()
    except ImportError as exc:
        return [], {"lines": 0, "error": f"no OCR engine ({exc.name or exc})"}
    t_load = time.perf_counter()
    h, w = mask.shape
    band = max(4, int(0.03 * min(h, w)))  # the sheet's border band, as in walls.py
    m = int(MARGIN * max(xs.max() - xs.min(), ys.max() - ys.min()))
    x0, y0 = max(band, int(xs.min()) - m), max(band, int(ys.min()) - m)
    x1, y1 = min(w - band, int(xs.max()) + m + 1), min(h - band, int(ys.max()) + m + 1)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return [], {"lines": 0, "skipped": "no room for text"}
    crop = rgb[y0:y1, x0:x1]
    f = _scale(crop, mask[y0:y1, x0:x1], threshold)
    import cv2

    img = crop if abs(f - 1) < 1e-3 else cv2.resize(
        crop, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC if f > 1 else cv2.INTER_AREA)
    if f > 1.2:  # enlarged letters' strokes are ≥ 2 px: a 3 px median drops scan and JPEG speckle
        img = cv2.medianBlur(img, 3)
    found, _ = engine(np.ascontiguousarray(img[:, :, ::-1]))  # RapidOCR takes arrays as BGR
    out, dropped = [], 0
    for box, text, score in found or []:
        s = str(text).strip(_EDGE_PUNCT)
        if float(score) < MIN_SCORE or not _HAS_WORD.search(s):
            dropped += 1
            continue
        pts = np.asarray(box, dtype=np.float64) / f
        cx, cy = pts.mean(axis=0)
        th = float(np.hypot(*(pts[3] - pts[0])) + np.hypot(*(pts[2] - pts[1]))) / 2
        out.append((s, float(cx) + x0, float(cy) + y0, th))
    info = {"lines": len(out), "dropped": dropped, "scale": round(f, 3),
            "crop": [x0, y0, x1, y1], "loadSeconds": round(t_load - t0, 3),
            "seconds": round(time.perf_counter() - t0, 3)}
    return out, info


def _scale(crop: np.ndarray, walls: np.ndarray, threshold: float) -> float:
    """Resize factor that makes the crop's letters ~``TARGET_CHAR_PX`` tall, within the pixel cap.

    Letters are the small, upright, letter-shaped ink blobs off the walls; their median height is
    the typical letter's. Without any, the crop is read as it is.
    """
    import cv2

    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    ink = ((grey < threshold) & ~walls).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    bh, bw = stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_WIDTH]
    letters = (bh >= 4) & (bh <= 80) & (bw <= 1.5 * bh) & (bw >= 0.15 * bh)
    f = TARGET_CHAR_PX / float(np.median(bh[letters])) if letters.sum() >= 3 else 1.0
    f = min(max(f, _SCALE_RANGE[0]), _SCALE_RANGE[1])
    ch, cw = crop.shape[:2]
    return min(f, (MAX_OCR_PIXELS / max(ch * cw, 1)) ** 0.5)
