"""Walls by image processing versus what a YOLO segmentation model could reach, on synthetic val pages.

    converter/.venv/bin/python converter/train/measure_walls.py [--pages 80] [--size 256 512]

Why: the issue asks walls from a segmentation model or image processing, whichever measures
better. Ultralytics' segmentation heads predict masks from prototypes at 1/4 of the input
resolution, and walls on plan pages are 2–10 px thick: that ceiling is measured by down- and
up-sampling the true wall mask. A small U-Net (``train_walls.py``, ``--unet``) predicts every
pixel; it is compared with the image-processing finder (``read/raster/walls.py``) on synthetic
val pages and, through the whole reader, on scans of the held-out test plan.

Result (README): the U-Net wins on synthetic pages (hatched and outlined walls), loses on the
held-out scans (it takes title-block and frame lines for walls), so the reader keeps image
processing.
"""
from __future__ import annotations

import argparse
import os
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "src"))

from synth import render_sample  # noqa: E402

from converter.read.raster.walls import wall_mask  # noqa: E402

VAL_SEED0 = 1_000_000


def iou(a: np.ndarray, b: np.ndarray) -> float:
    u = (a | b).sum()
    return float((a & b).sum() / u) if u else 1.0


def unet_mask_fn(path: str):
    """A ``wall_mask``-like finder running the U-Net (``train_walls.py``) where walls are ~5 px thick.

    The image-processing finder's thickness estimate sets the working scale; the mask comes back
    to the page's pixels; specks and components in the sheet's border band are dropped.
    """
    import onnxruntime as ort

    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])

    def run(rgb: np.ndarray):
        _, info = wall_mask(rgb)
        t = info["thicknessPx"] or 5.0
        f = float(np.clip(5.0 / t, 0.2, 1.0))
        h, w = rgb.shape[:2]
        img = rgb if f == 1.0 else cv2.resize(rgb, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        sh, sw = img.shape[:2]
        x = np.full((-(-sh // 8) * 8, -(-sw // 8) * 8, 3), 255, np.uint8)
        x[:sh, :sw] = img
        logits = sess.run(None, {"images": x.transpose(2, 0, 1)[None].astype(np.float32) / 255})[0][0, 0, :sh, :sw]
        if f != 1.0:
            logits = cv2.resize(logits, (w, h), interpolation=cv2.INTER_LINEAR)
        mask = (logits > 0).astype(np.uint8)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        band = max(4, int(0.03 * min(h, w)))
        border = np.zeros((h, w), bool)
        border[:band], border[-band:], border[:, :band], border[:, -band:] = True, True, True, True
        in_border = np.zeros(n)
        np.add.at(in_border, labels[border], 1)
        keep = np.zeros(n, bool)
        keep[1:] = (np.maximum(stats[1:, 2], stats[1:, 3]) >= 4 * t) & (stats[1:, 4] >= 3 * t * t) & \
            (in_border[1:] < 0.8 * stats[1:, 4])
        return keep[labels], info

    return run


def scans_score(mask_fn) -> list[float]:
    """Wall IoU of the held-out test plan's scans (true scale) with ``mask_fn`` as the wall finder."""
    import tempfile

    sys.path.insert(0, os.path.join(HERE, "..", "tests"))
    import converter.read.raster as raster
    from pdf_plans import draw_pdf, scan_pdf
    from test_pdf_vector import score
    from test_raster import DPI, classify_any

    keep = raster.wall_mask
    raster.wall_mask = mask_fn
    try:
        out = []
        with tempfile.TemporaryDirectory() as tmp:
            pdf = os.path.join(tmp, "p.pdf")
            t = draw_pdf(pdf, tmp, wall_style="hatch")
            for name, seed, strength in (("a.png", 1, 0.3), ("b.png", 7, 1.0), ("c.jpg", 11, 1.0)):
                scan_pdf(pdf, os.path.join(tmp, name), DPI, seed=seed, strength=strength)
                _, b = classify_any(os.path.join(tmp, name), pixelsPerMetre=DPI / 25.4 * 10)
                out.append(round(score(b, t)["iou"], 3))
        return out
    finally:
        raster.wall_mask = keep


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=80)
    ap.add_argument("--size", type=int, nargs="+", default=[256, 512])
    ap.add_argument("--unet", help="also measure this U-Net ONNX (train_walls.py) on the same pages and scans")
    a = ap.parse_args()
    unet = unet_mask_fn(a.unet) if a.unet else None
    if unet:
        print(f"held-out scans, wall IoU: image processing {scans_score(wall_mask)}, U-Net {scans_score(unet)}")
    for size in a.size:
        ip, cap, by_style, un = [], [], {}, []
        for seed in range(VAL_SEED0, VAL_SEED0 + a.pages):
            info: dict = {}
            img, _, truth = render_sample(np.random.default_rng(seed), size, info=info)
            found, _ = wall_mask(np.asarray(img))
            ip.append(iou(found, truth))
            by_style.setdefault(info["wall_style"], []).append(ip[-1])
            if unet:
                un.append(iou(unet(np.asarray(img))[0], truth))
            small = cv2.resize(truth.astype(np.float32), (size // 4, size // 4), interpolation=cv2.INTER_AREA)
            back = cv2.resize(small, (size, size), interpolation=cv2.INTER_LINEAR) > 0.5
            cap.append(iou(back, truth))
        print(f"{size} px pages ({a.pages}): image processing wall IoU mean {np.mean(ip):.3f} "
              f"(median {np.median(ip):.3f}); 1/4-resolution mask ceiling mean {np.mean(cap):.3f} "
              f"(median {np.median(cap):.3f})")
        if unet:
            print(f"   U-Net wall IoU mean {np.mean(un):.3f} (median {np.median(un):.3f})")
        print("   image processing by wall style: " + ", ".join(f"{k} {np.mean(v):.3f} (n={len(v)})"
                                                              for k, v in sorted(by_style.items())))


if __name__ == "__main__":
    main()
