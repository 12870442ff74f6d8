"""Shared fixtures: the glTF validator (node) and a converter runner."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VALIDATE = ROOT / "scripts" / "validate_glb.mjs"
VALIDATOR_DIR = ROOT.parent / "node_modules" / "gltf-validator"
CORPUS = ROOT.parent.parent / "shared" / "corpus" / "dxf"

sys.path.insert(0, str(HERE))


def validate_glbs(paths: list[Path]) -> list[dict]:
    """Khronos glTF-Validator reports for ``paths``; skips the test when it is not installed."""
    node = shutil.which("node")
    if node is None or not VALIDATOR_DIR.is_dir():
        pytest.skip("gltf-validator not installed: run `npm install` at the repository root (needs node)")
    proc = subprocess.run([node, str(VALIDATE), *map(str, paths)], capture_output=True, text=True, timeout=120)
    reports = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert len(reports) == len(paths), proc.stderr
    return reports


def assert_valid(*paths: Path) -> None:
    for report in validate_glbs(list(paths)):
        errors = [m for m in report["messages"] if m["severity"] == 0]
        assert report["numErrors"] == 0, (report["file"], errors[:5])


def run_cli(*args: str, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", "converter", *args], input=stdin, capture_output=True,
                          text=True, timeout=timeout, env=env)


def events(stdout: str) -> list[dict]:
    """Every stdout line must be a JSON object: the protocol allows nothing else."""
    out = []
    for line in stdout.splitlines():
        assert line.strip(), "blank line on stdout"
        ev = json.loads(line)
        assert isinstance(ev, dict) and "type" in ev
        out.append(ev)
    return out
