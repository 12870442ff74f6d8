"""DXF reader: file → :class:`~converter.plan.Plan` in drawing units (R12–R2018, ASCII/binary).

Everything DXF-specific lives in this package; the plan it returns is the same model a PDF
reader will produce, so classify/extrude/write never see ezdxf objects.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ...normalise.units import INSUNITS_NAMES, unit_scale
from ...options import Options
from ...plan.model import Path, Plan
from ezdxf.lldxf.encoding import decode_dxf_unicode
from .blocks import Exploder
from .entities import EntityConverter
from .bulk.adder import FastAdder, merged_order
from .load import load_document
from .text import clean_text

__all__ = ["read_dxf"]

Progress = Callable[[float, str], None]


def read_dxf(path: str, options: Options, progress: Progress | None = None) -> Plan:
    """Read model space of ``path`` with blocks exploded.

    Raises:
        BadDrawing: the file cannot be read as a DXF.
        LimitExceeded: more than ``options.maxEntities`` entities.
    """
    report = progress or (lambda f, m: None)
    report(0.0, "opening drawing")
    loaded = load_document(path)
    doc = loaded.doc
    plan = Plan()
    plan.source = {
        "format": "dxf-binary" if loaded.binary else "dxf",
        "version": doc.dxfversion,
        "release": doc.acad_release,
        "encoding": doc.encoding,
        "recovered": loaded.recovered,
        "truncated": loaded.truncated,
    }
    if loaded.truncated:
        plan.warnings.append("the file is truncated (no EOF marker); converted what could be recovered")
    if loaded.recovered:
        plan.warnings.append(f"damaged DXF read by the recovering reader ({len(loaded.fixes)} issues)")
        plan.source["fixes"] = loaded.fixes
    insunits = int(doc.header.get("$INSUNITS", 0) or 0)
    plan.unit = INSUNITS_NAMES.get(insunits)
    if insunits and plan.unit is None:
        plan.warnings.append(f"unknown $INSUNITS {insunits}; treating as unitless")
    plan.source["insunits"] = insunits
    unit = options.units or plan.unit
    guess = unit_scale(unit) if unit else _guess_scale(doc)
    conv = EntityConverter(tolerance=options.curveTolerance / guess, skipped={})
    hidden = frozenset(
        clean_text(layer.dxf.name) for layer in doc.layers if layer.is_off() or layer.is_frozen()
    )
    exploder = Exploder(doc, conv, plan, options.maxEntities, hidden)
    msp = doc.modelspace()
    fast = loaded.fast_lines
    others = fast.others if fast is not None else None
    if others is None:
        entities = list(msp)
        order = ((False, k) for k in range(len(entities)))
        n_fast = 0
    else:
        entities = list(msp)
        adder = FastAdder(doc, conv, exploder, others, loaded.dim_parts)
        order = merged_order(fast.kept_top, len(entities), others.index)
        n_fast = len(others.index)
    n = max(1, len(entities) + n_fast)
    report(0.3, f"reading {n} model-space entities")
    for i, (is_fast, k) in enumerate(order):
        if is_fast:
            adder.add(k)
        else:
            exploder.add_entity(entities[k])
        if i % 20000 == 19999:
            report(0.3 + 0.7 * i / n, f"read {i + 1} of {n} entities")
    if loaded.fast_lines is not None and len(loaded.fast_lines.coords):
        _add_fast_lines(plan, exploder, loaded.fast_lines, doc, hidden)
    for key, count in conv.skipped.items():
        plan.skipped[key] += count
    plan.source["blockInstances"] = len(exploder.groups)
    plan.groups = exploder.groups  # type: ignore[attr-defined]
    for layer in doc.layers:
        plan.layers[clean_text(layer.dxf.name)] = {"hidden": clean_text(layer.dxf.name) in hidden}
    return plan


def _add_fast_lines(plan: Plan, exploder: Exploder, fast, doc, hidden: frozenset[str]) -> None:
    """Append the LINEs the numpy fast path cut out of the file (see :mod:`.bulk.lines`)."""
    encoding = "utf-8" if doc.dxfversion >= "AC1021" else (doc.encoding or "cp1252")
    names = []
    for raw in fast.layers:
        name = clean_text(raw.decode(encoding, errors="surrogateescape"))
        if "\\U+" in name:
            name = decode_dxf_unicode(name)
        names.append(name or "0")
    exploder.count_bulk("LINE", len(fast.coords))
    pts, ids = fast.coords.reshape(-1, 2, 2), fast.layer_ids
    shown = np.array([name not in hidden for name in names], dtype=bool)[ids] if len(names) else np.zeros(0, bool)
    if not shown.all():
        plan.skipped["LINE (hidden layer)"] += int((~shown).sum())
        pts, ids = pts[shown], ids[shown]
    pts = pts.copy() if pts.base is not None else pts  # an owner, so every path's points are views of it
    plan.shared_points.append(pts)
    plan.paths.extend([Path(p, names[i], False, "LINE") for p, i in zip(pts, ids.tolist())])


def _guess_scale(doc) -> float:
    """Unit guess from the header extents, only to pick a tessellation tolerance."""
    try:
        lo, hi = doc.header.get("$EXTMIN"), doc.header.get("$EXTMAX")
        span = max(abs(hi[0] - lo[0]), abs(hi[1] - lo[1]))
    except Exception:  # noqa: BLE001
        return 1.0
    if not (span == span) or span > 1e12 or span <= 0:
        return 1.0
    return 0.001 if span > 2000 else 1.0

