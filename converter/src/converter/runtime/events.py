"""JSON-lines events on stdout: one object per line, flushed at once.

Why a dedicated writer: stdout is the protocol. Everything else (logs, warnings of libraries)
goes to stderr, and every line is valid UTF-8 JSON even for Korean or Japanese layer names.
"""
from __future__ import annotations

import json
import sys
from typing import IO, Any

__all__ = ["EventWriter", "encode_event"]


def encode_event(event: dict, job_id: Any = None, tag: bool = False) -> str:
    if tag:
        event = {"id": job_id, **event}
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"), default=_default)


def _default(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


class EventWriter:
    """Writes events to ``stream`` (stdout by default), tagging them with a job id in serve mode."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout

    def write(self, event: dict, job_id: Any = None, tag: bool = False) -> None:
        self.stream.write(encode_event(event, job_id, tag) + "\n")
        self.stream.flush()
