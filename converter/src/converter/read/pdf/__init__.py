"""PDF reader: vector pages through PyMuPDF, scanned pages through the raster reader → one Plan.

Why one plan: classify/extrude/write stay the DXF pipeline's. A vector page's drawings become
paths and regions on layers the classifier understands — the optional content group's name when
it means something (``A-WALL``, ``Maße``), else a layer by style (``PDF-WALL`` for the heaviest
strokes and grey fills, ``pdf-lines`` for the rest, ``PDF-TEXT`` for text). The sheet frame,
title blocks and legends are left out. A page with (almost) no vector paths but an image is
rendered and read like a scan. Several pages become floors side by side, each on its own
``page N|…`` layers (one node per page and category in the GLB).
"""
from __future__ import annotations

from typing import Callable

from ...errors import BadDrawing, NothingToBuild
from ...options import Options
from ...plan.model import Plan
from .document import check_page, open_pdf
from .vector import vector_page

__all__ = ["read_pdf", "select_pages", "PAGE_GAP_M", "MAX_PAGES"]

Progress = Callable[[float, str], None]
PAGE_GAP_M = 5.0
#: A page with fewer drawing items than this and at least one image is read as a scan.
RASTER_MAX_ITEMS = 40
#: Without a ``pages`` option, at most this many pages become floors (a 1,000-page set is no building).
MAX_PAGES = 50


def select_pages(spec, count: int) -> list[int]:
    """0-based page indices from the ``pages`` option (1-based numbers, ``"1,3-4"`` or a list)."""
    if spec is None:
        return list(range(count))
    parts = spec if isinstance(spec, list) else str(spec).split(",")
    out: list[int] = []
    for part in parts:
        s = str(part).strip()
        if "-" in s:
            a, b = s.split("-", 1)
            lo, hi = int(a), int(b)
        else:
            lo = hi = int(s)
        for n in range(lo, hi + 1):
            if not 1 <= n <= count:
                raise BadDrawing(f"page {n} was asked for, but the PDF has {count} page(s)", code="bad_options")
            if n - 1 not in out:
                out.append(n - 1)
    return out


def read_pdf(path: str, options: Options, progress: Progress | None = None) -> Plan:
    """Read the selected pages of ``path`` into one plan in metres.

    Raises:
        BadDrawing: not a PDF, empty, encrypted, broken (codes ``not_pdf``, ``empty_file``,
            ``empty_pdf``, ``encrypted_pdf``, ``broken_pdf``).
        LimitExceeded: a huge page, an image bomb, too many drawing items.
    """
    report = progress or (lambda f, m: None)
    doc = open_pdf(path)
    try:
        pages = select_pages(getattr(options, "pages", None), doc.page_count)
        plan = Plan(unit="m")
        if len(pages) > MAX_PAGES and getattr(options, "pages", None) is None:
            plan.warnings.append(f"the PDF has {len(pages)} pages; converted the first {MAX_PAGES} "
                                 f"(use the pages option to choose)")
            pages = pages[:MAX_PAGES]
        meta = doc.metadata or {}
        plan.source = {"format": "pdf", "pageCount": doc.page_count, "producer": meta.get("producer") or None,
                       "creator": meta.get("creator") or None, "repaired": bool(getattr(doc, "is_repaired", False)),
                       "pages": []}
        if plan.source["repaired"]:
            plan.warnings.append("the PDF was damaged; MuPDF repaired its cross-reference table")
        offset = 0.0
        budget = options.maxEntities
        for k, index in enumerate(pages):
            report(k / len(pages), f"reading page {index + 1} of {doc.page_count}")
            page = check_page(doc, index)
            prefix = f"page {index + 1}|" if len(pages) > 1 else ""
            part, info = _read_page(page, options, prefix, budget)
            info.setdefault("page", index + 1)
            budget -= info.get("items", 0)
            if part.is_empty():
                plan.source["pages"].append(info)
                continue
            offset, span = _place(plan, part, offset)
            info["floorX"] = [round(span[0], 3), round(span[1], 3)]  # where this floor lies, side by side
            plan.source["pages"].append(info)
            plan.warnings.extend(f"page {index + 1}: {w}" if prefix else w for w in part.warnings)
        if plan.is_empty() and not plan.texts:
            raise NothingToBuild("nothing to build: the PDF pages hold no drawing (no vector paths and no "
                                 "readable scanned plan)")
        return plan
    finally:
        doc.close()


def _read_page(page, options: Options, prefix: str, budget: int) -> tuple[Plan, dict]:
    from .page import read_page

    try:
        pc = read_page(page, max(1, budget))
    except ValueError as exc:
        from ...errors import LimitExceeded

        raise LimitExceeded(f"{exc} (maxEntities)", code="entity_limit") from None
    items = len(pc.strokes) + len(pc.fills)
    if items < RASTER_MAX_ITEMS and pc.images:
        from ..raster import read_pdf_page_image

        part, info = read_pdf_page_image(page, pc, options, prefix)
    else:
        part, info = vector_page(pc, options, prefix)
    info["items"] = items
    return part, info


def _place(plan: Plan, part: Plan, offset: float) -> tuple[float, tuple[float, float]]:
    """Append ``part`` to ``plan`` shifted so its left edge sits at ``offset``; returns the next
    offset and the part's x range."""
    import numpy as np

    pts = [p.points for p in part.paths] + [r.exterior for r in part.regions]
    if not pts:
        pts = [t.position[None, :] for t in part.texts]
    allp = np.concatenate(pts)
    lo_x, hi_x = float(allp[:, 0].min()), float(allp[:, 0].max())
    dx = offset - lo_x if plan.paths or plan.regions else 0.0
    if dx:
        for p in part.paths:
            p.points = p.points + (dx, 0.0)
            if p.arc is not None:
                p.arc.cx += dx
        for r in part.regions:
            r.exterior = r.exterior + (dx, 0.0)
            r.holes = [h + (dx, 0.0) for h in r.holes]
        for t in part.texts:
            t.position = t.position + (dx, 0.0)
    plan.paths.extend(part.paths)
    plan.regions.extend(part.regions)
    plan.texts.extend(part.texts)
    plan.entity_counts.update(part.entity_counts)
    plan.skipped.update(part.skipped)
    return hi_x + dx + PAGE_GAP_M, (lo_x + dx, hi_x + dx)
