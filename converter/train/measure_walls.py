"""Walls by image processing versus what a YOLO segmentation model could reach, on synthetic val pages.

    converter/.venv/bin/python converter/train/measure_walls.py [--pages 80] [--size 256 512]

Why this measurement instead of training a segmentation model: ultralytics' segmentation heads
predict masks from prototypes at 1/4 of the input resolution; walls on plan pages are 2–10 px
thick, so even a perfect model is capped by that resolution. The cap is measured here by
down- and up-sampling the true wall mask (64×64 prototypes for a 256 px input), next to the
image-processing wall finder (``read/raster/walls.py``) on the same degraded pages.
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=80)
    ap.add_argument("--size", type=int, nargs="+", default=[256, 512])
    a = ap.parse_args()
    for size in a.size:
        ip, cap, by_style = [], [], {}
        for seed in range(VAL_SEED0, VAL_SEED0 + a.pages):
            info: dict = {}
            img, _, truth = render_sample(np.random.default_rng(seed), size, info=info)
            found, _ = wall_mask(np.asarray(img))
            ip.append(iou(found, truth))
            by_style.setdefault(info["wall_style"], []).append(ip[-1])
            small = cv2.resize(truth.astype(np.float32), (size // 4, size // 4), interpolation=cv2.INTER_AREA)
            back = cv2.resize(small, (size, size), interpolation=cv2.INTER_LINEAR) > 0.5
            cap.append(iou(back, truth))
        print(f"{size} px pages ({a.pages}): image processing wall IoU mean {np.mean(ip):.3f} "
              f"(median {np.median(ip):.3f}); 1/4-resolution mask ceiling mean {np.mean(cap):.3f} "
              f"(median {np.median(cap):.3f})")
        print("   image processing by wall style: " + ", ".join(f"{k} {np.mean(v):.3f} (n={len(v)})"
                                                              for k, v in sorted(by_style.items())))


if __name__ == "__main__":
    main()
