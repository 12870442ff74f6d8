"""Reproduce the shipped symbol detector: synthetic data → YOLOv8n from scratch → ONNX.

    python -m venv converter/bench-out/train-venv
    converter/bench-out/train-venv/bin/pip install -r converter/train/requirements.txt
    YOLO_OFFLINE=1 nice -n 15 converter/bench-out/train-venv/bin/python converter/train/train.py \
        [--out converter/bench-out/train] [--train 1600] [--val 120] [--imgsz 256] [--epochs 30] [--hours 0.85] [--device cpu|0]

Why from a model yaml: no pretrained weights can be downloaded here, and the symbols (door
swings, window ticks, stair treads) are simple enough for a nano model trained from scratch on the
synthetic renderer's pages. The script is GPU-ready (``--device 0``); on two CPU cores the
default sizes finish in under an hour. It writes ``<out>/data`` (images + YOLO labels),
``<out>/runs/...`` (ultralytics' run), and copies the ONNX export (dynamic input size) to
``src/converter/detect/symbols.onnx`` with a ``symbols.json`` note beside it (classes, image size,
data sizes, seeds, metrics).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from synth import CLASSES, render_sample  # noqa: E402

SHIP = HERE.parent / "src" / "converter" / "detect"
VAL_SEED0 = 1_000_000  # validation seeds start here; training seeds are 0 … n-1


def write_split(root: Path, split: str, seeds: range, imgsz: int) -> int:
    img_dir, lab_dir = root / "images" / split, root / "labels" / split
    img_dir.mkdir(parents=True, exist_ok=True)
    lab_dir.mkdir(parents=True, exist_ok=True)
    objects = 0
    for seed in seeds:
        stem = f"{seed:07d}"
        if (lab_dir / f"{stem}.txt").exists():
            objects += sum(1 for _ in open(lab_dir / f"{stem}.txt"))
            continue
        img, labels, _ = render_sample(np.random.default_rng(seed), imgsz)
        img.save(img_dir / f"{stem}.jpg", quality=95)
        rows = []
        for cls, x0, y0, x1, y1 in labels:
            x0, x1 = np.clip([x0, x1], 0, imgsz)
            y0, y1 = np.clip([y0, y1], 0, imgsz)
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            rows.append(f"{cls} {(x0 + x1) / 2 / imgsz:.6f} {(y0 + y1) / 2 / imgsz:.6f} "
                        f"{(x1 - x0) / imgsz:.6f} {(y1 - y0) / imgsz:.6f}")
        (lab_dir / f"{stem}.txt").write_text("\n".join(rows) + ("\n" if rows else ""))
        objects += len(rows)
    return objects


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(HERE.parent / "bench-out" / "train"))
    ap.add_argument("--train", type=int, default=1600)
    ap.add_argument("--val", type=int, default=120)
    ap.add_argument("--imgsz", type=int, default=256)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--hours", type=float, default=0.85, help="cap on training time; ultralytics fits the epochs into it (0 = run --epochs in full)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--no-ship", action="store_true", help="do not copy the ONNX into the package")
    a = ap.parse_args(argv)
    os.environ.setdefault("YOLO_OFFLINE", "1")
    root = Path(a.out).resolve()
    data = root / "data"
    t0 = time.time()
    n_train = write_split(data, "train", range(a.train), a.imgsz)
    n_val = write_split(data, "val", range(VAL_SEED0, VAL_SEED0 + a.val), a.imgsz)
    (data / "data.yaml").write_text(
        f"path: {data}\ntrain: images/train\nval: images/val\nnames:\n"
        + "".join(f"  {i}: {n}\n" for i, n in enumerate(CLASSES)))
    print(f"data: {a.train} train images ({n_train} objects), {a.val} val ({n_val}) in {time.time() - t0:.0f} s", flush=True)

    from ultralytics import YOLO  # the training extra only

    model = YOLO("yolov8n.yaml")
    t1 = time.time()
    model.train(data=str(data / "data.yaml"), imgsz=a.imgsz, epochs=a.epochs, time=a.hours or None, batch=a.batch,
                device=a.device, workers=0, plots=False, project=str(root / "runs"), name="symbols", exist_ok=True,
                seed=0, deterministic=True, flipud=0.5, fliplr=0.5, degrees=0.0, mosaic=1.0, close_mosaic=3,
                hsv_h=0.0, hsv_s=0.3, hsv_v=0.3, amp=False, patience=100, verbose=False)
    train_s = time.time() - t1
    best = Path(model.trainer.best)
    metrics = YOLO(str(best)).val(data=str(data / "data.yaml"), imgsz=a.imgsz, batch=a.batch, device=a.device,
                                  workers=0, plots=False, project=str(root / "runs"), name="val", exist_ok=True)
    per_class = {CLASSES[int(c)]: round(float(m), 4) for c, m in zip(metrics.box.ap_class_index, metrics.box.maps[metrics.box.ap_class_index])}
    onnx = YOLO(str(best)).export(format="onnx", imgsz=a.imgsz, dynamic=True, simplify=True, opset=17)
    note = {
        "model": "YOLOv8n from yolov8n.yaml (no pretrained weights)",
        "classes": CLASSES,
        "imgsz": a.imgsz,
        "train": {"images": a.train, "objects": n_train, "seeds": [0, a.train - 1]},
        "val": {"images": a.val, "objects": n_val, "seeds": [VAL_SEED0, VAL_SEED0 + a.val - 1]},
        "epochs": model.trainer.epoch + 1,
        "trainSeconds": round(train_s),
        "device": a.device,
        "metrics": {"mAP50": round(float(metrics.box.map50), 4), "mAP50-95": round(float(metrics.box.map), 4),
                    "precision": round(float(metrics.box.mp), 4), "recall": round(float(metrics.box.mr), 4),
                    "mAP50-95 per class": per_class},
        "command": "YOLO_OFFLINE=1 nice -n 15 python converter/train/train.py " + " ".join(argv or sys.argv[1:]),
    }
    print(json.dumps(note, indent=1))
    (root / "symbols.json").write_text(json.dumps(note, indent=1) + "\n")
    if not a.no_ship:
        SHIP.mkdir(parents=True, exist_ok=True)
        from shrink import shrink

        shrink(str(onnx), str(SHIP / "symbols.onnx"))  # float16 storage: ~6 MB instead of 12
        (SHIP / "symbols.json").write_text(json.dumps(note, indent=1) + "\n")
        print(f"shipped {SHIP / 'symbols.onnx'} ({os.path.getsize(SHIP / 'symbols.onnx') / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
