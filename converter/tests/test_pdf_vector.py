"""Vector PDFs of the synthetic test plan → the same building as its DXF (walls, openings, rooms)."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import shapely

pytest.importorskip("pymupdf")

from pdf_plans import align_iou, draw_pdf  # noqa: E402
from plans import DOOR_GAPS, WINDOW_GAPS, solid_walls  # noqa: E402

from converter.classify import classify_plan  # noqa: E402
from converter.normalise import check_extent, normalise_units  # noqa: E402
from converter.options import merge_options  # noqa: E402
from converter.read.pdf import read_pdf  # noqa: E402


def classify_pdf(path, **options):
    opts = merge_options(options)
    plan = read_pdf(str(path), opts)
    normalise_units(plan, "m")
    check_extent(plan)
    return plan, classify_plan(plan, opts)


def opening_f1(b, kind: str, truth_boxes, shift) -> float:
    """F1 of found openings against the truth gaps, matched by centre within 0.3 m."""
    found = [o.plug.centroid for o in b.openings if o.kind == kind and o.hosted]
    truth = [g.centroid for g in truth_boxes]
    used, tp = set(), 0
    for p in found:
        best = min(((np.hypot(p.x + shift[0] - t.x, p.y + shift[1] - t.y), k) for k, t in enumerate(truth)
                    if k not in used), default=(9e9, -1))
        if best[0] <= 0.3:
            used.add(best[1])
            tp += 1
    if not found or not tp:
        return 0.0
    prec, rec = tp / len(found), tp / len(truth)
    return 2 * prec * rec / (prec + rec)


def score(b, t) -> dict:
    walls = solid_walls(b)
    shift = (t.walls.bounds[0] - walls.bounds[0], t.walls.bounds[1] - walls.bounds[1])
    rooms = {r.name: r.area for r in b.rooms}
    return {"iou": align_iou(walls, t.walls), "doorF1": opening_f1(b, "door", DOOR_GAPS, shift),
            "windowF1": opening_f1(b, "window", WINDOW_GAPS, shift), "rooms": rooms}


@pytest.mark.parametrize("wall_style", ["hatch", "lines"])
def test_vector_pdf_with_layers_matches_the_truth(tmp_path, wall_style):
    pdf = tmp_path / "plan.pdf"
    t = draw_pdf(str(pdf), str(tmp_path), wall_style=wall_style)
    plan, b = classify_pdf(pdf)
    s = score(b, t)
    assert s["iou"] >= 0.90, s
    assert s["doorF1"] >= 0.90 and s["windowF1"] >= 0.90, s
    assert set(s["rooms"]) == set(t.rooms), s
    for name, area in t.rooms.items():
        assert s["rooms"][name] == pytest.approx(area, rel=0.03)
    page = plan.source["pages"][0]
    assert page["path"] == "vector" and page["scale"] == "1:100" and "scale note" in page["scaleSource"]
    assert page["droppedAsTitleOrFrame"] >= 1 and page["titleBlocks"]


def test_vector_pdf_without_layers_walls_by_stroke_weight_windows_by_lines_doors_by_swings(tmp_path):
    pdf = tmp_path / "plan.pdf"
    t = draw_pdf(str(pdf), str(tmp_path), wall_style="lines", layers=False)
    plan, b = classify_pdf(pdf)
    s = score(b, t)
    page = plan.source["pages"][0]
    assert page["heavyStrokeMm"] is not None and page["windowsByLines"] == 4
    assert s["iou"] >= 0.90, s
    assert s["doorF1"] >= 0.90 and s["windowF1"] >= 0.90, s
    assert set(s["rooms"]) == set(t.rooms), s


def test_scale_sources_in_order(tmp_path):
    pdf = tmp_path / "plan.pdf"
    draw_pdf(str(pdf), str(tmp_path), denom=50, scale_note=False)
    plan, b = classify_pdf(pdf)
    src = plan.source["pages"][0]["scaleSource"]
    assert plan.source["pages"][0]["scale"] == "1:50", src  # from the door swings (0.9 m)
    assert "door swings" in src
    plan, _ = classify_pdf(pdf, scale="1:25")
    assert plan.source["pages"][0]["scale"] == "1:25" and plan.source["pages"][0]["scaleSource"] == "the scale option"


def test_pages_become_floors_side_by_side_and_can_be_selected(tmp_path):
    pdf = tmp_path / "plan.pdf"
    draw_pdf(str(pdf), str(tmp_path), pages=2)
    plan, b = classify_pdf(pdf)
    assert [p["page"] for p in plan.source["pages"]] == [1, 2]
    assert sum(o.kind == "door" for o in b.openings) == 6 and len(b.rooms) == 4
    assert {layer.split("|")[0] for layer in b.walls} == {"page 1", "page 2"}
    plan, b = classify_pdf(pdf, pages="2")
    assert [p["page"] for p in plan.source["pages"]] == [2]
    assert sum(o.kind == "door" for o in b.openings) == 3


def test_cli_converts_a_pdf_with_the_usual_events(tmp_path):
    pdf = tmp_path / "plan.pdf"
    draw_pdf(str(pdf), str(tmp_path))
    out, rep = tmp_path / "plan.glb", tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-m", "converter", str(pdf), "-o", str(out), "--report", str(rep)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert events[-1]["type"] == "result" and events[-1]["stats"]["format"] == "pdf"
    assert events[-1]["stats"]["doors"] == 3 and events[-1]["stats"]["windows"] == 4
    report = json.loads(rep.read_text())
    assert report["source"]["pages"][0]["scale"] == "1:100"
    assert out.stat().st_size > 1000


def test_each_page_is_a_floor_in_the_glb_kiosks_can_show_alone(tmp_path):
    """Two pages: the GLB lists two floors; every per-page node and every room says its floor."""
    import pygltflib

    from converter.pipeline import convert

    pdf = tmp_path / "plan.pdf"
    draw_pdf(str(pdf), str(tmp_path), pages=2)
    out = tmp_path / "plan.glb"
    convert(str(pdf), str(out), merge_options({}))
    gltf = pygltflib.GLTF2().load(str(out))
    root = next(n for n in gltf.nodes if n.name == "building")
    assert root.extras["floors"] == [{"index": 0, "name": "page 1"}, {"index": 1, "name": "page 2"}]
    marked = {n.name: n.extras["floor"] for n in gltf.nodes if isinstance(n.extras, dict) and "floor" in n.extras}
    assert {v for k, v in marked.items() if k.startswith("walls: page 1")} == {0}
    assert {v for k, v in marked.items() if k.startswith("walls: page 2")} == {1}
    rooms = [n.extras["floor"] for n in gltf.nodes if n.name.startswith("room: ")]
    assert sorted(rooms) == [0, 0, 1, 1]
