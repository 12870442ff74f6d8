"""The real PDFs and scans of ../shared/corpus convert, validate, and floorplan_1 scores against its truth."""
from __future__ import annotations

import os
import sys

import pytest

from conftest import CORPUS, assert_valid
from converter.options import merge_options
from converter.pipeline import convert

SHARED = CORPUS.parent
BUILDINGS = {"house-eg-allplan", "floorplan_1", "townhouse-render"}
FILES = sorted([*(SHARED / "pdf").glob("*.pdf"), *(SHARED / "raster").glob("*.png")]) if SHARED.is_dir() else []


@pytest.mark.skipif(not FILES, reason=f"corpus folders under {SHARED} are absent")
def test_corpus_pdfs_and_scans_convert_and_validate(tmp_path):
    outputs = []
    for src in FILES:
        out = tmp_path / (src.stem + ".glb")
        result = convert(str(src), str(out), merge_options(None))
        stats = result["stats"]
        assert result["ok"] and stats["walls"] + stats["lines"] > 0, src
        if src.stem in BUILDINGS:  # the others are a site plan and a stair section: lines are right
            assert stats["walls"] > 0 and stats["rooms"] > 0, (src, stats)
        outputs.append(out)
    assert_valid(*outputs)


@pytest.mark.skipif(not (SHARED / "raster" / "floorplan_1.walls.txt").exists(), reason="no floorplan_1 truth")
def test_floorplan_1_against_its_wall_truth():
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))
    from bench_pdf import score_walls_txt

    s = score_walls_txt(str(SHARED / "raster" / "floorplan_1.png"), str(SHARED / "raster" / "floorplan_1.walls.txt"))
    # The truth counts the balcony's thin outline as wall, which no wall finder of thick strokes sees.
    assert s["wallIoU"] >= 0.60 and s["openingF1"] >= 0.70, s
