"""Warm mode: one JSON job per stdin line, events tagged with the job id on stdout.

Why: importing ezdxf, numpy and shapely costs far more than converting a small plan. The server
imports once, then forks a supervised child per job, so a crashing, hanging or memory-hungry job
ends as an error event for that job only and the server keeps serving.
"""
from __future__ import annotations

import json
from typing import IO

from . import __version__
from .errors import BadOptions, ConverterError
from .options import merge_options
from .runtime.events import EventWriter
from .runtime.supervisor import Job, run_supervised

__all__ = ["serve", "parse_job"]


def parse_job(line: str) -> tuple[object, Job]:
    """Parse and validate one job line.

    Raises:
        BadOptions: code ``bad_job`` (with the id when one could be read).
    """
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadOptions(f"job is not valid JSON: {exc}", code="bad_job") from None
    if not isinstance(raw, dict):
        raise BadOptions("job must be a JSON object", code="bad_job")
    job_id = raw.get("id")
    try:
        for key in ("input", "output"):
            if not isinstance(raw.get(key), str) or not raw[key]:
                raise BadOptions(f"job needs a string {key!r}", code="bad_job")
        report = raw.get("report")
        if report is not None and not isinstance(report, str):
            raise BadOptions("job 'report' must be a string", code="bad_job")
        opts = merge_options(raw.get("options") or {})
    except ConverterError as exc:
        exc.job_id = job_id  # type: ignore[attr-defined]
        raise
    return job_id, Job(raw["input"], raw["output"], opts, report)


def warm_up() -> None:
    """Import every stage and convert a tiny plan once, so forked jobs start hot."""
    import os
    import tempfile

    import ezdxf

    from .pipeline import convert

    with tempfile.TemporaryDirectory() as tmp:
        doc = ezdxf.new("R2010")
        msp = doc.modelspace()
        for a, b in (((0, 0), (4, 0)), ((0, 0.2), (4, 0.2))):
            msp.add_line(a, b, dxfattribs={"layer": "A-WALL"})
        msp.add_arc((1, 0.2), 0.9, 0, 90, dxfattribs={"layer": "A-DOOR"})
        msp.add_text("Room", dxfattribs={"insert": (1, 1)})
        src = os.path.join(tmp, "warm.dxf")
        doc.saveas(src)
        try:
            convert(src, os.path.join(tmp, "warm.glb"), merge_options(None))
        except ConverterError:
            pass
    # PDF and scan readers: their libraries too. The detector's and the OCR engine's ONNX sessions
    # are made in each job's child (once, on its first scan), since ONNX Runtime's thread pools do
    # not survive a fork.
    try:
        import cv2  # noqa: F401
        import onnxruntime  # noqa: F401
        import pymupdf  # noqa: F401

        from .read import pdf, raster  # noqa: F401
    except ImportError:
        pass
    try:
        import rapidocr_onnxruntime  # noqa: F401  (OCR of scans; optional)
    except ImportError:
        pass


def serve(stdin: IO[str], out: EventWriter) -> int:
    """Serve until stdin closes; always returns 0 (errors are per job)."""
    warm_up()
    out.write({"type": "ready", "version": __version__})
    for line in stdin:
        if not line.strip():
            continue
        try:
            job_id, job = parse_job(line)
        except ConverterError as exc:
            out.write(exc.event(), getattr(exc, "job_id", None), tag=True)
            continue
        try:
            run_supervised(job, lambda e, i=job_id: out.write(e, i, tag=True))
        except Exception as exc:  # noqa: BLE001 - e.g. fork failed: report, keep serving
            out.write({"type": "error", "code": "internal", "message": f"cannot start job: {exc}",
                       "permanent": False}, job_id, tag=True)
    return 0
