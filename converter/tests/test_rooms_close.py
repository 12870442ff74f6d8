"""Rooms close across every opening, single-line and MLINE walls, names past furniture, units that lie.

The plans come from ``bench/evalset.py`` (the generated evaluation set, exact truth); the scorer
of ``bench/score.py`` matches rooms by polygon IoU, name and area.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from evalset import WALL_STYLES, draw, spec_of  # noqa: E402
from score import convert, match_rooms, solid_walls  # noqa: E402


def _seed(style: str, start: int = 0) -> int:
    return next(s for s in range(start, start + 500) if spec_of(s).wall_style == style)


def _score(tmp_path, seed: int) -> tuple[float, float, object, object]:
    path = str(tmp_path / f"plan{seed}.dxf")
    _, truth = draw(seed, path)
    b, _, _ = convert(path)
    m = match_rooms(truth.rooms, [(r.name, r.polygon, r.area) for r in b.rooms])
    exact = sum(e for _, _, e, _ in m) / len(truth.rooms)
    solid = solid_walls(b)
    iou = solid.intersection(truth.walls).area / solid.union(truth.walls).area
    return exact, iou, b, truth


@pytest.mark.parametrize("style", WALL_STYLES)
def test_rooms_named_with_their_area_in_every_wall_style(tmp_path, style):
    exact, iou, b, truth = _score(tmp_path, _seed(style))
    assert exact >= 0.8, (style, exact)
    assert iou >= 0.9, (style, iou)
    assert sum(o.kind == "window" for o in b.openings) == truth.windows


def test_single_line_walls_get_thickness_rooms_reach_the_centre_lines(tmp_path):
    exact, iou, b, truth = _score(tmp_path, _seed("single"))
    assert b.stats.get("wallsBySingleLines", 0) > 0
    assert any("single lines" in w for w in b.warnings)
    assert exact >= 0.8 and iou >= 0.9


def test_mline_walls_are_walls(tmp_path):
    exact, iou, b, _ = _score(tmp_path, _seed("mline"))
    assert any(pc.source == "polyline-width" for pc in b.pieces)
    assert exact >= 0.9 and iou >= 0.97


def test_passages_and_symbols_beside_their_gap_still_split_rooms(tmp_path):
    """Plans with doorless passages and centre-hinged door blocks: every room found on its own."""
    seeds = [s for s in range(0, 60) if {"passage", "hinge_centre"} <= set(spec_of(s).door_styles)
             and spec_of(s).wall_style in ("lines", "polylines", "outline_hatch")][:2]
    for seed in seeds:
        exact, _, _, _ = _score(tmp_path, seed)
        assert exact >= 0.9, (seed, exact)


def test_names_skip_furniture_texts_and_person_names(tmp_path):
    seed = next(s for s in range(200) if spec_of(s).furniture and spec_of(s).people
                and spec_of(s).wall_style == "lines")
    _, _, b, truth = _score(tmp_path, seed)
    names = {r.name for r in b.rooms}
    assert "Table" not in names
    assert names >= {n for n, _ in truth.rooms} - {""} or len(names & {n for n, _ in truth.rooms}) >= 0.9 * len(truth.rooms)


def test_header_units_that_lie_are_corrected(tmp_path):
    seed = next(s for s in range(200) if spec_of(s).unit != spec_of(s).header and spec_of(s).wall_style != "single")
    exact, iou, _, _ = _score(tmp_path, seed)
    assert iou >= 0.9 and exact >= 0.8
