"""The numpy fast path (LINE, ARC, CIRCLE, TEXT, INSERT, DIMENSION blocks) must give the same plan as ezdxf alone."""
from __future__ import annotations

import hashlib

import ezdxf
import numpy as np
import pytest

from converter.options import OPTIONS_DEFAULTS
from converter.read.dxf import load, read_dxf


def _fingerprint(plan) -> str:
    h = hashlib.sha1()
    for p in plan.paths:
        h.update(repr((p.kind, p.layer, p.group, p.block, p.closed, p.width, p.arc)).encode())
        h.update(np.ascontiguousarray(p.points).tobytes())
    for t in plan.texts:
        h.update(repr((t.text, t.layer, t.height, t.kind, t.group, t.block)).encode())
        h.update(np.ascontiguousarray(t.position).tobytes())
    for g in plan.groups.values():
        h.update(repr(g).encode())
    h.update(repr(sorted(plan.entity_counts.items()) + sorted(plan.skipped.items())).encode())
    return h.hexdigest()


def _drawing(path: str) -> None:
    doc = ezdxf.new("R2010")
    doc.layers.add("HIDDEN").off()
    door = doc.blocks.new("DOOR", base_point=(5, 2))
    door.add_line((0, 0), (900, 0))
    door.add_arc((0, 0), 900, 0, 90)
    door.add_text("D", dxfattribs={"layer": "0"})
    outer = doc.blocks.new("OUTER")
    outer.add_blockref("DOOR", (100, 0), dxfattribs={"rotation": 90})
    tag = doc.blocks.new("TAGGED")
    tag.add_attdef("NAME", (0, 0))
    tag.add_line((0, 0), (10, 10))
    msp = doc.modelspace()
    for k in range(700):  # over the fast path's size threshold
        x = k * 1000.0
        msp.add_line((x, 0), (x + 500, 0), dxfattribs={"layer": "WALL"})
        msp.add_arc((x, 50), 30 + k % 7, k % 360, (k * 7) % 360, dxfattribs={"layer": "A"})
        msp.add_circle((x, 90), 12.5)
        msp.add_text(f"Room {k} %%c", dxfattribs={"height": 2.5, "layer": "TXT"})
        t = msp.add_text("aligned", dxfattribs={"height": 1.0})
        t.set_placement((x, 5), (x + 50, 5), align=ezdxf.enums.TextEntityAlignment.ALIGNED)
        msp.add_mtext(f"{{\\fArial|b1;Bed}}room {k}\\P2nd line" if k % 2 else f"Hall {k}",
                      dxfattribs={"char_height": 2.5, "insert": (x, 300), "rotation": k % 90, "layer": "TXT"})
        msp.add_blockref("DOOR", (x, 200), dxfattribs={"rotation": k * 13.0, "xscale": -1 if k % 3 else 2})
        msp.add_blockref("OUTER", (x, 400), dxfattribs={"layer": "HIDDEN" if k % 5 == 0 else "D"})
        if k % 7 == 0:
            msp.add_linear_dim(base=(x, -100), p1=(x, -50), p2=(x + 400, -50),
                               dxfattribs={"layer": "DIMS"}).render()
        if k % 50 == 0:
            msp.add_arc((x, 0), 5, 0, 180, dxfattribs={"extrusion": (0, 0, -1)})
            msp.add_text("Küche", dxfattribs={"height": 3})
            msp.add_mtext("Long " * 80, dxfattribs={"insert": (x, 7)})  # > 250 chars: chunks, left to ezdxf
            msp.add_mtext("Wohnzimmer \\U+00FC", dxfattribs={"insert": (x, 8)})
            msp.add_blockref("DOOR", (x, 0)).grid(size=(2, 2), spacing=(10, 10))
            msp.add_blockref("TAGGED", (x, 9)).add_auto_attribs({"NAME": "n"})
            msp.add_blockref("MISSING", (x, 9))
            msp.add_circle((x, 0), 3, dxfattribs={"layer": "HIDDEN"})
    doc.saveas(path)


@pytest.fixture(scope="module")
def big_dxf(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("fast") / "fast.dxf")
    _drawing(path)
    return path


def test_fast_path_matches_ezdxf(big_dxf: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_plan = read_dxf(big_dxf, OPTIONS_DEFAULTS)
    loaded = load.load_document(big_dxf)
    assert loaded.fast_lines is not None and loaded.fast_lines.others is not None
    kinds = set(loaded.fast_lines.others.kinds)
    assert kinds == {"ARC", "CIRCLE", "TEXT", "MTEXT", "INSERT", "DIMENSION"}
    assert loaded.dim_parts
    monkeypatch.setattr(load, "_load_fast", lambda path: None)
    slow_plan = read_dxf(big_dxf, OPTIONS_DEFAULTS)
    # The slow path has no fast LINEs at the end: compare LINE-free parts and the LINEs separately.
    assert len(fast_plan.paths) == len(slow_plan.paths)
    assert _fingerprint(fast_plan) == _fingerprint(_lines_last(slow_plan))


def _lines_last(plan):
    """The fast path appends model-space LINEs after everything else; do the same to ``plan``."""
    top = [p for p in plan.paths if p.kind == "LINE" and p.group == 0]
    plan.paths = [p for p in plan.paths if not (p.kind == "LINE" and p.group == 0)] + top
    return plan


def test_section_tokenised_in_halves_gives_the_same_plan(big_dxf: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Big sections are cut at an entity start and tokenised on two cores; the plan must not change."""
    from converter.read.dxf.bulk import lines as fastlines

    monkeypatch.setattr(fastlines, "_PARALLEL_BYTES", 10**12)
    whole = read_dxf(big_dxf, OPTIONS_DEFAULTS)
    calls = []
    halves = fastlines._split_in_halves
    monkeypatch.setattr(fastlines, "_PARALLEL_BYTES", 1000)
    monkeypatch.setattr(fastlines, "worker_count", lambda: 2)
    monkeypatch.setattr(fastlines, "_split_in_halves", lambda *a: calls.append(1) or halves(*a))
    split = read_dxf(big_dxf, OPTIONS_DEFAULTS)
    assert calls
    assert _fingerprint(split) == _fingerprint(whole)
