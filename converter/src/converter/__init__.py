"""CAD-to-kiosk converter: floor-plan drawings to architectural glTF.

Stages over one format-neutral plan model: read → normalise → classify → build → write.
"""
from __future__ import annotations

__all__ = ["__version__"]
__version__ = "0.1.0"
