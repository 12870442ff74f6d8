"""Synthetic floor plans drawn with ezdxf, with their ground truth.

One 10 m × 6 m building, 0.2 m exterior walls, a 0.1 m interior wall at x = 6, three doors
(block, mirrored block, bare arc + leaf), four windows (block, rotated block, nested block, bare
lines), two named rooms, a dimension. Walls can be drawn as line pairs, closed polylines or
hatches; coordinates can be in mm or m. ``classify`` and ``solid_walls`` read a drawn plan back
the way the pipeline does, for tests that compare with the truth.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import ezdxf
import shapely
from shapely.geometry import Polygon, box

from converter.classify import classify_plan
from converter.normalise import check_extent, normalise_units
from converter.options import merge_options
from converter.read.dxf import read_dxf

__all__ = ["PlanTruth", "DOOR_GAPS", "WINDOW_GAPS", "draw_plan", "truth", "classify", "solid_walls"]


@dataclass
class PlanTruth:
    walls: Polygon
    doors: int
    windows: int
    rooms: dict[str, float] = field(default_factory=dict)


DOOR_GAPS = [box(1.5, 0.0, 2.4, 0.2), box(8.0, 0.0, 8.9, 0.2), box(5.95, 2.0, 6.05, 2.9)]
WINDOW_GAPS = [box(2.0, 5.8, 3.2, 6.0), box(6.5, 5.8, 8.0, 6.0), box(0.0, 2.5, 0.2, 3.7), box(9.8, 2.0, 10.0, 3.0)]


def truth() -> PlanTruth:
    shell = box(0, 0, 10, 6).difference(box(0.2, 0.2, 9.8, 5.8))
    inner = box(5.95, 0.2, 6.05, 5.8)
    walls = shapely.unary_union([shell, inner]).difference(shapely.unary_union(DOOR_GAPS + WINDOW_GAPS))
    return PlanTruth(walls, doors=3, windows=4, rooms={"Living": 5.75 * 5.6, "Kitchen": 3.75 * 5.6})


def draw_plan(path: str, wall_style: str = "lines", unit: str = "mm", version: str = "R2010",
              wall_layer: str = "A-WALL", door_layer: str = "A-DOOR", window_layer: str = "A-GLAZ",
              fmt: str = "asc") -> PlanTruth:
    s = 1000.0 if unit == "mm" else 1.0
    doc = ezdxf.new(version)
    doc.header["$INSUNITS"] = 4 if unit == "mm" else 6
    for name in (wall_layer, door_layer, window_layer, "A-ANNO-DIMS", "A-AREA-IDEN"):
        doc.layers.add(name)
    msp = doc.modelspace()
    t = truth()

    def P(x: float, y: float) -> tuple[float, float]:
        return (x * s, y * s)

    # Walls
    for poly in getattr(t.walls, "geoms", [t.walls]):
        rings = [poly.exterior, *poly.interiors]
        if wall_style == "lines":
            for ring in rings:
                c = list(ring.coords)
                for a, b in zip(c[:-1], c[1:]):
                    msp.add_line(P(*a), P(*b), dxfattribs={"layer": wall_layer})
        elif wall_style == "polylines":
            for ring in rings:
                msp.add_lwpolyline([P(*p) for p in ring.coords[:-1]], close=True, dxfattribs={"layer": wall_layer})
        elif wall_style == "hatch":
            h = msp.add_hatch(color=8, dxfattribs={"layer": wall_layer + "-PATT"})
            h.paths.add_polyline_path([P(*p) for p in poly.exterior.coords[:-1]], is_closed=True, flags=1)
            for ring in poly.interiors:
                h.paths.add_polyline_path([P(*p) for p in ring.coords[:-1]], is_closed=True, flags=0)
        else:
            raise ValueError(wall_style)

    # Door block: width along +x, leaf open along +y, hinge at the origin (drawn in metres × s).
    door = doc.blocks.new("DOOR_90")
    door.add_line((0, 0), (0, 0.9 * s))
    door.add_arc((0, 0), 0.9 * s, 0, 90)
    msp.add_blockref("DOOR_90", P(1.5, 0.2), dxfattribs={"layer": door_layer})
    msp.add_blockref("DOOR_90", P(8.9, 0.2), dxfattribs={"layer": door_layer, "xscale": -1})
    # Bare door: arc + leaf in the interior wall, swinging into the living room.
    msp.add_arc(P(6.05, 2.0), 0.9 * s, 90, 180, dxfattribs={"layer": door_layer})
    msp.add_line(P(6.05, 2.0), P(5.15, 2.0), dxfattribs={"layer": door_layer})

    # Window block: 1 unit wide along x, 0.2 m deep along +y; scaled to width by xscale.
    win = doc.blocks.new("WIN")
    for y in (0.0, 0.1, 0.2):
        win.add_line((0, y * s), (s, y * s))
    winset = doc.blocks.new("WINSET")
    winset.add_blockref("WIN", (0, 0))
    msp.add_blockref("WIN", P(2.0, 5.8), dxfattribs={"layer": window_layer, "xscale": 1.2})
    msp.add_blockref("WIN", P(0.2, 2.5), dxfattribs={"layer": window_layer, "xscale": 1.2, "rotation": 90})
    msp.add_blockref("WINSET", P(10.0, 2.0), dxfattribs={"layer": window_layer, "rotation": 90})
    for y in (5.8, 5.9, 6.0):
        msp.add_line(P(6.5, y), P(8.0, y), dxfattribs={"layer": window_layer})

    # Room names, an area tag and a dimension.
    msp.add_text("Living", dxfattribs={"layer": "A-AREA-IDEN", "height": 0.3 * s, "insert": P(3.0, 3.2)})
    msp.add_text("32.2 m2", dxfattribs={"layer": "A-AREA-IDEN", "height": 0.2 * s, "insert": P(3.0, 2.8)})
    msp.add_mtext("Kitchen", dxfattribs={"layer": "A-AREA-IDEN", "char_height": 0.3 * s, "insert": P(7.5, 3.5)})
    dim = msp.add_linear_dim(base=P(0, -1), p1=P(0, 0), p2=P(10, 0), dxfattribs={"layer": "A-ANNO-DIMS"})
    dim.render()
    doc.saveas(path, fmt=fmt)
    return t


def classify(path, **options):
    """read → normalise → classify of ``path``, as the pipeline runs them."""
    opts = merge_options(options)
    plan = read_dxf(str(path), opts)
    normalise_units(plan, opts.units)
    check_extent(plan)
    return classify_plan(plan, opts)


def solid_walls(b) -> shapely.Geometry:
    """The wall footprint with the openings cut out (what a kiosk sees as solid wall)."""
    walls = shapely.unary_union(list(b.walls.values()))
    plugs = [o.plug for o in b.openings if o.hosted]
    return walls.difference(shapely.unary_union(plugs)) if plugs else walls
