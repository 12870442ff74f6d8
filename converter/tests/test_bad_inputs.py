"""Bad inputs end in one clear, permanent error: never a hang, never a traceback on stdout."""
from __future__ import annotations

import ezdxf
import pytest

from converter.errors import (EXIT_BAD_INPUT, EXIT_MEMORY_LIMIT, EXIT_SIZE_LIMIT, EXIT_TIME_LIMIT,
                              BadDrawing, BadOptions, ConverterError, LimitExceeded, NothingToBuild)
from converter.options import merge_options
from converter.pipeline import convert
from converter.runtime.supervisor import Job, run_supervised
from plans import draw_plan


def fail(path, **options) -> ConverterError:
    with pytest.raises(ConverterError) as info:
        convert(str(path), str(path) + ".glb", merge_options(options))
    assert info.value.permanent
    return info.value


def test_missing_and_empty(tmp_path):
    assert fail(tmp_path / "nope.dxf").code == "unreadable"
    (tmp_path / "empty.dxf").write_bytes(b"")
    assert fail(tmp_path / "empty.dxf").code == "empty_file"


@pytest.mark.parametrize("payload", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
    b"hello, this is not a drawing\n" * 50,
    bytes(range(256)) * 20,
    b"AC1027\x00\x00\x00\x00 fake DWG",
])
def test_not_a_dxf(tmp_path, payload):
    path = tmp_path / "garbage.dxf"
    path.write_bytes(payload)
    assert fail(path).code == "not_dxf"


def test_garbage_after_section_header(tmp_path):
    path = tmp_path / "g.dxf"
    path.write_text("0\nSECTION\n2\nENTITIES\n0\nLINE\n10\nnot-a-number\n" + "x\n" * 1000)
    err = fail(path)
    assert err.code in ("unreadable", "nothing_to_build", "truncated")


def test_truncated(tmp_path):
    src = tmp_path / "plan.dxf"
    draw_plan(str(src))
    data = src.read_bytes()
    cut = tmp_path / "cut.dxf"
    cut.write_bytes(data[: len(data) // 3])
    assert fail(cut).code in ("truncated", "unreadable")
    # Nearly complete: converts, and says it was truncated.
    cut.write_bytes(data[: int(len(data) * 0.97)])
    result = convert(str(cut), str(tmp_path / "cut.glb"), merge_options(None))
    assert any("truncated" in w for w in result["warnings"])


def test_damaged_is_recovered_and_reported(tmp_path):
    src = tmp_path / "plan.dxf"
    draw_plan(str(src), version="R2000")
    text = src.read_text()
    i = text.index("\n 10\n", text.index("ENTITIES"))
    j = text.index("\n", i + 5)
    (tmp_path / "dmg.dxf").write_text(text[:i] + "\n 10\n1.0.0" + text[j:])
    report = tmp_path / "dmg.json"
    result = convert(str(tmp_path / "dmg.dxf"), str(tmp_path / "dmg.glb"), merge_options(None), None, str(report))
    assert result["stats"]["recovered"]
    assert "fixes" in report.read_text()


def test_recursive_blocks(tmp_path):
    doc = ezdxf.new()
    a, b = doc.blocks.new("A"), doc.blocks.new("B")
    a.add_line((0, 0), (1, 1))
    a.add_blockref("B", (1, 0))
    b.add_blockref("A", (0, 1))
    doc.modelspace().add_blockref("A", (0, 0))
    doc.saveas(tmp_path / "rec.dxf")
    err = fail(tmp_path / "rec.dxf")
    assert err.code == "recursive_blocks" and "A → B → A" in err.message


def test_absurd_coordinates(tmp_path):
    doc = ezdxf.new()
    doc.header["$INSUNITS"] = 6
    doc.modelspace().add_line((0, 0), (1e12, 0))
    doc.saveas(tmp_path / "far.dxf")
    assert fail(tmp_path / "far.dxf").code == "absurd_coordinates"


def test_nothing_to_build(tmp_path):
    doc = ezdxf.new()
    doc.saveas(tmp_path / "blank.dxf")
    err = fail(tmp_path / "blank.dxf")
    assert isinstance(err, NothingToBuild) and "nothing to build" in err.message
    doc.modelspace().add_text("only words")
    doc.modelspace().add_linear_dim(base=(0, -1), p1=(0, 0), p2=(10, 0)).render()
    doc.saveas(tmp_path / "text.dxf")
    assert fail(tmp_path / "text.dxf").code == "nothing_to_build"


def test_entity_and_vertex_caps(tmp_path):
    src = tmp_path / "plan.dxf"
    draw_plan(str(src))
    err = fail(src, maxEntities=10)
    assert isinstance(err, LimitExceeded) and err.code == "entity_limit" and err.exit_code == EXIT_SIZE_LIMIT
    assert fail(src, maxVertices=50).code == "vertex_limit"


@pytest.mark.parametrize("raw, needle", [
    ({"units": "furlong"}, "units"),
    ({"wallHeight": -1}, "wallHeight"),
    ({"wallHeight": "tall"}, "wallHeight"),
    ({"layerMapping": {"A-*": "roof"}}, "category"),
    ({"maxEntities": 1.5}, "maxEntities"),
    ({"bogus": 1}, "unknown option"),
    ([1, 2], "object"),
])
def test_bad_options(raw, needle):
    with pytest.raises(BadOptions) as info:
        merge_options(raw)
    assert needle in info.value.message and info.value.exit_code == EXIT_BAD_INPUT


def _big_plan(tmp_path, n=60_000):
    doc = ezdxf.new()
    doc.header["$INSUNITS"] = 6
    msp = doc.modelspace()
    for k in range(n):
        msp.add_line((k * 0.01, 0), (k * 0.01, 1), dxfattribs={"layer": "A-WALL"})
    path = tmp_path / "big.dxf"
    doc.saveas(path)
    return path


def test_time_limit_is_enforced(tmp_path):
    path = _big_plan(tmp_path)
    seen = []
    code = run_supervised(Job(str(path), str(tmp_path / "o.glb"), merge_options({"timeoutSeconds": 0.3})),
                          seen.append)
    assert code == EXIT_TIME_LIMIT
    assert seen[-1]["type"] == "error" and seen[-1]["code"] == "time_limit" and seen[-1]["permanent"]


def test_memory_limit_is_enforced(tmp_path):
    path = _big_plan(tmp_path, 20_000)
    seen = []
    code = run_supervised(Job(str(path), str(tmp_path / "o.glb"), merge_options({"memoryMb": 40})), seen.append)
    assert code == EXIT_MEMORY_LIMIT
    assert seen[-1]["code"] == "memory_limit" and seen[-1]["permanent"]


def test_errors_are_typed():
    assert BadDrawing("x").exit_code == EXIT_BAD_INPUT and BadDrawing("x").permanent
