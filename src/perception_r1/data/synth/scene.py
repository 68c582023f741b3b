"""What a synthetic problem is made of: a scene (geometry and labels in model coordinates, y down) and a
figure (the scene plus the facts, question, reasoning steps and answer). Pure data and small helpers."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from fractions import Fraction

Point = tuple[float, float]

# Point names skip O (kept for circle centres) and I (reads as 1).
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass
class Label:
    """Text drawn near `at`, pushed out along `toward` (None: away from the scene's centre). An angle label
    (`vertex=True`) starts beyond the angle's arc and must stay nearest its own vertex."""

    text: str
    at: Point
    toward: Point | None = None
    kind: str = "value"  # value | unknown | point | distractor
    key: str | None = None  # the fact's subject, e.g. "AC" or "m\\angle ABC"
    vertex: bool = False


@dataclass
class Scene:
    segments: list[tuple[Point, Point]] = field(default_factory=list)
    circles: list[tuple[Point, float]] = field(default_factory=list)
    dots: list[Point] = field(default_factory=list)
    right_angles: list[tuple[Point, Point, Point]] = field(default_factory=list)  # vertex, arm, arm
    arcs: list[tuple[Point, Point, Point]] = field(default_factory=list)  # vertex, arm, arm (the smaller angle)
    arrows: list[tuple[Point, Point]] = field(default_factory=list)  # parallel mark on segment, pointing to 2nd
    ticks: list[tuple[Point, Point]] = field(default_factory=list)  # equal-length tick on a segment
    labels: list[Label] = field(default_factory=list)

    def points(self) -> list[Point]:
        pts = [p for s in self.segments for p in s] + self.dots
        for (cx, cy), r in self.circles:
            pts += [(cx - r, cy - r), (cx + r, cy + r)]
        return pts

    def name_points(self, named: dict[str, Point]) -> None:
        for name, p in named.items():
            self.labels.append(Label(name, p, kind="point"))

    def side(self, p: Point, q: Point, text: str, key: str | None, kind: str = "value",
             toward: Point | None = None) -> None:
        """Label segment pq at its midpoint, on the side away from the scene centre (or toward `toward`)."""
        self.labels.append(Label(text, midpoint(p, q), toward, kind, key))

    def angle(self, vertex: Point, a: Point, b: Point, text: str, key: str | None, kind: str = "value") -> None:
        """Mark the angle a-vertex-b with an arc and put its label inside, along the bisector."""
        self.arcs.append((vertex, a, b))
        self.labels.append(Label(text, vertex, bisector_point(vertex, a, b), kind, key, vertex=True))


@dataclass
class Figure:
    """One problem before rendering. `facts` are the visual annotations V (paper style, LaTeX);
    `values` maps each fact's subject to the drawn value; `distractors` the drawn labels no step uses."""

    family: str
    scene: Scene
    question: str
    facts: list[str]
    values: dict[str, int | str]
    steps: list[str]
    short: str
    answer: str
    context: str = ""
    variant: str = ""
    distractors: dict[str, int | str] = field(default_factory=dict)


def midpoint(p: Point, q: Point) -> Point:
    return ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2)


def along(p: Point, q: Point, t: float) -> Point:
    return (p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t)


def polar(p: Point, r: float, deg: float) -> Point:
    """The point at distance r from p in direction `deg` (counter-clockwise on screen, y down)."""
    return (p[0] + r * math.cos(math.radians(deg)), p[1] - r * math.sin(math.radians(deg)))


def bisector_point(vertex: Point, a: Point, b: Point) -> Point:
    ua, ub = _unit(vertex, a), _unit(vertex, b)
    d = (ua[0] + ub[0], ua[1] + ub[1])
    if math.hypot(*d) < 1e-9:  # a straight angle: bisect with the normal
        d = (-ua[1], ua[0])
    return (vertex[0] + d[0], vertex[1] + d[1])


def _unit(p: Point, q: Point) -> Point:
    dx, dy = q[0] - p[0], q[1] - p[1]
    n = math.hypot(dx, dy) or 1.0
    return (dx / n, dy / n)


def names(rng: random.Random, k: int, random_names: bool, default: str) -> list[str]:
    """k point names: the family's customary letters, or k distinct random ones."""
    return rng.sample(LETTERS, k) if random_names else list(default[:k])


def extend(scene: Scene, p: Point, q: Point, qname: str, letter: str, value: int) -> str:
    """Distractor: extend segment pq beyond q to a new point and label the extension's length.
    Any length is consistent with the figure, and no solution step uses it. Returns the subject."""
    r = along(p, q, 1.4)
    scene.segments.append((q, r))
    scene.dots.append(r)
    scene.labels.append(Label(letter, r, kind="point"))
    scene.side(q, r, str(value), f"{qname}{letter}", kind="distractor")
    return f"{qname}{letter}"


def sqrt_latex(n: int) -> str:
    """sqrt(n) in simplest radical form: 25 -> '5', 8 -> '2\\sqrt{2}', 13 -> '\\sqrt{13}'."""
    k, m = 1, n
    for f in range(int(math.isqrt(n)), 1, -1):
        if n % (f * f) == 0:
            k, m = f, n // (f * f)
            break
    if m == 1:
        return str(k)
    return ("" if k == 1 else str(k)) + f"\\sqrt{{{m}}}"


def pi_latex(c: Fraction) -> str:
    """c·π in LaTeX: 10 -> '10\\pi', 1 -> '\\pi', 49/4 -> '\\frac{49}{4}\\pi'."""
    if c.denominator != 1:
        return f"\\frac{{{c.numerator}}}{{{c.denominator}}}\\pi"
    return "\\pi" if c == 1 else f"{c.numerator}\\pi"


def linear(coef: int, var: str, const: int) -> str:
    """A linear expression as drawn and annotated: (3, 'f', -6) -> '3f - 6'."""
    head = var if coef == 1 else f"{coef}{var}"
    if const == 0:
        return head
    return f"{head} {'+' if const > 0 else '-'} {abs(const)}"
