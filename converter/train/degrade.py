"""Make a clean rendered plan look scanned: shading, blur, noise, specks, small rotation, JPEG.

Why a module of its own: the training renderer and the tests (which scan the project's test
plans) degrade the same way, so a test measures the model on the kind of page it was trained for,
drawn from a plan it never saw. Pure numpy + Pillow, deterministic for a given generator.
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter

__all__ = ["degrade", "rotate_boxes"]


def rotate_boxes(boxes: np.ndarray, angle_deg: float, w: int, h: int) -> np.ndarray:
    """Axis-aligned boxes (n, 4: x0 y0 x1 y1, px) after rotating the image about its centre.

    Pillow's ``rotate(angle)`` turns counter-clockwise on screen (y down), which is this map.
    """
    if len(boxes) == 0 or angle_deg == 0:
        return boxes
    a = np.radians(angle_deg)
    c, s = np.cos(a), np.sin(a)
    cx, cy = w / 2, h / 2
    xs = boxes[:, [0, 2, 2, 0]] - cx
    ys = boxes[:, [1, 1, 3, 3]] - cy
    rx = c * xs + s * ys + cx
    ry = -s * xs + c * ys + cy
    return np.stack([rx.min(1), ry.min(1), rx.max(1), ry.max(1)], axis=1)


def degrade(img: Image.Image, rng: np.random.Generator, boxes: np.ndarray | None = None,
            strength: float = 1.0, max_rotation: float = 1.5) -> tuple[Image.Image, np.ndarray | None]:
    """Return a scanned-looking copy of ``img`` (RGB) and the boxes moved with it.

    Args:
        img: the clean page.
        rng: the random source (the same seed gives the same page).
        boxes: (n, 4) pixel boxes to carry through the rotation, or None.
        strength: 0 = untouched, 1 = the training mix.
        max_rotation: largest tilt in degrees.
    """
    if strength <= 0:
        return img, boxes
    img = img.convert("RGB")
    w, h = img.size
    angle = float(rng.uniform(-max_rotation, max_rotation)) * strength if rng.random() < 0.6 else 0.0
    if angle:
        img = img.rotate(angle, resample=Image.BILINEAR, expand=False, fillcolor=(255, 255, 255))
        if boxes is not None:
            boxes = rotate_boxes(boxes, angle, w, h)
    if rng.random() < 0.6 * strength:
        img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 1.1)) * strength))
    a = np.asarray(img, dtype=np.float32)
    if rng.random() < 0.6:
        # Scan shading: a soft gradient and a paper tint.
        gx = np.linspace(-1, 1, w, dtype=np.float32)[None, :]
        gy = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
        shade = 1.0 - strength * float(rng.uniform(0, 0.18)) * (0.5 + 0.5 * (gx * rng.uniform(-1, 1) + gy * rng.uniform(-1, 1)))
        tint = np.array([1.0, rng.uniform(0.95, 1.0), rng.uniform(0.88, 1.0)], dtype=np.float32)
        a = a * shade[..., None] * tint
    if rng.random() < 0.8:
        a = a + rng.normal(0, float(rng.uniform(2, 14)) * strength, a.shape[:2])[..., None]
    if rng.random() < 0.4:
        n = int(w * h * 0.0008 * strength)
        ys, xs = rng.integers(0, h, n), rng.integers(0, w, n)
        a[ys, xs] = rng.uniform(0, 120, (n, 1))
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if rng.random() < 0.7:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=int(rng.integers(int(90 - 55 * strength), 96)))
        buf.seek(0)
        img = Image.open(buf).convert("RGB")
    return img, boxes
