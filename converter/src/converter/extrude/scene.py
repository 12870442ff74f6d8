"""The 3-D scene handed to writers: a tree of named nodes with mesh parts, already in glTF's frame
(Y up, metres, centred). Writers never see plans or shapely."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["MeshPart", "Node", "to_gltf_frame"]


@dataclass(slots=True)
class MeshPart:
    """One glTF primitive: ``mode`` is ``triangles`` or ``lines``; indices are uint32."""

    material: str
    mode: str
    positions: np.ndarray
    indices: np.ndarray
    normals: np.ndarray | None = None

    @property
    def vertex_count(self) -> int:
        return len(self.positions)


@dataclass
class Node:
    """A glTF node. Nodes holding the *same* ``parts`` list share one mesh (instances: door and
    window types), placed by ``translation`` (x, y, z), ``rotation`` (quaternion x, y, z, w) and ``scale``."""

    name: str
    parts: list[MeshPart] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    extras: dict = field(default_factory=dict)
    translation: tuple[float, float, float] | None = None
    rotation: tuple[float, float, float, float] | None = None
    scale: tuple[float, float, float] | None = None

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


def to_gltf_frame(xyz: np.ndarray, origin: np.ndarray) -> np.ndarray:
    """Plan (x, y, z-up) → glTF (x, y-up, z towards the viewer), centred on ``origin`` (x, y).

    The map (x, y, z) → (x, z, −y) is a proper rotation, so triangle winding is kept.
    """
    out = np.empty((len(xyz), 3), dtype=np.float32)
    out[:, 0] = xyz[:, 0] - origin[0]
    out[:, 1] = xyz[:, 2]
    out[:, 2] = -(xyz[:, 1] - origin[1])
    return out
