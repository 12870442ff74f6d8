"""Fast path for the simple ARC, CIRCLE, TEXT, MTEXT, INSERT and DIMENSION entities of the ENTITIES section.

Why: after plain LINEs (:mod:`.lines`), these are what a big plan is made of, and ezdxf's
per-entity objects cost ~60 µs each to load. They are cut out of the text with the same
vectorised tag table; an entity is taken only when *every* one of its group codes is in a small
whitelist for its type (no extrusion, no paper space, no XDATA, no attributes, no MINSERT grid)
and its strings are plain ASCII, so whatever is unusual still goes through ezdxf unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["FastOthers", "select_others", "SUB_ENTITY_KINDS"]

#: Entities that belong to the entity before them (not model-space entities of their own).
SUB_ENTITY_KINDS = frozenset({b"VERTEX", b"SEQEND", b"ATTRIB"})

_COMMON = frozenset({0, 5, 330, 100, 8, 6, 62, 370, 420, 440, 48, 39})
#: kind → (allowed codes beyond the common ones, required codes, float columns)
_SPEC: dict[bytes, tuple[frozenset[int], tuple[int, ...], tuple[int, ...]]] = {
    b"ARC": (frozenset({10, 20, 30, 40, 50, 51}), (8, 10, 20, 40, 50, 51), (10, 20, 30, 40, 50, 51)),
    b"CIRCLE": (frozenset({10, 20, 30, 40}), (8, 10, 20, 40), (10, 20, 30, 40)),
    b"TEXT": (frozenset({1, 7, 10, 20, 30, 11, 21, 31, 40, 41, 50, 51, 71, 72, 73}), (8, 1, 10, 20, 40),
              (10, 20, 30, 11, 21, 31, 40, 50, 72, 73)),
    b"INSERT": (frozenset({2, 10, 20, 30, 41, 42, 43, 50}), (8, 2, 10, 20), (10, 20, 30, 41, 42, 43, 50)),
    # One-chunk MTEXT (no 3 continuation, no columns or background fill): its text is group 1.
    b"MTEXT": (frozenset({1, 7, 10, 20, 30, 11, 21, 31, 40, 41, 44, 46, 50, 71, 72, 73}), (8, 1, 10, 20),
               (10, 20, 30, 40)),
    # Only with a geometry block parsed by :mod:`.dims`; no insert offset (12) or extrusion.
    b"DIMENSION": (frozenset({280, 2, 3, 10, 20, 30, 11, 21, 31, 70, 71, 72, 41, 42, 1, 13, 23, 33, 14, 24, 34,
                              15, 25, 35, 16, 26, 36, 40, 50, 52, 53, 51}), (8, 2), ()),
}
_DEFAULTS = {30: 0.0, 31: 0.0, 41: 1.0, 42: 1.0, 43: 1.0, 50: 0.0, 72: 0.0, 73: 0.0}


@dataclass
class FastOthers:
    """Entities taken by the fast path, in file order.

    ``index`` is each one's position among the section's entities, ``kinds`` its type, ``values``
    a dict group code → float per entity (absent optional codes hold their DXF default, absent
    align points NaN), ``strings`` group code → ASCII str (layer 8, text 1, block name 2).
    """

    index: np.ndarray
    kinds: list[str]
    values: dict[int, np.ndarray] = field(default_factory=dict)
    strings: dict[int, list[str]] = field(default_factory=dict)


def select_others(codes: np.ndarray, values: list[bytes], starts: np.ndarray, kinds: np.ndarray,
                  ent_of_tag: np.ndarray, dim_blocks: frozenset[str] = frozenset()
                  ) -> tuple[np.ndarray, FastOthers | None]:
    """Boolean mask over entities of those taken here, and their data (None when none).

    Raises ValueError on a number that does not parse (the caller then leaves the file to ezdxf).
    """
    n_ent = len(starts)
    taken = np.zeros(n_ent, dtype=bool)
    kind_of_ent = np.full(n_ent, -1, dtype=np.int8)
    specs = list(_SPEC.items())
    for k, (name, _) in enumerate(specs):
        kind_of_ent[kinds == name] = k
    if not (kind_of_ent >= 0).any():
        return taken, None
    kind_of_tag = kind_of_ent[ent_of_tag]
    bad_tag = kind_of_tag >= 0
    for k, (_, (allowed, _, _)) in enumerate(specs):
        in_kind = kind_of_tag == k
        ok_code = np.isin(codes, np.fromiter(_COMMON | allowed, dtype=np.int32))
        bad_tag &= ~(in_kind & ok_code)
    cand = (kind_of_ent >= 0) & (np.bincount(ent_of_tag[bad_tag], minlength=n_ent) == 0)
    cand_tag = cand[ent_of_tag]
    needed = sorted({c for _, (allowed, _, _) in specs for c in allowed} | {8})
    per_code: dict[int, tuple[np.ndarray, list[bytes]]] = {}
    for code in needed:
        sel = np.flatnonzero(cand_tag & (codes == code))
        ents = ent_of_tag[sel]
        cand &= np.bincount(ents, minlength=n_ent) <= 1  # duplicated group: not a simple entity
        per_code[code] = (ents, [values[i] for i in sel.tolist()])
    for k, (_, (_, required, _)) in enumerate(specs):
        of_kind = kind_of_ent == k
        for code in required:
            present = np.zeros(n_ent, dtype=bool)
            present[per_code[code][0]] = True
            cand &= ~of_kind | present
    floats: dict[int, np.ndarray] = {}
    for code in sorted({c for _, (_, _, fl) in specs for c in fl}):
        ents, vals = per_code[code]
        col = np.full(n_ent, _DEFAULTS.get(code, np.nan))
        if len(ents):
            col[ents] = np.array(vals).astype(np.float64)
        floats[code] = col
    strings: dict[int, np.ndarray] = {}
    for code in (8, 1, 2):
        ents, vals = per_code[code]
        col = np.empty(n_ent, dtype=object)
        col[ents] = [v.rstrip(b"\r") if code == 1 else v.strip() for v in vals]
        strings[code] = col
    for k, (_, (_, required, fl)) in enumerate(specs):
        of_kind = cand & (kind_of_ent == k)
        for code in fl:
            if code in required or code in _DEFAULTS:
                cand &= ~of_kind | np.isfinite(floats[code])
    idx = np.flatnonzero(cand)
    keep: list[int] = []
    text: dict[int, list[str]] = {8: [], 1: [], 2: []}
    dim_kind = [name for name, _ in specs].index(b"DIMENSION")
    for i in idx.tolist():
        if kind_of_ent[i] == dim_kind and strings[2][i].decode("ascii", "replace") not in dim_blocks:
            continue
        row = {}
        for code in (8, 1, 2):
            raw = strings[code][i]
            if raw is None:
                row[code] = ""
                continue
            if not raw.isascii() or b"\\U+" in raw or b"\\M+" in raw:
                break  # code pages and escapes: ezdxf's decoding decides
            row[code] = raw.decode("ascii")
        else:
            keep.append(i)
            for code in (8, 1, 2):
                text[code].append(row[code])
    if not keep:
        return np.zeros(n_ent, dtype=bool), None
    sel = np.array(keep, dtype=np.int64)
    taken[sel] = True
    names = [name.decode() for name, _ in specs]
    others = FastOthers(sel, [names[k] for k in kind_of_ent[sel].tolist()],
                        {code: col[sel] for code, col in floats.items()}, text)
    return taken, others
