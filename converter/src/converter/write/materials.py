"""One material per category, named after it, so the kiosk can restyle by name."""
from __future__ import annotations

__all__ = ["MATERIALS"]

#: name → (base colour RGBA linear, alpha mode, double sided)
MATERIALS: dict[str, tuple[tuple[float, float, float, float], str, bool]] = {
    "wall": ((0.85, 0.85, 0.82, 1.0), "OPAQUE", False),
    "column": ((0.55, 0.55, 0.58, 1.0), "OPAQUE", False),
    "door": ((0.55, 0.35, 0.18, 1.0), "OPAQUE", False),
    "glass": ((0.55, 0.75, 0.9, 0.35), "BLEND", True),
    "floor": ((0.78, 0.7, 0.55, 1.0), "OPAQUE", False),
    "surface": ((0.7, 0.7, 0.7, 1.0), "OPAQUE", True),
    "wall-lines": ((0.3, 0.3, 0.3, 1.0), "OPAQUE", False),
    "door-lines": ((0.45, 0.25, 0.1, 1.0), "OPAQUE", False),
    "window-lines": ((0.2, 0.4, 0.7, 1.0), "OPAQUE", False),
    "column-lines": ((0.35, 0.35, 0.35, 1.0), "OPAQUE", False),
    "stair-lines": ((0.4, 0.2, 0.5, 1.0), "OPAQUE", False),
    "room-lines": ((0.6, 0.5, 0.3, 1.0), "OPAQUE", False),
    "annotation-lines": ((0.1, 0.2, 0.6, 1.0), "OPAQUE", False),
    "other-lines": ((0.45, 0.45, 0.45, 1.0), "OPAQUE", False),
}
