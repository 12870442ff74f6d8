"""Scale a plan to metres.

Why a guess at all: many drawings say nothing ($INSUNITS = 0). Floor plans are most often drawn
in millimetres, centimetres or metres; a building's footprint gives the answer reliably enough,
and the report says it was a guess (the ``units`` option overrides).
"""
from __future__ import annotations

import math

import numpy as np

from ..classify.layers import category_of_name
from ..errors import BadOptions
from ..plan.model import Plan

__all__ = ["INSUNITS_NAMES", "UNIT_TO_METRES", "unit_scale", "normalise_units", "guess_unit", "door_swing_unit"]

#: DXF $INSUNITS codes → unit names.
INSUNITS_NAMES: dict[int, str] = {
    1: "in", 2: "ft", 3: "mi", 4: "mm", 5: "cm", 6: "m", 7: "km", 8: "uin", 9: "mil", 10: "yd",
    11: "angstrom", 12: "nm", 13: "um", 14: "dm", 15: "dam", 16: "hm", 17: "Gm", 21: "ft-us",
}
UNIT_TO_METRES: dict[str, float] = {
    "in": 0.0254, "ft": 0.3048, "mi": 1609.344, "mm": 0.001, "cm": 0.01, "m": 1.0, "km": 1000.0,
    "uin": 0.0254e-6, "mil": 0.0254e-3, "yd": 0.9144, "angstrom": 1e-10, "nm": 1e-9, "um": 1e-6,
    "dm": 0.1, "dam": 10.0, "hm": 100.0, "Gm": 1e9, "ft-us": 1200 / 3937,
}


def unit_scale(unit: str) -> float:
    try:
        return UNIT_TO_METRES[unit]
    except KeyError:
        raise BadOptions(f"unknown unit {unit!r}") from None


def guess_unit(plan: Plan) -> str:
    """Pick mm / cm / m from the robust span of the geometry (5th–95th percentile)."""
    pts = [p.points for p in plan.paths] + [r.exterior for r in plan.regions]
    if not pts:
        return "m"
    allpts = np.concatenate(pts)
    lo = np.percentile(allpts, 5, axis=0)
    hi = np.percentile(allpts, 95, axis=0)
    span = float(np.max(hi - lo))
    if span > 2000:
        return "mm"
    if span > 300:
        return "cm"
    return "m"


#: A door leaf (swing radius) is 0.5–1.6 m in every building code we know of.
_DOOR_METRES = (0.5, 1.6)
_DOOR_TYPICAL = 0.9
#: Quarter arcs off door layers count as evidence only when at least this many agree.
_MIN_FREE_SWINGS = 3
#: A building plan spans more than this and less than that (m); beyond, the unit is wrong.
_PLAN_SPAN = (3.0, 5000.0)


def _span(plan: Plan) -> float:
    pts = [p.points for p in plan.paths] + [r.exterior for r in plan.regions]
    if not pts:
        return 0.0
    allpts = np.concatenate(pts)
    return float(np.max(np.percentile(allpts, 95, axis=0) - np.percentile(allpts, 5, axis=0)))


def _swing_radii(plan: Plan) -> list[float]:
    """Radii of the door swings: quarter arcs on door layers or in door blocks, else quarter arcs
    anywhere when there are a few of them (unnamed plans); empty when there is no such evidence."""
    radii = [p.arc.radius for p in plan.paths if p.arc is not None and 1.05 <= p.arc.sweep <= 2.1
             and "door" in (category_of_name(p.layer), category_of_name(p.block))]
    if not radii:
        radii = [p.arc.radius for p in plan.paths if p.arc is not None and 1.4 <= p.arc.sweep <= 1.75]
        if len(radii) < _MIN_FREE_SWINGS:
            radii = _leafed_radii(plan)
            if len(radii) < _MIN_FREE_SWINGS:
                return []
    return radii


def _leafed_radii(plan: Plan) -> list[float]:
    """Radii of arcs drawn with their door leaf: a straight line from the arc's centre about one
    radius long (hand-drawn plans show doors ajar, with short arcs that alone prove nothing)."""
    arcs = [p.arc for p in plan.paths if p.arc is not None and 0.2 <= p.arc.sweep <= 2.1 and p.arc.radius > 0]
    if len(arcs) < _MIN_FREE_SWINGS:
        return []
    lines = [p.points for p in plan.paths if p.arc is None and len(p.points) == 2]
    if not lines:
        return []
    ends = np.array(lines, dtype=float)  # (n, 2, 2)
    length = np.hypot(*(ends[:, 1] - ends[:, 0]).T)
    centre = np.array([(a.cx, a.cy) for a in arcs])
    r = np.array([a.radius for a in arcs])
    found = []
    for k in range(len(arcs)):
        d = np.minimum(np.hypot(*(ends[:, 0] - centre[k]).T), np.hypot(*(ends[:, 1] - centre[k]).T))
        if np.any((d <= 0.05 * r[k]) & (np.abs(length - r[k]) <= 0.2 * r[k])):
            found.append(float(r[k]))
    return found


#: A floor plan's lines (walls, doors, furniture) are 3 cm to 30 m long at the median; the unit
#: that fits puts them at 0.2–15 m with the plan 3–500 m across.
_LINE_METRES, _LINE_TYPICAL, _BUILDING_SPAN = (0.03, 30.0), (0.2, 15.0), (3.0, 500.0)
_SAMPLE_PATHS = 20_000
_MIN_LINES = 8


def line_length_unit(plan: Plan, unit: str) -> tuple[str, float] | None:
    """A metric unit that makes the plan's straight lines plausibly long, when ``unit`` makes the
    median line 100 m long (cm drawn under an m header, no texts or doors to tell); with the
    median in drawing units."""
    pts = [p.points for p in plan.paths if p.arc is None and len(p.points) >= 2]
    if len(pts) < _MIN_LINES:
        return None
    step = max(1, len(pts) // _SAMPLE_PATHS)  # a median needs a sample, not every line
    lengths = np.concatenate([np.hypot(*np.diff(a, axis=0).T) for a in pts[::step]])
    lengths = lengths[lengths > 0]
    if len(lengths) < _MIN_LINES:
        return None
    med = float(np.median(lengths))
    if _LINE_METRES[0] <= med * unit_scale(unit) <= _LINE_METRES[1]:
        return None
    span = _span(plan)
    fits = [u for u in ("mm", "cm", "m") if _LINE_TYPICAL[0] <= med * UNIT_TO_METRES[u] <= _LINE_TYPICAL[1]
            and _BUILDING_SPAN[0] <= span * UNIT_TO_METRES[u] <= _BUILDING_SPAN[1]]
    if not fits:
        return None
    return min(fits, key=lambda u: abs(math.log(med * UNIT_TO_METRES[u]))), med


#: Room names are written 0.08–0.8 m tall on paper-scale plans (2–8 mm at 1:100).
_TEXT_METRES = (0.05, 1.0)


def text_height_unit(plan: Plan, unit: str) -> str | None:
    """A unit that makes the plan's texts (median height) and its span plausible, when ``unit``
    makes them absurd (a 25 m tall room name: the plan is in cm, whatever the header says)."""
    heights = [t.height for t in plan.texts if t.height > 0]
    if len(heights) < 3:
        return None
    h = float(np.median(heights))
    lo, hi = _TEXT_METRES
    if lo <= h * unit_scale(unit) <= hi:
        return None
    span = _span(plan)
    fits = [u for u in ("mm", "cm", "m") if lo <= h * UNIT_TO_METRES[u] <= hi
            and _PLAN_SPAN[0] <= span * UNIT_TO_METRES[u] <= _PLAN_SPAN[1]]
    return min(fits, key=lambda u: abs(math.log(h * UNIT_TO_METRES[u] / 0.25))) if fits else None


def _swings_fit(plan: Plan, unit: str) -> bool:
    """Door swings exist and are door-sized in ``unit``: the unit is confirmed, whatever the size."""
    radii = _swing_radii(plan)
    return bool(radii) and _DOOR_METRES[0] <= float(np.median(radii)) * unit_scale(unit) <= _DOOR_METRES[1]


def door_swing_unit(plan: Plan, unit: str) -> tuple[str, float] | None:
    """A unit that makes the door swings door-sized, when ``unit`` does not; with the median radius.

    Why: files often declare the CAD template's unit ($INSUNITS inches) while the plan is drawn in
    millimetres; read as declared, a 900 mm door becomes 23 m and walls turn into halls. Only
    quarter-circle arcs on door layers or in door blocks count as evidence, so furniture cannot.
    """
    radii = _swing_radii(plan)
    if not radii:
        return None
    r = float(np.median(radii))
    lo, hi = _DOOR_METRES
    if r <= 0 or lo <= r * unit_scale(unit) <= hi:
        return None
    fits = [u for u in ("mm", "cm", "m", "in", "ft") if lo <= r * UNIT_TO_METRES[u] <= hi]
    if not fits:
        return None
    return min(fits, key=lambda u: abs(math.log(r * UNIT_TO_METRES[u] / _DOOR_TYPICAL))), r


def _checked_unit(plan: Plan, unit: str) -> str:
    """``unit``, or the unit the drawing's own evidence asks for (a warning says which): door
    swings first, then text heights, the plan's span, and its lines' median length."""
    reason, better = None, None
    corrected = door_swing_unit(plan, unit)
    if corrected is not None:
        better, radius = corrected
        reason = f"its door swings measure {radius:g} units ({radius * unit_scale(unit):.1f} m)"
    elif not _swings_fit(plan, unit):  # door-sized swings confirm the unit of a very long plan too
        span = _span(plan) * unit_scale(unit)
        by_text = text_height_unit(plan, unit)
        if by_text is not None:
            better = by_text
            height = np.median([t.height for t in plan.texts if t.height > 0]) * unit_scale(unit)
            reason = f"then its texts would be {height:.3g} m tall"
        elif span and not (_PLAN_SPAN[0] <= span <= _PLAN_SPAN[1]):
            better, reason = guess_unit(plan), f"then it would span {span:.3g} m"
        elif (by_lines := line_length_unit(plan, unit)) is not None:
            better, median = by_lines
            reason = f"then its lines would be {median * unit_scale(unit):.3g} m long (median)"
    if better is None or better == unit:
        return unit
    plan.warnings.append(f"the drawing's units say {unit}, but {reason}; read as {better} instead "
                         f"(set the units option to override)")
    plan.source["unitsCorrected"] = {"declared": unit, "used": better}
    return better


def normalise_units(plan: Plan, override: str | None = None) -> Plan:
    """Scale every primitive of ``plan`` in place to metres; returns the plan for chaining."""
    unit = override or plan.unit
    if unit is None:
        unit = guess_unit(plan)
        plan.warnings.append(f"drawing units not set ($INSUNITS=0); guessed {unit} from its size")
        plan.source["unitsGuessed"] = True
    if not override:
        unit = _checked_unit(plan, unit)
    s = unit_scale(unit)
    plan.source["units"] = unit
    plan.source["unitsOverridden"] = bool(override)
    plan.scale = 1.0
    if s == 1.0:
        return plan
    shared = plan.shared_points
    for arr in shared:
        arr *= s
    for p in plan.paths:
        if not shared or not any(p.points.base is arr for arr in shared):
            p.points = p.points * s
        p.width *= s
        if p.arc is not None:
            p.arc.cx *= s
            p.arc.cy *= s
            p.arc.radius *= s
    for r in plan.regions:
        r.exterior = r.exterior * s
        r.holes = [h * s for h in r.holes]
    for t in plan.texts:
        t.position = t.position * s
        t.height *= s
    for f in plan.faces:
        f.triangles = f.triangles * s
    return plan
