"""Open a PNG/JPEG safely: the pixel count is checked from the header before anything is decoded.

Why: a 50 KB PNG can declare 100,000 × 100,000 pixels (an image bomb); Pillow reads the size
lazily, so refusing it costs nothing. Truncated and corrupt files become ``broken_image``.
"""
from __future__ import annotations

import os
import warnings

import numpy as np

from ...errors import BadDrawing, LimitExceeded

__all__ = ["load_image", "MAX_PIXELS", "MAX_SIDE"]

#: Largest image accepted (a 600 dpi A1 scan is ~ 280 MP; plans need far less). Decoded RGB ≤ 240 MB.
MAX_PIXELS = 80_000_000
#: Images are reduced to at most this many pixels on the long side before reading (memory bound).
MAX_SIDE = 4000


def load_image(path: str) -> tuple[np.ndarray, dict]:
    """RGB array (h, w, 3) of ``path``, reduced to ``MAX_SIDE``; and facts for the report."""
    from PIL import Image, ImageFile

    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise BadDrawing(f"cannot open input: {exc.strerror or exc}", code="unreadable") from None
    if size == 0:
        raise BadDrawing("the file is empty (0 bytes)", code="empty_file")
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path)
            w, h = img.size
            if w * h > MAX_PIXELS:
                raise LimitExceeded(f"the image is {w} × {h} pixels ({w * h / 1e6:.0f} MP), more than "
                                    f"{MAX_PIXELS // 1_000_000} MP (image bomb?)", code="image_bomb")
            if w < 32 or h < 32:
                raise BadDrawing(f"the image is only {w} × {h} pixels; too small to read a plan", code="broken_image")
            fmt = img.format
            dpi = img.info.get("dpi")
            if max(w, h) > MAX_SIDE:
                img.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced size directly
            if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
                # Transparent background means paper: composite on white (not black).
                img = img.convert("RGBA")
                img = Image.alpha_composite(Image.new("RGBA", img.size, (255, 255, 255, 255)), img)
            img = img.convert("RGB")
            if max(img.size) > MAX_SIDE:
                f = MAX_SIDE / max(img.size)
                img = img.resize((max(1, round(img.size[0] * f)), max(1, round(img.size[1] * f))), Image.BILINEAR)
            arr = np.asarray(img)
    except LimitExceeded:
        raise
    except BadDrawing:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LimitExceeded("the image declares an absurd size (image bomb)", code="image_bomb") from None
    except Exception as exc:  # Pillow raises OSError/SyntaxError/ValueError for corrupt data
        raise BadDrawing(f"the image cannot be decoded ({str(exc)[:120] or type(exc).__name__})",
                         code="broken_image") from None
    info = {"format": (fmt or "").lower(), "pixels": [w, h], "readAt": [arr.shape[1], arr.shape[0]],
            "dpi": [float(v) for v in dpi] if dpi else None}
    return arr, info
