"""The format-neutral plan model shared by every reader (DXF now, vector PDF next)."""
from __future__ import annotations

from .model import Arc, Face3D, Path, Plan, Region, Text

__all__ = ["Arc", "Face3D", "Path", "Plan", "Region", "Text"]
