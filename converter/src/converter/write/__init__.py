"""Writers: scene → file. Only GLB so far."""
from __future__ import annotations

from .glb import write_glb, scene_to_glb

__all__ = ["write_glb", "scene_to_glb"]
