"""Bad PDFs and images fail fast with clear permanent errors (exit 2 or 6), never a traceback."""
from __future__ import annotations

import json
import struct
import subprocess
import sys
import time
import zlib

import pytest

pymupdf = pytest.importorskip("pymupdf")


def raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF from numbered object bodies (1-based), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def stream(dict_body: bytes, data: bytes) -> bytes:
    return b"<< " + dict_body + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"


def make(kind: str, path) -> None:
    if kind == "encrypted":
        doc = pymupdf.open()
        page = doc.new_page()
        page.draw_line((10, 10), (200, 200))
        doc.save(str(path), encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
        return
    if kind == "broken":
        data = b"%PDF-1.7\n" + bytes(range(256)) * 40
    elif kind == "zero_pages":
        data = raw_pdf([CATALOG, b"<< /Type /Pages /Kids [] /Count 0 >>"])
    elif kind == "page_tree_loop":
        data = raw_pdf([CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"])
    elif kind == "huge_page":
        data = raw_pdf([CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200000 200000] /Contents 4 0 R >>",
                        stream(b"", b"0 0 m 1000 1000 l S")])
    elif kind == "pdf_image_bomb":
        img = zlib.compress(b"\x00" * 4096)
        data = raw_pdf([CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                        b"/Resources << /XObject << /Im0 5 0 R >> >> >>",
                        stream(b"", b"q 600 0 0 780 6 6 cm /Im0 Do Q"),
                        stream(b"/Type /XObject /Subtype /Image /Width 60000 /Height 60000 /ColorSpace /DeviceGray "
                               b"/BitsPerComponent 8 /Filter /FlateDecode", img)])
    elif kind == "png_bomb":
        def chunk(t: bytes, d: bytes) -> bytes:
            return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
        data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))
    elif kind == "truncated_jpeg":
        from PIL import Image
        import io
        buf = io.BytesIO()
        Image.new("RGB", (400, 300), "white").save(buf, "JPEG")
        data = buf.getvalue()[:300]
    elif kind == "not_pdf":
        data = b"%PDF- is all this says"
    else:
        raise ValueError(kind)
    path.write_bytes(data)


CASES = [("encrypted", 2, "encrypted_pdf"), ("broken", 2, "broken_pdf"), ("zero_pages", 2, "empty_pdf"),
         ("page_tree_loop", 2, None), ("huge_page", 6, "huge_page"), ("pdf_image_bomb", 6, "image_bomb"),
         ("png_bomb", 6, "image_bomb"), ("truncated_jpeg", 2, "broken_image"), ("not_pdf", 2, None)]


@pytest.mark.parametrize("kind,exit_code,code", CASES)
def test_bad_pdfs_and_images_fail_fast_and_permanently(tmp_path, kind, exit_code, code):
    suffix = ".png" if kind == "png_bomb" else ".jpg" if kind == "truncated_jpeg" else ".pdf"
    src = tmp_path / ("in" + suffix)
    make(kind, src)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "converter", str(src), "-o", str(tmp_path / "out.glb"),
                           "--options", json.dumps({"memoryMb": 1024})], capture_output=True, text=True, timeout=60)
    took = time.perf_counter() - t0
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    err = events[-1]
    assert err["type"] == "error" and err["permanent"] is True, (proc.stdout, proc.stderr[-2000:])
    assert proc.returncode == exit_code, err
    if code:
        assert err["code"] == code, err
    else:  # MuPDF repairs some trees; any clear permanent refusal is right
        assert err["code"] in ("broken_pdf", "empty_pdf", "nothing_to_build", "not_pdf"), err
    assert "Traceback" not in proc.stderr
    assert took < 15, took
    assert not (tmp_path / "out.glb").exists()
