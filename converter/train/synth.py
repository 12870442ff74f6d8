"""A deterministic synthetic floor-plan renderer with labels, for training the symbol detector.

Why our own data: no weights can be downloaded here and public floor-plan sets are mostly
non-commercial. Each sample is a random building (rectangular shell split into rooms, walls of
random thickness and fill), doors as gaps with a leaf and a swing arc, windows in several symbol
styles, stairs, furniture clutter, room names in several languages, area tags, dimension lines,
north arrows; then ``degrade`` makes it look scanned. Labels are YOLO boxes for the classes in
``CLASSES``; the wall mask comes along for measuring wall finders.

The same seed gives the same image. The tests never use these plans: they scan the project's own
test plans (``tests/plans.py``), a split the model never trained on.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from degrade import degrade

__all__ = ["CLASSES", "Sample", "random_plan", "render_sample"]

CLASSES = ["door", "window", "stair"]
SUPER = 3  # supersampling factor: draw large, shrink with a box filter (anti-aliased strokes)
FONTS = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf", "DejaVuSansCondensed.ttf"]
NAMES = ["Living", "Kitchen", "Bed", "Bath", "WC", "Hall", "Office", "Store", "Wohnen", "Küche", "Schlafen",
         "Bad", "Diele", "Flur", "Séjour", "Cuisine", "Chambre", "Salle de bain", "Sala", "Cocina", "Dormitorio",
         "Baño", "Soggiorno", "Cucina", "Гостиная", "Кухня", "Спальня", "Σαλόνι", "Κουζίνα", "Woonkamer", "Keuken"]


@dataclass
class Wall:
    x0: float
    y0: float
    x1: float
    y1: float
    t: float
    exterior: bool

    @property
    def horizontal(self) -> bool:
        return abs(self.y1 - self.y0) < 1e-9

    @property
    def length(self) -> float:
        return abs(self.x1 - self.x0) + abs(self.y1 - self.y0)


@dataclass
class Opening:
    kind: str  # door | window
    wall: Wall
    a: float  # start along the wall (m from x0/y0)
    w: float  # width (m)
    side: int = 1  # door: which side it swings to (+1/-1 across the wall)
    hinge: int = 0  # door: 0 = hinge at the start, 1 = at the end
    style: int = 0


@dataclass
class Sample:
    walls: list[Wall]
    openings: list[Opening]
    stairs: list[tuple[float, float, float, float, bool]]
    rooms: list[tuple[float, float, float, float]]
    size: tuple[float, float]
    extras: dict = field(default_factory=dict)


def _split(rng, rect, depth, out):
    x0, y0, x1, y1 = rect
    w, h = x1 - x0, y1 - y0
    if depth == 0 or max(w, h) < 4.5 or rng.random() < 0.15 * (3 - depth):
        out.append(rect)
        return []
    vertical = w > h if rng.random() < 0.8 else w <= h
    if vertical and w < 4.5 or not vertical and h < 4.5:
        vertical = not vertical
    lo, hi = (x0, x1) if vertical else (y0, y1)
    c = float(rng.uniform(lo + 2.0, hi - 2.0))
    if vertical:
        seg = (c, y0, c, y1)
        a, b = (x0, y0, c, y1), (c, y0, x1, y1)
    else:
        seg = (x0, c, x1, c)
        a, b = (x0, y0, x1, c), (x0, c, x1, y1)
    return [seg] + _split(rng, a, depth - 1, out) + _split(rng, b, depth - 1, out)


def random_plan(rng: np.random.Generator) -> Sample:
    """A random building in metres (origin at the shell's outer corner, y up)."""
    W, H = float(rng.uniform(6, 15)), float(rng.uniform(5, 11))
    te, ti = float(rng.uniform(0.15, 0.45)), float(rng.uniform(0.08, 0.2))
    rooms: list = []
    inner = _split(rng, (0, 0, W, H), 3, rooms)
    walls = [Wall(0, 0, W, 0, te, True), Wall(W, 0, W, H, te, True), Wall(0, H, W, H, te, True), Wall(0, 0, 0, H, te, True)]
    walls += [Wall(*s, ti, False) for s in inner]
    openings: list[Opening] = []
    for wall in walls:
        taken: list[tuple[float, float]] = []
        margin = te + 0.15
        L = wall.length
        if wall.exterior:
            wants = [("window", float(rng.uniform(0.6, 2.4))) for _ in range(int(rng.integers(0, 4)))]
            if rng.random() < 0.4:
                wants.append(("door", float(rng.uniform(0.8, 1.1))))
        else:
            wants = [("door", float(rng.uniform(0.7, 1.0)))] if rng.random() < 0.85 else []
            if rng.random() < 0.15:
                wants.append(("door", float(rng.uniform(0.7, 0.9))))
        for kind, w in wants:
            for _ in range(10):
                a = float(rng.uniform(margin, max(margin, L - margin - w)))
                if a + w > L - margin:
                    break
                if all(a + w + 0.3 < s or a > e + 0.3 for s, e in taken):
                    taken.append((a, a + w))
                    openings.append(Opening(kind, wall, a, w, side=int(rng.choice([-1, 1])), hinge=int(rng.integers(0, 2)),
                                            style=int(rng.integers(0, 4))))
                    break
    # Interior doors must not swing through the shell: drop those whose leaf leaves the building.
    openings = [o for o in openings if o.kind == "window" or _door_inside(o, W, H)]
    stairs = []
    if rng.random() < 0.45:
        r = rooms[int(rng.integers(0, len(rooms)))]
        rw, rh = r[2] - r[0], r[3] - r[1]
        sw, sl = float(rng.uniform(0.9, 1.2)), float(rng.uniform(2.2, 4.0))
        along_x = rw > rh
        if along_x and rw > sl + 0.6 and rh > sw + 0.6:
            x = r[0] + 0.2 + float(rng.uniform(0, rw - sl - 0.4)); y = r[1] + 0.2 + float(rng.uniform(0, rh - sw - 0.4))
            stairs.append((x, y, x + sl, y + sw, True))
        elif not along_x and rh > sl + 0.6 and rw > sw + 0.6:
            x = r[0] + 0.2 + float(rng.uniform(0, rw - sw - 0.4)); y = r[1] + 0.2 + float(rng.uniform(0, rh - sl - 0.4))
            stairs.append((x, y, x + sw, y + sl, False))
    return Sample(walls, openings, stairs, rooms, (W, H))


def _door_inside(o: Opening, W: float, H: float) -> bool:
    c = _opening_frame(o)
    (px, py), (ux, uy), (nx, ny) = c
    tip = (px + nx * o.side * (o.wall.t / 2 + o.w), py + ny * o.side * (o.wall.t / 2 + o.w))
    return -0.01 <= tip[0] <= W + 0.01 and -0.01 <= tip[1] <= H + 0.01 or o.wall.exterior


def _opening_frame(o: Opening):
    """Start point on the wall's centre line, unit direction along, unit normal."""
    w = o.wall
    ux, uy = (1.0, 0.0) if w.horizontal else (0.0, 1.0)
    return (w.x0 + ux * o.a, w.y0 + uy * o.a), (ux, uy), (-uy, ux)


def _font(rng, px):
    return ImageFont.truetype(FONTS[int(rng.integers(0, len(FONTS)))], max(6, int(px)))


def render_sample(rng: np.random.Generator, size: int = 256, plan: Sample | None = None, strength: float = 1.0,
                  info: dict | None = None):
    """Render a random plan: returns (RGB image, labels [(cls, x0, y0, x1, y1) px], wall mask bool array).

    ``info``, when given, receives facts about the page (``wall_style``, ``ppm``).
    """
    s = plan or random_plan(rng)
    W, H = s.size
    margin = float(rng.uniform(0.06, 0.16))
    ppm = (1 - 2 * margin) * size / max(W, H)  # pixels per metre (final image)
    ox = (size - W * ppm) / 2 + float(rng.uniform(-0.04, 0.04)) * size
    oy = (size - H * ppm) / 2 + float(rng.uniform(-0.04, 0.04)) * size
    S = SUPER
    k = ppm * S
    img = Image.new("RGB", (size * S, size * S), (255, 255, 255))
    mask = Image.new("L", (size * S, size * S), 0)
    d, dm = ImageDraw.Draw(img), ImageDraw.Draw(mask)

    def P(x, y):
        return ((ox + x * ppm) * S, (oy + (H - y) * ppm) * S)

    def rect(x0, y0, x1, y1):
        a, b = P(x0, y0), P(x1, y1)
        return [min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])]

    ink = tuple(int(v) for v in rng.integers(0, 70, 3)) if rng.random() < 0.3 else (0, 0, 0)
    thin = max(1, int(round(rng.uniform(0.6, 1.6) * S)))
    # Room fills (colour plans) and names.
    if rng.random() < 0.35:
        for r in s.rooms:
            col = tuple(int(v) for v in rng.integers(190, 256, 3))
            d.rectangle(rect(*r), fill=col)
    # Stairs.
    labels = []
    for x0, y0, x1, y1, along_x in s.stairs:
        d.rectangle(rect(x0, y0, x1, y1), outline=ink, width=thin)
        step = float(rng.uniform(0.22, 0.32))
        n = int(((x1 - x0) if along_x else (y1 - y0)) / step)
        for i in range(1, n):
            if along_x:
                d.line([P(x0 + i * step, y0), P(x0 + i * step, y1)], fill=ink, width=thin)
            else:
                d.line([P(x0, y0 + i * step), P(x1, y0 + i * step)], fill=ink, width=thin)
        if rng.random() < 0.5:
            cy = (y0 + y1) / 2 if along_x else None
            if along_x:
                d.line([P(x0 + 0.2, cy), P(x1 - 0.2, cy)], fill=ink, width=thin)
            else:
                cx = (x0 + x1) / 2
                d.line([P(cx, y0 + 0.2), P(cx, y1 - 0.2)], fill=ink, width=thin)
        labels.append((2, *rect(x0, y0, x1, y1)))
    # Furniture clutter.
    for r in s.rooms:
        for _ in range(int(rng.integers(0, 3))):
            fw, fh = float(rng.uniform(0.4, 2.0)), float(rng.uniform(0.4, 2.0))
            if r[2] - r[0] < fw + 0.8 or r[3] - r[1] < fh + 0.8:
                continue
            fx = r[0] + 0.4 + float(rng.uniform(0, r[2] - r[0] - fw - 0.8))
            fy = r[1] + 0.4 + float(rng.uniform(0, r[3] - r[1] - fh - 0.8))
            box = rect(fx, fy, fx + fw, fy + fh)
            if any(_overlap(box, lab[1:]) for lab in labels):
                continue
            if rng.random() < 0.5:
                d.rectangle(box, outline=ink, width=thin)
                if rng.random() < 0.5:
                    d.line([box[0], box[1], box[2], box[3]], fill=ink, width=thin)
            else:
                d.ellipse(box, outline=ink, width=thin)
    # Walls: solid, grey, hatched or outlined.
    wall_style = rng.choice(["solid", "solid", "grey", "hatch", "outline"], p=[0.35, 0.15, 0.25, 0.13, 0.12])
    if info is not None:
        info.update(wall_style=str(wall_style), ppm=ppm)
    wall_fill = {"solid": ink, "grey": tuple([int(rng.integers(60, 150))] * 3)}.get(wall_style, None)
    wall_rects = []
    for w in s.walls:
        h = w.t / 2
        if w.horizontal:
            wall_rects.append((min(w.x0, w.x1) - (h if w.exterior else 0), w.y0 - h, max(w.x0, w.x1) + (h if w.exterior else 0), w.y0 + h))
        else:
            wall_rects.append((w.x0 - h, min(w.y0, w.y1), w.x0 + h, max(w.y0, w.y1)))
    for wr in wall_rects:
        dm.rectangle(rect(*wr), fill=255)
    # Openings cut out of the mask (the solid wall excludes openings).
    cuts = []
    for o in s.openings:
        (px, py), (ux, uy), (nx, ny) = _opening_frame(o)
        h = o.wall.t / 2 + 0.001
        a = (px - nx * h, py - ny * h)
        b = (px + ux * o.w + nx * h, py + uy * o.w + ny * h)
        cuts.append(rect(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])))
    for c in cuts:
        dm.rectangle(c, fill=0)
    m = np.asarray(mask) > 127
    if wall_fill is not None:
        arr = np.asarray(img).copy()
        arr[m] = wall_fill
        img = Image.fromarray(arr)
        d = ImageDraw.Draw(img)
    else:
        # Outline the solid pieces; hatch inside.
        arr = np.asarray(img).copy()
        if wall_style == "hatch":
            yy, xx = np.mgrid[0:m.shape[0], 0:m.shape[1]]
            period = max(4, int(rng.uniform(0.05, 0.12) * k))
            stripes = ((xx + yy) % period) < max(1, thin)
            arr[m & stripes] = ink
        edge = m & ~_erode(m, thin)
        arr[edge] = ink
        img = Image.fromarray(arr)
        d = ImageDraw.Draw(img)
    # Door and window symbols.
    for o in s.openings:
        (px, py), (ux, uy), (nx, ny) = _opening_frame(o)
        t = o.wall.t
        if o.kind == "door":
            hx, hy = (px, py) if o.hinge == 0 else (px + ux * o.w, py + uy * o.w)
            sx, sy = (ux, uy) if o.hinge == 0 else (-ux, -uy)  # towards the other jamb
            fx, fy = hx + nx * o.side * t / 2, hy + ny * o.side * t / 2  # hinge on the wall face
            tip = (fx + nx * o.side * o.w, fy + ny * o.side * o.w)
            lw = thin if o.style != 1 else max(thin, int(0.04 * k))
            d.line([P(fx, fy), P(*tip)], fill=ink, width=lw)
            # Quarter arc from the leaf tip to the far jamb, centre at the hinge.
            a0 = math.atan2(ny * o.side, nx * o.side)
            a1 = math.atan2(sy, sx)
            da = (a1 - a0 + math.pi) % (2 * math.pi) - math.pi
            pts = [P(fx + o.w * math.cos(a0 + da * i / 24), fy + o.w * math.sin(a0 + da * i / 24)) for i in range(25)]
            if o.style == 3:
                for i in range(0, 24, 2):
                    d.line(pts[i:i + 2], fill=ink, width=thin)
            else:
                d.line(pts, fill=ink, width=thin)
            if o.style == 2:  # jamb marks
                for e in (0, o.w):
                    q = (px + ux * e, py + uy * e)
                    d.line([P(q[0] - nx * t / 2, q[1] - ny * t / 2), P(q[0] + nx * t / 2, q[1] + ny * t / 2)], fill=ink, width=thin)
            xs = [px - nx * t / 2, px + nx * t / 2, px + ux * o.w - nx * t / 2, px + ux * o.w + nx * t / 2, *(p[0] for p in [tip])]
            ys = [py - ny * t / 2, py + ny * t / 2, py + uy * o.w - ny * t / 2, py + uy * o.w + ny * t / 2, *(p[1] for p in [tip])]
            xs += [fx + o.w * math.cos(a0 + da * i / 8) for i in range(9)]
            ys += [fy + o.w * math.sin(a0 + da * i / 8) for i in range(9)]
            labels.append((0, *rect(min(xs), min(ys), max(xs), max(ys))))
        else:
            a = (px - nx * t / 2, py - ny * t / 2)
            b = (px + ux * o.w + nx * t / 2, py + uy * o.w + ny * t / 2)
            r = rect(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
            style = o.style
            if style == 2:
                d.rectangle(r, fill=tuple(int(v) for v in rng.integers(200, 250, 3)), outline=ink, width=thin)
            else:
                d.rectangle(r, outline=ink, width=thin) if style in (1, 3) else None
                lines = (0.0, 0.5, 1.0) if style in (0, 1) else (0.35, 0.65)
                for f in lines:
                    q0 = (px + nx * t * (f - 0.5), py + ny * t * (f - 0.5))
                    q1 = (q0[0] + ux * o.w, q0[1] + uy * o.w)
                    d.line([P(*q0), P(*q1)], fill=ink, width=thin)
            pad = 0.06
            labels.append((1, *rect(min(a[0], b[0]) - pad * abs(nx), min(a[1], b[1]) - pad * abs(ny),
                                    max(a[0], b[0]) + pad * abs(nx), max(a[1], b[1]) + pad * abs(ny))))
    # Texts: room names, areas, dimensions, a north arrow.
    for r in s.rooms:
        if rng.random() < 0.8:
            name = NAMES[int(rng.integers(0, len(NAMES)))]
            f = _font(rng, rng.uniform(0.22, 0.45) * k)
            cx, cy = P((r[0] + r[2]) / 2, (r[1] + r[3]) / 2)
            d.text((cx, cy), name, fill=ink, font=f, anchor="mm")
            if rng.random() < 0.5:
                area = (r[2] - r[0]) * (r[3] - r[1])
                d.text((cx, cy + 0.5 * k), f"{area:.1f} m²", fill=ink, font=_font(rng, 0.18 * k), anchor="mm")
    if rng.random() < 0.6:
        f = _font(rng, 0.22 * k)
        yd = -0.7
        d.line([P(0, yd), P(W, yd)], fill=ink, width=thin)
        for x in (0, W):
            d.line([P(x - 0.1, yd - 0.1), P(x + 0.1, yd + 0.1)], fill=ink, width=thin)
            d.line([P(x, yd - 0.25), P(x, yd + 0.25)], fill=ink, width=thin)
        d.text(P(W / 2, yd + 0.25), f"{W * 1000:.0f}" if rng.random() < 0.5 else f"{W:.2f}", fill=ink, font=f, anchor="mb")
    if rng.random() < 0.3:
        c = P(W + 0.6, H)
        rr = 0.3 * k
        d.ellipse([c[0] - rr, c[1] - rr, c[0] + rr, c[1] + rr], outline=ink, width=thin)
        d.polygon([(c[0], c[1] - rr), (c[0] - rr / 3, c[1] + rr / 2), (c[0] + rr / 3, c[1] + rr / 2)], fill=ink)
    img = img.resize((size, size), Image.BOX)
    m = np.asarray(Image.fromarray(m.astype(np.uint8) * 255).resize((size, size), Image.BOX)) > 127
    boxes = np.array([lab[1:] for lab in labels], dtype=np.float64).reshape(-1, 4) / S
    img, boxes = degrade(img, rng, boxes, strength=strength)
    out = [(lab[0], *b) for lab, b in zip(labels, boxes)]
    return img, out, m


def _overlap(a, b) -> bool:
    return not (a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1])


def _erode(m: np.ndarray, r: int) -> np.ndarray:
    out = m.copy()
    for _ in range(r):
        e = out.copy()
        e[1:, :] &= out[:-1, :]; e[:-1, :] &= out[1:, :]
        e[:, 1:] &= out[:, :-1]; e[:, :-1] &= out[:, 1:]
        out = e
    return out
