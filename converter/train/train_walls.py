"""Train a small U-Net wall segmenter on the synthetic pages (to measure against image processing).

    YOLO_OFFLINE=1 nice -n 15 converter/bench-out/train-venv/bin/python converter/train/train_walls.py \
        [--out converter/bench-out/walls] [--train 1200] [--minutes 30] [--device cpu|cuda]

Why a U-Net and not ultralytics' segmentation: walls are 2–10 px thick and YOLO masks come from
1/4-resolution prototypes (``measure_walls.py`` measures that ceiling); a fully convolutional
U-Net predicts every pixel and runs on any page size. Writes ``<out>/walls.onnx`` (dynamic size,
input RGB 0–1, output wall logits) and ``<out>/walls.json`` (data, epochs, val IoU).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from synth import render_sample  # noqa: E402

VAL_SEED0 = 1_000_000


def make_model():
    import torch
    from torch import nn

    def block(i, o):
        return nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(inplace=True),
                             nn.Conv2d(o, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(inplace=True))

    class UNet(nn.Module):
        def __init__(self, c=(12, 24, 48, 64)):
            super().__init__()
            self.e = nn.ModuleList([block(3, c[0]), block(c[0], c[1]), block(c[1], c[2]), block(c[2], c[3])])
            self.u = nn.ModuleList([nn.ConvTranspose2d(c[k + 1], c[k], 2, stride=2) for k in range(3)])
            self.d = nn.ModuleList([block(2 * c[k], c[k]) for k in range(3)])
            self.head = nn.Conv2d(c[0], 1, 1)
            self.pool = nn.MaxPool2d(2)

        def forward(self, x):
            skips = []
            for k, enc in enumerate(self.e):
                x = enc(x if k == 0 else self.pool(x))
                skips.append(x)
            for k in (2, 1, 0):
                x = self.d[k](torch.cat([self.u[k](x), skips[k]], 1))
            return self.head(x)

    return UNet()


def render_set(seeds, size):
    xs, ys = [], []
    for s in seeds:
        img, _, m = render_sample(np.random.default_rng(s), size)
        xs.append(np.asarray(img))
        ys.append(m)
    return np.stack(xs), np.stack(ys)


def main() -> None:
    import torch

    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "..", "bench-out", "walls"))
    ap.add_argument("--train", type=int, default=1200)
    ap.add_argument("--val", type=int, default=80)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--crop", type=int, default=128)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(2)
    t0 = time.time()
    X, Y = render_set(range(a.train), a.size)
    VX, VY = render_set(range(VAL_SEED0, VAL_SEED0 + a.val), a.size)
    print(f"data {len(X)} + {len(VX)} pages in {time.time() - t0:.0f} s", flush=True)
    dev = torch.device(a.device)
    model = make_model().to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    pos = float(Y.mean())
    bce = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((1 - pos) / max(pos, 1e-3) ** 0.5 / 3, device=dev))

    def tens(x):
        return torch.from_numpy(x).permute(0, 3, 1, 2).float().div(255).to(dev)

    deadline = time.time() + a.minutes * 60
    rng = np.random.default_rng(0)
    epoch = 0
    steps_per_epoch = len(X) // a.batch
    t_train = time.time()
    while time.time() < deadline:
        model.train()
        order = rng.permutation(len(X))
        for k in range(steps_per_epoch):
            idx = order[k * a.batch:(k + 1) * a.batch]
            cy, cx = rng.integers(0, a.size - a.crop + 1, 2)  # random crops: 4× more steps per minute
            x, y = X[idx, cy:cy + a.crop, cx:cx + a.crop], Y[idx, cy:cy + a.crop, cx:cx + a.crop]
            if rng.random() < 0.5:
                x, y = x[:, :, ::-1], y[:, :, ::-1]
            if rng.random() < 0.5:
                x, y = x.transpose(0, 2, 1, 3), y.transpose(0, 2, 1)
            xt, yt = tens(np.ascontiguousarray(x)), torch.from_numpy(np.ascontiguousarray(y)).float()[:, None].to(dev)
            logits = model(xt)
            p = torch.sigmoid(logits)
            dice = 1 - (2 * (p * yt).sum() + 1) / (p.sum() + yt.sum() + 1)
            loss = bce(logits, yt) + dice
            opt.zero_grad()
            loss.backward()
            opt.step()
            if time.time() > deadline:
                break
        epoch += 1
        model.eval()
        with torch.no_grad():
            pv = torch.cat([model(tens(VX[i:i + 16])) for i in range(0, len(VX), 16)]).cpu().numpy()[:, 0] > 0
        ious = [float((pv[i] & VY[i]).sum() / max((pv[i] | VY[i]).sum(), 1)) for i in range(len(VX))]
        print(f"epoch {epoch}: loss {loss.item():.3f} val wall IoU mean {np.mean(ious):.3f} "
              f"({time.time() - t_train:.0f} s)", flush=True)
    model.eval().cpu()
    torch.onnx.export(model, torch.zeros(1, 3, 256, 256), os.path.join(a.out, "walls.onnx"), input_names=["images"],
                      output_names=["walls"], dynamic_axes={"images": {0: "b", 2: "h", 3: "w"}, "walls": {0: "b", 2: "h", 3: "w"}},
                      opset_version=17, dynamo=False)
    note = {"model": "U-Net 12-24-48-64", "train": a.train, "val": a.val, "size": a.size, "epochs": epoch,
            "trainSeconds": round(time.time() - t_train), "valWallIoU": round(float(np.mean(ious)), 4)}
    json.dump(note, open(os.path.join(a.out, "walls.json"), "w"), indent=1)
    print(json.dumps(note))


if __name__ == "__main__":
    main()
