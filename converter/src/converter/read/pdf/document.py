"""Open a PDF safely: every way a PDF can be unusable becomes a clear permanent error, fast.

Why before any parsing: encrypted, broken, empty, page-tree-loop, huge-page and image-bomb PDFs
must fail in seconds with bounded memory (the edge shows the message to the uploader), not after
MuPDF has tried to render a 200-inch page or decode a 60,000² image.
"""
from __future__ import annotations

import os

from ...errors import BadDrawing, LimitExceeded

__all__ = ["open_pdf", "check_page", "MAX_PAGE_PT", "MAX_IMAGE_PIXELS"]

#: PDF's own limit for a page side (200 inches at the default user unit).
MAX_PAGE_PT = 14_400.0
#: An embedded image with more pixels than this is refused (decoding it alone needs > 0.5 GB).
MAX_IMAGE_PIXELS = 150_000_000


def open_pdf(path: str):
    """Open ``path`` with PyMuPDF, or raise BadDrawing with a code saying why not."""
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise BadDrawing(f"cannot open input: {exc.strerror or exc}", code="unreadable") from None
    if size == 0:
        raise BadDrawing("the file is empty (0 bytes)", code="empty_file")
    if b"%PDF-" not in head:
        raise BadDrawing("the file is not a PDF (no %PDF- header)", code="not_pdf")
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # MuPDF raises its own error types for every kind of damage
        raise BadDrawing(f"the PDF is damaged beyond repair ({_why(exc)})", code="broken_pdf") from None
    if doc.needs_pass:
        doc.close()
        raise BadDrawing("the PDF is password-protected; upload an unprotected copy", code="encrypted_pdf")
    try:
        n = doc.page_count
    except Exception as exc:
        doc.close()
        raise BadDrawing(f"the PDF's page tree is broken ({_why(exc)})", code="broken_pdf") from None
    if n == 0:
        doc.close()
        raise BadDrawing("the PDF has no pages (or its page tree is broken or loops)", code="empty_pdf")
    return doc


def check_page(doc, index: int) -> object:
    """Load page ``index`` and refuse huge pages and image bombs."""
    try:
        page = doc.load_page(index)
        rect = page.rect
    except Exception as exc:
        raise BadDrawing(f"page {index + 1} of the PDF cannot be read ({_why(exc)})", code="broken_pdf") from None
    w, h = rect.width, rect.height
    if not (w > 0 and h > 0):
        raise BadDrawing(f"page {index + 1} has no size", code="broken_pdf")
    if max(w, h) > MAX_PAGE_PT:
        raise LimitExceeded(f"page {index + 1} is {w / 72:.0f} × {h / 72:.0f} inches, larger than PDF allows "
                            f"(200 inches)", code="huge_page")
    try:
        images = page.get_images(full=True)
    except Exception as exc:
        raise BadDrawing(f"page {index + 1} of the PDF cannot be read ({_why(exc)})", code="broken_pdf") from None
    for img in images:
        iw, ih = int(img[2] or 0), int(img[3] or 0)
        if iw * ih > MAX_IMAGE_PIXELS:
            raise LimitExceeded(f"page {index + 1} embeds a {iw} × {ih} pixel image (image bomb?); the limit is "
                                f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels", code="image_bomb")
    return page


def _why(exc: Exception) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return msg[:160]
