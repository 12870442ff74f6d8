"""Fast path for dimension geometry blocks (``*D…``) of the BLOCKS section.

Why: every DIMENSION owns an anonymous block of lines, arrow INSERTs, POINTs and one MTEXT; a
big plan has thousands, and ezdxf loading them (and copying them again for
``virtual_entities()``) costs seconds. A ``*D`` block made only of plain LINE, POINT, INSERT and
simple MTEXT entities is parsed here and cut out of the text whole (BLOCK to ENDBLK, and its
BLOCK_RECORD in the TABLES section: the DIMENSIONs that use it are taken by the fast path too, so
nothing left for ezdxf refers to it). Only the parts the converter keeps are returned: LINEs and
MTEXT, exactly as :meth:`.entities.EntityConverter._virtual` would see them.
"""
from __future__ import annotations

import re

import numpy as np
from ezdxf.tools.text import escape_dxf_line_endings

from .lines import tag_table

__all__ = ["DimPart", "split_dim_blocks"]

_SECTION = re.compile(rb"(?:^|\n)[ \t]*0\r?\n[ \t]*SECTION\r?\n[ \t]*2\r?\n[ \t]*BLOCKS\r?\n")
_TABLES = re.compile(rb"(?:^|\n)[ \t]*0\r?\n[ \t]*SECTION\r?\n[ \t]*2\r?\n[ \t]*TABLES\r?\n")
_ENDSEC = re.compile(rb"\n[ \t]*0\r?\n[ \t]*ENDSEC\r?\n?")
_COMMON = {0, 5, 330, 100, 8, 6, 62, 370, 420, 440, 48}
_ALLOWED = {
    b"LINE": _COMMON | {10, 20, 30, 11, 21, 31, 39},
    b"POINT": _COMMON | {10, 20, 30, 39, 50},
    b"INSERT": _COMMON | {2, 10, 20, 30, 41, 42, 43, 50},
    b"MTEXT": _COMMON | {10, 20, 30, 40, 41, 46, 71, 72, 1, 3, 7, 11, 21, 31, 73, 44, 50},
}
#: ("LINE", layer, (x0, y0, x1, y1)) or ("MTEXT", layer, (x, y, char_height, raw text))
DimPart = tuple[str, str, tuple]


def split_dim_blocks(data: bytes) -> tuple[bytes, dict[str, list[DimPart]]]:
    """(data without the contents of simple ``*D`` blocks, their parts by block name)."""
    m = _SECTION.search(data)
    if m is None:
        return data, {}
    start = m.end()
    e = _ENDSEC.search(data, start - 1)
    if e is None:
        return data, {}
    end = e.start() + 1
    body = data[start:end]
    try:
        result = _split(body)
        if result is None:
            return data, {}
        kept, parts = result
        head = _without_block_records(data[:start], frozenset(n.encode() for n in parts))
    except (ValueError, IndexError, UnicodeDecodeError):
        return data, {}
    return head + kept + data[end:], parts


def _without_block_records(head: bytes, names: frozenset[bytes]) -> bytes:
    """``head`` (the file before BLOCKS) without the BLOCK_RECORD entries of ``names``."""
    m = _TABLES.search(head)
    if m is None:
        return head  # R12 files may have no tables at all
    e = _ENDSEC.search(head, m.end() - 1)
    table = tag_table(head[m.end():e.start() + 1]) if e else None
    if table is None:
        raise ValueError("TABLES section without a clean tag sequence")
    start, end = m.end(), e.start() + 1
    body = head[start:end]
    _, codes, values, starts = table
    ends = np.append(starts[1:], len(codes))
    drop = [k for k, (a, b) in enumerate(zip(starts.tolist(), ends.tolist()))
            if values[a].strip() == b"BLOCK_RECORD"
            and next((values[i].strip() for i in range(a, b) if codes[i] == 2), b"") in names]
    return head[:start] + _cut_entities(body, starts, [(k, k + 1) for k in drop]) + head[end:]


def _cut_entities(body: bytes, starts: np.ndarray, cut: list[tuple[int, int]]) -> bytes:
    """``body`` without the entity index ranges ``cut`` (sorted, half-open)."""
    nl = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == 10)
    line_start = np.concatenate(([0], nl + 1))
    ent_byte = np.append(line_start[2 * starts], len(body))
    pieces: list[bytes] = []
    pos = 0
    for a, b in cut:
        pieces.append(body[pos:ent_byte[a]])
        pos = int(ent_byte[b])
    pieces.append(body[pos:])
    return b"".join(pieces)


def _split(body: bytes) -> tuple[bytes, dict[str, list[DimPart]]] | None:
    table = tag_table(body)
    if table is None:
        return None
    _, codes, values, starts = table
    ends = np.append(starts[1:], len(codes))
    kinds = [values[k].strip() for k in starts.tolist()]
    # Names referenced from inside blocks (nested INSERTs, paper-space DIMENSIONs) stay with ezdxf.
    referenced = {values[i].strip().upper() for i in np.flatnonzero(codes == 2).tolist()
                  if kinds[int(np.searchsorted(starts, i, side="right")) - 1] in (b"INSERT", b"DIMENSION")}
    parts: dict[str, list[DimPart]] = {}
    cut: list[tuple[int, int]] = []  # entity index ranges to remove
    n = len(starts)
    k = 0
    while k < n:
        if kinds[k] != b"BLOCK":
            k += 1
            continue
        a, b = int(starts[k]), int(ends[k])
        name = next((values[i].strip() for i in range(a, b) if codes[i] == 2), b"")
        j = k + 1
        while j < n and kinds[j] not in (b"ENDBLK", b"BLOCK"):
            j += 1
        if j < n and kinds[j] == b"ENDBLK" and name.startswith(b"*D") and name.upper() not in referenced \
                and j > k + 1 and name.isascii():
            got = _block_parts(codes, values, starts, ends, kinds, k + 1, j)
            if got is not None:
                parts[name.decode("ascii")] = got
                cut.append((k, j + 1))
        k = j
    if not cut:
        return None
    return _cut_entities(body, starts, cut), parts


def _block_parts(codes, values, starts, ends, kinds, first: int, stop: int) -> list[DimPart] | None:
    out: list[DimPart] = []
    for k in range(first, stop):
        kind = kinds[k]
        allowed = _ALLOWED.get(kind)
        if allowed is None:
            return None
        tags: dict[int, bytes] = {}
        chunks: list[bytes] = []
        for i in range(int(starts[k]) + 1, int(ends[k])):
            c = int(codes[i])
            if c not in allowed:
                return None
            v = values[i]
            if c == 3:
                chunks.append(v.rstrip(b"\r"))
            elif c in tags and c != 100:
                return None
            else:
                tags[c] = v
        if kind in (b"POINT", b"INSERT"):
            continue
        raw_layer = tags.get(8, b"0").strip()
        if not raw_layer.isascii():
            return None
        layer = raw_layer.decode("ascii")
        if kind == b"LINE":
            xy = tuple(float(tags[c]) for c in (10, 20, 11, 21))
            out.append(("LINE", layer, xy))
        else:
            raw = b"".join(chunks) + tags.get(1, b"").rstrip(b"\r")
            if not raw.isascii() or b"\\U+" in raw or b"\\M+" in raw:
                return None
            text = escape_dxf_line_endings(raw.decode("ascii"))
            out.append(("MTEXT", layer, (float(tags[10]), float(tags[20]), float(tags.get(40, 0.0)), text)))
    return out
