"""Open a DXF document: sniff the format, read strictly, fall back to ezdxf's recover.

Why two readers side by side: the strict reader is fast and exact on good files; damaged files
still convert through ``ezdxf.recover`` and the report says what it fixed. Anything that is not a
DXF at all is refused up front with a clear, permanent error instead of a parser traceback.
"""
from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass, field

import ezdxf
from ezdxf import recover
from ezdxf.document import Drawing

from ...errors import BadDrawing
from .bulk.dims import DimPart, split_dim_blocks
from .bulk.lines import _MIN_BYTES as FAST_MIN_BYTES, FastLines, extract_lines

__all__ = ["LoadedDocument", "load_document", "BINARY_SENTINEL"]

BINARY_SENTINEL = b"AutoCAD Binary DXF\r\n\x1a\x00"
_DXF_START = re.compile(rb"^\s*(999\s*\r?\n|0\s*\r?\n\s*SECTION)", re.ASCII)
logging.getLogger("ezdxf").setLevel(logging.ERROR)


@dataclass
class LoadedDocument:
    doc: Drawing
    binary: bool
    recovered: bool = False
    fixes: list[str] = field(default_factory=list)
    truncated: bool = False
    fast_lines: FastLines | None = None
    dim_parts: dict[str, list[DimPart]] = field(default_factory=dict)


def load_document(path: str) -> LoadedDocument:
    """Read ``path`` as an ASCII or binary DXF.

    Raises:
        BadDrawing: missing, empty, not a DXF (DWG, garbage) or beyond recovery.
    """
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(4096)
            fh.seek(max(0, size - 64))
            tail = fh.read(64)
    except OSError as exc:
        raise BadDrawing(f"cannot open input: {exc.strerror or exc}", code="unreadable") from None
    if size == 0:
        raise BadDrawing("the file is empty (0 bytes)", code="empty_file")
    if head.startswith(BINARY_SENTINEL):
        return _load_binary(path)
    if head[:4] in (b"AC10", b"AC15", b"AC18", b"AC21", b"AC24", b"AC27", b"AC32"):
        raise BadDrawing("this is a DWG file, not DXF; export it as DXF", code="not_dxf")
    if b"\x00" in head or not _DXF_START.match(head.lstrip(b"\xef\xbb\xbf")):
        raise BadDrawing("the file is not a DXF drawing (no SECTION header)", code="not_dxf")
    truncated = not tail.rstrip().endswith(b"EOF")
    try:
        if truncated:
            raise ezdxf.DXFStructureError("missing EOF marker")
        fast = _load_fast(path)
        if fast is not None:
            return fast
        return LoadedDocument(ezdxf.readfile(path), binary=False)
    except Exception:  # noqa: BLE001 - any strict-reader failure goes to the recovering reader
        pass
    try:
        doc, auditor = recover.readfile(path)
    except Exception as exc:  # noqa: BLE001
        raise BadDrawing(f"damaged DXF beyond recovery: {_short(exc)}", code="unreadable") from None
    fixes = [f"fixed: {_short(e.message)}" for e in auditor.fixes[:50]]
    fixes += [f"error: {_short(e.message)}" for e in auditor.errors[:50]]
    extra = len(auditor.fixes) + len(auditor.errors) - len(fixes)
    if extra > 0:
        fixes.append(f"... and {extra} more")
    return LoadedDocument(doc, binary=False, recovered=True, fixes=fixes, truncated=truncated)


def _load_fast(path: str) -> LoadedDocument | None:
    """Big ASCII files: cut simple entities and dimension blocks out with numpy, let ezdxf read the rest."""
    if os.path.getsize(path) < FAST_MIN_BYTES:
        return None
    with open(path, "rb") as fh:
        data = fh.read()
    without_dims, dim_parts = split_dim_blocks(data)
    reduced, fast = extract_lines(without_dims, frozenset(dim_parts))
    del without_dims
    if dim_parts and (fast is None or {r.upper() for r in fast.kept_refs} & {n.encode().upper() for n in dim_parts}):
        dim_parts = {}  # a cut-out block is still needed by ezdxf: keep the blocks whole
        reduced, fast = extract_lines(data)
    del data
    if fast is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".dxf") as tmp:
        tmp.write(reduced)
        tmp.flush()
        del reduced
        try:
            doc = ezdxf.readfile(tmp.name)
        except Exception:  # noqa: BLE001 - let the normal path decide
            return None
    return LoadedDocument(doc, binary=False, fast_lines=fast, dim_parts=dim_parts)


def _load_binary(path: str) -> LoadedDocument:
    try:
        return LoadedDocument(ezdxf.readfile(path), binary=True)
    except Exception as exc:  # noqa: BLE001 - recover cannot read binary DXF
        raise BadDrawing(f"damaged binary DXF: {_short(exc)}", code="unreadable") from None


def _short(exc: object, limit: int = 200) -> str:
    text = str(exc).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
