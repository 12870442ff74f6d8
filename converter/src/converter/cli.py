"""Command line: ``python -m converter INPUT -o OUT.glb [--report R.json] [--options JSON]``
and ``python -m converter serve``. The contract is documented in converter/README.md."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from .errors import BadOptions, ConverterError
from .options import merge_options
from .runtime.events import EventWriter
from .runtime.supervisor import Job, run_supervised

__all__ = ["main", "parse_options"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise BadOptions(f"bad command line: {message}", code="bad_usage")


def parse_options(text: str | None):
    """Options from inline JSON or ``@file.json``; raises BadOptions with a clear message."""
    if text is None or text == "":
        return merge_options(None)
    try:
        if text.startswith("@"):
            with open(text[1:], encoding="utf-8") as fh:
                text = fh.read()
        raw = json.loads(text)
    except (OSError, json.JSONDecodeError) as exc:
        raise BadOptions(f"--options is not valid JSON: {exc}") from None
    return merge_options(raw)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    out = EventWriter()
    if args and args[0] == "serve":
        from .serve import serve
        return serve(sys.stdin, out)
    try:
        parser = _Parser(prog="python -m converter", description="DXF floor plan → architectural GLB")
        parser.add_argument("input", help="input drawing (.dxf ASCII or binary, .pdf, .png, .jpg)")
        parser.add_argument("-o", "--output", required=True, help="output .glb path")
        parser.add_argument("--report", help="write a JSON report here")
        parser.add_argument("--options", help="options as JSON, or @file.json")
        ns = parser.parse_args(args)
        opts = parse_options(ns.options)
    except ConverterError as exc:
        out.write(exc.event())
        return exc.exit_code
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    return run_supervised(Job(ns.input, ns.output, opts, ns.report), out.write)

