"""Readers: turn a source file into a :class:`converter.plan.Plan`. Only ``dxf`` so far."""
from __future__ import annotations
