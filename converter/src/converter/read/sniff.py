"""Pick the reader: a ``.dxf`` name is a DXF; otherwise the first bytes say PDF, PNG/JPEG, else DXF.

Why content: uploads are renamed by people and tools; the magic numbers do not lie. A name that
says DXF still goes to the DXF reader, whose ``not_dxf`` error tells the uploader what is wrong
(the agent names inputs by their file kind). DXF has no magic number of its own, so whatever is
neither PDF nor image goes to the DXF reader too.
"""
from __future__ import annotations

from typing import Callable

from ..options import Options
from ..plan.model import Plan

__all__ = ["sniff", "read_drawing"]

Progress = Callable[[float, str], None]


def sniff(path: str) -> str:
    """``pdf``, ``png``, ``jpeg`` or ``dxf``."""
    if path.lower().endswith(".dxf"):
        return "dxf"
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError:
        return "dxf"  # the DXF reader reports the OSError with its code
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if b"%PDF-" in head:
        return "pdf"
    return "dxf"


def read_drawing(path: str, options: Options, progress: Progress | None = None) -> Plan:
    kind = sniff(path)
    if kind == "pdf":
        from .pdf import read_pdf

        return read_pdf(path, options, progress)
    if kind in ("png", "jpeg"):
        from .raster import read_image

        return read_image(path, options, progress)
    from .dxf import read_dxf

    return read_dxf(path, options, progress)
