"""Normalise a plan: units to metres, absurd coordinates refused, origin kept for later centring."""
from __future__ import annotations

from .units import normalise_units
from .extent import check_extent

__all__ = ["normalise_units", "check_extent"]
