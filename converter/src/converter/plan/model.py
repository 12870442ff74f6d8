"""A plan is a bag of 2-D primitives in one unit system, each tagged with its layer.

Why format-neutral: the DXF reader and the coming PDF reader both emit these primitives, and
classify/extrude/write never look at a DXF entity. Curves are tessellated at read time; an arc keeps
its centre/radius/angles besides the points because door swings are recognised from them.
``group`` identifies the block instance a primitive came from (0 = drawn directly), so a door
block counts as one door however many lines it holds.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Arc", "Path", "Region", "Text", "Face3D", "Plan"]


@dataclass(slots=True)
class Arc:
    """Circle arc parameters (counter-clockwise from ``start`` to ``end``, radians)."""

    cx: float
    cy: float
    radius: float
    start: float
    end: float

    @property
    def sweep(self) -> float:
        s = (self.end - self.start) % (2 * np.pi)
        return 2 * np.pi if s == 0 else s


@dataclass(slots=True)
class Path:
    """An open or closed polyline; ``points`` is an (n, 2) float64 array."""

    points: np.ndarray
    layer: str
    closed: bool = False
    kind: str = "LINE"
    group: int = 0
    block: str = ""
    width: float = 0.0
    arc: Arc | None = None


@dataclass(slots=True)
class Region:
    """A filled area (hatch, solid): one exterior ring and its holes, each (n, 2) arrays."""

    exterior: np.ndarray
    holes: list[np.ndarray]
    layer: str
    kind: str = "HATCH"
    group: int = 0
    block: str = ""


@dataclass(slots=True)
class Text:
    """A piece of text anchored at ``position`` (x, y)."""

    text: str
    position: np.ndarray
    layer: str
    height: float = 0.0
    kind: str = "TEXT"
    group: int = 0
    block: str = ""


@dataclass(slots=True)
class Face3D:
    """Real 3-D faces (3DFACE, MESH, POLYFACE): ``triangles`` is (n, 3, 3) x, y, z."""

    triangles: np.ndarray
    layer: str
    kind: str = "3DFACE"
    group: int = 0
    block: str = ""


@dataclass
class Plan:
    """Everything a reader found, plus what it could not use.

    Attributes:
        unit: source unit name (``mm``, ``m`` …) or None when the drawing does not say.
        scale: factor from plan coordinates to metres once normalised (1.0 after normalise).
        entity_counts: source entities read, per type (blocks exploded).
        skipped: source entities not represented, per type; nothing vanishes silently.
        warnings: human-readable notes for the report (recovered errors, guessed units …).
        groups: block instance id → info with ``parent``, ``block`` and ``layer`` attributes.
    """

    paths: list[Path] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    faces: list[Face3D] = field(default_factory=list)
    unit: str | None = None
    scale: float = 1.0
    source: dict = field(default_factory=dict)
    entity_counts: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    layers: dict[str, dict] = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    #: Arrays that many paths' points are views of (a reader's bulk LINEs): scaled once, in place.
    shared_points: list[np.ndarray] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.paths or self.regions or self.faces)

    def vertex_count(self) -> int:
        n = sum(len(p.points) for p in self.paths)
        n += sum(len(r.exterior) + sum(len(h) for h in r.holes) for r in self.regions)
        n += sum(len(f.triangles) * 3 for f in self.faces)
        return n
