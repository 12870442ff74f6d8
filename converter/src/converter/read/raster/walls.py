"""Walls of a scanned plan by image processing: the thick dark strokes, as polygons in pixels.

Why image processing and not a second network: walls on plans are the thickest dark lines.
Removing thin strokes (text, furniture, dimension lines, symbols) with a small opening, then
compact blobs much thicker than the typical wall (a car, a dark legend box), leaves the wall mask;
its contours become polygons with holes. Measured on the synthetic scans against a U-Net-free
baseline it is enough (wall IoU in the README); a segmentation model can replace ``wall_mask``.
"""
from __future__ import annotations

import cv2
import numpy as np

__all__ = ["wall_mask", "mask_polygons"]


def wall_mask(rgb: np.ndarray) -> tuple[np.ndarray, dict]:
    """Boolean wall mask of ``rgb`` and facts (threshold, typical thickness in px)."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    grey = cv2.GaussianBlur(grey, (3, 3), 0)
    otsu, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    thresh = float(min(otsu, 150.0))
    dark = (grey < thresh).astype(np.uint8)
    h, w = dark.shape
    k = 3 if max(h, w) <= 2200 else 5
    opened = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    if not opened.any():
        return opened.astype(bool), {"threshold": thresh, "thicknessPx": 0.0}
    dt = cv2.distanceTransform(opened, cv2.DIST_L2, 3)
    ridge = (dt >= cv2.dilate(dt, np.ones((3, 3), np.uint8))) & (dt >= 1.0)
    t = _thickness(dt, ridge, k)
    k2 = int(round(0.45 * t))
    if k2 > k:  # thick walls: strokes up to half their thickness are furniture, symbols, text
        opened = cv2.morphologyEx(opened, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k2, k2)))
    # Compact blobs far thicker than a wall are not walls.
    d = int(max(9, round(3.5 * t))) | 1
    blobs = cv2.morphologyEx(opened, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d)))
    walls = opened & ~cv2.dilate(blobs, np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(walls, connectivity=8)
    # Thin strokes that survived (a sheet frame, heavy lines) are far thinner than the walls they
    # are not connected to: a component whose thickest point is under ~half the wall's is dropped.
    dt2 = cv2.distanceTransform(walls, cv2.DIST_L2, 3)
    peak = np.zeros(n)
    np.maximum.at(peak, labels.ravel(), dt2.ravel())
    # A sheet frame hugs the image edges: a component lying (almost) wholly in the border band and
    # running along much of it goes (a wall of a plan cropped tight at the edge stays).
    band = max(4, int(0.03 * min(h, w)))
    border = np.zeros((h, w), bool)
    border[:band], border[-band:], border[:, :band], border[:, -band:] = True, True, True, True
    in_border = np.zeros(n)
    np.add.at(in_border, labels[border], 1)
    keep = np.zeros(n, bool)
    for i in range(1, n):
        bw, bh, area = stats[i, cv2.CC_STAT_WIDTH], stats[i, cv2.CC_STAT_HEIGHT], stats[i, cv2.CC_STAT_AREA]
        frame = in_border[i] >= 0.8 * area and (bw >= 0.5 * w or bh >= 0.5 * h)
        keep[i] = max(bw, bh) >= 4 * t and area >= 3 * t * t and peak[i] >= 0.55 * t / 2 and not frame
    mask = keep[labels]
    return mask, {"threshold": round(thresh, 1), "thicknessPx": round(t, 2), "blobsRemoved": int(blobs.any())}


def mask_polygons(mask: np.ndarray, epsilon: float = 1.0) -> list[tuple[np.ndarray, list[np.ndarray]]]:
    """Outer rings with their holes, (n, 2) pixel coordinates, from a boolean mask."""
    contours, hier = cv2.findContours(mask.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hier is None:
        return []
    hier = hier[0]
    out = []
    for i, c in enumerate(contours):
        if hier[i][3] != -1:
            continue
        ring = cv2.approxPolyDP(c, epsilon, True).reshape(-1, 2).astype(np.float64)
        if len(ring) < 3:
            continue
        holes = []
        j = hier[i][2]
        while j != -1:
            hole = cv2.approxPolyDP(contours[j], epsilon, True).reshape(-1, 2).astype(np.float64)
            if len(hole) >= 3:
                holes.append(hole)
            j = hier[j][0]
        out.append((ring, holes))
    return out


def _thickness(dt: np.ndarray, ridge: np.ndarray, k: int) -> float:
    """Typical wall thickness (px): the area-weighted median of the ridge's distance values.

    Weighting by distance² lets the few thick walls outvote the many thin lines of a plan.
    """
    v = dt[ridge]
    if not len(v):
        return float(k)
    v = np.sort(v)
    wgt = np.cumsum(v * v)
    return float(2 * v[np.searchsorted(wgt, wgt[-1] / 2)])
