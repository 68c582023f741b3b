"""Problem families of the synthetic geometry world, Geometry3K-like: each draws a scene, states the atomic
visual facts the solution needs (annotations in the paper's LaTeX style), and solves the problem.

Every family is `family(rng, preset) -> Figure`. The values needed are labels in the scene; distractor
labels are consistent with the figure but used by no step. Register new families in FAMILIES."""

from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Callable

from .presets import Preset
from .scene import LETTERS, Figure, Label, Scene, along, extend, linear, names, pi_latex, polar, sqrt_latex


def right_triangle(rng: random.Random, p: Preset) -> Figure:
    """Pythagoras: two sides of a right triangle drawn, the third asked."""
    A, B, C = names(rng, 3, p.random_names, "ABC")
    lo, hi = p.values
    variant = "leg" if p.variety and rng.random() < 0.4 else "hypotenuse"
    if variant == "hypotenuse":
        a, b = rng.randint(lo, hi), rng.randint(lo, hi)  # BC, AC
        values = {f"{A}{C}": b, f"{B}{C}": a}
        ask, sq = f"{A}{B}", a * a + b * b
        first = f"By the Pythagorean theorem, {A}{B}^2 = {A}{C}^2 + {B}{C}^2 = {b}^2 + {a}^2 = {sq}."
        short = f"{A}{B} = \\sqrt{{{b}^2 + {a}^2}} = {sqrt_latex(sq)}."
        bx, by = a, b
    else:
        c = rng.randint(lo + 1, hi)
        a = rng.randint(lo, c - 1)
        values = {f"{A}{B}": c, f"{B}{C}": a}
        ask, sq = f"{A}{C}", c * c - a * a
        first = f"By the Pythagorean theorem, {A}{C}^2 = {A}{B}^2 - {B}{C}^2 = {c}^2 - {a}^2 = {sq}."
        short = f"{A}{C} = \\sqrt{{{c}^2 - {a}^2}} = {sqrt_latex(sq)}."
        bx, by = a, math.sqrt(sq)
    answer = sqrt_latex(sq)
    ratio = min(max(bx / by, 0.5), 2.0)  # drawn roughly to scale, never a sliver
    pc, pb, pa = (0.0, 0.0), (ratio, 0.0), (0.0, -1.0)
    pts = {A: pa, B: pb, C: pc}
    s = Scene(segments=[(pa, pb), (pb, pc), (pc, pa)], right_angles=[(pc, pa, pb)])
    s.name_points(pts)
    for key, v in values.items():
        s.side(pts[key[0]], pts[key[1]], str(v), key)
    facts = [f"{k} = {v}" for k, v in values.items()] + [f"m\\angle {A}{C}{B} = 90^\\circ"]
    fig = Figure("right_triangle", s, f"Find {ask}.", facts, values, [first, f"So {ask} = {_root(sq)}."],
                 short, answer, variant=variant)
    spare = _spare(rng, p, pts)
    _distract(fig, rng, p, [lambda: extend(s, pb, pc, C, next(spare), _value(rng, p)),
                            lambda: extend(s, pc, pa, A, next(spare), _value(rng, p))])
    return fig


def angle_sum(rng: random.Random, p: Preset) -> Figure:
    """Triangle angle sum: two angles drawn (or one interior and one exterior), the third is x."""
    A, B, C = names(rng, 3, p.random_names, "ABC")
    step = p.angle_step
    lo, hi = (25, 105) if p.variety else (40, 80)  # easy: roomy triangles, two-digit labels
    while True:
        al, be = _angle(rng, step, lo, hi), _angle(rng, step, lo, hi)
        ga = 180 - al - be
        if ga >= lo:
            break
    cb = math.sin(math.radians(be)) / math.sin(math.radians(ga))  # law of sines: AC / AB
    pa, pb = (0.0, 0.0), (1.0, 0.0)
    pc = polar(pa, cb, al)
    pts = {A: pa, B: pb, C: pc}
    s = Scene(segments=[(pa, pb), (pb, pc), (pc, pa)])
    s.name_points(pts)
    s.angle(pa, pb, pc, f"{al}°", f"m\\angle {B}{A}{C}")
    s.angle(pc, pa, pb, "x°", f"m\\angle {A}{C}{B}", kind="unknown")
    variant = "exterior" if p.variety and rng.random() < 0.4 else "interior"
    spare = _spare(rng, p, pts)
    if variant == "interior":
        s.angle(pb, pc, pa, f"{be}°", f"m\\angle {A}{B}{C}")
        values = {f"m\\angle {B}{A}{C}": al, f"m\\angle {A}{B}{C}": be}
        steps = [f"The angles of a triangle sum to 180^\\circ, so x + {al} + {be} = 180.",
                 f"x = 180 - {al} - {be} = {ga}."]
    else:
        D = next(spare)
        pd = along(pa, pb, 1.45)
        s.segments.append((pb, pd))
        s.name_points({D: pd})
        s.angle(pb, pc, pd, f"{180 - be}°", f"m\\angle {C}{B}{D}")
        values = {f"m\\angle {B}{A}{C}": al, f"m\\angle {C}{B}{D}": 180 - be}
        steps = [f"m\\angle {A}{B}{C} = 180^\\circ - {180 - be}^\\circ = {be}^\\circ (a linear pair).",
                 f"The angles of a triangle sum to 180^\\circ, so x = 180 - {al} - {be} = {ga}."]
    facts = [f"{k} = {v}^\\circ" for k, v in values.items()] + [f"m\\angle {A}{C}{B} = x^\\circ"]
    short = f"x = 180 - {al} - {be} = {ga}." if variant == "interior" else \
        f"x = {180 - be} - {al} = {ga}."
    fig = Figure("angle_sum", s, "Find x.", facts, values, steps, short, str(ga), variant=variant)
    _distract(fig, rng, p, [lambda: _side_distractor(s, pa, pb, f"{A}{B}", _value(rng, p)),
                            lambda: extend(s, pc, pa, A, next(spare), _value(rng, p))])
    return fig


def parallelogram(rng: random.Random, p: Preset) -> Figure:
    """Opposite sides of a parallelogram labelled with linear expressions (`JK = 3f - 6`); solve for the variable."""
    A, B, C, D = names(rng, 4, p.random_names, "ABCD")
    var = rng.choice("xyfwn") if p.random_names else "x"
    lo, hi = p.values
    clo, chi = p.coefficients
    while True:
        f = rng.randint(lo, min(hi, 15))
        k1, k2 = rng.sample(range(clo, chi + 1), 2) if chi > clo else (clo + 1, clo)
        c1 = rng.randint(-2 * min(hi, 15), 2 * min(hi, 15))
        c2 = (k1 - k2) * f + c1
        side = k1 * f + c1
        if side >= 2 and abs(c2) <= 3 * min(hi, 15):
            break
    e1, e2 = linear(k1, var, c1), linear(k2, var, c2)
    skew = 0.15 + 0.35 * p.shape_jitter * rng.random()
    h = 0.55 + 0.3 * p.shape_jitter * rng.random()
    pa, pb, pc, pd = (skew, 0.0), (1.0 + skew, 0.0), (1.0, h), (0.0, h)
    pts = {A: pa, B: pb, C: pc, D: pd}
    s = Scene(segments=[(pa, pb), (pb, pc), (pc, pd), (pd, pa)])
    s.name_points(pts)
    s.side(pa, pb, e1, f"{A}{B}")
    s.side(pd, pc, e2, f"{D}{C}")
    values = {f"{A}{B}": e1, f"{D}{C}": e2}
    facts = [f"{k} = {v}" for k, v in values.items()]
    dk, dc = (k1 - k2, c2 - c1) if k1 > k2 else (k2 - k1, c1 - c2)  # keep the collected coefficient positive
    steps = [f"Opposite sides of a parallelogram are equal, so {A}{B} = {D}{C}: {e1} = {e2}.",
             f"{linear(dk, var, 0)} = {dc}, so {var} = {f}." if dk != 1 else f"So {var} = {f}."]
    variant = "side" if p.variety and rng.random() < 0.4 else "variable"
    if variant == "side":
        question, answer = f"Find {A}{B}.", str(side)
        steps.append(f"{A}{B} = {e1.replace(var, f'({f})') if k1 != 1 else e1.replace(var, str(f))} = {side}.")
        short = f"{e1} = {e2}, so {var} = {f} and {A}{B} = {side}."
    else:
        question, answer = f"Find {var}.", str(f)
        short = f"{e1} = {e2}, so {var} = {f}."
    fig = Figure("parallelogram", s, question, facts, values, steps, short, answer,
                 context=f"{A}{B}{C}{D} is a parallelogram.", variant=variant)
    spare = _spare(rng, p, pts)
    _distract(fig, rng, p, [lambda: _side_distractor(s, pd, pa, f"{A}{D}", _value(rng, p)),
                            lambda: _angle_distractor(s, pa, pd, pb, f"m\\angle {D}{A}{B}",
                                                      _angle(rng, p.angle_step, 95, 150)),
                            lambda: extend(s, pd, pc, C, next(spare), _value(rng, p))])
    return fig


def circle(rng: random.Random, p: Preset) -> Figure:
    """Circle with centre O and a drawn radius; the circumference or the area is asked, in terms of pi."""
    (A,) = names(rng, 1, p.random_names, "A")
    r = rng.randint(*p.values)
    o = (0.0, 0.0)
    theta = rng.uniform(0, 360) if p.rotate else 20.0
    pa = polar(o, 1.0, theta)
    s = Scene(segments=[(o, pa)], circles=[(o, 1.0)], dots=[o])
    s.name_points({"O": o, A: pa})
    s.side(o, pa, str(r), f"O{A}")
    ask = rng.choice(["circumference", "area"])
    if ask == "circumference":
        answer, formula = pi_latex(Fraction(2 * r)), f"2\\pi r = 2\\pi \\cdot {r}"
    else:
        answer, formula = pi_latex(Fraction(r * r)), f"\\pi r^2 = \\pi \\cdot {r}^2"
    values = {f"O{A}": r}
    steps = [f"The radius is r = O{A} = {r}.", f"The {ask} is {formula} = {answer}."]
    facts = ["O is the center of the circle", f"O{A} = {r}"]
    fig = Figure("circle", s, f"Find the {ask} of the circle.", facts, values, steps,
                 f"{ask} = {formula} = {answer}.", answer, variant=ask)
    spare = _spare(rng, p, {A: pa})
    _distract(fig, rng, p, [lambda: _chord(s, rng, theta, next(spare), next(spare), 2 * r),
                            lambda: extend(s, o, pa, A, next(spare), _value(rng, p))])
    return fig


def parallel_transversal(rng: random.Random, p: Preset) -> Figure:
    """Two parallel lines cut by a transversal: one angle drawn, x at the other crossing."""
    A, B, C, D, E, F, G, H = names(rng, 8, p.random_names, "ABCDEFGH")
    while True:
        theta = _angle(rng, p.angle_step, 30, 150)
        if abs(theta - 90) >= 15:
            break
    gap = 0.7
    pe = (0.0, 0.0)
    pf = polar(pe, -gap / math.sin(math.radians(theta)), theta)
    left, right = min(pe[0], pf[0]) - 0.7, max(pe[0], pf[0]) + 0.7
    pa, pb, pc, pd = (left, 0.0), (right, 0.0), (left, gap), (right, gap)
    pg, ph = polar(pe, 0.55, theta), polar(pf, -0.55, theta)
    pts = {A: pa, B: pb, C: pc, D: pd, E: pe, F: pf, G: pg, H: ph}
    s = Scene(segments=[(pa, pb), (pc, pd), (pg, ph)], dots=[pe, pf], arrows=[(pa, pb), (pc, pd)])
    s.name_points(pts)
    # Angles at a crossing, counter-clockwise from the right-hand ray: (right, up), (up, left), (left, down), (down, right).
    rays = {E: [(B, pb), (G, pg), (A, pa), (F, pf)], F: [(D, pd), (E, pe), (C, pc), (H, ph)]}

    def name(v: str, k: int) -> str:
        (n1, _), (n2, _) = rays[v][k], rays[v][(k + 1) % 4]
        return f"m\\angle {n1}{v}{n2}"

    def measure(k: int) -> int:
        return theta if k % 2 == 0 else 180 - theta

    kg, kt = rng.randrange(4), rng.randrange(4)
    for v, k, text, kind in ((E, kg, f"{measure(kg)}°", "value"), (F, kt, "x°", "unknown")):
        vp = pts[v]
        s.angle(vp, rays[v][k][1], rays[v][(k + 1) % 4][1], text, name(v, k), kind=kind)
    given, target, corr = name(E, kg), name(F, kt), name(E, kt)
    val, ans = measure(kg), measure(kt)
    steps = [f"Since {A}{B} \\parallel {C}{D}, corresponding angles are equal: {target} = {corr}."]
    if kt == kg:
        steps.append(f"So x = {val}.")
        short = f"x = {val}."
    elif (kt - kg) % 2 == 0:
        steps.append(f"{corr} = {given} = {val}^\\circ (vertical angles), so x = {val}.")
        short = f"x = {val}."
    else:
        steps.append(f"{corr} = 180^\\circ - {val}^\\circ = {ans}^\\circ (a linear pair), so x = {ans}.")
        short = f"x = 180 - {val} = {ans}."
    values = {given: val}
    facts = [f"{A}{B} \\parallel {C}{D}", f"{given} = {val}^\\circ", f"{target} = x^\\circ"]
    fig = Figure("parallel_transversal", s, "Find x.", facts, values, steps, short, str(ans),
                 variant="same" if kt == kg else ("vertical" if (kt - kg) % 2 == 0 else "supplementary"))
    _distract(fig, rng, p, [lambda: _side_distractor(s, pe, pb, f"{E}{B}", _value(rng, p)),
                            lambda: _side_distractor(s, pc, pf, f"{C}{F}", _value(rng, p))])
    return fig


def rectangle(rng: random.Random, p: Preset) -> Figure:
    """Rectangle with two adjacent sides drawn: area, perimeter or (harder) the diagonal."""
    A, B, C, D = names(rng, 4, p.random_names, "ABCD")
    lo, hi = p.values
    a, b = rng.randint(lo, hi), rng.randint(lo, hi)
    w = min(max(a / b, 0.6), 1.7)
    pa, pb, pc, pd = (0.0, 0.0), (w, 0.0), (w, 1.0), (0.0, 1.0)
    pts = {A: pa, B: pb, C: pc, D: pd}
    s = Scene(segments=[(pa, pb), (pb, pc), (pc, pd), (pd, pa)], right_angles=[(pd, pa, pc), (pb, pc, pa)])
    s.name_points(pts)
    s.side(pa, pb, str(a), f"{A}{B}")
    s.side(pb, pc, str(b), f"{B}{C}")
    values = {f"{A}{B}": a, f"{B}{C}": b}
    ask = rng.choice(["area", "perimeter", "diagonal"][: 2 + (p.variety >= 2)])
    if ask == "area":
        answer, question = str(a * b), f"Find the area of {A}{B}{C}{D}."
        line = f"The area is {A}{B} \\cdot {B}{C} = {a} \\cdot {b} = {a * b}."
    elif ask == "perimeter":
        answer, question = str(2 * (a + b)), f"Find the perimeter of {A}{B}{C}{D}."
        line = f"The perimeter is 2({A}{B} + {B}{C}) = 2({a} + {b}) = {2 * (a + b)}."
    else:
        answer, question = sqrt_latex(a * a + b * b), f"Find {A}{C}."
        line = f"The diagonal {A}{C} = \\sqrt{{{a}^2 + {b}^2}} = {answer}."
    facts = [f"{k} = {v}" for k, v in values.items()]
    fig = Figure("rectangle", s, question, facts, values, [line], line, answer,
                 context=f"{A}{B}{C}{D} is a rectangle.", variant=ask)
    spare = _spare(rng, p, pts)
    _distract(fig, rng, p, [lambda: _side_distractor(s, pd, pc, f"{D}{C}", a),
                            lambda: extend(s, pa, pb, B, next(spare), _value(rng, p))])
    return fig


def isosceles(rng: random.Random, p: Preset) -> Figure:
    """Isosceles triangle (equal sides marked by ticks) with the apex angle drawn; a base angle is x."""
    A, B, C = names(rng, 3, p.random_names, "ABC")
    apex = _angle(rng, p.angle_step if p.angle_step % 2 == 0 else 2 * p.angle_step, 30, 140)
    base = (180 - apex) // 2
    half = math.radians(apex / 2)
    pa, pb, pc = (0.0, 0.0), (-math.sin(half), math.cos(half)), (math.sin(half), math.cos(half))
    pts = {A: pa, B: pb, C: pc}
    s = Scene(segments=[(pa, pb), (pb, pc), (pc, pa)], ticks=[(pa, pb), (pa, pc)])
    s.name_points(pts)
    s.angle(pa, pb, pc, f"{apex}°", f"m\\angle {B}{A}{C}")
    s.angle(pb, pc, pa, "x°", f"m\\angle {A}{B}{C}", kind="unknown")
    values = {f"m\\angle {B}{A}{C}": apex}
    facts = [f"{A}{B} = {A}{C}", f"m\\angle {B}{A}{C} = {apex}^\\circ", f"m\\angle {A}{B}{C} = x^\\circ"]
    steps = [f"Since {A}{B} = {A}{C}, the base angles are equal: m\\angle {A}{B}{C} = m\\angle {A}{C}{B}.",
             f"So 2x + {apex} = 180 and x = {base}."]
    fig = Figure("isosceles", s, "Find x.", facts, values, steps, f"x = (180 - {apex}) / 2 = {base}.",
                 str(base), variant="base-angle")
    spare = _spare(rng, p, pts)
    _distract(fig, rng, p, [lambda: _side_distractor(s, pb, pc, f"{B}{C}", _value(rng, p)),
                            lambda: extend(s, pb, pc, C, next(spare), _value(rng, p))])
    return fig


def segment_sum(rng: random.Random, p: Preset) -> Figure:
    """Segment addition: B lies on AC; AB and BC drawn, AC asked (or, medium and hard, AC and AB drawn, BC asked)."""
    A, B, C = names(rng, 3, p.random_names, "ABC")
    a, b = rng.randint(*p.values), rng.randint(*p.values)
    pa, pc = (0.0, 0.0), (1.0, 0.0)
    pb = along(pa, pc, min(max(a / (a + b), 0.3), 0.7))
    s = Scene(segments=[(pa, pb), (pb, pc)], dots=[pa, pb, pc])
    for name, q in ((A, pa), (B, pb), (C, pc)):  # names above the line, lengths below
        s.labels.append(Label(name, q, (q[0], -1.0), kind="point"))
    s.side(pa, pb, str(a), f"{A}{B}", toward=(0.5, 1.0))
    variant = "part" if p.variety and rng.random() < 0.4 else "whole"
    if variant == "whole":
        s.side(pb, pc, str(b), f"{B}{C}", toward=(0.5, 1.0))
        values = {f"{A}{B}": a, f"{B}{C}": b}
        ask, answer = f"{A}{C}", a + b
        line = f"{A}{C} = {A}{B} + {B}{C} = {a} + {b} = {a + b}."
    else:
        # The whole length on a dimension line under AC, with end ticks, as drawings show an overall length.
        da, dc, t = (0.0, 0.3), (1.0, 0.3), 0.05
        s.segments += [(da, dc), ((0.0, 0.3 - t), (0.0, 0.3 + t)), ((1.0, 0.3 - t), (1.0, 0.3 + t))]
        s.side(da, dc, str(a + b), f"{A}{C}", toward=(0.5, 1.0))
        values = {f"{A}{B}": a, f"{A}{C}": a + b}
        ask, answer = f"{B}{C}", b
        line = f"{B}{C} = {A}{C} - {A}{B} = {a + b} - {a} = {b}."
    facts = [f"{k} = {v}" for k, v in values.items()]
    fig = Figure("segment_sum", s, f"{B} lies on {A}{C}. Find {ask}.", facts, values,
                 [f"Since {B} lies on {A}{C}, {A}{C} = {A}{B} + {B}{C}.", line], line, str(answer), variant=variant)
    spare = _spare(rng, p, {A: 0, B: 0, C: 0})
    _distract(fig, rng, p, [lambda: extend(s, pa, pc, C, next(spare), _value(rng, p)),
                            lambda: extend(s, pc, pa, A, next(spare), _value(rng, p))])
    return fig


FAMILIES: dict[str, Callable[[random.Random, Preset], Figure]] = {
    f.__name__: f for f in (right_triangle, angle_sum, parallelogram, circle, parallel_transversal, rectangle,
                            isosceles, segment_sum)
}


def _distract(fig: Figure, rng: random.Random, p: Preset, makers: list[Callable[[], str]]) -> None:
    """Add the preset's number of distractor labels, picked from the family's consistent kinds."""
    n = min(rng.randint(*p.distractors), len(makers))
    for make in rng.sample(makers, n):
        make()
    fig.distractors = {lab.key: lab.text for lab in fig.scene.labels if lab.kind == "distractor"}


def _side_distractor(s: Scene, a, b, key: str, value: int) -> str:
    s.side(a, b, str(value), key, kind="distractor")
    return key


def _angle_distractor(s: Scene, vertex, a, b, key: str, value: int) -> str:
    s.angle(vertex, a, b, f"{value}°", key, kind="distractor")
    return key


def _chord(s: Scene, rng: random.Random, theta: float, P: str, Q: str, diameter: int) -> str:
    """Distractor chord PQ away from the drawn radius; its length stays below the diameter."""
    start = theta + rng.uniform(100, 140)
    pp, pq = polar((0.0, 0.0), 1.0, start), polar((0.0, 0.0), 1.0, start + rng.uniform(60, 110))
    s.segments.append((pp, pq))
    s.dots += [pp, pq]
    s.name_points({P: pp, Q: pq})
    s.side(pp, pq, str(rng.randint(1, max(1, diameter - 1))), f"{P}{Q}", kind="distractor")
    return f"{P}{Q}"


def _spare(rng: random.Random, p: Preset, used: dict):
    """Unused point letters for distractor points, in order (or shuffled with random names)."""
    free = [c for c in LETTERS if c not in used]
    if p.random_names:
        rng.shuffle(free)
    return iter(free)


def _value(rng: random.Random, p: Preset) -> int:
    return rng.randint(*p.values)


def _angle(rng: random.Random, step: int, lo: int, hi: int) -> int:
    return step * rng.randint(math.ceil(lo / step), hi // step)


def _root(sq: int) -> str:
    r = sqrt_latex(sq)
    return r if "\\sqrt" in r else f"\\sqrt{{{sq}}} = {r}"
