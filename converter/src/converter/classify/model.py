"""The classified building: what classify hands to build. Plain data, shapely geometry in metres."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from shapely.geometry.base import BaseGeometry

__all__ = ["WallPiece", "Opening", "Room", "Building"]


@dataclass(slots=True)
class WallPiece:
    """A wall footprint polygon with its axis direction (unit vector) where known."""

    polygon: BaseGeometry
    layer: str
    source: str
    axis: np.ndarray | None = None


@dataclass(slots=True)
class Opening:
    """A door or window: ``plug`` is the opening's footprint across the wall (rectangle)."""

    kind: str
    layer: str
    plug: BaseGeometry
    width: float
    axis: np.ndarray
    hosted: bool
    block: str = ""
    band: tuple[float, float] = (0.0, 0.0)
    span: tuple[float, float] = (0.0, 0.0)


@dataclass(slots=True)
class Room:
    polygon: BaseGeometry
    name: str
    area: float
    layer: str
    source: str


@dataclass
class Building:
    """Everything build needs, grouped by category and layer.

    Attributes:
        walls: layer → wall footprint (union of pieces) at full height before openings.
        columns: layer → column footprints.
        lines: (category, layer) → list of (n, 2) polylines drawn at floor level.
        faces: layer → (n, 3, 3) triangles of real 3-D faces.
        labels: texts kept for the viewer (annotation), as (text, x, y, layer).
        layer_categories: every layer seen → its category.
        stats: counts for the result's stats (``wallsByName``, ``wallsByGeometry``,
            ``wallLayersByGeometry``, ``doorsByGeometry``), so staff see what geometry decided.
    """

    walls: dict[str, BaseGeometry] = field(default_factory=dict)
    pieces: list[WallPiece] = field(default_factory=list)
    openings: list[Opening] = field(default_factory=list)
    rooms: list[Room] = field(default_factory=list)
    columns: dict[str, BaseGeometry] = field(default_factory=dict)
    lines: dict[tuple[str, str], list[np.ndarray]] = field(default_factory=dict)
    faces: dict[str, list[np.ndarray]] = field(default_factory=dict)
    labels: list[tuple[str, float, float, str]] = field(default_factory=list)
    layer_categories: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    #: floors side by side (several PDF pages): name and x range in plan metres, in order
    floors: list[tuple[str, float, float]] = field(default_factory=list)

    def add_line(self, category: str, layer: str, pts: np.ndarray) -> None:
        self.lines.setdefault((category, layer), []).append(pts)

    def is_empty(self) -> bool:
        return not (self.walls or self.columns or self.rooms or self.openings or self.lines or self.faces)
