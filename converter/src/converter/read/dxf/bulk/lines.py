"""Fast path for the bulk of big drawings: LINE entities of the ENTITIES section, parsed with numpy.

Why: ezdxf builds a Python object per entity (~60 µs each), which makes a 50 MB drawing take
half a minute. Plain LINEs are usually most of a plan; they are cut out of the text here with
vectorised tag parsing, and ezdxf reads the (much smaller) rest. Any surprise (odd tag layout,
extrusion, paper space, non-numeric values) leaves that entity — or the whole file — to ezdxf.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ....runtime.parallel import fork_all, worker_count
from .others import SUB_ENTITY_KINDS, FastOthers, select_others

__all__ = ["FastLines", "extract_lines"]

_SECTION = re.compile(rb"(?:^|\n)[ \t]*0\r?\n[ \t]*SECTION\r?\n[ \t]*2\r?\n[ \t]*ENTITIES\r?\n")
_ENDSEC = re.compile(rb"\n[ \t]*0\r?\n[ \t]*ENDSEC\r?\n?")
_MIN_BYTES = 200_000
#: Section bodies above this size are tokenised in two halves, one per core.
_PARALLEL_BYTES = 8_000_000
#: A code-0 line followed by a line that cannot be a group code (so it is the entity's type).
_ENTITY_START = re.compile(rb"\n[ \t]*0\r?\n[ \t]*[A-Za-z_]")


@dataclass
class FastLines:
    """``coords`` is (n, 4) x0, y0, x1, y1 in drawing units; ``layer_ids`` index ``layers`` (raw bytes).

    ``others`` are the ARC/CIRCLE/TEXT/INSERT entities taken by :mod:`.others`; ``kept_top`` the
    section positions of the model-space entities left to ezdxf, so the reader can interleave
    both in file order.
    """

    coords: np.ndarray
    layer_ids: np.ndarray
    layers: list[bytes]
    others: FastOthers | None = None
    kept_top: np.ndarray | None = None
    #: block names (group 2) that entities left to ezdxf still reference
    kept_refs: frozenset[bytes] = frozenset()
    #: entities in the section body this was cut from
    entities: int = 0


def extract_lines(data: bytes, dim_blocks: frozenset[str] = frozenset()) -> tuple[bytes, FastLines | None]:
    """Split ``data`` into (DXF text without the fast LINEs, the LINEs); (data, None) if not worth it."""
    if len(data) < _MIN_BYTES:
        return data, None
    m = _SECTION.search(data)
    if m is None:
        return data, None
    start = m.end()
    e = _ENDSEC.search(data, start - 1)
    if e is None:
        return data, None
    end = e.start() + 1  # keep the newline that ends the last value
    body = data[start:end]
    try:
        result = _split_in_halves(body, dim_blocks) if len(body) > _PARALLEL_BYTES and worker_count() > 1 \
            else _split(body, dim_blocks)
    except (ValueError, IndexError):
        return data, None
    if result is None:
        return data, None
    kept, fast = result
    return data[:start] + kept + data[end:], fast


def tag_table(body: bytes) -> tuple[list[bytes], np.ndarray, list[bytes], np.ndarray] | None:
    """A section body as (lines, group codes, values, entity start indices), or None when it is not
    a clean sequence of code/value pairs beginning with a 0 tag (the caller then leaves it to ezdxf)."""
    lines = body.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) % 2:
        return None
    codes = np.array(lines[0::2]).astype(np.int32)
    if len(codes) == 0 or codes[0] != 0:
        return None
    return lines, codes, lines[1::2], np.flatnonzero(codes == 0)


def _split_in_halves(body: bytes, dim_blocks: frozenset[str]) -> tuple[bytes, FastLines] | None:
    """:func:`_split` of the two halves of a big section at once (the second in a forked helper).

    The cut falls at an entity start, so each half is a clean tag sequence; results are merged
    with the second half's entity positions and layer ids shifted. Anything odd → one piece.
    """
    m = _ENTITY_START.search(body, len(body) // 2)
    if m is None:
        return _split(body, dim_blocks)
    cut = m.start() + 1
    first, second = fork_all([lambda: _split_or_keep(body[:cut], dim_blocks),
                              lambda: _split_or_keep(body[cut:], dim_blocks)])
    if first is None or second is None:
        return _split(body, dim_blocks)
    (kept_a, a), (kept_b, b) = first, second
    if not len(a.coords) and a.others is None and not len(b.coords) and b.others is None:
        return None
    layers = {name: k for k, name in enumerate(a.layers)}
    remap = np.array([layers.setdefault(name, len(layers)) for name in b.layers], dtype=np.int32)
    shift = a.entities
    return kept_a + kept_b, FastLines(
        np.concatenate((a.coords, b.coords)).reshape(-1, 4),
        np.concatenate((a.layer_ids, remap[b.layer_ids] if len(b.layer_ids) else b.layer_ids)).astype(np.int32),
        list(layers), _merge_others(a.others, b.others, shift),
        np.concatenate((a.kept_top, b.kept_top + shift)), a.kept_refs | b.kept_refs, a.entities + b.entities)


def _split_or_keep(body: bytes, dim_blocks: frozenset[str]) -> tuple[bytes, FastLines] | None:
    """:func:`_split`, with "nothing fast here" as an empty result; None when the body is not clean."""
    table = tag_table(body)
    return None if table is None else _split(body, dim_blocks, table, keep_empty=True)


def _merge_others(a: FastOthers | None, b: FastOthers | None, shift: int) -> FastOthers | None:
    if a is None or b is None:
        if b is not None:
            b.index = b.index + shift
        return a if b is None else b
    return FastOthers(np.concatenate((a.index, b.index + shift)), a.kinds + b.kinds,
                      {code: np.concatenate((col, b.values[code])) for code, col in a.values.items()},
                      {code: col + b.strings[code] for code, col in a.strings.items()})


def _split(body: bytes, dim_blocks: frozenset[str], table=None, keep_empty: bool = False
           ) -> tuple[bytes, FastLines] | None:
    table = table or tag_table(body)
    if table is None:
        return None
    lines, codes, values, starts = table
    is0 = codes == 0
    ent_of_tag = np.cumsum(is0) - 1
    kinds = np.array([values[k].strip() for k in starts.tolist()])
    is_line = kinds == b"LINE"
    n_ent = len(starts)
    tag_line = is_line[ent_of_tag]

    def gather(code: int) -> tuple[np.ndarray, list[bytes]]:
        sel = np.flatnonzero(tag_line & (codes == code))
        return ent_of_tag[sel], [values[k] for k in sel.tolist()]

    ok = is_line.copy()
    coords = np.full((n_ent, 4), np.nan)
    for col, code in enumerate((10, 20, 11, 21)):
        ents, vals = gather(code)
        counts = np.bincount(ents, minlength=n_ent)
        ok &= counts == 1
        coords[ents, col] = np.array(vals).astype(np.float64)
    for code in (210, 67):  # extruded or paper-space lines: leave to ezdxf
        ents, _ = gather(code)
        ok[ents] = False
    ents, vals = gather(8)
    ok &= np.bincount(ents, minlength=n_ent) == 1
    layer_raw = np.empty(n_ent, dtype=object)
    layer_raw[ents] = [v.strip() for v in vals]
    ok &= np.all(np.isfinite(coords), axis=1)
    fast_idx = np.flatnonzero(ok)
    taken, others = select_others(codes, values, starts, kinds, ent_of_tag, dim_blocks)
    if len(fast_idx) == 0 and others is None and not keep_empty:
        return None
    layers_unique: dict[bytes, int] = {}
    layer_ids = np.array([layers_unique.setdefault(layer_raw[k], len(layers_unique)) for k in fast_idx.tolist()],
                         dtype=np.int32).reshape(-1)
    # Byte offsets of every entity, to cut the fast ones out of the text.
    nl = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == 10)
    line_start = np.concatenate(([0], nl + 1))
    ent_byte = np.append(line_start[2 * starts], len(body))
    keep = ~(ok | taken)
    kept_top = np.flatnonzero(keep & ~np.isin(kinds, np.array(sorted(SUB_ENTITY_KINDS))))
    kept_refs = frozenset(values[i].strip() for i in np.flatnonzero(keep[ent_of_tag] & (codes == 2)).tolist())
    pieces: list[bytes] = []
    change = np.flatnonzero(np.diff(np.concatenate(([0], keep.astype(np.int8), [0]))))
    for a, b in zip(change[0::2].tolist(), change[1::2].tolist()):
        pieces.append(body[ent_byte[a]:ent_byte[b]])
    fast = FastLines(coords[fast_idx].reshape(-1, 4), layer_ids, list(layers_unique), others, kept_top,
                     kept_refs, n_ent)
    return b"".join(pieces), fast
