"""Draw a Scene with Pillow into PNG bytes, deterministically (same scene, preset and rng -> same bytes).

The font is Pillow's built-in one (`ImageFont.load_default(size)`), so no system font is involved; the
PNG carries no timestamp. Labels are placed by a small search: the preferred side first, then turned
directions, rejecting boxes that leave the image or touch another label and preferring those that cover
the fewest line pixels; each is drawn black on a white box so it stays legible over lines."""

from __future__ import annotations

import io
import math
import random
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .presets import Preset
from .scene import Label, Point, Scene

INK = (0, 0, 0)
PAPER = (255, 255, 255)
# Turns of the preferred label direction tried in order, degrees.
TURNS = (0, 25, -25, 50, -50, 75, -75, 105, -105, 140, -140, 180)
# Distances tried, as multiples of the minimum gap from the anchor.
GROWS = (1.0, 1.8, 2.8, 4.0)
# Cost of an angle label nearer to another vertex than its own: worse than covering any line.
MISPLACED = 10_000


@dataclass(frozen=True)
class Style:
    size: int
    label_px: int
    point_px: int
    line: int
    bold: int

    @classmethod
    def of(cls, p: Preset, image_size: int, font_scale: float) -> "Style":
        return cls(image_size, max(8, round(image_size * p.label_scale * font_scale)),
                   max(7, round(image_size * p.point_scale * font_scale)),
                   max(1, round(image_size * p.line_scale)), p.bold)


@lru_cache(maxsize=64)
def font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=px)


def render(scene: Scene, p: Preset, rng: random.Random, image_size: int | None = None,
           font_scale: float = 1.0) -> tuple[bytes, list[dict]]:
    """PNG bytes of the scene and, per drawn label, {text, kind, key, center, box, anchor, size, stroke};
    `anchor` is the pixel the label belongs to (a point, a side's midpoint, an angle's vertex)."""
    st = Style.of(p, image_size or p.image_size, font_scale)
    to_px = _fit(scene, st, rng.uniform(0, 360) if p.rotate else 0.0)
    img = Image.new("RGB", (st.size, st.size), PAPER)
    draw = ImageDraw.Draw(img)
    _draw_geometry(draw, scene, to_px, st)
    obstacles = _samples(scene, to_px, st)
    corners = np.array(sorted(to_px(q) for q in _corners(scene)))
    centre = np.mean([to_px(q) for q in scene.points()], axis=0)
    placed: list[tuple[float, float, float, float]] = []
    out = []
    # Values first (they matter most), then distractors, then point names.
    order = {"value": 0, "unknown": 0, "distractor": 1, "point": 2}
    for lab in sorted(scene.labels, key=lambda lb: order[lb.kind]):
        px = st.point_px if lab.kind == "point" else st.label_px
        stroke = 0 if lab.kind == "point" else st.bold
        c = _place(lab, to_px, centre, px, stroke, st, p, rng, placed, obstacles, corners)
        box = draw.textbbox(c, lab.text, font=font(px), anchor="mm", stroke_width=stroke)
        pad = max(1, st.line)
        draw.rectangle((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad), fill=PAPER)
        draw.text(c, lab.text, font=font(px), anchor="mm", fill=INK, stroke_width=stroke, stroke_fill=INK)
        placed.append((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad))
        anchor = [round(v, 1) for v in to_px(lab.at)]
        out.append({"text": lab.text, "kind": lab.kind, "key": lab.key, "center": list(c), "box": list(box),
                    "anchor": anchor, "size": px, "stroke": stroke})
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue(), out


def _fit(scene: Scene, st: Style, degrees: float):
    """Rotate model coordinates and scale them into the image, leaving a margin for labels."""
    ca, sa = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))

    def rot(q: Point) -> Point:
        return (q[0] * ca - q[1] * sa, q[0] * sa + q[1] * ca)

    pts = [rot(q) for q in scene.points()]
    x0, y0 = min(q[0] for q in pts), min(q[1] for q in pts)
    x1, y1 = max(q[0] for q in pts), max(q[1] for q in pts)
    margin = st.label_px * 0.9 + st.point_px * 0.6 + st.line
    k = (st.size - 2 * margin) / max(x1 - x0, y1 - y0, 1e-9)
    ox = (st.size - k * (x1 - x0)) / 2 - k * x0
    oy = (st.size - k * (y1 - y0)) / 2 - k * y0

    def to_px(q: Point) -> tuple[float, float]:
        r = rot(q)
        return (ox + k * r[0], oy + k * r[1])

    to_px.scale = k  # type: ignore[attr-defined]
    return to_px


def _draw_geometry(draw: ImageDraw.ImageDraw, s: Scene, to_px, st: Style) -> None:
    w = st.line
    for a, b in s.segments:
        draw.line([to_px(a), to_px(b)], fill=INK, width=w)
    for c, r in s.circles:
        (cx, cy), rr = to_px(c), r * to_px.scale
        draw.ellipse((cx - rr, cy - rr, cx + rr, cy + rr), outline=INK, width=w)
    for q in s.dots:
        x, y = to_px(q)
        d = w * 1.5 + 1
        draw.ellipse((x - d, y - d, x + d, y + d), fill=INK)
    mark = st.size * 0.055
    for v, a, b in s.right_angles:
        pv, ua, ub = to_px(v), _dir(to_px(v), to_px(a)), _dir(to_px(v), to_px(b))
        p1 = (pv[0] + ua[0] * mark, pv[1] + ua[1] * mark)
        p3 = (pv[0] + ub[0] * mark, pv[1] + ub[1] * mark)
        p2 = (p1[0] + ub[0] * mark, p1[1] + ub[1] * mark)
        draw.line([p1, p2, p3], fill=INK, width=max(1, w - 1))
    for v, a, b in s.arcs:
        pv = to_px(v)
        t1, t2 = (math.degrees(math.atan2(*reversed(_dir(pv, to_px(q))))) for q in (a, b))
        start, end = (t1, t2) if (t2 - t1) % 360 <= 180 else (t2, t1)
        r = _arc_radius(st)
        draw.arc((pv[0] - r, pv[1] - r, pv[0] + r, pv[1] + r), start, end, fill=INK, width=max(1, w - 1))
    for a, b in s.arrows:
        (mx, my), u = to_px(((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)), _dir(to_px(a), to_px(b))
        m = mark * 0.8
        for side in (1, -1):
            draw.line([(mx - u[0] * m - side * u[1] * m * 0.6, my - u[1] * m + side * u[0] * m * 0.6), (mx, my)],
                      fill=INK, width=w)
    for a, b in s.ticks:
        (mx, my), u = to_px(((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)), _dir(to_px(a), to_px(b))
        m = mark * 0.6
        draw.line([(mx - u[1] * m, my + u[0] * m), (mx + u[1] * m, my - u[0] * m)], fill=INK, width=w)


def _place(lab: Label, to_px, centre, px: int, stroke: int, st: Style, p: Preset, rng: random.Random,
           placed: list, obstacles: np.ndarray, corners: np.ndarray) -> tuple[int, int]:
    """The label centre: the first candidate inside the image, clear of other labels and of lines; if none
    is clear of lines, the one covering the fewest line points. An angle label must also lie nearer to its
    own vertex than to any other corner of the figure, or a reader would give it to the wrong angle."""
    at = np.array(to_px(lab.at))
    if lab.vertex:  # an angle label: inside the angle, beyond its arc; move out before turning
        d, start = np.array(to_px(lab.toward)) - at, _arc_radius(st) * 1.05
        order = [(g, t) for t in TURNS[:3] for g in GROWS] + [(g, t) for g in GROWS for t in TURNS[3:]]
    else:
        d = at - centre if lab.toward is None else np.array(to_px(lab.toward)) - at
        start = st.line * 2 + 2.0
        order = [(g, t) for g in GROWS for t in TURNS]
    if np.hypot(*d) < 1e-6:
        d = np.array([0.0, -1.0])
    base = math.atan2(d[1], d[0]) + (rng.uniform(-p.label_jitter, p.label_jitter) if p.label_jitter else 0.0)
    l, t, r, b = font(px).getbbox(lab.text, anchor="mm", stroke_width=stroke)
    hw, hh = (r - l) / 2 + st.line + 1, (b - t) / 2 + st.line + 1
    best, best_cost = None, math.inf
    for grow, turn in order:
        a = base + math.radians(turn)
        u = (math.cos(a), math.sin(a))
        reach = start * grow + abs(u[0]) * hw + abs(u[1]) * hh
        cx, cy = round(at[0] + u[0] * reach - (l + r) / 2), round(at[1] + u[1] * reach - (t + b) / 2)
        box = (cx + l - st.line - 1, cy + t - st.line - 1, cx + r + st.line + 1, cy + b + st.line + 1)
        if box[0] < 0 or box[1] < 0 or box[2] > st.size or box[3] > st.size:
            continue
        if any(_overlap(box, q) for q in placed):
            continue
        cost = int(((obstacles[:, 0] >= box[0]) & (obstacles[:, 0] <= box[2]) &
                    (obstacles[:, 1] >= box[1]) & (obstacles[:, 1] <= box[3])).sum())
        if lab.vertex:
            mid = np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])
            if np.hypot(*(corners - mid).T).min() < np.hypot(*(at - mid)) - 0.5:
                cost += MISPLACED
        if cost < best_cost:
            best, best_cost = (cx, cy), cost
            if cost == 0:
                break
    if best is None:  # nothing fits: clamp the preferred spot into the image
        u = d / np.hypot(*d)
        cx = min(max(at[0] + u[0] * (start + hw), hw), st.size - hw)
        cy = min(max(at[1] + u[1] * (start + hh), hh), st.size - hh)
        best = (round(cx), round(cy))
    return best


def _samples(s: Scene, to_px, st: Style) -> np.ndarray:
    """Points along every drawn line, circle and dot, for the label-overlap cost."""
    pts = []
    for a, b in s.segments:
        pa, pb = np.array(to_px(a)), np.array(to_px(b))
        n = max(2, int(np.hypot(*(pb - pa)) / 2))
        pts.append(pa + np.linspace(0, 1, n)[:, None] * (pb - pa))
    for c, r in s.circles:
        (cx, cy), rr = to_px(c), r * to_px.scale
        t = np.linspace(0, 2 * np.pi, max(8, int(2 * np.pi * rr / 2)))
        pts.append(np.stack([cx + rr * np.cos(t), cy + rr * np.sin(t)], axis=1))
    for q in s.dots:  # a vertex weighs as much as a long stretch of line
        pts.append(np.repeat(np.array([to_px(q)]), 20, axis=0))
    return np.concatenate(pts) if pts else np.zeros((0, 2))


def _corners(s: Scene) -> set[Point]:
    """Points where an angle could be read: where two segments meet, and every marked angle's vertex."""
    ends = Counter(q for seg in s.segments for q in seg)
    return {q for q, k in ends.items() if k >= 2} | {v for v, _, _ in s.arcs} | {v for v, _, _ in s.right_angles}


def _arc_radius(st: Style) -> float:
    return st.size * 0.07


def _dir(a, b) -> tuple[float, float]:
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = math.hypot(dx, dy) or 1.0
    return (dx / n, dy / n)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
