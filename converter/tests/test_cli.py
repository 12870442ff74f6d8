"""The process contract: JSON lines on stdout, distinct exit codes, a warm server that survives."""
from __future__ import annotations

import json

import ezdxf

from conftest import assert_valid, events, run_cli
from plans import draw_plan


def test_cli_success_report_and_events(tmp_path):
    src, out, report = tmp_path / "p.dxf", tmp_path / "p.glb", tmp_path / "p.json"
    draw_plan(str(src))
    proc = run_cli(str(src), "-o", str(out), "--report", str(report), "--options", '{"wallHeight": 3}')
    assert proc.returncode == 0, proc.stderr
    evs = events(proc.stdout)
    assert evs[-1]["type"] == "result" and evs[-1]["ok"] is True
    assert {"doors", "windows", "rooms", "walls", "entities", "skipped", "vertices"} <= set(evs[-1]["stats"])
    progress = [e for e in evs if e["type"] == "progress"]
    assert progress and all({"stage", "percent", "message"} <= set(e) for e in progress)
    assert [e["percent"] for e in progress] == sorted(e["percent"] for e in progress)
    assert json.loads(report.read_text())["ok"] is True
    assert_valid(out)


def test_cli_exit_codes(tmp_path):
    (tmp_path / "junk.dxf").write_text("not a drawing")
    proc = run_cli(str(tmp_path / "junk.dxf"), "-o", str(tmp_path / "o.glb"))
    assert proc.returncode == 2
    evs = events(proc.stdout)
    ev = evs[-1]
    assert [e["type"] for e in evs].count("error") == 1
    assert ev == {"type": "error", "code": "not_dxf", "message": ev["message"], "permanent": True}
    assert "Traceback" not in proc.stdout
    proc = run_cli(str(tmp_path / "junk.dxf"))  # missing -o
    assert proc.returncode == 2 and events(proc.stdout)[0]["code"] == "bad_usage"
    proc = run_cli(str(tmp_path / "junk.dxf"), "-o", "x.glb", "--options", "{bad json")
    assert proc.returncode == 2 and events(proc.stdout)[0]["code"] == "bad_options"


def test_serve_many_jobs_and_survives_bad_ones(tmp_path):
    src = tmp_path / "p.dxf"
    draw_plan(str(src))
    big = ezdxf.new()
    for k in range(40_000):
        big.modelspace().add_line((k * 0.01, 0), (k * 0.01, 1), dxfattribs={"layer": "A-WALL"})
    big.saveas(tmp_path / "big.dxf")
    (tmp_path / "junk.dxf").write_text("junk")
    jobs = [
        {"id": "a", "input": str(src), "output": str(tmp_path / "a.glb")},
        "this is not json",
        {"id": "b", "input": str(tmp_path / "junk.dxf"), "output": str(tmp_path / "b.glb")},
        {"id": "c", "input": str(tmp_path / "big.dxf"), "output": str(tmp_path / "c.glb"),
         "options": {"timeoutSeconds": 0.2}},
        {"id": "d", "output": "x.glb"},
        {"id": "e", "input": str(src), "output": str(tmp_path / "e.glb"), "options": {"units": "parsec"}},
        {"id": 7, "input": str(src), "output": str(tmp_path / "f.glb"), "report": str(tmp_path / "f.json")},
    ]
    stdin = "\n".join(j if isinstance(j, str) else json.dumps(j) for j in jobs) + "\n"
    proc = run_cli("serve", stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    evs = events(proc.stdout)
    assert evs[0]["type"] == "ready"
    final = {e["id"]: e for e in evs[1:] if e["type"] in ("result", "error")}
    assert all("id" in e for e in evs[1:])
    assert final["a"]["type"] == "result" and final[7]["type"] == "result"
    assert final["b"]["code"] == "not_dxf"
    assert final["c"]["code"] == "time_limit" and final["c"]["permanent"]
    assert final["d"]["code"] == "bad_job"
    assert final["e"]["code"] == "bad_options"
    assert final[None]["code"] == "bad_job"  # the unparsable line
    assert (tmp_path / "f.json").exists()
    assert_valid(tmp_path / "a.glb")
