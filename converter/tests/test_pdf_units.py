"""Small pieces of the PDF reader on tiny inputs: scale notes, pages, stroke weights, title blocks, serve."""
from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("pymupdf")

from conftest import run_cli  # noqa: E402
from converter.errors import BadDrawing, BadOptions  # noqa: E402
from converter.options import merge_options  # noqa: E402
from converter.read.pdf import select_pages  # noqa: E402
from converter.read.pdf.page import Line, Stroke, heavy_width  # noqa: E402
from converter.read.pdf.scale import parse_scale, scale_from_doors, scale_from_extent, scale_from_text  # noqa: E402
from converter.read.pdf.titleblock import title_areas  # noqa: E402


@pytest.mark.parametrize("text,denom", [("1:100", 100), ("M 1:50", 50), ("Maßstab 1 : 200", 200), ("Scale 1:20", 20),
                                        ("SCALE 1/4\" = 1'-0\"", 48), ("1/8\" = 1'-0\"", 96), ("12:30", None),
                                        ("Plan 3.1:5", None), ("no scale", None)])
def test_scale_notes(text, denom):
    assert parse_scale(text) == denom


def test_scale_sources():
    assert scale_from_text(["Datum 2026", "M 1:50", "1:50"])[0] == 50
    assert scale_from_doors([9.0, 9.1, 8.9])[0] == 100  # 9 mm on paper = 0.9 m at 1:100
    assert scale_from_extent(200.0)[0] == 100  # a 200 mm drawing is about a 20 m building at 1:100


def test_page_selection():
    assert select_pages(None, 3) == [0, 1, 2]
    assert select_pages("1,3", 3) == [0, 2]
    assert select_pages([2, "1-2"], 3) == [1, 0]
    with pytest.raises(BadDrawing):
        select_pages("4", 3)
    with pytest.raises(BadOptions):
        merge_options({"pages": "one"})


def _stroke(width: float, length: float) -> Stroke:
    return Stroke(np.array([[0.0, 0.0], [length, 0.0]]), False, False, width, "", False, (0, 0, 0))


def test_heavy_width_needs_a_clearly_heavier_class():
    assert heavy_width([_stroke(0.7, 100), _stroke(0.18, 300)]) == 0.7
    assert heavy_width([_stroke(0.25, 100), _stroke(0.18, 300)]) is None  # not 1.6× heavier
    assert heavy_width([_stroke(0.18, 300)]) is None


def test_title_block_found_at_the_right_edge():
    def line(text, x, y):
        return Line(text, np.array([x, y]), 3.0, (x - 20, y - 2, x + 20, y + 2))
    lines = [line("Living", 100, 150), line("Project: house", 380, 40), line("Date: 2026", 380, 30),
             line("Scale 1:100", 380, 20), line("Drawn: AB", 380, 10)]
    areas = title_areas(lines, 420, 297)
    assert len(areas) == 1 and areas[0][0] > 300 and areas[0][3] < 60


def test_serve_converts_a_pdf_job(tmp_path):
    from pdf_plans import draw_pdf

    pdf = tmp_path / "p.pdf"
    draw_pdf(str(pdf), str(tmp_path))
    job = {"id": 7, "input": str(pdf), "output": str(tmp_path / "p.glb")}
    proc = run_cli("serve", stdin=json.dumps(job) + "\n", timeout=120)
    events = [json.loads(x) for x in proc.stdout.splitlines()]
    assert events[0]["type"] == "ready"
    assert events[-1]["type"] == "result" and events[-1]["id"] == 7 and events[-1]["stats"]["doors"] == 3
