"""Visual annotations from Geometry3K's diagram logic forms (Lu et al., 2021, InterGPS).

Every Geometry3K problem carries `diagram_logic_form`: the human annotation of its figure as predicate
terms — `Equals(LengthOf(Line(J, K)), 10)`, `Perpendicular(Line(P, K), Line(M, P))`,
`PointLiesOnCircle(M, Circle(K, radius_7_0))`. These are exact visual facts of the very data the paper
trains on (Perception-R1, arXiv 2506.07218, §3.2 builds its annotations with a teacher instead), so
`to_annotations` writes them in the annotation style the perception reward checks:

| logic form | annotation |
|---|---|
| `Equals(LengthOf(Line(J, K)), 10)` | `JK = 10` |
| `Equals(LengthOf(Line(A, E)), LengthOf(Line(B, E)))`, `Equals(Line(A, E), Line(B, E))` | `AE = BE` |
| `Equals(MeasureOf(Angle(A, B, C)), 40)`, `…(Angle(T, R, S)), 4y-10)` | `m\\angle ABC = 40^\\circ`, `m\\angle TRS = (4y - 10)^\\circ` |
| `Equals(MeasureOf(Angle(A, F, N)), MeasureOf(angle 2))` | `m\\angle AFN = m\\angle 2` |
| `Equals(MeasureOf(Arc(B, D)), 10x)` (also `Minor(…)`, `Major(…)`) | `m\\widehat{BD} = 10x` |
| `Equals(AreaOf(Triangle(A, B, C)), 875)` (also quadrilaterals, kites, …) | `area of \\triangle ABC = 875` |
| `Equals(LengthOf(PerimeterOf(Circle(C))), 12)`, `Equals(PerimeterOf(Triangle(A, B, C)), 30)` | `circumference of \\odot C = 12`, `perimeter of \\triangle ABC = 30` |
| `Equals(LengthOf(DiameterOf(Circle(A))), 10)`, `Equals(RadiusOf(Circle(O)), 5)` | `diameter of \\odot A = 10`, `radius of \\odot O = 5` |
| `Perpendicular(Line(P, K), Line(M, P))` | `PK \\perp MP` |
| `Parallel(Line(A, B), Line(C, D))` | `AB \\parallel CD` |
| `PointLiesOnCircle(M, Circle(K, radius_7_0))` | `K is the center of the circle` (once per center) |
| `PointLiesOnLine(C, Line(E, A))`, `PointLiesOnCircle(…)` | `C lies on EA`, `M lies on \\odot K` — incidence, kept only with `incidence=True` |

`radius_7_0` is InterGPS's name for the circle (its index), not a length: a radius the figure gives is a
length form of a center–circle segment (`Equals(LengthOf(Line(K, M)), 7)` → `KM = 7`), kept like any length.

Dropped, and counted by kind in `Conversion.dropped` (docs/annotation.md has the counts over all 3,002
problems): incidence (unless asked), empty forms, forms naming an unlabelled point (`point_27`), a primed
point (`B'`) or a side by a lowercase letter, heights, arc lengths, and values outside the
plain-expression grammar below (`66--y`). Perimeters, circumferences, diameters and radii are kept: the
symbolic judge reads each as its own quantity (a circumference is never an area, a diameter is twice the
radius).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

Term = tuple  # (head, *args); an atom is a str

_POINT_RE = re.compile(r"[A-Z]")
_NUMBERED_ANGLE_RE = re.compile(r"(?:angle\s*)?(\d{1,2})")
# A value: numbers, one-letter variables, \sqrt{…}, \frac{…}{…}, \pi, + - * / ^ and parentheses, with no two
# operators in a row (`66--y` is a typo the annotators left, not an expression).
_VALUE_TOKEN_RE = re.compile(r"\s*(\d+(?:\.\d+)?|[a-z](?![a-z])|\\sqrt|\\frac|\\pi|[-+*/^(){}])")
_AREA_KINDS = {"Triangle": "\\triangle ", "Quadrilateral": "quadrilateral ", "Kite": "kite ",
               "Trapezoid": "trapezoid ", "Rectangle": "rectangle ", "Parallelogram": "parallelogram ",
               "Rhombus": "rhombus ", "Square": "square ", "Pentagon": "", "Hexagon": "", "Polygon": ""}


class LogicFormError(ValueError):
    """A logic-form string that is not a well-formed term."""


def parse_term(text: str) -> Term | str:
    """`Equals(LengthOf(Line(J, K)), 10)` -> ('Equals', ('LengthOf', ('Line', 'J', 'K')), '10').
    A head is a capitalised word directly before `(`; anything else (`2x+3`, `angle 4`) is an atom."""
    text = text.strip()
    m = re.match(r"([A-Z][A-Za-z]+)\s*\((.*)\)$", text, re.S)
    if not m:
        if "(" in text and not _balanced(text):
            raise LogicFormError(f"unbalanced parentheses in {text!r}")
        return text
    return (m.group(1), *(parse_term(a) for a in _split_args(m.group(2))))


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _split_args(text: str) -> list[str]:
    args, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
            if depth < 0:
                raise LogicFormError(f"unbalanced parentheses in {text!r}")
        elif ch == "," and depth == 0:
            args.append(text[start:i])
            start = i + 1
    if depth:
        raise LogicFormError(f"unbalanced parentheses in {text!r}")
    args.append(text[start:])
    return [a for a in args if a.strip()]


# ---------------------------------------------------------------- values and names

def format_value(text: str) -> str | None:
    """`2x+3` -> `2x + 3`, `\\frac{1}{5}x+3` -> `\\frac{1}{5}x + 3`; None outside the value grammar."""
    text = text.strip().replace(" ", "")
    toks, pos = [], 0
    while pos < len(text):
        m = _VALUE_TOKEN_RE.match(text, pos)
        if not m:
            return None
        toks.append(m.group(1))
        pos = m.end()
    if not toks or not _balanced("".join(toks).replace("{", "(").replace("}", ")")):
        return None
    out: list[str] = []
    for i, tok in enumerate(toks):
        prev = toks[i - 1] if i else None
        if tok in "+-*/^" and (prev is None or prev in "+-*/^({"):
            if tok != "-" or prev in ("-", "+"):
                return None  # an operator with nothing before it, or two in a row
            out.append(tok)  # a leading minus sign
        elif tok in "+-":
            out.append(f" {tok} ")
        else:
            out.append(tok)
    if toks[-1] in "+-*/^":
        return None
    return "".join(out)


def _points(args: Iterable) -> str | None:
    """`('J', 'K')` -> `JK`: every argument a labelled point (one capital letter)."""
    names = [a.strip() if isinstance(a, str) else None for a in args]
    if not names or any(n is None or not _POINT_RE.fullmatch(n) for n in names):
        return None
    return "".join(names)


def _degrees(value: str) -> str:
    simple = re.fullmatch(r"\d+(?:\.\d+)?|[a-z]", value)
    return f"{value}^\\circ" if simple else f"({value})^\\circ"


def _quantity(term: Term | str) -> tuple[str, str] | None:
    """(kind, LaTeX) of a measured quantity: a segment, angle, arc or area."""
    if isinstance(term, str):
        return None
    head, *args = term
    if head == "Line" and len(args) == 2:
        name = _points(args)
        return ("length", name) if name else None
    if head in ("LengthOf", "MeasureOf") and len(args) == 1:
        inner = args[0]
        if isinstance(inner, str):
            m = _NUMBERED_ANGLE_RE.fullmatch(inner.strip())
            return ("angle", f"m\\angle {m.group(1)}") if m and head == "MeasureOf" else None
        if inner[0] in ("Minor", "Major") and len(inner) == 2:
            inner = inner[1]
        kind = inner[0]
        if head == "LengthOf" and kind in ("Line", "PerimeterOf", "CircumferenceOf", "DiameterOf", "RadiusOf"):
            return _quantity(inner)
        if head == "MeasureOf" and kind == "Angle":
            if len(inner) == 2 and isinstance(inner[1], str) and (m := _NUMBERED_ANGLE_RE.fullmatch(inner[1].strip())):
                return "angle", f"m\\angle {m.group(1)}"
            name = _points(inner[1:])
            return ("angle", f"m\\angle {name}") if name and len(name) in (1, 3) else None
        if head == "MeasureOf" and kind == "Arc":
            name = _points(inner[1:])
            return ("arc", f"m\\widehat{{{name}}}") if name and len(name) in (2, 3) else None
        return None
    if head in ("PerimeterOf", "CircumferenceOf", "DiameterOf", "RadiusOf") and len(args) == 1 \
            and not isinstance(args[0], str):
        shape, *names = args[0]
        if shape in ("Circle", "Cirle"):  # InterGPS writes `Cirle` in a few forms
            center = _points(names[:1])
            if not center:
                return None
            word = {"PerimeterOf": "circumference", "CircumferenceOf": "circumference"}.get(head, head[:-2].lower())
            return ("perimeter" if word == "circumference" else "length"), f"{word} of \\odot {center}"
        if head == "PerimeterOf" and shape in _AREA_KINDS:
            name = _points(names)
            return ("perimeter", f"perimeter of {_AREA_KINDS[shape]}{name}") if name and len(name) >= 3 else None
        return None
    if head == "AreaOf" and len(args) == 1 and not isinstance(args[0], str) and args[0][0] in _AREA_KINDS:
        name = _points(args[0][1:])
        if name and len(name) >= 3:
            return "area", f"area of {_AREA_KINDS[args[0][0]]}{name}"
    return None


# ---------------------------------------------------------------- translation

@dataclass
class Conversion:
    """The annotations of one problem, and what was left out (kind -> count)."""

    annotations: list[str] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)  # kept annotations by kind
    dropped: Counter = field(default_factory=Counter)


def _equation(lhs: Term | str, rhs: Term | str) -> tuple[str, str] | tuple[None, str]:
    """(kind, annotation) for `Equals(lhs, rhs)`, or (None, why it is dropped)."""
    q = _quantity(lhs)
    if q is None:
        return None, _unsupported(lhs)
    kind, name = q
    other = _quantity(rhs)
    if other is not None:
        if other[1] == name:
            return None, "degenerate"
        return (kind, f"{name} = {other[1]}") if other[0] == kind else (None, "mixed quantities")
    if kind == "length" and isinstance(rhs, tuple) and rhs[0] == "LengthOf" and len(rhs) == 2 \
            and isinstance(rhs[1], str) and re.fullmatch(r"\s*[a-z]\s*", rhs[1]):
        rhs = rhs[1]  # a side labelled with a letter: `Equals(LengthOf(Line(C, B)), LengthOf(a))` is CB = a
    if not isinstance(rhs, str):
        return None, _unsupported(rhs)
    value = format_value(rhs)
    if value is None:
        return None, "malformed value"
    return kind, f"{name} = {_degrees(value) if kind == 'angle' else value}"


def _atoms(term: Term | str) -> list[str]:
    return [term] if isinstance(term, str) else [a for t in term[1:] for a in _atoms(t)]


def _unsupported(term: Term | str) -> str:
    """Why a quantity is left out, as a short kind name for the counts."""
    if any(re.fullmatch(r"point_\d+|[A-Z]'+", a.strip()) for a in _atoms(term)):
        return "unlabelled or primed point"
    if isinstance(term, tuple) and term[0] in ("LengthOf", "MeasureOf") and len(term) == 2:
        inner = term[1]
        if isinstance(inner, str):
            return "side named by a letter" if re.fullmatch(r"\s*[a-z]\s*", inner) else "unsupported form"
        heads = {inner[0]} | ({inner[1][0]} if len(inner) == 2 and isinstance(inner[1], tuple) else set())
        for word, why in (("HeightOf", "height"), ("PerimeterOf", "perimeter"), ("DiameterOf", "diameter"),
                          ("Arc", "arc length")):
            if word in heads:
                return why
    return "unsupported form"


def to_annotations(forms: Iterable[str], *, incidence: bool = False) -> Conversion:
    """The visual annotations of one problem's `diagram_logic_form` list (see the module docstring):
    in the order of the forms, duplicates removed, each circle's center stated once after its facts."""
    out = Conversion()
    centers: list[str] = []

    def keep(kind: str, text: str) -> None:
        if text not in out.annotations:
            out.annotations.append(text)
            out.kinds[kind] += 1

    for raw in forms:
        if not raw or not raw.strip():
            out.dropped["empty"] += 1
            continue
        try:
            term = parse_term(raw)
        except LogicFormError:
            out.dropped["malformed form"] += 1
            continue
        if isinstance(term, str):
            out.dropped["unsupported form"] += 1
            continue
        head, *args = term
        if head == "Equals" and len(args) == 2:
            kind, text = _equation(*args)
            if kind is None:
                out.dropped[text] += 1
            else:
                keep(kind, text)
        elif head in ("Perpendicular", "Parallel") and len(args) == 2:
            names = [_quantity(a) for a in args]
            if all(n is not None and n[0] == "length" for n in names):
                rel = "\\perp" if head == "Perpendicular" else "\\parallel"
                keep("perpendicular" if head == "Perpendicular" else "parallel", f"{names[0][1]} {rel} {names[1][1]}")
            else:
                out.dropped[_unsupported(args[0]) if names[0] is None else _unsupported(args[1])] += 1
        elif head in ("PointLiesOnCircle", "PointLiesOnLine") and not incidence:
            out.dropped["incidence"] += 1
            if head == "PointLiesOnCircle" and len(args) == 2 and isinstance(args[1], tuple) \
                    and args[1][0] == "Circle" and (center := _points(args[1][1:2])) and center not in centers:
                centers.append(center)
        elif head == "PointLiesOnCircle" and len(args) == 2:
            point, circle = args
            center = _points(circle[1:2]) if isinstance(circle, tuple) and circle[0] == "Circle" else None
            if center is None or _points([point]) is None:
                out.dropped["unsupported form"] += 1
                continue
            if center not in centers:
                centers.append(center)
            keep("incidence", f"{point.strip()} lies on \\odot {center}")
        elif head == "PointLiesOnLine" and len(args) == 2:
            line = _quantity(args[1])
            if _points([args[0]]) is None or line is None or line[0] != "length":
                out.dropped["unsupported form"] += 1
            else:
                keep("incidence", f"{args[0].strip()} lies on {line[1]}")
        else:
            out.dropped["unsupported form"] += 1
    for center in centers:
        keep("center", f"{center} is the center of the circle")
    return out


def diagram_forms(logic_form: dict) -> list[str]:
    """The diagram forms of a problem's `logic_form.json` (`diagram_logic_form`) or of an entry of
    InterGPS's `diagram_logic_forms_annot.json` (`diagram_logic_forms`)."""
    forms = logic_form.get("diagram_logic_form", logic_form.get("diagram_logic_forms"))
    if not isinstance(forms, list):
        raise LogicFormError("no diagram_logic_form list")
    return [str(f) for f in forms]


@dataclass
class Counts:
    """What `to_annotations` keeps over many problems (the figures in docs/annotation.md)."""

    problems: int = 0
    forms: int = 0
    per_problem: Counter = field(default_factory=Counter)  # number of annotations -> problems
    kinds: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)

    def add(self, conv: Conversion, n_forms: int) -> None:
        self.problems += 1
        self.forms += n_forms
        self.per_problem[len(conv.annotations)] += 1
        self.kinds.update(conv.kinds)
        self.dropped.update(conv.dropped)

    @property
    def annotations(self) -> int:
        return sum(self.kinds.values())

    @property
    def none(self) -> int:
        return self.per_problem[0]

    def median(self) -> float:
        values = sorted(n for n, c in self.per_problem.items() for _ in range(c))
        mid = len(values) // 2
        return float(values[mid]) if len(values) % 2 else (values[mid - 1] + values[mid]) / 2

    def summary(self) -> str:
        """A Markdown block of the counts."""
        mean = self.annotations / max(self.problems, 1)
        lines = [f"problems: {self.problems}; diagram logic forms: {self.forms}",
                 f"annotations kept: {self.annotations} (mean {mean:.2f} per problem, median {self.median():g}, "
                 f"max {max(self.per_problem, default=0)})",
                 f"problems left with none: {self.none} ({100 * self.none / max(self.problems, 1):.1f} %)",
                 "kept by kind: " + ", ".join(f"{k} {v}" for k, v in self.kinds.most_common()),
                 "dropped by reason: " + ", ".join(f"{k} {v}" for k, v in self.dropped.most_common()),
                 "annotations per problem: " + ", ".join(f"{n}: {self.per_problem[n]}"
                                                         for n in sorted(self.per_problem))]
        return "\n".join(lines)


def count(entries: Iterable[dict], *, incidence: bool = False) -> Counts:
    """`Counts` over logic-form entries (dicts with a diagram form list)."""
    counts = Counts()
    for entry in entries:
        forms = diagram_forms(entry)
        counts.add(to_annotations(forms, incidence=incidence), len(forms))
    return counts


def read_annot_file(path: str) -> dict[str, dict]:
    """InterGPS's logic forms by problem id, from `diagram_logic_forms_annot.json` or the zip holding it."""
    import json
    import zipfile

    if str(path).endswith(".zip"):
        with zipfile.ZipFile(path) as z:
            name = next((n for n in z.namelist() if n.endswith("diagram_logic_forms_annot.json")), None)
            if name is None:
                raise LogicFormError(f"{path}: no diagram_logic_forms_annot.json inside")
            raw, where = z.read(name), f"{path}:{name}"
    else:
        with open(path, "rb") as f:
            raw, where = f.read(), str(path)
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise LogicFormError(f"{where}: not a JSON logic-forms file ({e})") from None


def main(argv: list[str] | None = None) -> int:
    """`python -m perception_r1.annotate.logic_forms FILE [--incidence]`: the counts of docs/annotation.md."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m perception_r1.annotate.logic_forms", description=main.__doc__)
    p.add_argument("file", help="diagram_logic_forms_annot.json, or the zip that holds it")
    p.add_argument("--incidence", action="store_true", help="also keep PointLiesOnLine / PointLiesOnCircle")
    args = p.parse_args(argv)
    print(count(read_annot_file(args.file).values(), incidence=args.incidence).summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
