"""The figures of issue 10 on the held-out test plan: wall IoU, door/window F1, rooms — vector and raster.

    converter/.venv/bin/python converter/bench/bench_pdf_scores.py

Vector: the test plan (``tests/plans.py``) through ezdxf's PyMuPDF backend at 1:100 (hatched and
line-pair walls with layers; line-pair walls without layers). Raster: that page scanned at 100 dpi
(light and full degradation, PNG and JPEG, and a scanned PDF with a text layer), read with the
shipped detector (the plan is not in its training data). Scans are scored with the true
pixels per metre (walls and openings) and the scale the reader found is compared with the truth
(a few % of scale error moves far walls by more than their thickness, so IoU is scored at the
true scale).
"""
from __future__ import annotations

import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

from pdf_plans import draw_pdf, scan_pdf, scanned_pdf  # noqa: E402
from test_pdf_vector import score  # noqa: E402
from test_raster import DPI, classify_any  # noqa: E402


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, kw in (("vector, hatched walls, layers", {"wall_style": "hatch"}),
                          ("vector, line-pair walls, layers", {"wall_style": "lines"}),
                          ("vector, line-pair walls, no layers", {"wall_style": "lines", "layers": False})):
            pdf = os.path.join(tmp, "v.pdf")
            t = draw_pdf(pdf, tmp, **kw)
            plan, b = classify_any(pdf)
            rows.append({"input": label, **score(b, t), "scale": plan.source["pages"][0]["scale"]})
        pdf = os.path.join(tmp, "plan.pdf")
        t = draw_pdf(pdf, tmp, wall_style="hatch")
        for name, seed, strength in (("clean.png", 1, 0.3), ("scan.png", 7, 1.0), ("scan.jpg", 11, 1.0),
                                     ("scan2.png", 23, 1.0), ("scan3.jpg", 31, 1.0)):
            p = os.path.join(tmp, name)
            scan_pdf(pdf, p, DPI, seed=seed, strength=strength)
            true_ppm = DPI / 25.4 * 10
            plan, b = classify_any(p, pixelsPerMetre=true_ppm)
            page = plan.source["pages"][0]
            found, _ = classify_any(p)
            ppm = found.source["pages"][0]["pixelsPerMetre"]
            rows.append({"input": f"raster {name} (degrade {strength})", **score(b, t), "detections": page["counts"],
                         "scaleFound": f"{ppm:.1f} px/m from {found.source['pages'][0]['scaleSource'].split(' (')[0]} "
                                       f"({100 * (ppm / true_ppm - 1):+.1f} %)"})
        sp = os.path.join(tmp, "scanned.pdf")
        scan_pdf(pdf, os.path.join(tmp, "s.png"), DPI, seed=7)
        scanned_pdf(pdf, os.path.join(tmp, "s.png"), sp, DPI)
        plan, b = classify_any(sp)
        rows.append({"input": "scanned PDF with text layer", **score(b, t),
                     "scaleFound": plan.source["pages"][0]["scaleSource"]})
    for r in rows:
        rooms = ", ".join(f"{k or '?'} {v:.1f}" for k, v in sorted(r["rooms"].items()))
        print(f"{r['input'][:58]:58} IoU {r['iou']:.3f}  doors F1 {r['doorF1']:.2f}  windows F1 {r['windowF1']:.2f}  "
              f"rooms [{rooms}]" + (f"  scale {r['scaleFound']}" if r.get("scaleFound") else ""))
    os.makedirs(os.path.join(HERE, "..", "bench-out"), exist_ok=True)
    with open(os.path.join(HERE, "..", "bench-out", "bench_pdf_scores.json"), "w") as fh:
        json.dump(rows, fh, indent=1, default=str)


if __name__ == "__main__":
    main()
