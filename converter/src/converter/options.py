"""Conversion options: one dataclass, exported defaults, one merge point (``merge_options``).

Why: the CLI, the warm server and the tests all pass the same JSON; validating it once here gives
one clear ``bad_options`` error instead of failures deep inside a stage.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping

from .errors import BadOptions

__all__ = ["Options", "OPTIONS_DEFAULTS", "merge_options", "CATEGORIES", "UNIT_NAMES"]

#: Categories every primitive ends up in.
CATEGORIES = ("wall", "door", "window", "column", "stair", "room", "annotation", "other")
#: Unit names accepted by the ``units`` override.
UNIT_NAMES = ("mm", "cm", "m", "in", "ft")


@dataclass(frozen=True)
class Options:
    """All knobs of one conversion job.

    Attributes:
        units: force drawing units (mm/cm/m/in/ft) instead of ``$INSUNITS``; None = from the drawing.
        wallHeight: wall height in metres (default 2.7).
        doorHeight: head height of door openings in metres (default 2.1).
        windowSill: window sill height in metres (default 0.9).
        windowHead: window head height in metres (default 2.1).
        slabThickness: room floor slab thickness in metres (default 0.05).
        minWallThickness / maxWallThickness: range of distances (m) for parallel-line wall pairs.
        singleLineWallThickness: thickness (m) given to walls drawn as single lines (default 0.12).
        minRoomArea: rooms smaller than this (m²) are ignored (default 1.0).
        curveTolerance: max chord error (m) when tessellating arcs and splines (default 0.01).
        layerMapping: {layer name or glob: category}; wins over the built-in layer names.
        timeoutSeconds: wall-clock limit per job (default 120).
        maxEntities: cap on DXF entities after exploding blocks (default 2,000,000).
        maxVertices: cap on output vertices (default 20,000,000).
        memoryMb: resident-memory limit per job in MiB (default 2048).
        pages: PDF pages to convert, 1-based (``"1,3-4"`` or [1, 3]); None = all pages.
        scale: PDF/image drawing scale (``"1:50"`` or 50); None = detected from the drawing.
        pixelsPerMetre: scanned plans (PNG/JPEG/scanned PDF): image pixels per metre; None = detected.
    """

    units: str | None = None
    wallHeight: float = 2.7
    doorHeight: float = 2.1
    windowSill: float = 0.9
    windowHead: float = 2.1
    slabThickness: float = 0.05
    minWallThickness: float = 0.05
    maxWallThickness: float = 0.8
    singleLineWallThickness: float = 0.12
    minRoomArea: float = 1.0
    curveTolerance: float = 0.01
    layerMapping: Mapping[str, str] = field(default_factory=dict)
    timeoutSeconds: float = 120.0
    maxEntities: int = 2_000_000
    maxVertices: int = 20_000_000
    memoryMb: int = 2048
    pages: Any = None
    scale: Any = None
    pixelsPerMetre: float | None = None


OPTIONS_DEFAULTS = Options()

_POSITIVE_FLOATS = {
    "wallHeight", "doorHeight", "windowSill", "windowHead", "slabThickness", "minWallThickness",
    "maxWallThickness", "curveTolerance", "timeoutSeconds", "singleLineWallThickness",
}
_NON_NEGATIVE_FLOATS = {"minRoomArea"}
_POSITIVE_INTS = {"maxEntities", "maxVertices", "memoryMb"}


def merge_options(raw: Mapping[str, Any] | None, base: Options = OPTIONS_DEFAULTS) -> Options:
    """Validate a JSON object of options and merge it over ``base``.

    Raises:
        BadOptions: unknown key, wrong type, out-of-range value or unknown category/unit.
    """
    if raw is None:
        return base
    if not isinstance(raw, Mapping):
        raise BadOptions("options must be a JSON object")
    known = {f.name for f in fields(Options)}
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise BadOptions(f"unknown option {key!r}; known options: {', '.join(sorted(known))}")
        if value is None:
            continue
        changes[key] = _check(key, value)
    merged = replace(base, **changes)
    if merged.minWallThickness >= merged.maxWallThickness:
        raise BadOptions("minWallThickness must be below maxWallThickness")
    if merged.windowSill >= merged.windowHead:
        raise BadOptions("windowSill must be below windowHead")
    if max(merged.doorHeight, merged.windowHead) > merged.wallHeight:
        raise BadOptions("doorHeight and windowHead must not exceed wallHeight")
    return merged


def _check(key: str, value: Any) -> Any:
    if key in ("pages", "scale", "pixelsPerMetre"):
        return _check_pdf(key, value)
    if key == "units":
        if not isinstance(value, str) or value.lower() not in UNIT_NAMES:
            raise BadOptions(f"units must be one of {', '.join(UNIT_NAMES)}")
        return value.lower()
    if key == "layerMapping":
        if not isinstance(value, Mapping):
            raise BadOptions("layerMapping must be an object {layerNameOrGlob: category}")
        out: dict[str, str] = {}
        for pattern, category in value.items():
            if not isinstance(pattern, str) or not isinstance(category, str):
                raise BadOptions("layerMapping keys and values must be strings")
            cat = category.lower()
            if cat.endswith("s") and cat[:-1] in CATEGORIES:
                cat = cat[:-1]
            if cat not in CATEGORIES and cat != "ignore":
                raise BadOptions(f"layerMapping: unknown category {category!r}; use one of {', '.join(CATEGORIES)}, ignore")
            out[pattern] = cat
        return out
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadOptions(f"{key} must be a finite number")
    if key in _POSITIVE_INTS:
        if value <= 0 or int(value) != value:
            raise BadOptions(f"{key} must be a positive integer")
        return int(value)
    if key in _POSITIVE_FLOATS and value <= 0:
        raise BadOptions(f"{key} must be greater than 0")
    if key in _NON_NEGATIVE_FLOATS and value < 0:
        raise BadOptions(f"{key} must not be negative")
    return float(value)


def _check_pdf(key: str, value: Any) -> Any:
    """``pages``: "1,3-4" or a list of page numbers; ``scale``: "1:50", "1/4\" = 1'-0\"" or a number."""
    import re

    if key == "pages":
        items = value if isinstance(value, list) else str(value).split(",") if isinstance(value, (str, int)) else None
        if not items or not all(re.fullmatch(r"\s*\d+\s*(-\s*\d+\s*)?", str(i)) and not isinstance(i, bool)
                                for i in items):
            raise BadOptions('pages must be page numbers from 1, as "1,3-4" or [1, 3]')
        return value if isinstance(value, list) else str(value)
    if isinstance(value, str) and key == "scale":
        from .read.pdf.scale import parse_scale

        d = parse_scale(value) or (float(value) if re.fullmatch(r"\s*\d+(\.\d+)?\s*", value) else None)
        if not d or d <= 0:
            raise BadOptions('scale must look like "1:50", "1/4\" = 1\'-0\"" or a number (the denominator)')
        return d
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise BadOptions(f"{key} must be a positive number" + (' (the denominator) or a string like "1:50"'
                                                                if key == "scale" else ""))
    return float(value)
