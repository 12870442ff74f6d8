"""Symbol detector for scanned plans: the shipped YOLOv8n (``symbols.onnx``) run by ONNX Runtime.

Why ONNX Runtime and not ultralytics: inference needs no torch (hundreds of MB); the same file
runs on CPU everywhere and on CUDA where ``onnxruntime-gpu`` provides the CUDA provider (the
production box's T4). ``symbols.json`` beside the weights says how they were trained and what
they scored; ``converter/train/train.py`` reproduces them.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["Detection", "Detector", "detector", "WEIGHTS"]

WEIGHTS = os.path.join(os.path.dirname(__file__), "symbols.onnx")
NOTE = os.path.join(os.path.dirname(__file__), "symbols.json")


@dataclass(slots=True)
class Detection:
    kind: str  # door | window | stair
    score: float
    box: tuple[float, float, float, float]  # x0 y0 x1 y1, pixels of the image given to ``detect``


class Detector:
    """Loads the ONNX model once; ``detect`` letterboxes any image to a multiple of 32 and runs it."""

    def __init__(self, path: str = WEIGHTS, threads: int | None = None) -> None:
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.log_severity_level = 3
        if threads:
            so.intra_op_num_threads = threads
        available = ort.get_available_providers()
        providers = [p for p in ("CUDAExecutionProvider", "CPUExecutionProvider") if p in available]
        self.session = ort.InferenceSession(path, so, providers=providers)
        self.provider = self.session.get_providers()[0]
        self.input = self.session.get_inputs()[0].name
        note = json.load(open(NOTE)) if os.path.exists(NOTE) else {}
        self.classes = note.get("classes", ["door", "window", "stair"])
        self.note = note

    def detect(self, rgb: np.ndarray, conf: float = 0.25, iou: float = 0.5) -> list[Detection]:
        """Detections in ``rgb`` (h, w, 3 uint8), boxes in its pixels."""
        h, w = rgb.shape[:2]
        H, W = -(-h // 32) * 32, -(-w // 32) * 32
        x = np.full((H, W, 3), 114, dtype=np.uint8)
        x[:h, :w] = rgb
        blob = np.ascontiguousarray(x.transpose(2, 0, 1)[None], dtype=np.float32) / 255.0
        out = self.session.run(None, {self.input: blob})[0][0]  # (4 + classes, anchors)
        scores = out[4:]
        cls = scores.argmax(0)
        best = scores[cls, np.arange(scores.shape[1])]
        keep = best >= conf
        if not keep.any():
            return []
        cx, cy, bw, bh = out[:4, keep]
        boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], axis=1)
        cls, best = cls[keep], best[keep]
        found = []
        for c in np.unique(cls):
            idx = np.nonzero(cls == c)[0]
            for k in _nms(boxes[idx], best[idx], iou):
                b = boxes[idx[k]]
                found.append(Detection(self.classes[int(c)], float(best[idx[k]]),
                                       (float(max(b[0], 0)), float(max(b[1], 0)), float(min(b[2], w)), float(min(b[3], h)))))
        return found


def _nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    order = np.argsort(-scores)
    keep: list[int] = []
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    while len(order):
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        xx0 = np.maximum(boxes[i, 0], boxes[rest, 0]); yy0 = np.maximum(boxes[i, 1], boxes[rest, 1])
        xx1 = np.minimum(boxes[i, 2], boxes[rest, 2]); yy1 = np.minimum(boxes[i, 3], boxes[rest, 3])
        inter = np.clip(xx1 - xx0, 0, None) * np.clip(yy1 - yy0, 0, None)
        order = rest[inter / (area[i] + area[rest] - inter + 1e-9) < iou]
    return keep


@lru_cache(maxsize=1)
def detector() -> Detector:
    """The process-wide detector (the warm server loads it once)."""
    return Detector()
